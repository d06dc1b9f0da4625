import { readFileSync } from 'node:fs';
import { WAIT_CEILING_SECONDS } from './operations/shared.js';
import { CONFIRM_POLICIES, type ConfirmPolicy } from './operations/types.js';
import { parseArgs } from 'node:util';

/** A configuration problem: the message names the setting and what is accepted. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const REGIONS = {
  eu: { apiUrl: 'https://api.eu.cluvio.com', dataUrl: 'https://data.eu.cluvio.com' },
  us: { apiUrl: 'https://api.us.cluvio.com', dataUrl: 'https://data.us.cluvio.com' },
} as const;
export type Region = keyof typeof REGIONS;

/** Cluvio runs at most 20 executions per datasource at once by default: never send more than that. */
export const MAX_CONCURRENCY = 20;
export const DEFAULT_CONCURRENCY = 8;
/**
 * 24 kB of PNG is 32,000 base64 characters, about 22,000 o200k tokens: under the 25,000 tokens Claude Code allows
 * one tool result, for the clients that hand the model an image as text (Mastra and LangChain with Gemini, Vercel
 * AI with OpenAI Chat Completions).
 */
export const DEFAULT_MAX_IMAGE_KB = 24;
/** Gemini CLI's default tool timeout (10 min): no common client waits longer. */
export const MAX_WAIT_SECONDS = 600;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Cluvio API key secret; undefined only with `sandbox` (the sandbox provides its own). */
  apiKey: string | undefined;
  sandbox: boolean;
  region: Region;
  apiUrl: string;
  dataUrl: string;
  /** Operation id → "METHOD /path" overrides, already validated for shape. */
  routeOverrides: Record<string, string>;
  logLevel: LogLevel;
  requestTimeoutMs: number;
  /** Requests to Cluvio (API and data server) in flight at once, and run_execution queries running at once; more wait in line. 1…MAX_CONCURRENCY. */
  maxConcurrency: number;
  revealSecrets: boolean;
  /**
   * PNG exports up to this size (kB) also come back as image content a multimodal model can look at; 0 = never.
   * Small by default: some clients turn an image into base64 text (DEFAULT_MAX_IMAGE_KB).
   */
  maxImageKb: number;
  /** The most `max_wait_seconds` accepts (default WAIT_CEILING_SECONDS: below the 60 s most clients wait). */
  maxWaitSeconds: number;
  /** Toolset names to expose; empty = all (unless `tools` names single tools). Checked against the catalog later. */
  toolsets: string[];
  /** Single tool names to expose, in addition to `toolsets`. */
  tools: string[];
  /** Register no tool that changes the account; run_execution accepts only read statements. */
  readOnly: boolean;
  /** Three meta-tools (search, describe, call) instead of one tool per operation. */
  discovery: boolean;
  /** MCP Apps: the results view (chart/table) as a ui:// resource, linked from the data tools' _meta. */
  views: boolean;
  /** Which operations a person confirms before they run (see ConfirmClass). */
  confirm: ConfirmPolicy;
  /** Signs confirmation tokens; shared by replicas so that any of them accepts another's. Random per process when unset. */
  confirmSecret: string | undefined;
  transport: 'stdio' | 'http';
  http: HttpConfig;
}

export interface HttpConfig {
  host: string;
  port: number;
  /** No per-process session state: every request is served on its own (load-balanced replicas). */
  stateless: boolean;
  /** Bearer token clients must send; undefined = no auth (loopback only). */
  authToken: string | undefined;
  /** Origin hostnames allowed besides localhost ones. */
  allowedOrigins: string[];
  /** Host header hostnames allowed; empty = localhost names on a loopback bind, any otherwise. */
  allowedHosts: string[];
  /** A request may carry its own Cluvio API key in X-Cluvio-Api-Key. */
  perUserKeys: boolean;
  maxBodyBytes: number;
  sessionIdleMs: number;
  shutdownGraceMs: number;
}

/** What `cluvio-mcp check` does beyond calling every read operation. */
export interface CheckOptions {
  /** Also run SELECT 1 on the first datasource and follow it to its rows (starts one execution). */
  runQuery: boolean;
  /** Print the results as JSON instead of a table. */
  json: boolean;
  /** Write the routes found elsewhere (and those already configured) to this file, for CLUVIO_ROUTES_FILE. */
  writeRoutes: string | undefined;
  /** Write what check saw, every value replaced by its type, to this file. */
  record: string | undefined;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'sandbox'; port: number | undefined }
  | { kind: 'serve'; config: Config }
  | { kind: 'check'; config: Config; check: CheckOptions };

export const HELP = `cluvio-mcp — MCP server for the Cluvio BI platform

Usage:
  cluvio-mcp [options]              serve MCP over stdio
  cluvio-mcp --sandbox              serve MCP on the built-in sandbox (no Cluvio account needed)
  cluvio-mcp sandbox [--port N]     run only the sandbox; prints {"api_url","data_url","api_key"}
  cluvio-mcp check [options]        check the key, region and routes against the account: calls every read
                                    operation and compares each answer with the reference; changes nothing

Options (flags win over environment variables):
  --sandbox                  start the embedded sandbox and use it
  --region eu|us             CLUVIO_REGION (default eu)
  --api-url URL              CLUVIO_API_URL, overrides the region's API server
  --data-url URL             CLUVIO_DATA_URL, overrides the region's data server
  --routes-file PATH         CLUVIO_ROUTES_FILE, JSON {"operationId": "METHOD /path"}
  --log-level LEVEL          CLUVIO_LOG_LEVEL: ${LOG_LEVELS.join(', ')} (default info)
  --timeout-ms N             CLUVIO_TIMEOUT_MS, per-request timeout (default 30000)
  --max-concurrency N        CLUVIO_MAX_CONCURRENCY, requests to Cluvio and run_execution queries at once, more wait in line (default ${DEFAULT_CONCURRENCY}, 1-${MAX_CONCURRENCY})
  --max-wait-seconds N       CLUVIO_MAX_WAIT_SECONDS, the most a tool may wait for a query, refresh or export (default ${WAIT_CEILING_SECONDS}, 1-${MAX_WAIT_SECONDS}); raise only for clients that wait longer than 60 s
  --max-image-kb N           CLUVIO_MAX_IMAGE_KB, PNG exports up to N kB also come back as an image (default ${DEFAULT_MAX_IMAGE_KB}, 0 = never, at most 1024)
  --reveal-secrets           CLUVIO_REVEAL_SECRETS=true, show credentials the API returns
  --toolsets a,b             CLUVIO_TOOLSETS, expose only these toolsets (default: all)
  --tools x,y                CLUVIO_TOOLS, expose these single tools (with --toolsets: in addition)
  --read-only                CLUVIO_READ_ONLY=true, nothing in the account changes, nobody is e-mailed
  --discovery                CLUVIO_DISCOVERY=true, 3 tools (search, describe, call) instead of one per operation
  --no-views                 CLUVIO_VIEWS=false, no chart/table view for MCP Apps hosts (default on)
  --confirm POLICY           CLUVIO_CONFIRM: a person confirms ${CONFIRM_POLICIES.join('|')} operations before they run
                             (default destructive: deletes, updates, e-mails, access; off for unattended agents)
  CLUVIO_CONFIRM_SECRET      key that signs confirmations (32+ characters; the same on every replica)

Streamable HTTP (endpoint /mcp, plus /healthz and /readyz):
  --transport stdio|http     CLUVIO_MCP_TRANSPORT (default stdio)
  --host H                   CLUVIO_MCP_HOST (default 127.0.0.1; other addresses need CLUVIO_MCP_AUTH_TOKEN)
  --port N                   CLUVIO_MCP_PORT (default 8765)
  --stateless                CLUVIO_MCP_STATELESS=true, no sessions (for several replicas behind a load balancer)
  CLUVIO_MCP_AUTH_TOKEN      bearer token clients must send
  CLUVIO_MCP_ALLOWED_ORIGINS, CLUVIO_MCP_ALLOWED_HOSTS   comma-separated hostnames to allow
  CLUVIO_MCP_PER_USER_KEYS=true   a request may carry its own Cluvio key in X-Cluvio-Api-Key
  CLUVIO_MCP_MAX_BODY_BYTES (default 1048576), CLUVIO_MCP_SESSION_IDLE_MINUTES (default 30),
  CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS (default 10)
  -h, --help                 show this help
  -v, --version              print the version

Check (with the key, region, URLs and routes file above; --sandbox checks the built-in sandbox):
  --run-query                also run SELECT 1 on the first datasource and read its rows (starts one execution)
  --json                     print the results as JSON
  --write-routes FILE        write the routes found elsewhere to FILE, for CLUVIO_ROUTES_FILE
  --record FILE              write what check saw with every value replaced by its type (attach it to bug reports)

Environment:
  CLUVIO_API_KEY             the API key secret (required unless --sandbox)
`;

const FLAGS = {
  sandbox: { type: 'boolean' },
  region: { type: 'string' },
  'api-url': { type: 'string' },
  'data-url': { type: 'string' },
  'routes-file': { type: 'string' },
  'log-level': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'max-wait-seconds': { type: 'string' },
  'max-image-kb': { type: 'string' },
  'reveal-secrets': { type: 'boolean' },
  toolsets: { type: 'string' },
  tools: { type: 'string' },
  'read-only': { type: 'boolean' },
  discovery: { type: 'boolean' },
  'no-views': { type: 'boolean' },
  confirm: { type: 'string' },
  transport: { type: 'string' },
  host: { type: 'string' },
  stateless: { type: 'boolean' },
  port: { type: 'string' },
  'run-query': { type: 'boolean' },
  json: { type: 'boolean' },
  'write-routes': { type: 'string' },
  record: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Env = Record<string, string | undefined>;
type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS; allowPositionals: true; strict: true }>>['values'];

/** The flags of `check`, and the configuration flags it shares with the server. */
const CHECK_ONLY = ['run-query', 'json', 'write-routes', 'record'] as const;
const CHECK_SHARED = ['sandbox', 'region', 'api-url', 'data-url', 'routes-file', 'log-level', 'timeout-ms'] as const;

export function parseCommand(argv: string[], env: Env = process.env): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    const accepted = Object.keys(FLAGS)
      .map((f) => `--${f}`)
      .join(', ');
    // parseArgs adds advice about '--' positionals to an unknown option, which this CLI has no use for.
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
    throw new ConfigError(`${message}. Accepted options: ${accepted} (see --help).`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  if (positionals[0] === 'sandbox') {
    if (positionals.length > 1) throw new ConfigError(`Unexpected argument "${positionals[1]}" after "sandbox".`);
    return { kind: 'sandbox', port: values.port === undefined ? undefined : parsePort(values.port) };
  }
  if (positionals[0] === 'check') {
    if (positionals.length > 1) throw new ConfigError(`Unexpected argument "${positionals[1]}" after "check".`);
    const accepted: readonly string[] = [...CHECK_SHARED, ...CHECK_ONLY];
    const other = Object.keys(values).find((flag) => !accepted.includes(flag));
    if (other) throw new ConfigError(`--${other} does not apply to "check". Accepted with check: ${accepted.map((f) => `--${f}`).join(', ')}.`);
    return {
      kind: 'check',
      config: configFrom(values, env, 'check'),
      check: { runQuery: values['run-query'] ?? false, json: values.json ?? false, writeRoutes: values['write-routes'], record: values.record },
    };
  }
  if (positionals.length > 0) {
    throw new ConfigError(`Unknown command "${positionals[0]}". Accepted: "sandbox", "check", or no command to serve MCP.`);
  }
  const checkOnly = CHECK_ONLY.find((flag) => values[flag] !== undefined);
  if (checkOnly) throw new ConfigError(`--${checkOnly} applies to the "check" command only: cluvio-mcp check --${checkOnly}.`);
  return { kind: 'serve', config: configFrom(values, env, 'serve') };
}

/** Flags and environment → the configuration, for serving MCP or for `check` (which serves nothing). */
function configFrom(values: Values, env: Env, command: 'serve' | 'check'): Config {
  const sandbox = values.sandbox ?? false;
  const apiKey = nonEmpty(env.CLUVIO_API_KEY);
  const transport = oneOf('CLUVIO_MCP_TRANSPORT (--transport)', values.transport ?? nonEmpty(env.CLUVIO_MCP_TRANSPORT) ?? 'stdio', ['stdio', 'http'] as const);
  const http = httpConfig(values, env, command === 'serve' && transport === 'http');
  // Over HTTP with per-user keys, every request may bring its own key instead.
  if (!apiKey && !sandbox && !(command === 'serve' && transport === 'http' && http.perUserKeys)) {
    throw new ConfigError(
      command === 'check'
        ? 'No Cluvio API key: set CLUVIO_API_KEY to the API key secret to check, or use --sandbox to check the built-in sandbox.'
        : 'No Cluvio API key: set CLUVIO_API_KEY to an API key secret, or start with --sandbox to use the built-in sandbox.',
    );
  }

  const region = oneOf('CLUVIO_REGION (--region)', values.region ?? nonEmpty(env.CLUVIO_REGION) ?? 'eu', ['eu', 'us'] as const);
  const apiUrl = httpUrl('CLUVIO_API_URL (--api-url)', values['api-url'] ?? nonEmpty(env.CLUVIO_API_URL)) ?? REGIONS[region].apiUrl;
  const dataUrl = httpUrl('CLUVIO_DATA_URL (--data-url)', values['data-url'] ?? nonEmpty(env.CLUVIO_DATA_URL)) ?? REGIONS[region].dataUrl;
  const routesFile = values['routes-file'] ?? nonEmpty(env.CLUVIO_ROUTES_FILE);
  const logLevel = oneOf('CLUVIO_LOG_LEVEL (--log-level)', values['log-level'] ?? nonEmpty(env.CLUVIO_LOG_LEVEL) ?? 'info', LOG_LEVELS);
  const timeout = values['timeout-ms'] ?? nonEmpty(env.CLUVIO_TIMEOUT_MS);
  const requestTimeoutMs = timeout === undefined ? 30_000 : intInRange('CLUVIO_TIMEOUT_MS (--timeout-ms)', timeout, 100, 600_000);
  const concurrency = values['max-concurrency'] ?? nonEmpty(env.CLUVIO_MAX_CONCURRENCY);
  const maxConcurrency =
    concurrency === undefined ? DEFAULT_CONCURRENCY : intInRange('CLUVIO_MAX_CONCURRENCY (--max-concurrency)', concurrency, 1, MAX_CONCURRENCY);
  const wait = values['max-wait-seconds'] ?? nonEmpty(env.CLUVIO_MAX_WAIT_SECONDS);
  const maxWaitSeconds = wait === undefined ? WAIT_CEILING_SECONDS : intInRange('CLUVIO_MAX_WAIT_SECONDS (--max-wait-seconds)', wait, 1, MAX_WAIT_SECONDS);
  const image = values['max-image-kb'] ?? nonEmpty(env.CLUVIO_MAX_IMAGE_KB);
  const maxImageKb = image === undefined ? DEFAULT_MAX_IMAGE_KB : intInRange('CLUVIO_MAX_IMAGE_KB (--max-image-kb)', image, 0, 1024);
  const revealSecrets = values['reveal-secrets'] ?? bool('CLUVIO_REVEAL_SECRETS', env.CLUVIO_REVEAL_SECRETS) ?? false;
  const confirm = oneOf('CLUVIO_CONFIRM (--confirm)', values.confirm ?? nonEmpty(env.CLUVIO_CONFIRM) ?? 'destructive', CONFIRM_POLICIES);
  const confirmSecret = nonEmpty(env.CLUVIO_CONFIRM_SECRET);
  if (confirmSecret !== undefined && confirmSecret.length < 32) throw new ConfigError('Invalid CLUVIO_CONFIRM_SECRET: use at least 32 characters.');

  return {
    apiKey,
    sandbox,
    region,
    apiUrl,
    dataUrl,
    routeOverrides: routesFile ? readRoutesFile(routesFile) : {},
    logLevel,
    requestTimeoutMs,
    maxConcurrency,
    maxWaitSeconds,
    maxImageKb,
    revealSecrets,
    toolsets: list(values.toolsets ?? env.CLUVIO_TOOLSETS),
    tools: list(values.tools ?? env.CLUVIO_TOOLS),
    readOnly: values['read-only'] ?? bool('CLUVIO_READ_ONLY', env.CLUVIO_READ_ONLY) ?? false,
    discovery: values.discovery ?? bool('CLUVIO_DISCOVERY', env.CLUVIO_DISCOVERY) ?? false,
    views: values['no-views'] ? false : (bool('CLUVIO_VIEWS', env.CLUVIO_VIEWS) ?? true),
    confirm,
    confirmSecret,
    transport,
    http,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function httpConfig(values: { host?: string; port?: string; stateless?: boolean }, env: Env, serving: boolean): HttpConfig {
  const host = values.host ?? nonEmpty(env.CLUVIO_MCP_HOST) ?? '127.0.0.1';
  const authToken = nonEmpty(env.CLUVIO_MCP_AUTH_TOKEN);
  if (serving && !isLoopback(host) && !authToken) {
    throw new ConfigError(
      `Refusing to listen on ${host} without CLUVIO_MCP_AUTH_TOKEN: anyone who can reach that address could use the Cluvio API key. Set CLUVIO_MCP_AUTH_TOKEN, or listen on 127.0.0.1.`,
    );
  }
  if (authToken !== undefined && authToken.length < 16) throw new ConfigError('Invalid CLUVIO_MCP_AUTH_TOKEN: use at least 16 characters.');
  const port = values.port ?? nonEmpty(env.CLUVIO_MCP_PORT);
  const int = (name: string, v: string | undefined, def: number, min: number, max: number) => (v === undefined ? def : intInRange(name, v, min, max));
  return {
    host,
    port: port === undefined ? 8765 : intInRange('CLUVIO_MCP_PORT (--port)', port, 0, 65_535),
    stateless: values.stateless ?? bool('CLUVIO_MCP_STATELESS', env.CLUVIO_MCP_STATELESS) ?? false,
    authToken,
    allowedOrigins: list(env.CLUVIO_MCP_ALLOWED_ORIGINS),
    allowedHosts: list(env.CLUVIO_MCP_ALLOWED_HOSTS),
    perUserKeys: bool('CLUVIO_MCP_PER_USER_KEYS', env.CLUVIO_MCP_PER_USER_KEYS) ?? false,
    maxBodyBytes: int('CLUVIO_MCP_MAX_BODY_BYTES', nonEmpty(env.CLUVIO_MCP_MAX_BODY_BYTES), 1_048_576, 1024, 64 * 1_048_576),
    sessionIdleMs: int('CLUVIO_MCP_SESSION_IDLE_MINUTES', nonEmpty(env.CLUVIO_MCP_SESSION_IDLE_MINUTES), 30, 1, 1440) * 60_000,
    shutdownGraceMs: int('CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS', nonEmpty(env.CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS), 10, 0, 600) * 1000,
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function oneOf<T extends string>(name: string, value: string, accepted: readonly T[]): T {
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`Invalid ${name}: "${value}". Accepted: ${accepted.join(', ')}.`);
}

function bool(name: string, value: string | undefined): boolean | undefined {
  const v = nonEmpty(value)?.toLowerCase();
  if (v === undefined) return undefined;
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`Invalid ${name}: "${value}". Accepted: true or false.`);
}

function intInRange(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`Invalid ${name}: "${value}". Accepted: an integer from ${min} to ${max}.`);
  }
  return n;
}

function parsePort(value: string): number {
  return intInRange('--port', value, 0, 65_534);
}

function httpUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`Invalid ${name}: "${value}". Accepted: an absolute http(s) URL such as https://api.eu.cluvio.com.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`Invalid ${name}: "${value}". Accepted: an http or https URL.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`Invalid ${name}: "${value}". Accepted: a base URL without credentials, query or fragment.`);
  }
  return url.href.replace(/\/+$/, '');
}

const ROUTE = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9_\-./{}]*)$/;

function readRoutesFile(path: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read CLUVIO_ROUTES_FILE "${path}": ${(err as Error).message}. Accepted: a JSON object {"operationId": "METHOD /path"}.`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`Invalid CLUVIO_ROUTES_FILE "${path}": expected a JSON object {"operationId": "METHOD /path"}.`);
  }
  const out: Record<string, string> = {};
  for (const [id, route] of Object.entries(raw)) {
    if (typeof route !== 'string' || !ROUTE.test(route)) {
      throw new ConfigError(
        `Invalid route for "${id}" in CLUVIO_ROUTES_FILE: ${JSON.stringify(route)}. Accepted: "METHOD /path" with METHOD one of GET, POST, PUT, PATCH, DELETE, e.g. "GET /datasources/{id}".`,
      );
    }
    out[id] = route;
  }
  return out;
}

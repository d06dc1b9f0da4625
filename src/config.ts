import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WAIT_CEILING_SECONDS } from './operations/shared.js';
import { CONFIRM_POLICIES } from './operations/types.js';

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

// ---------------------------------------------------------------------------------------------------------------
// Kinds: how the text of a setting (a flag's argument or an environment variable) becomes its value.

export interface Kind<T> {
  /** The flag's argument in --help ("N", "URL", "eu|us"); none: the flag is a switch (a boolean, no argument). */
  arg?: string;
  /** Text → value; a ConfigError naming the setting (`name`) and what is accepted when the text is not. */
  parse(text: string, name: string): T;
  /** Integers: the accepted range, in the unit the user writes; the value is that number times `unit`. */
  min?: number;
  max?: number;
  unit?: number;
  /** The accepted values, for a choice. */
  choices?: readonly string[];
}

const text = (arg: string): Kind<string> => ({ arg, parse: (t) => t });

/** A comma-separated list; blanks and empty items are dropped. */
const list = (arg: string): Kind<string[]> => ({
  arg,
  parse: (t) =>
    t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
});

/** On or off: a switch on the command line (it turns the setting away from its default), true/false in the environment. */
const bool: Kind<boolean> = {
  parse(t, name) {
    const v = t.toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new ConfigError(`Invalid ${name}: "${t}". Accepted: true or false.`);
  },
};

/** An integer from min to max, as the user writes it; the value is that times `unit` (minutes → ms: 60_000). */
function int(min: number, max: number, unit = 1): Kind<number> {
  return {
    arg: 'N',
    min,
    max,
    unit,
    parse(t, name) {
      const n = Number(t);
      if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`Invalid ${name}: "${t}". Accepted: an integer from ${min} to ${max}.`);
      return n * unit;
    },
  };
}

function oneOf<const T extends string>(choices: readonly T[], arg = choices.join('|')): Kind<T> {
  return {
    arg,
    choices,
    parse(t, name) {
      if ((choices as readonly string[]).includes(t)) return t as T;
      throw new ConfigError(`Invalid ${name}: "${t}". Accepted: ${choices.join(', ')}.`);
    },
  };
}

/** A base URL (http or https, no credentials, query or fragment), without trailing slashes. */
const url: Kind<string> = {
  arg: 'URL',
  parse(t, name) {
    let parsed: URL;
    try {
      parsed = new URL(t);
    } catch {
      throw new ConfigError(`Invalid ${name}: "${t}". Accepted: an absolute http(s) URL such as https://api.eu.cluvio.com.`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`Invalid ${name}: "${t}". Accepted: an http or https URL.`);
    if (parsed.search || parsed.hash || parsed.username || parsed.password) {
      throw new ConfigError(`Invalid ${name}: "${t}". Accepted: a base URL without credentials, query or fragment.`);
    }
    return parsed.href.replace(/\/+$/, '');
  },
};

/**
 * An identifier compared as written (an OAuth issuer or audience: `iss` and `aud` must equal it exactly, trailing slash
 * and all): an absolute http(s) URL without credentials or fragment, kept as given.
 */
const exactUrl: Kind<string> = {
  arg: 'URL',
  parse(t, name) {
    let parsed: URL;
    try {
      parsed = new URL(t);
    } catch {
      throw new ConfigError(`Invalid ${name}: "${t}". Accepted: an absolute https URL, exactly as your identity provider writes it, e.g. https://login.example.com/realms/analytics.`);
    }
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(parsed.hostname))) {
      throw new ConfigError(`Invalid ${name}: "${t}". Accepted: an https URL (http only on localhost, for testing).`);
    }
    if (parsed.hash || parsed.username || parsed.password) throw new ConfigError(`Invalid ${name}: "${t}". Accepted: a URL without credentials or fragment.`);
    return t;
  },
};

/** A secret of at least `min` characters (never echoed in the message). */
const token = (min: number): Kind<string> => ({
  arg: 'TOKEN',
  parse(t, name) {
    if (t.length < min) throw new ConfigError(`Invalid ${name}: use at least ${min} characters.`);
    return t;
  },
});

/** A JSON file of route overrides, read at once; an empty path is none. */
const routesFile: Kind<Record<string, string>> = { arg: 'PATH', parse: (path) => (path ? readRoutesFile(path) : {}) };

// ---------------------------------------------------------------------------------------------------------------
// The settings: one entry each. Flags for parseArgs, the environment lookup, parsing, validation, --help and the
// Config/HttpConfig/CheckOptions types are all made from this table; test/config-docs.test.ts keeps the README's
// configuration table, manifest.json and server.json in step with it.
//
// Adding a setting is one entry: group and field (the new field of Config, Config.http or CheckOptions), env and/or
// flag, kind, default, one line of help, the commands whose command line takes the flag, and secret if it is one.
// The type, the flag, --help and the checks follow; config-docs.test.ts then asks for its README row.

type CommandName = 'serve' | 'check' | 'sandbox';
/** Where the value goes: Config, Config.http, CheckOptions, or the `sandbox` command. */
type Group = 'config' | 'http' | 'check' | 'sandbox';

export interface Setting<G extends Group = Group, F extends string = string, T = unknown, D = unknown> {
  group: G;
  /** The field of the group's object. */
  field: F;
  env?: string;
  /** The flag without its dashes. Settings of different commands may share one (`--port`). */
  flag?: string;
  kind: Kind<T>;
  /** The value when neither flag nor variable is given (for `int` with a unit: already times the unit), or a function of the settings of its group before it. */
  default: D;
  /** --help, one line: what it does (the default and range are added). */
  help: string;
  /** The commands whose command line accepts the flag. The variable is read (and checked) for serve and check alike. */
  commands: readonly CommandName[];
  /** Never shown: an API key, a token. */
  secret?: boolean;
  /** The default as --help and the documentation state it, when the value itself does not say it (an empty list = "all"). */
  defaultText?: string;
  /** The --help section, when it is not the group's. */
  section?: Group;
}

/** One entry of the table; the type of its value is the kind's, or undefined too when the default is undefined. */
function setting<const G extends Group, const F extends string, T, D>(
  s: Setting<G, F, T, D> & { default: NoInfer<T> | undefined | ((earlier: Readonly<Record<string, unknown>>) => NoInfer<T>) },
): Setting<G, F, T, D> {
  return s;
}

const SERVE_CHECK = ['serve', 'check'] as const;
const SERVE = ['serve'] as const;
const CHECK = ['check'] as const;

export const SETTINGS = [
  // Config — the server's settings, most also used by `check`.
  setting({ group: 'config', field: 'apiKey', env: 'CLUVIO_API_KEY', kind: text('KEY'), default: undefined, secret: true, help: 'the API key secret (required unless --sandbox)', commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'sandbox', flag: 'sandbox', kind: bool, default: false, help: 'start the embedded sandbox and use it', commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'region', env: 'CLUVIO_REGION', flag: 'region', kind: oneOf(Object.keys(REGIONS) as Region[]), default: 'eu', help: 'which Cluvio servers to use', commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'apiUrl', env: 'CLUVIO_API_URL', flag: 'api-url', kind: url, default: (c) => REGIONS[c.region as Region].apiUrl, help: "overrides the region's API server", commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'dataUrl', env: 'CLUVIO_DATA_URL', flag: 'data-url', kind: url, default: (c) => REGIONS[c.region as Region].dataUrl, help: "overrides the region's data server", commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'routeOverrides', env: 'CLUVIO_ROUTES_FILE', flag: 'routes-file', kind: routesFile, default: {}, help: 'JSON {"operationId": "METHOD /path"}', commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'logLevel', env: 'CLUVIO_LOG_LEVEL', flag: 'log-level', kind: oneOf(LOG_LEVELS, 'LEVEL'), default: 'info', help: `how much to log: ${LOG_LEVELS.join(', ')}`, commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'requestTimeoutMs', env: 'CLUVIO_TIMEOUT_MS', flag: 'timeout-ms', kind: int(100, 600_000), default: 30_000, help: 'per-request timeout', commands: SERVE_CHECK }),
  setting({ group: 'config', field: 'maxConcurrency', env: 'CLUVIO_MAX_CONCURRENCY', flag: 'max-concurrency', kind: int(1, MAX_CONCURRENCY), default: DEFAULT_CONCURRENCY, help: "requests to Cluvio and run_execution queries at once in this process, more wait in line; replicas multiply it: replicas × N must stay within Cluvio's 20 per datasource (3 × 6)", commands: SERVE }),
  setting({ group: 'config', field: 'maxWaitSeconds', env: 'CLUVIO_MAX_WAIT_SECONDS', flag: 'max-wait-seconds', kind: int(1, MAX_WAIT_SECONDS), default: WAIT_CEILING_SECONDS, help: 'the most a tool may wait for a query, refresh or export; raise only for clients that wait longer than 60 s', commands: SERVE }),
  setting({ group: 'config', field: 'maxImageKb', env: 'CLUVIO_MAX_IMAGE_KB', flag: 'max-image-kb', kind: int(0, 1024), default: DEFAULT_MAX_IMAGE_KB, help: 'PNG exports up to N kB also come back as an image, 0 = never', commands: SERVE }),
  setting({ group: 'config', field: 'revealSecrets', env: 'CLUVIO_REVEAL_SECRETS', flag: 'reveal-secrets', kind: bool, default: false, help: 'show credentials the API returns', commands: SERVE }),
  setting({ group: 'config', field: 'toolsets', env: 'CLUVIO_TOOLSETS', flag: 'toolsets', kind: list('a,b'), default: [], defaultText: 'all', help: 'expose only these toolsets', commands: SERVE }),
  setting({ group: 'config', field: 'tools', env: 'CLUVIO_TOOLS', flag: 'tools', kind: list('x,y'), default: [], help: 'expose these single tools (with --toolsets: in addition)', commands: SERVE }),
  setting({ group: 'config', field: 'readOnly', env: 'CLUVIO_READ_ONLY', flag: 'read-only', kind: bool, default: false, help: 'nothing in the account changes, nobody is e-mailed', commands: SERVE }),
  setting({ group: 'config', field: 'discovery', env: 'CLUVIO_DISCOVERY', flag: 'discovery', kind: bool, default: false, help: '3 tools (search, describe, call) instead of one per operation', commands: SERVE }),
  setting({ group: 'config', field: 'views', env: 'CLUVIO_VIEWS', flag: 'no-views', kind: bool, default: true, help: 'no chart/table view for MCP Apps hosts', commands: SERVE }),
  setting({ group: 'config', field: 'confirm', env: 'CLUVIO_CONFIRM', flag: 'confirm', kind: oneOf(CONFIRM_POLICIES, 'POLICY'), default: 'destructive', help: 'which operations a person confirms before they run: destructive (deletes, updates, e-mails, access), writes (every change) or off (unattended agents)', commands: SERVE }),
  setting({ group: 'config', field: 'confirmSecret', env: 'CLUVIO_CONFIRM_SECRET', kind: token(32), default: undefined, secret: true, help: 'key that signs confirmations, at least 32 characters; the same on every replica (random per process when unset)', commands: SERVE }),
  setting({ group: 'config', field: 'transport', env: 'CLUVIO_MCP_TRANSPORT', flag: 'transport', kind: oneOf(['stdio', 'http']), default: 'stdio', section: 'http', help: 'how clients connect', commands: SERVE }),
  // Config.http — streamable HTTP.
  setting({ group: 'http', field: 'host', env: 'CLUVIO_MCP_HOST', flag: 'host', kind: text('H'), default: '127.0.0.1', help: 'the address to listen on; a non-loopback one needs CLUVIO_MCP_AUTH_TOKEN or CLUVIO_MCP_OAUTH_ISSUER', commands: SERVE }),
  setting({ group: 'http', field: 'stateless', env: 'CLUVIO_MCP_STATELESS', flag: 'stateless', kind: bool, default: false, help: 'no sessions (for several replicas behind a load balancer)', commands: SERVE }),
  setting({ group: 'http', field: 'port', env: 'CLUVIO_MCP_PORT', flag: 'port', kind: int(0, 65_535), default: 8765, help: 'the port to listen on', commands: SERVE }),
  setting({ group: 'http', field: 'authToken', env: 'CLUVIO_MCP_AUTH_TOKEN', kind: token(16), default: undefined, secret: true, help: 'bearer token clients must send, at least 16 characters', commands: SERVE }),
  setting({ group: 'http', field: 'allowedOrigins', env: 'CLUVIO_MCP_ALLOWED_ORIGINS', kind: list('a,b'), default: [], help: 'comma-separated Origin hostnames to allow besides localhost ones', commands: SERVE }),
  setting({ group: 'http', field: 'allowedHosts', env: 'CLUVIO_MCP_ALLOWED_HOSTS', kind: list('a,b'), default: [], help: 'comma-separated Host hostnames to allow besides localhost ones (unset off loopback: any)', commands: SERVE }),
  setting({ group: 'http', field: 'perUserKeys', env: 'CLUVIO_MCP_PER_USER_KEYS', kind: bool, default: false, help: 'a request may carry its own Cluvio key in X-Cluvio-Api-Key', commands: SERVE }),
  setting({ group: 'http', field: 'maxBodyBytes', env: 'CLUVIO_MCP_MAX_BODY_BYTES', kind: int(1024, 64 * 1_048_576), default: 1_048_576, help: 'the largest request body', commands: SERVE }),
  setting({ group: 'http', field: 'sessionIdleMs', env: 'CLUVIO_MCP_SESSION_IDLE_MINUTES', kind: int(1, 1440, 60_000), default: 30 * 60_000, help: 'minutes after which an idle session is closed', commands: SERVE }),
  setting({ group: 'http', field: 'shutdownGraceMs', env: 'CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS', kind: int(0, 600, 1000), default: 10_000, help: 'seconds running tool calls get to finish on SIGTERM', commands: SERVE }),
  setting({ group: 'http', field: 'oauthIssuer', env: 'CLUVIO_MCP_OAUTH_ISSUER', kind: exactUrl, default: undefined, help: "OAuth 2.1: accept JWT access tokens from this issuer (your identity provider's issuer URL, exactly as in its tokens)", commands: SERVE }),
  setting({ group: 'http', field: 'oauthAudience', env: 'CLUVIO_MCP_OAUTH_AUDIENCE', kind: exactUrl, default: undefined, help: "OAuth 2.1: this server's public URL (e.g. https://mcp.example.com/mcp); tokens must name it in aud", commands: SERVE }),
  setting({ group: 'http', field: 'oauthJwksUrl', env: 'CLUVIO_MCP_OAUTH_JWKS_URL', kind: exactUrl, default: undefined, defaultText: "from the issuer's metadata", help: "OAuth 2.1: where the issuer's signing keys are", commands: SERVE }),
  setting({ group: 'http', field: 'keysFile', env: 'CLUVIO_MCP_KEYS_FILE', kind: text('PATH'), default: undefined, help: "OAuth 2.1: JSON file mapping a token claim's value to the person's own Cluvio API key; reloaded when it changes", commands: SERVE }),
  setting({ group: 'http', field: 'keysClaim', env: 'CLUVIO_MCP_KEYS_CLAIM', kind: text('CLAIM'), default: 'sub', help: 'the token claim CLUVIO_MCP_KEYS_FILE matches (e.g. email, or a group claim holding a list)', commands: SERVE }),
  setting({ group: 'http', field: 'metrics', env: 'CLUVIO_MCP_METRICS', flag: 'metrics', kind: bool, default: false, help: 'Prometheus metrics at /metrics, behind the same checks as /mcp (HTTP only: refused with stdio)', commands: SERVE }),
  setting({ group: 'http', field: 'metricsPort', env: 'CLUVIO_MCP_METRICS_PORT', flag: 'metrics-port', kind: int(0, 65_535), default: undefined, help: 'serve /metrics on this port instead, without any checks, for a scraper inside the cluster; turns metrics on', commands: SERVE }),
  // CheckOptions — what `cluvio-mcp check` does beyond calling every read operation.
  setting({ group: 'check', field: 'runQuery', flag: 'run-query', kind: bool, default: false, help: 'also run SELECT 1 on the first datasource and read its rows (starts one execution)', commands: CHECK }),
  setting({ group: 'check', field: 'json', flag: 'json', kind: bool, default: false, help: 'print the results as JSON', commands: CHECK }),
  setting({ group: 'check', field: 'writeRoutes', flag: 'write-routes', kind: text('FILE'), default: undefined, help: 'write the routes found elsewhere to FILE, for CLUVIO_ROUTES_FILE', commands: CHECK }),
  setting({ group: 'check', field: 'record', flag: 'record', kind: text('FILE'), default: undefined, help: 'write what check saw with every value replaced by its type (attach it to bug reports)', commands: CHECK }),
  // `cluvio-mcp sandbox`.
  setting({ group: 'sandbox', field: 'port', flag: 'port', kind: int(0, 65_534), default: undefined, defaultText: 'a free port', help: "the API server's port; the data server's is N+1", commands: ['sandbox'] }),
] as const;

type AnySetting = (typeof SETTINGS)[number];
/** The table as the code below reads it: every entry as a plain Setting. */
const TABLE: readonly Setting[] = SETTINGS;
type ValueOf<S> =
  S extends Setting<Group, string, infer T, infer D> ? (D extends (...args: never[]) => unknown ? T : T | (undefined extends D ? undefined : never)) : never;
type Fields<G extends Group> = { [S in AnySetting as S['group'] extends G ? S['field'] : never]: ValueOf<S> };

export type HttpConfig = Fields<'http'>;
export type Config = Fields<'config'> & { http: HttpConfig };
export type CheckOptions = Fields<'check'>;

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | ({ kind: 'sandbox' } & Fields<'sandbox'>)
  | { kind: 'serve'; config: Config }
  | { kind: 'check'; config: Config; check: CheckOptions };

// ---------------------------------------------------------------------------------------------------------------
// What the table generates.

/** The options for parseArgs: every setting's flag (a switch or one taking an argument), then --help and --version. */
const FLAGS = {
  ...Object.fromEntries(TABLE.flatMap((s) => (s.flag === undefined ? [] : [[s.flag, { type: s.kind.arg === undefined ? 'boolean' : 'string' }]]))),
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The flags the command's command line accepts, in table order. */
function flagsOf(command: CommandName): string[] {
  return [...new Set(TABLE.flatMap((s) => (s.flag !== undefined && s.commands.includes(command) ? [s.flag] : [])))];
}

/** The name an error message gives the setting: the variable, with the flag when it has one that takes a value. */
function nameOf(s: Setting): string {
  if (s.env === undefined) return `--${s.flag}`;
  return s.flag !== undefined && s.kind.arg !== undefined ? `${s.env} (--${s.flag})` : s.env;
}

/** The default as documentation states it ("eu", "30" for 30 minutes, "on"); undefined when there is nothing to say. */
export function shownDefault(s: Setting): string | undefined {
  if (s.defaultText !== undefined) return s.defaultText;
  const d = s.default;
  if (typeof d === 'number') return String(d / (s.kind.unit ?? 1));
  if (typeof d === 'string') return d;
  return d === true ? 'on' : undefined;
}

/** A switch sets the opposite of its default; --help shows it as the variable's value (CLUVIO_VIEWS=false). */
const switchText = (s: Setting) => (s.kind === bool ? `=${!s.default}` : '');

function helpLines(section: Group): string {
  return TABLE.filter((s) => (s.section ?? s.group) === section)
    .map((s) => {
      const label = s.flag !== undefined ? `--${s.flag}${s.kind.arg === undefined ? '' : ` ${s.kind.arg}`}` : `${s.env}${switchText(s)}`;
      const facts = [shownDefault(s) === undefined ? '' : `default ${shownDefault(s)}`, s.kind.max === undefined ? '' : `${s.kind.min}-${s.kind.max}`].filter(Boolean);
      const what = `${s.help}${facts.length ? ` (${facts.join(', ')})` : ''}`;
      // A label too long for the column puts the text on the next line.
      return `  ${label.length > 26 ? `${label}\n${' '.repeat(29)}` : label.padEnd(27)}${s.flag !== undefined && s.env !== undefined ? `${s.env}${switchText(s)}, ${what}` : what}`;
    })
    .join('\n');
}

const CHECK_TAKES = TABLE.filter((s) => s.group === 'config' && s.field !== 'sandbox' && s.commands.includes('check')).map((s) => (s.flag === undefined ? s.env : `--${s.flag}`));

export const HELP = `cluvio-mcp — MCP server for the Cluvio BI platform

Usage:
  cluvio-mcp [options]              serve MCP over stdio
  cluvio-mcp --sandbox              serve MCP on the built-in sandbox (no Cluvio account needed)
  cluvio-mcp sandbox [--port N]     run only the sandbox; prints {"api_url","data_url","api_key"}
  cluvio-mcp check [options]        check the key, region and routes against the account: calls every read
                                    operation and compares each answer with the reference; changes nothing

Options (flags win over environment variables):
${helpLines('config')}
  -h, --help                 show this help
  -v, --version              print the version

Streamable HTTP (endpoint /mcp, plus /healthz, /readyz and, with metrics on, /metrics):
${helpLines('http')}

Check (with ${CHECK_TAKES.join(', ')} from above; --sandbox checks the built-in sandbox):
${helpLines('check')}

Sandbox (cluvio-mcp sandbox):
${helpLines('sandbox')}
`;

// ---------------------------------------------------------------------------------------------------------------
// Parsing.

type Env = Record<string, string | undefined>;
type FlagValues = Record<string, string | true | undefined>;

export function parseCommand(argv: string[], env: Env = process.env): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    const accepted = Object.keys(FLAGS)
      .map((f) => `--${f}`)
      .join(', ');
    // parseArgs adds advice about '--' positionals to an unknown option, which this CLI has no use for.
    const message = (err as Error).message.replace(/\. To specify a positional argument.*/s, '').replace(/\.$/, '');
    throw new ConfigError(`${message}. Accepted options: ${accepted} (see --help).`);
  }
  const values = parsed.values as FlagValues;
  const { positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  if (positionals[0] === 'sandbox') {
    if (positionals.length > 1) throw new ConfigError(`Unexpected argument "${positionals[1]}" after "sandbox".`);
    return { kind: 'sandbox', ...(group('sandbox', values, env) as Fields<'sandbox'>) };
  }
  if (positionals[0] === 'check') {
    if (positionals.length > 1) throw new ConfigError(`Unexpected argument "${positionals[1]}" after "check".`);
    const accepted = flagsOf('check');
    const other = Object.keys(values).find((flag) => !accepted.includes(flag));
    if (other) throw new ConfigError(`--${other} does not apply to "check". Accepted with check: ${accepted.map((f) => `--${f}`).join(', ')}.`);
    return { kind: 'check', config: configFrom(values, env, 'check'), check: group('check', values, env) as CheckOptions };
  }
  if (positionals.length > 0) {
    throw new ConfigError(`Unknown command "${positionals[0]}". Accepted: "sandbox", "check", or no command to serve MCP.`);
  }
  const serving = flagsOf('serve');
  const elsewhere = TABLE.find((s) => s.flag !== undefined && values[s.flag] !== undefined && !serving.includes(s.flag));
  if (elsewhere) {
    const command = elsewhere.commands[0];
    throw new ConfigError(`--${elsewhere.flag} applies to the "${command}" command only: cluvio-mcp ${command} --${elsewhere.flag}.`);
  }
  return { kind: 'serve', config: configFrom(values, env, 'serve') };
}

/** The values of a group's settings, in table order: the flag, else the variable (trimmed, blank = unset), else the default. */
function group(name: Group, values: FlagValues, env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of TABLE) {
    if (s.group !== name) continue;
    const given = s.flag === undefined ? undefined : values[s.flag];
    const raw = given ?? (s.env === undefined ? undefined : nonEmpty(env[s.env]));
    if (raw === true) out[s.field] = !s.default;
    else if (raw !== undefined) out[s.field] = s.kind.parse(raw, nameOf(s));
    else if (typeof s.default === 'function') out[s.field] = (s.default as (earlier: Record<string, unknown>) => unknown)(out);
    // A copy: a list or object default is never shared between two configurations.
    else out[s.field] = structuredClone(s.default);
  }
  return out;
}

/** Flags and environment → the configuration, for serving MCP or for `check` (which serves nothing). */
function configFrom(values: FlagValues, env: Env, command: 'serve' | 'check'): Config {
  const config = { ...group('config', values, env), http: group('http', values, env) } as Config;
  const servingHttp = command === 'serve' && config.transport === 'http';
  if (servingHttp) checkOAuth(config.http);
  // Over HTTP with per-user keys or a keys file, every request may bring its own key instead.
  if (!config.apiKey && !config.sandbox && !(servingHttp && (config.http.perUserKeys || config.http.keysFile))) {
    throw new ConfigError(
      command === 'check'
        ? 'No Cluvio API key: set CLUVIO_API_KEY to the API key secret to check, or use --sandbox to check the built-in sandbox.'
        : 'No Cluvio API key: set CLUVIO_API_KEY to an API key secret, or start with --sandbox to use the built-in sandbox.',
    );
  }
  if (servingHttp && !isLoopback(config.http.host) && !config.http.authToken && !config.http.oauthIssuer) {
    throw new ConfigError(
      `Refusing to listen on ${config.http.host} without CLUVIO_MCP_AUTH_TOKEN or CLUVIO_MCP_OAUTH_ISSUER: anyone who can reach that address could use the Cluvio API key. Set one of them, or listen on 127.0.0.1.`,
    );
  }
  if (config.http.metricsPort !== undefined) config.http.metrics = true;
  if (command === 'serve' && config.http.metrics) checkMetrics(config);
  return config;
}

/** The OAuth settings go together: issuer with audience, and neither with the shared bearer token. */
function checkOAuth(http: HttpConfig): void {
  if (!http.oauthIssuer) {
    const needsIssuer = [http.oauthAudience && 'CLUVIO_MCP_OAUTH_AUDIENCE', http.oauthJwksUrl && 'CLUVIO_MCP_OAUTH_JWKS_URL', http.keysFile && 'CLUVIO_MCP_KEYS_FILE'].filter(Boolean);
    if (needsIssuer.length) throw new ConfigError(`${needsIssuer.join(' and ')} need${needsIssuer.length > 1 ? '' : 's'} CLUVIO_MCP_OAUTH_ISSUER: set the issuer of your identity provider, or unset ${needsIssuer.join(' and ')}.`);
    return;
  }
  if (!http.oauthAudience) {
    throw new ConfigError("CLUVIO_MCP_OAUTH_ISSUER needs CLUVIO_MCP_OAUTH_AUDIENCE: set it to this server's public URL (e.g. https://mcp.example.com/mcp), the audience your identity provider puts in tokens for it.");
  }
  if (http.authToken) {
    throw new ConfigError('CLUVIO_MCP_AUTH_TOKEN and CLUVIO_MCP_OAUTH_ISSUER exclude each other: with OAuth every client sends an access token from your identity provider. Unset CLUVIO_MCP_AUTH_TOKEN.');
  }
  if (http.keysFile && http.perUserKeys) {
    throw new ConfigError("CLUVIO_MCP_KEYS_FILE and CLUVIO_MCP_PER_USER_KEYS exclude each other: the keys file decides each person's Cluvio key. Unset one of them.");
  }
}

/** Metrics are scraped over HTTP: refused with stdio, and their own port must not be the MCP port. */
function checkMetrics(config: Config): void {
  const { port, metricsPort } = config.http;
  if (config.transport !== 'http') {
    throw new ConfigError(
      'CLUVIO_MCP_METRICS and CLUVIO_MCP_METRICS_PORT apply to --transport http only: a stdio server has no HTTP endpoint to scrape. Unset them, or serve with --transport http.',
    );
  }
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(`Invalid CLUVIO_MCP_METRICS_PORT (--metrics-port): ${metricsPort} is the MCP port (CLUVIO_MCP_PORT). Accepted: another port, or leave it unset to serve /metrics on the MCP port.`);
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
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

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, isLoopback, parseCommand, REGIONS, type Config } from '../src/config.js';

const KEY = { CLUVIO_API_KEY: 'secret-key' };

function serve(argv: string[], env: Record<string, string | undefined> = KEY): Config {
  const cmd = parseCommand(argv, env);
  if (cmd.kind !== 'serve') throw new Error(`expected serve, got ${cmd.kind}`);
  return cmd.config;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const dir = mkdtempSync(join(tmpdir(), 'cluvio-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('API key and sandbox', () => {
  test('no key and no --sandbox → ConfigError naming CLUVIO_API_KEY and --sandbox', () => {
    for (const env of [{}, { CLUVIO_API_KEY: '' }, { CLUVIO_API_KEY: '   ' }]) {
      const err = configError(() => parseCommand([], env));
      expect(err.message).toContain('CLUVIO_API_KEY');
      expect(err.message).toContain('--sandbox');
    }
  });

  test('--sandbox alone is enough', () => {
    const config = serve(['--sandbox'], {});
    expect(config.sandbox).toBe(true);
    expect(config.apiKey).toBeUndefined();
  });

  test('defaults with a key: every setting', () => {
    const config = serve([], { CLUVIO_API_KEY: '  secret-key  ' });
    expect(config).toStrictEqual({
      apiKey: 'secret-key',
      sandbox: false,
      region: 'eu',
      apiUrl: 'https://api.eu.cluvio.com',
      dataUrl: 'https://data.eu.cluvio.com',
      routeOverrides: {},
      logLevel: 'info',
      requestTimeoutMs: 30_000,
      maxConcurrency: 8,
      maxWaitSeconds: 50,
      maxImageKb: 24,
      revealSecrets: false,
      toolsets: [],
      tools: [],
      readOnly: false,
      discovery: false,
      views: true,
      confirm: 'destructive',
      confirmSecret: undefined,
      transport: 'stdio',
      http: {
        host: '127.0.0.1',
        port: 8765,
        stateless: false,
        authToken: undefined,
        allowedOrigins: [],
        allowedHosts: [],
        perUserKeys: false,
        maxBodyBytes: 1_048_576,
        sessionIdleMs: 30 * 60_000,
        shutdownGraceMs: 10_000,
        oauthIssuer: undefined,
        oauthAudience: undefined,
        oauthJwksUrl: undefined,
        keysFile: undefined,
        keysClaim: 'sub',
        metrics: false,
        metricsPort: undefined,
      },
    });
  });

  test('two configurations never share a list or object: changing one leaves the next as it was', () => {
    const first = serve([]);
    first.toolsets.push('datasources');
    first.tools.push('get_user');
    first.routeOverrides.listDatasources = 'GET /x';
    first.http.allowedOrigins.push('app.example.com');
    first.http.allowedHosts.push('mcp.example.com');
    const next = serve([]);
    expect([next.toolsets, next.tools, next.routeOverrides, next.http.allowedOrigins, next.http.allowedHosts]).toStrictEqual([[], [], {}, [], []]);
  });

  test('per-user keys replace the server key only over HTTP: over stdio a key is still required', () => {
    const err = configError(() => parseCommand([], { CLUVIO_MCP_PER_USER_KEYS: 'true' }));
    expect(err.message).toBe('No Cluvio API key: set CLUVIO_API_KEY to an API key secret, or start with --sandbox to use the built-in sandbox.');
    expect(configError(() => parseCommand(['--transport', 'http'], { CLUVIO_MCP_PER_USER_KEYS: 'false' })).message).toMatch(/^No Cluvio API key/);
  });

  test('a ConfigError says so by name', () => {
    expect(configError(() => parseCommand([], {})).name).toBe('ConfigError');
  });

  test('the env default is process.env when none is given', () => {
    const saved = process.env.CLUVIO_API_KEY;
    process.env.CLUVIO_API_KEY = 'from-process-env';
    try {
      const cmd = parseCommand([]);
      expect(cmd.kind === 'serve' && cmd.config.apiKey).toBe('from-process-env');
    } finally {
      if (saved === undefined) delete process.env.CLUVIO_API_KEY;
      else process.env.CLUVIO_API_KEY = saved;
    }
  });
});

describe('region and URLs', () => {
  test.each(['eu', 'us'] as const)('region %s → its API and data servers', (region) => {
    const config = serve([], { ...KEY, CLUVIO_REGION: region });
    expect(config.region).toBe(region);
    expect(config.apiUrl).toBe(`https://api.${region}.cluvio.com`);
    expect(config.dataUrl).toBe(`https://data.${region}.cluvio.com`);
    expect(REGIONS[region].apiUrl).toBe(config.apiUrl);
  });

  test('a bad region names CLUVIO_REGION and what is accepted', () => {
    for (const [argv, env] of [
      [[], { ...KEY, CLUVIO_REGION: 'asia' }],
      [['--region', 'EU'], KEY],
    ] as const) {
      const err = configError(() => parseCommand([...argv], env));
      expect(err.message).toContain('CLUVIO_REGION');
      expect(err.message).toContain('eu, us');
    }
  });

  test('CLUVIO_API_URL / CLUVIO_DATA_URL override the region; trailing slashes are removed', () => {
    const config = serve([], { ...KEY, CLUVIO_REGION: 'us', CLUVIO_API_URL: 'http://127.0.0.1:8080/', CLUVIO_DATA_URL: 'https://data.example.com/base//' });
    expect(config.apiUrl).toBe('http://127.0.0.1:8080');
    expect(config.dataUrl).toBe('https://data.example.com/base');
    expect(config.region).toBe('us');
  });

  test.each([
    ['not a url', 'CLUVIO_API_URL'],
    ['ftp://files.example.com', 'CLUVIO_API_URL'],
    ['https://user:pw@api.example.com', 'CLUVIO_API_URL'],
    ['https://api.example.com/?x=1', 'CLUVIO_API_URL'],
  ])('a bad API URL %j is refused with a message naming the setting', (url, name) => {
    const err = configError(() => parseCommand([], { ...KEY, CLUVIO_API_URL: url }));
    expect(err.message).toContain(name);
    expect(err.message).toContain(url);
  });

  test('a bad --data-url names CLUVIO_DATA_URL', () => {
    expect(configError(() => parseCommand(['--data-url', 'nope'], KEY)).message).toContain('CLUVIO_DATA_URL');
  });
});

describe('flags win over the environment', () => {
  test('region, URLs, log level, timeout, reveal-secrets', () => {
    const env = {
      ...KEY,
      CLUVIO_REGION: 'eu',
      CLUVIO_API_URL: 'https://env-api.example.com',
      CLUVIO_LOG_LEVEL: 'error',
      CLUVIO_TIMEOUT_MS: '1000',
      CLUVIO_REVEAL_SECRETS: 'false',
    };
    const config = serve(
      ['--region', 'us', '--api-url', 'https://flag-api.example.com/', '--log-level', 'debug', '--timeout-ms', '2500', '--reveal-secrets'],
      env,
    );
    expect(config.region).toBe('us');
    expect(config.apiUrl).toBe('https://flag-api.example.com');
    expect(config.dataUrl).toBe('https://data.us.cluvio.com');
    expect(config.logLevel).toBe('debug');
    expect(config.requestTimeoutMs).toBe(2500);
    expect(config.revealSecrets).toBe(true);
  });

  test('the environment is used when no flag is given', () => {
    const config = serve([], { ...KEY, CLUVIO_REGION: 'us', CLUVIO_LOG_LEVEL: 'warn', CLUVIO_TIMEOUT_MS: '1000', CLUVIO_REVEAL_SECRETS: 'yes' });
    expect(config).toMatchObject({ region: 'us', logLevel: 'warn', requestTimeoutMs: 1000, revealSecrets: true });
  });
});

describe('other settings', () => {
  test('--log-level accepts pino levels and refuses others, naming CLUVIO_LOG_LEVEL and the accepted ones', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(serve(['--log-level', level]).logLevel).toBe(level);
    const err = configError(() => parseCommand(['--log-level', 'verbose'], KEY));
    expect(err.message).toContain('CLUVIO_LOG_LEVEL');
    expect(err.message).toContain('verbose');
    expect(err.message).toContain('debug');
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_LOG_LEVEL: 'loud' })).message).toContain('CLUVIO_LOG_LEVEL');
  });

  test.each(['abc', '99', '600001', '1.5', '-1'])('CLUVIO_TIMEOUT_MS %j is refused', (value) => {
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_TIMEOUT_MS: value })).message).toContain('CLUVIO_TIMEOUT_MS');
  });

  test('CLUVIO_MAX_WAIT_SECONDS / --max-wait-seconds: 1 to 600, the flag wins', () => {
    expect(serve([], { ...KEY, CLUVIO_MAX_WAIT_SECONDS: '120' }).maxWaitSeconds).toBe(120);
    expect(serve(['--max-wait-seconds', '600'], { ...KEY, CLUVIO_MAX_WAIT_SECONDS: '120' }).maxWaitSeconds).toBe(600);
    for (const value of ['0', '601', 'long']) {
      const err = configError(() => parseCommand([], { ...KEY, CLUVIO_MAX_WAIT_SECONDS: value }));
      expect(err.message).toContain('CLUVIO_MAX_WAIT_SECONDS');
      expect(err.message).toContain('600');
    }
  });

  test('CLUVIO_MAX_IMAGE_KB / --max-image-kb: 0 (never) to 1024, the flag wins', () => {
    expect(serve([], { ...KEY, CLUVIO_MAX_IMAGE_KB: '0' }).maxImageKb).toBe(0);
    expect(serve(['--max-image-kb', '1024'], { ...KEY, CLUVIO_MAX_IMAGE_KB: '0' }).maxImageKb).toBe(1024);
    for (const value of ['-1', '1025', 'big']) expect(configError(() => parseCommand([], { ...KEY, CLUVIO_MAX_IMAGE_KB: value })).message).toContain('CLUVIO_MAX_IMAGE_KB');
  });

  test('CLUVIO_REVEAL_SECRETS must be a boolean', () => {
    expect(serve([], { ...KEY, CLUVIO_REVEAL_SECRETS: 'TRUE' }).revealSecrets).toBe(true);
    expect(serve([], { ...KEY, CLUVIO_REVEAL_SECRETS: '0' }).revealSecrets).toBe(false);
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_REVEAL_SECRETS: 'maybe' })).message).toContain('CLUVIO_REVEAL_SECRETS');
  });

  test.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    [' Yes ', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('a boolean setting reads %j as %s', (value, expected) => {
    expect(serve([], { ...KEY, CLUVIO_READ_ONLY: value }).readOnly).toBe(expected);
  });

  test('an invalid boolean names the setting and what is accepted', () => {
    for (const name of ['CLUVIO_READ_ONLY', 'CLUVIO_DISCOVERY', 'CLUVIO_VIEWS', 'CLUVIO_MCP_STATELESS', 'CLUVIO_MCP_PER_USER_KEYS']) {
      expect(configError(() => parseCommand([], { ...KEY, [name]: 'on' })).message).toBe(`Invalid ${name}: "on". Accepted: true or false.`);
    }
  });

  test('views: on by default, off with CLUVIO_VIEWS=false or --no-views (which wins)', () => {
    expect(serve([], { ...KEY, CLUVIO_VIEWS: 'false' }).views).toBe(false);
    expect(serve(['--no-views'], KEY).views).toBe(false);
    expect(serve(['--no-views'], { ...KEY, CLUVIO_VIEWS: 'true' }).views).toBe(false);
    expect(serve([], { ...KEY, CLUVIO_VIEWS: 'true' }).views).toBe(true);
  });

  test('confirm: destructive by default, writes or off by CLUVIO_CONFIRM or --confirm (which wins); anything else is refused', () => {
    expect(serve([], KEY).confirm).toBe('destructive');
    expect(serve([], { ...KEY, CLUVIO_CONFIRM: 'writes' }).confirm).toBe('writes');
    expect(serve(['--confirm', 'off'], { ...KEY, CLUVIO_CONFIRM: 'writes' }).confirm).toBe('off');
    expect(configError(() => parseCommand(['--confirm', 'all'], KEY)).message).toBe('Invalid CLUVIO_CONFIRM (--confirm): "all". Accepted: destructive, writes, off.');
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_CONFIRM: 'yes' })).message).toBe('Invalid CLUVIO_CONFIRM (--confirm): "yes". Accepted: destructive, writes, off.');
  });

  test('CLUVIO_CONFIRM_SECRET: 32 characters or more, never echoed', () => {
    expect(serve([], { ...KEY, CLUVIO_CONFIRM_SECRET: 'x'.repeat(32) }).confirmSecret).toBe('x'.repeat(32));
    const short = configError(() => parseCommand([], { ...KEY, CLUVIO_CONFIRM_SECRET: 'short-secret-value' }));
    expect(short.message).toBe('Invalid CLUVIO_CONFIRM_SECRET: use at least 32 characters.');
  });
});

describe('tool selection settings', () => {
  test('toolsets and tools are comma lists; read-only and discovery are booleans; flags win', () => {
    const fromEnv = serve([], { ...KEY, CLUVIO_TOOLSETS: ' datasources, executions ,,', CLUVIO_TOOLS: 'get_user', CLUVIO_READ_ONLY: 'true', CLUVIO_DISCOVERY: 'no' });
    expect(fromEnv).toMatchObject({ toolsets: ['datasources', 'executions'], tools: ['get_user'], readOnly: true, discovery: false });
    const fromFlags = serve(['--toolsets', 'reports', '--discovery'], { ...KEY, CLUVIO_TOOLSETS: 'datasources' });
    expect(fromFlags).toMatchObject({ toolsets: ['reports'], tools: [], readOnly: false, discovery: true });
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_READ_ONLY: 'sure' })).message).toContain('CLUVIO_READ_ONLY');
  });
});

describe('CLUVIO_ROUTES_FILE', () => {
  test('a valid file becomes routeOverrides', () => {
    const routes = { getDatasource: 'GET /v2/datasources/{id}', runExecution: 'POST /datasources/{datasource_id}/run' };
    const path = file('routes.json', JSON.stringify(routes));
    expect(serve([], { ...KEY, CLUVIO_ROUTES_FILE: path }).routeOverrides).toEqual(routes);
    expect(serve(['--routes-file', path]).routeOverrides).toEqual(routes);
  });

  test('invalid JSON → ConfigError naming the setting and the file', () => {
    const path = file('broken.json', '{"getDatasource": "GET /x",');
    const err = configError(() => parseCommand([], { ...KEY, CLUVIO_ROUTES_FILE: path }));
    expect(err.message).toContain('CLUVIO_ROUTES_FILE');
    expect(err.message).toContain(path);
  });

  test('a missing file → ConfigError', () => {
    expect(configError(() => parseCommand(['--routes-file', join(dir, 'absent.json')], KEY)).message).toContain('CLUVIO_ROUTES_FILE');
  });

  test('not an object → ConfigError', () => {
    const path = file('array.json', '["GET /x"]');
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_ROUTES_FILE: path })).message).toContain('CLUVIO_ROUTES_FILE');
  });

  test.each(['FETCH /datasources', 'GET datasources', 'get /datasources', 'GET /datasources?x=1', 'GET https://evil.example.com/x', 'GET /a b'])(
    'a bad route %j → ConfigError naming the operation',
    (route) => {
      const path = file('bad-route.json', JSON.stringify({ listDatasources: route }));
      const err = configError(() => parseCommand([], { ...KEY, CLUVIO_ROUTES_FILE: path }));
      expect(err.message).toContain('listDatasources');
      expect(err.message).toContain('METHOD /path');
    },
  );

  test('a route that is not a string → ConfigError, even one that reads as a route once turned into text', () => {
    const path = file('number-route.json', JSON.stringify({ listDatasources: 5 }));
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_ROUTES_FILE: path })).message).toContain('listDatasources');
    const arrayPath = file('array-route.json', JSON.stringify({ listDatasources: ['GET /datasources'] }));
    expect(configError(() => parseCommand([], { ...KEY, CLUVIO_ROUTES_FILE: arrayPath })).message).toMatch(/^Invalid route for "listDatasources" in CLUVIO_ROUTES_FILE: \["GET \/datasources"\]\./);
  });

  test('an unreadable file: the message says it cannot be read, with the reason', () => {
    const absent = join(dir, 'absent.json');
    const message = configError(() => parseCommand(['--routes-file', absent], KEY)).message;
    const opening = `Cannot read CLUVIO_ROUTES_FILE "${absent}": ENOENT`;
    const closing = 'Accepted: a JSON object {"operationId": "METHOD /path"}.';
    expect(message.slice(0, opening.length)).toBe(opening);
    expect(message.slice(-closing.length)).toBe(closing);
  });
});

describe('command line', () => {
  test('an unknown flag → ConfigError listing the accepted options', () => {
    const err = configError(() => parseCommand(['--regoin', 'us'], KEY));
    expect(err.message).toBe(
      "Unknown option '--regoin'. Accepted options: --sandbox, --region, --api-url, --data-url, --routes-file, --log-level, --timeout-ms, --max-concurrency, --max-wait-seconds, --max-image-kb, --reveal-secrets, --toolsets, --tools, --read-only, --discovery, --no-views, --confirm, --transport, --host, --stateless, --port, --metrics, --metrics-port, --run-query, --json, --write-routes, --record, --help, --version (see --help).",
    );
  });

  test('a flag left without its value: parseArgs says so, then the accepted options follow after one full stop', () => {
    const message = configError(() => parseCommand(['--region', '--sandbox'], KEY)).message;
    expect(message).toMatch(/^Option '--region' argument is ambiguous\./);
    expect(message).toMatch(/'\. Accepted options: --sandbox, --region, .*, --version \(see --help\)\.$/);
    expect(message).not.toContain('..');
  });

  test('an unknown command → ConfigError', () => {
    expect(configError(() => parseCommand(['serve'], KEY)).message).toContain('serve');
  });

  test('sandbox --port 9000', () => {
    expect(parseCommand(['sandbox', '--port', '9000'], {})).toEqual({ kind: 'sandbox', port: 9000 });
    expect(parseCommand(['sandbox'], {})).toEqual({ kind: 'sandbox', port: undefined });
    expect(parseCommand(['--port', '0', 'sandbox'], {})).toEqual({ kind: 'sandbox', port: 0 });
  });

  test('--port leaves room for the data server on N+1: up to 65534', () => {
    expect(parseCommand(['sandbox', '--port', '65534'], {})).toEqual({ kind: 'sandbox', port: 65534 });
    for (const bad of ['65535', '65536', '-1', 'http', '80.5']) expect(configError(() => parseCommand(['sandbox', '--port', bad], {})).message).toContain('--port');
  });

  test('sandbox takes no further argument; --port also sets the HTTP port', () => {
    expect(configError(() => parseCommand(['sandbox', 'extra'], {})).message).toBe('Unexpected argument "extra" after "sandbox".');
    const served = parseCommand(['--transport', 'http', '--port', '9000'], KEY);
    expect(served.kind === 'serve' && served.config.http.port).toBe(9000);
  });

  test('HTTP settings: loopback by default, a token required elsewhere, per-user keys without a server key', () => {
    const local = parseCommand(['--transport', 'http'], KEY);
    expect(local.kind === 'serve' && local.config.http).toMatchObject({ host: '127.0.0.1', port: 8765, stateless: false, authToken: undefined });
    expect(configError(() => parseCommand(['--transport', 'http', '--host', '0.0.0.0'], KEY)).message).toMatch(/CLUVIO_MCP_AUTH_TOKEN/);
    const remote = parseCommand(['--transport', 'http', '--host', '0.0.0.0'], { ...KEY, CLUVIO_MCP_AUTH_TOKEN: 'a-long-enough-token-123' });
    expect(remote.kind === 'serve' && remote.config.http.host).toBe('0.0.0.0');
    expect(configError(() => parseCommand(['--transport', 'http'], { ...KEY, CLUVIO_MCP_AUTH_TOKEN: 'short' })).message).toMatch(/at least 16/);
    expect(parseCommand(['--transport', 'http'], { CLUVIO_MCP_PER_USER_KEYS: 'true' }).kind).toBe('serve');
    expect(configError(() => parseCommand(['--transport', 'grpc'], KEY)).message).toMatch(/CLUVIO_MCP_TRANSPORT.*stdio, http/);
    // The host only matters when serving HTTP.
    expect(parseCommand([], { ...KEY, CLUVIO_MCP_HOST: '0.0.0.0' }).kind).toBe('serve');
  });

  test('check: the same key, region, URLs and routes file as the server, plus its own flags', () => {
    const routes = file('check-routes.json', '{"getDatasourceSchema": "GET /datasources/{id}/schemas"}');
    const cmd = parseCommand(['check', '--region', 'us', '--routes-file', routes, '--run-query', '--json', '--write-routes', 'out.json', '--record', 'rec.json'], KEY);
    expect(cmd.kind).toBe('check');
    if (cmd.kind !== 'check') return;
    expect(cmd.config).toMatchObject({ apiKey: 'secret-key', region: 'us', apiUrl: REGIONS.us.apiUrl, dataUrl: REGIONS.us.dataUrl });
    expect(cmd.config.routeOverrides).toEqual({ getDatasourceSchema: 'GET /datasources/{id}/schemas' });
    expect(cmd.check).toEqual({ runQuery: true, json: true, writeRoutes: 'out.json', record: 'rec.json' });
    const plain = parseCommand(['check'], { ...KEY, CLUVIO_API_URL: 'http://127.0.0.1:9/' });
    expect(plain.kind === 'check' && plain.check).toEqual({ runQuery: false, json: false, writeRoutes: undefined, record: undefined });
    expect(plain.kind === 'check' && plain.config.apiUrl).toBe('http://127.0.0.1:9');
    expect(parseCommand(['check', '--sandbox'], {}).kind).toBe('check');
    // Serving settings do not stop a check: it serves nothing.
    expect(parseCommand(['check'], { ...KEY, CLUVIO_MCP_TRANSPORT: 'http', CLUVIO_MCP_HOST: '0.0.0.0' }).kind).toBe('check');
  });

  test('check refuses a serving flag, listing exactly the flags check takes', () => {
    expect(configError(() => parseCommand(['check', '--json', '--max-concurrency', '4'], KEY)).message).toBe(
      '--max-concurrency does not apply to "check". Accepted with check: --sandbox, --region, --api-url, --data-url, --routes-file, --log-level, --timeout-ms, --run-query, --json, --write-routes, --record.',
    );
  });

  test('check: no key names what to set; flags of the other command are refused, naming it', () => {
    const missing = configError(() => parseCommand(['check'], {}));
    expect(missing.message).toMatch(/CLUVIO_API_KEY.*--sandbox to check the built-in sandbox/);
    expect(configError(() => parseCommand(['check', '--read-only'], KEY)).message).toMatch(/^--read-only does not apply to "check"\. Accepted with check: .*--run-query/);
    expect(configError(() => parseCommand(['check', 'now'], KEY)).message).toContain('"now"');
    for (const flag of ['--run-query', '--json']) expect(configError(() => parseCommand([flag], KEY)).message).toContain(`${flag} applies to the "check" command only`);
    expect(configError(() => parseCommand(['--record', 'x.json'], KEY)).message).toContain('--record applies to the "check" command only');
  });

  test('an auth token needs at least 16 characters', () => {
    const http = (token: string) => parseCommand(['--transport', 'http', '--host', '0.0.0.0'], { ...KEY, CLUVIO_MCP_AUTH_TOKEN: token });
    const ok = http('a'.repeat(16));
    expect(ok.kind === 'serve' && ok.config.http.authToken).toBe('a'.repeat(16));
    expect(configError(() => http('a'.repeat(15))).message).toBe('Invalid CLUVIO_MCP_AUTH_TOKEN: use at least 16 characters.');
  });

  test('HTTP settings from the environment, minutes and seconds converted to milliseconds', () => {
    const cmd = parseCommand([], {
      ...KEY,
      CLUVIO_MCP_TRANSPORT: 'http',
      CLUVIO_MCP_HOST: 'localhost',
      CLUVIO_MCP_PORT: '9001',
      CLUVIO_MCP_STATELESS: 'true',
      CLUVIO_MCP_ALLOWED_ORIGINS: 'app.example.com, tools.example.com',
      CLUVIO_MCP_ALLOWED_HOSTS: 'mcp.example.com',
      CLUVIO_MCP_PER_USER_KEYS: 'yes',
      CLUVIO_MCP_MAX_BODY_BYTES: String(64 * 1_048_576),
      CLUVIO_MCP_SESSION_IDLE_MINUTES: '5',
      CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS: '3',
      CLUVIO_MCP_METRICS_PORT: '9464',
    });
    expect(cmd.kind === 'serve' && cmd.config.http).toStrictEqual({
      host: 'localhost',
      port: 9001,
      stateless: true,
      authToken: undefined,
      allowedOrigins: ['app.example.com', 'tools.example.com'],
      allowedHosts: ['mcp.example.com'],
      perUserKeys: true,
      maxBodyBytes: 64 * 1_048_576,
      sessionIdleMs: 5 * 60_000,
      shutdownGraceMs: 3000,
      oauthIssuer: undefined,
      oauthAudience: undefined,
      oauthJwksUrl: undefined,
      keysFile: undefined,
      keysClaim: 'sub',
      metrics: true,
      metricsPort: 9464,
    });
  });

  test.each([
    ['CLUVIO_MCP_PORT', '65536', 'CLUVIO_MCP_PORT (--port)', 0, 65_535],
    ['CLUVIO_MCP_MAX_BODY_BYTES', String(64 * 1_048_576 + 1), 'CLUVIO_MCP_MAX_BODY_BYTES', 1024, 64 * 1_048_576],
    ['CLUVIO_MCP_MAX_BODY_BYTES', '1023', 'CLUVIO_MCP_MAX_BODY_BYTES', 1024, 64 * 1_048_576],
    ['CLUVIO_MCP_SESSION_IDLE_MINUTES', '0', 'CLUVIO_MCP_SESSION_IDLE_MINUTES', 1, 1440],
    ['CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS', '601', 'CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS', 0, 600],
  ])('%s=%s is refused, naming the setting and its range', (variable, value, name, min, max) => {
    expect(configError(() => parseCommand([], { ...KEY, [variable]: value })).message).toBe(`Invalid ${name}: "${value}". Accepted: an integer from ${min} to ${max}.`);
  });

  test('--help and --version, even without a key', () => {
    expect(parseCommand(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseCommand(['--version'], {})).toEqual({ kind: 'version' });
    expect(parseCommand(['-v'], {})).toEqual({ kind: 'version' });
  });
});

describe('isLoopback: which hosts may listen without an auth token', () => {
  test.each(['localhost', '::1', '[::1]', '127.0.0.1', '127.100.200.254'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  test.each(['0.0.0.0', '::', '10.0.0.1', '127.0.0.1.nip.io', 'x127.0.0.1', '127.0.0', 'localhost.example.com', ''])('%j is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });

  test('serving HTTP on a loopback name needs no token', () => {
    for (const host of ['localhost', '::1', '[::1]', '127.0.0.2']) {
      const cmd = parseCommand(['--transport', 'http', '--host', host], KEY);
      expect(cmd.kind === 'serve' && cmd.config.http.host).toBe(host);
    }
  });
});

describe('OAuth and the keys file (CLUVIO_MCP_OAUTH_*, CLUVIO_MCP_KEYS_*)', () => {
  const HTTP = ['--transport', 'http'];
  const ISSUER = 'https://login.example.com/realms/analytics';
  const AUDIENCE = 'https://mcp.example.com/mcp';
  const OAUTH = { ...KEY, CLUVIO_MCP_OAUTH_ISSUER: ISSUER, CLUVIO_MCP_OAUTH_AUDIENCE: AUDIENCE };

  test('issuer and audience are kept exactly as written (iss and aud are compared as strings)', () => {
    const http = serve(HTTP, { ...OAUTH, CLUVIO_MCP_OAUTH_ISSUER: 'https://tenant.auth0.com/' }).http;
    expect(http.oauthIssuer).toBe('https://tenant.auth0.com/');
    expect(http.oauthAudience).toBe(AUDIENCE);
    expect(http.oauthJwksUrl).toBeUndefined();
    expect(http.keysClaim).toBe('sub');
  });

  test('the issuer needs the audience, and the audience, JWKS URL and keys file need the issuer', () => {
    expect(configError(() => serve(HTTP, { ...KEY, CLUVIO_MCP_OAUTH_ISSUER: ISSUER })).message).toBe(
      "CLUVIO_MCP_OAUTH_ISSUER needs CLUVIO_MCP_OAUTH_AUDIENCE: set it to this server's public URL (e.g. https://mcp.example.com/mcp), the audience your identity provider puts in tokens for it.",
    );
    expect(configError(() => serve(HTTP, { ...KEY, CLUVIO_MCP_OAUTH_AUDIENCE: AUDIENCE })).message).toBe(
      'CLUVIO_MCP_OAUTH_AUDIENCE needs CLUVIO_MCP_OAUTH_ISSUER: set the issuer of your identity provider, or unset CLUVIO_MCP_OAUTH_AUDIENCE.',
    );
    expect(configError(() => serve(HTTP, { ...KEY, CLUVIO_MCP_KEYS_FILE: '/etc/keys.json', CLUVIO_MCP_OAUTH_JWKS_URL: 'https://x.example/jwks' })).message).toBe(
      'CLUVIO_MCP_OAUTH_JWKS_URL and CLUVIO_MCP_KEYS_FILE need CLUVIO_MCP_OAUTH_ISSUER: set the issuer of your identity provider, or unset CLUVIO_MCP_OAUTH_JWKS_URL and CLUVIO_MCP_KEYS_FILE.',
    );
  });

  test('OAuth and the shared bearer token exclude each other; so do the keys file and the per-user key header', () => {
    expect(configError(() => serve(HTTP, { ...OAUTH, CLUVIO_MCP_AUTH_TOKEN: 'a-long-enough-token-123' })).message).toMatch(
      /^CLUVIO_MCP_AUTH_TOKEN and CLUVIO_MCP_OAUTH_ISSUER exclude each other/,
    );
    expect(configError(() => serve(HTTP, { ...OAUTH, CLUVIO_MCP_KEYS_FILE: '/k.json', CLUVIO_MCP_PER_USER_KEYS: 'true' })).message).toMatch(
      /^CLUVIO_MCP_KEYS_FILE and CLUVIO_MCP_PER_USER_KEYS exclude each other/,
    );
  });

  test('OAuth allows a non-loopback address; with a keys file no shared Cluvio key is needed', () => {
    expect(serve([...HTTP, '--host', '0.0.0.0'], OAUTH).http.host).toBe('0.0.0.0');
    const { CLUVIO_API_KEY: _key, ...noKey } = OAUTH;
    expect(configError(() => serve(HTTP, noKey)).message).toMatch(/^No Cluvio API key/);
    expect(serve(HTTP, { ...noKey, CLUVIO_MCP_KEYS_FILE: '/k.json', CLUVIO_MCP_KEYS_CLAIM: 'email' }).http).toMatchObject({ keysFile: '/k.json', keysClaim: 'email' });
  });

  test('issuer, audience and JWKS URL must be https (http only on loopback), without fragment or credentials', () => {
    expect(serve(HTTP, { ...OAUTH, CLUVIO_MCP_OAUTH_ISSUER: 'http://127.0.0.1:9000' }).http.oauthIssuer).toBe('http://127.0.0.1:9000');
    expect(configError(() => serve(HTTP, { ...OAUTH, CLUVIO_MCP_OAUTH_ISSUER: 'http://login.example.com' })).message).toBe(
      'Invalid CLUVIO_MCP_OAUTH_ISSUER: "http://login.example.com". Accepted: an https URL (http only on localhost, for testing).',
    );
    expect(configError(() => serve(HTTP, { ...OAUTH, CLUVIO_MCP_OAUTH_AUDIENCE: 'cluvio-mcp' })).message).toMatch(/^Invalid CLUVIO_MCP_OAUTH_AUDIENCE: "cluvio-mcp". Accepted: an absolute https URL/);
    expect(configError(() => serve(HTTP, { ...OAUTH, CLUVIO_MCP_OAUTH_JWKS_URL: 'https://u:p@x.example/jwks' })).message).toBe(
      'Invalid CLUVIO_MCP_OAUTH_JWKS_URL: "https://u:p@x.example/jwks". Accepted: a URL without credentials or fragment.',
    );
  });

  test('stdio ignores the HTTP-only OAuth settings', () => {
    expect(serve([], { ...KEY, CLUVIO_MCP_OAUTH_ISSUER: ISSUER }).http.oauthIssuer).toBe(ISSUER);
  });
});

describe('metrics (CLUVIO_MCP_METRICS, CLUVIO_MCP_METRICS_PORT)', () => {
  const HTTP = ['--transport', 'http'];

  test('off by default; CLUVIO_MCP_METRICS=true or --metrics turns them on, on the MCP port', () => {
    expect(serve(HTTP).http).toMatchObject({ metrics: false, metricsPort: undefined });
    expect(serve(HTTP, { ...KEY, CLUVIO_MCP_METRICS: 'true' }).http).toMatchObject({ metrics: true, metricsPort: undefined });
    expect(serve([...HTTP, '--metrics']).http).toMatchObject({ metrics: true, metricsPort: undefined });
    expect(configError(() => serve(HTTP, { ...KEY, CLUVIO_MCP_METRICS: 'maybe' })).message).toBe('Invalid CLUVIO_MCP_METRICS: "maybe". Accepted: true or false.');
  });

  test('a metrics port turns metrics on; the flag wins over the variable', () => {
    expect(serve(HTTP, { ...KEY, CLUVIO_MCP_METRICS_PORT: '9464' }).http).toMatchObject({ metrics: true, metricsPort: 9464 });
    expect(serve([...HTTP, '--metrics-port', '9100'], { ...KEY, CLUVIO_MCP_METRICS_PORT: '9464' }).http).toMatchObject({ metrics: true, metricsPort: 9100 });
    expect(serve([...HTTP, '--metrics-port', '0']).http.metricsPort).toBe(0);
    expect(configError(() => serve(HTTP, { ...KEY, CLUVIO_MCP_METRICS_PORT: '65536' })).message).toBe(
      'Invalid CLUVIO_MCP_METRICS_PORT (--metrics-port): "65536". Accepted: an integer from 0 to 65535.',
    );
  });

  test('refused with stdio, which has no HTTP endpoint to scrape', () => {
    for (const [argv, env] of [
      [['--metrics'], KEY],
      [[], { ...KEY, CLUVIO_MCP_METRICS: 'true' }],
      [[], { ...KEY, CLUVIO_MCP_METRICS_PORT: '9464' }],
    ] as const) {
      expect(configError(() => serve([...argv], env)).message).toMatch(/^CLUVIO_MCP_METRICS and CLUVIO_MCP_METRICS_PORT apply to --transport http only/);
    }
    // check serves nothing: the variables are read and ignored.
    expect(parseCommand(['check'], { ...KEY, CLUVIO_MCP_METRICS: 'true' }).kind).toBe('check');
  });

  test('the metrics port cannot be the MCP port', () => {
    expect(configError(() => serve([...HTTP, '--port', '9000', '--metrics-port', '9000'])).message).toBe(
      'Invalid CLUVIO_MCP_METRICS_PORT (--metrics-port): 9000 is the MCP port (CLUVIO_MCP_PORT). Accepted: another port, or leave it unset to serve /metrics on the MCP port.',
    );
    expect(serve([...HTTP, '--port', '0', '--metrics-port', '0']).http).toMatchObject({ port: 0, metricsPort: 0 });
  });
});

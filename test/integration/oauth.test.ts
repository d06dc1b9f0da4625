// cluvio-mcp as an OAuth 2.1 resource server, against a real authorization server (oidc-provider, see
// oauth-provider.ts): discovery from the 401, tokens from client_credentials and authorization code + PKCE used by
// 2025-era and 2026-07-28 SDK clients, every kind of bad token refused, scopes hiding and refusing tools, and the
// keys file choosing each person's Cluvio key.
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeJwt, decodeProtectedHeader, SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, logLines, spawnHttpServer, textOf, waitUntil, warmUpSandbox, type RunningHttp } from './harness.js';
import { startIssuer, type TestIssuer } from './oauth-provider.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const FAKE_CLOCK = pathToFileURL(fileURLToPath(new URL('./fake-clock.mjs', import.meta.url))).href;

let sandbox: ChildProcess;
let sandboxEnv: Record<string, string>;

/** A port free now, for a server whose public URL (the token audience) must be known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function connect(url: string, token: string, modern = false): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** A raw tools/call outside any session: what the checks in front of the MCP handler answer. */
async function rawCall(url: string, token: string | undefined, name: string, args: Record<string, unknown> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
}

/** The parameters of a `WWW-Authenticate: Bearer k="v", …` header. */
function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  sandboxEnv = { CLUVIO_API_URL: info.api_url!, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: info.api_key!, CLUVIO_CONFIRM: 'off' };
  await warmUpSandbox(info.api_url!, info.api_key!);
});

afterAll(() => {
  sandbox?.kill('SIGTERM');
});

describe('OAuth 2.1 resource server', () => {
  let issuer: TestIssuer;
  let otherIssuer: TestIssuer;
  let server: RunningHttp;
  let audience: string;
  const OTHER_AUDIENCE = 'http://127.0.0.1:1/other-mcp';

  beforeAll(async () => {
    const port = await freePort();
    audience = `http://127.0.0.1:${port}/mcp`;
    issuer = await startIssuer([audience, OTHER_AUDIENCE]);
    // Same signing key, another issuer name: only the iss check can tell its tokens apart.
    otherIssuer = await startIssuer([audience], issuer.keys());
    // The fake clock (Date.now only) lets the key-rotation test move past the JWKS refetch cooldown.
    server = await spawnHttpServer(['--transport', 'http', '--port', String(port)], {
      ...sandboxEnv,
      CLUVIO_MCP_OAUTH_ISSUER: issuer.issuer,
      CLUVIO_MCP_OAUTH_AUDIENCE: audience,
      NODE_OPTIONS: `--import=${FAKE_CLOCK}`,
      FAKE_CLOCK_STEP_MS: '31000',
    });
    expect(server.url).toBe(audience);
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await issuer?.close();
    await otherIssuer?.close();
  });

  it('serves the Protected Resource Metadata (RFC 9728) at both well-known paths', async () => {
    const base = audience.replace(/\/mcp$/, '');
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({
        resource: audience,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['cluvio:read', 'cluvio:run', 'cluvio:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'cluvio-mcp',
      });
    }
  });

  it('answers a request without a token with 401 and where to start; a client discovers the issuer from it and gets in (client_credentials)', async () => {
    const res = await rawCall(audience, undefined, 'list_datasources');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${audience.replace(/\/mcp$/, '/.well-known/oauth-protected-resource/mcp')}"`);
    // The SDK client does the rest on its own: 401 → resource metadata → the issuer's metadata → token → retry.
    const client = new Client({ name: 'oauth-discovery', version: '0' });
    const authProvider = new ClientCredentialsProvider({ clientId: 'machine', clientSecret: 'machine-secret-0123456789', scope: 'cluvio:read cluvio:run cluvio:write', expectedIssuer: issuer.issuer });
    await client.connect(new StreamableHTTPClientTransport(new URL(audience), { authProvider }));
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(90);
    const listed = await client.callTool({ name: 'list_datasources', arguments: {} });
    expect(listed.isError, textOf(listed)).toBeFalsy();
    const token = authProvider.tokens()!.access_token;
    expect(decodeJwt(token)).toMatchObject({ iss: issuer.issuer, aud: audience, client_id: 'machine' });
    await client.close();
  });

  it('a token from authorization code + PKCE lists and calls tools, in a 2025-era session and as a 2026-07-28 client', async () => {
    const token = await issuer.userToken('alice', audience);
    expect(decodeJwt(token)).toMatchObject({ sub: 'alice', aud: audience, scope: 'cluvio:read cluvio:run cluvio:write' });
    for (const modern of [false, true]) {
      const client = await connect(audience, token, modern);
      expect((await client.listTools()).tools, `modern=${modern}`).toHaveLength(90);
      const res = await client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 6*7 AS answer' } });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect((res.structuredContent as { rows: unknown[][] }).rows).toEqual([[42]]);
      await client.close();
    }
    expect(server.stderr()).not.toContain(token);
  });

  it('keeps a 2025-era session to the identity that opened it', async () => {
    const alice = await connect(audience, await issuer.userToken('alice', audience));
    const sessionId = (alice as unknown as { transport: { sessionId: string } }).transport.sessionId;
    const bob = await issuer.userToken('bob', audience);
    const hijack = await fetch(audience, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18', authorization: `Bearer ${bob}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(403);
    expect(await hijack.text()).toMatch(/This session belongs to another identity/);
    expect((await alice.listTools()).tools).toHaveLength(90);
    await alice.close();
  });

  /** Whether a 2026-07-28 client with the token gets a tool list. */
  async function accepted(token: string): Promise<boolean> {
    const client = await connect(audience, token, true);
    try {
      return (await client.listTools()).tools.length === 90;
    } finally {
      await client.close();
    }
  }

  /** Asserts the 401 invalid_token challenge and its description. */
  async function refused(token: string, description: RegExp): Promise<void> {
    const res = await rawCall(audience, token, 'list_datasources');
    expect(res.status).toBe(401);
    const c = challenge(res);
    expect(c.error).toBe('invalid_token');
    expect(c.error_description).toMatch(description);
    expect(c.resource_metadata).toBe(audience.replace(/\/mcp$/, '/.well-known/oauth-protected-resource/mcp'));
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  }

  it('refuses a token for another audience, from another issuer, unsigned (alg none), tampered, or HS256-signed', async () => {
    await refused(await issuer.machineToken(OTHER_AUDIENCE), /for another resource: this server is http:\/\/127\.0\.0\.1:\d+\/mcp/);
    const foreign = await otherIssuer.machineToken(audience);
    expect(decodeProtectedHeader(foreign).kid).toBe(decodeProtectedHeader(await issuer.machineToken(audience)).kid);
    await refused(foreign, /from another issuer/);

    const good = await issuer.machineToken(audience, 'cluvio:read');
    const [header, payload, signature] = good.split('.');
    await refused(`${b64({ alg: 'none', typ: 'at+jwt' })}.${payload}.`, /not signed with an accepted algorithm/);
    // The same signature over a payload that grants itself write access.
    const widened = b64({ ...decodeJwt(good), scope: 'cluvio:read cluvio:write' });
    await refused(`${header}.${widened}.${signature}`, /signature does not verify/);
    const hs = await new SignJWT({ ...decodeJwt(good) }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    await refused(hs, /not signed with an accepted algorithm/);
    await refused('not-a-jwt', /not a valid JWT/);
  });

  it("refuses an expired token, and accepts one expired within the 30 s clock skew (signed with the issuer's own key)", async () => {
    // oidc-provider does not issue tokens that are already expired: sign its claims with its key, as it would.
    const key = await importJWK(issuer.keys().keys[0]!, 'RS256');
    const kid = issuer.keys().keys[0]!.kid!;
    const claims = decodeJwt(await issuer.machineToken(audience));
    const now = Math.floor(Date.now() / 1000);
    const signed = (exp: number) => new SignJWT({ ...claims, iat: exp - 600, exp }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(key);
    await refused(await signed(now - 120), /expired/);
    expect(await accepted(await signed(now - 5))).toBe(true);
  });

  it('a read-only token lists only read tools; a call to a write or run tool gets 403 insufficient_scope naming the scope', async () => {
    const full = await connect(audience, await issuer.machineToken(audience));
    const all = (await full.listTools()).tools;
    await full.close();
    const readOnlyNames = all.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name);
    expect(readOnlyNames.length).toBeGreaterThan(10);
    expect(readOnlyNames.length).toBeLessThan(all.length);

    const readToken = await issuer.machineToken(audience, 'cluvio:read');
    for (const modern of [false, true]) {
      const reader = await connect(audience, readToken, modern);
      const names = (await reader.listTools()).tools.map((t) => t.name);
      expect(names.sort(), `modern=${modern}`).toEqual([...readOnlyNames].sort());
      expect(names).not.toContain('create_dashboard');
      expect(names).not.toContain('run_execution');
      await reader.close();
    }
    for (const [tool, scope] of [
      ['create_dashboard', 'cluvio:write'],
      ['run_execution', 'cluvio:run'],
    ] as const) {
      const res = await rawCall(audience, readToken, tool, {});
      expect(res.status, tool).toBe(403);
      const c = challenge(res);
      expect(c).toMatchObject({ error: 'insufficient_scope', scope });
      expect(c.error_description).toBe(`${tool} needs the scope ${scope}.`);
      expect(c.resource_metadata).toMatch(/\/\.well-known\/oauth-protected-resource\/mcp$/);
    }
    // Resources and prompts read the account too: a token without cluvio:read is asked for it.
    const runOnly = await issuer.machineToken(audience, 'cluvio:run');
    const resources = await fetch(audience, { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${runOnly}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'cluvio://datasources' } }) });
    expect(resources.status).toBe(403);
    expect(challenge(resources)).toMatchObject({ error: 'insufficient_scope', scope: 'cluvio:read', error_description: 'resources/read needs the scope cluvio:read.' });
    // A read tool goes through.
    const ok = await connect(audience, readToken, true);
    const res = await ok.callTool({ name: 'list_dashboards', arguments: {} });
    expect(res.isError, textOf(res)).toBeFalsy();
    await ok.close();
  });

  it('fetches the JWKS again for an unknown key id (rotation), and then refuses tokens signed by the rotated-out key', async () => {
    const before = await issuer.machineToken(audience);
    expect(await accepted(before)).toBe(true);
    await issuer.rotateKeys();
    const after = await issuer.machineToken(audience);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    // Past the 30 s cooldown between JWKS fetches (on the server's clock).
    const from = server.stderr().length;
    server.child.kill('SIGUSR2');
    await waitUntil('the clock moved', () => logLines(server.stderr(), from).some((l) => l.msg === 'fake clock advanced'));
    expect(await accepted(after)).toBe(true);
    await refused(before, /signed with a key the issuer does not publish/);
  });
});

describe('OAuth with discovery mode, stateless', () => {
  it('call_operation refuses an operation outside the token scopes with 403 insufficient_scope', async () => {
    const port = await freePort();
    const audience = `http://127.0.0.1:${port}/mcp`;
    const issuer = await startIssuer([audience]);
    const server = await spawnHttpServer(['--transport', 'http', '--port', String(port), '--discovery', '--stateless'], {
      ...sandboxEnv,
      CLUVIO_MCP_OAUTH_ISSUER: issuer.issuer,
      CLUVIO_MCP_OAUTH_AUDIENCE: audience,
    });
    try {
      const token = await issuer.machineToken(audience, 'cluvio:read');
      const res = await rawCall(audience, token, 'call_operation', { name: 'delete_dashboard', arguments: '{"id":"x"}' });
      expect(res.status).toBe(403);
      expect(challenge(res)).toMatchObject({ error: 'insufficient_scope', scope: 'cluvio:write' });
      // What the token covers runs; what it does not is not found either.
      const client = await connect(audience, token, true);
      const listed = await client.callTool({ name: 'call_operation', arguments: { name: 'list_dashboards', arguments: '{}' } });
      expect(listed.isError, textOf(listed)).toBeFalsy();
      const search = await client.callTool({ name: 'search_operations', arguments: { query: 'delete dashboard', limit: 50 } });
      expect(textOf(search)).not.toMatch(/delete_dashboard/);
      await client.close();
      // A 2025-era client, served per request (--stateless), gets the same scope-restricted server.
      const legacy = await connect(audience, token);
      expect((await legacy.listTools()).tools.map((t) => t.name).sort()).toEqual(['call_operation', 'describe_operation', 'search_operations']);
      const legacySearch = await legacy.callTool({ name: 'search_operations', arguments: { query: 'dashboard', limit: 50 } });
      expect(textOf(legacySearch)).toMatch(/^list_dashboards: /m);
      expect(textOf(legacySearch)).not.toMatch(/^(create|delete|update)_dashboard: /m);
      await legacy.close();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await issuer.close();
    }
  });
});

describe('keys file: each identity acts with its own Cluvio key', () => {
  let issuer: TestIssuer;
  let server: RunningHttp;
  let audience: string;
  let keysFile: string;

  const write = (entries: unknown) => writeFileSync(keysFile, JSON.stringify(entries, null, 2));

  beforeAll(async () => {
    const port = await freePort();
    audience = `http://127.0.0.1:${port}/mcp`;
    issuer = await startIssuer([audience]);
    keysFile = join(mkdtempSync(join(tmpdir(), 'cluvio-keys-')), 'keys.json');
    // bob is in interns and analysts: the first entry in file order (interns) wins. The interns' key is not the sandbox's.
    write([
      { value: 'interns', api_key: 'interns-key-unknown-to-cluvio' },
      { value: 'analysts', api_key: sandboxEnv.CLUVIO_API_KEY },
    ]);
    const { CLUVIO_API_KEY: _shared, ...noSharedKey } = sandboxEnv;
    server = await spawnHttpServer(['--transport', 'http', '--port', String(port)], {
      ...noSharedKey,
      CLUVIO_MCP_OAUTH_ISSUER: issuer.issuer,
      CLUVIO_MCP_OAUTH_AUDIENCE: audience,
      CLUVIO_MCP_KEYS_FILE: keysFile,
      CLUVIO_MCP_KEYS_CLAIM: 'groups',
      CLUVIO_MCP_METRICS: 'true',
    });
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await issuer?.close();
  });

  it("alice's group maps to a working key, bob's first group to one Cluvio refuses, carol's to none (403)", async () => {
    const alice = await connect(audience, await issuer.userToken('alice', audience), true);
    const ok = await alice.callTool({ name: 'list_datasources', arguments: {} });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    await alice.close();

    const bob = await connect(audience, await issuer.userToken('bob', audience), true);
    const refused = await bob.callTool({ name: 'list_datasources', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/HTTP 401/);
    await bob.close();

    const carol = await rawCall(audience, await issuer.userToken('carol', audience), 'list_datasources');
    expect(carol.status).toBe(403);
    const body = (await carol.json()) as { error: string; error_description: string };
    expect(body.error).toBe('no_cluvio_key');
    expect(body.error_description).toMatch(/groups claim of your access token matches no entry/);
    expect(server.stderr()).not.toContain(sandboxEnv.CLUVIO_API_KEY);
    expect(server.stderr()).not.toContain('interns-key-unknown-to-cluvio');
  });

  it('/metrics on the MCP port takes any valid token, without a Cluvio key or scopes; none gets the 401 challenge', async () => {
    const metrics = audience.replace(/\/mcp$/, '/metrics');
    const anonymous = await fetch(metrics);
    expect(anonymous.status).toBe(401);
    expect(challenge(anonymous)).toEqual({ resource_metadata: audience.replace(/\/mcp$/, '/.well-known/oauth-protected-resource/mcp') });
    const carol = await fetch(metrics, { headers: { authorization: `Bearer ${await issuer.userToken('carol', audience, 'cluvio:read')}` } });
    expect(carol.status).toBe(200);
    expect(await carol.text()).toMatch(/^# HELP /m);
  });

  it('reloads the file when it changes, and keeps the last good mapping when the new one is broken', async () => {
    const bobToken = await issuer.userToken('bob', audience);
    const reloaded = () => logLines(server.stderr()).filter((l) => l.msg === 'keys file reloaded').length;
    const before = reloaded();
    write([{ value: 'interns', api_key: sandboxEnv.CLUVIO_API_KEY }]);
    await waitUntil('the keys file reloaded', () => reloaded() > before, 10_000);
    const bob = await connect(audience, bobToken, true);
    const ok = await bob.callTool({ name: 'list_datasources', arguments: {} });
    expect(ok.isError, textOf(ok)).toBeFalsy();

    writeFileSync(keysFile, `[{"value": "interns", "api_key": "${'leaked-if-logged'}"`);
    await waitUntil('the broken file was noticed', () => logLines(server.stderr()).some((l) => l.msg === 'keys file broken: keeping the last good mapping'), 10_000);
    const still = await bob.callTool({ name: 'list_datasources', arguments: {} });
    expect(still.isError, textOf(still)).toBeFalsy();
    expect(server.stderr()).not.toContain('leaked-if-logged');
    await bob.close();
  });
});

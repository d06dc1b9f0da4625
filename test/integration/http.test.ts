import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, executionOf, logLines, objectOf, spawnHttpServer, textOf, waitUntil, type RunningHttp, warmUpSandbox } from './harness.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
/** The protocol era's version header for raw requests in a 2025 session. */
const SESSION_HEADERS = (sessionId: string) => ({ ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });

/** `cluvio-mcp --transport http` on a free port against the shared standalone sandbox. */
function startHttpServer(args: string[], env: Record<string, string>): Promise<RunningHttp> {
  return spawnHttpServer(['--transport', 'http', '--port', '0', ...args], { ...sandboxEnv, ...env });
}

async function connect(url: string, headers: Record<string, string> = {}, modern = false): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** A client's 2025 session id. */
function sessionIdOf(client: Client): string {
  const id = (client as unknown as { transport?: { sessionId?: string } }).transport?.sessionId;
  if (!id) throw new Error('no session id: not a 2025-era session');
  return id;
}

/**
 * A 2025-era session driven by hand, whose standalone GET stream (where notifications outside a request go) is
 * known to be open: the server keeps one such stream per session and refuses another at once with 409, so of two
 * GETs sent together, one answers 409 and the other is the open stream. (The server sends that stream's headers
 * only with its first event — a keep-alive after 15 s — so waiting for a 200 would take 15 s.)
 */
async function rawSession(
  url: string,
  extraHeaders: Record<string, string> = {},
): Promise<{ id: string; heard: Array<{ method?: string }>; call: (name: string, args: Record<string, unknown>) => Promise<{ isError?: boolean; content?: unknown }>; close: () => Promise<void> }> {
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...extraHeaders },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-2025', version: '0' } } }),
  });
  const id = init.headers.get('mcp-session-id');
  await init.text();
  if (!id) throw new Error(`no session: ${init.status}`);
  const headers = { ...SESSION_HEADERS(id), ...extraHeaders };
  expect((await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), headers)).status).toBe(202);
  const heard: Array<{ method?: string }> = [];
  const u = new URL(url);
  const gets = [0, 1].map(() => {
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18', ...extraHeaders } });
    req.on('error', () => undefined);
    const answered = new Promise<IncomingMessage>((resolve) => req.once('response', resolve));
    req.end();
    return { req, answered };
  });
  const first = await Promise.race(gets.map((g, i) => g.answered.then((res) => ({ i, res }))));
  expect(first.res.statusCode, 'the second GET of a session').toBe(409);
  first.res.resume();
  const live = gets[1 - first.i]!;
  void live.answered.then((res) => {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const events = buffer.split('\n\n');
      buffer = events.pop() ?? '';
      for (const event of events) for (const line of event.split('\n')) if (line.startsWith('data: ')) heard.push(JSON.parse(line.slice(6)) as { method?: string });
    });
  });
  let nextId = 10;
  const call = async (name: string, args: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }) });
    const text = await res.text();
    // The answer comes as JSON or as an SSE stream whose last data line is the response.
    const json = res.headers.get('content-type')?.startsWith('text/event-stream') ? text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)!.slice(6) : text;
    return (JSON.parse(json) as { result: { isError?: boolean; content?: unknown } }).result;
  };
  const close = async () => {
    live.req.destroy();
    await fetch(url, { method: 'DELETE', headers }).catch(() => undefined);
  };
  return { id, heard, call, close };
}

/** Status and body of a raw POST to the MCP endpoint. */
async function post(url: string, body: string, headers: Record<string, string> = JSON_HEADERS): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

/** Status of a POST sent with node:http, for what fetch cannot do (set Host, stream a body); `send` writes the body. */
function rawPost(url: string, headers: Record<string, string>, send: (req: ClientRequest) => void): Promise<number> {
  const u = new URL(url);
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    send(req);
  });
}

/** Status of a POST whose body is sent in chunks, with no Content-Length (the limit cannot be checked up front). */
function postChunked(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return rawPost(url, headers, (req) => {
    for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
    req.end();
  });
}

/** A tools/call body for run_execution whose SQL carries a string of `n` characters, and its size in bytes. */
function runWithPadding(n: number): { body: string; bytes: number } {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: `SELECT length('${'x'.repeat(n)}') AS n` } } });
  return { body, bytes: Buffer.byteLength(body) };
}

/** Status of a stateless JSON-RPC ping sent with the given Host header (fetch cannot set Host). */
function pingWithHost(url: string, hostHeader: string): Promise<number> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: hostHeader };
  return rawPost(url, headers, (req) => req.end(body));
}

let sandbox: ChildProcess;
let sandboxEnv: Record<string, string>;
let sandboxApi: string;

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  sandboxEnv = { CLUVIO_API_URL: info.api_url!, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: info.api_key! };
  sandboxApi = info.api_url!;
  await warmUpSandbox(info.api_url!, info.api_key!);
});

afterAll(() => {
  sandbox?.kill('SIGTERM');
});

describe('streamable HTTP', () => {
  let server: RunningHttp;
  beforeAll(async () => {
    server = await startHttpServer([], { CLUVIO_MCP_PER_USER_KEYS: 'true' });
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('serves a 2025-era session client the same tools as stdio, and runs a query', async () => {
    const client = await connect(server.url);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(90);
    const res = await client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 41+1 AS answer' } });
    const out = executionOf(res);
    expect(out.status).toBe('success');
    expect(out.columns.map((c) => c.name)).toEqual(['answer']);
    expect(out.rows).toEqual([[42]]);
    await client.close();
  });

  it('serves a 2026-07-28 client, request by request', async () => {
    const client = await connect(server.url, {}, true);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(90);
    const res = await client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 6*7 AS answer' } });
    const out = executionOf(res);
    expect(out.status).toBe('success');
    expect(out.columns.map((c) => c.name)).toEqual(['answer']);
    expect(out.rows).toEqual([[42]]);
    await client.close();
  });

  it('tells 2026-07-28 clients on their listen stream when a tool changes dashboards', async () => {
    const modern = await connect(server.url, {}, true);
    const heardModern: unknown[] = [];
    modern.setNotificationHandler('notifications/resources/list_changed', (n) => void heardModern.push(n));
    const sub = await modern.listen({ resourcesListChanged: true });
    const created = await modern.callTool({ name: 'create_dashboard', arguments: { name: 'HTTP era board' } });
    expect(created.isError, textOf(created)).toBeFalsy();
    for (let i = 0; i < 50 && heardModern.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(heardModern.length).toBeGreaterThan(0);
    await sub.close();
    await modern.close();
  });

  it('tells 2025-era sessions on their GET stream when a tool changes dashboards: the session that made the change and the others of its key', async () => {
    const maker = await rawSession(server.url);
    const other = await rawSession(server.url);
    try {
      const created = await maker.call('create_dashboard', { name: `HTTP 2025 board ${Date.now()}` });
      expect(created.isError, textOf(created)).toBeFalsy();
      const listChanged = (heard: Array<{ method?: string }>) => heard.filter((m) => m.method === 'notifications/resources/list_changed').length;
      await waitUntil('both sessions heard resources/list_changed', () => listChanged(maker.heard) > 0 && listChanged(other.heard) > 0, 10_000);
      expect(listChanged(maker.heard)).toBe(1);
      expect(listChanged(other.heard)).toBe(1);
    } finally {
      await maker.close();
      await other.close();
    }
  });

  it('tells the sessions of the same per-user key about a change, and no session of another key', async () => {
    const key = { 'x-cluvio-api-key': sandboxEnv.CLUVIO_API_KEY! };
    const maker = await rawSession(server.url, key);
    const same = await rawSession(server.url, key);
    const stranger = await rawSession(server.url, { 'x-cluvio-api-key': 'someone-elses-key' });
    try {
      const created = await maker.call('create_dashboard', { name: `Per-user key board ${Date.now()}` });
      expect(created.isError, textOf(created)).toBeFalsy();
      const listChanged = (heard: Array<{ method?: string }>) => heard.filter((m) => m.method === 'notifications/resources/list_changed').length;
      await waitUntil('both sessions of the key heard resources/list_changed', () => listChanged(maker.heard) > 0 && listChanged(same.heard) > 0, 10_000);
      expect(listChanged(same.heard)).toBe(1);
      // The other key's session was told nothing (it had as long as the others to hear it).
      expect(listChanged(stranger.heard)).toBe(0);
    } finally {
      await Promise.all([maker.close(), same.close(), stranger.close()]);
    }
  });

  it('answers /healthz and /readyz', async () => {
    const base = server.url.replace(/\/mcp$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('/readyz answers 503 when Cluvio refuses the configured key (and /healthz still 200)', async () => {
    const wrongKey = await startHttpServer([], { CLUVIO_API_KEY: 'not-the-sandbox-key' });
    try {
      const base = wrongKey.url.replace(/\/mcp$/, '');
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'cluvio unreachable or key refused' });
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      wrongKey.child.kill('SIGTERM');
      await wrongKey.exited;
    }
  });

  it('answers a request body over the default 1 MiB limit with 413, and serves one just under it', async () => {
    const client = await connect(server.url);
    try {
      // A call whose body is just under 1 MiB goes through and runs.
      const under = runWithPadding(1_048_576 - 200);
      expect(under.bytes).toBeLessThanOrEqual(1_048_576);
      const ok = await client.callTool({ name: 'run_execution', arguments: (JSON.parse(under.body) as { params: { arguments: Record<string, unknown> } }).params.arguments });
      expect(executionOf(ok).rows).toEqual([[1_048_576 - 200]]);
      const over = runWithPadding(1_048_576);
      expect(over.bytes).toBeGreaterThan(1_048_576);
      const refused = await post(server.url, over.body, SESSION_HEADERS(sessionIdOf(client)));
      expect(refused.status).toBe(413);
      expect(refused.text).toMatch(/must not exceed 1048576 bytes/);
    } finally {
      await client.close();
    }
  });

  it('rejects a foreign Origin (403) and a foreign Host (4xx)', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const origin = await fetch(server.url, { method: 'POST', body, headers: { ...headers, origin: 'http://evil.example' } });
    expect(origin.status).toBe(403);
    const host = await pingWithHost(server.url, 'evil.example');
    expect(host).toBeGreaterThanOrEqual(400);
    expect(host).toBeLessThan(500);
  });

  it('CLUVIO_MCP_ALLOWED_HOSTS adds hostnames to localhost, it does not replace it', async () => {
    const extra = await startHttpServer([], { CLUVIO_MCP_ALLOWED_HOSTS: 'mcp.example.test' });
    try {
      const port = new URL(extra.url).port;
      // Past the Host check a bare ping gets the protocol's own 400 (no session); a refused Host gets 403.
      expect(await pingWithHost(extra.url, `mcp.example.test:${port}`)).toBe(400);
      expect(await pingWithHost(extra.url, `localhost:${port}`)).toBe(400);
      expect(await pingWithHost(extra.url, `evil.example:${port}`)).toBe(403);
    } finally {
      extra.child.kill('SIGTERM');
      await extra.exited;
    }
  });

  it('keeps per-user keys to their own sessions', async () => {
    const good = await connect(server.url, { 'x-cluvio-api-key': sandboxEnv.CLUVIO_API_KEY! });
    const bad = await connect(server.url, { 'x-cluvio-api-key': 'someone-elses-key' });
    const refused = await bad.callTool({ name: 'list_datasources', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/HTTP 401/);
    const ok = await good.callTool({ name: 'list_datasources', arguments: {} });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    // A request carrying another key cannot ride on someone else's session.
    const sessionId = (good as unknown as { transport?: { sessionId?: string } }).transport?.sessionId;
    expect(sessionId).toBeTruthy();
    const hijack = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-06-18', 'x-cluvio-api-key': 'someone-elses-key' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_datasources', arguments: {} } }),
    });
    expect(hijack.status).toBe(403);
    expect(server.stderr()).not.toContain(sandboxEnv.CLUVIO_API_KEY);
    expect(server.stderr()).not.toContain('someone-elses-key');
    await good.close();
    await bad.close();
  });

  it('answers --stateless deployments without session state', async () => {
    const stateless = await startHttpServer(['--stateless'], {});
    try {
      const client = await connect(stateless.url);
      expect((await client.listTools()).tools).toHaveLength(90);
      const res = await client.callTool({ name: 'get_execution', arguments: { id: 'nope' } });
      expect(textOf(res)).toMatch(/404/);
      // No stream outside its requests: a 2025-era client is promised no list_changed it could never hear.
      const caps = client.getServerCapabilities()!;
      expect([caps.tools?.listChanged, caps.resources?.listChanged, caps.prompts?.listChanged]).toEqual([false, false, false]);
      await client.close();
      // 2026-07-28 clients hear them on subscriptions/listen, and a 2025 session on its stream.
      for (const [url, modern] of [[stateless.url, true], [server.url, false]] as const) {
        const other = await connect(url, {}, modern);
        await other.listTools();
        expect(other.getServerCapabilities()?.resources?.listChanged, `${url} modern=${modern}`).toBe(true);
        await other.close();
      }
    } finally {
      stateless.child.kill('SIGTERM');
    }
  });
});

describe('CLUVIO_MCP_MAX_BODY_BYTES', () => {
  const LIMIT = 4096;
  let server: RunningHttp;
  beforeAll(async () => {
    server = await startHttpServer([], { CLUVIO_MCP_MAX_BODY_BYTES: String(LIMIT) });
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('serves a body under the limit; refuses one over it with 413 in a session, without one and for 2026-07-28, sent whole or in chunks', async () => {
    const client = await connect(server.url);
    try {
      const under = runWithPadding(3000);
      expect(under.bytes).toBeLessThan(LIMIT);
      const ok = await client.callTool({ name: 'run_execution', arguments: (JSON.parse(under.body) as { params: { arguments: Record<string, unknown> } }).params.arguments });
      expect(executionOf(ok).rows).toEqual([[3000]]);

      const over = runWithPadding(LIMIT);
      expect(over.bytes).toBeGreaterThan(LIMIT);
      // Through the SDK client: the call fails with the server's 413.
      await expect(client.callTool({ name: 'run_execution', arguments: (JSON.parse(over.body) as { params: { arguments: Record<string, unknown> } }).params.arguments })).rejects.toThrow(
        new RegExp(`Payload Too Large: Request body must not exceed ${LIMIT} bytes`),
      );
      const sid = sessionIdOf(client);
      expect((await post(server.url, over.body, SESSION_HEADERS(sid))).status).toBe(413);
      expect((await post(server.url, over.body)).status).toBe(413);
      expect((await post(server.url, over.body, { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28' })).status).toBe(413);
      expect(await postChunked(server.url, over.body, SESSION_HEADERS(sid))).toBe(413);
      // Nothing of the refused calls ran, and the session still works.
      const again = await client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 1 AS n' } });
      expect(executionOf(again).rows).toEqual([[1]]);
    } finally {
      await client.close();
    }
  });
});

describe('request bodies, read once', () => {
  let server: RunningHttp;
  beforeAll(async () => {
    server = await startHttpServer([], {});
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('answers a body that is not JSON with a parse error in a session, without one and for 2026-07-28, and keeps serving', async () => {
    const client = await connect(server.url);
    const modern = await connect(server.url, {}, true);
    try {
      const sid = sessionIdOf(client);
      for (const headers of [SESSION_HEADERS(sid), JSON_HEADERS, { ...JSON_HEADERS, 'mcp-protocol-version': '2026-07-28' }]) {
        const res = await post(server.url, '{"jsonrpc":"2.0","id":1,"method":"tools/ca', headers);
        expect(res.status, JSON.stringify(headers)).toBe(400);
        expect((JSON.parse(res.text) as { error: { code: number } }).error.code).toBe(-32700);
      }
      for (const c of [client, modern]) {
        const ok = await c.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 2 AS n' } });
        expect(executionOf(ok).rows).toEqual([[2]]);
      }
    } finally {
      await Promise.all([client.close(), modern.close()]);
    }
  });

  it('answers 2026-07-28 calls, prompts and an unknown tool alike, though a tools/call gets a server with that tool only', async () => {
    const modern = await connect(server.url, {}, true);
    try {
      expect((await modern.listTools()).tools).toHaveLength(90);
      const ds = await modern.callTool({ name: 'get_datasource', arguments: { id: 'smpl-data-0001' } });
      expect(ds.isError).toBeFalsy();
      expect(objectOf(ds).name).toBe('Cluvio Sample Data');
      // Prompts and resources stay on the full per-request server.
      expect((await modern.listPrompts()).prompts).toHaveLength(4);
      const unknown = await modern.callTool({ name: 'no_such_tool', arguments: {} }).catch((err: Error) => ({ isError: true, content: [{ type: 'text', text: err.message }] }));
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown as never)).toMatch(/no_such_tool/);
    } finally {
      await modern.close();
    }
  });
});

describe('shutting down (SIGTERM)', () => {
  it('stops listening but answers a request on an open keep-alive connection with 503 and Connection: close, then exits', async () => {
    const server = await startHttpServer([], {});
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const u = new URL(server.url);
    /** A request on the agent's one kept-alive socket: its status and Connection header, or the socket error. */
    const send = (path: string, method: string, body?: string) =>
      new Promise<{ status?: number; connection?: string; error?: string }>((resolve) => {
        const req = httpRequest({ host: u.hostname, port: u.port, path, method, agent, headers: body ? JSON_HEADERS : {} }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, connection: String(res.headers.connection) }));
        });
        req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        req.end(body);
      });
    try {
      expect((await send('/healthz', 'GET')).status).toBe(200);
      server.child.kill('SIGTERM');
      await waitUntil('the server logs its shutdown', () => server.stderr().includes('shutting down'), 10_000, 20);
      // A new connection is refused: a balancer's health check fails and it takes the replica out.
      const fresh = await fetch(server.url.replace(/\/mcp$/, '/healthz')).then((r) => String(r.status), (err: Error) => (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.message);
      expect(fresh).toBe('ECONNREFUSED');
      // The open connection is not dropped under a request: it gets a 503 (a balancer retries it elsewhere) and is closed.
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
      expect(await send('/mcp', 'POST', ping)).toEqual({ status: 503, connection: 'close' });
      expect(await server.exited).toBe(0);
    } finally {
      agent.destroy();
      server.child.kill('SIGKILL');
    }
  });
});

describe('/readyz', () => {
  it('answers 200 while the sandbox runs and 503 once it has stopped', async () => {
    const own = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const ownExited = new Promise((resolve) => own.once('exit', resolve));
    const info = JSON.parse(await new Promise<string>((resolve) => own.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
    const server = await startHttpServer([], { CLUVIO_API_URL: info.api_url!, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: info.api_key! });
    try {
      const readyz = server.url.replace(/\/mcp$/, '/readyz');
      expect((await fetch(readyz)).status).toBe(200);
      own.kill('SIGTERM');
      await ownExited;
      const stopped = await fetch(readyz);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toEqual({ status: 'cluvio unreachable or key refused' });
    } finally {
      own.kill('SIGTERM');
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('session idle expiry', () => {
  // One minute is the shortest CLUVIO_MCP_SESSION_IDLE_MINUTES, and the server sweeps once a minute: the server
  // runs with a clock the test moves forward (fake-clock.mjs: each SIGUSR2 adds STEP_MS to Date.now(), the
  // one-minute sweep runs every 50 ms). Everything else — sessions, requests, the sweep's code — is the real thing.
  const FAKE_CLOCK = pathToFileURL(fileURLToPath(new URL('./fake-clock.mjs', import.meta.url))).href;
  const STEP_MS = 31_000;

  it('CLUVIO_MCP_SESSION_IDLE_MINUTES=1: a session idle for over a minute is closed (404 after), one active within it is kept', async () => {
    const server = await startHttpServer([], { CLUVIO_MCP_SESSION_IDLE_MINUTES: '1', NODE_OPTIONS: `--import=${FAKE_CLOCK}`, FAKE_CLOCK_STEP_MS: String(STEP_MS) });
    const idle = await connect(server.url);
    const active = await connect(server.url);
    const advance = async () => {
      const before = logLines(server.stderr()).filter((l) => l.msg === 'fake clock advanced').length;
      server.child.kill('SIGUSR2');
      await waitUntil('the clock moved', () => logLines(server.stderr()).filter((l) => l.msg === 'fake clock advanced').length > before);
    };
    const closed = () => logLines(server.stderr()).filter((l) => l.msg === 'closing idle session').map((l) => l.session);
    try {
      const idleId = sessionIdOf(idle);
      const activeId = sessionIdOf(active);
      await advance(); // both idle 31 s
      await active.ping(); // the active one is seen again
      await advance(); // idle: 62 s, active: 31 s
      await waitUntil('the idle session closed', () => closed().includes(idleId), 10_000);
      // The sweep that closed it looked at the other session at the same moment, 31 s idle: kept.
      expect(closed()).toEqual([idleId]);
      expect(closed()).not.toContain(activeId);
      await active.ping();
      const gone = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }), SESSION_HEADERS(idleId));
      expect(gone.status).toBe(404);
      expect(gone.text).toMatch(/Session not found/);
    } finally {
      await active.close().catch(() => undefined);
      await idle.close().catch(() => undefined);
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('bearer token', () => {
  const TOKEN = 'test-token-0123456789abcdef';
  let server: RunningHttp;
  beforeAll(async () => {
    server = await startHttpServer([], { CLUVIO_MCP_AUTH_TOKEN: TOKEN });
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('refuses a missing or wrong token with 401 and WWW-Authenticate, accepts the right one', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const missing = await fetch(server.url, { method: 'POST', body, headers });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(server.url, { method: 'POST', body, headers: { ...headers, authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const client = await connect(server.url, { authorization: `Bearer ${TOKEN}` });
    expect((await client.listTools()).tools.length).toBe(90);
    await client.close();
    expect(server.stderr()).not.toContain(TOKEN);
  });

  it('refuses to listen on 0.0.0.0 without a token', async () => {
    const child = spawn(process.execPath, [CLI, '--transport', 'http', '--host', '0.0.0.0'], { env: { PATH: process.env.PATH ?? '', CLUVIO_API_KEY: 'x' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toMatch(/CLUVIO_MCP_AUTH_TOKEN/);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM during a running query: exits cleanly within the grace period, and the query is cancelled upstream', async () => {
    const server = await startHttpServer([], { CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS: '1' });
    const client = await connect(server.url);
    const marker = `shutdown_marker_${Date.now()}`;
    const call = client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: `SELECT pg_sleep(6), '${marker}'` } }).catch((e: Error) => e);
    const listed = async () => ((await (await fetch(`${sandboxApi}/_sandbox/executions`)).json()) as Array<{ sql_query: string; status: string }>).find((e) => e.sql_query.includes(marker));
    while (!(await listed())) await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    let status = (await listed())!.status;
    for (let i = 0; i < 50 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await listed())!.status;
    }
    // A 6 s query against a 1 s grace period: cancelled, not left running.
    expect(status).toBe('cancelled');
    void call;
    await client.close().catch(() => undefined);
  });

  it('SIGTERM lets a call that ends within the grace period finish', async () => {
    const server = await startHttpServer([], { CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS: '10' });
    const client = await connect(server.url);
    const marker = `graceful_marker_${Date.now()}`;
    const call = client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: `SELECT pg_sleep(1.5), '${marker}' AS m` } });
    const listed = async () => ((await (await fetch(`${sandboxApi}/_sandbox/executions`)).json()) as Array<{ sql_query: string; status: string }>).find((e) => e.sql_query.includes(marker));
    while (!(await listed())) await new Promise((r) => setTimeout(r, 50));
    server.child.kill('SIGTERM');
    expect(textOf(await call)).toContain(marker);
    expect(await server.exited).toBe(0);
    expect((await listed())!.status).toBe('success');
  });
});

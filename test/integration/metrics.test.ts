// /metrics of the built server over real HTTP, after real MCP calls against the sandbox: the counters must show
// exactly those calls, and the Cluvio requests they made must match what the sandbox itself counted.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, seriesOf, valueOf, type Exposition } from '../metrics/exposition.js';
import { CLI, executionOf, logLines, spawnHttpServer, textOf, waitUntil, warmUpSandbox, type RunningHttp } from './harness.js';

const TOKEN = 'metrics-test-bearer-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let sandbox: ChildProcess;
let sandboxEnv: Record<string, string>;
let sandboxApi: string;

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  sandboxEnv = { CLUVIO_API_URL: info.api_url!, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: info.api_key! };
  sandboxApi = info.api_url!;
  await warmUpSandbox(info.api_url!, info.api_key!);
}, 90_000);

afterAll(() => {
  sandbox?.kill('SIGTERM');
});

function startServer(args: string[], env: Record<string, string> = {}): Promise<RunningHttp> {
  return spawnHttpServer(['--transport', 'http', '--port', '0', ...args], { ...sandboxEnv, ...env });
}

async function connect(url: string, modern = false): Promise<Client> {
  const client = new Client({ name: 'metrics-test', version: '0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: AUTH } }));
  return client;
}

/** Ends a 2025 session the way a client leaving does: DELETE with its session id. */
async function endSession(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport).terminateSession();
  await client.close();
}

async function scrape(url: string, headers: Record<string, string> = AUTH): Promise<Exposition> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(text);
}

/** Requests the sandbox saw since its counts were last reset, summed per server and method. */
async function sandboxRequests(): Promise<Record<string, number>> {
  const counts = (await (await fetch(`${sandboxApi}/_sandbox/requests`)).json()) as Record<'api' | 'data', Record<string, number>>;
  const out: Record<string, number> = {};
  for (const server of ['api', 'data'] as const) {
    for (const [route, n] of Object.entries(counts[server])) {
      const key = `${server} ${route.split(' ')[0]}`;
      out[key] = (out[key] ?? 0) + n;
    }
  }
  return out;
}

/** The upstream counter summed per server and method. */
function upstreamByMethod(e: Exposition): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of e.samples.filter((x) => x.name === 'cluvio_mcp_upstream_requests_total')) {
    const key = `${s.labels.server} ${s.labels.method}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

describe('/metrics on the MCP port (CLUVIO_MCP_METRICS=true), behind the bearer token', () => {
  let server: RunningHttp;
  let metricsUrl: string;
  beforeAll(async () => {
    server = await startServer([], { CLUVIO_MCP_METRICS: 'true', CLUVIO_MCP_AUTH_TOKEN: TOKEN });
    metricsUrl = server.url.replace(/\/mcp$/, '/metrics');
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('refuses a scrape without the token, or with another, as /mcp does', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token-at-all-0000' }] as Array<Record<string, string>>) {
      const res = await fetch(metricsUrl, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="cluvio-mcp"');
      expect(await res.text()).not.toContain('cluvio_mcp_');
    }
    expect((await fetch(metricsUrl, { headers: { ...AUTH, origin: 'https://evil.example.com' } })).status).toBe(403);
  });

  it('shows exactly the calls made: tools by outcome, their durations, the Cluvio requests by status, the queues and the session', async () => {
    await fetch(`${sandboxApi}/_sandbox/requests`, { method: 'DELETE' });
    const client = await connect(server.url);
    const ok = await client.callTool({ name: 'get_datasource', arguments: { id: 'smpl-data-0001' } });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    const missing = await client.callTool({ name: 'get_datasource', arguments: { id: 'no-such-datasource' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('HTTP 404');
    const invalid = await client.callTool({ name: 'get_datasource', arguments: {} });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toContain('Input validation error');
    const query = executionOf(await client.callTool({ name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: 'SELECT 41+1 AS answer' } }));
    expect(query.rows).toEqual([[42]]);

    let e = await scrape(metricsUrl);
    expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({
      'outcome=ok,tool=get_datasource': 1,
      'outcome=tool_error,tool=get_datasource': 1,
      'outcome=invalid_arguments,tool=get_datasource': 1,
      'outcome=ok,tool=run_execution': 1,
    });
    // Timed: the calls that ran (the refused one never did).
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_count', { tool: 'get_datasource' })).toBe(2);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_count', { tool: 'run_execution' })).toBe(1);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_bucket', { tool: 'run_execution', le: '+Inf' })).toBe(1);

    const upstream = seriesOf(e, 'cluvio_mcp_upstream_requests_total');
    expect(upstream['method=GET,operation=getDatasource,server=api,status=200']).toBe(1);
    expect(upstream['method=GET,operation=getDatasource,server=api,status=404']).toBe(1);
    expect(upstream['method=POST,operation=runExecution,server=api,status=200']).toBe(1);
    expect(upstream['method=GET,operation=getExecutionData,server=api,status=200']).toBe(1);
    expect(upstream['method=GET,operation=getResultData,server=data,status=200']).toBe(1);
    // Status polls (getExecution) vary in number: every request the server sent is one the sandbox received.
    expect(upstreamByMethod(e)).toEqual(await sandboxRequests());
    expect(Object.keys(upstream).filter((k) => !/status=(200|404)$/.test(k))).toEqual([]);
    expect(seriesOf(e, 'cluvio_mcp_upstream_retries_total')).toEqual({});

    // Each request sent waited for its slot once; the one query waited once for a query slot and has ended.
    const sent = Object.values(upstream).reduce((a, b) => a + b, 0);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_count', { queue: 'requests' })).toBe(sent);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_count', { queue: 'queries' })).toBe(1);
    expect(valueOf(e, 'cluvio_mcp_queries_in_flight')).toBe(0);
    expect(valueOf(e, 'cluvio_mcp_upstream_requests_in_flight')).toBe(0);
    expect(valueOf(e, 'cluvio_mcp_sessions_open')).toBe(1);
    expect(valueOf(e, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    await endSession(client);
    await waitUntil('the session is closed', async () => valueOf(await scrape(metricsUrl), 'cluvio_mcp_sessions_open') === 0, 10_000);
    e = await scrape(metricsUrl);
    expect(valueOf(e, 'cluvio_mcp_per_request_servers_total', { era: 'modern' })).toBeUndefined();
  });

  it('counts a retried request once per attempt, with the status each got, and the retry with its reason', async () => {
    const before = await scrape(metricsUrl);
    const was = (status: string) => valueOf(before, 'cluvio_mcp_upstream_requests_total', { server: 'api', method: 'GET', operation: 'listDashboards', status }) ?? 0;
    const retried = valueOf(before, 'cluvio_mcp_upstream_retries_total', { server: 'api', reason: '503' }) ?? 0;
    const injected = await fetch(`${sandboxApi}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '/dashboards', fault: '503', times: 2 }),
    });
    expect(injected.status).toBeLessThan(300);
    const client = await connect(server.url);
    try {
      const res = await client.callTool({ name: 'list_dashboards', arguments: {} });
      expect(res.isError, textOf(res)).toBeFalsy();
    } finally {
      await endSession(client);
    }
    const e = await scrape(metricsUrl);
    const now = (status: string) => valueOf(e, 'cluvio_mcp_upstream_requests_total', { server: 'api', method: 'GET', operation: 'listDashboards', status });
    expect([now('503'), now('200')]).toEqual([was('503') + 2, was('200') + 1]);
    expect(valueOf(e, 'cluvio_mcp_upstream_retries_total', { server: 'api', reason: '503' })).toBe(retried + 2);
  });

  it('counts one per-request server for each request of a 2026-07-28 client', async () => {
    const client = await connect(server.url, true);
    const before = valueOf(await scrape(metricsUrl), 'cluvio_mcp_per_request_servers_total', { era: 'modern' }) ?? 0;
    const calls = seriesOf(await scrape(metricsUrl), 'cluvio_mcp_tool_calls_total');
    const res = await client.callTool({ name: 'list_datasources', arguments: {} });
    expect(res.isError, textOf(res)).toBeFalsy();
    const e = await scrape(metricsUrl);
    expect(valueOf(e, 'cluvio_mcp_per_request_servers_total', { era: 'modern' })).toBe(before + 1);
    expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({ ...calls, 'outcome=ok,tool=list_datasources': 1 });
    await client.close();
  });
});

describe('/metrics on its own port (CLUVIO_MCP_METRICS_PORT)', () => {
  let server: RunningHttp;
  let metricsUrl: string;
  beforeAll(async () => {
    server = await startServer(['--metrics-port', '0'], { CLUVIO_MCP_AUTH_TOKEN: TOKEN });
    await waitUntil('the metrics port is logged', () => logLines(server.stderr()).some((l) => typeof l.metricsUrl === 'string'));
    metricsUrl = logLines(server.stderr()).find((l) => typeof l.metricsUrl === 'string')!.metricsUrl as string;
  });
  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('serves it without the token, and not on the MCP port', async () => {
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    const client = await connect(server.url);
    const ok = await client.callTool({ name: 'get_datasource', arguments: { id: 'smpl-data-0001' } });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    await client.close();
    const e = await scrape(metricsUrl, {});
    expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({ 'outcome=ok,tool=get_datasource': 1 });
    expect((await fetch(server.url.replace(/\/mcp$/, '/metrics'), { headers: AUTH })).status).toBe(404);
    expect((await fetch(metricsUrl.replace(/\/metrics$/, '/mcp'))).status).toBe(404);
  });

  it('closes it on SIGTERM, and exits 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(fetch(metricsUrl)).rejects.toThrow();
  });
});

describe('--stateless --discovery', () => {
  it('counts the servers built for 2025-era requests under era="legacy", and call_operation under the operation\'s tool name', async () => {
    const server = await startServer(['--stateless', '--discovery', '--metrics'], { CLUVIO_MCP_AUTH_TOKEN: TOKEN });
    try {
      const metricsUrl = server.url.replace(/\/mcp$/, '/metrics');
      const client = await connect(server.url);
      const before = valueOf(await scrape(metricsUrl), 'cluvio_mcp_per_request_servers_total', { era: 'legacy' }) ?? 0;
      const listed = await client.callTool({ name: 'call_operation', arguments: { name: 'list_datasources', arguments: '{}' } });
      expect(listed.isError, textOf(listed)).toBeFalsy();
      let e = await scrape(metricsUrl);
      expect(valueOf(e, 'cluvio_mcp_per_request_servers_total', { era: 'legacy' })).toBe(before + 1);
      expect(valueOf(e, 'cluvio_mcp_sessions_open')).toBe(0);
      for (const json of ['{"id":', '{}']) {
        const refused = await client.callTool({ name: 'call_operation', arguments: { name: 'get_datasource', arguments: json } });
        expect(textOf(refused)).toMatch(/^Invalid arguments for get_datasource/);
      }
      await client.callTool({ name: 'search_operations', arguments: { query: 'datasource' } });
      e = await scrape(metricsUrl);
      expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({ 'outcome=ok,tool=list_datasources': 1, 'outcome=invalid_arguments,tool=get_datasource': 2 });
      await client.close();
    } finally {
      server.child.kill('SIGTERM');
    }
  });
});

describe('metrics off (the default)', () => {
  it('answers /metrics with 404, even with the token', async () => {
    const server = await startServer([], { CLUVIO_MCP_AUTH_TOKEN: TOKEN });
    try {
      const res = await fetch(server.url.replace(/\/mcp$/, '/metrics'), { headers: AUTH });
      expect(res.status).toBe(404);
      expect(logLines(server.stderr()).some((l) => String(l.msg).includes('Prometheus'))).toBe(false);
    } finally {
      server.child.kill('SIGTERM');
    }
  });
});

describe('the build', () => {
  it('loads prom-client only with metrics on: one chunk imports it, and is itself only imported dynamically', () => {
    const dist = dirname(CLI);
    const files = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const read = (f: string) => readFileSync(join(dist, f), 'utf8');
    const importers = files.filter((f) => /from\s*"prom-client"|import\("prom-client"\)/.test(read(f)));
    expect(importers).toHaveLength(1);
    const chunk = importers[0]!;
    const mentions = files.flatMap((f) => [...read(f).matchAll(new RegExp(`(import\\(|from\\s*|import\\s*)"\\./${chunk.replace('.', '\\.')}"`, 'g'))].map((m) => m[1]));
    expect(mentions).toEqual(['import(']);
  });
});

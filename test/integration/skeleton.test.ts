import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI, connectStdio, executionOf, listOf, objectOf, textOf, type Connected, waitUntil } from './harness.js';

const EXPECTED_TOOLS = [
  'cancel_execution',
  'create_datasource',
  'delete_datasource',
  'get_datasource',
  'get_datasource_schema',
  'get_execution',
  'get_execution_data',
  'list_datasources',
  'refresh_datasource',
  'run_execution',
  'test_datasource_connection',
  'update_datasource',
];

const MARKER_KEY = `marker-key-${process.pid}-do-not-log`;

describe('cluvio-mcp --sandbox over stdio', () => {
  let s: Connected;
  let sandboxApi: string;
  let sampleId: string;

  beforeAll(async () => {
    s = await connectStdio(['--sandbox', '--log-level', 'debug'], { CLUVIO_API_KEY: MARKER_KEY });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the datasource and execution tools, each annotated', async () => {
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name).sort();
    for (const name of EXPECTED_TOOLS) expect(names).toContain(name);
    for (const t of tools) {
      expect(t.annotations?.title, t.name).toBeTruthy();
      expect(typeof t.annotations?.readOnlyHint, t.name).toBe('boolean');
    }
    const run = tools.find((t) => t.name === 'run_execution');
    expect(run?.outputSchema).toBeTruthy();
  });

  it('sends short instructions that name only tools it has (hosts with tool search match requests against them)', async () => {
    const text = s.client.getInstructions() ?? '';
    // Claude Code cuts instructions at 2 KB.
    expect(Buffer.byteLength(text)).toBeLessThan(2_000);
    expect(text).toMatch(/SQL/);
    expect(text).toMatch(/dashboards/);
    const named = [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0]).filter((w) => w !== 'max_wait_seconds');
    expect(named.length).toBeGreaterThanOrEqual(5);
    const tools = new Set((await s.client.listTools()).tools.map((t) => t.name));
    for (const name of named) expect(tools, name).toContain(name);
  });

  it('list_datasources shows the sample datasource', async () => {
    const res = await s.client.callTool({ name: 'list_datasources', arguments: {} });
    expect(res.isError).toBeFalsy();
    expect(textOf(res)).toContain('Cluvio Sample Data');
    expect(res.structuredContent).toBeUndefined();
    const items = listOf(res).items;
    sampleId = items.find((d) => d.name === 'Cluvio Sample Data')!.id;
    expect(sampleId).toBeTruthy();
    const api = /"apiUrl":"([^"]+)"/.exec(s.stderr());
    expect(api).not.toBeNull();
    sandboxApi = api![1]!;
  });

  it('get_datasource redacts the password', async () => {
    const res = await s.client.callTool({ name: 'get_datasource', arguments: { id: sampleId } });
    expect(res.isError).toBeFalsy();
    const d = objectOf(res);
    expect(d.name).toBe('Cluvio Sample Data');
    expect(String(d.password)).toMatch(/^\[redacted/);
  });

  it('get_datasource_schema shows tables and columns', async () => {
    const res = await s.client.callTool({ name: 'get_datasource_schema', arguments: { id: sampleId } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const tables = schemaTables(textOf(res));
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['public.airlines', 'public.airports', 'public.routes', 'public.flights']));
    expect(tables.every((t) => t.columns > 0)).toBe(true);
  });

  it('run_execution of SELECT 41+1 returns 42', async () => {
    const res = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: sampleId, sql_query: 'SELECT 41+1 AS answer' } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent as { status: string; rows: unknown[][]; columns: Array<{ name: string }>; total_rows: number };
    expect(out.status).toBe('success');
    expect(out.columns[0]!.name).toBe('answer');
    expect(Number(out.rows[0]![0])).toBe(42);
    expect(out.total_rows).toBe(1);
    expect(textOf(res)).toContain('42');
  });

  it('the sample data holds what the README says: 12 airlines, 40 airports, 269 routes, 230,172 flights', async () => {
    const counts: Record<string, number> = {};
    for (const t of ['airlines', 'airports', 'routes', 'flights']) {
      const res = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: sampleId, sql_query: `SELECT COUNT(*) AS n FROM public.${t}` } });
      counts[t] = Number(executionOf(res).rows[0]![0]);
    }
    expect(counts).toEqual({ airlines: 12, airports: 40, routes: 269, flights: 230_172 });
    // From 2024-01-01 to 2026-10-31.
    const span = await s.client.callTool({
      name: 'run_execution',
      arguments: { datasource_id: sampleId, sql_query: "SELECT to_char(MIN(departed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first, to_char(MAX(departed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last FROM public.flights" },
    });
    expect(executionOf(span).rows).toEqual([['2024-01-01', '2026-10-31']]);
  });

  it('a query on a missing table is a tool error with the database message', async () => {
    const res = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: sampleId, sql_query: 'SELECT * FROM no_such_table' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/query_error/);
    expect(textOf(res)).toMatch(/no_such_table/);
    // An error carries no structuredContent: run_execution's output schema describes results, and v1 SDK clients check it even on errors.
    expect(res.structuredContent).toBeUndefined();
  });

  it('pages through a result with get_execution_data', async () => {
    const res = await s.client.callTool({
      name: 'run_execution',
      arguments: { datasource_id: sampleId, sql_query: 'SELECT g AS n FROM generate_series(1, 250) g ORDER BY g', max_rows: 100 },
    });
    const first = res.structuredContent as { execution_id: string; rows: unknown[][]; total_rows: number; truncated: boolean; next: string };
    expect(first.total_rows).toBe(250);
    expect(first.rows).toHaveLength(100);
    expect(first.truncated).toBe(true);
    expect(first.next).toContain('"offset":100');
    const page = await s.client.callTool({ name: 'get_execution_data', arguments: { id: first.execution_id, offset: 200, max_rows: 100 } });
    const second = page.structuredContent as { rows: unknown[][]; truncated: boolean };
    expect(second.rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 50 }, (_, i) => 201 + i));
    expect(second.truncated).toBe(false);
  });

  it('a 3-second query with a progress token yields progress, then rows', async () => {
    const progress: Array<{ progress: number; message?: string }> = [];
    const res = await s.client.callTool(
      { name: 'run_execution', arguments: { datasource_id: sampleId, sql_query: "SELECT pg_sleep(3), 'done' AS state" } },
      { onprogress: (p) => progress.push(p), timeout: 30_000 },
    );
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toContain('done');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(progress.at(-1)!.message).toMatch(/Execution (running|starting)/);
  });

  it('a budget that runs out returns the execution id and the call that continues', async () => {
    const res = await s.client.callTool({
      name: 'run_execution',
      arguments: { datasource_id: sampleId, sql_query: "SELECT pg_sleep(2), 'late' AS state", max_wait_seconds: 0 },
    });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as { execution_id: string; status: string; next: string };
    expect(out.status).toMatch(/starting|running|waiting/);
    expect(out.next).toContain(out.execution_id);
    const resumed = await s.client.callTool({ name: 'get_execution_data', arguments: { id: out.execution_id } });
    expect(textOf(resumed)).toContain('late');
  });

  it('cancelling the call cancels the execution upstream', async () => {
    const controller = new AbortController();
    const marker = `cancel_me_${Date.now()}`;
    const call = s.client.callTool(
      { name: 'run_execution', arguments: { datasource_id: sampleId, sql_query: `SELECT pg_sleep(5), '${marker}'` } },
      { signal: controller.signal },
    );
    await waitUntil('the query runs in the sandbox', async () => (await sandboxExecutions(sandboxApi)).some((e) => e.sql_query.includes(marker)));
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitUntil('the query is cancelled in the sandbox', async () => (await sandboxExecutions(sandboxApi)).find((e) => e.sql_query.includes(marker))?.status === 'cancelled');
  });

  it('a bad argument is a tool error that names the field', async () => {
    const res = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: sampleId } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/sql_query/);
  });

  it('an unknown datasource is a tool error with Cluvio’s 404 detail and a next step', async () => {
    const res = await s.client.callTool({ name: 'get_datasource', arguments: { id: 'nope' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 404/);
    expect(textOf(res)).toMatch(/list/i);
    const run = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: 'nope', sql_query: 'SELECT 1' } });
    expect(run.isError).toBe(true);
    expect(textOf(run)).toMatch(/HTTP 404/);
    expect(run.structuredContent).toBeUndefined();
  });

  it('never writes the API key to stderr', async () => {
    expect(s.stderr()).toContain('cluvio api'); // debug logging of API calls was on
    expect(s.stderr()).not.toContain(MARKER_KEY);
  });
});

describe('start-up', () => {
  it('exits non-zero at once without an API key or --sandbox, naming both', async () => {
    // "At once": the server stops by itself (stdin stays open, so it is not waiting for a client to go away)
    // without contacting anything — an API URL that records requests sees none — and long before a request to
    // Cluvio could even time out (CLUVIO_TIMEOUT_MS, default 30 s).
    const requests: string[] = [];
    const recorder = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const { code, stderr } = await run([], { CLUVIO_API_URL: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}` });
      expect(code).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(stderr).toContain('CLUVIO_API_KEY');
      expect(stderr).toContain('--sandbox');
      expect(requests).toEqual([]);
    } finally {
      recorder.close();
    }
  });

  it('rejects an invalid region, naming the setting and what is accepted', async () => {
    const { code, stderr } = await run([], { CLUVIO_API_KEY: 'x', CLUVIO_REGION: 'mars' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/CLUVIO_REGION.*eu, us/);
  });

  it('prints --version and --help', async () => {
    expect((await run(['--version'], {})).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await run(['--help'], {})).stdout).toContain('--sandbox');
  });

  it('`cluvio-mcp sandbox` prints one JSON line a script can use', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const info = JSON.parse(line) as { api_url: string; data_url: string; api_key: string };
    const res = await fetch(`${info.api_url}/datasources`, { headers: { authorization: `Api ${info.api_key}` } });
    expect(res.status).toBe(200);
    const unauthorised = await fetch(`${info.api_url}/datasources`, { headers: { authorization: 'Api wrong' } });
    expect(unauthorised.status).toBe(401);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
});

/** The tables of get_datasource_schema's text ("schema s (n tables)" then "table(column type, …)" lines) as schema.table. */
function schemaTables(text: string): Array<{ name: string; columns: number }> {
  let schema = '';
  const tables: Array<{ name: string; columns: number }> = [];
  for (const line of text.split('\n')) {
    const head = /^schema (\S+) \(/.exec(line);
    if (head) schema = head[1]!;
    const table = /^(\w+)\((.*)\)$/.exec(line);
    if (table) tables.push({ name: `${schema}.${table[1]}`, columns: table[2]!.split(', ').filter(Boolean).length });
  }
  return tables;
}

async function sandboxExecutions(apiUrl: string): Promise<Array<{ id: string; status: string; sql_query: string }>> {
  const res = await fetch(`${apiUrl}/_sandbox/executions`);
  return (await res.json()) as Array<{ id: string; status: string; sql_query: string }>;
}


function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

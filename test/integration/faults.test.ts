/**
 * Faults through MCP: a standalone sandbox process (`cluvio-mcp sandbox`) injects failures via
 * `/_sandbox/faults`, and the MCP server (a separate process over stdio, CLUVIO_TIMEOUT_MS=1000)
 * must retry what is safe to repeat within its budget, not repeat what is not, turn what does not
 * clear into an actionable isError result, and keep serving afterwards.
 * `/_sandbox/requests` counts how many times each request reached the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer, connect as tcpConnect, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../src/cluvio/retry.js';
import { CLI, connectStdio, executionOf, listOf, logLines, textOf, waitUntil, type Connected } from './harness.js';

const DS = 'smpl-data-0001';
const TIMEOUT_MS = 1000;
/** "4 attempts in all" (README, Failures, retries and concurrency). */
const MAX_ATTEMPTS = 4;
/** The most each jittered backoff wait may last before attempt 2, 3, 4: base·2^n, capped (src/cluvio/retry.ts). */
const BACKOFF_CAPS = [0, 1, 2].map((n) => Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** n));
/**
 * Room for a loaded machine in upper time bounds. Each bound is what the configured budgets allow (request
 * timeouts, Retry-After, backoff caps) plus this slack; what the server decided to wait is read from its logs.
 */
const SLACK_MS = 5_000;
/** A `slow` answer this late: a server that waited for it instead of timing out after TIMEOUT_MS is far past any bound. */
const SLOW_MS = 20_000;

const GET_DS = 'GET /datasources/:id';
const LIST_DASHBOARDS = 'GET /dashboards';
const CREATE_SNIPPET = 'POST /sql_snippets';
const START_EXECUTION = 'POST /datasources/:datasource_id/executions';
const GRANT = 'GET /executions/:id/data';
const DATA = 'GET /results/**';

let sandbox: ChildProcess;
let api: string;
let sandboxInfo: Record<string, string>;
let s: Connected;
/** Figures for the report: what each scenario cost. */
const figures: Array<Record<string, unknown>> = [];

interface Rule {
  method?: string;
  path?: string;
  server?: 'api' | 'data';
  fault: string;
  times?: number;
  retry_after?: number;
  delay_ms?: number;
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${api}/_sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 400) throw new Error(`${method} /_sandbox/${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json();
}
const fault = (rule: Rule) => control('POST', 'faults', rule);
const counts = async () => (await control('GET', 'requests')) as { api: Record<string, number>; data: Record<string, number> };

async function call(name: string, args: Record<string, unknown>) {
  const started = Date.now();
  const res = await s.client.callTool({ name, arguments: args });
  return { res, text: textOf(res), ms: Date.now() - started };
}

interface Failure {
  op: string;
  error: string;
  ms: number;
  /** How long the server waits before the next attempt; absent when it gives up. */
  retryInMs?: number;
}

/**
 * The attempts of `op` that the server logged as failed (debug "cluvio api failed") since stderr offset `from`,
 * once there are `n` of them (logs are written asynchronously).
 */
async function failures(op: string, from: number, n: number, server: Connected = s): Promise<Failure[]> {
  const mine = () => logLines(server.stderr(), from).filter((l) => l.msg === 'cluvio api failed' && l.op === op) as unknown as Failure[];
  await waitUntil(`${n} failed ${op} attempts logged`, () => mine().length >= n, 5_000);
  return mine();
}

/** Each logged wait before the next attempt stays within its backoff cap; the last attempt schedules none. */
function expectBackoffWithinCaps(failed: Failure[]): void {
  expect(failed).toHaveLength(MAX_ATTEMPTS);
  failed.slice(0, -1).forEach((f, i) => {
    expect(f.retryInMs, `wait after attempt ${i + 1}`).toBeGreaterThanOrEqual(0);
    expect(f.retryInMs, `wait after attempt ${i + 1}`).toBeLessThanOrEqual(BACKOFF_CAPS[i]!);
  });
  expect(failed.at(-1)!.retryInMs).toBeUndefined();
}

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  sandboxInfo = info;
  api = info.api_url!;
  // Debug logs: each failed attempt is logged with the wait the server chose before the next one.
  s = await connectStdio([], {
    CLUVIO_API_URL: info.api_url!,
    CLUVIO_DATA_URL: info.data_url!,
    CLUVIO_API_KEY: info.api_key!,
    CLUVIO_TIMEOUT_MS: String(TIMEOUT_MS),
    CLUVIO_LOG_LEVEL: 'debug',
  });
  // Warm the SQL engine up so the timing checks below do not measure its start (a cold engine
  // can take longer than the 1 s request timeout to serve its first rows).
  let warm = '';
  for (let i = 0; i < 5; i++) {
    const res = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: 'SELECT 1 AS warm', max_wait_seconds: 50 } });
    warm = textOf(res);
    if (res.isError !== true) break;
  }
  expect(warm).toMatch(/succeeded/);
});

afterAll(async () => {
  await s?.close();
  sandbox?.kill('SIGTERM');
  console.log(`fault figures:\n${figures.map((f) => JSON.stringify(f)).join('\n')}`);
});

beforeEach(async () => {
  await control('DELETE', 'faults');
  await control('DELETE', 'requests');
});

// After every fault: the rules are spent or cleared and an ordinary call succeeds.
afterEach(async () => {
  await control('DELETE', 'faults');
  const { res, text } = await call('get_datasource', { id: DS });
  expect(res.isError, text).toBeFalsy();
  expect(text).toContain(DS);
});

describe('safe-to-repeat requests are retried and succeed when the fault clears', () => {
  it('429 with Retry-After: 1 → waits about 1 s, then succeeds (2 attempts)', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: '429', retry_after: 1 });
    const from = s.stderr().length;
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError, text).toBeFalsy();
    expect(text).toContain(DS);
    expect((await counts()).api[GET_DS]).toBe(2);
    // The wait the server chose is the Retry-After, not its own backoff …
    expect((await failures('getDatasource', from, 1)).map((f) => f.retryInMs)).toEqual([1000]);
    // … and it did wait it: two attempts, each within the request timeout, around it.
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(1000 + 2 * TIMEOUT_MS + SLACK_MS);
    figures.push({ fault: '429 Retry-After 1', tool: 'get_datasource', attempts: 2, ms });
  });

  it.each(['502', '503', '504'])('%s twice → retried with backoff, third attempt succeeds', async (code) => {
    await fault({ method: 'GET', path: '/dashboards', fault: code, times: 2 });
    const from = s.stderr().length;
    const { res, text, ms } = await call('list_dashboards', {});
    expect(res.isError, text).toBeFalsy();
    expect((await counts()).api[LIST_DASHBOARDS]).toBe(3);
    const failed = await failures('listDashboards', from, 2);
    expect(failed.map((f) => f.error)).toEqual([expect.stringContaining(`HTTP ${code}`), expect.stringContaining(`HTTP ${code}`)]);
    failed.forEach((f, i) => expect(f.retryInMs).toBeLessThanOrEqual(BACKOFF_CAPS[i]!));
    const listed = (await control('GET', 'faults')) as Array<{ fired: number; times: number }>;
    expect(listed[0]).toMatchObject({ fired: 2, times: 2 });
    figures.push({ fault: `${code} ×2`, tool: 'list_dashboards', attempts: 3, ms });
  });

  it('slow answer beyond CLUVIO_TIMEOUT_MS → times out, retried, succeeds', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: 'slow', delay_ms: SLOW_MS });
    const from = s.stderr().length;
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError, text).toBeFalsy();
    expect(text).toContain(DS);
    expect((await counts()).api[GET_DS]).toBe(2);
    const [timedOut, ...more] = await failures('getDatasource', from, 1);
    expect(more).toEqual([]);
    expect(timedOut!.error).toBe(`no answer from Cluvio within ${TIMEOUT_MS} ms`);
    expect(timedOut!.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(timedOut!.retryInMs).toBeLessThanOrEqual(BACKOFF_CAPS[0]!);
    // The answer came from the second attempt, not from waiting out the slow one (SLOW_MS is far beyond this).
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(2 * TIMEOUT_MS + BACKOFF_CAPS[0]! + SLACK_MS);
    figures.push({ fault: 'slow 20 s (timeout 1 s)', tool: 'get_datasource', attempts: 2, ms });
  });

  it('connection dropped mid-response → retried, succeeds', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: 'drop' });
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError, text).toBeFalsy();
    expect(text).toContain(DS);
    expect((await counts()).api[GET_DS]).toBe(2);
    figures.push({ fault: 'drop', tool: 'get_datasource', attempts: 2, ms });
  });

  it('malformed (truncated) JSON → retried, succeeds', async () => {
    await fault({ method: 'GET', path: '/dashboards', fault: 'malformed' });
    const { res, text, ms } = await call('list_dashboards', {});
    expect(res.isError, text).toBeFalsy();
    expect((await counts()).api[LIST_DASHBOARDS]).toBe(2);
    figures.push({ fault: 'malformed', tool: 'list_dashboards', attempts: 2, ms });
  });

  it('429 on a create (refused before any work) → retried once, created once', async () => {
    const name = `fault_snippet_${Date.now()}`;
    await fault({ method: 'POST', path: '/sql_snippets', fault: '429', retry_after: 1 });
    const { res, text, ms } = await call('create_sql_snippet', { name, text: 'SELECT 1', datasource_id: DS });
    expect(res.isError, text).toBeFalsy();
    expect((await counts()).api[CREATE_SNIPPET]).toBe(2);
    const listed = await call('list_sql_snippets', { name });
    expect(listOf(listed.res).total).toBe(1);
    figures.push({ fault: '429 Retry-After 1', tool: 'create_sql_snippet', attempts: 2, ms });
  });
});

describe('faults that do not clear end as isError after a bounded number of attempts', () => {
  it.each([
    ['503', /HTTP 503.*try again/s],
    ['drop', /dropped.*try again/is],
    ['malformed', /not valid JSON.*try again/is],
  ])('%s every time → 4 attempts, then isError', async (code, message) => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: code, times: 100 });
    const from = s.stderr().length;
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/^get_datasource failed/);
    expect(text).toMatch(message);
    expect((await counts()).api[GET_DS]).toBe(MAX_ATTEMPTS);
    // Backoff with full jitter, each wait within its cap (250, 500, 1000 ms), none after the last attempt.
    expectBackoffWithinCaps(await failures('getDatasource', from, MAX_ATTEMPTS));
    expect(ms).toBeLessThan(MAX_ATTEMPTS * TIMEOUT_MS + BACKOFF_CAPS.reduce((a, b) => a + b) + SLACK_MS);
    figures.push({ fault: `${code} persistent`, tool: 'get_datasource', attempts: MAX_ATTEMPTS, ms, isError: true });
  });

  it('slow every time → 4 timed-out attempts, then isError naming CLUVIO_TIMEOUT_MS', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: 'slow', delay_ms: SLOW_MS, times: 100 });
    const from = s.stderr().length;
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/within 1000 ms.*CLUVIO_TIMEOUT_MS/s);
    expect((await counts()).api[GET_DS]).toBe(MAX_ATTEMPTS);
    const failed = await failures('getDatasource', from, MAX_ATTEMPTS);
    expectBackoffWithinCaps(failed);
    for (const f of failed) {
      expect(f.error).toBe(`no answer from Cluvio within ${TIMEOUT_MS} ms`);
      expect(f.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    }
    // Four timeouts plus at most the capped waits: nowhere near one slow answer (SLOW_MS).
    expect(ms).toBeGreaterThanOrEqual(MAX_ATTEMPTS * TIMEOUT_MS - 100);
    expect(ms).toBeLessThan(MAX_ATTEMPTS * TIMEOUT_MS + BACKOFF_CAPS.reduce((a, b) => a + b) + SLACK_MS);
    figures.push({ fault: 'slow persistent', tool: 'get_datasource', attempts: MAX_ATTEMPTS, ms, isError: true });
  });

  it('429 with Retry-After beyond 30 s → not waited for: isError at once, saying when to retry', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: '429', retry_after: 120, times: 100 });
    const from = s.stderr().length;
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/HTTP 429.*rate-limiting.*Retry after 120 s/s);
    expect((await counts()).api[GET_DS]).toBe(1);
    // No wait scheduled at all: the one failed attempt names no next one.
    const failed = await failures('getDatasource', from, 1);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.retryInMs).toBeUndefined();
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    figures.push({ fault: '429 Retry-After 120', tool: 'get_datasource', attempts: 1, ms, isError: true });
  });

  it('500 is not retried', async () => {
    await fault({ method: 'GET', path: '/datasources/:id', fault: '500', times: 100 });
    const { res, text, ms } = await call('get_datasource', { id: DS });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/HTTP 500.*server-side problem; try again/s);
    expect((await counts()).api[GET_DS]).toBe(1);
    figures.push({ fault: '500', tool: 'get_datasource', attempts: 1, ms, isError: true });
  });

  it('403 is not retried, and names the permission the key lacks in the reference\'s words, with the setting that fits the key', async () => {
    await fault({ method: 'GET', path: '/users', fault: '403' });
    const read = await call('list_users', {});
    expect(read.res.isError).toBe(true);
    expect(read.text).toMatch(/^list_users failed — Cluvio answered HTTP 403: the API key lacks the permission for this operation \(sandbox fault\)\./);
    expect(read.text).toContain('The API key lacks View Users or Manage Users; an admin can grant it under API Keys in Cluvio.');
    expect(read.text).toContain('start the server with --toolsets naming only what it can read');
    expect((await counts()).api['GET /users']).toBe(1);

    await fault({ method: 'POST', path: '/sql_snippets', fault: '403' });
    const write = await call('create_sql_snippet', { name: 'forbidden', text: 'SELECT 1', datasource_id: DS });
    expect(write.res.isError).toBe(true);
    expect(write.text).toContain('The API key lacks Manage Datasources;');
    expect(write.text).toContain('A View key cannot change anything: with one, start the server with --read-only.');
    figures.push({ fault: '403', tool: 'list_users', attempts: 1, ms: read.ms, isError: true });
  });
});

describe('requests not safe to repeat are sent once', () => {
  it.each(['503', '502', '504', 'drop', 'slow'])('create_sql_snippet on %s → 1 attempt, isError', async (code) => {
    const name = `fault_once_${code}_${Date.now()}`;
    await fault({ method: 'POST', path: '/sql_snippets', fault: code, times: 100, ...(code === 'slow' ? { delay_ms: 1500 } : {}) });
    const { res, text, ms } = await call('create_sql_snippet', { name, text: 'SELECT 1', datasource_id: DS });
    expect(res.isError, text).toBe(true);
    expect((await counts()).api[CREATE_SNIPPET]).toBe(1);
    expect(res.structuredContent).toBeUndefined();
    // 503 = not carried out, so trying again is right; after 502, 504, a drop or a timeout it may have been.
    const checkFirst = /may have reached Cluvio and taken effect: check with the matching get or list tool before repeating it/;
    if (code === '503') {
      expect(text).toMatch(/HTTP 503.*try again in a moment/s);
      expect(text).not.toMatch(checkFirst);
    } else {
      expect(text).toMatch(checkFirst);
      expect(text).not.toMatch(/try again in a moment/);
    }
    if (code === '502' || code === '504') expect(text).toMatch(new RegExp(`^create_sql_snippet failed — Cluvio answered HTTP ${code}`));
    figures.push({ fault: code, tool: 'create_sql_snippet', attempts: 1, ms, isError: true });
  });

  it('a create that timed out may still have happened: the error says to check before repeating it', async () => {
    const name = `fault_slow_create_${Date.now()}`;
    await fault({ method: 'POST', path: '/sql_snippets', fault: 'slow', delay_ms: 1200 });
    const { res, text } = await call('create_sql_snippet', { name, text: 'SELECT 1', datasource_id: DS });
    expect(res.isError).toBe(true);
    expect((await counts()).api[CREATE_SNIPPET]).toBe(1);
    // The sandbox (like Cluvio) carries on after the client gave up: the snippet comes to exist, once.
    await waitUntil('the timed-out create carried out', async () => listOf((await call('list_sql_snippets', { name })).res).total > 0, 10_000, 100);
    const listed = await call('list_sql_snippets', { name });
    expect(listOf(listed.res).total).toBe(1);
    // So "try again" alone would make a duplicate: the advice must be to check first.
    expect(text).toMatch(/may have (reached Cluvio|taken effect)/);
    expect(text).toMatch(/check/i);
    expect(res.structuredContent).toBeUndefined();
  });

  it('run_execution whose start gets 503 → 1 attempt, isError, no execution left behind', async () => {
    const marker = `fault_start_${Date.now()}`;
    await fault({ method: 'POST', path: '/datasources/:datasource_id/executions', fault: '503', times: 100 });
    const { res, text, ms } = await call('run_execution', { datasource_id: DS, sql_query: `SELECT '${marker}'` });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/HTTP 503/);
    expect((await counts()).api[START_EXECUTION]).toBe(1);
    const executions = (await control('GET', 'executions')) as Array<{ sql_query: string }>;
    expect(executions.filter((e) => e.sql_query.includes(marker))).toHaveLength(0);
    figures.push({ fault: '503', tool: 'run_execution (start)', attempts: 1, ms, isError: true });
  });
});

describe('data server and execution faults', () => {
  it('expired data token during run_execution → a fresh grant is fetched and the rows come back', async () => {
    await fault({ path: '/results/**', fault: 'expired_token' });
    const { res, ms } = await call('run_execution', { datasource_id: DS, sql_query: 'SELECT 41+1 AS answer' });
    expect(executionOf(res).rows).toEqual([[42]]);
    const c = await counts();
    expect(c.api[GRANT]).toBe(2);
    expect(c.data[DATA]).toBe(2);
    figures.push({ fault: 'expired_token', tool: 'run_execution', grants: 2, dataRequests: 2, ms });
  });

  it('expired data token while refresh_dashboard reads a report → a fresh token from the status, every report has rows', async () => {
    await fault({ path: '/reports/**', server: 'data', fault: 'expired_token' });
    const { res, text, ms } = await call('refresh_dashboard', { id: 'dash-ops-0001' });
    expect(res.isError, text).toBeFalsy();
    const reports = (res.structuredContent as { reports: Array<{ status: string; rows?: unknown[] }> }).reports;
    expect(reports.length).toBeGreaterThan(1);
    for (const r of reports) expect(r.status, text).toBe('success');
    expect((await counts()).data['GET /reports/**']).toBe(reports.length + 1);
    figures.push({ fault: 'expired_token', tool: 'refresh_dashboard', dataRequests: reports.length + 1, ms });
  });

  it.each(['drop', '503', 'malformed', 'slow'])('data server %s once while fetching the rows → fetched again, rows come back', async (code) => {
    await fault({ path: '/results/**', fault: code, ...(code === 'slow' ? { delay_ms: 2500 } : {}) });
    const { res, ms } = await call('run_execution', { datasource_id: DS, sql_query: 'SELECT 41+1 AS answer' });
    const out = executionOf(res);
    expect(out.columns.map((c) => c.name)).toEqual(['answer']);
    expect(out.rows).toEqual([[42]]);
    expect((await counts()).data[DATA]).toBe(2);
    figures.push({ fault: `data ${code}`, tool: 'run_execution', dataRequests: 2, ms });
  });

  it('data server 503 every time → 4 data requests, then isError', async () => {
    await fault({ path: '/results/**', fault: '503', times: 100 });
    const { res, text, ms } = await call('run_execution', { datasource_id: DS, sql_query: 'SELECT 41+1 AS answer' });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/HTTP 503/);
    const c = await counts();
    expect(c.data[DATA]).toBe(MAX_ATTEMPTS);
    expect(c.api[GRANT]).toBe(MAX_ATTEMPTS);
    expect(c.api[START_EXECUTION]).toBe(1);
    figures.push({ fault: 'data 503 persistent', tool: 'run_execution', dataRequests: MAX_ATTEMPTS, ms, isError: true });
  });

  it('a data token refused again after the refresh → isError after one refresh (2 grants, 2 data requests)', async () => {
    await fault({ path: '/results/**', fault: 'expired_token', times: 100 });
    const { res, text } = await call('run_execution', { datasource_id: DS, sql_query: 'SELECT 41+1 AS answer' });
    expect(res.isError).toBe(true);
    expect(text).toMatch(/HTTP 401.*expired/s);
    const c = await counts();
    expect(c.api[GRANT]).toBe(2);
    expect(c.data[DATA]).toBe(2);
  });

  it.each([
    ['internal_error', /internal_error.*try again later/s],
    ['timed_out', /timed_out.*narrow the query/s],
    ['internal_timeout', /internal_timeout.*try again/s],
  ])('execution ending %s → isError with advice', async (status, advice) => {
    await fault({ method: 'POST', path: '/datasources/:datasource_id/executions', fault: status });
    const { res, text, ms } = await call('run_execution', { datasource_id: DS, sql_query: 'SELECT 41+1 AS answer' });
    expect(res.isError).toBe(true);
    expect(text).toMatch(advice);
    expect(text).toContain('sandbox fault');
    expect(text).toContain(`ended with status ${status}`);
    expect(res.structuredContent).toBeUndefined();
    expect((await counts()).api[START_EXECUTION]).toBe(1);
    figures.push({ fault: status, tool: 'run_execution', attempts: 1, ms, isError: true });
  });
});

describe('a connection that was never made', () => {
  it('create_sql_snippet whose connection is refused → retried (it cannot have reached Cluvio), created once', async () => {
    // A port with nothing listening: the server's first attempt is refused. Once the server has logged that, a
    // plain TCP forwarder to the sandbox starts listening there, so a later attempt gets through.
    const port = await freePort();
    const sandboxPort = Number(new URL(api).port);
    const forwarder: TcpServer = createTcpServer((socket) => {
      const upstream = tcpConnect(sandboxPort, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    const refused = await connectStdio([], {
      CLUVIO_API_URL: `http://127.0.0.1:${port}`,
      CLUVIO_DATA_URL: sandboxInfo.data_url!,
      CLUVIO_API_KEY: sandboxInfo.api_key!,
      CLUVIO_TIMEOUT_MS: String(TIMEOUT_MS),
      CLUVIO_LOG_LEVEL: 'debug',
    });
    try {
      const name = `fault_refused_${Date.now()}`;
      const pending = refused.client.callTool({ name: 'create_sql_snippet', arguments: { name, text: 'SELECT 1', datasource_id: DS } });
      const [first] = await failures('createSqlSnippet', 0, 1, refused);
      expect(first!.error).toMatch(/ECONNREFUSED/);
      // Retried although a create is not safe to repeat: the server scheduled a next attempt.
      expect(first!.retryInMs).toBeLessThanOrEqual(BACKOFF_CAPS[0]!);
      await new Promise<void>((resolve, reject) => forwarder.once('error', reject).listen(port, '127.0.0.1', resolve));
      const res = await pending;
      expect(res.isError, textOf(res)).toBeFalsy();
      const created = JSON.parse(textOf(res)) as { id: string; name: string };
      expect(created.name).toBe(name);
      // Every refused attempt was retried; the one that connected reached the sandbox, once.
      const failed = logLines(refused.stderr()).filter((l) => l.msg === 'cluvio api failed' && l.op === 'createSqlSnippet') as unknown as Failure[];
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed.length).toBeLessThan(MAX_ATTEMPTS);
      for (const f of failed) expect(f.error).toMatch(/ECONNREFUSED/);
      expect((await counts()).api[CREATE_SNIPPET]).toBe(1);
      expect(listOf((await call('list_sql_snippets', { name })).res).total).toBe(1);
    } finally {
      await refused.close();
      forwarder.close();
    }
  });
});

/** A TCP port nothing listens on (found by listening on port 0 and closing again). */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// Where the server records metrics: the limiters, the two Cluvio clients and the invoker, each against the real
// Prometheus recorder and (for the clients) a real HTTP server.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cluvio/api-client.js';
import { DataClient } from '../../src/cluvio/data-client.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import { parseCommand } from '../../src/config.js';
import type { Deps } from '../../src/context.js';
import { Inventory } from '../../src/inventory.js';
import { prometheusMetrics } from '../../src/metrics/prometheus.js';
import type { Operation } from '../../src/operations/types.js';
import { ResourceHub } from '../../src/resources/hub.js';
import { Confirmations } from '../../src/tools/confirm.js';
import { Invoker } from '../../src/tools/invoker.js';
import { closedPort, CountingAgent, json, startServer, type Handler } from '../cluvio/http-server.js';
import { parseExposition, seriesOf, valueOf } from './exposition.js';

const logger = pino({ level: 'silent' });
const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function scraped(m: ReturnType<typeof prometheusMetrics>) {
  return parseExposition((await m.render()).text);
}

async function server(handler: Handler) {
  const s = await startServer(handler);
  const agent = new CountingAgent();
  cleanups.push(() => s.close(), () => agent.close());
  return { url: s.url, agent };
}

describe('Limiter onWait', () => {
  it('reports 0 for a free slot and the time waited for a busy one, once per acquisition', async () => {
    const waits: number[] = [];
    const limiter = new Limiter(1, (s) => waits.push(s));
    const first = await limiter.acquire();
    expect(waits).toEqual([0]);
    const second = limiter.acquire();
    await new Promise((r) => setTimeout(r, 40));
    expect(waits).toEqual([0]);
    first();
    (await second)();
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThanOrEqual(0.035);
  });

  it('reports nothing for a waiter that gave up', async () => {
    const waits: number[] = [];
    const limiter = new Limiter(1, (s) => waits.push(s));
    const held = await limiter.acquire();
    const controller = new AbortController();
    const gaveUp = limiter.acquire(controller.signal);
    controller.abort(new Error('no'));
    await expect(gaveUp).rejects.toThrow('no');
    held();
    expect(waits).toEqual([0]);
  });
});

describe('ApiClient', () => {
  it('counts every attempt with its status, and each retry with its reason', async () => {
    const { url, agent } = await server((_req, res, _hit, i) => (i < 2 ? json(res, 503, { errors: [] }) : json(res, 200, { data: [] })));
    const m = prometheusMetrics();
    const api = new ApiClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent, metrics: m });
    await api.send({ operation: 'listDatasources', method: 'GET', path: '/datasources', idempotent: true });
    const e = await scraped(m);
    expect(seriesOf(e, 'cluvio_mcp_upstream_requests_total')).toEqual({
      'method=GET,operation=listDatasources,server=api,status=503': 2,
      'method=GET,operation=listDatasources,server=api,status=200': 1,
    });
    expect(seriesOf(e, 'cluvio_mcp_upstream_retries_total')).toEqual({ 'reason=503,server=api': 2 });
  });

  it('counts a request that never connected as network_error, and one cancelled in the queue not at all', async () => {
    const m = prometheusMetrics();
    const agent = new CountingAgent();
    cleanups.push(() => agent.close());
    const limiter = new Limiter(1);
    const api = new ApiClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k', timeoutMs: 5_000, logger, retry: { ...FAST, maxAttempts: 1 }, dispatcher: agent, limiter, metrics: m });
    await expect(api.send({ operation: 'getDatasource', method: 'GET', path: '/datasources/x', idempotent: true })).rejects.toThrow();
    const held = await limiter.acquire();
    const controller = new AbortController();
    const queued = api.send({ operation: 'getDatasource', method: 'GET', path: '/datasources/x', idempotent: true, signal: controller.signal });
    controller.abort(new Error('cancelled'));
    await expect(queued).rejects.toThrow('cancelled');
    held();
    expect(seriesOf(await scraped(m), 'cluvio_mcp_upstream_requests_total')).toEqual({ 'method=GET,operation=getDatasource,server=api,status=network_error': 1 });
  });
});

describe('DataClient', () => {
  it('counts each GET with its status under server="data"', async () => {
    const { url, agent } = await server((req, res) => (req.url!.includes('gone') ? json(res, 404, { errors: [{ detail: 'no' }] }) : json(res, 200, { ok: 1 })));
    const m = prometheusMetrics();
    const data = new DataClient({ baseUrl: url, timeoutMs: 5_000, logger, dispatcher: agent, metrics: m });
    await data.getJson({ data_key: 'schema/a', data_access_token: 't' }, 'getSchemaData');
    await expect(data.getJson({ data_key: 'schema/gone', data_access_token: 't' }, 'getSchemaData')).rejects.toThrow();
    expect(seriesOf(await scraped(m), 'cluvio_mcp_upstream_requests_total')).toEqual({
      'method=GET,operation=getSchemaData,server=data,status=200': 1,
      'method=GET,operation=getSchemaData,server=data,status=404': 1,
    });
  });
});

describe('Invoker', () => {
  async function invokerWith(argv: string[], handler: Handler) {
    const cmd = parseCommand(argv, { CLUVIO_API_KEY: 'k' });
    if (cmd.kind !== 'serve') throw new Error('expected serve');
    const { url, agent } = await server(handler);
    const m = prometheusMetrics();
    const api = new ApiClient({ baseUrl: url, apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent, metrics: m });
    const config = cmd.config;
    const inventory = new Inventory(config);
    const deps: Deps = { api, data: {} as never, config, logger, inventory, hub: new ResourceHub(logger), confirmations: new Confirmations(config.confirm), metrics: m };
    return { invoker: new Invoker(deps), ops: inventory.ops, m };
  }
  const ctx = (signal = new AbortController().signal) => ({ mcpReq: { signal, _meta: {}, notify: async () => undefined } }) as never;
  const call = (invoker: Invoker, op: Operation, args: Record<string, unknown>, signal?: AbortSignal) => invoker.invoke(op, args, ctx(signal));

  it('records ok, tool_error, invalid_arguments (a path parameter) and confirmation_requested', async () => {
    const { invoker, ops, m } = await invokerWith(['--confirm', 'destructive'], (req, res) =>
      req.url!.endsWith('/missing') ? json(res, 404, { errors: [{ detail: 'not found' }] }) : json(res, 200, { data: { id: 'd1', type: 'datasources', attributes: {} } }),
    );
    expect((await call(invoker, ops.getDatasource, { id: 'd1' })).isError).toBeUndefined();
    expect((await call(invoker, ops.getDatasource, { id: 'missing' })).isError).toBe(true);
    expect((await call(invoker, ops.getDatasource, { id: '..' })).isError).toBe(true);
    // A client that cannot show a form gets the question back: nothing deleted yet.
    const asked = await call(invoker, ops.deleteDashboard, { id: 'b1' });
    expect(JSON.stringify(asked)).toContain('confirm');
    const e = await scraped(m);
    expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({
      'outcome=ok,tool=get_datasource': 1,
      'outcome=tool_error,tool=get_datasource': 1,
      'outcome=invalid_arguments,tool=get_datasource': 1,
      'outcome=confirmation_requested,tool=delete_dashboard': 1,
    });
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_count', { tool: 'get_datasource' })).toBe(3);
  });

  it('records a read-only refusal as refused and a call cancelled by the client as cancelled', async () => {
    const { invoker, ops, m } = await invokerWith(['--read-only', '--confirm', 'off'], (_req, res) => {
      setTimeout(() => json(res, 200, { data: { id: 'd1', type: 'datasources', attributes: {} } }), 200);
    });
    await call(invoker, ops.runExecution, { datasource_id: 'd1', sql_query: 'DELETE FROM t' });
    const controller = new AbortController();
    const running = call(invoker, ops.getDatasource, { id: 'd1' }, controller.signal);
    setTimeout(() => controller.abort('user pressed stop'), 20);
    expect((await running).isError).toBe(true);
    expect(seriesOf(await scraped(m), 'cluvio_mcp_tool_calls_total')).toEqual({
      'outcome=refused,tool=run_execution': 1,
      'outcome=cancelled,tool=get_datasource': 1,
    });
  });
});

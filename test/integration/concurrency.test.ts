import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, connectStdio, listOf, logLines, objectOf, spawnHttpServer, textOf, waitUntil, type Connected, warmUpSandbox } from './harness.js';

/**
 * Many tool calls at once through ONE stdio client: every result is its own, and the server never
 * has more requests open at Cluvio than CLUVIO_MAX_CONCURRENCY. The sandbox runs standalone; the
 * server reaches its API and data servers through counting proxies started here, which record the
 * most requests they ever had open at the same time (both proxies share one count, as the server's
 * API and data clients share one cap).
 */

const DS = 'smpl-data-0001';
const REPORTS = ['rep-top-airports', 'rep-flights-per-period', 'rep-delay-by-airline', 'rep-airport-growth', 'rep-signups'];
const DASHBOARDS = ['dash-ops-0001', 'dash-growth-0002', 'dash-product-0003'];

interface Counter {
  open: number;
  peak: number;
  total: number;
  /** Request targets in arrival order. */
  urls: string[];
  /** When set, a request whose target matches waits for `release` before it is forwarded. */
  gate?: { match: RegExp; release: Promise<void> };
  /**
   * Per-user keys the sandbox does not know: a request sent with one of them (`Authorization: Api <key>`) is
   * forwarded with the sandbox's key instead. Every key seen is recorded in `keysSeen`.
   */
  keys?: { userKeys: string[]; sandboxKey: string };
  keysSeen: Set<string>;
  reset(): void;
}

function counter(): Counter {
  return {
    open: 0,
    peak: 0,
    total: 0,
    urls: [],
    keysSeen: new Set(),
    reset() {
      this.peak = this.open;
      this.total = 0;
      this.urls = [];
      this.keysSeen = new Set();
    },
  };
}

/** Forwards every request to `target`; a request counts as open from its arrival until its answer is complete. */
async function countingProxy(target: string, count: Counter): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    count.open++;
    count.total++;
    count.peak = Math.max(count.peak, count.open);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        count.open--;
      }
    };
    res.once('close', finish);
    count.urls.push(req.url ?? '');
    const gate = count.gate && count.gate.match.test(req.url ?? '') ? count.gate.release : Promise.resolve();
    void gate.then(() => forward(req, res, finish));
  });
  const forward = (req: IncomingMessage, res: ServerResponse, finish: () => void) => {
    const headers = { ...req.headers, host: upstream.host };
    const key = /^Api (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (key !== undefined) {
      count.keysSeen.add(key);
      if (count.keys?.userKeys.includes(key)) headers.authorization = `Api ${count.keys.sandboxKey}`;
    }
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.on('data', (c: Buffer) => res.write(c));
        upRes.on('end', () => {
          // Counted closed the moment the last byte is handed over: the client cannot have it sooner.
          finish();
          res.end();
        });
      },
    );
    up.on('error', (err) => {
      finish();
      res.destroy(err);
    });
    req.pipe(up);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let sandbox: ChildProcess;
let sandboxInfo: { api_url: string; data_url: string; api_key: string };
const count = counter();
const proxies: Server[] = [];
let proxiedEnv: Record<string, string>;

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  sandboxInfo = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
  await warmUpSandbox(sandboxInfo.api_url, sandboxInfo.api_key);
  const api = await countingProxy(sandboxInfo.api_url, count);
  const data = await countingProxy(sandboxInfo.data_url, count);
  proxies.push(api.server, data.server);
  proxiedEnv = { CLUVIO_API_URL: api.url, CLUVIO_DATA_URL: data.url, CLUVIO_API_KEY: sandboxInfo.api_key };
});

afterAll(async () => {
  for (const p of proxies) {
    p.closeAllConnections();
    p.close();
  }
  sandbox?.kill('SIGTERM');
});


/**
 * Samples the sandbox's executions (whose SQL contains `tag`) every 20 ms while `work` runs and returns the
 * most that were unfinished (starting, running, waiting) at once, plus how many there were in the end.
 * Cluvio's timestamps have one-second resolution, so live sampling is the only honest measure.
 */
async function runningAtOnce(tag: string, work: Promise<unknown>): Promise<{ executions: number; atOnce: number }> {
  const sample = async () => {
    const all = (await (await fetch(`${sandboxInfo.api_url}/_sandbox/executions`)).json()) as Array<{ sql_query: string; status: string }>;
    const mine = all.filter((e) => e.sql_query.includes(tag));
    return { executions: mine.length, unfinished: mine.filter((e) => ['starting', 'running', 'waiting', 'scheduled'].includes(e.status)).length };
  };
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  let atOnce = 0;
  while (!done) {
    atOnce = Math.max(atOnce, (await sample()).unfinished);
    await new Promise((r) => setTimeout(r, 20));
  }
  await work;
  return { executions: (await sample()).executions, atOnce };
}

type Rows = { status: string; rows: unknown[][]; columns: Array<{ name: string }> };

/** `n` queries, each returning its own number and marker; by default the sleep varies so that they finish out of order. */
function queries(n: number, tag: string, sleepSeconds = (i: number) => ((i * 7) % 5) * 0.01) {
  return Array.from({ length: n }, (_, i) => ({
    i,
    marker: `${tag}-marker-${i}`,
    sql: `SELECT ${i} AS n, '${tag}-marker-${i}' AS m, pg_sleep(${sleepSeconds(i)}) AS z`,
  }));
}

/** run_execution for one of `queries`. */
function runQuery(s: Connected, q: { sql: string }) {
  return s.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: q.sql } }, { timeout: 120_000 });
}

function expectOwnRow(res: Awaited<ReturnType<Connected['client']['callTool']>>, q: { i: number; marker: string }): void {
  expect(res.isError, textOf(res)).toBeFalsy();
  const out = res.structuredContent as Rows;
  expect(out.status).toBe('success');
  expect(out.rows).toHaveLength(1);
  const cols = out.columns.map((c) => c.name);
  expect(Number(out.rows[0]![cols.indexOf('n')])).toBe(q.i);
  expect(out.rows[0]![cols.indexOf('m')]).toBe(q.marker);
  expect(textOf(res)).toContain(q.marker);
  // No other call's marker leaked into this result.
  expect(textOf(res).match(/-marker-\d+/g)).toEqual([`-marker-${q.i}`]);
}

describe('concurrent tool calls through one stdio client', () => {
  it('50 run_execution calls plus 20 get/list calls at once: every result is its own (default cap 8)', async () => {
    const s = await connectStdio([], proxiedEnv);
    try {
      count.reset();
      const qs = queries(50, 'c50');
      const started = performance.now();
      const runs = qs.map((q) => runQuery(s, q));
      const gets = Array.from({ length: 20 }, (_, k) => {
        const kind = k % 4;
        if (kind === 0) return { id: REPORTS[k % REPORTS.length]!, call: s.client.callTool({ name: 'get_report', arguments: { id: REPORTS[k % REPORTS.length]! } }) };
        if (kind === 1) return { id: DASHBOARDS[k % DASHBOARDS.length]!, call: s.client.callTool({ name: 'get_dashboard', arguments: { id: DASHBOARDS[k % DASHBOARDS.length]! } }) };
        if (kind === 2) return { id: DS, call: s.client.callTool({ name: 'get_datasource', arguments: { id: DS } }) };
        return { id: 'list', call: s.client.callTool({ name: 'list_reports', arguments: { limit: 100 } }) };
      });
      const results = await Promise.all(runs);
      const ms = Math.round(performance.now() - started);
      qs.forEach((q, i) => expectOwnRow(results[i]!, q));
      for (const g of gets) {
        const res = await g.call;
        expect(res.isError, textOf(res)).toBeFalsy();
        if (g.id === 'list') expect(listOf(res).items.map((r) => r.id)).toEqual(expect.arrayContaining(REPORTS));
        else expect(objectOf(res).id).toBe(g.id);
      }
      expect(count.peak).toBeLessThanOrEqual(8);
      console.log(`[concurrency] 50 run_execution + 20 get/list, cap 8: ${ms} ms, ${count.total} upstream requests, at most ${count.peak} open at once`);
    } finally {
      await s.close();
    }
  });

  it('CLUVIO_MAX_CONCURRENCY=3: 30 concurrent calls all succeed, and upstream never sees more than 3 requests at once', async () => {
    const s = await connectStdio([], { ...proxiedEnv, CLUVIO_MAX_CONCURRENCY: '3' });
    try {
      count.reset();
      const qs = queries(24, 'c3');
      const started = performance.now();
      const calls = [
        ...qs.map((q) => runQuery(s, q)),
        ...REPORTS.map((id) => s.client.callTool({ name: 'get_report', arguments: { id } })),
        s.client.callTool({ name: 'get_datasource_schema', arguments: { id: DS } }),
      ];
      expect(calls).toHaveLength(30);
      const results = await Promise.all(calls);
      const ms = Math.round(performance.now() - started);
      qs.forEach((q, i) => expectOwnRow(results[i]!, q));
      REPORTS.forEach((id, k) => expect(objectOf(results[qs.length + k]!).id).toBe(id));
      expect(results[29]!.isError, textOf(results[29]!)).toBeFalsy();
      expect(count.peak).toBeLessThanOrEqual(3);
      // The cap was reached, so calls really did queue rather than trickle in.
      expect(count.peak).toBe(3);
      console.log(`[concurrency] 30 calls, cap 3: ${ms} ms, ${count.total} upstream requests, at most ${count.peak} open at once`);
    } finally {
      await s.close();
    }
  });

  it('CLUVIO_MAX_CONCURRENCY=3 also caps queries running in Cluvio: 12 slow run_execution calls, never more than 3 executions at once', async () => {
    const s = await connectStdio([], { ...proxiedEnv, CLUVIO_MAX_CONCURRENCY: '3' });
    try {
      const qs = queries(12, 'q3', () => 0.15);
      const all = Promise.all(qs.map((q) => runQuery(s, q)));
      const peak = await runningAtOnce('q3-marker-', all);
      const results = await all;
      qs.forEach((q, i) => expectOwnRow(results[i]!, q));
      expect(peak.executions).toBe(12);
      expect(peak.atOnce).toBeLessThanOrEqual(3);
      console.log(`[concurrency] 12 slow queries, cap 3: at most ${peak.atOnce} executions running at once`);
    } finally {
      await s.close();
    }
  });

  it('the proxies do see more at once when the cap allows it (the measurement is not blind)', async () => {
    const s = await connectStdio([], { ...proxiedEnv, CLUVIO_MAX_CONCURRENCY: '20' });
    try {
      count.reset();
      const qs = queries(30, 'c20');
      const all = Promise.all(qs.map((q) => runQuery(s, q)));
      const peak = await runningAtOnce('c20-marker-', all);
      const results = await all;
      qs.forEach((q, i) => expectOwnRow(results[i]!, q));
      expect(count.peak).toBeGreaterThan(3);
      expect(count.peak).toBeLessThanOrEqual(20);
      expect(peak.atOnce).toBeGreaterThan(3);
      expect(peak.atOnce).toBeLessThanOrEqual(20);
      console.log(`[concurrency] 30 calls, cap 20: at most ${count.peak} open at once`);
    } finally {
      await s.close();
    }
  });

  it('a call cancelled while it waits in line ends promptly, is never sent, and the others still complete', async () => {
    const s = await connectStdio([], { ...proxiedEnv, CLUVIO_MAX_CONCURRENCY: '1' });
    let open!: () => void;
    try {
      count.reset();
      // The proxy holds the first call's request: it keeps the only slot, everything else queues in the server.
      count.gate = { match: /^\/dashboards\/dash-ops-0001/, release: new Promise<void>((r) => (open = r)) };
      const holder = s.client.callTool({ name: 'get_dashboard', arguments: { id: 'dash-ops-0001' } });
      while (!count.urls.some((u) => u.startsWith('/dashboards/dash-ops-0001'))) await new Promise((r) => setTimeout(r, 10));
      const controller = new AbortController();
      const cancelled = s.client
        .callTool({ name: 'get_report', arguments: { id: REPORTS[0]! } }, { signal: controller.signal })
        .then(() => 'finished', (e: Error) => e.name);
      // A call that starts work (run_execution) is cancelled in the queue too, before its start request is sent.
      const startController = new AbortController();
      const cancelledStart = s.client
        .callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: "SELECT 'queued-start-marker'" } }, { signal: startController.signal })
        .then(() => 'finished', (e: Error) => e.name);
      const after = s.client.callTool({ name: 'get_report', arguments: { id: REPORTS[1]! } });
      await new Promise((r) => setTimeout(r, 100));
      const from = s.stderr().length;
      controller.abort();
      startController.abort();
      // The client rejects an aborted call on its own; what matters is that the server ends the call too, and
      // without waiting for a slot: both calls end in the server (its log says so) while the slot is still held.
      expect(await cancelled).not.toBe('finished');
      expect(await cancelledStart).not.toBe('finished');
      const ended = () =>
        logLines(s.stderr(), from)
          .filter((l) => l.msg === 'call cancelled by the client')
          .map((l) => l.tool)
          .sort();
      await waitUntil('both cancelled calls ended in the server while the slot was held', () => ended().length >= 2, 10_000);
      expect(ended()).toEqual(['get_report', 'run_execution']);
      expect(count.urls.filter((u) => u.startsWith('/dashboards/dash-ops-0001'))).toHaveLength(1);
      open();
      expect(objectOf(await holder).id).toBe('dash-ops-0001');
      expect(objectOf(await after).id).toBe(REPORTS[1]);
      // The cancelled call left the queue without sending anything.
      expect(count.urls.filter((u) => u.startsWith(`/reports/${REPORTS[0]}`))).toEqual([]);
      expect(count.urls.filter((u) => u.startsWith(`/reports/${REPORTS[1]}`))).toHaveLength(1);
      expect(count.urls.filter((u) => u.includes('/executions'))).toEqual([]);
      const executions = (await (await fetch(`${sandboxInfo.api_url}/_sandbox/executions`)).json()) as Array<{ sql_query: string }>;
      expect(executions.filter((e) => e.sql_query.includes('queued-start-marker'))).toEqual([]);
    } finally {
      count.gate = undefined;
      open?.();
      await s.close();
    }
  });
});

describe('one cap for the whole process, across HTTP sessions and per-user keys', () => {
  it('CLUVIO_MAX_CONCURRENCY=3 over HTTP: 2025 sessions with their own keys and a 2026 client, upstream never more than 3 requests at once', async () => {
    const userKeys = ['user-key-a', 'user-key-b', 'user-key-c'];
    const server = await spawnHttpServer(['--transport', 'http', '--port', '0'], { ...proxiedEnv, CLUVIO_MAX_CONCURRENCY: '3', CLUVIO_MCP_PER_USER_KEYS: 'true' });
    const clients: Client[] = [];
    const connect = async (key: string | undefined, modern = false) => {
      const client = new Client({ name: 'cap-test', version: '0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
      const headers: Record<string, string> = key ? { 'x-cluvio-api-key': key } : {};
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    };
    try {
      // Three 2025-era sessions, each with its own key, one on the server's key, and a 2026-07-28 client.
      const sessions = [await connect(userKeys[0]), await connect(userKeys[1]), await connect(undefined), await connect(userKeys[2], true)];
      count.keys = { userKeys, sandboxKey: sandboxInfo.api_key };
      count.reset();
      const qs = queries(32, 'http3', (i) => (i % 4) * 0.02);
      const runs = qs.map((q, i) => sessions[i % sessions.length]!.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: q.sql } }, { timeout: 120_000 }));
      const gets = REPORTS.map((id, k) => ({ id, call: sessions[k % sessions.length]!.callTool({ name: 'get_report', arguments: { id } }) }));
      const all = Promise.all(runs);
      const running = await runningAtOnce('http3-marker-', all);
      const results = await all;
      qs.forEach((q, i) => expectOwnRow(results[i]!, q));
      for (const g of gets) expect(objectOf(await g.call).id).toBe(g.id);
      // Every key really went upstream, each through the same cap.
      expect([...count.keysSeen].sort()).toEqual([...userKeys, sandboxInfo.api_key].sort());
      expect(count.peak).toBeLessThanOrEqual(3);
      // The cap was reached: calls from different sessions did queue behind each other.
      expect(count.peak).toBe(3);
      expect(running.executions).toBe(32);
      expect(running.atOnce).toBeLessThanOrEqual(3);
      console.log(`[concurrency] HTTP, 4 clients, 3 keys + the server's, cap 3: ${count.total} upstream requests, at most ${count.peak} open at once, ${running.atOnce} queries running at once`);
    } finally {
      count.keys = undefined;
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

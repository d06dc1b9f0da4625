/**
 * Three `--stateless` replicas of the built server behind a real HAProxy (Debian's; scripts/ci-haproxy.sh installs
 * it), configured by deploy/haproxy/haproxy.cfg itself: the test only fills in the addresses and a faster health
 * check through the environment, as docker-compose.yml does. The balancer adds `X-Served-By: mcp1|mcp2|mcp3`, so
 * every request's replica is known; the replicas' own logs (pino, debug) confirm it.
 *
 * `throughTheBalancer` runs the same behaviours for one way of authenticating: the shared bearer token, and OAuth
 * access tokens from a real authorization server (oidc-provider, see oauth-provider.ts).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, executionOf, logLines, objectOf, spawnHttpServer, textOf, waitUntil, warmUpSandbox, type RunningHttp } from './harness.js';
import { startIssuer, type TestIssuer } from './oauth-provider.js';

const HAPROXY_CFG = fileURLToPath(new URL('../../deploy/haproxy/haproxy.cfg', import.meta.url));
const HAPROXY = process.env.HAPROXY ?? 'haproxy';
const NAMES = ['mcp1', 'mcp2', 'mcp3'] as const;
type ReplicaName = (typeof NAMES)[number];
const DS = 'smpl-data-0001';
/** The same on every replica, as the README asks: a confirmation signed by one replica is good on the others. */
const CONFIRM_SECRET = 'replicas-test-confirm-secret-0123456789abcdef';

let sandbox: ChildProcess;
let sandboxEnv: Record<string, string>;

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  sandboxEnv = { CLUVIO_API_URL: info.api_url!, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: info.api_key! };
  await warmUpSandbox(info.api_url!, info.api_key!);
});

afterAll(() => {
  sandbox?.kill('SIGTERM');
});

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Balanced {
  /** The MCP endpoint on HAProxy. */
  url: string;
  replica: (name: ReplicaName) => RunningHttp;
  /** What HAProxy printed (request lines, replica state changes). */
  haproxyOutput: () => string;
  stop: () => Promise<void>;
}

/** Three replicas on free ports, then HAProxy with the committed config in front of them, every replica up. */
async function startBalanced(env: Record<string, string>): Promise<Balanced> {
  const replicas = await Promise.all(
    NAMES.map(() =>
      spawnHttpServer(['--transport', 'http', '--port', '0', '--stateless'], { ...sandboxEnv, CLUVIO_LOG_LEVEL: 'debug', CLUVIO_CONFIRM_SECRET: CONFIRM_SECRET, ...env }),
    ),
  );
  const port = await freePort();
  const haproxy = spawn(HAPROXY, ['-db', '-f', HAPROXY_CFG], {
    env: {
      PATH: process.env.PATH ?? '',
      MCP_BIND: `127.0.0.1:${port}`,
      MCP_CHECK_INTER: '250ms',
      ...Object.fromEntries(replicas.map((r, i) => [`MCP_REPLICA_${i + 1}`, new URL(r.url).host])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  haproxy.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  haproxy.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    haproxy.once('exit', resolve);
    haproxy.once('error', (err) => {
      output += `\ncannot run ${HAPROXY} (install it with scripts/ci-haproxy.sh): ${err.message}`;
      resolve(null);
    });
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(
    'HAProxy answers',
    async () => {
      if (gone) throw new Error(`haproxy exited: ${output}`);
      return (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200;
    },
    15_000,
    50,
  );
  return {
    url: `${base}/mcp`,
    replica: (name) => replicas[NAMES.indexOf(name)]!,
    haproxyOutput: () => output,
    async stop() {
      haproxy.kill('SIGTERM');
      await exited;
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => r.exited));
    },
  };
}

/** One HTTP exchange a client made through the balancer: the JSON-RPC method (and tool), status and replica. */
interface Exchange {
  httpMethod: string;
  method?: string;
  tool?: string;
  status: number;
  servedBy: ReplicaName | null;
}

interface Traced {
  client: Client;
  exchanges: Exchange[];
  /** The replica that answered the last exchange for `method` (and `tool`). */
  servedBy: (method: string, tool?: string) => ReplicaName | null;
}

/** An SDK client of the given protocol era whose every HTTP exchange (and the replica that answered it) is recorded. */
async function connectTraced(url: string, headers: Record<string, string>, era: '2025' | '2026'): Promise<Traced> {
  const exchanges: Exchange[] = [];
  const tracingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let body: { method?: string; params?: { name?: string } } = {};
    if (typeof init?.body === 'string') body = JSON.parse(init.body) as typeof body;
    const res = await fetch(input, init);
    exchanges.push({ httpMethod: init?.method ?? 'GET', method: body.method, tool: body.params?.name, status: res.status, servedBy: res.headers.get('x-served-by') as ReplicaName | null });
    return res;
  };
  const client = new Client({ name: `replicas-${era}`, version: '0' }, era === '2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: tracingFetch }));
  const servedBy = (method: string, tool?: string) => exchanges.filter((e) => e.method === method && (tool === undefined || e.tool === tool)).at(-1)?.servedBy ?? null;
  return { client, exchanges, servedBy };
}

/** The pino lines of a replica's stderr that record a request to Cluvio. */
function cluvioCalls(replica: RunningHttp, from = 0): Array<{ op?: string; method?: string; path?: string; status?: number }> {
  return logLines(replica.stderr(), from).filter((l) => l.msg === 'cluvio api');
}

interface Auth {
  /** Extra environment of every replica. */
  env: Record<string, string>;
  /** Headers every client sends through the balancer. */
  headers: Record<string, string>;
}

function throughTheBalancer(name: string, auth: () => Promise<Auth> | Auth): void {
  describe(name, () => {
    let b: Balanced;
    let headers: Record<string, string>;
    beforeAll(async () => {
      const a = await auth();
      headers = a.headers;
      b = await startBalanced(a.env);
    });
    afterAll(async () => {
      await b?.stop();
    });

    it('serves a 2025-era client and a 2026-07-28 client: tools, get_datasource and run_execution, spread over all three replicas', async () => {
      const seen = new Set<ReplicaName | null>();
      for (const era of ['2025', '2026'] as const) {
        const t = await connectTraced(b.url, headers, era);
        try {
          expect((await t.client.listTools()).tools).toHaveLength(90);
          const ds = objectOf<{ id: string; name: string }>(await t.client.callTool({ name: 'get_datasource', arguments: { id: DS } }));
          expect([ds.id, ds.name]).toEqual([DS, 'Cluvio Sample Data']);
          const run = executionOf(await t.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: `SELECT 6*7 AS answer, '${era}' AS era` } }));
          expect(run.status).toBe('success');
          expect(run.rows).toEqual([[42, era]]);
          for (const e of t.exchanges) seen.add(e.servedBy);
        } finally {
          await t.client.close();
        }
      }
      expect([...seen].sort()).toEqual([...NAMES]);
    });

    it('a run_execution whose wait budget runs out on one replica is continued with its handle and finishes on another', async () => {
      const t = await connectTraced(b.url, headers, '2025');
      try {
        const marker = `handoff_${Date.now()}`;
        const first = await t.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: `SELECT pg_sleep(1.5), '${marker}' AS m`, max_wait_seconds: 0 } });
        expect(first.isError, textOf(first)).toBeFalsy();
        const handle = first.structuredContent as { execution_id: string; status: string; next: string };
        expect(handle.status).toMatch(/^(starting|running)$/);
        expect(handle.next).toBe(`get_execution_data {"id":"${handle.execution_id}","offset":0}`);
        const startedOn = t.servedBy('tools/call', 'run_execution')!;

        // The call the handle names, exactly as a model would make it.
        const space = handle.next.indexOf(' ');
        const tool = handle.next.slice(0, space);
        const rest = await t.client.callTool({ name: tool, arguments: JSON.parse(handle.next.slice(space + 1)) as Record<string, unknown> });
        const out = executionOf(rest);
        expect(out.status).toBe('success');
        expect(out.rows).toHaveLength(1);
        expect(out.rows[0]!.at(-1)).toBe(marker);
        const finishedOn = t.servedBy('tools/call', tool)!;
        expect(NAMES).toContain(startedOn);
        expect(NAMES).toContain(finishedOn);
        expect(finishedOn).not.toBe(startedOn);

        // The replicas' own logs agree: one started the execution, the other read its result.
        const started = cluvioCalls(b.replica(startedOn)).filter((l) => l.op === 'runExecution' && l.path === `/datasources/${DS}/executions`);
        expect(started.length).toBeGreaterThan(0);
        const finished = cluvioCalls(b.replica(finishedOn)).filter((l) => l.path?.startsWith(`/executions/${handle.execution_id}`));
        expect(finished.length).toBeGreaterThan(0);
      } finally {
        await t.client.close();
      }
    });

    it('resources list_changed: a 2026-07-28 listen stream hears changes made through its own replica only; a stateless 2025-era client hears none and re-reads', async () => {
      const listeners = await Promise.all([0, 1, 2].map(() => connectTraced(b.url, headers, '2026')));
      const maker = await connectTraced(b.url, headers, '2025');
      const heard = listeners.map(() => 0);
      let makerHeard = 0;
      listeners.forEach((l, i) => l.client.setNotificationHandler('notifications/resources/list_changed', () => void heard[i]!++));
      maker.client.setNotificationHandler('notifications/resources/list_changed', () => void makerHeard++);
      const subscriptions = [];
      try {
        // One after the other, so round robin puts one listen stream on each replica.
        for (const l of listeners) subscriptions.push(await l.client.listen({ resourcesListChanged: true }));
        const listenOn = listeners.map((l) => l.servedBy('subscriptions/listen'));
        expect([...listenOn].sort()).toEqual([...NAMES]);

        // A stateless 2025-era client has no stream outside its requests: the SDK's GET for one was refused.
        expect(maker.exchanges.filter((e) => e.httpMethod === 'GET').map((e) => e.status)).toEqual([405]);

        const name = `Balanced board ${Date.now()}`;
        const created = await maker.client.callTool({ name: 'create_dashboard', arguments: { name } });
        expect(created.isError, textOf(created)).toBeFalsy();
        const madeOn = maker.servedBy('tools/call', 'create_dashboard');
        const sameReplica = listenOn.indexOf(madeOn);
        expect(sameReplica).toBeGreaterThanOrEqual(0);
        await waitUntil('the listen stream on the replica that made the change heard it', () => heard[sameReplica]! > 0, 15_000);
        expect(heard[sameReplica]).toBe(1);
        // The other replicas never learn of it (they had as long to hear it): a limit the README states.
        expect(heard.filter((_, i) => i !== sameReplica)).toEqual([0, 0]);
        // The call's own response stream ended with its result: nothing reached the 2025-era client.
        expect(makerHeard).toBe(0);

        // What works for every client: reading the resource again, on any replica, shows the change.
        const read = await maker.client.readResource({ uri: 'cluvio://dashboards' });
        expect(maker.servedBy('resources/read')).not.toBe(madeOn);
        expect((read.contents[0] as { text: string }).text).toContain(name);
      } finally {
        for (const s of subscriptions) await s.close();
        await Promise.all([...listeners, maker].map((t) => t.client.close()));
      }
    });

    it('a 2026-07-28 client that cancels a call through the balancer cancels the query in Cluvio', async () => {
      const t = await connectTraced(b.url, headers, '2026');
      const marker = `cancel_${Date.now()}`;
      const executions = async () => (await (await fetch(`${sandboxEnv.CLUVIO_API_URL}/_sandbox/executions`)).json()) as Array<{ sql_query: string; status: string }>;
      const status = async () => (await executions()).find((e) => e.sql_query.includes(marker))?.status;
      try {
        const controller = new AbortController();
        // Short: the sandbox's engine runs one statement at a time and finishes a cancelled sleep before the next.
        const call = t.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: `SELECT pg_sleep(3), '${marker}'` } }, { signal: controller.signal });
        await waitUntil('the query runs in the sandbox', async () => (await status()) === 'running');
        controller.abort();
        await expect(call).rejects.toThrow(/abort/i);
        // Cancelled, not finished: the sleep would end as `success` after 3 s.
        await waitUntil('the query is cancelled in the sandbox', async () => (await status()) !== 'running', 15_000, 50);
        expect(await status()).toBe('cancelled');
        // The replicas go on serving queries once the sandbox's engine is free again.
        const next = executionOf(await t.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: 'SELECT 1 AS n' } }));
        expect(next.rows).toEqual([[1]]);
      } finally {
        await t.client.close();
      }
    });

    it('a replica stopped with SIGTERM under load loses no call, and the health checks on /readyz take it out', async () => {
      const victimName: ReplicaName = 'mcp2';
      const victim = b.replica(victimName);
      const workers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => connectTraced(b.url, headers, i % 2 === 0 ? '2025' : '2026')));
      interface Outcome {
        servedBy: ReplicaName | null;
        kind: 'completed' | 'clear error' | 'hang' | 'protocol error';
        detail: string;
        startedBeforeStop: boolean;
        endedAfterStop: boolean;
      }
      const outcomes: Outcome[] = [];
      let stopSentAt = Infinity;
      let stopping = false;
      const CLEAR = /shutting down|503|Service Unavailable|cancel/i;

      /** One call: a short query or a quick read, judged by what came back. */
      async function oneCall(t: Traced, n: number): Promise<void> {
        const before = t.exchanges.length;
        const startedAt = Date.now();
        const query = n % 2 === 0;
        const marker = `load_${n}_${Date.now()}`;
        let kind: Outcome['kind'];
        let detail = '';
        try {
          const res = query
            ? await t.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: `SELECT pg_sleep(0.4), '${marker}' AS m` } }, { timeout: 40_000 })
            : await t.client.callTool({ name: 'get_datasource', arguments: { id: DS } }, { timeout: 40_000 });
          detail = textOf(res).slice(0, 200);
          if (res.isError) kind = CLEAR.test(detail) ? 'clear error' : 'protocol error';
          else if (query) kind = executionOf(res).rows[0]?.at(-1) === marker ? 'completed' : 'protocol error';
          else kind = objectOf<{ id: string }>(res).id === DS ? 'completed' : 'protocol error';
        } catch (err) {
          detail = (err as Error).message;
          kind = /timed out|timeout/i.test(detail) ? 'hang' : CLEAR.test(detail) ? 'clear error' : 'protocol error';
        }
        const servedBy = t.exchanges.length > before ? t.exchanges.at(-1)!.servedBy : null;
        outcomes.push({ servedBy, kind, detail, startedBeforeStop: startedAt < stopSentAt, endedAfterStop: Date.now() > stopSentAt });
      }

      let n = 0;
      const load = workers.map(async (t) => {
        while (!stopping) await oneCall(t, n++);
      });
      try {
        // Stop the replica while one of its queries runs (the sandbox sleeps 0.4 s after the start is logged).
        const from = victim.stderr().length;
        await waitUntil('a query runs on the replica to stop', () => cluvioCalls(victim, from).some((l) => l.op === 'runExecution'), 20_000, 5);
        stopSentAt = Date.now();
        victim.child.kill('SIGTERM');
        await waitUntil(`HAProxy took ${victimName} out`, () => b.haproxyOutput().includes(`Server cluvio_mcp/${victimName} is DOWN`), 20_000);
        expect(await victim.exited).toBe(0);
        const afterDown = outcomes.length;
        await waitUntil('the load went on after the replica was out', () => outcomes.length >= afterDown + 12, 30_000);
      } finally {
        stopping = true;
        await Promise.all(load);
      }

      const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
      const unclear = outcomes.filter((o) => o.kind === 'hang' || o.kind === 'protocol error');
      expect(unclear, JSON.stringify(unclear)).toEqual([]);
      expect(count('completed') + count('clear error')).toBe(outcomes.length);
      expect(count('completed')).toBeGreaterThan(count('clear error'));
      // The stopped replica finished calls it was running when SIGTERM came.
      expect(outcomes.some((o) => o.servedBy === victimName && o.kind === 'completed' && o.startedBeforeStop && o.endedAfterStop)).toBe(true);

      // With the replica out, every call succeeds on the other two.
      const after = workers[0]!;
      const servedAfter = new Set<ReplicaName | null>();
      for (let i = 0; i < 6; i++) {
        const ds = objectOf<{ id: string }>(await after.client.callTool({ name: 'get_datasource', arguments: { id: DS } }));
        expect(ds.id).toBe(DS);
        servedAfter.add(after.servedBy('tools/call', 'get_datasource'));
      }
      expect([...servedAfter].sort()).toEqual(['mcp1', 'mcp3']);
      await Promise.all(workers.map((t) => t.client.close()));
    });
  });
}

const TOKEN = 'replicas-test-bearer-0123456789';
throughTheBalancer('three --stateless replicas behind HAProxy, shared bearer token', () => ({
  env: { CLUVIO_MCP_AUTH_TOKEN: TOKEN },
  headers: { authorization: `Bearer ${TOKEN}` },
}));

// OAuth: the replicas know only the issuer and the public URL behind the balancer; each checks tokens on its own.
const PUBLIC_URL = 'https://mcp.example.test/mcp';
let issuer: TestIssuer | undefined;
afterAll(async () => {
  await issuer?.close();
});
throughTheBalancer('three --stateless replicas behind HAProxy, OAuth access tokens (oidc-provider)', async () => {
  issuer = await startIssuer([PUBLIC_URL]);
  return {
    env: { CLUVIO_MCP_OAUTH_ISSUER: issuer.issuer, CLUVIO_MCP_OAUTH_AUDIENCE: PUBLIC_URL },
    headers: { authorization: `Bearer ${await issuer.userToken('alice', PUBLIC_URL)}` },
  };
});

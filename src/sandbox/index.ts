/**
 * The sandbox: a local Cluvio-compatible API server and data server (two loopback ports),
 * backed by PGlite in a worker thread holding generated sample data.
 *
 * Ports: `apiPort` and `dataPort` default to 0 (random). The CLI's `cluvio-mcp sandbox --port N`
 * calls `startSandbox({ apiPort: N })`; when apiPort is a fixed N and dataPort is not given, the
 * data server listens on N+1.
 *
 * startSandbox resolves as soon as both servers listen; the SQL engine starts in the background
 * and the first query waits for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { EngineClient, defaultCacheDir } from './engine/client.js';
import { ApiError, Router, parseJsonBody, readRawBody, send, sendError } from './http.js';
import { SandboxState } from './state.js';
import { datasourceRoutes } from './routes/datasources.js';
import { executionRoutes } from './routes/executions.js';
import { createWork } from './work/index.js';
import { controlRoutes } from './routes/control.js';
import { organisationRoutes } from './routes/organisation.js';
import { seedOrganisation } from './org/seed/index.js';
import { workRoutes } from './routes/work.js';
import { handleData } from './data-server.js';
import { FaultInjector, dataPattern } from './faults/index.js';

export interface SandboxOptions {
  /** Default 127.0.0.1 */
  host?: string;
  /** 0 = random (default) */
  apiPort?: number;
  /** 0 = random; default apiPort+1 when apiPort is fixed */
  dataPort?: number;
  /** Default: random 'sbx_' + hex */
  apiKey?: string;
  /** Default 300 */
  dataTokenTtlSeconds?: number;
  /** Where the seeded databases are cached between starts; null disables the cache. Default: os.tmpdir()/cluvio-mcp-sandbox */
  cacheDir?: string | null;
}

export interface Sandbox {
  apiUrl: string;
  dataUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The API server: route, count and fault the request, check the API key, parse the body, answer. */
function apiServer(router: Router, faults: FaultInjector, apiKey: string): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://sandbox.local');
        const m = router.match(req.method ?? 'GET', url.pathname);
        // The body is received before any fault (a request answered slowly is still carried out
        // when the client has given up); its errors are reported after routing and auth as before.
        const raw = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readRawBody(req).catch((e: unknown) => e as Error);
        // Test hooks: count every request but the control routes, and inject the faults asked for.
        if (!url.pathname.startsWith('/_sandbox/')) {
          faults.count('api', req.method ?? 'GET', 'route' in m ? m.route.path : url.pathname);
          if (await faults.apply('api', req, res, url.pathname)) return;
        }
        if (!('route' in m)) {
          if (m.allowed.length > 0) throw new ApiError(405, `method ${req.method} not allowed`, { allow: m.allowed.join(', ') });
          throw new ApiError(404, `no route for ${req.method} ${url.pathname}`);
        }
        if (m.route.public !== true) {
          const auth = req.headers.authorization ?? '';
          const am = /^Api\s+(\S+)$/.exec(auth);
          if (am === null) throw new ApiError(401, 'missing API key: use "Authorization: Api <secret>"');
          if (am[1] !== apiKey) throw new ApiError(401, 'invalid API key');
        }
        if (raw instanceof Error) throw raw;
        const body = raw === undefined ? undefined : parseJsonBody(raw);
        const route = m.route;
        const result = await faults.within(req.method ?? 'GET', url.pathname, () =>
          route.handler({ req, res, params: m.params, query: url.searchParams, body }),
        );
        if (result !== undefined) send(res, result.status, result.body, result.type, result.headers);
      } catch (e) {
        if (e instanceof ApiError) sendError(res, e);
        else sendError(res, new ApiError(500, `internal error: ${(e as Error).message}`));
      }
    })();
  });
}

/** The data server: results and schemas for a data key and its token (data-server.ts), counted and faulted too. */
function dataServer(state: SandboxState, faults: FaultInjector): http.Server {
  return http.createServer((req, res) => {
    void (async () => {
      const pathname = new URL(req.url ?? '/', 'http://sandbox.local').pathname;
      faults.count('data', req.method ?? 'GET', dataPattern(pathname));
      if (await faults.apply('data', req, res, pathname)) return;
      await handleData(state, req, res);
    })();
  });
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey ?? `sbx_${randomBytes(16).toString('hex')}`;
  const apiPortWanted = opts.apiPort ?? 0;
  const dataPortWanted = opts.dataPort ?? (apiPortWanted > 0 ? apiPortWanted + 1 : 0);

  const engine = new EngineClient({ cacheDir: opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir });
  // Surface nothing here: the first query waits for (and reports) engine failures.
  engine.ready().catch(() => undefined);
  const state = new SandboxState({ apiKey, dataTokenTtlSeconds: opts.dataTokenTtlSeconds ?? 300 }, engine);
  seedOrganisation(state);
  const faults = new FaultInjector();
  const work = createWork(state, faults);

  const router = new Router();
  router.add(
    ...controlRoutes(state, faults, router),
    ...datasourceRoutes(state),
    ...executionRoutes(state, work.runner),
    ...organisationRoutes(state),
    ...workRoutes(state, work),
  );

  const api = apiServer(router, faults, apiKey);
  const data = dataServer(state, faults);
  for (const s of [api, data]) s.keepAliveTimeout = 5_000;

  let apiPort: number;
  let dataPort: number;
  try {
    apiPort = await listen(api, apiPortWanted, host);
    dataPort = await listen(data, dataPortWanted, host);
  } catch (e) {
    api.close();
    data.close();
    work.close();
    faults.close();
    await engine.close();
    throw e;
  }

  let closing: Promise<void> | null = null;
  return {
    apiUrl: `http://${urlHost(host)}:${apiPort}`,
    dataUrl: `http://${urlHost(host)}:${dataPort}`,
    apiKey,
    close(): Promise<void> {
      closing ??= (async () => {
        work.close();
        faults.close();
        const stop = (s: http.Server): Promise<void> =>
          new Promise((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          });
        await Promise.all([stop(api), stop(data), engine.close()]);
      })();
      return closing;
    },
  };
}

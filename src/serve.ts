/**
 * Serving MCP (stdio or streamable HTTP): loaded by cli.ts only for that command, so `check` and `sandbox` load
 * none of the server machinery.
 */
import { ApiClient, sharedAgent } from './cluvio/api-client.js';
import { DataClient } from './cluvio/data-client.js';
import { Limiter } from './cluvio/limiter.js';
import { CluvioApiError } from './cluvio/errors.js';
import type { Config } from './config.js';
import { Activity } from './activity.js';
import type { Deps } from './context.js';
import { Inventory } from './inventory.js';
import { toolName } from './operations/index.js';
import { requiredScope } from './operations/types.js';
import { createLogger } from './logger.js';
import { limiterGauges, loadMetrics } from './metrics/index.js';
import { ResourceHub } from './resources/hub.js';
import { createServerFactory, factoriesByKey } from './server.js';
import { Confirmations } from './tools/confirm.js';
import type { ServerFor } from './transports/http.js';
import { startStdio } from './transports/stdio.js';

/** Serves MCP until SIGTERM (or SIGINT over HTTP); `closeSandbox` stops the sandbox cli.ts started for --sandbox. */
export async function serve(config: Config, closeSandbox?: () => Promise<void>): Promise<void> {
  const logger = createLogger(config.logLevel);
  // Built once: every server of this process (per connection, session or HTTP request) reads it.
  const inventory = new Inventory(config);
  if (config.sandbox) logger.info({ apiUrl: config.apiUrl, dataUrl: config.dataUrl }, 'sandbox started');
  const dispatcher = sharedAgent();
  // Over HTTP only (refused with stdio); off, a recorder of no-ops and prom-client never loaded.
  const metrics = await loadMetrics(config.http.metrics);
  // One cap for the whole process (every session and per-user key): requests beyond it wait in line.
  const limiter = new Limiter(config.maxConcurrency, metrics.queueWait('requests'));
  const api = new ApiClient({ baseUrl: config.apiUrl, apiKey: config.apiKey ?? '', timeoutMs: config.requestTimeoutMs, logger, dispatcher, limiter, metrics });
  const data = new DataClient({ baseUrl: config.dataUrl, timeoutMs: config.requestTimeoutMs, logger, dispatcher, limiter, metrics });
  const activity = new Activity();
  // Requests are short; a query runs on in Cluvio while the server polls it, so running queries get their own cap
  // (Cluvio's default limit is 20 concurrent executions per datasource).
  const queries = new Limiter(config.maxConcurrency, metrics.queueWait('queries'));
  metrics.watch(limiterGauges(limiter, queries));
  // One per process: every session, HTTP request and per-user key spends tokens from the same store.
  const confirmations = config.confirm === 'off' ? undefined : new Confirmations(config.confirm, { secret: config.confirmSecret });
  const deps: Deps = { api, data, config, logger, inventory, hub: new ResourceHub(logger), activity, queries, confirmations, metrics };
  const started = { operations: inventory.selected.length, discovery: config.discovery, readOnly: config.readOnly, confirm: config.confirm, apiUrl: config.apiUrl, maxConcurrency: config.maxConcurrency };

  if (config.transport === 'http') {
    // Loaded only for --transport http: the HTTP stack (Hono adapter, session handling, node:http) costs stdio start-up time and memory.
    const [{ startHttp }, { metricsEndpoint }] = await Promise.all([import('./transports/http.js'), import('./metrics/endpoint.js')]);
    // Factories by OAuth scope set (one inventory each, at most 8, made on first use), then by Cluvio key.
    const byAccess = new Map<Inventory, ReturnType<typeof factoriesByKey>>();
    const serverFor: ServerFor = ({ apiKey, access }) => {
      const inv = access ? inventory.forAccess(access) : inventory;
      let forKey = byAccess.get(inv);
      if (!forKey) byAccess.set(inv, (forKey = factoriesByKey({ ...deps, inventory: inv })));
      return forKey(apiKey);
    };
    const scopes = new Map(inventory.selected.map((op) => [toolName(op), requiredScope(op)]));
    const endpoint = await metricsEndpoint(config.http, metrics, logger);
    const http = await startHttp(config.http, {
      serverFor,
      scopeOf: (tool) => scopes.get(tool),
      ready: () => cluvioReachable(api, !!config.apiKey),
      activity,
      logger,
      hub: deps.hub,
      metrics,
      scrape: endpoint.scrape,
    });
    metrics.watch({ sessionsOpen: http.sessionsOpen });
    logger.info(
      { ...started, url: http.url, stateless: config.http.stateless, auth: !!config.http.authToken, oauth: !!config.http.oauthIssuer, keysFile: !!config.http.keysFile },
      'serving MCP over streamable HTTP',
    );
    await new Promise<void>((resolve) => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
    });
    logger.info('shutting down: draining in-flight calls');
    await http.close();
    await endpoint.close();
  } else {
    logger.info(started, 'serving MCP over stdio');
    await Promise.race([
      startStdio(createServerFactory(deps), logger),
      new Promise<void>((resolve) => process.once('SIGTERM', () => resolve())),
    ]);
  }
  await closeSandbox?.();
  await dispatcher.close();
  logger.flush();
}

/** Readiness: Cluvio answers, and accepts the configured key when there is one. */
async function cluvioReachable(api: ApiClient, hasKey: boolean): Promise<boolean> {
  try {
    await api.send({ operation: 'readiness', method: 'GET', path: '/datasources', idempotent: false, signal: AbortSignal.timeout(5_000) });
    return true;
  } catch (err) {
    return !hasKey && err instanceof CluvioApiError;
  }
}

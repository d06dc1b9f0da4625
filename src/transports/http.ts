import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server as NodeServer } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { createMcpHandler, isJsonContentType, isLegacyRequest, readRequestBody, type McpServerFactory } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Activity } from '../activity.js';
import type { HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Scope } from '../operations/types.js';
import type { Metrics } from '../metrics/recorder.js';
import type { ResourceHub } from '../resources/hub.js';
import type { ServerFactory } from '../server.js';
import { callerCheck, jsonRpcError, type Caller } from './http-access.js';
import { Sessions } from './http-sessions.js';

/** The server factory for a request: with the caller's own Cluvio key, and only the tools its OAuth scopes cover. */
export type ServerFor = (caller: Pick<Caller, 'apiKey' | 'access'>) => ServerFactory;

export interface HttpServerHandle {
  url: string;
  /** Stop accepting, let in-flight calls finish within the grace period, then abort the rest. */
  close(): Promise<void>;
  /** Open 2025-era sessions. */
  sessionsOpen(): number;
}

export interface HttpDeps {
  serverFor: ServerFor;
  /** The OAuth scope an operation tool needs (undefined: not an operation tool). */
  scopeOf: (tool: string) => Scope | undefined;
  /** Readiness (/readyz): Cluvio answers with the configured key. */
  ready: () => Promise<boolean>;
  activity: Activity;
  logger: Logger;
  hub: ResourceHub;
  metrics?: Metrics;
  /** GET /metrics on this port (behind the same checks as /mcp); none: 404. */
  scrape?: () => Promise<Response>;
}

/**
 * Streamable HTTP on /mcp: 2026-07-28 clients per request (stateless by design); 2025-era clients with
 * sessions, or per request with `stateless`. Origin, Host and bearer-token (or OAuth) checks come first.
 */
export async function startHttp(cfg: HttpConfig, deps: HttpDeps): Promise<HttpServerHandle> {
  const { serverFor, logger } = deps;
  const onerror = (err: Error) => logger.debug({ error: err.message }, 'mcp http');
  const check = await callerCheck(cfg, logger, deps.scopeOf);
  // The request being served, for the factory: its caller, and its JSON-RPC message.
  const current = new AsyncLocalStorage<{ caller: Caller; message: unknown }>();

  // The modern (2026-07-28) leg is per request; the factory sees each request, so per-user keys and scopes apply per
  // call, and a server for one tools/call registers only that tool.
  const factory: McpServerFactory = (ctx) => {
    deps.metrics?.perRequestServer(ctx.era);
    const { caller, message } = current.getStore()!;
    const server = serverFor(caller)({ perRequest: true, tool: calledTool(message) });
    // A 2025-era request served on its own (--stateless) has no stream for list_changed to reach: promise none.
    if (ctx.era === 'legacy') {
      const has = server.server.getCapabilities();
      server.server.registerCapabilities(Object.fromEntries((['tools', 'resources', 'prompts'] as const).filter((k) => has[k]).map((k) => [k, { ...has[k], listChanged: false }])));
    }
    return server;
  };
  const modern = createMcpHandler(factory, { legacy: cfg.stateless ? 'stateless' : 'reject', maxRequestBodySize: cfg.maxBodyBytes, onerror });
  // 2026-07-28 clients hear about changed resources on their subscriptions/listen streams.
  const offResources = deps.hub.onListChanged(() => modern.notify.resourcesChanged());
  const sessions = new Sessions(cfg, (caller) => serverFor(caller)(), logger);
  let draining = false;

  let lastRequestAt = 0;

  async function fetch(request: Request): Promise<Response> {
    lastRequestAt = Date.now();
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return Response.json({ status: 'ok' });
    if (pathname === '/readyz') {
      const ok = await deps.ready().catch(() => false);
      return Response.json({ status: ok ? 'ready' : 'cluvio unreachable or key refused' }, { status: ok ? 200 : 503 });
    }
    const document = check.wellKnown(request, pathname);
    if (document) return document;
    const metrics = pathname === '/metrics' && deps.scrape;
    if (pathname !== '/mcp' && !metrics) return Response.json({ error: 'not found; the MCP endpoint is /mcp' }, { status: 404 });
    if (draining) {
      // A balancer sends a 503 to another replica (nothing ran); closing the connection ends its reuse.
      const refused = jsonRpcError(503, -32000, 'Server is shutting down.');
      refused.headers.set('connection', 'close');
      return refused;
    }
    // /metrics needs what /mcp needs to get in (a valid token), not a Cluvio key or scopes.
    if (metrics) return (await check.admit(request)) ?? metrics();
    let reading: ReturnType<typeof readMessage> | undefined;
    const readOnce = () => (reading ??= readMessage(request, cfg.maxBodyBytes));
    const caller = await check.identify(request, async () => {
      const r = await readOnce();
      return r instanceof Response ? undefined : r.message;
    });
    if (caller instanceof Response) return caller;
    const read = await readOnce();
    if (read instanceof Response) return read;
    const { message } = read;
    // Only 2025-era traffic has sessions: a request in one of ours skips isLegacyRequest.
    if (!cfg.stateless && (sessions.knows(request) || (await isLegacyRequest(read.request, message, { maxRequestBodySize: cfg.maxBodyBytes })))) {
      return sessions.handle(read.request, caller, message);
    }
    return current.run({ caller, message }, () => modern.fetch(read.request, { authInfo: caller.authInfo, ...(message !== undefined && { parsedBody: message }) }));
  }

  const node: NodeServer = createServer(toNodeHandler({ fetch }, { maxRequestBodySize: cfg.maxBodyBytes, onerror }));
  await new Promise<void>((resolve, reject) => {
    node.once('error', reject);
    node.listen(cfg.port, cfg.host, () => resolve());
  });
  const { port } = node.address() as AddressInfo;
  const url = `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}/mcp`;

  return {
    url,
    sessionsOpen: () => sessions.size,
    async close() {
      const closing = Date.now();
      draining = true;
      offResources();
      check.close();
      // Stop listening, so health checks fail, but keep open keep-alive connections: node.close() would also drop
      // the idle ones, and a balancer that sends a request on one just then loses it (HAProxy closes the client's
      // connection without an answer). Requests on them now get a 503, which a balancer retries elsewhere.
      NetServer.prototype.close.call(node);
      // Tool calls (not HTTP exchanges: a 2025 session answers over a stream) decide when we are idle.
      const finished = await deps.activity.idle(cfg.shutdownGraceMs);
      if (!finished) logger.warn({ running: deps.activity.active }, 'grace period over: cancelling calls still running');
      // A finished call's result is written to its stream just after the handler returns: let it go out.
      else await new Promise((resolve) => setTimeout(resolve, 250));
      // Aborting the exchanges aborts the tool calls' signals, which cancel their work in Cluvio.
      await modern.close();
      await sessions.closeAll();
      // Let cancelled calls send their upstream cancel before the sockets go.
      if (!finished) await deps.activity.idle(2_000);
      // Close connections once requests have stopped coming (the balancer has taken us out), within the grace.
      while (Date.now() - lastRequestAt < QUIET_MS && Date.now() - closing < cfg.shutdownGraceMs) await new Promise((resolve) => setTimeout(resolve, 100));
      node.closeAllConnections();
    },
  };
}


/** How long no request must arrive before a draining server closes its connections. */
const QUIET_MS = 1_000;

/**
 * A POST's JSON-RPC message, read once: the SDK would otherwise copy the body stream and parse it twice (once to tell
 * the eras apart, once to serve). A body that is not JSON goes on as it came, for the SDK to answer.
 */
async function readMessage(request: Request, maxBytes: number): Promise<Response | { request: Request; message: unknown }> {
  if (request.method !== 'POST' || !isJsonContentType(request.headers.get('content-type'))) return { request, message: undefined };
  let text: string;
  try {
    const body = await readRequestBody(request, maxBytes);
    if (body.tooLarge) return jsonRpcError(413, -32000, `Payload Too Large: Request body must not exceed ${maxBytes} bytes`);
    text = body.text;
  } catch {
    return jsonRpcError(400, -32700, 'Parse error: the request body could not be read');
  }
  try {
    if (text.length) return { request, message: JSON.parse(text) as unknown };
  } catch {
    // not JSON: the SDK's own answer below
  }
  return { request: new Request(request.url, { method: 'POST', headers: request.headers, body: text }), message: undefined };
}

/** The tool a JSON-RPC message calls, if it is one tools/call. */
function calledTool(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
  return method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
}

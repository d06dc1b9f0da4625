import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server as NodeServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
  type McpServer,
  type McpServerFactory,
} from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { isLoopback, type HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { onResourcesListChanged } from '../resources/index.js';
import type { Activity } from '../tools/activity.js';

/** Builds the MCP server for a request: with the caller's own Cluvio key when per-user keys are on. */
export type ServerForKey = (apiKey: string | undefined) => () => McpServer;

export interface HttpServerHandle {
  url: string;
  /** Stop accepting, let in-flight calls finish within the grace period, then abort the rest. */
  close(): Promise<void>;
}

export const USER_KEY_HEADER = 'x-cluvio-api-key';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  keyHash: string;
  lastSeen: number;
}

/**
 * Streamable HTTP on /mcp: 2026-07-28 clients per request (stateless by design); 2025-era clients
 * with sessions, or per request with `stateless`. Origin, Host and bearer-token checks come first.
 */
export async function startHttp(
  cfg: HttpConfig,
  serverFor: ServerForKey,
  ready: () => Promise<boolean>,
  activity: Activity,
  logger: Logger,
): Promise<HttpServerHandle> {
  // Localhost is always allowed; CLUVIO_MCP_ALLOWED_HOSTS adds to it. No list at all only on a non-loopback
  // address without configured hosts (a bearer token is required there).
  const allowedHosts = cfg.allowedHosts.length || isLoopback(cfg.host) ? [...localhostAllowedHostnames(), ...cfg.allowedHosts] : undefined;
  const allowedOrigins = [...localhostAllowedOrigins(), ...cfg.allowedOrigins];
  const tokenHash = cfg.authToken ? sha256(cfg.authToken) : undefined;
  const onerror = (err: Error) => logger.debug({ error: err.message }, 'mcp http');

  const keyOf = (request: Request | undefined): string | undefined =>
    cfg.perUserKeys ? request?.headers.get(USER_KEY_HEADER)?.trim() || undefined : undefined;
  // The modern (2026-07-28) leg is per request; the factory sees each request, so per-user keys apply per call.
  const factory: McpServerFactory = (ctx) => serverFor(keyOf(ctx.requestInfo))();
  const modern = createMcpHandler(factory, {
    legacy: cfg.stateless ? 'stateless' : 'reject',
    maxRequestBodySize: cfg.maxBodyBytes,
    onerror,
  });
  // 2026-07-28 clients hear about changed resources on their subscriptions/listen streams.
  const offResources = onResourcesListChanged(() => modern.notify.resourcesChanged());

  const sessions = new Map<string, Session>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) {
      if (now - s.lastSeen > cfg.sessionIdleMs) {
        logger.info({ session: id }, 'closing idle session');
        void closeSession(id);
      }
    }
  }, Math.min(60_000, cfg.sessionIdleMs)).unref();

  async function closeSession(id: string): Promise<void> {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await s.transport.close().catch(() => undefined);
    await s.server.close().catch(() => undefined);
  }

  /** 2025-era traffic with sessions: one transport and server per session, bound to the key that opened it. */
  async function legacy(request: Request): Promise<Response> {
    const keyHash = sha256(cfg.perUserKeys ? (request.headers.get(USER_KEY_HEADER)?.trim() ?? '') : '');
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const s = sessions.get(id);
      if (!s) return jsonRpcError(404, -32001, 'Session not found: start a new session with initialize.');
      if (!equalHashes(s.keyHash, keyHash)) return jsonRpcError(403, -32001, 'This session belongs to another Cluvio API key.');
      s.lastSeen = Date.now();
      const res = await s.transport.handleRequest(request);
      if (request.method === 'DELETE') await closeSession(id);
      return res;
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad request: no session id; start with an initialize POST.');
    const server = serverFor(keyOf(request))();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: cfg.maxBodyBytes,
      onsessioninitialized: (sid) => {
        sessions.set(sid, { transport, server, keyHash, lastSeen: Date.now() });
      },
      onsessionclosed: (sid) => {
        sessions.delete(sid);
      },
    });
    await server.connect(transport);
    const res = await transport.handleRequest(request);
    if (!transport.sessionId) await server.close().catch(() => undefined);
    return res;
  }

  let draining = false;

  // Only 2025-era traffic has sessions: a request in one of ours skips isLegacyRequest, which reads and checks the body.
  const isKnownSession = (request: Request): boolean => sessions.has(request.headers.get('mcp-session-id') ?? '');

  async function fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return Response.json({ status: 'ok' });
    if (pathname === '/readyz') {
      const ok = await ready().catch(() => false);
      return Response.json({ status: ok ? 'ready' : 'cluvio unreachable or key refused' }, { status: ok ? 200 : 503 });
    }
    if (pathname !== '/mcp') return Response.json({ error: 'not found; the MCP endpoint is /mcp' }, { status: 404 });
    if (draining) return jsonRpcError(503, -32000, 'Server is shutting down.');
    const rejected = (allowedHosts ? hostHeaderValidationResponse(request, allowedHosts) : undefined) ?? originValidationResponse(request, allowedOrigins);
    if (rejected) return rejected;
    if (tokenHash) {
      const m = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
      if (!m || !equalHashes(sha256(m[1]!.trim()), tokenHash)) {
        return new Response(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <CLUVIO_MCP_AUTH_TOKEN>' }), {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="cluvio-mcp"' },
        });
      }
    }
    if (!cfg.stateless && (isKnownSession(request) || (await isLegacyRequest(request, undefined, { maxRequestBodySize: cfg.maxBodyBytes })))) return legacy(request);
    return modern.fetch(request);
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
    async close() {
      draining = true;
      clearInterval(sweep);
      offResources();
      node.close();
      // Tool calls (not HTTP exchanges: a 2025 session answers over a stream) decide when we are idle.
      const finished = await activity.idle(cfg.shutdownGraceMs);
      if (!finished) logger.warn({ running: activity.active }, 'grace period over: cancelling calls still running');
      // A finished call's result is written to its stream just after the handler returns: let it go out.
      else await new Promise((resolve) => setTimeout(resolve, 250));
      // Aborting the exchanges aborts the tool calls' signals, which cancel their work in Cluvio.
      await modern.close();
      await Promise.all([...sessions.keys()].map(closeSession));
      // Let cancelled calls send their upstream cancel before the sockets go.
      if (!finished) await activity.idle(2_000);
      node.closeAllConnections();
    },
  };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time comparison of two hex digests (same length by construction). */
function equalHashes(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

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
import type { Activity } from '../activity.js';
import { isLoopback, type HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ResourceHub } from '../resources/hub.js';

/** Builds the MCP server for a request: with the caller's own Cluvio key when per-user keys are on. */
export type ServerForKey = (apiKey: string | undefined) => () => McpServer;

export interface HttpServerHandle {
  url: string;
  /** Stop accepting, let in-flight calls finish within the grace period, then abort the rest. */
  close(): Promise<void>;
}

export interface HttpDeps {
  serverFor: ServerForKey;
  /** Readiness (/readyz): Cluvio answers with the configured key. */
  ready: () => Promise<boolean>;
  activity: Activity;
  logger: Logger;
  hub: ResourceHub;
}

export const USER_KEY_HEADER = 'x-cluvio-api-key';

/**
 * Streamable HTTP on /mcp: 2026-07-28 clients per request (stateless by design); 2025-era clients with
 * sessions, or per request with `stateless`. Origin, Host and bearer-token checks come first.
 */
export async function startHttp(cfg: HttpConfig, deps: HttpDeps): Promise<HttpServerHandle> {
  const { serverFor, logger } = deps;
  const onerror = (err: Error) => logger.debug({ error: err.message }, 'mcp http');
  const keyOf = (request: Request | undefined): string | undefined =>
    cfg.perUserKeys ? request?.headers.get(USER_KEY_HEADER)?.trim() || undefined : undefined;
  const refuse = accessCheck(cfg);

  // The modern (2026-07-28) leg is per request; the factory sees each request, so per-user keys apply per call.
  const factory: McpServerFactory = (ctx) => serverFor(keyOf(ctx.requestInfo))();
  const modern = createMcpHandler(factory, { legacy: cfg.stateless ? 'stateless' : 'reject', maxRequestBodySize: cfg.maxBodyBytes, onerror });
  // 2026-07-28 clients hear about changed resources on their subscriptions/listen streams.
  const offResources = deps.hub.onListChanged(() => modern.notify.resourcesChanged());
  const sessions = new Sessions(cfg, (request) => serverFor(keyOf(request))(), logger);
  let draining = false;

  async function fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return Response.json({ status: 'ok' });
    if (pathname === '/readyz') {
      const ok = await deps.ready().catch(() => false);
      return Response.json({ status: ok ? 'ready' : 'cluvio unreachable or key refused' }, { status: ok ? 200 : 503 });
    }
    if (pathname !== '/mcp') return Response.json({ error: 'not found; the MCP endpoint is /mcp' }, { status: 404 });
    if (draining) return jsonRpcError(503, -32000, 'Server is shutting down.');
    const refused = refuse(request);
    if (refused) return refused;
    // Only 2025-era traffic has sessions: a request in one of ours skips isLegacyRequest, which reads and checks the body.
    if (!cfg.stateless && (sessions.knows(request) || (await isLegacyRequest(request, undefined, { maxRequestBodySize: cfg.maxBodyBytes })))) {
      return sessions.handle(request);
    }
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
      offResources();
      node.close();
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
      node.closeAllConnections();
    },
  };
}

/**
 * Host (DNS rebinding), Origin and bearer-token checks: the refusal to answer, or undefined to go on. Localhost
 * is always allowed; CLUVIO_MCP_ALLOWED_HOSTS adds to it. No Host list at all only on a non-loopback address
 * without configured hosts (a bearer token is required there).
 */
function accessCheck(cfg: HttpConfig): (request: Request) => Response | undefined {
  const allowedHosts = cfg.allowedHosts.length || isLoopback(cfg.host) ? [...localhostAllowedHostnames(), ...cfg.allowedHosts] : undefined;
  const allowedOrigins = [...localhostAllowedOrigins(), ...cfg.allowedOrigins];
  const tokenHash = cfg.authToken ? sha256(cfg.authToken) : undefined;
  return (request) => {
    const rejected = (allowedHosts ? hostHeaderValidationResponse(request, allowedHosts) : undefined) ?? originValidationResponse(request, allowedOrigins);
    if (rejected) return rejected;
    if (!tokenHash) return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
    if (m && equalHashes(sha256(m[1]!.trim()), tokenHash)) return undefined;
    return new Response(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <CLUVIO_MCP_AUTH_TOKEN>' }), {
      status: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="cluvio-mcp"' },
    });
  };
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  keyHash: string;
  lastSeen: number;
}

/** 2025-era traffic with sessions: one transport and server per session, bound to the key that opened it, closed when idle. */
class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly cfg: HttpConfig,
    private readonly serverFor: (request: Request) => McpServer,
    logger: Logger,
  ) {
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, s] of this.sessions) {
        if (now - s.lastSeen > cfg.sessionIdleMs) {
          logger.info({ session: id }, 'closing idle session');
          void this.close(id);
        }
      }
    }, Math.min(60_000, cfg.sessionIdleMs)).unref();
  }

  knows(request: Request): boolean {
    return this.sessions.has(request.headers.get('mcp-session-id') ?? '');
  }

  async handle(request: Request): Promise<Response> {
    const keyHash = sha256(this.cfg.perUserKeys ? (request.headers.get(USER_KEY_HEADER)?.trim() ?? '') : '');
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const s = this.sessions.get(id);
      if (!s) return jsonRpcError(404, -32001, 'Session not found: start a new session with initialize.');
      if (!equalHashes(s.keyHash, keyHash)) return jsonRpcError(403, -32001, 'This session belongs to another Cluvio API key.');
      s.lastSeen = Date.now();
      const res = await s.transport.handleRequest(request);
      if (request.method === 'DELETE') await this.close(id);
      return res;
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad request: no session id; start with an initialize POST.');
    const server = this.serverFor(request);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.cfg.maxBodyBytes,
      onsessioninitialized: (sid) => {
        this.sessions.set(sid, { transport, server, keyHash, lastSeen: Date.now() });
      },
      onsessionclosed: (sid) => {
        this.sessions.delete(sid);
      },
    });
    await server.connect(transport);
    const res = await transport.handleRequest(request);
    if (!transport.sessionId) await server.close().catch(() => undefined);
    return res;
  }

  private async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    await s.transport.close().catch(() => undefined);
    await s.server.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
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

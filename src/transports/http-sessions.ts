import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport, type McpServer } from '@modelcontextprotocol/server';
import type { HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { equalHashes, jsonRpcError, type Caller } from './http-access.js';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  /** Caller.owner of the request that opened it. */
  owner: string;
  lastSeen: number;
}

/**
 * 2025-era traffic with sessions: one transport and server per session, bound to the caller that opened it (its
 * Cluvio key, or its OAuth identity), closed when idle. The server keeps the tools of the opening token's scopes.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly cfg: HttpConfig,
    private readonly serverFor: (caller: Caller) => McpServer,
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

  get size(): number {
    return this.sessions.size;
  }

  knows(request: Request): boolean {
    return this.sessions.has(request.headers.get('mcp-session-id') ?? '');
  }

  /** `message`: the request's JSON-RPC body, already read (undefined: none, or not JSON). */
  async handle(request: Request, caller: Caller, message?: unknown): Promise<Response> {
    const { owner, authInfo } = caller;
    const id = request.headers.get('mcp-session-id');
    if (id) {
      const s = this.sessions.get(id);
      if (!s) return jsonRpcError(404, -32001, 'Session not found: start a new session with initialize.');
      if (!equalHashes(s.owner, owner)) return jsonRpcError(403, -32001, `This session belongs to another ${authInfo ? 'identity' : 'Cluvio API key'}.`);
      s.lastSeen = Date.now();
      const res = await s.transport.handleRequest(request, { authInfo, parsedBody: message });
      if (request.method === 'DELETE') await this.close(id);
      return res;
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad request: no session id; start with an initialize POST.');
    const server = this.serverFor(caller);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.cfg.maxBodyBytes,
      onsessioninitialized: (sid) => {
        this.sessions.set(sid, { transport, server, owner, lastSeen: Date.now() });
      },
      onsessionclosed: (sid) => {
        this.sessions.delete(sid);
      },
    });
    await server.connect(transport);
    const res = await transport.handleRequest(request, { authInfo, parsedBody: message });
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


import { createHash, timingSafeEqual } from 'node:crypto';
import { hostHeaderValidationResponse, localhostAllowedHostnames, localhostAllowedOrigins, originValidationResponse } from '@modelcontextprotocol/server';
import { isLoopback, type HttpConfig } from '../config.js';

/**
 * Host (DNS rebinding), Origin and bearer-token checks: the refusal to answer, or undefined to go on. Localhost
 * is always allowed; CLUVIO_MCP_ALLOWED_HOSTS adds to it. No Host list at all only on a non-loopback address
 * without configured hosts (a bearer token is required there).
 */
export function accessCheck(cfg: HttpConfig): (request: Request) => Response | undefined {
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

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time comparison of two hex digests (same length by construction). */
export function equalHashes(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

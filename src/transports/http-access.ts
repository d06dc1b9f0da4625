import { createHash, timingSafeEqual } from 'node:crypto';
import { hostHeaderValidationResponse, localhostAllowedHostnames, localhostAllowedOrigins, originValidationResponse, type AuthInfo } from '@modelcontextprotocol/server';
import { isLoopback, type HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { SCOPES, type Access, type Scope } from '../operations/types.js';

/** The header a request may carry its own Cluvio key in (CLUVIO_MCP_PER_USER_KEYS). */
export const USER_KEY_HEADER = 'x-cluvio-api-key';

/** Who a request comes from, as far as serving it goes. */
export interface Caller {
  /** What a 2025-era session is bound to: a hash of the caller's Cluvio key, or of the OAuth identity. */
  owner: string;
  /** The caller's own Cluvio key (per-user header or keys file); none: the shared key. */
  apiKey?: string;
  /** The access classes the OAuth token's scopes cover; none: every class (no OAuth). */
  access?: ReadonlySet<Access>;
  /** The verified access token, for the MCP handlers. */
  authInfo?: AuthInfo;
}

export interface CallerCheck {
  /** The caller of an /mcp request, or the refusal to answer with; `message` reads its JSON-RPC body (once, on demand). */
  identify(request: Request, message: () => Promise<unknown>): Promise<Caller | Response>;
  /** The refusal for a request without what gets it in (Host, Origin, a valid token); undefined to go on. */
  admit(request: Request): Promise<Response | undefined>;
  /** Public documents served before any check (the OAuth Protected Resource Metadata); undefined for other paths. */
  wellKnown(request: Request, pathname: string): Response | undefined;
  close(): void;
}

/**
 * Every check an /mcp request passes, and who it comes from: Host and Origin, then either the shared bearer token
 * (with the optional per-user key header) or, with CLUVIO_MCP_OAUTH_ISSUER, an access token, its scopes and the
 * person's key from CLUVIO_MCP_KEYS_FILE. `scopeOf` names the scope an operation tool needs (undefined: none).
 */
export async function callerCheck(cfg: HttpConfig, logger: Logger, scopeOf: (tool: string) => Scope | undefined): Promise<CallerCheck> {
  const refuse = accessCheck(cfg);
  const headerKey = (request: Request) => (cfg.perUserKeys ? request.headers.get(USER_KEY_HEADER)?.trim() || undefined : undefined);
  if (!cfg.oauthIssuer) {
    return {
      async identify(request) {
        const key = headerKey(request);
        return refuse(request) ?? { owner: sha256(key ?? ''), apiKey: key };
      },
      admit: async (request) => refuse(request),
      wellKnown: () => undefined,
      close: () => undefined,
    };
  }
  // Loaded only with OAuth on: jose and the keys file cost nothing otherwise.
  const { OAuthGate, missingScopes } = await import('./oauth.js');
  const { KeysFile } = await import('./keys.js');
  const gate = new OAuthGate({ issuer: cfg.oauthIssuer, audience: cfg.oauthAudience!, jwksUrl: cfg.oauthJwksUrl }, logger);
  const keys = cfg.keysFile ? new KeysFile(cfg.keysFile, cfg.keysClaim, logger) : undefined;
  return {
    async identify(request, message) {
      const rejected = refuse(request);
      if (rejected) return rejected;
      const who = await gate.authenticate(request);
      if (who instanceof Response) return who;
      // Step-up: a call (or a resource read) the token's scopes do not cover is refused before dispatch, naming the scope.
      if (request.method === 'POST' && !SCOPES.every((scope) => who.scopes.includes(scope))) {
        const missing = missingScopes(await message(), new Set(who.scopes), scopeOf);
        if (missing) return gate.insufficientScope(missing.scopes, missing.what);
      }
      let apiKey = headerKey(request);
      if (keys) {
        apiKey = keys.keyFor(who.claims);
        if (!apiKey) {
          logger.info({ claim: keys.claim }, 'no Cluvio key for this identity in the keys file');
          return Response.json(
            {
              error: 'no_cluvio_key',
              error_description: `Your identity has no Cluvio API key here: the ${keys.claim} claim of your access token matches no entry of this server's keys file (CLUVIO_MCP_KEYS_FILE). Ask whoever runs this server to add you.`,
            },
            { status: 403 },
          );
        }
      }
      return { owner: who.subject, apiKey, access: who.access, authInfo: who.authInfo };
    },
    async admit(request) {
      const who = refuse(request) ?? (await gate.authenticate(request));
      return who instanceof Response ? who : undefined;
    },
    wellKnown: (request, pathname) => gate.metadataResponse(request, pathname),
    close: () => keys?.close(),
  };
}

/**
 * Host (DNS rebinding), Origin and shared bearer-token checks: the refusal to answer, or undefined to go on. Localhost
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

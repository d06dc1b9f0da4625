/**
 * cluvio-mcp as an OAuth 2.1 resource server (CLUVIO_MCP_OAUTH_ISSUER): JWT access tokens checked against the
 * issuer's published keys, the RFC 9728 Protected Resource Metadata that tells clients where to get one, and the
 * 401/403 challenges that point them there. Loaded only when the issuer is set.
 */
import { createHash } from 'node:crypto';
import {
  bearerAuthChallengeResponse,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type AuthInfo,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/server';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../logger.js';
import { accessOf, SCOPES, type Access, type Scope } from '../operations/types.js';

/** How far the issuer's clock and ours may disagree when checking `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 30;

/**
 * Asymmetric signatures only: `none` carries no signature, and HS* would need the issuer's shared secret here
 * (anyone holding it could mint tokens).
 */
export const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** The JWKS is kept for 10 minutes, and fetched again at once for a key id it does not know (a rotation), at most every 30 s. */
const JWKS_CACHE = { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 };

export interface OAuthSettings {
  issuer: string;
  /** The resource's canonical URL: tokens must carry it in `aud`, and it is the metadata's `resource`. */
  audience: string;
  jwksUrl?: string;
}

/** Who a verified token speaks for, and what it may do. */
export interface Identity {
  /** A stable key for the person or client (issuer and `sub`), hashed: sessions are bound to it. */
  subject: string;
  claims: JWTPayload;
  scopes: string[];
  access: Set<Access>;
  /** Handed to the MCP handlers (ctx.http.authInfo). */
  authInfo: AuthInfo;
}

/** The RFC 9728 document: the resource, who issues tokens for it, the scopes it knows and how tokens are sent. */
export function protectedResourceMetadata(s: OAuthSettings): OAuthProtectedResourceMetadata {
  return { resource: s.audience, authorization_servers: [s.issuer], scopes_supported: [...SCOPES], bearer_methods_supported: ['header'], resource_name: 'cluvio-mcp' };
}

/**
 * The paths the metadata is served at: the bare well-known path, the one for /mcp, and the one RFC 9728 derives
 * from the audience's path (when a proxy serves the endpoint under another path).
 */
export function metadataPaths(audience: string): string[] {
  const base = '/.well-known/oauth-protected-resource';
  return [...new Set([base, `${base}/mcp`, new URL(getOAuthProtectedResourceMetadataUrl(new URL(audience))).pathname])];
}

/**
 * Where the issuer's metadata may be, in the order tried: RFC 8414 (`/.well-known/oauth-authorization-server` before
 * the issuer's path), then OpenID Connect discovery (both placements).
 */
export function issuerMetadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/$/, '');
  return [
    ...new Set([
      `${u.origin}/.well-known/oauth-authorization-server${path}`,
      `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
      `${u.origin}/.well-known/openid-configuration${path}`,
    ]),
  ];
}

/** The token's scopes: `scope` (space-separated, RFC 9068) or `scp` (a list or a string, as Entra ID and Okta send). */
export function scopesOf(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/** A refused token: the reason, for the challenge's error_description (never the token). */
function refused(description: string): OAuthError {
  return new OAuthError(OAuthErrorCode.InvalidToken, description);
}

/** The issuer's keys could not be fetched: not the token's fault. */
class IssuerUnavailable extends Error {}

/** jose's verdict, in words that tell the client what was wrong with its token. */
function describe(err: unknown, s: OAuthSettings): OAuthError | IssuerUnavailable {
  if (err instanceof errors.JWTExpired) return refused('The access token expired.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return refused(`The access token is from another issuer: this server accepts ${s.issuer}.`);
    if (err.claim === 'aud') return refused(`The access token is for another resource: this server is ${s.audience}.`);
    if (err.claim === 'nbf') return refused('The access token is not valid yet (nbf).');
    return refused(`The access token's ${err.claim} claim is missing or invalid.`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return refused('The access token is not signed with an accepted algorithm (RS*, PS*, ES*, EdDSA; never none or HS*).');
  }
  if (err instanceof errors.JWKSNoMatchingKey) return refused("The access token is signed with a key the issuer does not publish (rotated out, or another issuer's).");
  if (err instanceof errors.JWSSignatureVerificationFailed) return refused('The access token signature does not verify.');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return refused('The access token is not a valid JWT.');
  return new IssuerUnavailable(err instanceof Error ? err.message : String(err));
}

/** Finds the issuer's JWKS: CLUVIO_MCP_OAUTH_JWKS_URL, else `jwks_uri` from its metadata, whose `issuer` must be ours. */
async function discoverJwksUrl(s: OAuthSettings): Promise<string> {
  if (s.jwksUrl) return s.jwksUrl;
  const tried: string[] = [];
  for (const url of issuerMetadataUrls(s.issuer)) {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(JWKS_CACHE.timeoutDuration) });
      if (!res.ok) {
        tried.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== s.issuer) {
        tried.push(`${url}: names issuer ${JSON.stringify(doc.issuer)}`);
        continue;
      }
      if (typeof doc.jwks_uri === 'string') return doc.jwks_uri;
      tried.push(`${url}: no jwks_uri`);
    } catch (err) {
      tried.push(`${url}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no metadata with jwks_uri for issuer ${s.issuer} (${tried.join('; ')}); set CLUVIO_MCP_OAUTH_JWKS_URL`);
}

/** Refusals and the metadata document for one resource. */
export class OAuthGate {
  readonly metadataUrl: string;
  private readonly metadata: string;
  private readonly paths: Set<string>;
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(
    private readonly s: OAuthSettings,
    private readonly logger: Logger,
  ) {
    this.metadataUrl = getOAuthProtectedResourceMetadataUrl(new URL(s.audience));
    this.metadata = JSON.stringify(protectedResourceMetadata(s));
    this.paths = new Set(metadataPaths(s.audience));
  }

  /** The Protected Resource Metadata when the request asks for it; undefined for any other path. */
  metadataResponse(request: Request, pathname: string): Response | undefined {
    if (!this.paths.has(pathname)) return undefined;
    // Browser-based clients (the MCP Inspector) read it from another origin.
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' };
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { ...cors, allow: 'GET, OPTIONS' } });
    return new Response(this.metadata, { headers: { ...cors, 'content-type': 'application/json', 'cache-control': 'max-age=3600' } });
  }

  /** The identity of a valid bearer token, or the 401 (or 503: the issuer's keys are out of reach) to answer with. */
  async authenticate(request: Request): Promise<Identity | Response> {
    const header = request.headers.get('authorization');
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!header) return this.unauthenticated();
    if (!m) return bearerAuthChallengeResponse(refused("Send the access token as 'Authorization: Bearer <token>'."), { resourceMetadataUrl: this.metadataUrl });
    const token = m[1]!;
    let claims: JWTPayload;
    try {
      // The keys are looked up only for a well-formed token: garbage is refused even while the issuer is unreachable.
      ({ payload: claims } = await jwtVerify(token, async (header, jws) => (await this.jwks())(header, jws), {
        issuer: this.s.issuer,
        audience: this.s.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const verdict = describe(err, this.s);
      if (verdict instanceof OAuthError) {
        this.logger.info({ reason: verdict.message }, 'access token refused');
        return bearerAuthChallengeResponse(verdict, { resourceMetadataUrl: this.metadataUrl });
      }
      this.logger.error({ issuer: this.s.issuer, error: verdict.message }, "cannot fetch the issuer's signing keys");
      return Response.json({ error: 'temporarily_unavailable', error_description: "The identity provider's signing keys cannot be fetched; try again shortly." }, { status: 503, headers: { 'retry-after': '5' } });
    }
    const principal = typeof claims.sub === 'string' ? claims.sub : typeof claims.client_id === 'string' ? claims.client_id : undefined;
    if (!principal) return bearerAuthChallengeResponse(refused('The access token names no subject (sub).'), { resourceMetadataUrl: this.metadataUrl });
    const scopes = scopesOf(claims);
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : principal;
    return {
      subject: createHash('sha256').update(`${claims.iss}\n${principal}`).digest('hex'),
      claims,
      scopes,
      access: accessOf(scopes),
      authInfo: { token, clientId, scopes, expiresAt: claims.exp, resource: new URL(this.s.audience), resourceMetadataUrl: this.metadataUrl },
    };
  }

  /** 403 for a call the token's scopes do not cover: the MCP spec's step-up challenge, naming the scopes needed. */
  insufficientScope(needed: readonly Scope[], what: string): Response {
    return bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InsufficientScope, `${what} needs the scope ${needed.join(' ')}.`), {
      requiredScopes: [...needed],
      resourceMetadataUrl: this.metadataUrl,
    });
  }

  /** No token at all: RFC 6750 sends no error code then, only where to start (RFC 9728). */
  private unauthenticated(): Response {
    return Response.json(
      { error: 'unauthorized', error_description: `Send an access token from ${this.s.issuer}: Authorization: Bearer <token>.` },
      { status: 401, headers: { 'www-authenticate': `Bearer resource_metadata="${this.metadataUrl}"` } },
    );
  }

  /** The issuer's key set, found once; a failed discovery is tried again with the next token. */
  private jwks(): Promise<JWTVerifyGetKey> {
    if (!this.keys) {
      const keys = discoverJwksUrl(this.s).then((url) => {
        this.logger.info({ jwks: url }, "using the issuer's signing keys");
        return createRemoteJWKSet(new URL(url), JWKS_CACHE);
      });
      keys.catch(() => {
        if (this.keys === keys) this.keys = undefined;
      });
      this.keys = keys;
    }
    return this.keys;
  }
}

/** Methods that read the account outside any tool (resources list and read Cluvio objects, prompts embed them). */
const READING_METHODS = new Set(['resources/list', 'resources/templates/list', 'resources/read', 'prompts/get', 'completion/complete']);

/**
 * The scope a JSON-RPC body needs beyond `granted`, with what needs it (a tool, or a method that reads the account),
 * for the message; undefined when nothing is missing. `scopeOf` names an operation tool's scope (undefined: not an
 * operation, no scope of its own); call_operation is judged by the operation it calls.
 */
export function missingScopes(body: unknown, granted: ReadonlySet<string>, scopeOf: (tool: string) => Scope | undefined): { scopes: Scope[]; what: string } | undefined {
  const messages = Array.isArray(body) ? body : [body];
  for (const m of messages) {
    const method = typeof m === 'object' && m !== null ? (m as { method?: unknown }).method : undefined;
    if (typeof method !== 'string') continue;
    let what: string | undefined = method;
    let scope: Scope | undefined = READING_METHODS.has(method) ? 'cluvio:read' : undefined;
    if (method === 'tools/call') {
      const params = (m as { params?: { name?: unknown; arguments?: { name?: unknown } } }).params;
      what = typeof params?.name === 'string' ? params.name : undefined;
      if (what === 'call_operation') what = typeof params?.arguments?.name === 'string' ? params.arguments.name : undefined;
      scope = what === undefined ? undefined : scopeOf(what);
    }
    if (scope && !granted.has(scope)) return { scopes: [scope], what: what! };
  }
  return undefined;
}

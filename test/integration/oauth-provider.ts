// A real OAuth 2.1 authorization server for the OAuth tests: oidc-provider, in this process, on a free port, issuing
// JWT access tokens for resources (RFC 8707 resource indicators, RFC 9068 JWT profile). Clients:
// - `machine` (client_credentials, client_secret_basic), allowed every cluvio scope;
// - `app` (authorization code + PKCE, public), which signs in as any account named in login_hint (alice, bob,
//   carol): logging in and consenting happen without a person, through the provider's real interaction endpoints.
// Keys can be rotated: the provider is rebuilt with a new key set on the same address (same issuer).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

export const SCOPE_ALL = 'cluvio:read cluvio:run cluvio:write';
export const MACHINE = { id: 'machine', secret: 'machine-secret-0123456789' };
export const APP = { id: 'app', redirect: 'http://127.0.0.1/callback' };

/** The people `app` signs in as, with the claims their tokens carry. */
export const ACCOUNTS: Record<string, { email: string; groups: string[] }> = {
  alice: { email: 'alice@example.com', groups: ['analysts'] },
  bob: { email: 'bob@example.com', groups: ['interns', 'analysts'] },
  carol: { email: 'carol@example.com', groups: ['visitors'] },
};

export interface TestIssuer {
  issuer: string;
  /** The private signing key set the provider uses now (to sign tokens the provider would not issue, e.g. expired ones). */
  keys: () => { keys: JWK[] };
  /** A client_credentials token for `resource` with `scope`. */
  machineToken(resource: string, scope?: string): Promise<string>;
  /** An authorization code + PKCE token for `resource`, signed in as `account`. */
  userToken(account: string, resource: string, scope?: string): Promise<string>;
  /** Replaces the signing keys with fresh ones (the old key leaves the JWKS). */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}

async function signingKeys(): Promise<{ keys: JWK[] }> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, kid: randomBytes(6).toString('hex'), alg: 'RS256', use: 'sig' }] };
}

/**
 * Starts an issuer; `resources` are the resource indicators it issues tokens for (each gets the cluvio scopes).
 * `keys`: use this key set (another issuer sharing the first one's key, so only `iss` tells them apart).
 */
export async function startIssuer(resources: string[], keys?: { keys: JWK[] }): Promise<TestIssuer> {
  let provider: InstanceType<typeof Provider>;
  let jwks = keys ?? (await signingKeys());
  const server: Server = createServer((req, res) => void route(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = () =>
    new Provider(issuer, {
      clients: [
        { client_id: MACHINE.id, client_secret: MACHINE.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: SCOPE_ALL },
        { client_id: APP.id, token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: [APP.redirect], scope: `openid ${SCOPE_ALL}` },
      ],
      jwks,
      cookies: { keys: ['test-cookie-key-0123456789'] },
      scopes: ['openid', ...SCOPE_ALL.split(' ')],
      pkce: { required: () => true },
      ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
      findAccount: (_ctx, sub) => (ACCOUNTS[sub] ? { accountId: sub, claims: () => ({ sub, email: ACCOUNTS[sub]!.email }) } : undefined),
      // What the keys file can match on: the person's e-mail and groups ride in the access token.
      extraTokenClaims: (_ctx, token) => {
        const account = 'accountId' in token && token.accountId ? ACCOUNTS[token.accountId] : undefined;
        return account ? { email: account.email, groups: account.groups } : undefined;
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: (_ctx, _client, oneOf) => oneOf ?? resources[0],
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => {
            if (!resources.includes(resource)) throw new errors.InvalidTarget();
            return { scope: SCOPE_ALL, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
          },
        },
      },
    });
  provider = build();

  /** Signs in (login_hint) and consents to whatever is asked, through the provider's own interaction API. */
  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const accountId = String(details.params.login_hint ?? '');
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.url?.startsWith('/interaction/')) await interaction(req, res);
      else provider.callback()(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  }

  async function tokenRequest(form: Record<string, string>, basic?: string): Promise<string> {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic ? { authorization: `Basic ${basic}` } : {}) },
      body: new URLSearchParams(form),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`token request refused: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  return {
    issuer,
    keys: () => jwks,
    machineToken: (resource, scope = SCOPE_ALL) =>
      tokenRequest({ grant_type: 'client_credentials', scope, resource }, Buffer.from(`${MACHINE.id}:${MACHINE.secret}`).toString('base64')),
    async userToken(account, resource, scope = SCOPE_ALL) {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const params = new URLSearchParams({
        client_id: APP.id,
        response_type: 'code',
        redirect_uri: APP.redirect,
        scope: `openid ${scope}`,
        resource,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: randomBytes(8).toString('hex'),
        login_hint: account,
      });
      // Follow the redirects by hand, carrying the provider's cookies, until it redirects to the client with a code.
      const cookies = new Map<string, string>();
      let url = `${issuer}/auth?${params}`;
      for (let hop = 0; hop < 10; hop++) {
        const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, v] = pair!.split('=');
          cookies.set(k!, v ?? '');
        }
        await res.text();
        const location = res.headers.get('location');
        if (!location) throw new Error(`authorization stopped at ${url}: HTTP ${res.status}`);
        const next = new URL(location, url);
        if (next.href.startsWith(APP.redirect)) {
          const code = next.searchParams.get('code');
          if (!code) throw new Error(`authorization refused: ${next.search}`);
          return tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: APP.redirect, code_verifier: verifier, client_id: APP.id, resource });
        }
        url = next.href;
      }
      throw new Error('authorization did not end in 10 redirects');
    },
    async rotateKeys() {
      jwks = await signingKeys();
      provider = build();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

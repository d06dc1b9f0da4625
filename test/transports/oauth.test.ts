import { describe, expect, it } from 'vitest';
import { accessOf, requiredScope, SCOPES, type Scope } from '../../src/operations/types.js';
import { buildCatalog } from '../../src/operations/index.js';
import { issuerMetadataUrls, metadataPaths, missingScopes, OAuthGate, protectedResourceMetadata, scopesOf } from '../../src/transports/oauth.js';

describe('scopes per access class', () => {
  it('maps each operation to the scope of its access class, from the catalog entry', () => {
    const catalog = buildCatalog({}, { maxWaitSeconds: 50 });
    const byId = Object.fromEntries(catalog.map((op) => [op.id, requiredScope(op)]));
    expect(byId.listDatasources).toBe('cluvio:read');
    expect(byId.runExecution).toBe('cluvio:run');
    expect(byId.refreshDashboard).toBe('cluvio:run');
    expect(byId.deleteDashboard).toBe('cluvio:write');
    for (const op of catalog) expect(requiredScope(op), op.id).toBe(`cluvio:${op.access}`);
    expect(new Set(catalog.map(requiredScope))).toEqual(new Set(SCOPES));
  });

  it('turns granted scopes into access classes, ignoring scopes of other resources', () => {
    expect(accessOf(['openid', 'cluvio:read', 'cluvio:write', 'cluvio:admin'])).toEqual(new Set(['read', 'write']));
    expect(accessOf([])).toEqual(new Set());
  });

  it('reads scopes from `scope` (space-separated) or `scp` (a list or a string)', () => {
    expect(scopesOf({ scope: 'cluvio:read  cluvio:run' })).toEqual(['cluvio:read', 'cluvio:run']);
    expect(scopesOf({ scp: ['cluvio:read', 7] })).toEqual(['cluvio:read']);
    expect(scopesOf({ scp: 'cluvio:write' })).toEqual(['cluvio:write']);
    expect(scopesOf({})).toEqual([]);
  });
});

describe('missingScopes: the step-up check before dispatch', () => {
  const scopes = new Map<string, Scope>([
    ['list_dashboards', 'cluvio:read'],
    ['run_execution', 'cluvio:run'],
    ['delete_dashboard', 'cluvio:write'],
  ]);
  const scopeOf = (tool: string) => scopes.get(tool);
  const call = (name: string, args: unknown = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
  const read = new Set(['cluvio:read']);

  it('names the scope a tool call needs beyond the granted ones', () => {
    expect(missingScopes(call('delete_dashboard'), read, scopeOf)).toEqual({ scopes: ['cluvio:write'], what: 'delete_dashboard' });
    expect(missingScopes(call('list_dashboards'), read, scopeOf)).toBeUndefined();
  });

  it('judges call_operation by the operation it calls', () => {
    expect(missingScopes(call('call_operation', { name: 'run_execution', arguments: '{}' }), read, scopeOf)).toEqual({ scopes: ['cluvio:run'], what: 'run_execution' });
    expect(missingScopes(call('call_operation', { name: 'list_dashboards' }), read, scopeOf)).toBeUndefined();
  });

  it('checks every message of a batch, and lets through what is not a call to an operation', () => {
    expect(missingScopes([{ jsonrpc: '2.0', method: 'notifications/initialized' }, call('run_execution')], read, scopeOf)?.scopes).toEqual(['cluvio:run']);
    for (const body of [undefined, null, 'text', { method: 'tools/list' }, { method: 'prompts/list' }, call('search_operations'), call('unknown_tool'), { method: 'tools/call' }]) {
      expect(missingScopes(body, read, scopeOf), JSON.stringify(body)).toBeUndefined();
    }
  });

  it('asks cluvio:read for what reads the account outside tools: resources, prompts, completions', () => {
    const run = new Set(['cluvio:run']);
    for (const method of ['resources/list', 'resources/templates/list', 'resources/read', 'prompts/get', 'completion/complete']) {
      expect(missingScopes({ jsonrpc: '2.0', id: 1, method, params: {} }, run, scopeOf), method).toEqual({ scopes: ['cluvio:read'], what: method });
      expect(missingScopes({ jsonrpc: '2.0', id: 1, method, params: {} }, read, scopeOf), method).toBeUndefined();
    }
  });
});

describe('Protected Resource Metadata (RFC 9728)', () => {
  it('names the resource exactly as the audience, its issuer, the scopes and the header as the way to send tokens', () => {
    expect(protectedResourceMetadata({ issuer: 'https://id.example.com/', audience: 'https://mcp.example.com/mcp' })).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://id.example.com/'],
      scopes_supported: ['cluvio:read', 'cluvio:run', 'cluvio:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'cluvio-mcp',
    });
  });

  it('is served at the bare path, for /mcp, and at the path the audience derives', () => {
    expect(metadataPaths('https://mcp.example.com/mcp')).toEqual(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']);
    expect(metadataPaths('https://example.com/tools/cluvio/mcp')).toEqual([
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource/tools/cluvio/mcp',
    ]);
    expect(metadataPaths('https://mcp.example.com')).toEqual(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']);
  });

  it("looks for the issuer's metadata per RFC 8414, then OpenID Connect discovery", () => {
    expect(issuerMetadataUrls('https://id.example.com')).toEqual(['https://id.example.com/.well-known/oauth-authorization-server', 'https://id.example.com/.well-known/openid-configuration']);
    expect(issuerMetadataUrls('https://kc.example.com/realms/bi')).toEqual([
      'https://kc.example.com/.well-known/oauth-authorization-server/realms/bi',
      'https://kc.example.com/realms/bi/.well-known/openid-configuration',
      'https://kc.example.com/.well-known/openid-configuration/realms/bi',
    ]);
  });
});

describe('OAuthGate refusals that need no issuer', () => {
  const logged: Array<[string, unknown]> = [];
  const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: (o: unknown, msg: string) => void logged.push([msg, o]) } as never;
  // Nothing listens on port 1: the issuer's metadata cannot be fetched.
  const gate = new OAuthGate({ issuer: 'http://127.0.0.1:1', audience: 'https://mcp.example.com/mcp' }, logger);
  const withAuth = (authorization?: string) => new Request('http://127.0.0.1/mcp', { method: 'POST', headers: authorization ? { authorization } : {} });
  const METADATA = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

  it('no token: 401 with only where to start (no error code, RFC 6750 3.1)', async () => {
    const res = (await gate.authenticate(withAuth())) as Response;
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA}"`);
    expect(gate.metadataUrl).toBe(METADATA);
  });

  it('another scheme, or a token that is not a JWT: 401 invalid_token, even while the issuer is unreachable', async () => {
    for (const [header, description] of [
      ['Basic dXNlcjpwdw==', "Send the access token as 'Authorization: Bearer <token>'."],
      ['Bearer not.a.jwt', 'The access token is not a valid JWT.'],
    ]) {
      const res = (await gate.authenticate(withAuth(header))) as Response;
      expect(res.status, header).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(`Bearer error="invalid_token", error_description="${description}", resource_metadata="${METADATA}"`);
    }
  });

  it("a well-formed token while the issuer's keys cannot be fetched: 503, logged without the token", async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'u', exp: 9_999_999_999 })).toString('base64url');
    const token = `${header}.${payload}.c2lnbmF0dXJl`;
    const res = (await gate.authenticate(withAuth(`Bearer ${token}`))) as Response;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'temporarily_unavailable', error_description: "The identity provider's signing keys cannot be fetched; try again shortly." });
    expect(logged.map(([msg]) => msg)).toEqual(["cannot fetch the issuer's signing keys"]);
    expect(JSON.stringify(logged)).not.toContain(token);
    expect(JSON.stringify(logged)).toMatch(/set CLUVIO_MCP_OAUTH_JWKS_URL/);
  });

  it('a step-up refusal: 403 insufficient_scope with the scope and the metadata', () => {
    const res = gate.insufficientScope(['cluvio:write'], 'delete_dashboard');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="delete_dashboard needs the scope cluvio:write.", scope="cluvio:write", resource_metadata="${METADATA}"`,
    );
  });
});

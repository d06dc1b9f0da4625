import { describe, expect, it } from 'vitest';
import { accessOf, requiredScope, SCOPES, type Scope } from '../../src/operations/types.js';
import { buildCatalog } from '../../src/operations/index.js';
import { issuerMetadataUrls, metadataPaths, missingScopes, protectedResourceMetadata, scopesOf } from '../../src/transports/oauth.js';

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
    expect(missingScopes(call('delete_dashboard'), read, scopeOf)).toEqual({ scopes: ['cluvio:write'], tool: 'delete_dashboard' });
    expect(missingScopes(call('list_dashboards'), read, scopeOf)).toBeUndefined();
  });

  it('judges call_operation by the operation it calls', () => {
    expect(missingScopes(call('call_operation', { name: 'run_execution', arguments: '{}' }), read, scopeOf)).toEqual({ scopes: ['cluvio:run'], tool: 'run_execution' });
    expect(missingScopes(call('call_operation', { name: 'list_dashboards' }), read, scopeOf)).toBeUndefined();
  });

  it('checks every message of a batch, and lets through what is not a call to an operation', () => {
    expect(missingScopes([{ jsonrpc: '2.0', method: 'notifications/initialized' }, call('run_execution')], read, scopeOf)?.scopes).toEqual(['cluvio:run']);
    for (const body of [undefined, null, 'text', { method: 'tools/list' }, call('search_operations'), call('unknown_tool'), { method: 'tools/call' }]) {
      expect(missingScopes(body, read, scopeOf), JSON.stringify(body)).toBeUndefined();
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

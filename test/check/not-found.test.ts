import { describe, expect, it } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
import { classify, signature } from '../../src/check/not-found.js';

const JSONAPI = 'application/vnd.api+json; charset=utf-8';
const err = (status: number, detail: string, contentType = JSONAPI) => new CluvioApiError(status, detail ? [detail] : [], 'op', undefined, contentType);
const probe = { method: 'GET', path: '/cluvio_mcp_check/no_such_route', ids: [] };
const object = { method: 'GET', path: '/datasources/cluvio-mcp-check-no-such-id', ids: ['cluvio-mcp-check-no-such-id'] };

describe('no such route, or no such object', () => {
  // As the sandbox answers (src/sandbox/http.ts and its routes).
  const sandbox = {
    route: signature(err(404, `no route for GET ${probe.path}`), probe),
    object: signature(err(404, 'datasource cluvio-mcp-check-no-such-id not found'), object),
  };

  it('masks the path, the ids and the method, so answers to different requests compare', () => {
    expect(sandbox.route).toBe('404 | application/vnd.api+json | no route for {method} {path}');
    expect(sandbox.object).toBe('404 | application/vnd.api+json | datasource {id} not found');
    const sent = { method: 'GET', path: '/reports/a%2Fb', ids: ['a/b'] };
    expect(signature(err(404, 'report a/b not found (a%2Fb)'), sent)).toBe('404 | application/vnd.api+json | report {id} not found ({id})');
  });

  it('tells them apart where the two answers differ: an unknown route, or an unknown object of any kind', () => {
    const schema = { method: 'GET', path: '/datasources/smpl-data-0001/schema', ids: ['smpl-data-0001'] };
    expect(classify(err(404, `no route for GET ${schema.path}`), schema, sandbox)).toBe('route');
    expect(classify(err(404, 'report r-1 not found'), { method: 'GET', path: '/reports/r-1', ids: ['r-1'] }, sandbox)).toBe('object');
    const start = { method: 'POST', path: '/datasources/ds/executions', ids: ['ds'] };
    expect(classify(err(404, `no route for POST ${start.path}`), start, sandbox)).toBe('route');
    expect(classify(err(405, 'method not allowed'), start, sandbox)).toBe('route');
  });

  it('an HTML page for an unknown route differs from a JSON:API 404 for an unknown object', () => {
    const rails = { route: signature(err(404, '', 'text/html'), probe), object: signature(err(404, 'Not found'), object) };
    const sent = { method: 'GET', path: '/datasources/x/schema', ids: ['x'] };
    expect(classify(err(404, '', 'text/html; charset=utf-8'), sent, rails)).toBe('route');
    expect(classify(err(404, 'Not found'), sent, rails)).toBe('object');
  });

  it('is undecided where Cluvio answers both alike, or the probes did not answer 404', () => {
    const alike = { route: signature(err(404, 'Not found'), probe), object: signature(err(404, 'Not found'), object) };
    const sent = { method: 'GET', path: '/reports/r-1', ids: ['r-1'] };
    expect(classify(err(404, 'Not found'), sent, alike)).toBe('route');
    expect(classify(err(404, 'Gone fishing'), sent, alike)).toBe('unknown');
    expect(classify(err(404, 'report r-1 not found'), sent, {})).toBe('unknown');
  });
});

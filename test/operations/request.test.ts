import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { buildCatalog, OPERATIONS, toolName } from '../../src/operations/index.js';
import { buildRequest, InvalidPathParameterError, isIdempotent, routeParts } from '../../src/operations/request.js';
import type { Operation } from '../../src/operations/types.js';

function op(id: string, catalog: readonly Operation[] = OPERATIONS): Operation {
  const found = catalog.find((o) => o.id === id);
  if (!found) throw new Error(`no operation ${id} in the catalog`);
  return found;
}

describe('routeParts', () => {
  test('method, path and parameter names', () => {
    expect(routeParts('POST /datasources/{datasource_id}/executions')).toEqual({
      method: 'POST',
      path: '/datasources/{datasource_id}/executions',
      params: ['datasource_id'],
    });
    expect(routeParts('GET /datasources').params).toEqual([]);
  });

  test('a route without a path: an empty path and no parameters', () => {
    expect(routeParts('GET')).toEqual({ method: 'GET', path: '', params: [] });
    expect(routeParts('')).toEqual({ method: '', path: '', params: [] });
  });
});

describe('buildRequest', () => {
  test('path parameters are encoded: "/" becomes %2F and cannot change the route', () => {
    const req = buildRequest(op('getDatasource'), { id: 'a/b c?d#e' });
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/datasources/a%2Fb%20c%3Fd%23e');
    expect(req.query).toEqual({});
    expect(req.body).toBeUndefined();
    expect(req.operation).toBe('getDatasource');
  });

  test.each(['..', '.'])('a path parameter %j (a dot segment the URL parser would resolve) is refused', (id) => {
    expect(() => buildRequest(op('deleteDatasource'), { id })).toThrow(InvalidPathParameterError);
    expect(() => buildRequest(op('deleteDatasource'), { id })).toThrow(/deleteDatasource: path parameter id/);
    expect(() => buildRequest(op('getExecutionData'), { id, offset: 0 })).toThrow(/path parameter/);
  });

  test('a missing, null or empty path parameter is refused rather than sent as an empty segment or "null"', () => {
    expect(() => buildRequest(op('deleteDatasource'), { id: '' })).toThrow(InvalidPathParameterError);
    expect(() => buildRequest(op('deleteDatasource'), {})).toThrow(InvalidPathParameterError);
    expect(() => buildRequest(op('deleteDatasource'), { id: null })).toThrow('deleteDatasource: path parameter id cannot be ""');
  });

  test('the refusal is an InvalidPathParameterError by name too (as logs show it)', () => {
    expect(() => buildRequest(op('getDatasource'), { id: '..' })).toThrow(expect.objectContaining({ name: 'InvalidPathParameterError' }));
  });

  test('a path parameter with a lone surrogate is refused as such, not as "URI malformed"', () => {
    expect(() => buildRequest(op('getDatasource'), { id: 'ab\uD800' })).toThrow(/getDatasource: path parameter id is not well-formed Unicode/);
    expect(buildRequest(op('getDatasource'), { id: 'é😀' }).path).toBe('/datasources/%C3%A9%F0%9F%98%80');
  });

  test('dots inside a value are fine', () => {
    expect(buildRequest(op('getDatasource'), { id: '..a' }).path).toBe('/datasources/..a');
    expect(buildRequest(op('getDatasource'), { id: '%2e%2e' }).path).toBe('/datasources/%252e%252e');
  });

  test('GET arguments go to the query; arrays are joined; objects become JSON', () => {
    const req = buildRequest(op('getDatasource'), { id: '3', include: 'agents', unset: undefined, none: null });
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/datasources/3');
    // An undefined argument is not sent at all; null is kept as an empty (undefined) query value.
    expect(req.query).toStrictEqual({ include: 'agents', none: undefined });
    expect(req.body).toBeUndefined();
    expect(req.bodyType).toBeUndefined();
    expect(buildRequest(op('getDatasource'), { id: '3', include: ['agents', 'x'] }).query).toEqual({ include: 'agents,x' });
    expect(buildRequest(op('getDatasource'), { id: '3', filter: { a: 1 } }).query).toEqual({ filter: '{"a":1}' });
  });

  test('list tools page and filter themselves: name/offset/limit never reach Cluvio', () => {
    const req = buildRequest(op('listDatasources'), { name: 'sales db', offset: 0, limit: 50, include: 'agents' });
    expect(req).toMatchObject({ method: 'GET', path: '/datasources', body: undefined });
    expect(req.query).toEqual({ include: 'agents' });
  });

  test('extra query parameters are kept', () => {
    expect(buildRequest(op('getExecution'), { id: 'e1' }, { query: { cursor: 'c' } }).query).toStrictEqual({ cursor: 'c' });
  });

  test('DELETE sends its remaining arguments as query parameters, like GET', () => {
    const req = buildRequest(op('deleteDatasource'), { id: '9', force: true, tags: ['a', 'b'], unset: undefined });
    expect(req).toMatchObject({ method: 'DELETE', path: '/datasources/9', body: undefined });
    expect(req.query).toStrictEqual({ force: true, tags: 'a,b' });
  });

  test('a POST without a body sends its remaining arguments nowhere: not in the query either', () => {
    const req = buildRequest(op('lockDashboard'), { id: '5', note: 'x' });
    expect(req).toMatchObject({ method: 'POST', path: '/dashboards/5/lock', body: undefined, bodyType: undefined });
    expect(req.query).toStrictEqual({});
  });

  test('local arguments are never sent, neither in the query nor in a body', () => {
    const data = buildRequest(op('getExecutionData'), { id: 'e1', offset: 200, max_rows: 100, max_wait_seconds: 45 });
    expect(data.path).toBe('/executions/e1/data');
    expect(data.query).toEqual({});
    expect(data.body).toBeUndefined();

    const refresh = buildRequest(op('refreshDatasource'), { id: '7', max_wait_seconds: 10 });
    expect(refresh).toMatchObject({ method: 'POST', path: '/datasources/7/refresh', query: {}, body: undefined });
  });

  test('runExecution: a plain JSON body without max_rows / max_wait_seconds or the path parameter', () => {
    const parameters = { timerange: '1700000000~1700086400', aggregation: 'day', filters: [{ variable_name: 'country', selected_values: ['CH'] }] };
    const req = buildRequest(op('runExecution'), {
      datasource_id: 'ds/1',
      sql_query: 'select * from t where {created_at=timerange}',
      parameters,
      max_rows: 100,
      max_wait_seconds: 45,
    });
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/datasources/ds%2F1/executions');
    expect(req.bodyType).toBe('json');
    expect(req.body).toStrictEqual({ sql_query: 'select * from t where {created_at=timerange}', parameters });
    expect(req.query).toStrictEqual({});
    expect(req.idempotent).toBe(false);
  });

  test('createDatasource: JSON:API envelope with attributes and agent_ids → relationships.agents', () => {
    const req = buildRequest(op('createDatasource'), {
      name: 'Warehouse',
      database_type: 'postgres',
      connection_mode: 'agent',
      port: 5432,
      password: undefined,
      agent_ids: ['a1', 'a2'],
    });
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/datasources');
    expect(req.bodyType).toBe('jsonapi');
    expect(req.body).toEqual({
      data: {
        type: 'datasources',
        attributes: { name: 'Warehouse', database_type: 'postgres', connection_mode: 'agent', port: 5432 },
        relationships: {
          agents: {
            data: [
              { id: 'a1', type: 'datasource_agents' },
              { id: 'a2', type: 'datasource_agents' },
            ],
          },
        },
      },
    });
    expect((req.body as { data: Record<string, unknown> }).data).not.toHaveProperty('id');
    expect(req.query).toEqual({});
  });

  test('updateDatasource: PATCH with data.id; the id is not an attribute', () => {
    const req = buildRequest(op('updateDatasource'), { id: '42', name: 'Renamed', enabled: false });
    expect(req.method).toBe('PATCH');
    expect(req.path).toBe('/datasources/42');
    expect(req.body).toEqual({ data: { type: 'datasources', id: '42', attributes: { name: 'Renamed', enabled: false } } });
    expect(req.idempotent).toBe(true);
  });

  test('only a PATCH names the resource in data.id: a POST creates a new one, even with an id argument', () => {
    const copy: Operation = { ...op('createDatasource'), route: 'POST /datasources/{id}/copies' };
    const req = buildRequest(copy, { id: '42', name: 'Copy' });
    expect(req.path).toBe('/datasources/42/copies');
    expect(req.body).toStrictEqual({ data: { type: 'datasources', attributes: { name: 'Copy' } } });
  });

  test('a JSON:API body without a resource type is sent with type "unknown" (the catalog test below keeps this out of use)', () => {
    const create = op('createDatasource');
    const untyped: Operation = { ...create, request: { ...create.request!, resourceType: undefined } };
    expect(buildRequest(untyped, { name: 'Warehouse' }).body).toStrictEqual({ data: { type: 'unknown', attributes: { name: 'Warehouse' } } });
  });

  test('updateDatasource with agent_ids null clears the relationship', () => {
    const req = buildRequest(op('updateDatasource'), { id: '42', agent_ids: null });
    expect(req.body).toEqual({ data: { type: 'datasources', id: '42', attributes: {}, relationships: { agents: { data: [] } } } });
  });

  test('DELETE sends no body', () => {
    expect(buildRequest(op('deleteDatasource'), { id: '9' })).toMatchObject({ method: 'DELETE', path: '/datasources/9', body: undefined, query: {} });
  });

  test('the signal is passed on', () => {
    const signal = new AbortController().signal;
    expect(buildRequest(op('getExecution'), { id: 'e' }, { signal }).signal).toBe(signal);
  });

  test('the queue signal is passed on when given, and absent otherwise', () => {
    const queueSignal = new AbortController().signal;
    expect(buildRequest(op('getExecution'), { id: 'e' }, { queueSignal }).queueSignal).toBe(queueSignal);
    expect(buildRequest(op('getExecution'), { id: 'e' })).not.toHaveProperty('queueSignal');
  });

  test('a JSON body of an operation with query arguments keeps them out of the body', () => {
    const custom: Operation = { ...op('runExecution'), request: { body: 'json', query: ['dry_run'], local: ['max_rows'] } };
    const req = buildRequest(custom, { datasource_id: '1', sql_query: 'select 1', dry_run: true, max_rows: 5 });
    expect(req.query).toEqual({ dry_run: true });
    expect(req.body).toEqual({ sql_query: 'select 1' });
  });
});

describe('the catalog', () => {
  test('every operation with a JSON:API body names its resource type (buildRequest would send "unknown")', () => {
    const jsonapi = OPERATIONS.filter((o) => o.request?.body === 'jsonapi');
    expect(jsonapi.length).toBeGreaterThan(0);
    for (const o of jsonapi) expect({ id: o.id, resourceType: o.request?.resourceType }).toEqual({ id: o.id, resourceType: expect.stringMatching(/^[a-z_]+$/) });
  });
});

describe('isIdempotent', () => {
  test('defaults: GET, PATCH, DELETE yes; POST no', () => {
    expect(isIdempotent(op('listDatasources'))).toBe(true);
    expect(isIdempotent(op('getExecution'))).toBe(true);
    expect(isIdempotent(op('updateDatasource'))).toBe(true);
    expect(isIdempotent(op('deleteDatasource'))).toBe(true);
    expect(isIdempotent(op('createDatasource'))).toBe(false);
    expect(isIdempotent(op('runExecution'))).toBe(false);
    expect(isIdempotent(op('refreshDatasource'))).toBe(false);
  });

  test('an explicit flag wins', () => {
    expect(isIdempotent(op('testDatasourceConnection'))).toBe(true);
    expect(isIdempotent(op('cancelExecution'))).toBe(true);
    expect(isIdempotent({ ...op('getExecution'), idempotent: false })).toBe(false);
  });

  test('PUT is idempotent by default; buildRequest carries the flag', () => {
    expect(isIdempotent({ ...op('createDatasource'), route: 'PUT /datasources' })).toBe(true);
    expect(buildRequest(op('createDatasource'), { name: 'x' }).idempotent).toBe(false);
    expect(buildRequest(op('getDatasource'), { id: '1' }).idempotent).toBe(true);
  });
});

describe('toolName', () => {
  test('titles become snake_case', () => {
    expect(toolName({ title: 'Get Drop-Down Filter Options' })).toBe('get_drop_down_filter_options');
    expect(toolName({ title: 'Export Dashboard (PDF)' })).toBe('export_dashboard_pdf');
    expect(toolName(op('runExecution'))).toBe('run_execution');
    expect(toolName(op('testDatasourceConnection'))).toBe('test_datasource_connection');
  });

  test('every catalog entry has a distinct id and tool name', () => {
    const names = OPERATIONS.map(toolName);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(OPERATIONS.map((o) => o.id)).size).toBe(OPERATIONS.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*[a-z0-9]$/);
  });
});

describe('buildCatalog', () => {
  test('without overrides: the catalog as defined', () => {
    const catalog = buildCatalog();
    expect(catalog.map((o) => o.id)).toEqual(OPERATIONS.map((o) => o.id));
    expect(op('getDatasource', catalog).route).toBe('GET /datasources/{id}');
  });

  test('overrides are applied and used by buildRequest; the rest is untouched; OPERATIONS is not changed', () => {
    const catalog = buildCatalog({
      getDatasource: 'GET /v2/datasources/{id}',
      runExecution: 'POST /datasources/{datasource_id}/run',
      deleteDatasource: 'POST /datasources/{id}/delete',
    });
    expect(op('getDatasource', catalog).route).toBe('GET /v2/datasources/{id}');
    expect(buildRequest(op('getDatasource', catalog), { id: 'x/y' }).path).toBe('/v2/datasources/x%2Fy');
    expect(buildRequest(op('runExecution', catalog), { datasource_id: '3', sql_query: 'select 1' })).toMatchObject({
      method: 'POST',
      path: '/datasources/3/run',
      body: { sql_query: 'select 1' },
    });
    const del = op('deleteDatasource', catalog);
    expect(buildRequest(del, { id: '5' })).toMatchObject({ method: 'POST', path: '/datasources/5/delete', idempotent: false });
    expect(op('listDatasources', catalog)).toBe(op('listDatasources'));
    expect(op('getDatasource').route).toBe('GET /datasources/{id}');
    expect(catalog).toHaveLength(OPERATIONS.length);
  });

  test('an unknown operation id → ConfigError listing the known ids', () => {
    let err: unknown;
    try {
      buildCatalog({ getDatasources: 'GET /datasources/{id}' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain('getDatasources');
    for (const id of ['getDatasource', 'listDatasources', 'runExecution', 'getExecutionData']) expect(message).toContain(id);
  });

  test.each([
    ['getDatasource', 'GET /datasources/{datasource_id}'],
    ['getDatasource', 'GET /datasources'],
    ['listDatasources', 'GET /datasources/{id}'],
    ['runExecution', 'POST /datasources/{id}/executions'],
    ['runExecution', 'POST /datasources/{datasource_id}/executions/{id}'],
  ])('%s with changed path parameters (%j) → ConfigError', (id, route) => {
    expect(() => buildCatalog({ [id]: route })).toThrow(ConfigError);
    expect(() => buildCatalog({ [id]: route })).toThrow(id);
  });
});

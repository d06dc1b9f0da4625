/**
 * Moving a route (`/_sandbox/routes`): the sandbox serves an operation where a real Cluvio might, and answers at
 * the old place as it answers any unknown route — so `cluvio-mcp check` can be tested finding a route elsewhere.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
const SAMPLE = 'smpl-data-0001';

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${sb.apiUrl}${path}`, { ...init, headers: { authorization: `Api ${sb.apiKey}`, 'content-type': 'application/json' } });
const control = (method: string, body?: unknown) =>
  fetch(`${sb.apiUrl}/_sandbox/routes`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const detail = async (r: Response) => ((await r.json()) as { errors: Array<{ detail: string }> }).errors[0]?.detail;

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.close();
});
afterEach(async () => {
  await control('DELETE');
});

describe('routes served elsewhere', () => {
  it('serves a moved route at its new place, answers 404 "no route" at the old one, and lists and restores moves', async () => {
    const moved = await control('POST', { from: 'GET /datasources/:id/schema', to: 'GET /datasources/:id/schema_data' });
    expect(moved.status).toBe(201);
    const atNew = await api(`/datasources/${SAMPLE}/schema_data`);
    expect(atNew.status).toBe(200);
    expect(Object.keys((await atNew.json()) as object)).toEqual(['data_key', 'data_access_token']);
    const atOld = await api(`/datasources/${SAMPLE}/schema`);
    expect(atOld.status).toBe(404);
    expect(await detail(atOld)).toBe(`no route for GET /datasources/${SAMPLE}/schema`);
    // An unknown object still answers as before: the two 404s differ.
    expect(await detail(await api('/datasources/nope/schema_data'))).toBe('datasource nope not found');
    expect(await (await control('GET')).json()).toEqual([{ from: 'GET /datasources/:id/schema', to: 'GET /datasources/:id/schema_data' }]);

    expect((await control('DELETE')).status).toBe(204);
    expect((await api(`/datasources/${SAMPLE}/schema`)).status).toBe(200);
    expect((await api(`/datasources/${SAMPLE}/schema_data`)).status).toBe(404);
    expect(await (await control('GET')).json()).toEqual([]);
  });

  it('moves a POST route too, and counts requests under the route they reached', async () => {
    await control('POST', { from: 'POST /datasources/:datasource_id/executions', to: 'POST /datasources/:datasource_id/execute' });
    const old = await api(`/datasources/${SAMPLE}/executions`, { method: 'POST', body: JSON.stringify({ sql_query: 'SELECT 1' }) });
    expect(old.status).toBe(404);
    const started = await api(`/datasources/${SAMPLE}/execute`, { method: 'POST', body: JSON.stringify({ sql_query: 'SELECT 1' }) });
    expect(started.status).toBe(200);
    expect(((await started.json()) as { data: { type: string } }).data.type).toBe('executions');
    const counts = (await (await fetch(`${sb.apiUrl}/_sandbox/requests`)).json()) as { api: Record<string, number> };
    expect(counts.api['POST /datasources/:datasource_id/execute']).toBe(1);
  });

  it('refuses a move that would change parameters, take a served route, name no route, or move a test hook', async () => {
    const refused = async (body: unknown) => {
      const r = await control('POST', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      return detail(r);
    };
    expect(await refused({ from: 'GET /datasources/:id/schema', to: 'GET /schemas/:name' })).toMatch(/keep the parameters/);
    expect(await refused({ from: 'GET /datasources/:id/schema', to: 'GET /datasources/:id' })).toMatch(/already served/);
    expect(await refused({ from: 'GET /nowhere', to: 'GET /somewhere' })).toMatch(/no route GET \/nowhere/);
    expect(await refused({ from: 'GET /_sandbox/routes', to: 'GET /routes' })).toMatch(/no route/);
    expect(await refused({ from: 'schema', to: 'GET /x' })).toMatch(/METHOD \/path/);
    expect(await (await control('GET')).json()).toEqual([]);
  });
});

/**
 * Fault rules of the sandbox (`/_sandbox/faults`, `/_sandbox/requests`): matching, counting,
 * validation and what each fault puts on the wire, checked with fetch and raw sockets.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRule, pathMatches } from '../../src/sandbox/faults/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
const DS = 'smpl-data-0001';

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${sb.apiUrl}${path}`, { ...init, headers: { authorization: `Api ${sb.apiKey}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
const control = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${sb.apiUrl}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

/** A raw GET: status, headers, the body received before the end or the socket error. */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, error: e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, error: 'aborted' }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => sb?.close());
beforeEach(async () => {
  await control('DELETE', 'faults');
  await control('DELETE', 'requests');
});

describe('rule parsing and matching', () => {
  it('matches :params, * and a trailing ** prefix', () => {
    expect(pathMatches('/datasources/:id', '/datasources/abc')).toBe(true);
    expect(pathMatches('/datasources/:id', '/datasources/abc/executions')).toBe(false);
    expect(pathMatches('/datasources/*/executions', '/datasources/abc/executions')).toBe(true);
    expect(pathMatches('/results/**', '/results/x/y')).toBe(true);
    expect(pathMatches('/results/**', '/results')).toBe(true);
    expect(pathMatches('/**', '/anything/at/all')).toBe(true);
    expect(pathMatches('/dashboards', '/dashboards/1')).toBe(false);
  });

  it('defaults times to 1, refuses unknown faults and members', () => {
    expect(parseRule({ path: '/x', fault: 503 }, 1)).toMatchObject({ fault: '503', times: 1, method: null, server: null });
    expect(parseRule({ fault: 'timed_out' }, 1)).toMatchObject({ path: '/**' });
    expect(parseRule({ path: '/results/**', fault: 'expired_token' }, 1)).toMatchObject({ server: 'data' });
    expect(() => parseRule({ path: '/x', fault: '418' }, 1)).toThrow(/"fault" must be one of/);
    expect(() => parseRule({ path: '/x', fault: '503', tries: 2 }, 1)).toThrow(/unknown member "tries"/);
    expect(() => parseRule({ fault: '503' }, 1)).toThrow(/"path" is required/);
    expect(() => parseRule({ path: '/x', fault: '503', times: 0 }, 1)).toThrow(/"times"/);
    expect(() => parseRule({ path: '/x', fault: 'expired_token', server: 'api' }, 1)).toThrow(/data server only/);
  });

  it('POST answers 201 with the rule, 422 for a bad one; GET lists with fired counts; DELETE clears', async () => {
    const created = await control('POST', 'faults', { method: 'get', path: '/datasources/:id', fault: '503', times: 2 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ method: 'GET', times: 2, fired: 0 });
    expect((await control('POST', 'faults', { path: '/x', fault: 'nope' })).status).toBe(422);
    expect((await api(`/datasources/${DS}`)).status).toBe(503);
    expect((await api(`/datasources/${DS}`)).status).toBe(503);
    expect((await api(`/datasources/${DS}`)).status).toBe(200);
    expect(await (await control('GET', 'faults')).json()).toMatchObject([{ fired: 2, times: 2 }]);
    expect((await control('DELETE', 'faults')).status).toBe(204);
    expect(await (await control('GET', 'faults')).json()).toEqual([]);
  });

  it('a method restricts the rule; other methods on the path are untouched', async () => {
    await control('POST', 'faults', { method: 'POST', path: '/datasources/:id', fault: '500' });
    expect((await api(`/datasources/${DS}`)).status).toBe(200);
    expect(await (await control('GET', 'faults')).json()).toMatchObject([{ fired: 0 }]);
  });
});

describe('what each fault answers', () => {
  it('429 carries Retry-After and a JSON:API error body; 5xx likewise', async () => {
    await control('POST', 'faults', [
      { path: '/dashboards', fault: '429', retry_after: 7 },
      { path: '/dashboards', fault: '504' },
    ]);
    const r = await api('/dashboards');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.headers.get('content-type')).toContain('application/vnd.api+json');
    expect(await r.json()).toMatchObject({ errors: [{ status: '429', code: '429' }] });
    const g = await api('/dashboards');
    expect(g.status).toBe(504);
    expect(await g.json()).toMatchObject({ errors: [{ status: '504', detail: expect.stringContaining('sandbox fault') }] });
    expect((await api('/dashboards')).status).toBe(200);
  });

  it('403 answers as to a key without the permission, for that request only', async () => {
    await control('POST', 'faults', { method: 'GET', path: '/users', fault: '403' });
    const r = await api('/users');
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ errors: [{ status: '403', title: 'Forbidden', detail: expect.stringContaining('lacks the permission') }] });
    expect((await api('/users')).status).toBe(200);
  });

  it('malformed: 200 with a body that is not JSON', async () => {
    await control('POST', 'faults', { path: '/dashboards', fault: 'malformed' });
    const r = await api('/dashboards');
    expect(r.status).toBe(200);
    await expect(r.json()).rejects.toThrow();
  });

  it('drop: headers and part of a body, then the socket closes', async () => {
    await control('POST', 'faults', { path: '/dashboards', fault: 'drop' });
    const r = await raw(`${sb.apiUrl}/dashboards`, { authorization: `Api ${sb.apiKey}` });
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    expect(r.body.length).toBeLessThan(Number(r.headers['content-length']));
    expect(r.error).toBeDefined();
  });

  it('slow: answers normally after delay_ms', async () => {
    await control('POST', 'faults', { path: '/datasources/:id', fault: 'slow', delay_ms: 300 });
    const t = Date.now();
    const r = await api(`/datasources/${DS}`);
    expect(r.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it('expired_token: the data server answers 401 once, then serves the rows', async () => {
    const started = (await (await api(`/datasources/${DS}/executions`, { method: 'POST', body: JSON.stringify({ sql_query: 'SELECT 7 AS n' }) })).json()) as { data: { id: string } };
    for (let i = 0; i < 400; i++) {
      const e = (await (await api(`/executions/${started.data.id}`)).json()) as { data: { attributes: { execution_status: string } } };
      if (e.data.attributes.execution_status === 'success') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const grant = (await (await api(`/executions/${started.data.id}/data`)).json()) as { data_key: string; data_access_token: string };
    await control('POST', 'faults', { path: '/results/**', fault: 'expired_token' });
    const first = await fetch(`${sb.dataUrl}/${grant.data_key}`, { headers: { authorization: `Data ${grant.data_access_token}` } });
    expect(first.status).toBe(401);
    expect(await first.json()).toMatchObject({ errors: [{ detail: 'data access token expired' }] });
    const second = await fetch(`${sb.dataUrl}/${grant.data_key}`, { headers: { authorization: `Data ${grant.data_access_token}` } });
    expect(second.status).toBe(200);
    expect(((await second.json()) as { rows: unknown[][] }).rows).toEqual([[7]]);
    const counts = (await (await control('GET', 'requests')).json()) as { api: Record<string, number>; data: Record<string, number> };
    expect(counts.data['GET /results/**']).toBe(2);
    expect(counts.api['POST /datasources/:datasource_id/executions']).toBe(1);
    expect(counts.api['GET /executions/:id/data']).toBe(1);
  });

  it.each(['internal_error', 'timed_out', 'internal_timeout'])('%s: the next execution ends that way, the one after runs', async (status) => {
    await control('POST', 'faults', { method: 'POST', path: '/datasources/:id/executions', fault: status });
    const run = async (): Promise<Record<string, unknown>> => {
      const started = (await (await api(`/datasources/${DS}/executions`, { method: 'POST', body: JSON.stringify({ sql_query: 'SELECT 1' }) })).json()) as { data: { id: string } };
      for (;;) {
        const e = (await (await api(`/executions/${started.data.id}`)).json()) as { data: { attributes: Record<string, unknown> } };
        if (!['starting', 'running', 'waiting'].includes(e.data.attributes['execution_status'] as string)) return e.data.attributes;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const faulted = await run();
    expect(faulted['execution_status']).toBe(status);
    expect(faulted['query_error']).toContain('sandbox fault');
    expect((await run())['execution_status']).toBe('success');
  });

  it('slow_query: the next execution stays running for delay_ms without holding the engine, then succeeds', async () => {
    await control('POST', 'faults', { method: 'POST', path: '/datasources/:id/executions', fault: 'slow_query', delay_ms: 1500 });
    const start = async (sql: string) =>
      ((await (await api(`/datasources/${DS}/executions`, { method: 'POST', body: JSON.stringify({ sql_query: sql }) })).json()) as { data: { id: string } }).data.id;
    const status = async (id: string) =>
      ((await (await api(`/executions/${id}`)).json()) as { data: { attributes: { execution_status: string } } }).data.attributes.execution_status;
    const slow = await start('SELECT 1 AS held');
    const quick = await start('SELECT 2 AS quick');
    // The quick query finishes while the held one is still running: the engine is free.
    let quickStatus = await status(quick);
    while (['starting', 'running', 'waiting'].includes(quickStatus)) {
      await new Promise((r) => setTimeout(r, 50));
      quickStatus = await status(quick);
    }
    expect(quickStatus).toBe('success');
    expect(await status(slow)).toBe('running');
    let slowStatus = await status(slow);
    while (['starting', 'running', 'waiting'].includes(slowStatus)) {
      await new Promise((r) => setTimeout(r, 100));
      slowStatus = await status(slow);
    }
    expect(slowStatus).toBe('success');
  });
});

describe('request counts', () => {
  it('count by method and route pattern, not the control routes, and reset on DELETE', async () => {
    await api(`/datasources/${DS}`);
    await api('/datasources/other');
    await api('/dashboards');
    const counts = (await (await control('GET', 'requests')).json()) as { api: Record<string, number> };
    expect(counts.api).toEqual({ 'GET /datasources/:id': 2, 'GET /dashboards': 1 });
    await control('DELETE', 'requests');
    expect(await (await control('GET', 'requests')).json()).toEqual({ api: {}, data: {} });
  });
});

import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { DataClient, InvalidDataKeyError, validateDataKey } from '../../src/cluvio/data-client.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { CountingAgent, json, startServer, type Handler } from './http-server.js';

const logger = pino({ level: 'silent' });

describe('validateDataKey', () => {
  test.each([
    ['results/abc/def', 'results/abc/def'],
    ['/results/abc/def', 'results/abc/def'],
    ['results/2f7c9a0e-1b2c/0.json', 'results/2f7c9a0e-1b2c/0.json'],
    ['schema/ds-1/v=3:x~y', 'schema/ds-1/v=3:x~y'],
    ['results/a%41b', 'results/a%41b'],
    ['results/...hidden/x', 'results/...hidden/x'],
  ])('accepts %j → %j', (key, want) => {
    expect(validateDataKey(key)).toBe(want);
  });

  test.each([
    ['', 'empty'],
    ['results/../admin', 'dot segment'],
    ['../etc/passwd', 'dot segment'],
    ['results/..', 'dot segment'],
    ['results/./x', 'dot segment'],
    ['results/%2e%2e/admin', 'dot segment'],
    ['results/%2E%2E/admin', 'dot segment'],
    ['results/.%2e/admin', 'dot segment'],
    ['http://x', 'scheme'],
    ['https://evil.example.com/results/a', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['data:text/plain,hi', 'scheme'],
    ['//evil.example.com/results/a', 'leading //'],
    ['results/a\nb', 'control'],
    ['results/a%0ab', 'control'],
    ['results/a%0Db', 'control'],
    ['results/a\u0000b', 'control'],
    ['results/a%00b', 'control'],
    ['results/a\u007fb', 'control'],
    ['results\\..\\admin', 'backslash'],
    ['results/a\\b', 'backslash'],
    ['results/a%5cb', 'encoded slash or backslash'],
    ['results/a?x=1', 'query'],
    ['results/a%3fx=1', 'query'],
    ['results/a#frag', 'fragment'],
    ['results/a%23frag', 'fragment'],
    ['results/a b', 'whitespace'],
    ['results%2f..%2fadmin', 'encoded slash'],
    ['results/a%2Fb', 'encoded slash'],
    ['results/%zz', 'percent-encoding'],
    ['a/'.repeat(1025), 'too long'],
  ])('refuses %j (%s)', (key, why) => {
    expect(() => validateDataKey(key)).toThrow(InvalidDataKeyError);
    expect(() => validateDataKey(key)).toThrow(new RegExp(why.split(' ')[0]!, 'i'));
  });
});

describe('DataClient over HTTP', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(handler: Handler, timeoutMs = 5_000) {
    const server = await startServer(handler);
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    return { server, agent, client: new DataClient({ baseUrl: server.url, timeoutMs, logger, dispatcher: agent }) };
  }

  test('sends Authorization: Data <token> and the key unencoded in the path', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, { schemas: [] }));
    const body = await client.getJson({ data_key: 'schema/ab12/cd:34~x/0', data_access_token: 'tok-123' }, 'getSchemaData');
    expect(body).toEqual({ schemas: [] });
    const hit = server.hits[0]!;
    expect(hit.method).toBe('GET');
    expect(hit.url).toBe('/schema/ab12/cd:34~x/0');
    expect(hit.headers.authorization).toBe('Data tok-123');
  });

  test('getDocument also gives the status and Content-Type (what cluvio-mcp check compares)', async () => {
    const { client } = await setup((_req, res) => json(res, 200, { schemas: [] }));
    const doc = await client.getDocument({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData');
    expect(doc).toEqual({ status: 200, contentType: 'application/vnd.api+json', body: { schemas: [] } });
  });

  test('a leading / of the key is not doubled', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    await client.getJson({ data_key: '/results/abc/def', data_access_token: 't' }, 'getResultData');
    expect(server.hits[0]!.url).toBe('/results/abc/def');
  });

  test('a refused key never reaches the server', async () => {
    const { server, agent, client } = await setup((_req, res) => json(res, 200, {}));
    await expect(client.getJson({ data_key: 'results/../../admin', data_access_token: 't' }, 'getResultData')).rejects.toBeInstanceOf(InvalidDataKeyError);
    await expect(client.getJson({ data_key: 'https://evil.example.com/x', data_access_token: 't' }, 'getResultData')).rejects.toBeInstanceOf(
      InvalidDataKeyError,
    );
    expect(server.hits).toHaveLength(0);
    expect(agent.dispatched).toBe(0);
  });

  test('401 → CluvioApiError 401 with the server’s words', async () => {
    const { client } = await setup((_req, res) => json(res, 401, { errors: [{ code: '401', detail: 'Data access token expired' }] }));
    const err = await client.getResultPage({ data_key: 'results/a/b', data_access_token: 'old' }, { offset: 0, limit: 10 }, 'getResultData').catch((e) => e);
    expect(err).toBeInstanceOf(CluvioApiError);
    expect((err as CluvioApiError).status).toBe(401);
    expect((err as CluvioApiError).details).toEqual(['Data access token expired']);
    expect((err as CluvioApiError).operation).toBe('getResultData');
  });

  test('a body that is not JSON → CluvioNetworkError "malformed"', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200);
      res.end('not json');
    });
    const err = await client.getJson({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData').catch((e) => e);
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect((err as CluvioNetworkError).kind).toBe('malformed');
  });

  test('getResultPage reads a page from a body streamed in many pieces', async () => {
    const total = 500;
    const { server, client } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked transfer encoding
      res.write('{"fields":[{"idx":0,"name":"n","data_type":"Integer"},{"idx":1,"name":"s","data_type":"String"}],"rows":[');
      for (let i = 0; i < total; i++) {
        res.write(`${i ? ',' : ''}[${i},"row ${i} é☃"]`);
        if (i % 100 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      res.end(`],"execution_id":"e-1","sql_rows":${total},"time_zone":"UTC"}`);
    });
    const page = await client.getResultPage({ data_key: 'results/e-1/data', data_access_token: 't' }, { offset: 200, limit: 3 }, 'getResultData');
    expect(server.hits[0]!.url).toBe('/results/e-1/data');
    expect(page.rows).toEqual([
      [200, 'row 200 é☃'],
      [201, 'row 201 é☃'],
      [202, 'row 202 é☃'],
    ]);
    expect(page.totalRows).toBe(total);
    expect(page.cutBySize).toBe(false);
    expect(page.meta).toEqual({
      fields: [
        { idx: 0, name: 'n', data_type: 'Integer' },
        { idx: 1, name: 's', data_type: 'String' },
      ],
      execution_id: 'e-1',
      sql_rows: total,
      time_zone: 'UTC',
    });
  });

  test('getResultPage with stopWhenFull returns without waiting for the rest of the body', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"fields":[],"rows":[[1],[2],[3],[4]');
      // … and the body never ends.
    });
    const started = performance.now();
    const page = await client.getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 1, limit: 2, stopWhenFull: true }, 'getResultData');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(page.rows).toEqual([[2], [3]]);
    expect(page.totalRows).toBeUndefined();
  });

  test('no answer within the timeout → CluvioNetworkError "timeout"', async () => {
    const { client } = await setup(() => {}, 150);
    const err = await client.getJson({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData').catch((e) => e);
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect((err as CluvioNetworkError).kind).toBe('timeout');
  });

  test('a body that stalls after the headers → CluvioNetworkError "timeout" (getResultPage and getJson)', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"fields":[],"rows":[[1]');
    }, 200);
    const grant = { data_key: 'results/x', data_access_token: 't' };
    for (const call of [() => client.getResultPage(grant, { offset: 0, limit: 5 }, 'getResultData'), () => client.getJson(grant, 'getSchemaData')]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(CluvioNetworkError);
      expect((err as CluvioNetworkError).kind).toBe('timeout');
    }
  });

  test('a connection dropped in the middle of the body → CluvioNetworkError "connection"', async () => {
    const { client } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"fields":[],"rows":[[1],[2]');
      await new Promise((r) => setTimeout(r, 30));
      res.socket?.destroy();
    });
    const err = await client.getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 0, limit: 5 }, 'getResultData').catch((e) => e);
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect((err as CluvioNetworkError).kind).toBe('connection');
  });

  test('a caller abort in the middle of the body rejects with its reason', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"fields":[],"rows":[[1]');
    });
    const controller = new AbortController();
    const reason = new Error('cancelled mid-body');
    setTimeout(() => controller.abort(reason), 50);
    const err = await client
      .getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 0, limit: 5 }, 'getResultData', controller.signal)
      .catch((e) => e);
    expect(err).toBe(reason);
  });

  test('a caller abort rejects with its reason', async () => {
    const { client } = await setup(() => {});
    const controller = new AbortController();
    const reason = new Error('cancelled');
    setTimeout(() => controller.abort(reason), 50);
    const err = await client
      .getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 0, limit: 1 }, 'getResultData', controller.signal)
      .catch((e) => e);
    expect(err).toBe(reason);
  });
});

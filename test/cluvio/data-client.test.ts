import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { DataClient, InvalidDataKeyError, validateDataKey } from '../../src/cluvio/data-client.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import type { Logger } from '../../src/logger.js';
import { closedPort, CountingAgent, json, startServer, type Handler } from './http-server.js';

const logger = pino({ level: 'silent' });

/** A debug logger that calls `then` whenever the client writes a record with this message. */
function onLog(message: string, then: () => void): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void ((JSON.parse(line) as { msg: string }).msg === message && then()) });
}

describe('validateDataKey', () => {
  test.each([
    ['results/abc/def', 'results/abc/def'],
    ['/results/abc/def', 'results/abc/def'],
    ['results/2f7c9a0e-1b2c/0.json', 'results/2f7c9a0e-1b2c/0.json'],
    ['schema/ds-1/v=3:x~y', 'schema/ds-1/v=3:x~y'],
    ['results/a%41b', 'results/a%41b'],
    ['results/...hidden/x', 'results/...hidden/x'],
    ['a'.repeat(2_048), 'a'.repeat(2_048)],
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
    ['a'.repeat(2_049), 'too long'],
  ])('refuses %j (%s)', (key, why) => {
    expect(() => validateDataKey(key)).toThrow(InvalidDataKeyError);
    expect(() => validateDataKey(key)).toThrow(new RegExp(why.split(' ')[0]!, 'i'));
  });

  test.each([null, undefined, 42])('refuses a key that is not a string (%j), as empty, with an error named for logs', (key) => {
    const err = (() => {
      try {
        return validateDataKey(key as unknown as string);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidDataKeyError);
    expect(err).toMatchObject({ name: 'InvalidDataKeyError', message: 'refused data key: empty' });
  });
});

describe('DataClient over HTTP', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(handler: Handler, timeoutMs = 5_000, opts: { limiter?: Limiter; logger?: Logger } = {}) {
    const server = await startServer(handler);
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    return { server, agent, client: new DataClient({ baseUrl: server.url, timeoutMs, logger: opts.logger ?? logger, dispatcher: agent, limiter: opts.limiter }) };
  }

  test('sends Authorization: Data <token> and the key unencoded in the path', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, { schemas: [] }));
    const body = await client.getJson({ data_key: 'schema/ab12/cd:34~x/0', data_access_token: 'tok-123' }, 'getSchemaData');
    expect(body).toEqual({ schemas: [] });
    const hit = server.hits[0]!;
    expect(hit.method).toBe('GET');
    expect(hit.url).toBe('/schema/ab12/cd:34~x/0');
    expect(hit.headers.authorization).toBe('Data tok-123');
    expect(hit.headers.accept).toBe('application/json');
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
    expect(err).toMatchObject({ kind: 'malformed', operation: 'getSchemaData', message: 'the data server answered with a body that is not valid JSON' });
  });

  test('400 is an error answer too, and the error carries the answer’s Content-Type', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad key');
    });
    const err = await client.getJson({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData').catch((e) => e);
    expect(err).toBeInstanceOf(CluvioApiError);
    expect(err).toMatchObject({ status: 400, details: ['bad key'], contentType: 'text/plain; charset=utf-8' });
  });

  test('a page or a text read before the body ends lets go of the connection at once (not at the timeout)', async () => {
    let closed: Array<Promise<void>> = [];
    const { client } = await setup((req, res) => {
      closed.push(new Promise((resolve) => res.on('close', () => resolve())));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(req.url === '/results/x/csv' ? 'a'.repeat(20) : '{"fields":[],"rows":[[1],[2],[3]');
      // … and the body never ends.
    }, 600_000);
    const grant = (data_key: string) => ({ data_key, data_access_token: 't' });
    // Each read returns early; the server must then see its connection closed, long before the 10-minute timeout.
    const reads = [
      () => client.getResultPage(grant('results/x'), { offset: 0, limit: 1, stopWhenFull: true }, 'getResultData'),
      () => client.getText(grant('results/x/csv'), 5, 'getResultData'),
    ];
    for (const read of reads) {
      closed = [];
      await read();
      expect(closed).toHaveLength(1);
      const outcome = await Promise.race([closed[0]!.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open after 20 s'), 20_000).unref())]);
      expect(outcome).toBe('closed');
    }
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
    // Waiting for the end would have run into the 5 s timeout and failed.
    expect(performance.now() - started).toBeLessThan(5_000);
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
    const controller = new AbortController();
    const reason = new Error('cancelled mid-body');
    // The client logs the status once the headers are in: cancel then, while the body is being read.
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"fields":[],"rows":[[1]');
      },
      5_000,
      { logger: onLog('cluvio data', () => setImmediate(() => controller.abort(reason))) },
    );
    const err = await client
      .getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 0, limit: 5 }, 'getResultData', controller.signal)
      .catch((e) => e);
    expect(err).toBe(reason);
  });

  test('a caller abort rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    // The server has the request and never answers; the caller cancels then.
    const { client } = await setup(() => controller.abort(reason));
    const err = await client
      .getResultPage({ data_key: 'results/x', data_access_token: 't' }, { offset: 0, limit: 1 }, 'getResultData', controller.signal)
      .catch((e) => e);
    expect(err).toBe(reason);
  });

  test('getText: the whole text when it is short, decoded across chunk boundaries', async () => {
    const text = 'day;n\n2024-06-01;Zürich ☃\n';
    const bytes = Buffer.from(text, 'utf8');
    const { server, client } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      // One byte at a time: multi-byte characters arrive split.
      for (const b of bytes) {
        res.write(Buffer.from([b]));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    expect(await client.getText({ data_key: 'results/x/csv', data_access_token: 'tok' }, 1_000, 'getResultData')).toEqual({ text, cut: false });
    expect(server.hits[0]).toMatchObject({ url: '/results/x/csv', headers: { authorization: 'Data tok' } });
  });

  test('getText: cut at maxChars, without waiting for the rest', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('a'.repeat(10));
      res.write('b'.repeat(10));
      // … and the body never ends.
    });
    expect(await client.getText({ data_key: 'results/x/csv', data_access_token: 't' }, 15, 'getResultData')).toEqual({ text: 'aaaaaaaaaabbbbb', cut: true });
  });

  test('getText: exactly maxChars is not cut', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('abcde');
    });
    expect(await client.getText({ data_key: 'results/x/csv', data_access_token: 't' }, 5, 'getResultData')).toEqual({ text: 'abcde', cut: false });
  });

  test('getText: a stalled body is a timeout, a dropped one a connection failure', async () => {
    const stalled = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('a,b');
    }, 200);
    const timeout = await stalled.client.getText({ data_key: 'results/x', data_access_token: 't' }, 100, 'getResultData').catch((e) => e);
    expect(timeout).toBeInstanceOf(CluvioNetworkError);
    expect(timeout).toMatchObject({ kind: 'timeout', operation: 'getResultData', message: 'the data server did not finish its answer within 200 ms' });
    const dropped = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('a,b');
      await new Promise((r) => setTimeout(r, 30));
      res.socket?.destroy();
    });
    const connection = await dropped.client.getText({ data_key: 'results/x', data_access_token: 't' }, 100, 'getResultData').catch((e) => e);
    expect(connection).toBeInstanceOf(CluvioNetworkError);
    expect(connection).toMatchObject({ kind: 'connection', operation: 'getResultData' });
    expect(connection.message).toMatch(/^connection to the Cluvio data server dropped \(/);
    expect(connection.cause).toBeInstanceOf(Error);
  });

  test('no answer at all: the timeout names the limit', async () => {
    const { client } = await setup(() => {}, 150);
    const err = await client.getText({ data_key: 'results/x', data_access_token: 't' }, 100, 'getResultData').catch((e) => e);
    expect(err).toMatchObject({ kind: 'timeout', operation: 'getResultData', message: 'no answer from the data server within 150 ms' });
  });

  test('a data server that cannot be reached: a connection failure with the cause', async () => {
    const port = await closedPort();
    const agent = new CountingAgent();
    cleanups.push(() => agent.close());
    const client = new DataClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 5_000, logger, dispatcher: agent });
    const err = (await client.getJson({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData').catch((e) => e)) as CluvioNetworkError;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err).toMatchObject({ kind: 'connection', operation: 'getSchemaData' });
    expect(err.message).toMatch(/^cannot reach the Cluvio data server: .*ECONNREFUSED/);
    expect(err.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('error answers: JSON:API details, plain text, or nothing; for every kind of read', async () => {
    const { client } = await setup((req, res) => {
      if (req.url === '/json') return json(res, 403, { errors: [{ detail: 'not your data' }] });
      res.writeHead(req.url === '/text' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(req.url === '/text' ? 'gone' : '');
    });
    const grant = (key: string) => ({ data_key: key, data_access_token: 't' });
    const reads = [
      (k: string) => client.getJson(grant(k), 'getSchemaData'),
      (k: string) => client.getResultPage(grant(k), { offset: 0, limit: 1 }, 'getSchemaData'),
      (k: string) => client.getText(grant(k), 10, 'getSchemaData'),
    ];
    for (const read of reads) {
      expect(await read('json').catch((e) => e)).toMatchObject({ status: 403, details: ['not your data'], operation: 'getSchemaData' });
      expect(await read('text').catch((e) => e)).toMatchObject({ status: 404, details: ['gone'] });
      const empty = await read('empty').catch((e) => e);
      expect(empty).toBeInstanceOf(CluvioApiError);
      expect(empty).toMatchObject({ status: 500, details: [] });
    }
  });

  test('an error answer whose body stalls is a timeout', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.write('{"errors": [');
    }, 200);
    const err = await client.getJson({ data_key: 'schema/x', data_access_token: 't' }, 'getSchemaData').catch((e) => e);
    expect(err).toMatchObject({ kind: 'timeout', message: 'the data server did not finish its answer within 200 ms' });
  });

  test('each read is logged with its operation and status', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const { client } = await setup((_req, res) => json(res, 200, { rows: [], fields: [] }), 5_000, {
      logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    await client.getJson({ data_key: 'schema/x', data_access_token: 'secret-token' }, 'getSchemaData');
    expect(lines.map((l) => [l.msg, l.op, l.status])).toEqual([['cluvio data', 'getSchemaData', 200]]);
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  test('behind a limiter: a read holds its slot until its body is read, and a read cancelled in the queue is never sent', async () => {
    const limiter = new Limiter(1);
    const held: number[] = [];
    const { server, client } = await setup((_req, res) => {
      held.push(limiter.inFlight);
      json(res, 200, { fields: [], rows: [[1]] });
    }, 5_000, { limiter });
    const first = client.getResultPage({ data_key: 'results/1', data_access_token: 't' }, { offset: 0, limit: 1 }, 'getResultData');
    const controller = new AbortController();
    const reason = new Error('cancelled in the queue');
    const second = client.getJson({ data_key: 'results/2', data_access_token: 't' }, 'getResultData', controller.signal);
    const third = client.getText({ data_key: 'results/3', data_access_token: 't' }, 100, 'getResultData');
    expect(limiter.queued).toBe(2);
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
    expect((await first).rows).toEqual([[1]]);
    expect((await third).text).toBe('{"fields":[],"rows":[[1]]}');
    expect(server.hits.map((h) => h.url)).toEqual(['/results/1', '/results/3']);
    expect(held).toEqual([1, 1]);
    expect(limiter.inFlight).toBe(0);
  });
});

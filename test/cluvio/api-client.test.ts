import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { ApiClient, type ApiRequest } from '../../src/cluvio/api-client.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import type { RetryPolicy } from '../../src/cluvio/retry.js';
import { closedPort, CountingAgent, json, startServer, type Handler, type TestServer } from './http-server.js';

const logger = pino({ level: 'silent' });
const FAST: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(handler: Handler, opts: { retry?: RetryPolicy; timeoutMs?: number; apiKey?: string } = {}) {
  const server = await startServer(handler);
  const agent = new CountingAgent();
  cleanups.push(() => server.close(), () => agent.close());
  const client = new ApiClient({
    baseUrl: server.url,
    apiKey: opts.apiKey ?? 's3cret',
    timeoutMs: opts.timeoutMs ?? 5_000,
    logger,
    retry: opts.retry ?? FAST,
    dispatcher: agent,
  });
  return { server, agent, client };
}

function clientFor(baseUrl: string, retry: RetryPolicy = FAST, timeoutMs = 5_000) {
  const agent = new CountingAgent();
  cleanups.push(() => agent.close());
  return { agent, client: new ApiClient({ baseUrl, apiKey: 'k', timeoutMs, logger, retry, dispatcher: agent }) };
}

const get = (extra: Partial<ApiRequest> = {}): ApiRequest => ({ operation: 'getThing', method: 'GET', path: '/things/1', idempotent: true, ...extra });
const post = (extra: Partial<ApiRequest> = {}): ApiRequest => ({
  operation: 'createThing',
  method: 'POST',
  path: '/things',
  body: { data: { type: 'things', attributes: { name: 'x' } } },
  bodyType: 'jsonapi',
  idempotent: false,
  ...extra,
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

/** A server that reads the request and never answers. */
const silent: Handler = () => {};

describe('requests', () => {
  test('sends Authorization: Api <secret> and an Accept for JSON:API, and parses the answer', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, { data: { id: '1', type: 'things' } }));
    const res = await client.send(get());
    expect(res).toEqual({ status: 200, body: { data: { id: '1', type: 'things' } }, contentType: 'application/vnd.api+json' });
    expect(server.hits).toHaveLength(1);
    const hit = server.hits[0]!;
    expect(hit.method).toBe('GET');
    expect(hit.url).toBe('/things/1');
    expect(hit.headers.authorization).toBe('Api s3cret');
    expect(hit.headers.accept).toContain('application/vnd.api+json');
    expect(hit.headers['content-type']).toBeUndefined();
    expect(hit.body).toBe('');
  });

  test('withApiKey sends the other key to the same server', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    await client.withApiKey('other-key').send(get());
    await client.send(get());
    expect(server.hits.map((h) => h.headers.authorization)).toEqual(['Api other-key', 'Api s3cret']);
  });

  test('a JSON:API body goes as application/vnd.api+json', async () => {
    const { server, client } = await setup((_req, res) => json(res, 201, { data: { id: '9', type: 'things' } }));
    const body = { data: { type: 'things', attributes: { name: 'Zürich "q"' } } };
    const res = await client.send(post({ body }));
    expect(res.status).toBe(201);
    const hit = server.hits[0]!;
    expect(hit.method).toBe('POST');
    expect(hit.headers['content-type']).toBe('application/vnd.api+json');
    expect(JSON.parse(hit.body)).toEqual(body);
  });

  test('a plain JSON body goes as application/json', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, { ok: true }));
    const body = { sql_query: 'select 1', parameters: { tz: 'UTC' } };
    await client.send(post({ path: '/datasources/5/executions', body, bodyType: 'json' }));
    const hit = server.hits[0]!;
    expect(hit.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hit.body)).toEqual(body);
  });

  test('query parameters are encoded; undefined ones are left out', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    await client.send(get({ path: '/things', query: { name: 'a b&c=d', limit: 50, enabled: true, skipped: undefined } }));
    const url = new URL(server.hits[0]!.url, 'http://x');
    expect(url.pathname).toBe('/things');
    expect([...url.searchParams.entries()]).toEqual([
      ['name', 'a b&c=d'],
      ['limit', '50'],
      ['enabled', 'true'],
    ]);
  });

  test('204 gives an undefined body', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const res = await client.send(get({ method: 'DELETE' }));
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
  });
});

describe('errors', () => {
  test('4xx → CluvioApiError with the status and every errors[].detail; not retried', async () => {
    const { server, client } = await setup((_req, res) =>
      json(res, 422, { errors: [{ code: '422', detail: 'Name has already been taken' }, { code: '422', detail: 'Port is not a number' }] }),
    );
    const err = await rejection(client.send(get()));
    expect(err).toBeInstanceOf(CluvioApiError);
    const e = err as CluvioApiError;
    expect(e.status).toBe(422);
    expect(e.operation).toBe('getThing');
    expect(e.details).toEqual(['Name has already been taken', 'Port is not a number']);
    expect(e.message).toContain('HTTP 422');
    expect(e.message).toContain('Name has already been taken');
    expect(e.retryAfterMs).toBeUndefined();
    expect(server.hits).toHaveLength(1);
  });

  test('404 with a plain-text body keeps the text; an HTML body gives no details', async () => {
    const { client } = await setup((req, res) => {
      if (req.url === '/text') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no such thing');
      } else {
        res.writeHead(400, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Request</body></html>');
      }
    });
    const a = (await rejection(client.send(get({ path: '/text' })))) as CluvioApiError;
    expect(a).toBeInstanceOf(CluvioApiError);
    expect(a.status).toBe(404);
    expect(a.details).toEqual(['no such thing']);
    expect(a.contentType).toBe('text/plain');
    const b = (await rejection(client.send(get({ path: '/html' })))) as CluvioApiError;
    expect(b.status).toBe(400);
    expect(b.details).toEqual([]);
    expect(b.contentType).toBe('text/html');
  });

  test('a 200 whose body is not JSON → CluvioNetworkError "malformed"', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
      res.end('{"data": [1, 2');
    });
    const err = await rejection(client.send(post()));
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect((err as CluvioNetworkError).kind).toBe('malformed');
    expect((err as CluvioNetworkError).operation).toBe('createThing');
  });
});

describe('retries', () => {
  test('an idempotent request is retried through 429, 502, 503 and 504 until it succeeds', async () => {
    const statuses = [429, 502, 503, 504];
    const { server, client } = await setup(
      (_req, res, _hit, i) => (i < statuses.length ? json(res, statuses[i]!, { errors: [{ detail: 'busy' }] }) : json(res, 200, { data: null })),
      { retry: { ...FAST, maxAttempts: 5 } },
    );
    const res = await client.send(get());
    expect(res).toEqual({ status: 200, body: { data: null }, contentType: 'application/vnd.api+json' });
    expect(server.hits).toHaveLength(5);
  });

  test.each([429, 502, 503, 504])('GET after one %i: two requests, then the answer', async (status) => {
    const { server, client } = await setup((_req, res, _hit, i) => (i === 0 ? json(res, status, {}) : json(res, 200, { n: i })));
    expect((await client.send(get())).body).toEqual({ n: 1 });
    expect(server.hits).toHaveLength(2);
  });

  test('500 is not retried', async () => {
    const { server, client } = await setup((_req, res) => json(res, 500, { errors: [{ detail: 'boom' }] }));
    const err = (await rejection(client.send(get()))) as CluvioApiError;
    expect(err.status).toBe(500);
    expect(server.hits).toHaveLength(1);
  });

  test('attempts are bounded by maxAttempts; the last error is thrown', async () => {
    const { server, client } = await setup((_req, res) => json(res, 503, { errors: [{ detail: 'down for maintenance' }] }), {
      retry: { ...FAST, maxAttempts: 3 },
    });
    const err = (await rejection(client.send(get()))) as CluvioApiError;
    expect(err).toBeInstanceOf(CluvioApiError);
    expect(err.status).toBe(503);
    expect(err.details).toEqual(['down for maintenance']);
    expect(server.hits).toHaveLength(3);
  });

  test('maxAttempts 1 means no retry at all', async () => {
    const { server, client } = await setup((_req, res) => json(res, 429, {}), { retry: { ...FAST, maxAttempts: 1 } });
    expect(((await rejection(client.send(get()))) as CluvioApiError).status).toBe(429);
    expect(server.hits).toHaveLength(1);
  });

  test('a non-idempotent POST is not retried on 503 …', async () => {
    const { server, client } = await setup((_req, res) => json(res, 503, {}));
    const err = (await rejection(client.send(post()))) as CluvioApiError;
    expect(err.status).toBe(503);
    expect(server.hits).toHaveLength(1);
  });

  test('… nor on 502 or 504', async () => {
    for (const status of [502, 504]) {
      const { server, client } = await setup((_req, res) => json(res, status, {}));
      expect(((await rejection(client.send(post()))) as CluvioApiError).status).toBe(status);
      expect(server.hits).toHaveLength(1);
    }
  });

  test('… but is retried on 429 (refused before any work was done)', async () => {
    const { server, client } = await setup((_req, res, _hit, i) => (i < 2 ? json(res, 429, {}) : json(res, 201, { data: { id: '7' } })));
    const res = await client.send(post());
    expect(res.status).toBe(201);
    expect(server.hits).toHaveLength(3);
    // The same body every time.
    expect(new Set(server.hits.map((h) => h.body)).size).toBe(1);
  });

  test('a POST marked idempotent is retried on 503', async () => {
    const { server, client } = await setup((_req, res, _hit, i) => (i === 0 ? json(res, 503, {}) : json(res, 200, {})));
    await client.send(post({ idempotent: true }));
    expect(server.hits).toHaveLength(2);
  });
});

describe.concurrent('Retry-After', () => {
  // Each test waits about a second, so they run side by side and clean up after themselves.
  async function own(handler: Handler) {
    const server = await startServer(handler);
    const agent = new CountingAgent();
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent });
    return { server, client, close: async () => (await server.close(), await agent.close()) };
  }

  test('Retry-After: 1 (seconds) is waited for', async ({ expect }) => {
    const { server, client, close } = await own((_req, res, _hit, i) => (i === 0 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})));
    try {
      await client.send(post());
      expect(server.hits).toHaveLength(2);
      const gap = server.hits[1]!.at - server.hits[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(950);
      expect(gap).toBeLessThan(2_500);
    } finally {
      await close();
    }
  });

  test('Retry-After as an HTTP date is waited for', async ({ expect }) => {
    const { server, client, close } = await own((_req, res, _hit, i) => {
      // Second resolution: the date lies 1 to 2 s ahead.
      if (i === 0) return json(res, 503, {}, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() });
      json(res, 200, {});
    });
    try {
      await client.send(get());
      expect(server.hits).toHaveLength(2);
      const gap = server.hits[1]!.at - server.hits[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(3_000);
    } finally {
      await close();
    }
  });

  test('a Retry-After beyond maxRetryAfterMs is not waited for: the error carries it', async ({ expect }) => {
    const { server, client, close } = await own((_req, res) => json(res, 429, { errors: [{ detail: 'rate limited' }] }, { 'retry-after': '120' }));
    try {
      const started = performance.now();
      const err = (await rejection(client.send(get()))) as CluvioApiError;
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(err).toBeInstanceOf(CluvioApiError);
      expect(err.status).toBe(429);
      expect(err.retryAfterMs).toBe(120_000);
      expect(err.details).toEqual(['rate limited']);
      expect(server.hits).toHaveLength(1);
    } finally {
      await close();
    }
  });
});

describe('connection failures and timeouts', () => {
  test('connection refused: even a non-idempotent POST is retried (it never reached the server)', async () => {
    const port = await closedPort();
    const { agent, client } = clientFor(`http://127.0.0.1:${port}`);
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('connection');
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(agent.dispatched).toBe(FAST.maxAttempts);
  });

  test('connection refused, then the server comes up: the retry succeeds', async () => {
    const port = await closedPort();
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => json(res, 201, { data: { id: 'late' } }));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const { agent, client } = clientFor(`http://127.0.0.1:${port}`, { maxAttempts: 20, baseDelayMs: 20, maxDelayMs: 20, maxRetryAfterMs: 0 });
    const pending = client.send(post());
    // Let the first attempt be refused, then start listening on that port.
    while (agent.dispatched === 0) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 30));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const res = await pending;
    expect(res).toEqual({ status: 201, body: { data: { id: 'late' } }, contentType: 'application/vnd.api+json' });
    expect(agent.dispatched).toBeGreaterThan(1);
  });

  test('a dropped connection after the request was sent: POST not retried, GET retried', async () => {
    const { server, client } = await setup((_req, res) => {
      res.socket?.destroy();
    });
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('connection');
    expect(server.hits).toHaveLength(1);
    await rejection(client.send(get()));
    expect(server.hits).toHaveLength(1 + FAST.maxAttempts);
  });

  test('per-request timeout → CluvioNetworkError "timeout", retried when idempotent', async () => {
    const { server, client } = await setup(silent, { timeoutMs: 150, retry: { ...FAST, maxAttempts: 2 } });
    const started = performance.now();
    const err = (await rejection(client.send(get()))) as CluvioNetworkError;
    const ms = performance.now() - started;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('150 ms');
    expect(server.hits).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(2_000);
  });

  test('per-request timeout of a non-idempotent POST is not retried', async () => {
    const { server, client } = await setup(silent, { timeoutMs: 150 });
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err.kind).toBe('timeout');
    await new Promise((r) => setTimeout(r, 100));
    expect(server.hits).toHaveLength(1);
  });

  test('the timeout also covers a body that stalls after the headers', async () => {
    const { client } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/vnd.api+json' });
        res.write('{"data": [');
      },
      { timeoutMs: 200, retry: { ...FAST, maxAttempts: 1 } },
    );
    const err = (await rejection(client.send(get()))) as CluvioNetworkError;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('timeout');
  });
});

describe('cancellation', () => {
  test('an AbortSignal aborts the request and rejects with its reason, without retrying', async () => {
    const { server, agent, client } = await setup(silent);
    const controller = new AbortController();
    const reason = new Error('cancelled by the client');
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    const err = await rejection(client.send(get({ signal: controller.signal })));
    expect(err).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.hits).toHaveLength(1);
    expect(agent.dispatched).toBe(1);
  });

  test('an abort while waiting for a retry rejects promptly with the reason', async () => {
    const { server, client } = await setup((_req, res) => json(res, 503, {}, { 'retry-after': '4' }));
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    const err = await rejection(client.send(get({ signal: controller.signal })));
    expect(err).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.hits).toHaveLength(1);
  });

  test('an abort whose reason is not an Error (a client string reason) rejects too, never passes for an answer', async () => {
    const { client } = await setup(silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort('user pressed stop'), 50);
    await expect(client.send(get({ signal: controller.signal }))).rejects.toBe('user pressed stop');
  });

  test('queueSignal: aborted while waiting for a slot → never sent; aborted after sending → the answer still arrives', async () => {
    const server = await startServer((_req, res) => setTimeout(() => json(res, 201, { data: { id: 'e1', type: 'executions' } }), 150));
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const limiter = new Limiter(1);
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent, limiter });
    const never = new AbortController().signal;

    const holder = limiter.acquire();
    const queued = new AbortController();
    const waiting = rejection(client.send(post({ signal: never, queueSignal: queued.signal })));
    queued.abort(new Error('cancelled in the queue'));
    expect(((await waiting) as Error).message).toBe('cancelled in the queue');
    (await holder)();
    expect(server.hits).toHaveLength(0);

    const sent = new AbortController();
    const answer = client.send(post({ signal: never, queueSignal: sent.signal }));
    await new Promise((r) => setTimeout(r, 50));
    sent.abort(new Error('cancelled after sending'));
    expect((await answer).status).toBe(201);
    expect(server.hits).toHaveLength(1);
  });

  test('an already aborted signal sends nothing', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    const reason = new Error('too late');
    const err = await rejection(client.send(get({ signal: AbortSignal.abort(reason) })));
    expect(err).toBe(reason);
    expect(server.hits).toHaveLength(0);
  });
});

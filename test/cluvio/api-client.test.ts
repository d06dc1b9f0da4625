import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import { Agent } from 'undici';
import { afterEach, describe, expect, test } from 'vitest';
import { ApiClient, type ApiRequest } from '../../src/cluvio/api-client.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import type { RetryPolicy } from '../../src/cluvio/retry.js';
import { closedPort, CountingAgent, json, startServer, type Handler } from './http-server.js';

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

/** An HTTP server on 127.0.0.1 that listens only when told to; `listening` then says whether it could take the port. */
function startServerLater(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  let hits = 0;
  let listening = Promise.resolve(false);
  const server = createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  return {
    get hits() {
      return hits;
    },
    get listening() {
      return listening;
    },
    listen(port: number) {
      listening = new Promise<boolean>((resolve) => {
        server.once('listening', () => resolve(true));
        server.once('error', () => resolve(false));
      });
      server.listen(port, '127.0.0.1');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A debug logger that hands each 'cluvio api failed' record to `onFailure` the moment the client writes it:
 * after the attempt failed and freed its slot, before the backoff starts. Tests wait for this event instead of a clock.
 */
function failureLogger(onFailure: (record: { error: string; retryInMs?: number }) => void) {
  return pino(
    { level: 'debug' },
    {
      write(line: string) {
        const record = JSON.parse(line) as { msg: string; error: string; retryInMs?: number };
        if (record.msg === 'cluvio api failed') onFailure(record);
      },
    },
  );
}

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
    expect((err as CluvioNetworkError).message).toBe('Cluvio answered HTTP 200 with a body that is not valid JSON');
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
      // The retry is sent after the second has passed (timers never fire early), and no wait ever exceeds maxRetryAfterMs.
      const gap = server.hits[1]!.at - server.hits[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(995);
      expect(gap).toBeLessThan(FAST.maxRetryAfterMs);
    } finally {
      await close();
    }
  });

  test('Retry-After as an HTTP date is waited for', async ({ expect }) => {
    const { server, client, close } = await own((_req, res, _hit, i) => {
      // Second resolution: the date lies 2 to 3 s ahead when sent, so at least 1 s ahead even if the answer takes a second to arrive.
      if (i === 0) return json(res, 503, {}, { 'retry-after': new Date(Date.now() + 3_000).toUTCString() });
      json(res, 200, {});
    });
    try {
      await client.send(get());
      expect(server.hits).toHaveLength(2);
      // Not the backoff (at most FAST.maxDelayMs = 20 ms): the date was waited for, and no wait ever exceeds maxRetryAfterMs.
      const gap = server.hits[1]!.at - server.hits[0]!.at;
      expect(gap).toBeGreaterThanOrEqual(1_000);
      expect(gap).toBeLessThan(FAST.maxRetryAfterMs);
    } finally {
      await close();
    }
  });

  test('a Retry-After beyond maxRetryAfterMs is not waited for: the error carries it', async ({ expect }) => {
    const { server, client, close } = await own((_req, res) => json(res, 429, { errors: [{ detail: 'rate limited' }] }, { 'retry-after': '120' }));
    try {
      const started = performance.now();
      const err = (await rejection(client.send(get()))) as CluvioApiError;
      // Not waited for: well under the 120 s asked for (the bound is the most the client ever waits).
      expect(performance.now() - started).toBeLessThan(FAST.maxRetryAfterMs);
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
    // closedPort() only frees a port: another process may take it before we listen on it. Then (and only then) start over.
    for (let tries = 1; ; tries++) {
      const port = await closedPort();
      const server = startServerLater((_req, res) => json(res, 201, { data: { id: 'late' } }));
      const failures: string[] = [];
      const logger = failureLogger((record) => {
        failures.push(record.error);
        // The first attempt was refused: listen now, before its backoff (a timer) can run out.
        if (failures.length === 1) server.listen(port);
      });
      const agent = new CountingAgent();
      cleanups.push(() => agent.close(), () => server.close());
      const client = new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 5_000, logger, retry: { ...FAST, maxAttempts: 2 }, dispatcher: agent });
      const outcome = await client.send(post()).then(
        (res) => ({ res }),
        (err: unknown) => ({ err }),
      );
      const listened = failures.length > 0 && (await server.listening);
      if ((!listened || !/ECONNREFUSED/.test(failures[0]!)) && tries < 5) continue;
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(/ECONNREFUSED/);
      expect(outcome).toEqual({ res: { status: 201, body: { data: { id: 'late' } }, contentType: 'application/vnd.api+json' } });
      // The POST reached the server once: the refused attempt never arrived.
      expect(server.hits).toBe(1);
      expect(agent.dispatched).toBe(2);
      return;
    }
  });

  test('a dropped connection after the request was sent: POST not retried, GET retried', async () => {
    const { server, client } = await setup((_req, res) => {
      res.socket?.destroy();
    });
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('connection');
    expect(err.message).toMatch(/^connection to Cluvio dropped \(.+\)$/);
    expect(server.hits).toHaveLength(1);
    await rejection(client.send(get()));
    expect(server.hits).toHaveLength(1 + FAST.maxAttempts);
  });

  test('per-request timeout → CluvioNetworkError "timeout", retried when idempotent', async () => {
    const retry = { ...FAST, maxAttempts: 2 };
    const { server, client } = await setup(silent, { timeoutMs: 150, retry });
    const started = performance.now();
    const err = (await rejection(client.send(get()))) as CluvioNetworkError;
    const ms = performance.now() - started;
    expect(err).toBeInstanceOf(CluvioNetworkError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('150 ms');
    expect(server.hits).toHaveLength(2);
    // Two attempts that each ran into the 150 ms timeout; the budget is 2 × 150 ms + one backoff, allowed ten times over.
    expect(ms).toBeGreaterThanOrEqual(2 * 150 - 10);
    expect(ms).toBeLessThan(10 * (2 * 150 + retry.maxDelayMs));
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
    const controller = new AbortController();
    const reason = new Error('cancelled by the client');
    // The server has the request and never answers; the client cancels right then.
    const { server, agent, client } = await setup(() => controller.abort(reason));
    const started = performance.now();
    const err = await rejection(client.send(get({ signal: controller.signal })));
    expect(err).toBe(reason);
    // Ended by the abort, not by the request's 5 s timeout.
    expect(performance.now() - started).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.hits).toHaveLength(1);
    expect(agent.dispatched).toBe(1);
  });

  test('an abort while waiting for a retry rejects promptly with the reason', async () => {
    const server = await startServer((_req, res) => json(res, 503, {}, { 'retry-after': '30' }));
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waits: Array<number | undefined> = [];
    // Cancel once the client has begun its 30 s wait.
    const logger = failureLogger((record) => {
      waits.push(record.retryInMs);
      setImmediate(() => controller.abort(reason));
    });
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, retry: { ...FAST, maxRetryAfterMs: 60_000 }, dispatcher: agent });
    const started = performance.now();
    const err = await rejection(client.send(get({ signal: controller.signal })));
    expect(err).toBe(reason);
    expect(waits).toEqual([30_000]);
    // Not after the wait: a retry sent then would also have ended with the reason, so the time tells them apart.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(server.hits).toHaveLength(1);
  });

  test('an abort whose reason is not an Error (a client string reason) rejects too, never passes for an answer', async () => {
    const { client } = await setup(silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort('user pressed stop'), 50);
    await expect(client.send(get({ signal: controller.signal }))).rejects.toBe('user pressed stop');
  });

  test('queueSignal: aborted while waiting for a slot → never sent; aborted after sending → the answer still arrives', async () => {
    const sent = new AbortController();
    // The server has the request when the client cancels; it answers after that.
    const server = await startServer((_req, res) => {
      sent.abort(new Error('cancelled after sending'));
      setImmediate(() => json(res, 201, { data: { id: 'e1', type: 'executions' } }));
    });
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

    const answer = client.send(post({ signal: never, queueSignal: sent.signal }));
    expect((await answer).status).toBe(201);
    expect(sent.signal.aborted).toBe(true);
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

describe('connection failures by their code', () => {
  /** A pool whose every connection attempt fails with `code`; counts the attempts. */
  function failingPool(code: string) {
    const pool = {
      attempts: 0,
      agent: new Agent({
        connect: (_opts, callback) => {
          pool.attempts++;
          callback(Object.assign(new Error(`fake ${code}`), { code }), null);
        },
      }),
    };
    cleanups.push(() => pool.agent.close());
    return pool;
  }

  test.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s proves the request never left: even a POST is retried, and its outcome is known',
    async (code) => {
      const pool = failingPool(code);
      const client = new ApiClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: pool.agent });
      const err = (await rejection(client.send(post()))) as CluvioNetworkError;
      expect(err).toBeInstanceOf(CluvioNetworkError);
      expect(err).toMatchObject({ kind: 'connection', operation: 'createThing', outcomeUnknown: false, message: `cannot reach Cluvio: ${code} fake ${code}` });
      expect(pool.attempts).toBe(FAST.maxAttempts);
    },
  );

  test.each(['ECONNRESET', 'EPIPE'])('%s may have reached the server: a POST is not repeated and its outcome is unknown; a GET is retried', async (code) => {
    const pool = failingPool(code);
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: pool.agent });
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err).toMatchObject({ kind: 'connection', outcomeUnknown: true });
    expect(pool.attempts).toBe(1);
    const again = (await rejection(client.send(get()))) as CluvioNetworkError;
    expect(again.outcomeUnknown).toBe(false);
    expect(pool.attempts).toBe(1 + FAST.maxAttempts);
  });
});

describe('a connection failure without a code', () => {
  test('is described by its message alone, and a POST is not repeated', async () => {
    let attempts = 0;
    const agent = new Agent({
      connect: (_opts, callback) => {
        attempts++;
        callback(new Error('tunnel   closed'), null);
      },
    });
    cleanups.push(() => agent.close());
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent });
    const err = (await rejection(client.send(post()))) as CluvioNetworkError;
    expect(err).toMatchObject({ kind: 'connection', message: 'cannot reach Cluvio: tunnel closed', outcomeUnknown: true });
    expect(attempts).toBe(1);
  });
});

describe('a POST whose outcome is unknown', () => {
  // A request not safe to repeat that failed in a way that may have left it carried out is marked, so the tool can say so.
  test.each([
    [502, true],
    [504, true],
    [503, false],
    [500, false],
    [422, false],
  ])('HTTP %i → outcomeUnknown %s', async (status, unknown) => {
    const { client } = await setup((_req, res) => json(res, status, {}));
    const err = (await rejection(client.send(post()))) as CluvioApiError;
    expect(err).toMatchObject({ status, outcomeUnknown: unknown });
  });

  test('a timeout, a dropped connection and an unreadable answer may all have been carried out', async () => {
    const slow = await setup(silent, { timeoutMs: 100 });
    expect(await rejection(slow.client.send(post()))).toMatchObject({ kind: 'timeout', outcomeUnknown: true });
    const dropped = await setup((_req, res) => void res.socket?.destroy());
    expect(await rejection(dropped.client.send(post()))).toMatchObject({ kind: 'connection', outcomeUnknown: true });
    const garbled = await setup((_req, res) => {
      res.writeHead(200);
      res.end('{"data"');
    });
    expect(await rejection(garbled.client.send(post()))).toMatchObject({ kind: 'malformed', outcomeUnknown: true });
  });

  test('an idempotent request is never marked, whatever failed', async () => {
    const { client } = await setup((_req, res) => json(res, 502, {}));
    expect(await rejection(client.send(get()))).toMatchObject({ status: 502, outcomeUnknown: false });
    expect(await rejection(client.send(post({ idempotent: true })))).toMatchObject({ status: 502, outcomeUnknown: false });
  });
});

describe('defaults and logs', () => {
  test('without a retry policy or a pool: the defaults (four attempts) and a pool of its own', async () => {
    const server = await startServer((_req, res) => json(res, 503, {}, { 'retry-after': '0' }));
    cleanups.push(() => server.close());
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger });
    expect(await rejection(client.send(get()))).toMatchObject({ status: 503 });
    expect(server.hits).toHaveLength(4);
  });

  test('each attempt is logged: operation, method, path, status or error, time taken, the wait before the next', async () => {
    const records: Array<Record<string, unknown>> = [];
    const server = await startServer((_req, res, _hit, i) =>
      setTimeout(() => (i === 0 ? json(res, 503, { errors: [{ detail: 'busy' }] }, { 'retry-after': '0' }) : json(res, 200, {})), 20),
    );
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const debug = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger: debug, retry: FAST, dispatcher: agent });
    const before = performance.now();
    await client.send(get());
    const elapsed = performance.now() - before;
    expect(records.map(({ msg, op, method, path, status, error, retryInMs }) => ({ msg, op, method, path, status, error, retryInMs }))).toEqual([
      { msg: 'cluvio api failed', op: 'getThing', method: 'GET', path: '/things/1', status: undefined, error: 'getThing: HTTP 503 — busy', retryInMs: 0 },
      { msg: 'cluvio api', op: 'getThing', method: 'GET', path: '/things/1', status: 200, error: undefined, retryInMs: undefined },
    ]);
    // The time of each attempt (the server took 20 ms); no queue time without a limiter.
    for (const r of records) {
      expect(r.ms).toBeGreaterThanOrEqual(19);
      expect(r.ms).toBeLessThanOrEqual(Math.ceil(elapsed));
      expect(r).not.toHaveProperty('queuedMs');
    }
  });

  test('the last failure has no next wait; time spent waiting for a slot is logged apart', async () => {
    const records: Array<Record<string, unknown>> = [];
    const server = await startServer((_req, res) => json(res, 503, { errors: [{ detail: 'busy' }] }));
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const limiter = new Limiter(1);
    const debug = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger: debug, retry: { ...FAST, maxAttempts: 1 }, dispatcher: agent, limiter });
    const release = await limiter.acquire();
    setTimeout(release, 30);
    await rejection(client.send(get()));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ msg: 'cluvio api failed', error: 'getThing: HTTP 503 — busy' });
    expect(records[0]).not.toHaveProperty('retryInMs');
    expect(records[0]!.queuedMs).toBeGreaterThanOrEqual(25);
  });
});

describe('corners', () => {
  test('keyId: 16 hex digits of the key\'s SHA-256, the same for the same key, never the key', async () => {
    const { client } = await setup((_req, res) => json(res, 200, {}));
    expect(client.keyId).toBe('1ec1c26b50d5d3c5');
    expect(client.withApiKey('s3cret').keyId).toBe('1ec1c26b50d5d3c5');
    expect(client.withApiKey('other').keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(client.withApiKey('other').keyId).not.toBe('1ec1c26b50d5d3c5');
  });

  test('a request without query parameters has no "?" in its URL', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    await client.send(get({ query: { filter: undefined } }));
    await client.send(get());
    expect(server.hits.map((h) => h.url)).toEqual(['/things/1', '/things/1']);
  });

  test('a Retry-After exactly at maxRetryAfterMs is still waited for', async () => {
    const { server, client } = await setup((_req, res, _hit, i) => (i === 0 ? json(res, 503, {}, { 'retry-after': '0' }) : json(res, 200, {})), {
      retry: { ...FAST, maxRetryAfterMs: 0 },
    });
    expect((await client.send(get())).status).toBe(200);
    expect(server.hits).toHaveLength(2);
  });

  test('a queue abort whose reason is not an Error rejects with that very reason, and nothing is sent', async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const limiter = new Limiter(1);
    const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, retry: FAST, dispatcher: agent, limiter });
    const release = await limiter.acquire();
    const queued = new AbortController();
    const waiting = rejection(client.send(post({ queueSignal: queued.signal })));
    queued.abort('the user cancelled');
    expect(await waiting).toBe('the user cancelled');
    release();
    expect(server.hits).toHaveLength(0);
  });

  test('a queue signal aborted after sending does not replace the answer\'s error', async () => {
    const sent = new AbortController();
    const { client } = await setup((_req, res) => {
      sent.abort(new Error('cancelled after sending'));
      setImmediate(() => json(res, 500, { errors: [{ detail: 'boom' }] }));
    });
    const err = await rejection(client.send(post({ queueSignal: sent.signal })));
    expect(err).toBeInstanceOf(CluvioApiError);
    expect(err).toMatchObject({ status: 500, details: ['boom'] });
  });

  test('a body that cannot be written as JSON fails before sending: not retried, not marked as possibly carried out', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    const err = await rejection(client.send(post({ body: { n: 1n } })));
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toHaveProperty('outcomeUnknown');
    expect(server.hits).toHaveLength(0);
  });

  test('a connection failure with a code and no message is described by its code alone', async () => {
    const agent = new Agent({
      connect: (_opts, callback) => callback(Object.assign(new Error(''), { code: 'EHOSTUNREACH' }), null),
    });
    cleanups.push(() => agent.close());
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 5_000, logger, retry: { ...FAST, maxAttempts: 1 }, dispatcher: agent });
    expect(await rejection(client.send(get()))).toMatchObject({ kind: 'connection', message: 'cannot reach Cluvio: EHOSTUNREACH' });
  });
});

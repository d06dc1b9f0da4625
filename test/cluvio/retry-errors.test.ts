import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ApiClient } from '../../src/cluvio/api-client.js';
import { CluvioApiError, CluvioNetworkError, errorDetails } from '../../src/cluvio/errors.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep } from '../../src/cluvio/retry.js';
import { CountingAgent, json, startServer } from './http-server.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0);

  test('delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3_000);
    expect(parseRetryAfter('1.5', now)).toBe(1_500);
    expect(parseRetryAfter('\t2\t', now)).toBe(2_000);
  });

  test('an HTTP date: milliseconds from now, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Jun 2024 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sat, 01 Jun 2024 11:59:00 GMT', now)).toBe(0);
  });

  test('absent or unreadable → undefined', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('   ', now)).toBeUndefined();
    expect(parseRetryAfter([], now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  test('delta-seconds must be the whole value: digits with text around them are unreadable, not NaN', () => {
    expect(parseRetryAfter('x5', now)).toBeUndefined();
    expect(parseRetryAfter('5x', now)).toBeUndefined();
    expect(parseRetryAfter('5 s', now)).toBeUndefined();
  });

  test('every decimal digit counts (V8 would read "1.25" as a date in 2001)', () => {
    expect(parseRetryAfter('1.25', now)).toBe(1_250);
    expect(parseRetryAfter('0.125', now)).toBe(125);
  });
});

describe('backoffDelay', () => {
  test('full jitter under an exponential ceiling, capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, policy, () => 0.999999))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('which statuses are retried', () => {
  // HTTP's "try again later" answers: 429 Too Many Requests (RFC 6585), 502 Bad Gateway, 503 Service Unavailable and
  // 504 Gateway Timeout (RFC 9110). Every other 4xx/5xx is final: repeating the request would get the same answer.
  const TRY_AGAIN_LATER = [429, 502, 503, 504];

  test('the API client repeats a GET after exactly those of all 4xx and 5xx answers', async () => {
    const server = await startServer((req, res) => json(res, Number(req.url!.slice(1)), {}));
    const agent = new CountingAgent();
    try {
      const logger = pino({ level: 'silent' });
      const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 0 };
      const client = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, dispatcher: agent, retry });
      for (let status = 400; status <= 599; status++) {
        await expect(client.send({ operation: 'op', method: 'GET', path: `/${status}`, idempotent: true })).rejects.toMatchObject({ status });
      }
      const attempts = new Map<number, number>();
      for (const hit of server.hits) {
        const status = Number(hit.url.slice(1));
        attempts.set(status, (attempts.get(status) ?? 0) + 1);
      }
      expect(attempts.size).toBe(200);
      expect([...attempts].filter(([, n]) => n > 1).map(([status]) => status)).toEqual(TRY_AGAIN_LATER);
    } finally {
      await server.close();
      await agent.close();
    }
  });
});

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('resolves when the time is up, not before', async () => {
    let done = false;
    const slept = sleep(30).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(29);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  test('an already aborted signal rejects at once with its reason, and sets no timer', async () => {
    const reason = new Error('x');
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('an abort while sleeping rejects at once with the reason and clears the timer', async () => {
    const reason = new Error('x');
    const c = new AbortController();
    let outcome: unknown;
    void sleep(10_000, c.signal).then(
      () => (outcome = 'resolved'),
      (e: unknown) => (outcome = e),
    );
    await vi.advanceTimersByTimeAsync(20);
    expect(vi.getTimerCount()).toBe(1);
    c.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a finished sleep stops listening to the signal', async () => {
    const c = new AbortController();
    const removed = vi.spyOn(c.signal, 'removeEventListener');
    const slept = sleep(10, c.signal);
    await vi.advanceTimersByTimeAsync(10);
    await slept;
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});

describe('errorDetails', () => {
  test('JSON:API errors[].detail, in order', () => {
    expect(errorDetails({ errors: [{ code: '422', detail: 'A detailed description of the error.' }, { detail: 'Second.' }] }, '')).toEqual([
      'A detailed description of the error.',
      'Second.',
    ]);
  });

  test('title, then code, when there is no detail; empty entries are skipped', () => {
    expect(errorDetails({ errors: [{ title: 'Not Found', code: '404' }, { code: '409' }, null, {}, { detail: '' }] }, '')).toEqual(['Not Found', '409']);
  });

  test('the source pointer is added when the text does not name the attribute', () => {
    expect(errorDetails({ errors: [{ detail: "can't be blank", source: { pointer: '/data/attributes/name' } }] }, '')).toEqual([
      "can't be blank (/data/attributes/name)",
    ]);
    expect(errorDetails({ errors: [{ detail: "name can't be blank", source: { pointer: '/data/attributes/name' } }] }, '')).toEqual([
      "name can't be blank",
    ]);
  });

  test('{error} / {message} bodies, plain text, and HTML', () => {
    expect(errorDetails({ error: 'Unauthorized' }, '')).toEqual(['Unauthorized']);
    expect(errorDetails({ message: 'Rate limit exceeded' }, '')).toEqual(['Rate limit exceeded']);
    expect(errorDetails(undefined, '  upstream timed out \n')).toEqual(['upstream timed out']);
    expect(errorDetails(undefined, 'x'.repeat(2_000))[0]).toHaveLength(500);
    expect(errorDetails(undefined, '<html><body>502 Bad Gateway</body></html>')).toEqual([]);
    expect(errorDetails(undefined, '')).toEqual([]);
  });

  test('errors[] with nothing usable falls back to error / message, then to the text', () => {
    expect(errorDetails({ errors: [{}, { detail: '' }], message: 'Rate limit exceeded' }, '')).toEqual(['Rate limit exceeded']);
    expect(errorDetails({ errors: 'oops', error: 'Unauthorized' }, '')).toEqual(['Unauthorized']);
    expect(errorDetails({ error: 'first', message: 'second' }, '')).toEqual(['first']);
    expect(errorDetails({ error: '', message: 'second' }, '')).toEqual(['second']);
    expect(errorDetails({ error: 5 }, 'raw text')).toEqual(['raw text']);
    expect(errorDetails({ errors: [{ detail: 5, title: 'Bad' }] }, '')).toEqual(['Bad']);
  });

  test('a JSON null body, null entries and a null source are read as nothing, not dereferenced', () => {
    expect(errorDetails(null, 'Bad Gateway')).toEqual(['Bad Gateway']);
    expect(errorDetails({ errors: [null, { detail: 'is invalid', source: null }] }, '')).toEqual(['is invalid']);
  });

  test('a source that is not an object, or a pointer that is not a string, adds nothing', () => {
    expect(errorDetails({ errors: [{ detail: 'is invalid', source: 'name' }] }, '')).toEqual(['is invalid']);
    expect(errorDetails({ errors: [{ detail: 'is invalid', source: { pointer: 7 } }] }, '')).toEqual(['is invalid']);
    expect(errorDetails({ errors: [{ detail: 'is invalid', source: { parameter: 'id' } }] }, '')).toEqual(['is invalid']);
  });

  test('exactly 500 characters of text are kept', () => {
    expect(errorDetails(undefined, 'y'.repeat(500))).toEqual(['y'.repeat(500)]);
    expect(errorDetails(undefined, `${'y'.repeat(500)}z`)).toEqual(['y'.repeat(500)]);
  });

  test('the error classes: names, fields, and no outcome doubt unless the client sets it', () => {
    const api = new CluvioApiError(503, [], 'getThing');
    expect(api).toMatchObject({ name: 'CluvioApiError', status: 503, operation: 'getThing', retryAfterMs: undefined, outcomeUnknown: false });
    const cause = new Error('ECONNRESET');
    const net = new CluvioNetworkError('dropped', 'createThing', 'connection', { cause });
    expect(net).toBeInstanceOf(Error);
    expect(net).toMatchObject({ name: 'CluvioNetworkError', message: 'dropped', operation: 'createThing', kind: 'connection', outcomeUnknown: false, cause });
  });

  test('CluvioApiError message: operation, status and details', () => {
    const e = new CluvioApiError(422, ['Name taken', 'Port invalid'], 'createDatasource', 2_000);
    expect(e.message).toBe('createDatasource: HTTP 422 — Name taken; Port invalid');
    expect(e.name).toBe('CluvioApiError');
    expect(new CluvioApiError(500, [], 'x').message).toBe('x: HTTP 500');
  });
});

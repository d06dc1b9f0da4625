import { describe, expect, test } from 'vitest';
import { CluvioApiError, errorDetails } from '../../src/cluvio/errors.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUS, sleep } from '../../src/cluvio/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 5, 1, 12, 0, 0);

  test('delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3_000);
  });

  test('an HTTP date: milliseconds from now, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Jun 2024 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Sat, 01 Jun 2024 11:59:00 GMT', now)).toBe(0);
  });

  test('absent or unreadable → undefined', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
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

  test('retryable statuses', () => {
    expect([...RETRYABLE_STATUS].sort()).toEqual([429, 502, 503, 504]);
  });
});

describe('sleep', () => {
  test('waits, and rejects with the reason when aborted', async () => {
    const t0 = performance.now();
    await sleep(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(28);
    const reason = new Error('x');
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    const c = new AbortController();
    setTimeout(() => c.abort(reason), 20);
    const t1 = performance.now();
    await expect(sleep(10_000, c.signal)).rejects.toBe(reason);
    expect(performance.now() - t1).toBeLessThan(500);
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

  test('CluvioApiError message: operation, status and details', () => {
    const e = new CluvioApiError(422, ['Name taken', 'Port invalid'], 'createDatasource', 2_000);
    expect(e.message).toBe('createDatasource: HTTP 422 — Name taken; Port invalid');
    expect(e.name).toBe('CluvioApiError');
    expect(new CluvioApiError(500, [], 'x').message).toBe('x: HTTP 500');
  });
});

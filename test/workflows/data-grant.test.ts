import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { DataGrant } from '../../src/cluvio/data-client.js';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { MalformedResultError } from '../../src/cluvio/result-stream.js';
import { withDataGrant } from '../../src/workflows/data-grant.js';
import { settle } from './context.js';

/** Grants g1, g2, … one per call; `use` fails with the errors given, in turn, then answers with the grant's key. */
function scenario(failures: unknown[], opts: { signal?: AbortSignal } = {}) {
  let grants = 0;
  const used: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const t0 = performance.now();
  const times: number[] = [];
  const ctx = { signal: opts.signal, logger: { debug: (fields: Record<string, unknown>, message: string) => void logs.push({ ...fields, message }) } as never };
  const getGrant = async (): Promise<DataGrant> => ({ data_key: `g${++grants}`, data_access_token: `t${grants}` });
  const use = async (grant: DataGrant) => {
    used.push(grant.data_key);
    times.push(performance.now() - t0);
    const failure = failures[used.length - 1];
    if (failure !== undefined) throw failure;
    return `rows of ${grant.data_key}`;
  };
  return { work: withDataGrant(ctx, 'report r1', getGrant, use), used, logs, times };
}

const apiError = (status: number) => new CluvioApiError(status, [], 'getResultData');

beforeEach(() => {
  vi.useFakeTimers();
  // The backoff's jitter at its ceiling: 250, 500, 1,000 ms.
  vi.spyOn(Math, 'random').mockReturnValue(1);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('withDataGrant', () => {
  test('reads with the grant', async () => {
    const s = scenario([]);
    expect(await settle(s.work)).toEqual({ value: 'rows of g1' });
    expect(s.used).toEqual(['g1']);
  });

  test('no grant (204) or one without a data key: nothing to read', async () => {
    for (const grant of [undefined, { data_access_token: 't' }, { data_key: 7, data_access_token: 't' }]) {
      const use = vi.fn();
      expect(await settle(withDataGrant({ logger: {} as never }, 'x', async () => grant as DataGrant | undefined, use))).toEqual({ value: undefined });
      expect(use).not.toHaveBeenCalled();
    }
  });

  test('a token that expired (401) is replaced once, at once', async () => {
    const s = scenario([apiError(401)]);
    expect(await settle(s.work)).toEqual({ value: 'rows of g2' });
    expect(s.times).toEqual([0, 0]);
    const twice = scenario([apiError(401), apiError(401)]);
    expect((await settle(twice.work)).error).toMatchObject({ status: 401 });
    expect(twice.used).toEqual(['g1', 'g2']);
  });

  test.each([
    ['a dropped connection', new CluvioNetworkError('dropped', 'getResultData', 'connection')],
    ['a timeout', new CluvioNetworkError('slow', 'getResultData', 'timeout')],
    ['a truncated body', new MalformedResultError('truncated')],
    ['429', apiError(429)],
    ['503', apiError(503)],
  ])('%s is retried with a fresh grant after a growing backoff', async (_name, error) => {
    const s = scenario([error, error]);
    expect(await settle(s.work)).toEqual({ value: 'rows of g3' });
    expect(s.times).toEqual([0, 250, 750]);
    const message = 'data server read failed; retrying';
    expect(s.logs).toEqual([
      { what: 'report r1', error: (error as Error).message, attempt: 1, message },
      { what: 'report r1', error: (error as Error).message, attempt: 2, message },
    ]);
  });

  test('four attempts in all (DEFAULT_RETRY); then the last error', async () => {
    const errors = [1, 2, 3, 4].map((n) => new CluvioNetworkError(`dropped ${n}`, 'getResultData', 'connection'));
    const s = scenario(errors);
    expect((await settle(s.work)).error).toBe(errors[3]);
    expect(s.times).toEqual([0, 250, 750, 1_750]);
  });

  test('of all 4xx and 5xx answers, exactly 429, 502, 503 and 504 are retried (401 gets a new token once)', async () => {
    const retried: number[] = [];
    for (let status = 400; status <= 599; status++) {
      const s = scenario([apiError(status)]);
      await settle(s.work);
      if (s.used.length > 1 && status !== 401) retried.push(status);
    }
    expect(retried).toEqual([429, 502, 503, 504]);
  });

  test('other failures are not retried', async () => {
    for (const error of [new Error('bug'), apiError(500), apiError(404), new CluvioApiError(403, ['no access'], 'getResultData')]) {
      const s = scenario([error]);
      expect((await settle(s.work)).error).toBe(error);
      expect(s.used).toEqual(['g1']);
    }
  });

  test('after a cancel, nothing is retried: not even a failure that would be, nor an expired token', async () => {
    for (const failure of [new Error('client cancelled'), apiError(503), apiError(401)]) {
      const controller = new AbortController();
      controller.abort(new Error('client cancelled'));
      const s = scenario([failure], { signal: controller.signal });
      expect((await settle(s.work)).error).toBe(failure);
      expect(s.used).toEqual(['g1']);
      expect(s.logs).toEqual([]);
    }
  });

  test('a cancel during the backoff ends the wait with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('client cancelled');
    const s = scenario([apiError(503), apiError(503)], { signal: controller.signal });
    const outcome = s.work.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(s.used).toEqual(['g1']);
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { BACKOFF, pollDelay, startWork, waitUntilDone, type WaitOptions } from '../../src/workflows/work.js';
import { fakeContext, run, settle } from './context.js';

describe('pollDelay', () => {
  test('starts at or under 100 ms, grows, and is capped', () => {
    const seq = Array.from({ length: 30 }, (_, n) => pollDelay(n));
    expect(seq[0]).toBeLessThanOrEqual(100);
    expect(seq[0]).toBeGreaterThan(0);
    for (let n = 1; n < seq.length; n++) expect(seq[n]).toBeGreaterThanOrEqual(seq[n - 1]!);
    expect(seq[1]).toBeGreaterThan(seq[0]!);
    expect(seq[3]).toBeGreaterThan(seq[2]!);
    expect(Math.max(...seq)).toBe(BACKOFF.maxMs);
    expect(seq[29]).toBe(BACKOFF.maxMs);
    expect(BACKOFF.maxMs).toBeLessThanOrEqual(2_000);
    // The first second holds several polls: fast work is noticed fast.
    let sum = 0;
    let polls = 0;
    while (sum + seq[polls]! <= 1_000) sum += seq[polls++]!;
    expect(polls).toBeGreaterThanOrEqual(4);
  });

  test('a smaller server hint is respected, but never below the first delay', () => {
    expect(pollDelay(10, 300)).toBe(300);
    expect(pollDelay(20, 1_000)).toBe(1_000);
    expect(pollDelay(10, 5)).toBe(BACKOFF.firstMs);
    expect(pollDelay(0, 50)).toBeLessThanOrEqual(100);
  });

  test('a larger hint does not stretch the backoff; no or zero hint is ignored', () => {
    expect(pollDelay(0, 5_000)).toBe(pollDelay(0));
    expect(pollDelay(20, 60_000)).toBe(BACKOFF.maxMs);
    expect(pollDelay(3, 0)).toBe(pollDelay(3));
    expect(pollDelay(3, undefined)).toBe(pollDelay(3));
  });
});

interface State {
  n: number;
}

/** A poll that counts its calls and reports the count; records whether it was handed the signal. */
function counter() {
  const calls: number[] = [];
  const signals: AbortSignal[] = [];
  const started = performance.now();
  return {
    calls,
    signals,
    poll: async (signal: AbortSignal): Promise<State> => {
      signals.push(signal);
      calls.push(performance.now() - started);
      return { n: calls.length };
    },
  };
}

function options(overrides: Partial<WaitOptions<State>> & Pick<WaitOptions<State>, 'poll'>): WaitOptions<State> & { progress: number[] } {
  const progress: number[] = [];
  return {
    isDone: () => false,
    describe: (s, ms) => ({ progress: ms, message: `poll ${s.n}` }),
    budgetMs: 10_000,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push(p),
    progress,
    ...overrides,
  };
}

// Independent of the clock: every waitUntilDone test runs on fake timers (setTimeout and performance.now),
// so poll times and elapsed times are exact and a loaded machine cannot stretch them.
describe('waitUntilDone', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // Not at 0: elapsed times must be measured from the start of the wait, not from the clock's origin.
    vi.advanceTimersByTime(12_345);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs the wait to its end on the fake clock; resolves with its result or its rejection. */
  async function settle<T>(wait: Promise<T>): Promise<{ value?: T; error?: unknown }> {
    const outcome = wait.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await vi.runAllTimersAsync();
    return outcome;
  }

  test('returns done with the number of polls it took, polling at 0, 100, 250 and 475 ms', async () => {
    const c = counter();
    const opts = options({ poll: c.poll, isDone: (s) => s.n >= 4 });
    const { value: result } = await settle(waitUntilDone(opts));
    expect(result).toEqual({ done: true, state: { n: 4 }, polls: 4, elapsedMs: 475 });
    // The backoff: 100, then ×1.5 (150, 225 ms).
    expect(c.calls).toEqual([0, 100, 250, 475]);
    // One progress report for each state seen before it was done, with the time it was seen.
    expect(opts.progress).toEqual([0, 100, 250]);
    expect(c.signals.every((s) => s === opts.signal)).toBe(true);
  });

  test('the delay between polls reaches its cap and stays there', async () => {
    const c = counter();
    const { value: result } = await settle(waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n >= 12 })));
    expect(result?.polls).toBe(12);
    const gaps = c.calls.slice(1).map((t, i) => t - c.calls[i]!);
    for (let n = 1; n < gaps.length; n++) expect(gaps[n]).toBeGreaterThanOrEqual(gaps[n - 1]!);
    expect(gaps.slice(-3)).toEqual([BACKOFF.maxMs, BACKOFF.maxMs, BACKOFF.maxMs]);
  });

  test('a first poll that is done returns at once', async () => {
    const c = counter();
    const opts = options({ poll: c.poll, isDone: () => true });
    const { value: result } = await settle(waitUntilDone(opts));
    expect(result).toEqual({ done: true, polls: 1, state: { n: 1 }, elapsedMs: 0 });
    expect(opts.progress).toEqual([]);
  });

  test('a known initial state that is done: no poll at all', async () => {
    const c = counter();
    const { value: result } = await settle(waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n === 0, initial: { n: 0 } })));
    expect(result).toEqual({ done: true, state: { n: 0 }, polls: 0, elapsedMs: 0 });
    expect(c.calls).toHaveLength(0);
  });

  test('a known initial state that is running: the first poll waits the first delay', async () => {
    const c = counter();
    const opts = options({ poll: c.poll, isDone: (s) => s.n >= 1, initial: { n: 0 } });
    const { value: result } = await settle(waitUntilDone(opts));
    expect(result).toEqual({ done: true, polls: 1, state: { n: 1 }, elapsedMs: 100 });
    expect(c.calls).toEqual([100]);
    // The initial state was reported as progress before the wait.
    expect(opts.progress).toEqual([0]);
  });

  test('the server hint shortens the waits', async () => {
    const c = counter();
    const { value: result } = await settle(waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n >= 6, hintMs: () => 100 })));
    expect(result?.polls).toBe(6);
    // Without the hint: 100 + 150 + 225 + 337.5 + 506.25 ms; with it: 5 × 100 ms.
    expect(c.calls).toEqual([0, 100, 200, 300, 400, 500]);
    expect(result?.elapsedMs).toBe(500);
  });

  test('the hint is read from the latest state', async () => {
    const c = counter();
    const hints: Array<number | undefined> = [];
    const { value: result } = await settle(
      waitUntilDone(
        options({
          poll: c.poll,
          isDone: (s) => s.n >= 3,
          hintMs: (s) => {
            hints.push(s.n);
            return s.n === 2 ? 120 : undefined;
          },
        }),
      ),
    );
    expect(hints).toEqual([1, 2]);
    // 100 ms (no hint), then min(150, 120) ms.
    expect(c.calls).toEqual([0, 100, 220]);
    expect(result?.done).toBe(true);
  });

  test('budget expiry returns done: false with the last state, exactly at the budget', async () => {
    const c = counter();
    const opts = options({ poll: c.poll, budgetMs: 400 });
    const { value: result } = await settle(waitUntilDone(opts));
    // Polls at 0, 100, 250; the next wait is cut to the 150 ms left, then one last poll at 400.
    expect(c.calls).toEqual([0, 100, 250, 400]);
    expect(result).toEqual({ done: false, state: { n: 4 }, polls: 4, elapsedMs: 400 });
  });

  test('a zero budget polls once and returns', async () => {
    const c = counter();
    const { value: result } = await settle(waitUntilDone(options({ poll: c.poll, budgetMs: 0 })));
    expect(result).toEqual({ done: false, state: { n: 1 }, polls: 1, elapsedMs: 0 });
  });

  test('progress values strictly increase', async () => {
    const c = counter();
    const opts = options({ poll: c.poll, budgetMs: 700, describe: (s, ms) => ({ progress: Math.round(ms / 100) / 10, message: `poll ${s.n}` }) });
    await settle(waitUntilDone(opts));
    // Polls at 0, 100, 250, 475 and 700 ms (the last wait cut to the budget), each reported in tenths of seconds.
    expect(opts.progress).toEqual([0, 0.1, 0.3, 0.5, 0.7]);
  });

  test('progress values strictly increase even when describe repeats a value', async () => {
    const c = counter();
    const reports: Array<[number, number | undefined, string]> = [];
    const opts = options({
      poll: c.poll,
      isDone: (s) => s.n >= 7,
      hintMs: () => 100,
      // A coarse measure that stays the same across two polls (e.g. a percentage the server rounds).
      describe: (s) => ({ progress: Math.floor(s.n / 2), total: 4, message: `poll ${s.n}` }),
    });
    opts.onProgress = (p, total, message) => void reports.push([p, total, message]);
    const { value: result } = await settle(waitUntilDone(opts));
    expect(result).toMatchObject({ done: true, polls: 7 });
    // States 1…6 give 0, 1, 1, 2, 2, 3: a repeated value is not sent again.
    expect(reports).toEqual([
      [0, 4, 'poll 1'],
      [1, 4, 'poll 2'],
      [2, 4, 'poll 4'],
      [3, 4, 'poll 6'],
    ]);
  });

  test('an abort while waiting rejects at once with the reason, and polls no more', async () => {
    const c = counter();
    const controller = new AbortController();
    const reason = new Error('client cancelled');
    const opts = options({ poll: c.poll, signal: controller.signal, budgetMs: 60_000 });
    const started = performance.now();
    let rejectedAt: number | undefined;
    const outcome = waitUntilDone(opts).catch((e: unknown) => {
      rejectedAt = performance.now() - started;
      return e;
    });
    // Polls at 0, 100, 250 and 475 ms: 320 ms falls in the middle of a wait.
    setTimeout(() => controller.abort(reason), 320);
    await vi.advanceTimersByTimeAsync(320);
    expect(await outcome).toBe(reason);
    expect(rejectedAt).toBe(320);
    expect(c.calls).toEqual([0, 100, 250]);
    // Nothing left that could poll again.
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(c.calls).toHaveLength(3);
  });

  test('an abort during a poll that honours the signal rejects with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const poll = (signal: AbortSignal) =>
      new Promise<State>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    setTimeout(() => controller.abort(reason), 50);
    expect(await settle(waitUntilDone(options({ poll, signal: controller.signal })))).toEqual({ error: reason });
  });

  test('a poll that still answers after an abort does not end the wait as done', async () => {
    for (const initial of [undefined, { n: 0 }]) {
      const controller = new AbortController();
      const reason = new Error('stop');
      // Answers "done" although the call was cancelled while it was under way.
      const poll = async (): Promise<State> => {
        controller.abort(reason);
        return { n: 1 };
      };
      const outcome = await settle(waitUntilDone(options({ poll, initial, isDone: (s) => s.n === 1, signal: controller.signal })));
      expect(outcome, `initial ${JSON.stringify(initial)}`).toEqual({ error: reason });
    }
  });

  test('a failing poll rejects with its error', async () => {
    const boom = new Error('HTTP 500');
    let n = 0;
    const poll = async (): Promise<State> => {
      if (++n === 2) throw boom;
      return { n };
    };
    expect(await settle(waitUntilDone(options({ poll })))).toEqual({ error: boom });
    expect(n).toBe(2);
  });
});

describe('startWork', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a call cancelled before it starts sends nothing', async () => {
    const reason = new Error('too late');
    const { ctx, sent } = fakeContext({ refreshReport: {} }, { signal: AbortSignal.abort(reason) });
    const cancel = vi.fn(async () => {});
    expect((await settle(startWork(ctx, {}, cancel))).error).toBe(reason);
    expect(sent).toEqual([]);
    expect(cancel).not.toHaveBeenCalled();
  });

  test('returns the answer; cancel is only for a call cancelled meanwhile', async () => {
    const { ctx, sent } = fakeContext({ refreshReport: { execution_id: 'e1' } });
    const cancel = vi.fn(async () => {});
    expect(await run(startWork(ctx, { id: 'r1' }, cancel))).toEqual({ execution_id: 'e1' });
    // The call's own operation, sent whatever the client does meanwhile: only the wait for a slot is cancellable.
    expect(sent.map((x) => [x.op, x.args])).toEqual([['refreshReport', { id: 'r1' }]]);
    expect(sent[0]!.signal?.aborted).toBe(false);
    expect(sent[0]!.queueSignal).toBe(ctx.signal);
    expect(cancel).not.toHaveBeenCalled();
  });

  test('cancelled while the request was under way: the answer is handed to cancel, then the call rejects', async () => {
    const reason = new Error('client cancelled');
    const box = fakeContext({
      refreshReport: () => {
        box.controller.abort(reason);
        return { execution_id: 'e9' };
      },
    });
    const cancel = vi.fn(async () => {});
    expect((await settle(startWork(box.ctx, { id: 'r1' }, cancel))).error).toBe(reason);
    expect(cancel).toHaveBeenCalledWith({ execution_id: 'e9' });
  });
});

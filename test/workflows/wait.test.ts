import { describe, expect, test } from 'vitest';
import { BACKOFF, pollDelay, waitUntilDone, type WaitOptions } from '../../src/workflows/wait.js';

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

// Independent and mostly asleep: run side by side.
describe.concurrent('waitUntilDone', () => {
  test('returns done with the number of polls it took', async ({ expect }) => {
    const c = counter();
    const opts = options({ poll: c.poll, isDone: (s) => s.n >= 4 });
    const result = await waitUntilDone(opts);
    expect(result.done).toBe(true);
    expect(result.polls).toBe(4);
    expect(result.state).toEqual({ n: 4 });
    expect(c.calls).toHaveLength(4);
    // Polls are spaced by the backoff (100, 150, 225 ms), with timer slack.
    const gaps = c.calls.slice(1).map((t, i) => t - c.calls[i]!);
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(pollDelay(n) - 5));
    expect(result.elapsedMs).toBeGreaterThanOrEqual(470);
    expect(result.elapsedMs).toBeLessThan(1_500);
    // One progress report for each state seen before it was done.
    expect(opts.progress).toHaveLength(3);
    expect(c.signals.every((s) => s === opts.signal)).toBe(true);
  });

  test('a first poll that is done returns at once', async ({ expect }) => {
    const c = counter();
    const opts = options({ poll: c.poll, isDone: () => true });
    const result = await waitUntilDone(opts);
    expect(result).toMatchObject({ done: true, polls: 1, state: { n: 1 } });
    expect(result.elapsedMs).toBeLessThan(50);
    expect(opts.progress).toEqual([]);
  });

  test('a known initial state that is done: no poll at all', async ({ expect }) => {
    const c = counter();
    const result = await waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n === 0, initial: { n: 0 } }));
    expect(result).toEqual({ done: true, state: { n: 0 }, polls: 0, elapsedMs: 0 });
    expect(c.calls).toHaveLength(0);
  });

  test('a known initial state that is running: the first poll waits', async ({ expect }) => {
    const c = counter();
    const result = await waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n >= 1, initial: { n: 0 } }));
    expect(result).toMatchObject({ done: true, polls: 1, state: { n: 1 } });
    expect(c.calls[0]).toBeGreaterThanOrEqual(95);
  });

  test('the server hint shortens the waits', async ({ expect }) => {
    const c = counter();
    const result = await waitUntilDone(options({ poll: c.poll, isDone: (s) => s.n >= 6, hintMs: () => 100 }));
    expect(result.polls).toBe(6);
    // Without the hint: 100 + 150 + 225 + 337 + 506 ≈ 1.3 s; with it: 5 × 100 ms.
    expect(result.elapsedMs).toBeLessThan(900);
  });

  test('budget expiry returns done: false with the last state, on time', async ({ expect }) => {
    const c = counter();
    const opts = options({ poll: c.poll, budgetMs: 400 });
    const result = await waitUntilDone(opts);
    expect(result.done).toBe(false);
    expect(result.state).toEqual({ n: c.calls.length });
    expect(result.polls).toBe(c.calls.length);
    expect(result.polls).toBeGreaterThanOrEqual(3);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(395);
    expect(result.elapsedMs).toBeLessThan(700);
  });

  test('a zero budget polls once and returns', async ({ expect }) => {
    const c = counter();
    const result = await waitUntilDone(options({ poll: c.poll, budgetMs: 0 }));
    expect(result).toMatchObject({ done: false, polls: 1 });
  });

  test('progress values strictly increase', async ({ expect }) => {
    const c = counter();
    const opts = options({ poll: c.poll, budgetMs: 700, describe: (s, ms) => ({ progress: Math.round(ms / 100) / 10, message: `poll ${s.n}` }) });
    await waitUntilDone(opts);
    expect(opts.progress.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < opts.progress.length; i++) expect(opts.progress[i]).toBeGreaterThan(opts.progress[i - 1]!);
  });

  test('progress values strictly increase even when describe repeats a value', async ({ expect }) => {
    const c = counter();
    const messages: string[] = [];
    const opts = options({
      poll: c.poll,
      isDone: (s) => s.n >= 7,
      hintMs: () => 100,
      // A coarse measure that stays the same across two polls (e.g. a percentage the server rounds).
      describe: (s) => ({ progress: Math.floor(s.n / 2), total: 4, message: `poll ${s.n}` }),
    });
    opts.onProgress = (p, total, message) => {
      expect(total).toBe(4);
      opts.progress.push(p);
      messages.push(message);
    };
    const result = await waitUntilDone(opts);
    expect(result).toMatchObject({ done: true, polls: 7 });
    for (let i = 1; i < opts.progress.length; i++) expect(opts.progress[i]).toBeGreaterThan(opts.progress[i - 1]!);
    expect(opts.progress).toEqual([0, 1, 2, 3]);
    expect(messages[0]).toBe('poll 1');
  });

  test('an abort while waiting rejects promptly with the reason and polls no more', async ({ expect }) => {
    const c = counter();
    const controller = new AbortController();
    const reason = new Error('client cancelled');
    const opts = options({ poll: c.poll, signal: controller.signal, budgetMs: 60_000 });
    const started = performance.now();
    // Polls at about 0, 100, 250 and 475 ms: the abort falls in the middle of a wait.
    setTimeout(() => controller.abort(reason), 320);
    const err = await waitUntilDone(opts).catch((e) => e);
    const ms = performance.now() - started;
    expect(err).toBe(reason);
    expect(ms).toBeGreaterThanOrEqual(315);
    expect(ms).toBeLessThan(440);
    const polls = c.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(c.calls.length).toBe(polls);
  });

  test('an abort during a poll that honours the signal rejects with the reason', async ({ expect }) => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const poll = (signal: AbortSignal) =>
      new Promise<State>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    setTimeout(() => controller.abort(reason), 50);
    await expect(waitUntilDone(options({ poll, signal: controller.signal }))).rejects.toBe(reason);
  });

  test('a poll that still answers after an abort does not end the wait as done', async ({ expect }) => {
    const controller = new AbortController();
    const reason = new Error('stop');
    // Answers "done" although the call was cancelled while it was under way.
    const poll = async (): Promise<State> => {
      controller.abort(reason);
      return { n: 1 };
    };
    await expect(waitUntilDone(options({ poll, isDone: () => true, signal: controller.signal }))).rejects.toBe(reason);
  });

  test('a failing poll rejects with its error', async ({ expect }) => {
    const boom = new Error('HTTP 500');
    let n = 0;
    const poll = async (): Promise<State> => {
      if (++n === 2) throw boom;
      return { n };
    };
    await expect(waitUntilDone(options({ poll }))).rejects.toBe(boom);
  });
});

import { sleep } from '../cluvio/retry.js';
import type { CallContext } from '../context.js';

/*
 * Long-running work in Cluvio (queries, refreshes, exports, alert runs): start it so that a cancel never
 * orphans it, then wait for it with one polling mechanism.
 */

/**
 * The one waiting mechanism for work Cluvio does in the background: poll with a backoff that starts
 * well under a second and settles near the server's hint, within a total budget, reporting progress.
 */
export interface WaitOptions<T> {
  /** One status request. */
  poll: (signal: AbortSignal) => Promise<T>;
  isDone: (state: T) => boolean;
  /** Progress for the client: a value that grows with each poll, an optional total, and words. */
  describe: (state: T, elapsedMs: number) => { progress: number; total?: number; message: string };
  budgetMs: number;
  signal: AbortSignal;
  onProgress: (progress: number, total: number | undefined, message: string) => void;
  /** The server's suggested delay in ms (e.g. `status_check_delay`), if it gives one. */
  hintMs?: (state: T) => number | undefined;
  /** State already known (e.g. from the start call), so the first poll can wait. */
  initial?: T;
}

export interface WaitResult<T> {
  done: boolean;
  state: T;
  polls: number;
  elapsedMs: number;
}

export const BACKOFF = { firstMs: 100, factor: 1.5, maxMs: 1_500 };

/** Delay before poll number `n` (0-based): 100, 150, 225, … ms up to the cap, or the server's hint if smaller. */
export function pollDelay(n: number, hintMs?: number): number {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * BACKOFF.factor ** n);
  return hintMs !== undefined && hintMs > 0 ? Math.min(base, Math.max(hintMs, BACKOFF.firstMs)) : base;
}

export async function waitUntilDone<T>(opts: WaitOptions<T>): Promise<WaitResult<T>> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let state: T;
  let polls = 0;
  // MCP requires each progress notification to carry a larger value than the one before.
  let lastProgress = Number.NEGATIVE_INFINITY;
  if (opts.initial !== undefined && opts.isDone(opts.initial)) return { done: true, state: opts.initial, polls, elapsedMs: 0 };
  if (opts.initial !== undefined) {
    state = opts.initial;
  } else {
    state = await opts.poll(opts.signal);
    polls++;
    // A poll that answers although the call was cancelled meanwhile must not end the wait as if done.
    opts.signal.throwIfAborted();
  }
  for (let n = 0; !opts.isDone(state); n++) {
    const p = opts.describe(state, elapsed());
    if (p.progress > lastProgress) {
      lastProgress = p.progress;
      opts.onProgress(p.progress, p.total, p.message);
    }
    const delay = pollDelay(n, opts.hintMs?.(state));
    const remaining = opts.budgetMs - elapsed();
    if (remaining <= 0) return { done: false, state, polls, elapsedMs: elapsed() };
    await sleep(Math.min(delay, remaining), opts.signal);
    state = await opts.poll(opts.signal);
    polls++;
    opts.signal.throwIfAborted();
  }
  return { done: true, state, polls, elapsedMs: elapsed() };
}

/** A signal that never aborts. */
const NOT_CANCELLABLE = new AbortController().signal;

/**
 * Send the request of the call's own operation, which starts work in Cluvio (a query, a refresh, an export),
 * and return its answer.
 * Once sent, Cluvio starts the work whether or not the answer is read, and only the answer says what
 * to cancel; so the request is not cut off when the client cancels the call (the API client's own
 * timeout still applies), though a call cancelled while the request waits for a slot never sends it.
 * If the client cancelled after it was sent, `cancel` stops what was started before the call ends.
 */
export async function startWork(ctx: CallContext, args: Record<string, unknown>, cancel: (answer: unknown) => Promise<void>): Promise<unknown> {
  ctx.signal.throwIfAborted();
  const answer = await ctx.request(ctx.op, args, { signal: NOT_CANCELLABLE, queueSignal: ctx.signal });
  if (ctx.signal.aborted) {
    await cancel(answer);
    ctx.signal.throwIfAborted();
  }
  return answer;
}

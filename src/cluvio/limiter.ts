/**
 * An async concurrency limiter: at most `max` holders at once, the rest wait in arrival order.
 *
 * It sits in front of every request to Cluvio (API server and data server) so that a burst of tool
 * calls queues here instead of hitting Cluvio's per-datasource limit of concurrent executions.
 * A released slot goes straight to the oldest waiter, so nobody arriving later can overtake it;
 * a waiter whose signal aborts leaves the queue and rejects with the signal's reason.
 */
export class Limiter {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  /** `onWait`: told how long each acquisition waited for its slot, in seconds (0 when one was free). */
  constructor(
    readonly max: number,
    private readonly onWait?: (seconds: number) => void,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`limiter size must be a positive integer, not ${max}`);
  }

  /** Holders right now. */
  get inFlight(): number {
    return this.active;
  }

  /** Waiters right now. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function once a slot is free; call it exactly once when done (extra calls are ignored). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max && this.waiters.length === 0) {
      this.active++;
      this.onWait?.(0);
      return Promise.resolve(this.releaser());
    }
    const since = this.onWait ? performance.now() : 0;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.onWait?.((performance.now() - since) / 1000);
        resolve(this.releaser());
      };
      this.waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `task` in a slot and frees the slot when it settles (success, error or abort). */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot over directly: `active` stays the same and no newcomer can barge in.
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

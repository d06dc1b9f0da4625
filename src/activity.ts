/** Counts tool calls in progress, so a shutdown can wait for them to finish. */
export class Activity {
  private running = 0;
  private readonly waiters = new Set<() => void>();

  get active(): number {
    return this.running;
  }

  enter(): void {
    this.running++;
  }

  leave(): void {
    this.running--;
    if (this.running === 0) for (const resolve of this.waiters) resolve();
  }

  /** Resolves true once no call is running, or false when `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(onIdle);
    });
  }
}

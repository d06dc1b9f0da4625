/**
 * A small time-bounded cache of promises: concurrent readers share one fetch, a failed fetch is
 * forgotten at once, entries expire after `ttlMs` and can be dropped early by a predicate.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    if (this.entries.size >= this.maxEntries) this.prune(t);
    const value = load();
    const entry = { value, expires: t + this.ttlMs };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Drops every entry whose key matches. */
  invalidate(match: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (match(key)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(t: number): void {
    for (const [key, e] of this.entries) if (e.expires <= t) this.entries.delete(key);
    // Still full: drop the oldest insertions.
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

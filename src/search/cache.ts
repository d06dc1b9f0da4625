import type { SearchIndex } from './index.js';

/** How long an account's search index is used before it is built again (writes through this server drop it sooner). */
export const SEARCH_TTL_MS = 60_000;
/** Accounts (API keys) whose index is kept at once; the least recently searched goes first. */
export const SEARCH_MAX_ACCOUNTS = 8;
/**
 * Characters all kept indexes may hold together (SearchIndex.chars), about 40 MB of heap (measured: 2.5 bytes per
 * character, a 2,000-report account 3.4 M characters); an index larger than this alone is used once, not kept.
 */
export const SEARCH_MAX_CHARS = 16_000_000;

export type Progress = (progress: number, total: number | undefined, message: string) => void;

interface Entry {
  value: Promise<SearchIndex>;
  /** Infinity while building: the time to live counts from when the index is ready. */
  expires: number;
  chars: number;
  /** Everyone waiting for this build who asked for progress. */
  listeners: Set<Progress>;
}

/**
 * The search indexes of the accounts this process serves, by API key (the hub's key id): concurrent searches share
 * one build, a failed build is forgotten at once, an index lives SEARCH_TTL_MS, and the kept indexes are bounded by
 * count and characters (least recently used dropped first). `clear()` drops every index, builds under way included:
 * their waiters still get them, but they are not kept, so the next search sees the change.
 */
export class SearchIndexCache {
  /** In least-recently-used order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: { ttlMs: number; maxAccounts: number; maxChars: number } = { ttlMs: SEARCH_TTL_MS, maxAccounts: SEARCH_MAX_ACCOUNTS, maxChars: SEARCH_MAX_CHARS },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The account's index, built with `build` when there is none or it expired. `progress` hears the build's
   * progress while this caller waits for it (whoever started it).
   */
  async get(key: string, build: (progress: Progress) => Promise<SearchIndex>, progress?: Progress): Promise<SearchIndex> {
    let e = this.entries.get(key);
    if (e && e.expires <= this.now()) {
      this.entries.delete(key);
      e = undefined;
    }
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    } else {
      while (this.entries.size >= this.limits.maxAccounts) this.entries.delete(this.entries.keys().next().value as string);
      const listeners = new Set<Progress>();
      const value = build((p, total, message) => {
        for (const l of listeners) l(p, total, message);
      });
      const fresh: Entry = { value, expires: Infinity, chars: 0, listeners };
      this.entries.set(key, fresh);
      e = fresh;
      fresh.value.then(
        (index) => {
          listeners.clear();
          if (this.entries.get(key) !== fresh) return;
          fresh.expires = this.now() + this.limits.ttlMs;
          fresh.chars = index.chars;
          this.bound(key);
        },
        () => {
          listeners.clear();
          if (this.entries.get(key) === fresh) this.entries.delete(key);
        },
      );
    }
    if (!progress) return e.value;
    e.listeners.add(progress);
    try {
      return await e.value;
    } finally {
      e.listeners.delete(progress);
    }
  }

  /** Drops every index (after a write that changed what search finds). */
  clear(): void {
    this.entries.clear();
  }

  /** Indexes kept (built or building) and the characters the built ones hold. */
  get stats(): { accounts: number; chars: number } {
    let chars = 0;
    for (const e of this.entries.values()) chars += e.chars;
    return { accounts: this.entries.size, chars };
  }

  /** Drops the least recently used indexes while the kept ones hold too many characters; `fresh` last of all. */
  private bound(fresh: string): void {
    let total = this.stats.chars;
    for (const [key, e] of this.entries) {
      if (total <= this.limits.maxChars) return;
      if (key === fresh) continue;
      this.entries.delete(key);
      total -= e.chars;
    }
    if (total > this.limits.maxChars) this.entries.delete(fresh);
  }
}

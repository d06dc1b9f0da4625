import { describe, expect, it } from 'vitest';
import { SearchIndexCache, type Progress } from '../../src/search/cache.js';
import { buildIndex, type SearchIndex } from '../../src/search/index.js';

/** An index holding `chars` characters (a report whose SQL has the rest). */
const sized = (chars: number): SearchIndex => ({ ...buildIndex({}), chars });

/** A build the test finishes by hand, counting how often it ran. */
function manual() {
  const calls: Array<{ resolve: (i: SearchIndex) => void; reject: (e: Error) => void; progress: Progress }> = [];
  const build = (progress: Progress) => new Promise<SearchIndex>((resolve, reject) => void calls.push({ resolve, reject, progress }));
  return { build, calls };
}

function clock(start = 0) {
  const c = { t: start, now: () => c.t };
  return c;
}

const limits = { ttlMs: 60_000, maxAccounts: 3, maxChars: 1_000 };

describe('SearchIndexCache', () => {
  it('shares one build between concurrent searches of a key and keeps it for the time to live, counted from when it is ready', async () => {
    const c = clock();
    const cache = new SearchIndexCache(limits, c.now);
    const m = manual();
    const a = cache.get('k', m.build);
    const b = cache.get('k', m.build);
    expect(m.calls).toHaveLength(1);
    c.t = 100_000; // a slow build: the time to live starts when it is ready
    const index = sized(10);
    m.calls[0]!.resolve(index);
    expect(await a).toBe(index);
    expect(await b).toBe(index);
    c.t = 100_000 + 59_999;
    expect(await cache.get('k', m.build)).toBe(index);
    expect(m.calls).toHaveLength(1);
    c.t = 160_000;
    void cache.get('k', m.build);
    expect(m.calls).toHaveLength(2);
  });

  it('forgets a failed build at once', async () => {
    const cache = new SearchIndexCache(limits, clock().now);
    const m = manual();
    const first = cache.get('k', m.build);
    m.calls[0]!.reject(new Error('HTTP 500'));
    await expect(first).rejects.toThrow('HTTP 500');
    void cache.get('k', m.build);
    expect(m.calls).toHaveLength(2);
  });

  it('clear() drops built indexes and builds under way: their waiters get them, the next search builds again', async () => {
    const cache = new SearchIndexCache(limits, clock().now);
    const m = manual();
    void cache.get('a', m.build);
    m.calls[0]!.resolve(sized(1));
    await cache.get('a', m.build);
    const during = cache.get('b', m.build);
    cache.clear();
    const stale = sized(2);
    m.calls[1]!.resolve(stale);
    expect(await during).toBe(stale);
    expect(cache.stats).toEqual({ accounts: 0, chars: 0 });
    void cache.get('a', m.build);
    void cache.get('b', m.build);
    expect(m.calls).toHaveLength(4);
  });

  it('keeps at most maxAccounts keys, dropping the least recently searched', async () => {
    const cache = new SearchIndexCache(limits, clock().now);
    const m = manual();
    for (const k of ['a', 'b', 'c']) {
      const p = cache.get(k, m.build);
      m.calls.at(-1)!.resolve(sized(1));
      await p;
    }
    await cache.get('a', m.build); // a is now the most recent; b the least
    const d = cache.get('d', m.build);
    m.calls.at(-1)!.resolve(sized(1));
    await d;
    expect(cache.stats.accounts).toBe(3);
    const before = m.calls.length;
    await Promise.all(['a', 'c', 'd'].map((k) => cache.get(k, m.build)));
    expect(m.calls).toHaveLength(before);
    void cache.get('b', m.build);
    expect(m.calls).toHaveLength(before + 1);
  });

  it('keeps the characters of all indexes under maxChars, dropping the least recently used; an index too big alone is not kept', async () => {
    const cache = new SearchIndexCache(limits, clock().now);
    const m = manual();
    const put = async (k: string, chars: number) => {
      const p = cache.get(k, m.build);
      m.calls.at(-1)!.resolve(sized(chars));
      return p;
    };
    await put('a', 400);
    await put('b', 400);
    expect(cache.stats).toEqual({ accounts: 2, chars: 800 });
    await put('c', 400);
    expect(cache.stats).toEqual({ accounts: 2, chars: 800 });
    const n = m.calls.length;
    void cache.get('a', m.build);
    expect(m.calls).toHaveLength(n + 1);
    m.calls.at(-1)!.resolve(sized(400));
    const huge = await put('h', 5_000);
    expect(huge.chars).toBe(5_000);
    expect(cache.stats.chars).toBeLessThanOrEqual(1_000);
    void cache.get('h', m.build);
    expect(m.calls).toHaveLength(n + 3);
  });

  it("tells every waiter who asked for it the build's progress, whoever started it", async () => {
    const cache = new SearchIndexCache(limits, clock().now);
    const m = manual();
    const heardA: string[] = [];
    const heardB: string[] = [];
    const a = cache.get('k', m.build, (_p, _t, msg) => heardA.push(msg));
    const b = cache.get('k', m.build, (_p, _t, msg) => heardB.push(msg));
    m.calls[0]!.progress(1, 5, 'Listed 3 reports');
    m.calls[0]!.resolve(sized(1));
    await Promise.all([a, b]);
    expect(heardA).toEqual(['Listed 3 reports']);
    expect(heardB).toEqual(['Listed 3 reports']);
  });
});

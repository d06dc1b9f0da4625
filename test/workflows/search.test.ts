import { describe, expect, it } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
import { OPERATIONS } from '../../src/operations/index.js';
import { SearchIndexCache } from '../../src/search/cache.js';
import { buildIndex } from '../../src/search/index.js';
import { answer, searchAccount, type SearchArgs } from '../../src/workflows/search.js';
import { fakeContext } from './context.js';

const list = (type: string, items: Array<{ id: string; attributes: Record<string, unknown>; relationships?: Record<string, unknown> }>) => ({
  data: items.map((i) => ({ type, ...i })),
});
const one = (type: string, id: string) => ({ data: { id, type } });

/** The five list answers of a small account, as Cluvio sends them (JSON:API). */
const ROUTES = {
  listReports: list('reports', [
    {
      id: 'r1',
      attributes: { name: 'Delay by airline', description: 'Average delay', sql_query: 'SELECT airline,\n  AVG(delay_minutes)\nFROM flights' },
      relationships: { dashboard: one('dashboards', 'd1'), datasource: one('datasources', 'ds1') },
    },
  ]),
  listDashboards: list('dashboards', [{ id: 'd1', attributes: { name: 'Operations', description: 'Busiest airports' }, relationships: { reports: { data: [{ id: 'r1', type: 'reports' }] } } }]),
  listFilters: list('filters', []),
  listSqlSnippets: list('sql_snippets', []),
  listSqlAlerts: list('sql_alerts', [{ id: 'a1', attributes: { name: 'Spike', sql_query: 'SELECT 1 FROM flights WHERE delay_minutes > 45' } }]),
};

const args = (query: string, extra: Partial<SearchArgs> = {}): SearchArgs => ({ query, limit: 10, ...extra });

function context(routes: Record<string, unknown> = ROUTES, opts: { cache?: SearchIndexCache; signal?: AbortSignal } = {}) {
  const f = fakeContext(routes, { op: 'searchAccount', signal: opts.signal });
  // The catalog's own entries (the permission named on a 403 comes from the operation's toolset).
  Object.assign(f.ctx, { api: { keyId: 'key-1' }, searchIndexes: opts.cache, ops: Object.fromEntries(OPERATIONS.map((o) => [o.id, o])) });
  return f;
}

describe('search_account', () => {
  it('lists each kind once (nothing sent to Cluvio but the five lists, without arguments) and answers with ids and next calls', async () => {
    const { ctx, sent, progress } = context();
    const out = await searchAccount(args('delay_minutes'), ctx);
    expect(sent.map((s) => s.op).sort()).toEqual(['listDashboards', 'listFilters', 'listReports', 'listSqlAlerts', 'listSqlSnippets']);
    for (const s of sent) expect(s.args).toEqual({});
    expect(out.isError).toBeUndefined();
    expect(out.text).toMatch(/^2 matches for "delay_minutes" \(all with every word: delay_minutes\); searched 1 report, 1 dashboard, 0 filters, 0 SQL snippets, 1 SQL alert; index just built\./);
    expect(out.text).toContain('1. report r1 "Delay by airline" · dashboard d1 · datasource ds1\n   SQL line 2: AVG(delay_minutes)\n   → get_report {"id":"r1"} (SQL) · refresh_report {"id":"r1"} (rows) · cluvio://dashboards/d1');
    expect(out.text).toContain('2. SQL alert a1 "Spike"\n   SQL: SELECT 1 FROM flights WHERE delay_minutes > 45\n   → get_sql_alert {"id":"a1"}');
    // Progress: the start, then one step per list.
    expect(progress.map(([p, total]) => [p, total])).toEqual([
      [0, 5],
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(progress.at(-1)![2]).toMatch(/^Listed \d+ /);
  });

  it('shares the cached index: a second search sends nothing', async () => {
    const cache = new SearchIndexCache();
    const first = context(ROUTES, { cache });
    await searchAccount(args('delay'), first.ctx);
    const second = context(ROUTES, { cache });
    const out = await searchAccount(args('busiest'), second.ctx);
    expect(second.sent).toEqual([]);
    expect(second.progress).toEqual([]);
    expect(out.text).toContain('1. dashboard d1 "Operations"\n   description: Busiest airports\n   → cluvio://dashboards/d1 (reports with SQL, filters) · refresh_dashboard {"id":"d1"} (rows)');
  });

  it('leaves out a kind the key may not list, and says so with the permission', async () => {
    const { ctx } = context({
      ...ROUTES,
      listSqlAlerts: () => {
        throw new CluvioApiError(403, ['forbidden'], 'listSqlAlerts');
      },
    });
    const out = await searchAccount(args('delay_minutes'), ctx);
    expect(out.text).toContain('0 SQL snippets (SQL alerts not searched: the API key lacks a permission to read sql alerts (the reference names Manage Alerts to change them)); index just built.');
    expect(out.text).not.toContain('a1');
  });

  it('fails on any other failure, and a cached build is then not kept', async () => {
    const cache = new SearchIndexCache();
    const failing = context({ ...ROUTES, listReports: () => Promise.reject(new CluvioApiError(500, ['boom'], 'listReports')) }, { cache });
    await expect(searchAccount(args('delay'), failing.ctx)).rejects.toThrow('HTTP 500');
    const next = context(ROUTES, { cache });
    await searchAccount(args('delay'), next.ctx);
    expect(next.sent).toHaveLength(5);
  });

  it('stops waiting when the caller cancels, without aborting the shared build', async () => {
    const cache = new SearchIndexCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { ...ROUTES, listReports: async () => (await gate, ROUTES.listReports) };
    const controller = new AbortController();
    const a = context(slow, { cache, signal: controller.signal });
    const waiting = searchAccount(args('delay'), a.ctx);
    const b = context(slow, { cache });
    const other = searchAccount(args('delay'), b.ctx);
    controller.abort(new Error('cancelled by the client'));
    await expect(waiting).rejects.toThrow('cancelled by the client');
    // The lists were sent with a signal of the build's own, not the caller's.
    for (const s of a.sent) expect(s.signal?.aborted).toBe(false);
    release();
    expect((await other).text).toMatch(/^2 matches/);
    expect(b.sent).toEqual([]);
  });
});

describe('the answer', () => {
  const index = buildIndex({ report: Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, name: `Revenue ${i}`, dashboard_id: 'd1' })), dashboard: [{ id: 'd1', name: 'Finance' }] }, {}, 0);

  it('says when it shows fewer than it found, and how to see more', () => {
    const out = answer(index, args('revenue', { limit: 3 }), { now: 42_000 });
    expect(out.text).toMatch(/^12 matches for "revenue" \(all with every word: revenue\); searched 12 reports, 1 dashboard; index 42 s old\./);
    expect(out.text.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(3);
    expect(out.text).toMatch(/Showing 3 of 12: raise limit \(at most 50\) or narrow with kinds, datasource_id or dashboard_id\.$/);
  });

  it('names the words it looked for when nothing matches, and the filters in force', () => {
    const out = answer(index, args('churn rate', { kinds: ['dashboard'] }), { now: 0 });
    expect(out.text).toBe('Nothing matches "churn rate" (words: churn, rate) in 12 reports, 1 dashboard; only kinds dashboard; index just built. Try other or fewer words, or fewer filters.');
    expect(out.isError).toBeUndefined();
  });

  it('marks a hit without every word, and refuses an unknown dashboard', () => {
    const out = answer(index, args('revenue forecast'), { now: 0 });
    expect(out.text).toContain('1. report r0 "Revenue 0" · dashboard d1 (without: forecast)');
    expect(answer(index, args('revenue', { dashboard_id: 'd9' }))).toEqual({ text: 'search_account: no dashboard "d9" in this account; list_dashboards lists them.', isError: true });
  });
});

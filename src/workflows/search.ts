import { CluvioApiError } from '../cluvio/errors.js';
import { flattenDocument } from '../cluvio/jsonapi.js';
import type { CallContext } from '../context.js';
import type { Ops } from '../inventory.js';
import type { Logger } from '../logger.js';
import { requiredPermission, type Operation } from '../operations/types.js';
import type { ToolOutput } from '../results/output.js';
import type { Progress, SearchIndexCache } from '../search/cache.js';
import { buildIndex, KIND_LABEL, MAX_SEARCH_LIMIT, queryWords, search, SEARCH_KINDS, whereMatched, type Hit, type IndexedObject, type Listings, type SearchIndex, type SearchKind } from '../search/index.js';

export interface SearchArgs {
  query: string;
  kinds?: SearchKind[];
  datasource_id?: string;
  dashboard_id?: string;
  limit: number;
}

/** Where an index comes from: the catalog's list operations sent for one API key, and the process's cache. */
export interface IndexSource {
  ops: Ops;
  send: (op: Operation) => Promise<unknown>;
  /** Absent: built for this call only. */
  cache?: SearchIndexCache;
  /** The cache key of the API key (ApiClient.keyId). */
  key: string;
  progress?: Progress;
  logger?: Pick<Logger, 'debug'>;
  /** Stops this caller's wait; a build others share goes on. */
  signal?: AbortSignal;
}

/** One request per kind: each list carries what search needs (List Reports every report's SQL and dashboard). */
function listOperations(ops: Ops): Record<SearchKind, Operation> {
  return { report: ops.listReports, dashboard: ops.listDashboards, filter: ops.listFilters, sql_snippet: ops.listSqlSnippets, sql_alert: ops.listSqlAlerts };
}

/**
 * The account's index: from the cache, or built from the five lists, sent at once. A kind the key may not list
 * (403) or the deployment does not offer (404) is left out and named in the answer; any other failure fails the
 * build, which is then not kept.
 */
export function loadIndex(src: IndexSource): Promise<SearchIndex> {
  const build = async (progress: Progress): Promise<SearchIndex> => {
    const ops = listOperations(src.ops);
    const lists: Listings = {};
    const skipped: SearchIndex['skipped'] = {};
    let done = 0;
    progress(0, SEARCH_KINDS.length, 'Building the search index: listing reports, dashboards, filters, SQL snippets and SQL alerts');
    await Promise.all(
      SEARCH_KINDS.map(async (kind) => {
        try {
          const { data } = flattenDocument(await src.send(ops[kind]));
          lists[kind] = Array.isArray(data) ? data : [];
        } catch (err) {
          if (!(err instanceof CluvioApiError) || (err.status !== 403 && err.status !== 404)) throw err;
          skipped[kind] = err.status === 403 ? `the API key lacks ${requiredPermission(ops[kind])}` : 'HTTP 404, not offered here';
        }
        done++;
        progress(done, SEARCH_KINDS.length, `Listed ${lists[kind]?.length.toLocaleString('en') ?? 'no'} ${KIND_LABEL[kind][1]}`);
      }),
    );
    const t = performance.now();
    const index = buildIndex(lists, skipped);
    src.logger?.debug({ objects: index.objects.length, chars: index.chars, ms: Math.round(performance.now() - t), skipped: Object.keys(skipped) }, 'search index built');
    return index;
  };
  const pending = src.cache ? src.cache.get(src.key, build, src.progress) : build(src.progress ?? (() => undefined));
  return src.signal ? abortable(pending, src.signal) : pending;
}

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
    work.then(
      (v) => (signal.removeEventListener('abort', stop), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', stop), reject(e as Error)),
    );
  });
}

/** search_account: the cached index (built on first use, with progress), queried, answered as ranked text. */
export async function searchAccount(args: SearchArgs, ctx: CallContext): Promise<ToolOutput> {
  const index = await loadIndex({
    ops: ctx.ops,
    // A build may be shared by several calls: one caller cancelling must not abort it.
    send: (op) => ctx.request(op, {}, { signal: new AbortController().signal }),
    cache: ctx.searchIndexes,
    key: ctx.api.keyId,
    progress: ctx.progress,
    logger: ctx.logger,
    signal: ctx.signal,
  });
  return answer(index, args);
}

const int = (n: number) => n.toLocaleString('en');

/** "2,000 reports, 3 dashboards, …" and what was not searched. */
function searched(index: SearchIndex): string {
  const listed = SEARCH_KINDS.filter((k) => index.counts[k] !== undefined).map((k) => `${int(index.counts[k]!)} ${KIND_LABEL[k][index.counts[k] === 1 ? 0 : 1]}`);
  const skipped = SEARCH_KINDS.filter((k) => index.skipped[k]).map((k) => `${KIND_LABEL[k][1]} not searched: ${index.skipped[k]!}`);
  return `${listed.join(', ') || 'nothing'}${skipped.length ? ` (${skipped.join('; ')})` : ''}`;
}

/** The calls that go on from a hit: its SQL, its rows, the dashboard it is on. */
function nextCalls(o: IndexedObject): string {
  const arg = JSON.stringify({ id: o.id });
  const dashboard = o.dashboardIds[0] ? ` · cluvio://dashboards/${encodeURIComponent(o.dashboardIds[0])}` : '';
  switch (o.kind) {
    case 'report':
      return `get_report ${arg} (SQL) · refresh_report ${arg} (rows)${dashboard}`;
    case 'dashboard':
      return `cluvio://dashboards/${encodeURIComponent(o.id)} (reports with SQL, filters) · refresh_dashboard ${arg} (rows)`;
    case 'filter':
      return `get_filter ${arg}${dashboard}`;
    case 'sql_snippet':
      return `get_sql_snippet ${arg}`;
    case 'sql_alert':
      return `get_sql_alert ${arg} · list_sql_alert_results ${arg}`;
  }
}

function hitLines(hit: Hit, n: number, words: readonly string[], query: string): string[] {
  const o = hit.object;
  const links: string[] = [];
  if (o.kind !== 'dashboard' && o.dashboardIds.length) links.push(`dashboard${o.dashboardIds.length > 1 ? 's' : ''} ${o.dashboardIds.slice(0, 3).join(', ')}${o.dashboardIds.length > 3 ? ', …' : ''}`);
  if (o.kind !== 'dashboard' && o.datasourceIds.length) links.push(`datasource ${o.datasourceIds.join(', ')}`);
  const missing = words.filter((_, i) => hit.tiers[i] === 0);
  return [
    `${n}. ${KIND_LABEL[o.kind][0]} ${o.id} ${JSON.stringify(o.name)}${links.length ? ` · ${links.join(' · ')}` : ''}${missing.length ? ` (without: ${missing.join(', ')})` : ''}`,
    ...whereMatched(hit, query).map((w) => `   ${w}`),
    `   → ${nextCalls(o)}`,
  ];
}

/** The ranked answer for a model: what was searched and how fresh, each hit with where it matched and what to call next. */
export function answer(index: SearchIndex, args: SearchArgs, { now = Date.now(), more = `raise limit (at most ${MAX_SEARCH_LIMIT}) or narrow with kinds, datasource_id or dashboard_id` } = {}): ToolOutput {
  if (args.dashboard_id !== undefined && index.counts.dashboard !== undefined && !index.objects.some((o) => o.kind === 'dashboard' && o.id === args.dashboard_id)) {
    return { text: `search_account: no dashboard "${args.dashboard_id}" in this account; list_dashboards lists them.`, isError: true };
  }
  const hits = search(index, args);
  const words = queryWords(args.query);
  const age = Math.round((now - index.builtAt) / 1000);
  const scope = [
    args.kinds?.length ? `kinds ${args.kinds.join(', ')}` : '',
    args.datasource_id !== undefined ? `datasource ${args.datasource_id}` : '',
    args.dashboard_id !== undefined ? `dashboard ${args.dashboard_id}` : '',
  ].filter(Boolean);
  const where = `${searched(index)}${scope.length ? `; only ${scope.join(', ')}` : ''}; index ${age < 1 ? 'just built' : `${int(age)} s old`}`;
  if (hits.length === 0) {
    return { text: `Nothing matches ${JSON.stringify(args.query)} (words: ${words.join(', ')}) in ${where}. Try other or fewer words${scope.length ? ', or fewer filters' : ''}.` };
  }
  const shown = hits.slice(0, args.limit);
  const every = hits.filter((h) => h.all).length;
  const head = `${int(hits.length)} match${hits.length === 1 ? '' : 'es'} for ${JSON.stringify(args.query)} (${every === hits.length ? 'all with' : `${int(every)} with`} every word: ${words.join(', ')}); searched ${where}.`;
  const lines = [head, ...shown.flatMap((h, i) => hitLines(h, i + 1, words, args.query))];
  if (shown.length < hits.length) lines.push(`Showing ${shown.length} of ${int(hits.length)}: ${more}.`);
  return { text: lines.join('\n') };
}

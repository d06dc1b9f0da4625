import type { Flat } from '../cluvio/jsonapi.js';

/**
 * One search over what an account already has — reports, dashboards, filters, SQL snippets and SQL alerts — by
 * words in their names, descriptions, variable names and SQL. Pure: built from the objects Cluvio's list
 * operations return, queried in memory (src/workflows/search.ts fetches and caches; src/search/cache.ts bounds).
 */

export const SEARCH_KINDS = ['report', 'dashboard', 'filter', 'sql_snippet', 'sql_alert'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** How each kind is called in answers, one and many. */
export const KIND_LABEL: Record<SearchKind, [string, string]> = {
  report: ['report', 'reports'],
  dashboard: ['dashboard', 'dashboards'],
  filter: ['filter', 'filters'],
  sql_snippet: ['SQL snippet', 'SQL snippets'],
  sql_alert: ['SQL alert', 'SQL alerts'],
};

/** Words of a query looked for; the rest are ignored (a long pasted text must not cost a scan per word). */
export const MAX_QUERY_WORDS = 20;

/** The most hits one answer shows. */
export const MAX_SEARCH_LIMIT = 50;

/** SQL beyond this many characters of one object is neither searched nor kept. */
export const MAX_SQL_CHARS = 8_000;
/** Descriptions likewise. */
export const MAX_DESCRIPTION_CHARS = 1_000;

/** Where a word matched, as its weight in the ranking: name, then description or variable names, then SQL. */
const Tier = { None: 0, Sql: 1, Text: 2, Name: 3 } as const;
type Tier = (typeof Tier)[keyof typeof Tier];

export interface IndexedObject {
  kind: SearchKind;
  id: string;
  name: string;
  description: string;
  /** Variable names: a report's SQL parameters, a dashboard's filters, a filter's own, a snippet's params. */
  variables: string[];
  sql: string;
  /** Lower-cased, per tier: name; description and variables; SQL. */
  hay: [string, string, string];
  datasourceIds: readonly string[];
  dashboardIds: readonly string[];
}

/** The lists of one account, as flattened JSON:API objects; a kind left out was not readable (see `skipped`). */
export type Listings = Partial<Record<SearchKind, Flat[]>>;

export interface SearchIndex {
  objects: IndexedObject[];
  counts: Partial<Record<SearchKind, number>>;
  /** Kinds the key could not list, with why (e.g. a 403): the answer says they were not searched. */
  skipped: Partial<Record<SearchKind, string>>;
  /** Characters held (every string the index keeps), for the cache's memory bound. */
  chars: number;
  builtAt: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => x !== undefined && x !== null).map(String) : []);
const one = (v: unknown): string[] => (v === undefined || v === null || v === '' ? [] : [String(v)]);
/** At most `max` characters, as a string of its own: a slice may keep its whole parent alive. */
const capped = (s: string, max: number): string => (s.length > max ? structuredClone(s.slice(0, max)) : s);

/** `{col=variable}`, `{col:aggregation}`, `{range.start}`: the variables a Cluvio SQL uses, in order, once each. */
export function sqlVariables(sql: string): string[] {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\{([^{}]*)\}/g)) {
    const body = m[1]!;
    const v = /[=:]\s*([A-Za-z_][\w-]*)\s*$/.exec(body) ?? /^\s*([A-Za-z_][\w-]*)\.[A-Za-z_]+\s*$/.exec(body);
    if (v) out.add(v[1]!);
  }
  return [...out];
}

function entry(kind: SearchKind, o: Flat, f: { name: unknown; description?: unknown; sql?: unknown; variables?: string[]; datasourceIds?: string[]; dashboardIds?: string[] }): IndexedObject {
  const name = str(f.name) || str(o.id);
  const description = capped(str(f.description), MAX_DESCRIPTION_CHARS);
  const sql = capped(str(f.sql), MAX_SQL_CHARS);
  const variables = f.variables ?? [];
  return {
    kind,
    id: str(o.id),
    name,
    description,
    variables,
    sql,
    hay: [name.toLowerCase(), `${description}\n${variables.join(' ')}`.toLowerCase(), sql.toLowerCase()],
    datasourceIds: f.datasourceIds ?? [],
    dashboardIds: f.dashboardIds ?? [],
  };
}

/** The index of one account from its lists. Links run both ways: a filter knows the dashboards that show it. */
export function buildIndex(lists: Listings, skipped: SearchIndex['skipped'] = {}, now = Date.now()): SearchIndex {
  const reports = lists.report ?? [];
  const dashboards = lists.dashboard ?? [];
  const filters = lists.filter ?? [];
  const byDashboard = (key: string) => {
    const m = new Map<string, string[]>();
    for (const d of dashboards) for (const id of ids(d[key])) m.set(id, [...(m.get(id) ?? []), str(d.id)]);
    return m;
  };
  const filterDashboards = byDashboard('filter_ids');
  const snippetDashboards = byDashboard('sql_snippet_ids');
  const filterVariable = new Map(filters.map((f) => [str(f.id), str(f.variable_name)]));
  const reportDatasources = new Map<string, Set<string>>();
  for (const r of reports) {
    const d = str(r.dashboard_id);
    if (d && r.datasource_id) reportDatasources.set(d, (reportDatasources.get(d) ?? new Set()).add(str(r.datasource_id)));
  }

  const objects: IndexedObject[] = [
    ...reports.map((r) => {
      const sql = str(r.sql_query) || str(r.r_query);
      return entry('report', r, { name: r.name, description: r.description, sql, variables: sqlVariables(sql), datasourceIds: one(r.datasource_id), dashboardIds: one(r.dashboard_id) });
    }),
    ...dashboards.map((d) =>
      entry('dashboard', d, {
        name: d.name,
        description: d.description,
        variables: ids(d.filter_ids).map((id) => filterVariable.get(id) ?? '').filter(Boolean),
        datasourceIds: [...(reportDatasources.get(str(d.id)) ?? [])],
        dashboardIds: [str(d.id)],
      }),
    ),
    ...filters.map((f) =>
      entry('filter', f, {
        name: f.display_name || f.variable_name,
        sql: f.sql_query,
        variables: one(f.variable_name),
        datasourceIds: one(f.datasource_id),
        dashboardIds: filterDashboards.get(str(f.id)) ?? [],
      }),
    ),
    ...(lists.sql_snippet ?? []).map((s) =>
      entry('sql_snippet', s, { name: s.name, description: s.description, sql: s.text, variables: one(s.params), datasourceIds: one(s.datasource_id), dashboardIds: snippetDashboards.get(str(s.id)) ?? [] }),
    ),
    ...(lists.sql_alert ?? []).map((a) => entry('sql_alert', a, { name: a.name, description: a.description, sql: a.sql_query, datasourceIds: one(a.datasource_id) })),
  ].filter((o) => o.id);

  const counts: SearchIndex['counts'] = {};
  for (const k of SEARCH_KINDS) if (lists[k]) counts[k] = lists[k]!.length;
  let chars = 0;
  for (const o of objects) {
    chars += o.id.length + o.name.length + o.description.length + o.sql.length + o.hay[0].length + o.hay[1].length + o.hay[2].length;
    for (const v of o.variables) chars += v.length;
    for (const v of o.datasourceIds) chars += v.length;
    for (const v of o.dashboardIds) chars += v.length;
  }
  return { objects, counts, skipped, chars, builtAt: now };
}

// ---------------------------------------------------------------------------------------------------------------
// Queries

/** Words too common in questions to tell objects apart; dropped unless the query has nothing else. */
const STOP_WORDS = new Set(
  'a an and are as at be by do does for from how in is it many much of on or our per show the to was we were what which who with'.split(' '),
);

/**
 * The words of a query as typed, lower-cased: split at anything but letters, digits and `_`; stop words and
 * one-letter words dropped while others remain; the first MAX_QUERY_WORDS.
 */
export function queryWords(query: string): string[] {
  const raw = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .map((w) => w.replace(/^_+|_+$/g, ''))
    .filter(Boolean);
  const useful = raw.filter((w) => w.length > 1 && !STOP_WORDS.has(w));
  return [...new Set(useful.length ? useful : raw)].slice(0, MAX_QUERY_WORDS);
}

/**
 * What a query word is looked for as: a prefix of a word, with a plural `s` or `ies` dropped (so "delays" finds
 * "delay" and "delays", "categories" "category"); names with `_` (identifiers) are taken as they are.
 */
export function stem(word: string): string {
  if (word.includes('_')) return word;
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3);
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether `word` starts a word in `hay` (after a non-letter, non-digit: `_` separates, so "delay" is in "avg_delay"). */
export function hasWord(hay: string, word: string): boolean {
  for (let i = hay.indexOf(word); i !== -1; i = hay.indexOf(word, i + 1)) {
    if (i === 0) return true;
    const c = hay.charCodeAt(i - 1);
    if (c < 128 ? !((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)) : !WORD_CHAR.test(hay[i - 1]!)) return true;
  }
  return false;
}

export interface SearchOptions {
  query: string;
  kinds?: readonly SearchKind[];
  datasource_id?: string;
  dashboard_id?: string;
}

export interface Hit {
  object: IndexedObject;
  /** Per query word, where it matched best. */
  tiers: Tier[];
  /** Every word matched somewhere. */
  all: boolean;
  score: number;
}

const KIND_ORDER = new Map(SEARCH_KINDS.map((k, i) => [k, i]));

/**
 * Ranked hits: objects with every word first, then those with some; within each, by where the words matched
 * (name 3, description or variable 2, SQL 1, summed; the whole query in the name adds 1), then kind, then name.
 */
export function search(index: SearchIndex, opts: SearchOptions): Hit[] {
  const words = queryWords(opts.query).map(stem);
  if (words.length === 0) return [];
  const phrase = opts.query.trim().toLowerCase();
  const kinds = opts.kinds?.length ? new Set(opts.kinds) : undefined;
  const hits: Hit[] = [];
  for (const o of index.objects) {
    if (kinds && !kinds.has(o.kind)) continue;
    if (opts.datasource_id !== undefined && !o.datasourceIds.includes(opts.datasource_id)) continue;
    if (opts.dashboard_id !== undefined && !o.dashboardIds.includes(opts.dashboard_id)) continue;
    let score = 0;
    let matched = 0;
    const tiers = words.map((w): Tier => {
      const t = hasWord(o.hay[0], w) ? Tier.Name : hasWord(o.hay[1], w) ? Tier.Text : hasWord(o.hay[2], w) ? Tier.Sql : Tier.None;
      score += t;
      if (t !== Tier.None) matched++;
      return t;
    });
    if (matched === 0) continue;
    if (words.length > 1 && o.hay[0].includes(phrase)) score += 1;
    hits.push({ object: o, tiers, all: matched === words.length, score });
  }
  return hits.sort(
    (a, b) =>
      Number(b.all) - Number(a.all) ||
      b.score - a.score ||
      KIND_ORDER.get(a.object.kind)! - KIND_ORDER.get(b.object.kind)! ||
      a.object.name.localeCompare(b.object.name) ||
      a.object.id.localeCompare(b.object.id),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Where it matched

const SNIPPET_CHARS = 140;

/** Squeezes whitespace and cuts `text` to about `max` characters around position `at`, with ellipses. */
function around(text: string, at: number, max = SNIPPET_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Positions shift a little when whitespace is squeezed; close enough to centre the window.
  const start = Math.max(0, Math.min(at - Math.floor(max / 3), flat.length - max));
  return `${start > 0 ? '…' : ''}${flat.slice(start, start + max).trim()}${start + max < flat.length ? '…' : ''}`;
}

function firstMatch(hay: string, words: readonly string[]): number {
  let best = -1;
  for (const w of words) {
    const i = hay.indexOf(w);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best;
}

/**
 * Where a hit matched beyond its name: the description phrase, the variables, the SQL line with most of the words
 * (with its line number). Empty when the name says it all.
 */
export function whereMatched(hit: Hit, query: string): string[] {
  const words = queryWords(query).map(stem);
  const o = hit.object;
  const at = (tier: Tier) => words.filter((_, i) => hit.tiers[i] === tier);
  const out: string[] = [];
  const inText = at(Tier.Text);
  if (inText.length) {
    const desc = o.description.toLowerCase();
    const inDesc = inText.filter((w) => hasWord(desc, w));
    if (inDesc.length) out.push(`description: ${around(o.description, firstMatch(desc, inDesc))}`);
    const vars = o.variables.filter((v) => inText.some((w) => hasWord(v.toLowerCase(), w)));
    if (vars.length) out.push(`variables: ${vars.join(', ')}`);
  }
  const inSql = at(Tier.Sql);
  if (inSql.length) {
    const lines = o.sql.split('\n');
    let best = { n: 0, line: 0 };
    lines.forEach((line, i) => {
      const lower = line.toLowerCase();
      const n = inSql.filter((w) => hasWord(lower, w)).length;
      if (n > best.n) best = { n, line: i };
    });
    const line = lines[best.line] ?? '';
    const label = lines.length > 1 ? `SQL line ${best.line + 1}` : 'SQL';
    out.push(`${label}: ${around(line, firstMatch(line.toLowerCase(), inSql))}`);
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import type { Flat } from '../../src/cluvio/jsonapi.js';
import { buildIndex, hasWord, MAX_QUERY_WORDS, MAX_SQL_CHARS, queryWords, search, sqlVariables, stem, whereMatched, type Listings } from '../../src/search/index.js';

/** Flattened list answers, as flattenDocument returns them for the sandbox's organisation (abridged). */
const LISTS: Listings = {
  report: [
    {
      id: 'rep-delay',
      name: 'Delay and cancellations by airline',
      description: 'Average departure delay (minutes) and cancellation rate (%) per airline.',
      sql_query: 'SELECT a.name AS airline,\n  ROUND(AVG(f.delay_minutes)::numeric, 1) AS avg_delay_minutes\nFROM flights f JOIN airlines a ON a.code = f.airline_code\nWHERE {f.departed_at=timerange}',
      dashboard_id: 'dash-ops',
      datasource_id: 'ds-sample',
    },
    {
      id: 'rep-top',
      name: 'Top airports',
      description: 'The ten origin airports with the most passengers.',
      sql_query: 'SELECT origin, COUNT(*) FROM flights WHERE {departed_at=timerange} AND {airline_code=airline} GROUP BY 1',
      dashboard_id: 'dash-ops',
      datasource_id: 'ds-sample',
    },
    { id: 'rep-signups', name: 'Sign-ups', description: 'New users per period.', sql_query: 'SELECT {u.signed_up_at:aggregation} AS period, COUNT(*) AS signups FROM users u', dashboard_id: 'dash-product', datasource_id: 'ds-product' },
    { id: 'rep-r', name: 'R model', r_query: 'fit <- lm(delay ~ distance)', r_query_enabled: true, dashboard_id: 'dash-product', datasource_id: 'ds-product' },
  ],
  dashboard: [
    { id: 'dash-ops', name: 'Flight Operations', description: 'Daily operations: busiest airports, delays and cancellations per airline.', report_ids: ['rep-delay', 'rep-top'], filter_ids: ['flt-airline'], sql_snippet_ids: ['snip-active'] },
    { id: 'dash-product', name: 'Product Analytics', description: 'Sign-ups per plan.', report_ids: ['rep-signups', 'rep-r'], filter_ids: [] },
  ],
  filter: [{ id: 'flt-airline', display_name: 'Airline', variable_name: 'airline', sql_query: null, datasource_id: null }],
  sql_snippet: [{ id: 'snip-active', name: 'active_airports', description: 'Airports with a flight that was not cancelled.', text: 'SELECT DISTINCT origin FROM flights WHERE NOT cancelled', params: null, datasource_id: 'ds-sample' }],
  sql_alert: [{ id: 'alert-spike', name: 'Delay spike', description: 'Days whose average departure delay exceeds 45 minutes.', sql_query: 'SELECT flight_date, AVG(delay_minutes) FROM flights', datasource_id: 'ds-sample' }],
};

const index = buildIndex(LISTS, {}, 1_000);
const ids = (query: string, opts: Omit<Parameters<typeof search>[1], 'query'> = {}) => search(index, { query, ...opts }).map((h) => h.object.id);

describe('queryWords and stem', () => {
  it('splits at punctuation, keeps identifiers whole, drops stop words and one-letter words while others remain', () => {
    expect(queryWords('Which airline had the most delay_minutes in f.delay?')).toEqual(['airline', 'had', 'most', 'delay_minutes', 'delay']);
    expect(queryWords('  ')).toEqual([]);
    expect(queryWords('the')).toEqual(['the']);
    expect(queryWords('Zürich Übersicht')).toEqual(['zürich', 'übersicht']);
  });

  it(`keeps the first ${MAX_QUERY_WORDS} words of a long text`, () => {
    const words = queryWords(Array.from({ length: 50 }, (_, i) => `word${i}`).join(' '));
    expect(words).toHaveLength(MAX_QUERY_WORDS);
    expect(words[0]).toBe('word0');
  });

  it('looks plurals up by their stem, identifiers as they are', () => {
    expect(['delays', 'categories', 'class', 'bus', 'delay_minutes'].map(stem)).toEqual(['delay', 'categor', 'class', 'bus', 'delay_minutes']);
  });
});

describe('hasWord', () => {
  it('matches at the start of a word, where _ and punctuation separate words', () => {
    expect(hasWord('round(avg(f.delay_minutes)', 'delay')).toBe(true);
    expect(hasWord('avg_delay_minutes', 'minutes')).toBe(true);
    expect(hasWord('avg_delay_minutes', 'delay_minutes')).toBe(true);
    expect(hasWord('cancellations', 'cancel')).toBe(true);
    expect(hasWord('nodelay', 'delay')).toBe(false);
    expect(hasWord('x2delay then delay', 'delay')).toBe(true);
    expect(hasWord('überdelay', 'delay')).toBe(false);
  });
});

describe('sqlVariables', () => {
  it("names a Cluvio SQL's condition, transformation and value variables once each", () => {
    expect(sqlVariables('SELECT {d:aggregation}, {r.start} FROM t WHERE {[a + b]=my_filter} AND {d=timerange} AND {x = my_filter}')).toEqual(['aggregation', 'r', 'my_filter', 'timerange']);
    expect(sqlVariables('SELECT 1')).toEqual([]);
  });
});

describe('buildIndex', () => {
  it('indexes every kind with its links: a filter knows its dashboards, a dashboard the datasources of its reports', () => {
    expect(index.counts).toEqual({ report: 4, dashboard: 2, filter: 1, sql_snippet: 1, sql_alert: 1 });
    const byId = new Map(index.objects.map((o) => [o.id, o]));
    expect(byId.get('flt-airline')).toMatchObject({ kind: 'filter', name: 'Airline', variables: ['airline'], dashboardIds: ['dash-ops'], datasourceIds: [] });
    expect(byId.get('dash-ops')).toMatchObject({ variables: ['airline'], datasourceIds: ['ds-sample'], dashboardIds: ['dash-ops'] });
    expect(byId.get('dash-product')!.datasourceIds).toEqual(['ds-product']);
    expect(byId.get('snip-active')!.dashboardIds).toEqual(['dash-ops']);
    expect(byId.get('rep-top')!.variables).toEqual(['timerange', 'airline']);
    expect(byId.get('rep-r')!.sql).toContain('lm(delay');
    expect(index.builtAt).toBe(1_000);
  });

  it('keeps and searches at most MAX_SQL_CHARS of SQL per object, and counts the characters it holds', () => {
    const long = buildIndex({ report: [{ id: 'r', name: 'n', sql_query: `SELECT 1 -- ${'x'.repeat(MAX_SQL_CHARS)} needle_far_away` }] });
    expect(long.objects[0]!.sql).toHaveLength(MAX_SQL_CHARS);
    expect(search(long, { query: 'needle_far_away' })).toEqual([]);
    // id + name + SQL (original and lower-cased) + the lower-cased name and the description/variables line.
    expect(long.chars).toBe(1 + 1 + 2 * MAX_SQL_CHARS + 1 + 1);
  });

  it('names kinds it could not list and counts none of them', () => {
    const partial = buildIndex({ report: LISTS.report }, { sql_alert: 'the API key lacks Manage Alerts' });
    expect(partial.counts).toEqual({ report: 4 });
    expect(partial.skipped).toEqual({ sql_alert: 'the API key lacks Manage Alerts' });
  });
});

describe('search', () => {
  it('finds the report and the alert whose SQL mentions delay_minutes', () => {
    expect(ids('delay_minutes')).toEqual(['rep-delay', 'alert-spike']);
  });

  it('ranks a name match before a description or variable match before a SQL match', () => {
    // "airline": in the name of rep-delay and the filter, a variable of rep-top and the dashboard, in the snippet nowhere.
    const hits = search(index, { query: 'airline' });
    expect(hits.map((h) => [h.object.id, h.score])).toEqual([
      ['rep-delay', 3],
      ['flt-airline', 3],
      ['rep-top', 2],
      ['dash-ops', 2],
    ]);
    // "flights": a dashboard's name ("Flight Operations"), a snippet's description, then three SQL texts.
    const flights = search(index, { query: 'flights' });
    expect(flights.map((h) => [h.object.id, h.score])).toEqual([
      ['dash-ops', 3],
      ['snip-active', 2],
      ['rep-delay', 1],
      ['rep-top', 1],
      ['alert-spike', 1],
    ]);
  });

  it('ranks objects with every word before those with some, whatever their score', () => {
    const hits = search(index, { query: 'delay spike' });
    expect(hits[0]!.object.id).toBe('alert-spike');
    expect(hits[0]!.all).toBe(true);
    // rep-delay has "delay" in its name (score 3) but no "spike": after every object with both words.
    expect(hits.slice(1).every((h) => !h.all)).toBe(true);
    const two = search(index, { query: 'airports cancelled' });
    // The snippet has both: "airports" in its name active_airports (3), "cancelled" in its description (2);
    // "Top airports" has one word in its name (3), the dashboard one in its description (2).
    expect(two.map((h) => [h.object.id, h.all, h.score])).toEqual([
      ['snip-active', true, 5],
      ['rep-top', false, 3],
      ['dash-ops', false, 2],
    ]);
  });

  it('adds one for the whole query in the name', () => {
    const hits = search(index, { query: 'top airports' });
    expect(hits[0]).toMatchObject({ object: { id: 'rep-top' }, score: 7 });
  });

  it('filters by kinds, datasource and dashboard', () => {
    expect(ids('delay', { kinds: ['sql_alert'] })).toEqual(['alert-spike']);
    expect(ids('delay', { kinds: ['report', 'dashboard'] })).toEqual(['rep-delay', 'dash-ops', 'rep-r']);
    expect(ids('delay', { datasource_id: 'ds-product' })).toEqual(['rep-r']);
    expect(ids('airline', { dashboard_id: 'dash-ops' })).toEqual(['rep-delay', 'flt-airline', 'rep-top', 'dash-ops']);
    expect(ids('airports', { dashboard_id: 'dash-product' })).toEqual([]);
    expect(ids('cancelled', { dashboard_id: 'dash-ops', kinds: ['sql_snippet'] })).toEqual(['snip-active']);
  });

  it('finds nothing for a query without words', () => {
    expect(ids('?!')).toEqual([]);
  });
});

describe('whereMatched', () => {
  const where = (query: string, id: string) => whereMatched(search(index, { query }).find((h) => h.object.id === id)!, query);

  it('shows the SQL line with most of the words, numbered', () => {
    expect(where('delay_minutes', 'rep-delay')).toEqual(['SQL line 2: ROUND(AVG(f.delay_minutes)::numeric, 1) AS avg_delay_minutes']);
    expect(where('flights', 'alert-spike')).toEqual(['SQL: SELECT flight_date, AVG(delay_minutes) FROM flights']);
  });

  it('shows the description phrase and the variables that matched, nothing for a name match', () => {
    expect(where('busiest', 'dash-ops')).toEqual(['description: Daily operations: busiest airports, delays and cancellations per airline.']);
    expect(where('airline', 'rep-top')).toEqual(['variables: airline']);
    expect(where('top airports', 'rep-top')).toEqual([]);
  });

  it('cuts a long line around the match', () => {
    const long = buildIndex({ report: [{ id: 'r', name: 'n', description: `${'lorem ipsum '.repeat(40)}the needle is here${' dolor sit'.repeat(40)}` }] });
    const [line] = whereMatched(search(long, { query: 'needle' })[0]!, 'needle');
    expect(line).toMatch(/^description: ….*the needle is here.*…$/);
    expect(line!.length).toBeLessThan(170);
  });
});

describe('a 2,000-report account', () => {
  it('answers a query in well under 100 ms of CPU', () => {
    const reports: Flat[] = Array.from({ length: 2_000 }, (_, i) => ({
      id: `r${i}`,
      name: `Report ${i}`,
      description: `Metric ${i % 50} per week`,
      sql_query: `SELECT {created_at:aggregation}, SUM(amount_${i % 97}) FROM orders_${i % 13}\nWHERE {created_at=timerange}\nGROUP BY 1`,
      dashboard_id: `d${i % 100}`,
      datasource_id: 'ds',
    }));
    const big = buildIndex({ report: reports });
    search(big, { query: 'amount_42 orders' });
    const t = performance.now();
    const hits = search(big, { query: 'amount_42 orders' });
    const ms = performance.now() - t;
    expect(hits.filter((h) => h.all)).toHaveLength(Math.ceil((2_000 - 42) / 97));
    // A budget with slack (measured ~3 ms), not a timing window.
    expect(ms).toBeLessThan(100);
  });
});

// search_account on a synthetic account of 2,000 reports (100 dashboards, 100 filters, 50 SQL snippets, 50 SQL
// alerts), created through the sandbox's own API: the first search (index built from the five lists), warm searches,
// and the memory the cached index holds. Part of `npm run bench` (BENCH_ONLY=search for this section alone).
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectStdio, fmt, median, oursStdioArgs, percentile, procMem } from './lib.mjs';

// BENCH_SEARCH_REPORTS (default 2,000, a multiple of 20) scales the account, e.g. to try the bench itself quickly.
const REPORTS = Number(process.env.BENCH_SEARCH_REPORTS ?? 2000);
export const SYNTHETIC = { dashboards: REPORTS / 20, reportsPerDashboard: 20, filters: 100, snippets: 50, alerts: 50 };
const DATASOURCE = 'smpl-data-0001';

/** A deterministic generator (mulberry32), so every run builds the same account. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS = ['revenue', 'orders', 'signups', 'churn', 'refunds', 'sessions', 'tickets', 'shipments', 'invoices', 'trials', 'renewals', 'payouts'];
const DIMENSIONS = ['country', 'plan', 'channel', 'segment', 'region', 'product', 'campaign', 'device', 'partner', 'warehouse'];
const TABLES = ['orders', 'customers', 'invoices', 'sessions', 'events', 'subscriptions', 'payments', 'products', 'shipments', 'tickets'];
const COLUMNS = ['amount', 'net_amount', 'tax_amount', 'discount', 'quantity', 'duration_seconds', 'delay_minutes', 'score', 'margin', 'cost'];

/** A report as people write them: a name and a sentence, and SQL of 10–25 lines with Cluvio parameters. */
function reportAttributes(r, i, variables) {
  const pick = (list) => list[Math.floor(r() * list.length)];
  const subject = pick(SUBJECTS);
  const dim = pick(DIMENSIONS);
  const table = pick(TABLES);
  const other = pick(TABLES);
  const cols = Array.from({ length: 3 + Math.floor(r() * 4) }, () => pick(COLUMNS));
  const variable = pick(variables);
  const lines = [
    `-- ${subject} by ${dim}, report ${i}`,
    `WITH base AS (`,
    `  SELECT t.id, t.${dim}, t.created_at, ${cols.map((c) => `t.${c}`).join(', ')}`,
    `  FROM ${table} t`,
    `  JOIN ${other} o ON o.id = t.${other.replace(/s$/, '')}_id`,
    `  WHERE {t.created_at=timerange} AND {t.${dim}=${variable}}`,
    ...Array.from({ length: Math.floor(r() * 8) }, (_, k) => `    AND t.${pick(COLUMNS)} ${r() < 0.5 ? '>' : '<>'} ${k * 7 + 3}`),
    `)`,
    `SELECT {created_at:aggregation} AS period, ${dim},`,
    ...cols.map((c, k) => `  SUM(${c}) AS total_${c}_${k},`),
    `  COUNT(*) AS ${subject}_count`,
    `FROM base`,
    `GROUP BY 1, 2`,
    `ORDER BY 1, 3 DESC`,
  ];
  return {
    name: `${subject[0].toUpperCase()}${subject.slice(1)} by ${dim} #${i}`,
    description: `${subject} per ${dim} and period, from ${table} joined with ${other}; filtered by ${variable}.`,
    sql_query: lines.join('\n'),
  };
}

async function post(sb, type, attributes, relationships = {}) {
  const send = () => fetch(`${sb.api}/${type}`, { method: 'POST', headers: sb.headers, body: JSON.stringify({ data: { type, attributes, relationships } }) });
  // A kept-alive connection the sandbox closes as it is reused fails before anything is sent: try once more.
  const res = await send().catch((err) => (err?.cause?.code === 'UND_ERR_SOCKET' || err?.cause?.code === 'ECONNRESET' ? send() : Promise.reject(err)));
  if (res.status !== 201) throw new Error(`POST /${type}: ${res.status} ${await res.text()}`);
  return (await res.json()).data.id;
}

/** Runs `tasks` (functions) `n` at a time. */
async function pool(tasks, n) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < tasks.length) await tasks[next++]();
  }));
}

/** Creates the synthetic account in the sandbox through its API; returns how long that took. */
export async function createSyntheticAccount(sb, log) {
  const t0 = performance.now();
  const r = rng(20);
  const ds = { datasource: { data: { type: 'datasources', id: DATASOURCE } } };
  const variables = Array.from({ length: SYNTHETIC.filters }, (_, i) => `${DIMENSIONS[i % DIMENSIONS.length]}_filter_${i}`);
  await pool(
    variables.map((v, i) => () => post(sb, 'filters', { display_name: `${DIMENSIONS[i % DIMENSIONS.length]} (${i})`, variable_name: v, control_type: 'dropdown_multi', value_type: 'TEXT', sql_query: `SELECT DISTINCT ${DIMENSIONS[i % DIMENSIONS.length]} FROM ${TABLES[i % TABLES.length]} ORDER BY 1` }, ds)),
    8,
  );
  const dashboards = [];
  await pool(
    Array.from({ length: SYNTHETIC.dashboards }, (_, i) => async () => {
      dashboards[i] = await post(sb, 'dashboards', { name: `${SUBJECTS[i % SUBJECTS.length]} board ${i}`, description: `Weekly ${SUBJECTS[i % SUBJECTS.length]} and ${SUBJECTS[(i + 5) % SUBJECTS.length]} for the ${DIMENSIONS[i % DIMENSIONS.length]} team.` });
    }),
    8,
  );
  log(`search: created ${SYNTHETIC.filters} filters and ${SYNTHETIC.dashboards} dashboards; creating ${SYNTHETIC.dashboards * SYNTHETIC.reportsPerDashboard} reports`);
  const reports = [];
  for (let d = 0; d < SYNTHETIC.dashboards; d++) {
    for (let k = 0; k < SYNTHETIC.reportsPerDashboard; k++) reports.push(reportAttributes(r, reports.length, variables.slice((d * 7) % 90, ((d * 7) % 90) + 10)));
    // (+ 5: the sandbox's seeded reports.)
  }
  await pool(
    reports.map((attributes, i) => () => post(sb, 'reports', attributes, { ...ds, dashboard: { data: { type: 'dashboards', id: dashboards[Math.floor(i / SYNTHETIC.reportsPerDashboard)] } } })),
    8,
  );
  await pool(
    Array.from({ length: SYNTHETIC.snippets }, (_, i) => () => post(sb, 'sql_snippets', { name: `active_${TABLES[i % TABLES.length]}_${i}`, description: `Rows of ${TABLES[i % TABLES.length]} that are not deleted.`, text: `SELECT * FROM ${TABLES[i % TABLES.length]} WHERE deleted_at IS NULL AND ${COLUMNS[i % COLUMNS.length]} > 0` }, ds)),
    8,
  );
  await pool(
    Array.from({ length: SYNTHETIC.alerts }, (_, i) => () =>
      post(sb, 'sql_alerts', { name: `${SUBJECTS[i % SUBJECTS.length]} drop ${i}`, description: `Days when ${SUBJECTS[i % SUBJECTS.length]} fell below the usual level.`, sql_query: `SELECT created_at::date, COUNT(*) FROM ${TABLES[i % TABLES.length]} GROUP BY 1 HAVING COUNT(*) < ${i + 10}`, run_schedule: 'disabled', email_condition: 'triggered' }, ds),
    ),
    8,
  );
  return performance.now() - t0;
}

const LIST_PATHS = ['reports', 'dashboards', 'filters', 'sql_snippets', 'sql_alerts'];
const QUERIES = ['revenue country', 'delay_minutes', 'churn plan weekly', 'net_amount', 'refunds by channel', 'campaign_filter_42', 'shipments warehouse', 'active_orders', 'signups drop', 'margin region partner'];

/** The search bench: rows for bench/run.mjs's table. */
export async function searchBench(sb, { log, quick = false }) {
  const rows = [];
  const setupMs = await createSyntheticAccount(sb, log);
  const total = SYNTHETIC.dashboards * SYNTHETIC.reportsPerDashboard;

  // Reference: the five lists fetched directly, in parallel (what the first search cannot do faster).
  const direct = [];
  let bytes = 0;
  for (let i = 0; i < (quick ? 2 : 5); i++) {
    const t = performance.now();
    const bodies = await Promise.all(LIST_PATHS.map(async (p) => (await fetch(`${sb.api}/${p}`, { headers: sb.headers })).text()));
    direct.push(performance.now() - t);
    bytes = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0);
  }

  // First search, each in a fresh server process (after one other call): the index is built from the five lists.
  log(`search: first search on ${total.toLocaleString('en')} reports, fresh server process ×${quick ? 2 : 3}`);
  const first = [];
  const grew = [];
  let progressSeen = 0;
  let warm;
  let firstText = '';
  for (let i = 0; i < (quick ? 2 : 3); i++) {
    const s = await connectStdio(oursStdioArgs(), sb.env);
    await s.client.listTools();
    // A first call of any tool loads the HTTP client and compiles validation (see cold start): not the search's cost.
    await s.client.callTool({ name: 'list_datasources', arguments: {} });
    const before = procMem(s.pid).rss;
    const progress = [];
    const t = performance.now();
    const res = await s.client.callTool({ name: 'search_account', arguments: { query: QUERIES[0] } }, { onprogress: (p) => progress.push(p), timeout: 120_000 });
    first.push(performance.now() - t);
    if (res.isError) throw new Error(`search_account: ${res.content?.[0]?.text}`);
    firstText = res.content?.[0]?.text ?? '';
    progressSeen = progress.length;
    grew.push(procMem(s.pid).rss - before);
    if (i === 0) warm = s;
    else await s.close();
  }
  if (!firstText.includes(`searched ${(total + 5).toLocaleString('en')} reports`)) throw new Error(`search_account did not index the account: ${firstText.slice(0, 300)}`);

  // Warm searches on the cached index, through MCP.
  const warmMs = [];
  for (let i = 0; i < (quick ? 20 : 60); i++) {
    const t = performance.now();
    const res = await warm.client.callTool({ name: 'search_account', arguments: { query: QUERIES[i % QUERIES.length] } });
    warmMs.push(performance.now() - t);
    if (res.isError) throw new Error(`search_account: ${res.content?.[0]?.text}`);
  }
  const serverRss = procMem(warm.pid);
  await warm.close();

  // The index alone, in a process of its own (--expose-gc, nothing else on its heap): build time, query time, heap.
  const own = await indexFigures(sb);
  const { SEARCH_MAX_CHARS, SEARCH_MAX_ACCOUNTS } = await import('../dist/search/cache.js');
  const { buildMs, queryMs, indexMb, chars, objects } = own;
  const perAccount = Math.floor(SEARCH_MAX_CHARS / chars);

  const firstMed = median(first);
  const warmP50 = median(warmMs);
  rows.push(
    { section: 'search', figure: `synthetic account: ${objects.toLocaleString('en')} objects (${total.toLocaleString('en')} reports), created via the API in`, ours: fmt.s(setupMs), ref: `5 lists: ${fmt.int(bytes / 1024)} kB` },
    { section: 'search', figure: `first search (index built), median of ${first.length} fresh processes`, ours: fmt.ms(firstMed), ref: `5 lists fetched directly ${fmt.ms(median(direct))}`, target: '≤ 2 s', pass: firstMed <= 2000 },
    { section: 'search', figure: '  progress notifications during the first search', ours: String(progressSeen), target: '≥ 1', pass: progressSeen >= 1 },
    { section: 'search', figure: '  of which building the index (in process)', ours: fmt.ms(buildMs) },
    { section: 'search', figure: `warm search through MCP, p50 / p95 (${warmMs.length} calls)`, ours: `${fmt.ms(warmP50)} / ${fmt.ms(percentile(warmMs, 95))}`, target: 'p50 ≤ 50 ms', pass: warmP50 <= 50 },
    { section: 'search', figure: '  of which the query itself (in process), p50 / p95', ours: `${fmt.ms(queryMs.p50)} / ${fmt.ms(queryMs.p95)}` },
    {
      section: 'search',
      figure: `cached index: heap / characters (bound: ${SEARCH_MAX_ACCOUNTS} keys, ${(SEARCH_MAX_CHARS / 1e6).toFixed(0)} M chars = ${perAccount} such accounts)`,
      ours: `${fmt.mb(indexMb)} / ${(chars / 1e6).toFixed(2)} M`,
      target: '≤ 20 MB',
      pass: indexMb <= 20,
    },
    { section: 'search', figure: '  server VmRSS growth over the first search, median / VmRSS and peak after all', ours: `${fmt.mb(median(grew))} / ${fmt.mb(serverRss.rss)}, ${fmt.mb(serverRss.hwm)}` },
  );
  return rows;
}

/** Runs this file with --expose-gc in a child (`--index`): the figures of the index built from the sandbox's lists. */
function indexFigures(sb) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--index'], { env: { ...process.env, ...sb.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`index figures: exit ${code}`))));
  });
}

async function measureIndex() {
  const { flattenDocument } = await import('../dist/cluvio/jsonapi.js');
  const { buildIndex, search } = await import('../dist/search/index.js');
  const api = process.env.CLUVIO_API_URL;
  const headers = { authorization: `Api ${process.env.CLUVIO_API_KEY}` };
  const kinds = ['report', 'dashboard', 'filter', 'sql_snippet', 'sql_alert'];
  // As the server reads them: the body as text, then JSON.parse.
  const texts = await Promise.all(LIST_PATHS.map(async (p) => (await fetch(`${api}/${p}`, { headers })).text()));
  let lists = Object.fromEntries(kinds.map((k, i) => [k, flattenDocument(JSON.parse(texts[i])).data]));
  texts.length = 0;
  const tb = performance.now();
  let index = buildIndex(lists);
  const buildMs = performance.now() - tb;
  lists = undefined;
  globalThis.gc();
  const withIndex = process.memoryUsage().heapUsed;
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    search(index, { query: QUERIES[i % QUERIES.length] });
    times.push(performance.now() - t);
  }
  const { chars } = index;
  const objects = index.objects.length;
  index = undefined;
  globalThis.gc();
  const without = process.memoryUsage().heapUsed;
  process.stdout.write(JSON.stringify({ buildMs, queryMs: { p50: median(times), p95: percentile(times, 95) }, indexMb: (withIndex - without) / 1024 / 1024, chars, objects }));
}

if (process.argv[2] === '--index') await measureIndex();

// The client matrix's shared part: the steps every client runs, what passing means, and the result file.
//
// An adapter (adapters/<client>.mjs) drives the built server through one client library's own
// tool-execution path and calls runClient() with a `connect(transport)` that returns a driver:
//
//   convert()          → { targets: { [target]: { tools: Map<name, JSONSchema>, failed: [{tool, error}],
//                          fallback?: [tool], warnings?: [string] } } }
//                        the tools as the framework hands them to a model, per model family it converts for
//                        (targets: 'mcp' for clients that pass schemas unchanged, else e.g. 'openai_strict',
//                        'openai', 'gemini', 'anthropic').
//   call(tool, args)   → { text, images, protocolError? }: what the model receives after its tool call —
//                        `text` as the model reads it (everything textual, concatenated in the framework's
//                        own form), `images` the number of images it receives as images (not as text).
//                        The args are what a model would send; a framework that makes schemas strict should
//                        fill unset properties with null as a strict-mode model does (see strictArgs).
//   close()
//
// A step that cannot happen in a client (e.g. the client refuses the arguments before any server sees them) is
// declared in runClient's `notApplicable` with the reason; its cell reads "n/a" with that reason. A client
// that needs a server setting (README, Clients) runs its own server: `serverEnv` applies to its stdio servers
// and startHttpServer() gives it an HTTP one.
//
// The orchestrator (run.mjs) passes the context in MATRIX_CONTEXT; runClient writes
// <out>/<client>.json and exits non-zero if any cell failed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

export const ctx = JSON.parse(process.env.MATRIX_CONTEXT ?? '{}');

/** Seeded sandbox objects the steps use (src/sandbox/org/seed/). */
export const FIXTURES = {
  datasource: 'smpl-data-0001',
  /** Only the wait step runs queries here, so its slow_query fault cannot catch another step's query. */
  slowDatasource: 'prod-anly-0002',
  report: 'rep-top-airports',
  updatableReport: 'rep-signups',
  tools: 90,
};

/** Answers a client or framework gives instead of our error text: the error never reached the model. */
const SWALLOWED = [/MCP error -?\d+/i, /does not match the tool's output schema/i, /An error occurred while running the tool/i, /Request timed out/i];

/**
 * Characters a model may receive for an export when the client turns its image into text: the server inlines PNGs
 * up to 24 kB (CLUVIO_MAX_IMAGE_KB), 32,000 base64 characters, so that stays under Claude Code's 25,000 tokens.
 */
export const MAX_IMAGE_AS_TEXT_CHARS = 34_000;

const has = (text, ...needles) => needles.every((n) => (n instanceof RegExp ? n.test(text) : text.includes(n)));
const swallowed = (text) => SWALLOWED.find((re) => re.test(text));

function verdict(ok, note) {
  return { ok: !!ok, note };
}

/** A reached-the-model check for tool errors: our text arrived, not a client's own replacement. */
function ourError(r, ...needles) {
  const lost = swallowed(r.text);
  if (lost) return verdict(false, `the model got the client's error instead of ours (${lost})`);
  return verdict(has(r.text, ...needles), has(r.text, ...needles) ? undefined : `missing ${needles.join(' + ')}`);
}

function succeeded(r, ...needles) {
  const lost = swallowed(r.text);
  if (lost || r.protocolError || r.isError) return verdict(false, `failed: ${r.text.slice(0, 300)}`);
  return verdict(has(r.text, ...needles), has(r.text, ...needles) ? undefined : `missing ${needles.join(' + ')} in: ${r.text.slice(0, 300)}`);
}

/** Property names of a converted object schema (allowing the wrappers converters add). */
export function propertiesOf(schema) {
  if (!schema || typeof schema !== 'object') return {};
  if (schema.properties) return schema.properties;
  for (const k of ['anyOf', 'oneOf']) {
    const obj = schema[k]?.find((s) => s && s.properties);
    if (obj) return obj.properties;
  }
  return {};
}

/** A property's schema without the null branch a strict converter adds (anyOf: [T, {type: null}]). */
function nonNull(schema) {
  return schema?.anyOf?.find((s) => s?.type !== 'null') ?? schema;
}

/**
 * Arguments as a model in OpenAI strict mode sends them: every property of the (strict) schema present,
 * the unset ones as null, nested objects likewise.
 */
export function strictArgs(schema, args) {
  const props = propertiesOf(schema);
  const out = {};
  for (const [k, sub] of Object.entries(props)) {
    const v = args?.[k];
    if (v === undefined) out[k] = null;
    else if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(propertiesOf(sub)).length) out[k] = strictArgs(sub, v);
    else out[k] = v;
  }
  return out;
}

const noDataMessage = (run) => `No signups yet (${run.client}, ${run.transport})`;

/** A timestamp far in the future, different for each client and transport. */
function uniqueSecond(run) {
  let h = 0;
  for (const ch of `${run.client}/${run.transport}`) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return 4_000_000_000 + h;
}

async function sandboxFault(rule) {
  const res = await fetch(`${ctx.sandbox.api_url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  if (!res.ok) throw new Error(`sandbox fault: HTTP ${res.status} ${await res.text()}`);
}

/** The steps, in order. Each returns { ok, note, received }. */
export const STEPS = [
  {
    id: 'tools',
    title: 'list + convert',
    async run(d) {
      const { targets, notes = [] } = await d.convert();
      const problems = [];
      for (const [target, t] of Object.entries(targets)) {
        if (t.tools.size !== FIXTURES.tools) problems.push(`${target}: ${t.tools.size} tools, expected ${FIXTURES.tools}`);
        if (t.failed?.length) problems.push(`${target}: ${t.failed.length} failed (${t.failed.slice(0, 3).map((f) => `${f.tool}: ${f.error}`).join('; ')})`);
        if (t.fallback?.length) problems.push(`${target}: ${t.fallback.length} not strict (${t.fallback.slice(0, 5).join(', ')})`);
        if (t.warnings?.length) problems.push(`${target}: ${t.warnings.length} warnings (${t.warnings.slice(0, 2).join('; ')})`);
        // Complete schemas: an update tool carries its create fields; filter inputs are typed wherever they appear.
        const update = propertiesOf(t.tools.get('update_datasource'));
        if (!update.host || !update.data_time_zone) problems.push(`${target}: update_datasource lacks host/data_time_zone`);
        const refresh = propertiesOf(propertiesOf(t.tools.get('refresh_report')).parameters);
        if (!refresh.timerange) problems.push(`${target}: refresh_report.parameters is untyped`);
        // No wait longer than the 60 s most clients allow (converters that move bounds into text drop `maximum`).
        const wait = nonNull(propertiesOf(t.tools.get('run_execution')).max_wait_seconds);
        if (!(wait?.maximum <= 50) && !/50/.test(wait?.description ?? '')) problems.push(`${target}: max_wait_seconds allows more than 50 s`);
      }
      const note = [...problems, ...notes].join(' | ') || undefined;
      return { ...verdict(problems.length === 0, note), received: Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, t.tools.size])) };
    },
  },
  {
    id: 'schema',
    title: 'schema read',
    // The compact text (one line per table), not the JSON of structuredContent instead of or beside it.
    call: () => ['get_datasource_schema', { id: FIXTURES.datasource }],
    check: (r) => {
      const v = succeeded(r, 'flights(');
      if (!v.ok) return v;
      return /"columns"\s*:/.test(r.text) ? verdict(false, `the model got the schema as JSON data (${r.text.length} chars)`) : verdict(true);
    },
  },
  {
    id: 'query',
    title: 'query',
    call: () => ['run_execution', { datasource_id: FIXTURES.datasource, sql_query: 'SELECT count(*) AS flights FROM flights' }],
    check: (r) => succeeded(r, '230172'),
  },
  {
    id: 'wrong_datasource',
    title: 'wrong datasource',
    call: () => ['run_execution', { datasource_id: 'no-such-datasource', sql_query: 'SELECT 1' }],
    check: (r) => ourError(r, 'HTTP 404', 'list'),
  },
  {
    id: 'bad_sql',
    title: 'bad SQL',
    call: () => ['run_execution', { datasource_id: FIXTURES.datasource, sql_query: 'SELECT * FROM no_such_table' }],
    check: (r) => ourError(r, 'query_error', 'no_such_table', 'Fix the SQL'),
  },
  {
    id: 'refresh_report',
    title: 'report refresh',
    // Cluvio cancels a report's running query when the same report is refreshed with the same inputs: each run
    // gets inputs of its own, or the clients running side by side would cancel each other's refreshes.
    call: (run) => ['refresh_report', { id: FIXTURES.report, max_rows: 5, parameters: { timerange: `~${uniqueSecond(run)}` } }],
    check: (r) => succeeded(r, 'succeeded', 'showing rows 1–5'),
  },
  {
    id: 'wrong_report',
    title: 'wrong report id',
    call: () => ['refresh_report', { id: 'rep-no-such-report' }],
    check: (r) => ourError(r, 'HTTP 404', 'list'),
  },
  {
    id: 'paging',
    title: 'paging',
    async run(d) {
      const first = await d.call('run_execution', { datasource_id: FIXTURES.datasource, sql_query: 'SELECT code FROM airports ORDER BY code', max_rows: 3 });
      const id = /get_execution_data \{"id":"([^"]+)"/.exec(first.text.replace(/\\"/g, '"'))?.[1];
      if (!id) return { ...verdict(false, `no next page named in: ${first.text.slice(0, 300)}`), received: first };
      const second = await d.call('get_execution_data', { id, offset: 3, max_rows: 3 });
      return { ...succeeded(second, 'showing rows 4–6'), received: second };
    },
  },
  {
    id: 'update',
    title: 'update, later field, confirmed',
    // A message of this run's own: the clients share one sandbox, and another's update must not pass for this one.
    // An update is confirmed first (CLUVIO_CONFIRM's default): these clients cannot ask a person, so the first call
    // returns a question and a token, and the same call with `confirm` runs it — through the framework's own path.
    async run(d, run) {
      const args = { id: FIXTURES.updatableReport, no_data_message: noDataMessage(run) };
      const preview = await d.call('update_report', args);
      const token = /confirm: "([^"]+)"/.exec(preview.text.replace(/\\"/g, '"'))?.[1];
      if (!token) return { ...verdict(false, `no confirm token in: ${preview.text.slice(0, 300)}`), received: preview };
      if (preview.text.includes(noDataMessage(run))) return { ...verdict(false, 'the preview already shows the change'), received: preview };
      const done = await d.call('update_report', { ...args, confirm: token });
      return { ...succeeded(done, noDataMessage(run)), received: { preview, done } };
    },
  },
  {
    id: 'nulls',
    title: 'explicit nulls',
    async run(d) {
      // What a strict-mode model sends for arguments it does not use.
      const list = await d.call('list_datasources', { name: null, include: null, offset: null, limit: null });
      const q = await d.call('run_execution', { datasource_id: FIXTURES.datasource, sql_query: 'SELECT 41 + 1 AS answer', r_query: null, parameters: null, max_rows: null, max_wait_seconds: null });
      const a = succeeded(list, 'smpl-data-0001');
      const b = succeeded(q, '42');
      return { ok: a.ok && b.ok, note: [a.note, b.note].filter(Boolean).join(' | ') || undefined, received: { list, query: q } };
    },
  },
  {
    id: 'image',
    title: 'export with image',
    call: () => ['export_report_png', { id: FIXTURES.report }],
    check: (r) => {
      const base = succeeded(r, 'is ready', 'http');
      if (!base.ok) return base;
      if (r.images > 0) return verdict(true, `image as image; ${r.text.length} chars of text`);
      return verdict(r.text.length <= MAX_IMAGE_AS_TEXT_CHARS, `image not shown as image; ${r.text.length} chars of text`);
    },
  },
  {
    id: 'wait',
    title: 'near the wait budget',
    async run(d) {
      // The query stays running longer than the budget; the answer must come back (with the handle) before the client gives up.
      await sandboxFault({ method: 'POST', path: `/datasources/${FIXTURES.slowDatasource}/executions`, fault: 'slow_query', delay_ms: 58_000 });
      const started = Date.now();
      const r = await d.call('run_execution', { datasource_id: FIXTURES.slowDatasource, sql_query: 'SELECT 1 AS slow', max_wait_seconds: 50 });
      const seconds = Math.round((Date.now() - started) / 1000);
      const v = succeeded(r, 'still', 'get_execution_data');
      const id = /get_execution_data \{"id":"([^"]+)"/.exec(r.text.replace(/\\"/g, '"'))?.[1];
      if (id) await d.call('cancel_execution', { id }).catch(() => undefined);
      return { ok: v.ok, note: `${seconds} s${v.note ? `; ${v.note}` : ''}`, received: r };
    },
  },
];

/** The stdio server of ctx with extra environment (a client's recommended settings). */
export function stdioServer(extraEnv = {}) {
  return { ...ctx.stdio, env: { ...ctx.stdio.env, ...extraEnv } };
}

/** An HTTP server of this client's own, with extra environment: { url, close }. */
export async function startHttpServer(extraEnv = {}) {
  const { command, args, env } = stdioServer(extraEnv);
  const child = spawn(command, [...args, '--transport', 'http', '--port', '0'], { env: { ...env, CLUVIO_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  process.on('exit', () => child.kill('SIGKILL'));
  let seen = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      seen += d;
      const m = /"url":"([^"]+)"/.exec(seen);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`HTTP server exited (${code}): ${seen.slice(-500)}`)));
  });
  return { url, close: async () => void child.kill('SIGTERM') };
}

function pkgVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function clip(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? undefined : text.length > 4000 ? `${text.slice(0, 4000)}… (${text.length} chars)` : text;
}

/**
 * Run every step over each transport the adapter supports (and the orchestrator asked for), write the
 * result file, and exit 1 if a cell failed. The wait step runs alongside the others: it only waits.
 */
export async function runClient({ client, packages, transports, connect, notApplicable = {} }) {
  const wanted = (ctx.transports ?? ['stdio', 'http']).filter((t) => transports.includes(t));
  const result = { client, versions: Object.fromEntries(packages.map((p) => [p, pkgVersion(p)])), runs: [] };
  for (const transport of wanted) {
    const run = { transport, steps: {} };
    result.runs.push(run);
    let driver;
    try {
      driver = await connect(transport);
    } catch (err) {
      for (const s of STEPS) run.steps[s.id] = { ok: false, note: `could not connect: ${err?.stack ?? err}` };
      continue;
    }
    const exec = async (step) => {
      if (notApplicable[step.id]) {
        run.steps[step.id] = { ok: true, na: true, note: `n/a: ${notApplicable[step.id]}` };
        return;
      }
      const t0 = Date.now();
      try {
        let out;
        if (step.run) out = await step.run(driver, { client, transport });
        else {
          const [tool, args] = step.call({ client, transport });
          const received = await driver.call(tool, args);
          out = { ...step.check(received, { client, transport }), received };
        }
        run.steps[step.id] = { ok: out.ok, note: out.note, ms: Date.now() - t0, received: clip(out.received) };
      } catch (err) {
        run.steps[step.id] = { ok: false, note: `threw: ${String(err?.stack ?? err).slice(0, 800)}`, ms: Date.now() - t0 };
      }
    };
    const only = ctx.steps ? STEPS.filter((s) => ctx.steps.includes(s.id)) : STEPS;
    const wait = only.find((s) => s.id === 'wait');
    const waiting = wait ? exec(wait) : Promise.resolve();
    for (const step of only) if (step !== wait) await exec(step);
    await waiting;
    await driver.close().catch(() => undefined);
  }
  if (ctx.out) {
    mkdirSync(ctx.out, { recursive: true });
    writeFileSync(`${ctx.out}/${client}.json`, JSON.stringify(result, null, 2));
  }
  const failed = result.runs.flatMap((r) => Object.entries(r.steps).filter(([, s]) => !s.ok).map(([id, s]) => `${r.transport}/${id}: ${s.note}`));
  for (const f of failed) console.error(`${client} ${f}`);
  // Libraries may leave handles open (sockets, child processes): the verdict is written, so end here.
  process.exit(failed.length ? 1 : 0);
}

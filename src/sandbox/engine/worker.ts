/**
 * The sandbox's SQL engine: PGlite instances running in a worker thread (PGlite runs queries
 * synchronously on its thread, so it must never share the HTTP servers' event loop).
 *
 * Results of SELECT-like statements are stored as tables in RESULTS_SCHEMA (CREATE TABLE … AS)
 * and read back in ctid block ranges, so no whole result is ever materialised as JS objects.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PRODUCT_SEED_SQL, SAMPLE_SEED_SQL, SEED_VERSION } from './seed.js';
import { cluvioDataType } from './types.js';
import {
  RESULTS_SCHEMA,
  type EngineDb,
  type EngineRequest,
  type FetchResult,
  type ResultColumn,
  type RunResult,
  type SchemaEntry,
  type WorkerInit,
} from './protocol.js';

if (parentPort === null) throw new Error('engine worker must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;

const SEEDS: Record<EngineDb, { sql: string; check: string }> = {
  sample: { sql: SAMPLE_SEED_SQL, check: 'SELECT count(*) AS n FROM public.flights' },
  product: { sql: PRODUCT_SEED_SQL, check: 'SELECT count(*) AS n FROM public.events' },
};

/** Value parsers: JSON-friendly values straight from PostgreSQL's text output. */
const PARSERS: Record<number, (s: string) => unknown> = {
  20: (s) => (Number.isSafeInteger(Number(s)) ? Number(s) : s), // int8
  1700: (s) => {
    // numeric: a number when it round-trips, else the exact string
    const n = Number(s);
    return Number.isFinite(n) && String(n) === s.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') ? n : s;
  },
  1114: (s) => s.replace(' ', 'T'), // timestamp: ISO without zone
  1184: (s) => isoTz(s), // timestamptz
  1082: (s) => s, // date
  1083: (s) => s, // time
  1266: (s) => s, // timetz
  1186: (s) => s, // interval
};

function isoTz(s: string): string {
  const d = new Date(s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return '\\x' + Buffer.from(value).toString('hex');
  return value;
}

function rowJson(row: unknown[]): string {
  return JSON.stringify(row, jsonReplacer);
}

// ---------------------------------------------------------------------------------------------
// Instances

const dbs = new Map<EngineDb, Promise<PGlite>>();

function cacheFile(name: EngineDb): string | null {
  if (init.cacheDir === null) return null;
  return path.join(init.cacheDir, `seed-${SEED_VERSION}-${name}.tar.gz`);
}

async function openDb(name: EngineDb): Promise<PGlite> {
  const seed = SEEDS[name];
  const file = cacheFile(name);
  if (file !== null) {
    try {
      const buf = await readFile(file);
      const db = await PGlite.create({ loadDataDir: new Blob([buf]) });
      await db.query(seed.check);
      await prepare(db);
      return db;
    } catch {
      // absent or corrupt cache: rebuild below
      await rm(file, { force: true }).catch(() => undefined);
    }
  }
  const db = await PGlite.create();
  await db.exec(seed.sql);
  if (file !== null) {
    // Cache the freshly seeded data dir for the next start (~2 s once; failures are harmless).
    try {
      const blob = await db.dumpDataDir('gzip');
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
      await rename(tmp, file);
    } catch {
      // no cache this time
    }
  }
  await prepare(db);
  return db;
}

async function prepare(db: PGlite): Promise<void> {
  await db.exec(`DROP SCHEMA IF EXISTS ${RESULTS_SCHEMA} CASCADE; CREATE SCHEMA ${RESULTS_SCHEMA}; SET TIME ZONE 'UTC';`);
}

// Open sequentially (sample first: it is the one everybody queries).
const sampleP = openDb('sample');
dbs.set('sample', sampleP);
const productP = sampleP.then(
  () => openDb('product'),
  () => openDb('product'),
);
dbs.set('product', productP);
async function getDb(name: EngineDb): Promise<PGlite> {
  const p = dbs.get(name);
  if (p === undefined) throw new Error(`unknown engine database ${name}`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Operations

const typeCache = new Map<number, { typeName: string; elemTypeName: string | null; pseudo: boolean }>();

async function describeTypes(db: PGlite, oids: number[]): Promise<void> {
  const missing = [...new Set(oids)].filter((o) => !typeCache.has(o));
  if (missing.length === 0) return;
  const r = await db.query<{ oid: number; typname: string; elem: string | null; pseudo: boolean }>(
    `SELECT t.oid::int AS oid, t.typname, e.typname AS elem, t.typtype = 'p' AS pseudo
       FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
      WHERE t.oid = ANY($1::oid[])`,
    [missing],
  );
  for (const row of r.rows) typeCache.set(row.oid, { typeName: row.typname, elemTypeName: row.elem, pseudo: row.pseudo });
}

function columnsOf(fields: ReadonlyArray<{ name: string; dataTypeID: number }>): ResultColumn[] {
  return fields.map((f) => {
    const t = typeCache.get(f.dataTypeID) ?? { typeName: 'unknown', elemTypeName: null };
    return { name: f.name, typeId: f.dataTypeID, typeName: t.typeName, elemTypeName: t.elemTypeName };
  });
}

/** Strip leading whitespace/comments and trailing semicolons. */
function normalise(sql: string): string {
  let s = sql.trim();
  for (;;) {
    if (s.startsWith('--')) {
      const nl = s.indexOf('\n');
      s = nl < 0 ? '' : s.slice(nl + 1).trimStart();
    } else if (s.startsWith('/*')) {
      const end = s.indexOf('*/');
      s = end < 0 ? '' : s.slice(end + 2).trimStart();
    } else break;
  }
  return s.replace(/[\s;]+$/, '');
}

const SELECT_LIKE = /^(select|with|values|table|\()/i;

function quoteIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

async function run(name: EngineDb, sql: string, resultId: string): Promise<RunResult> {
  const db = await getDb(name);
  const body = normalise(sql);
  if (body === '') throw new Error('syntax error: empty query');
  if (SELECT_LIKE.test(body)) {
    let described: Awaited<ReturnType<PGlite['describeQuery']>> | null = null;
    try {
      described = await db.describeQuery(body);
    } catch (e) {
      if (!/multiple commands/i.test(String((e as Error).message))) throw e;
    }
    if (described !== null) {
      const fields = described.resultFields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      await describeTypes(db, fields.map((f) => f.dataTypeID));
      // Pseudo-typed columns (void, anonymous record) cannot be stored in a table: run directly.
      if (fields.some((f) => typeCache.get(f.dataTypeID)?.pseudo === true)) described = null;
    }
    if (described !== null) {
      const fields = described.resultFields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      const table = `r_${resultId.replace(/[^a-zA-Z0-9_]/g, '')}`;
      const qualified = `${RESULTS_SCHEMA}.${quoteIdent(table)}`;
      const colList = fields.length > 0 ? ` (${fields.map((_, i) => `c${i}`).join(', ')})` : '';
      await db.exec(`CREATE UNLOGGED TABLE ${qualified}${colList} AS ${body}`);
      const stats = await db.query<{ n: number; size: number; blocks: number }>(
        `SELECT (SELECT count(*) FROM ${qualified})::int8 AS n,
                pg_total_relation_size('${RESULTS_SCHEMA}.${table}')::int8 AS size,
                (pg_relation_size('${RESULTS_SCHEMA}.${table}') / current_setting('block_size')::int)::int8 AS blocks`,
      );
      const s = stats.rows[0] ?? { n: 0, size: 0, blocks: 0 };
      return {
        columns: columnsOf(fields),
        rowCount: Number(s.n),
        sizeBytes: Number(s.size),
        store: { kind: 'table', table, blocks: Number(s.blocks) },
      };
    }
  }
  // Other statements (SHOW, EXPLAIN, SET, DML, several statements): run directly, keep the last
  // result that has columns (these are small).
  const results = await db.exec(sql, { rowMode: 'array', parsers: PARSERS });
  let last = results[results.length - 1];
  for (let i = results.length - 1; i >= 0; i--) {
    const r = results[i];
    if (r !== undefined && r.fields.length > 0) {
      last = r;
      break;
    }
  }
  const fields = last?.fields ?? [];
  await describeTypes(db, fields.map((f) => f.dataTypeID));
  const rowsJson = (last?.rows ?? []).map((r) => rowJson(r as unknown[]));
  return {
    columns: columnsOf(fields),
    rowCount: rowsJson.length,
    sizeBytes: rowsJson.reduce((a, r) => a + r.length, 0),
    store: { kind: 'inline', rowsJson },
  };
}

/**
 * Rows of a stored result in a ctid block range, as the JSON text of the rows joined by ','.
 * PostgreSQL formats the JSON itself (json_build_array): one text value crosses into JS per
 * batch instead of thousands of parsed row objects.
 */
async function fetchRows(name: EngineDb, table: string, ncols: number, fromBlock: number, toBlock: number): Promise<FetchResult> {
  const db = await getDb(name);
  const qualified = `${RESULTS_SCHEMA}.${quoteIdent(table)}`;
  const cols = Array.from({ length: ncols }, (_, i) => `c${i}`).join(', ');
  const r = await db.query<{ j: string | null; n: number }>(
    `SELECT string_agg(json_build_array(${cols})::text, ',') AS j, count(*)::int AS n FROM ${qualified}
      WHERE ctid >= '(${Math.floor(fromBlock)},0)'::tid AND ctid < '(${Math.floor(toBlock)},0)'::tid`,
  );
  const row = r.rows[0];
  return { json: row?.j ?? '', rows: row?.n ?? 0 };
}

async function drop(name: EngineDb, table: string): Promise<null> {
  const db = await getDb(name);
  await db.exec(`DROP TABLE IF EXISTS ${RESULTS_SCHEMA}.${quoteIdent(table)}`);
  return null;
}

async function schema(name: EngineDb): Promise<SchemaEntry[]> {
  const db = await getDb(name);
  const r = await db.query<{ s: string; t: string; c: string; db_type: string; typname: string; elem: string | null }>(
    `SELECT n.nspname AS s, c.relname AS t, a.attname AS c,
            format_type(a.atttypid, a.atttypmod) AS db_type, ty.typname, el.typname AS elem
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_type el ON el.oid = ty.typelem AND ty.typcategory = 'A'
      WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', '${RESULTS_SCHEMA}')
        AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const schemas = new Map<string, Map<string, SchemaEntry['tables'][number]>>();
  for (const row of r.rows) {
    let tables = schemas.get(row.s);
    if (tables === undefined) schemas.set(row.s, (tables = new Map()));
    let table = tables.get(row.t);
    if (table === undefined) tables.set(row.t, (table = { name: row.t, columns: [] }));
    table.columns.push({ name: row.c, db_type: row.db_type, data_type: cluvioDataType(row.typname, row.elem) });
  }
  return [...schemas].map(([s, tables]) => ({ name: s, tables: [...tables.values()] }));
}

async function handle(req: EngineRequest): Promise<unknown> {
  switch (req.op) {
    case 'ready':
      await Promise.all([sampleP, productP]);
      return null;
    case 'ping':
      await getDb(req.db);
      return null;
    case 'run':
      return run(req.db, req.sql, req.resultId);
    case 'fetch':
      return fetchRows(req.db, req.table, req.ncols, req.fromBlock, req.toBlock);
    case 'drop':
      return drop(req.db, req.table);
    case 'schema':
      return schema(req.db);
  }
}

port.on('message', (msg: { id: number; req: EngineRequest }) => {
  handle(msg.req).then(
    (result) => port.postMessage({ id: msg.id, ok: true, result }),
    (err: unknown) =>
      port.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});

/**
 * Message protocol between the sandbox (main thread) and the SQL engine worker.
 * Every request carries an id; the worker answers each with exactly one response of the same id.
 */

/** Names of the engine databases (one PGlite instance each). */
export type EngineDb = 'sample' | 'product';

export interface ResultColumn {
  name: string;
  /** PostgreSQL type OID */
  typeId: number;
  /** pg_type.typname, e.g. int4, _text */
  typeName: string;
  /** For arrays: the element type's typname, else null */
  elemTypeName: string | null;
}

/** Where a finished execution's rows live. */
export type ResultStore =
  /** A table in the engine's results schema, read back in ctid block ranges. */
  | { kind: 'table'; table: string; blocks: number }
  /** A small result kept in memory (SHOW, EXPLAIN, DML RETURNING, …): JSON text of each row. */
  | { kind: 'inline'; rowsJson: string[] };

export interface RunResult {
  columns: ResultColumn[];
  rowCount: number;
  sizeBytes: number;
  store: ResultStore;
}

export interface FetchResult {
  /** JSON texts of the rows in the block range (each a JSON array), joined by ','; '' if none. */
  json: string;
  rows: number;
}

export interface SchemaColumn { name: string; db_type: string; data_type: string }
export interface SchemaTable { name: string; columns: SchemaColumn[] }
export interface SchemaEntry { name: string; tables: SchemaTable[] }

export type EngineRequest =
  | { op: 'ready' }
  | { op: 'run'; db: EngineDb; sql: string; resultId: string }
  | { op: 'fetch'; db: EngineDb; table: string; ncols: number; fromBlock: number; toBlock: number }
  | { op: 'drop'; db: EngineDb; table: string }
  | { op: 'schema'; db: EngineDb }
  | { op: 'ping'; db: EngineDb };

export type EngineResponse<T = unknown> =
  | { id: number; ok: true; result: T }
  | { id: number; ok: false; error: string };

export interface WorkerInit {
  /** Directory for the seeded data-dir cache; null disables caching. */
  cacheDir: string | null;
}

/** Internal schema holding stored execution results; hidden from schema data. */
export const RESULTS_SCHEMA = '_sandbox_results';

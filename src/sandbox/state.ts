/** The sandbox's in-memory world: datasources, executions, data keys and tokens, the engine. */
import { randomBytes } from 'node:crypto';
import type { EngineClient } from './engine/client.js';
import type { EngineDb, ResultColumn, ResultStore } from './engine/protocol.js';
import { isoNow } from './http.js';
import { RecordStore } from './org/store.js';

export interface DatasourceRecord {
  id: string;
  attributes: Record<string, unknown>;
  agentIds: string[];
  /** The engine database behind a seeded datasource; null = an API-created one (cannot connect). */
  engineDb: EngineDb | null;
}

export type ExecutionStatus =
  | 'starting'
  | 'running'
  | 'waiting'
  | 'scheduled'
  | 'cancelled'
  | 'success'
  | 'query_error'
  | 'timed_out'
  | 'internal_error'
  | 'internal_timeout';

export interface ExecutionRecord {
  id: string;
  datasourceId: string;
  type: 'sql_query' | 'sql_filter' | 'sql_alert' | 'almanach_query' | 'export_query';
  status: ExecutionStatus;
  /** The SQL as submitted, and as run after parameter rewriting. */
  sqlQuery: string;
  rewrittenSql: string | null;
  rQuery: string | null;
  parameters: unknown;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  queryError: string | null;
  columns: ResultColumn[] | null;
  rowCount: number | null;
  sizeBytes: number | null;
  store: ResultStore | null;
  /** Results dropped (expired, evicted or cancelled): no data any more. */
  dataGone: boolean;
  /** Refresh executions carry no data. */
  kind: 'query' | 'refresh';
}

/** When a result's data was taken (Unix seconds): its completion. */
export const dataTimestamp = (ex: ExecutionRecord): number => Math.floor(Date.parse(ex.completedAt ?? ex.updatedAt) / 1000);

/** A timer that does not keep the process alive. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** How the data server renders a result as CSV (Get Report Data with data_format csv). */
export interface CsvFormat {
  separator: ',' | ';' | '\t';
  decimal: '.' | ',' | '/';
  quote: 'necessary' | 'always';
}

/** A fresh execution record in status `starting`; `init` sets what differs. */
export function newExecution(init: Pick<ExecutionRecord, 'id' | 'datasourceId' | 'sqlQuery' | 'kind'> & Partial<ExecutionRecord>): ExecutionRecord {
  const now = isoNow();
  return {
    type: 'sql_query',
    status: 'starting',
    rewrittenSql: null,
    rQuery: null,
    parameters: null,
    timeZone: 'UTC',
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    completedAt: null,
    queryError: null,
    columns: null,
    rowCount: null,
    sizeBytes: null,
    store: null,
    dataGone: false,
    ...init,
  };
}

export type DataTarget =
  /** A result's rows: JSON (the Result Data shape), or CSV text when `csv` is set. */
  | { kind: 'result'; executionId: string; csv?: CsvFormat }
  | { kind: 'schema'; datasourceId: string; schemaName: string | null };

export interface SandboxConfig {
  apiKey: string;
  dataTokenTtlSeconds: number;
}

export const TERMINAL: ReadonlySet<ExecutionStatus> = new Set([
  'cancelled',
  'success',
  'query_error',
  'timed_out',
  'internal_error',
  'internal_timeout',
]);

export class SandboxState {
  readonly datasources = new Map<string, DatasourceRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  readonly dataKeys = new Map<string, { target: DataTarget; createdAt: number }>();
  readonly tokens = new Map<string, { dataKey: string; expiresAt: number }>();
  /** Dashboards, reports, filters, schedules, snippets, alerts, users, groups, agents. */
  readonly records = new RecordStore();

  constructor(
    readonly config: SandboxConfig,
    readonly engine: EngineClient,
  ) {}

  /** Issue a data key for a target plus a short-lived token bound to it. */
  grant(target: DataTarget, prefix: string): { data_key: string; data_access_token: string } {
    const dataKey = `${prefix}/${randomBytes(12).toString('hex')}`;
    this.dataKeys.set(dataKey, { target, createdAt: Date.now() });
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { dataKey, expiresAt: Date.now() + this.config.dataTokenTtlSeconds * 1000 });
    this.sweepTokens();
    return { data_key: dataKey, data_access_token: token };
  }

  /** Bind (or rebind) a fixed data key to a target, e.g. the latest result of a report for some parameters. */
  bindKey(dataKey: string, target: DataTarget): void {
    this.dataKeys.set(dataKey, { target, createdAt: Date.now() });
  }

  /** A fresh short-lived data access token for an existing data key. */
  tokenFor(dataKey: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { dataKey, expiresAt: Date.now() + this.config.dataTokenTtlSeconds * 1000 });
    this.sweepTokens();
    return token;
  }

  private sweepTokens(): void {
    if (this.tokens.size < 1000) return;
    const now = Date.now();
    for (const [t, v] of this.tokens) if (v.expiresAt < now) this.tokens.delete(t);
  }
}

/** Cluvio-style short ids, e.g. "8qxn-y9ex-65vd". */
export function shortId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) {
    s += alphabet[(bytes[i] as number) % alphabet.length];
    if (i === 3 || i === 7) s += '-';
  }
  return s;
}

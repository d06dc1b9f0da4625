/**
 * Cached report and SQL-filter queries: one cache entry per (report | filter, canonical input
 * parameters) holding its latest execution and its latest successful result, a stable data key
 * for the dashboard status, and the staleness rule (data_refresh_rate / data_refresh_anchor_time).
 *
 * The queries run as ordinary executions (ExecutionRunner), so Get Execution, Get Execution Data
 * and Cancel Execution work on them too.
 */
import { unprocessable } from '../http.js';
import type { QueryParameters } from '../parameters.js';
import { byLayout, filtersUsedBy, reportsOf } from '../org/specs/dashboards.js';
import { linkedIds, type ResourceRecord } from '../org/store.js';
import { TERMINAL, dataTimestamp, sleep, type ExecutionRecord, type SandboxState } from '../state.js';
import type { ExecutionRunner } from './runner.js';
import { canonicalParameters, effectiveParameters, shortHash } from './params.js';

const DEFAULT_REFRESH_MINUTES = 1440;
const MINUTE = 60_000;

/** What one cached query runs: a report, or a filter's SQL (static: one key; dynamic: per dashboard + parameters). */
export interface QuerySpec {
  kind: 'report' | 'filter';
  /** The report or filter. */
  record: ResourceRecord;
  datasourceId: string;
  sql: string;
  parameters: QueryParameters;
  /** Cache key and the data key shown in the dashboard status. */
  key: string;
  dataKey: string;
  /** Maximum age of a result before it is stale. */
  refreshMs: number;
  /** data_refresh_anchor_time "HH:MM" (UTC in the sandbox), if any. */
  anchor: string | null;
}

export interface CacheEntry {
  spec: QuerySpec;
  latest: string | null;
  lastSuccess: string | null;
}

/** A report or filter that cannot run (no datasource, no SQL): shown as a status error object. */
export class SpecError extends Error {}

/** Data key status, exactly the documented members (data_* only on success). */
export interface KeyStatus {
  result_status: string;
  data_timestamp?: number;
  data_current?: boolean;
  data_access_token?: string;
  execution_id?: string;
  execution_status?: string;
  running: boolean;
}

/** The shortest of the data refresh rates given (minutes), or the default. */
export function refreshMinutes(...values: unknown[]): number {
  const rates = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  return rates.length === 0 ? DEFAULT_REFRESH_MINUTES : Math.min(...rates);
}

function anchorOf(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string' && /^\d{1,2}:\d{2}/.test(v)) return v;
  return null;
}

const SQL_DROPDOWNS = ['dropdown', 'dropdown_multi', 'dropdown_dynamic', 'dropdown_multi_dynamic'];
const DYNAMIC_DROPDOWNS = ['dropdown_dynamic', 'dropdown_multi_dynamic'];

export type FilterKind = 'manual' | 'static_sql' | 'dynamic_sql' | 'other';

/** manual | static_sql | dynamic_sql | other (not a drop-down) */
export function filterKind(f: ResourceRecord): FilterKind {
  const ct = String(f.attributes['control_type'] ?? '');
  const sql = f.attributes['sql_query'];
  const hasSql = typeof sql === 'string' && sql.trim() !== '';
  if (ct.endsWith('_manual')) return 'manual';
  if (SQL_DROPDOWNS.includes(ct) && hasSql) return DYNAMIC_DROPDOWNS.includes(ct) ? 'dynamic_sql' : 'static_sql';
  if (Array.isArray(f.attributes['values'])) return 'manual';
  return ct.startsWith('dropdown') ? 'manual' : 'other';
}

function datasourceOf(state: SandboxState, rec: ResourceRecord, what: string): string {
  const id = linkedIds(rec, 'datasource')[0];
  if (id === undefined) throw new SpecError(`${what} ${rec.id} has no datasource`);
  if (!state.datasources.has(id)) throw new SpecError(`datasource ${id} of ${what} ${rec.id} not found`);
  return id;
}

/** The SQL a report or SQL alert runs and its datasource (`what` names it in the SpecError when it has none). */
export function querySource(state: SandboxState, rec: ResourceRecord, what: string): { sql: string; datasourceId: string } {
  const sql = rec.attributes['sql_query'];
  if (typeof sql !== 'string' || sql.trim() === '') throw new SpecError(`${what} ${rec.id} has no SQL query`);
  return { sql, datasourceId: datasourceOf(state, rec, what) };
}

export const isSqlFilter = (kind: FilterKind): kind is 'static_sql' | 'dynamic_sql' => kind === 'static_sql' || kind === 'dynamic_sql';

export class WorkQueries {
  readonly entries = new Map<string, CacheEntry>();

  /** `make()`, with a SpecError answered as a 422 (the request named something that cannot run). */
  static orUnprocessable<T>(make: () => T): T {
    try {
      return make();
    } catch (e) {
      if (e instanceof SpecError) throw unprocessable(e.message);
      throw e;
    }
  }

  constructor(
    private readonly state: SandboxState,
    private readonly runner: ExecutionRunner,
  ) {}

  // ------------------------------------------------------------------------------------------
  // The organisation

  dashboard(id: string): ResourceRecord | undefined {
    return this.state.records.get('dashboards', id);
  }

  dashboardOfReport(report: ResourceRecord): ResourceRecord | undefined {
    const id = linkedIds(report, 'dashboard')[0];
    return id === undefined ? undefined : this.dashboard(id);
  }

  /** Reports of a dashboard: its stored `reports` links (records put by a test hook may have them) plus those whose `dashboard` is it, in layout order. */
  reportsOf(dashboard: ResourceRecord): ResourceRecord[] {
    return this.linkedPlus(dashboard, 'reports', reportsOf(this.state, dashboard.id)).sort(byLayout);
  }

  /** Filters of a dashboard: its stored `filters` links plus the filters whose variable its reports' SQL uses. */
  filtersOf(dashboard: ResourceRecord, reports = this.reportsOf(dashboard)): ResourceRecord[] {
    return this.linkedPlus(dashboard, 'filters', filtersUsedBy(this.state, reports));
  }

  private linkedPlus(rec: ResourceRecord, name: 'reports' | 'filters', more: ResourceRecord[]): ResourceRecord[] {
    const out = new Map<string, ResourceRecord>();
    for (const id of linkedIds(rec, name)) {
      const r = this.state.records.get(name, id);
      if (r !== undefined) out.set(id, r);
    }
    for (const r of more) if (!out.has(r.id)) out.set(r.id, r);
    return [...out.values()];
  }

  // ------------------------------------------------------------------------------------------
  // Specs

  reportSpec(report: ResourceRecord, requested: QueryParameters | undefined): QuerySpec {
    const dashboard = this.dashboardOfReport(report);
    const { sql, datasourceId } = querySource(this.state, report, 'report');
    const parameters = effectiveParameters(requested, dashboard);
    const canon = canonicalParameters(parameters);
    return {
      kind: 'report',
      record: report,
      datasourceId,
      sql,
      parameters,
      key: `report:${report.id}|${canon}`,
      dataKey: `reports/${report.id}/${shortHash(canon)}`,
      refreshMs: refreshMinutes(report.attributes['data_refresh_rate'], dashboard?.attributes['data_refresh_rate']) * MINUTE,
      anchor: anchorOf(report.attributes['data_refresh_anchor_time'], dashboard?.attributes['data_refresh_anchor_time']),
    };
  }

  /** A SQL drop-down's query. Dynamic ones need the dashboard they are used on (its defaults apply). */
  filterSpec(filter: ResourceRecord, dashboardId: string | undefined, requested: QueryParameters | undefined): QuerySpec {
    const kind = filterKind(filter);
    if (!isSqlFilter(kind)) throw new SpecError(`filter ${filter.id} is not a SQL drop-down filter`);
    const datasourceId = datasourceOf(this.state, filter, 'filter');
    const dashboard = dashboardId === undefined ? undefined : this.dashboard(dashboardId);
    let parameters: QueryParameters = {};
    let keyPart = 'static';
    if (kind === 'dynamic_sql') {
      if (dashboardId === undefined) throw unprocessable(`filter ${filter.id} is a dynamic SQL drop-down: dashboard_id and parameters are required`);
      if (dashboard === undefined) throw unprocessable(`dashboard ${dashboardId} not found`);
      parameters = effectiveParameters(requested, dashboard);
      keyPart = `${dashboardId}|${canonicalParameters(parameters)}`;
    }
    return {
      kind: 'filter',
      record: filter,
      datasourceId,
      sql: String(filter.attributes['sql_query']),
      parameters,
      key: `filter:${filter.id}|${keyPart}`,
      dataKey: `filters/${filter.id}/${shortHash(keyPart)}`,
      refreshMs: refreshMinutes(filter.attributes['data_refresh_rate'], dashboard?.attributes['data_refresh_rate']) * MINUTE,
      anchor: anchorOf(dashboard?.attributes['data_refresh_anchor_time']),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Entries and executions

  entry(spec: QuerySpec): CacheEntry {
    let e = this.entries.get(spec.key);
    if (e === undefined) this.entries.set(spec.key, (e = { spec, latest: null, lastSuccess: null }));
    else e.spec = spec; // the SQL or refresh rate may have changed
    return e;
  }

  peek(spec: QuerySpec): CacheEntry | undefined {
    return this.entries.get(spec.key);
  }

  /** The entry, or an empty one that is not stored (status polls for parameters never run stay cheap). */
  view(spec: QuerySpec): CacheEntry {
    return this.entries.get(spec.key) ?? { spec, latest: null, lastSuccess: null };
  }

  latest(e: CacheEntry): ExecutionRecord | undefined {
    return e.latest === null ? undefined : this.state.executions.get(e.latest);
  }

  /** The latest successful result whose rows are still stored. */
  success(e: CacheEntry): ExecutionRecord | undefined {
    const ex = e.lastSuccess === null ? undefined : this.state.executions.get(e.lastSuccess);
    return ex !== undefined && ex.status === 'success' && ex.store !== null ? ex : undefined;
  }

  running(e: CacheEntry): ExecutionRecord | undefined {
    const ex = this.latest(e);
    return ex !== undefined && !TERMINAL.has(ex.status) ? ex : undefined;
  }

  /** Is a finished result (success or error) of this age still current? */
  private current(completedAt: string | null, spec: QuerySpec, now = Date.now()): boolean {
    if (completedAt === null) return false;
    const t = Date.parse(completedAt);
    if (now - t >= spec.refreshMs) return false;
    if (spec.anchor !== null) {
      const [h, m] = spec.anchor.split(':').map(Number);
      const d = new Date(now);
      const anchor = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h ?? 0, m ?? 0);
      if (anchor <= now && t < anchor) return false;
    }
    return true;
  }

  /** Needs a new query: nothing ran, the last finished run is out of date, or it was cancelled without current data. */
  stale(e: CacheEntry): boolean {
    if (this.running(e) !== undefined) return false;
    const latest = this.latest(e);
    const ok = this.success(e);
    if (latest === undefined) return ok === undefined || !this.current(ok.completedAt, e.spec);
    if (latest.status === 'success') return ok === undefined || !this.current(ok.completedAt, e.spec);
    if (latest.status === 'cancelled') return ok === undefined || !this.current(ok.completedAt, e.spec);
    return !this.current(latest.completedAt, e.spec);
  }

  /** Cancel a running query for the same key, then start a new one. */
  start(spec: QuerySpec, onDone?: (ex: ExecutionRecord) => void): ExecutionRecord {
    const e = this.entry(spec);
    const running = this.running(e);
    if (running !== undefined) this.runner.cancel(running);
    const ex = this.runner.create(spec.datasourceId, spec.sql, null, spec.parameters, {
      type: spec.kind === 'filter' ? 'sql_filter' : 'sql_query',
      onFinish: (done) => {
        this.finished(e, done);
        onDone?.(done);
      },
    });
    e.latest = ex.id;
    return ex;
  }

  /** Start a query when the cached one is stale; returns the entry either way. */
  ensure(spec: QuerySpec): CacheEntry {
    const e = this.entry(spec);
    if (this.stale(e)) this.start(spec);
    return e;
  }

  private finished(e: CacheEntry, ex: ExecutionRecord): void {
    // The stored record may have been replaced by an update since the query started.
    const rec = this.state.records.get(e.spec.record.type, e.spec.record.id) ?? e.spec.record;
    const attrs = rec.attributes;
    if (ex.status === 'success' && ex.store !== null) {
      e.lastSuccess = ex.id;
      this.state.bindKey(e.spec.dataKey, { kind: 'result', executionId: ex.id });
      if (e.spec.kind === 'report') attrs['query_error'] = null;
      else {
        attrs['last_query_success'] = ex.completedAt;
        attrs['last_query_error_message'] = null;
      }
    } else if (ex.status !== 'cancelled') {
      const message = ex.queryError ?? ex.status;
      if (e.spec.kind === 'report') attrs['query_error'] = message;
      else attrs['last_query_error_message'] = message;
    }
  }

  /** The data key status of the dashboard status response. A token is issued only with success. */
  keyStatus(e: CacheEntry): KeyStatus {
    const latest = this.latest(e);
    const ok = this.success(e);
    const running = latest !== undefined && !TERMINAL.has(latest.status);
    const showSuccess = ok !== undefined && (latest === undefined || running || latest.status === 'success' || latest.status === 'cancelled');
    const out: KeyStatus = { result_status: showSuccess ? 'success' : (latest?.status ?? 'no-data'), running };
    if (showSuccess) {
      out.data_timestamp = dataTimestamp(ok);
      out.data_current = this.current(ok.completedAt, e.spec);
      this.state.bindKey(e.spec.dataKey, { kind: 'result', executionId: ok.id });
      out.data_access_token = this.state.tokenFor(e.spec.dataKey);
    }
    if (latest !== undefined) {
      out.execution_id = latest.id;
      out.execution_status = latest.status;
    }
    return out;
  }

  /** Resolves when the execution reaches a terminal status. */
  async whenDone(ex: ExecutionRecord, signal?: AbortSignal): Promise<ExecutionRecord> {
    while (!TERMINAL.has(ex.status)) {
      if (signal?.aborted === true) throw new Error('aborted');
      await sleep(40);
    }
    return ex;
  }
}

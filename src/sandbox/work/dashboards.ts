/**
 * Dashboard status and refresh, report refresh and data: the report and SQL-filter query cache
 * (queries.ts) as Poll Dashboard Status, Refresh Dashboard, Refresh Report and Get Report Data see it.
 */
import { isoNow } from '../http.js';
import type { QueryParameters } from '../parameters.js';
import type { ResourceRecord } from '../org/store.js';
import type { CsvFormat, ExecutionRecord, SandboxState } from '../state.js';
import { SpecError, WorkQueries, filterKind, isSqlFilter, type KeyStatus, type QuerySpec } from './queries.js';

/** A spec, or null when the report or filter cannot run (shown as an error, or skipped). */
function specOf(make: () => QuerySpec, onError: (e: SpecError) => void = () => undefined): QuerySpec | null {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    onError(err);
    return null;
  }
}

/** Poll Dashboard Status: per report and filter its data key or error, and each data key's status; with `refresh`, stale queries start. */
export function dashboardStatus(queries: WorkQueries, dash: ResourceRecord, parameters: QueryParameters | undefined, refresh: boolean): Record<string, unknown> {
  const now = isoNow();
  const reports: Record<string, unknown> = {};
  const filters: Record<string, unknown> = {};
  const dataKeys: Record<string, KeyStatus> = {};
  const dashReports = queries.reportsOf(dash);
  for (const r of dashReports) {
    const spec = specOf(() => queries.reportSpec(r, parameters), (err) => (reports[r.id] = { error_message: err.message, updated_at: now }));
    if (spec === null) continue;
    const e = refresh ? queries.ensure(spec) : queries.view(spec);
    reports[r.id] = { data_key: spec.dataKey, updated_at: queries.latest(e)?.updatedAt ?? String(r.attributes['updated_at'] ?? now) };
    dataKeys[spec.dataKey] = queries.keyStatus(e);
  }
  for (const f of queries.filtersOf(dash, dashReports)) {
    const updated = String(f.attributes['updated_at'] ?? now);
    const kind = filterKind(f);
    if (!isSqlFilter(kind)) {
      filters[f.id] = { updated_at: updated };
      continue;
    }
    const spec = specOf(() => queries.filterSpec(f, dash.id, parameters), (err) => (filters[f.id] = { error_message: err.message, updated_at: now }));
    if (spec === null) continue;
    const e = refresh ? queries.ensure(spec) : queries.view(spec);
    if (kind === 'dynamic_sql') {
      filters[f.id] = { data_key: spec.dataKey, updated_at: queries.latest(e)?.updatedAt ?? updated };
      dataKeys[spec.dataKey] = queries.keyStatus(e);
    } else {
      filters[f.id] = { updated_at: queries.latest(e)?.updatedAt ?? updated };
    }
  }
  const running = Object.values(dataKeys).some((k) => k.running);
  return { reports, filters, data_keys: dataKeys, updated_at: now, status_check_delay: running ? 1 : 60 };
}

/** Refresh Dashboard: every report's and SQL filter's query starts again (those that cannot run show their error in the status). */
export function refreshDashboard(queries: WorkQueries, dash: ResourceRecord, parameters: QueryParameters | undefined): void {
  const dashReports = queries.reportsOf(dash);
  for (const r of dashReports) {
    const spec = specOf(() => queries.reportSpec(r, parameters));
    if (spec !== null) queries.start(spec);
  }
  for (const f of queries.filtersOf(dash, dashReports)) {
    if (!isSqlFilter(filterKind(f))) continue;
    const spec = specOf(() => queries.filterSpec(f, dash.id, parameters));
    if (spec !== null) queries.start(spec);
  }
}

/** Refresh Report: its query starts (again); a report that cannot run is a 422. */
export function refreshReport(queries: WorkQueries, report: ResourceRecord, parameters: QueryParameters | undefined): ExecutionRecord {
  return queries.start(WorkQueries.orUnprocessable(() => queries.reportSpec(report, parameters)));
}

/** Get Report Data: a data key and token for the latest result for these parameters (JSON, or CSV in `csv`), or null when there is none. */
export function reportData(
  state: SandboxState,
  queries: WorkQueries,
  report: ResourceRecord,
  parameters: QueryParameters | undefined,
  csv: CsvFormat | undefined,
): { data_key: string; data_access_token: string } | null {
  const spec = specOf(() => queries.reportSpec(report, parameters));
  const e = spec === null ? undefined : queries.peek(spec);
  const ok = e === undefined ? undefined : queries.success(e);
  if (ok === undefined) return null;
  return state.grant(csv !== undefined ? { kind: 'result', executionId: ok.id, csv } : { kind: 'result', executionId: ok.id }, `reports/${report.id}/data`);
}

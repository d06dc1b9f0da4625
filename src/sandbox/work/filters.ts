/**
 * Drop-down filter options (Get / Refresh Drop-Down Filter Options): manual filters answer from
 * their `values` / `value_names`; SQL filters from the last successful run of their query
 * (1st column value, 2nd optional name, 3rd the parent value for static filters with a parent).
 */
import { unprocessable } from '../http.js';
import type { QueryParameters } from '../parameters.js';
import { linkedIds, type ResourceRecord } from '../org/store.js';
import { dataTimestamp, type ExecutionRecord, type SandboxState } from '../state.js';
import { WorkQueries, filterKind, type QuerySpec } from './queries.js';
import { firstRows } from './rows.js';

/** At most this many options are read from a filter's result. */
const MAX_OPTIONS = 10_000;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function specOf(queries: WorkQueries, filter: ResourceRecord, dashboardId: string | undefined, parameters: QueryParameters | undefined): QuerySpec {
  return WorkQueries.orUnprocessable(() => queries.filterSpec(filter, dashboardId, parameters));
}

const notDropDown = (filter: ResourceRecord): Error =>
  unprocessable(`filter ${filter.id} is not a drop-down filter (control_type ${String(filter.attributes['control_type'])})`);

export async function filterOptions(
  state: SandboxState,
  queries: WorkQueries,
  filter: ResourceRecord,
  dashboardId: string | undefined,
  parameters: QueryParameters | undefined,
): Promise<Record<string, unknown>> {
  const kind = filterKind(filter);
  if (kind === 'other') throw notDropDown(filter);
  if (kind === 'manual') {
    const values = Array.isArray(filter.attributes['values']) ? (filter.attributes['values'] as unknown[]).map(str) : [];
    const names = Array.isArray(filter.attributes['value_names']) ? (filter.attributes['value_names'] as unknown[]) : [];
    return { options: { values, value_names: values.map((v, i) => (names[i] === undefined || names[i] === null ? v : str(names[i]))) } };
  }
  const spec = specOf(queries, filter, dashboardId, parameters);
  const entry = queries.peek(spec);
  const ok = entry === undefined ? undefined : queries.success(entry);
  if (ok === undefined) return { options: { values: [], value_names: [] } };
  const rows = await firstRows(state, ok, MAX_OPTIONS);
  const values: string[] = [];
  const names: string[] = [];
  const parents: string[] = [];
  const withParent = kind === 'static_sql' && linkedIds(filter, 'parent_filter').length > 0;
  for (const row of rows) {
    if (row[0] === null || row[0] === undefined) continue;
    values.push(str(row[0]));
    names.push(row.length > 1 && row[1] !== null && row[1] !== undefined ? str(row[1]) : str(row[0]));
    if (withParent) parents.push(row.length > 2 && row[2] !== null ? str(row[2]) : '');
  }
  const options: Record<string, unknown> = { values, value_names: names };
  if (withParent) options['parent_values'] = parents;
  return { data_timestamp: dataTimestamp(ok), options };
}

/** Run a SQL filter's query (cancelling a running one for the same key); null for manual filters. */
export function refreshFilter(
  queries: WorkQueries,
  filter: ResourceRecord,
  dashboardId: string | undefined,
  parameters: QueryParameters | undefined,
): ExecutionRecord | null {
  const kind = filterKind(filter);
  if (kind === 'manual') return null;
  if (kind === 'other') throw notDropDown(filter);
  return queries.start(specOf(queries, filter, dashboardId, parameters));
}

/**
 * Input parameters of dashboard/report/filter work: the dashboard's defaults merged under the
 * request's values, the dashboard's fixed time zone, and a canonical form used as cache key
 * (same meaning → same key: filter order, value order and empty selections do not matter).
 */
import { createHash } from 'node:crypto';
import { parseInputParameters, type QueryParameters } from '../parameters.js';
import type { ResourceRecord } from '../org/store.js';

/** The dashboard's fixed time zone, if it has one (time_zone_config {type: fixed, fixed_time_zone}). */
function fixedTimeZone(dashboard: ResourceRecord | undefined): string | undefined {
  const tz = dashboard?.attributes['time_zone_config'] ?? dashboard?.attributes['time_zone'];
  if (typeof tz === 'string' && tz !== '') return tz;
  if (tz !== null && typeof tz === 'object') {
    const t = tz as Record<string, unknown>;
    if (t['type'] === 'fixed' && typeof t['fixed_time_zone'] === 'string') return t['fixed_time_zone'];
  }
  return undefined;
}

/**
 * The parameters a query of this dashboard runs with: request values over the dashboard's
 * default_parameters (filters merged by variable_name), tz defaulting to a fixed dashboard zone.
 */
export function effectiveParameters(requested: QueryParameters | undefined, dashboard: ResourceRecord | undefined): QueryParameters {
  let defaults: QueryParameters | undefined;
  try {
    defaults = parseInputParameters(dashboard?.attributes['default_parameters']);
  } catch {
    defaults = undefined; // malformed stored defaults are ignored
  }
  const out: QueryParameters = { ...(defaults ?? {}), ...(requested ?? {}) };
  if (defaults?.filters !== undefined || requested?.filters !== undefined) {
    const byVar = new Map<string, NonNullable<QueryParameters['filters']>[number]>();
    for (const f of defaults?.filters ?? []) byVar.set(f.variable_name, f);
    for (const f of requested?.filters ?? []) byVar.set(f.variable_name, f);
    out.filters = [...byVar.values()];
  }
  const fixed = fixedTimeZone(dashboard);
  if (out.tz === undefined && fixed !== undefined) out.tz = fixed;
  return out;
}

/** Canonical JSON of parameters: sorted filters and values, empty selections dropped. */
export function canonicalParameters(p: QueryParameters | undefined): string {
  const filters = (p?.filters ?? [])
    .filter((f) => Array.isArray(f.selected_values) && f.selected_values.length > 0)
    .map((f) => ({
      v: f.variable_name,
      s: [...(f.selected_values ?? [])].map((x) => JSON.stringify(x)).sort(),
    }))
    .sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  return JSON.stringify({
    t: p?.timerange ?? null,
    a: p?.aggregation ?? null,
    z: p?.tz ?? null,
    f: filters,
  });
}

/** A short stable hash (for data keys) of a canonical form. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

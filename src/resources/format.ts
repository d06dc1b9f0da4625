import type { Flat } from '../cluvio/jsonapi.js';
import type { SchemaInfo } from '../cluvio/schema-data.js';
import { FULL_SCHEMA_CHARS, schemasText } from '../results/schema-text.js';
import type { DashboardDetail } from './reader.js';

/** Text builders for resources and prompts: compact, for a model to read; pure, so unit-testable. */

/** Hard cap on one resource's text. */
export const MAX_RESOURCE_CHARS = 100_000;

export const uris = {
  datasources: 'cluvio://datasources',
  datasourceSchema: (id: string) => `cluvio://datasources/${encodeURIComponent(id)}/schema`,
  schema: (id: string, schema: string) => `cluvio://datasources/${encodeURIComponent(id)}/schemas/${encodeURIComponent(schema)}`,
  dashboards: 'cluvio://dashboards',
  dashboard: (id: string) => `cluvio://dashboards/${encodeURIComponent(id)}`,
  search: (query: string) => `cluvio://search/${encodeURIComponent(query)}`,
};

/** Cuts `text` to `max` characters (at a line end when one is near) and says so, with where to get the rest. */
export function cap(text: string, max = MAX_RESOURCE_CHARS, hint = ''): string {
  if (text.length <= max) return text;
  const note = `\n\n[Cut: showing ${max.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters.${hint ? ` ${hint}` : ''}]`;
  const room = Math.max(0, max - note.length);
  let cut = text.slice(0, room);
  const nl = cut.lastIndexOf('\n');
  if (nl > room * 0.8) cut = cut.slice(0, nl);
  return cut + note;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function datasourcesText(list: readonly Flat[]): string {
  if (list.length === 0) return 'No datasources are accessible to this API key.';
  const lines = list.map((d) => {
    const parts = [str(d.id), str(d.name), str(d.database_type) || 'unknown type', d.default_schema_name ? `default schema ${str(d.default_schema_name)}` : 'no default schema'];
    if (d.enabled === false) parts.push('disabled');
    return `- ${parts.join(' | ')}`;
  });
  return [`${list.length} datasources (id | name | type | default schema). Tables and columns: cluvio://datasources/{id}/schema`, ...lines].join('\n');
}

/** Every schema of a datasource; a summary (tables with column counts) when the full text is too long. */
export function datasourceSchemaText(ds: Flat | undefined, datasourceId: string, schemas: readonly SchemaInfo[], limit = FULL_SCHEMA_CHARS): string {
  const head = ds
    ? `Datasource ${datasourceId} "${str(ds.name)}" (${str(ds.database_type) || 'unknown type'})${ds.default_schema_name ? `, default schema ${str(ds.default_schema_name)}` : ''}.`
    : `Datasource ${datasourceId}.`;
  if (schemas.length === 0) return `${head}\nNo schema data yet: run refresh_datasource, then read this resource again.`;
  const { text, full } = schemasText(schemas, { limit, more: (s) => ` — columns: ${uris.schema(datasourceId, s.name)}` });
  return full
    ? `${head} Tables as name(column type, …):\n\n${text}`
    : `${head} Large schema: tables with column counts; read a schema's resource for its columns.\n\n${text}`;
}

export function dashboardsText(dashboards: readonly Flat[], groups: readonly Flat[]): string {
  if (dashboards.length === 0) return 'No dashboards are accessible to this API key.';
  const groupNames = new Map<string, string[]>();
  for (const g of groups) {
    for (const id of (g.dashboard_ids as unknown[] | undefined) ?? []) {
      const names = groupNames.get(String(id)) ?? [];
      names.push(str(g.name));
      groupNames.set(String(id), names);
    }
  }
  const lines = dashboards.map((d) => {
    const reports = Array.isArray(d.report_ids) ? `${d.report_ids.length} report${d.report_ids.length === 1 ? '' : 's'}` : 'reports: ?';
    const inGroups = groupNames.get(str(d.id))?.join(', ') || '(no group)';
    return `- ${str(d.id)} | ${str(d.name)} | ${inGroups} | ${reports}`;
  });
  return [`${dashboards.length} dashboards (id | name | group | reports). Reports, SQL and filters: cluvio://dashboards/{id}`, ...lines].join('\n');
}

function timeZoneText(cfg: unknown): string {
  const c = (cfg ?? {}) as { type?: string; fixed_time_zone?: string; allowed_time_zones?: string[] };
  switch (c.type) {
    case 'fixed':
      return `fixed, ${c.fixed_time_zone ?? '?'} (queries run in this zone)`;
    case 'organization':
      return "the organisation's time zone";
    case 'input':
      return `chosen by the viewer (tz input)${c.allowed_time_zones?.length ? ` from ${c.allowed_time_zones.join(', ')}` : ''}`;
    case 'disabled':
    case undefined:
      return 'not set (the datasource time zone applies)';
    default:
      return String(c.type);
  }
}

/** "<unix>~<unix>" → "… (2026-08-01 … 2026-10-31 UTC)". */
function timerangeText(tr: unknown): string {
  const m = /^(\d*)~(\d*)$/.exec(String(tr));
  if (!m) return String(tr);
  const day = (s: string) => (s ? new Date(Number(s) * 1000).toISOString().slice(0, 10) : '…');
  return `${String(tr)} (${day(m[1]!)} to ${day(m[2]!)} UTC)`;
}

function parametersText(p: unknown): string {
  if (!p || typeof p !== 'object') return 'none';
  const q = p as { timerange?: unknown; aggregation?: unknown; tz?: unknown; filters?: Array<{ variable_name?: unknown; selected_values?: unknown }> };
  const parts: string[] = [];
  if (q.timerange !== undefined) parts.push(`timerange ${timerangeText(q.timerange)}`);
  if (q.aggregation !== undefined) parts.push(`aggregation ${str(q.aggregation)}`);
  if (q.tz !== undefined) parts.push(`tz ${str(q.tz)}`);
  for (const f of q.filters ?? []) parts.push(`${str(f.variable_name)} = ${JSON.stringify(f.selected_values)}`);
  return parts.join('; ') || 'none';
}

function visualisation(report: Flat): string {
  const cfg = report.chart_configuration as { type?: unknown } | null | undefined;
  return cfg && typeof cfg === 'object' && cfg.type ? String(cfg.type) : 'not set';
}

/** What a model needs to understand a dashboard: settings, filters (with options where known), reports with SQL. */
export function dashboardText(detail: DashboardDetail): string {
  const d = detail.dashboard;
  const out: string[] = [`# ${str(d.name)} (dashboard ${str(d.id)})`];
  if (d.description) out.push(str(d.description));
  const rate = typeof d.data_refresh_rate === 'number' ? `results older than ${d.data_refresh_rate} min are refreshed` : 'refresh rate not set';
  out.push(
    '',
    `- Data refresh: ${rate}${d.data_refresh_anchor_time ? `; daily anchor ${str(d.data_refresh_anchor_time)}` : ''}; automatic update ${d.automatic_update_enabled === false ? 'off' : 'on'}${d.prewarm ? '; prewarmed' : ''}.`,
    `- Time zone: ${timeZoneText(d.time_zone_config)}.`,
    `- Default filter inputs: ${parametersText(d.default_parameters)}.`,
  );
  const fc = (d.filters_configuration ?? {}) as { aggregation_options?: string[]; hidden_parameters?: string[] };
  if (fc.aggregation_options?.length) out.push(`- Aggregations offered: ${fc.aggregation_options.join(', ')}.`);
  if (fc.hidden_parameters?.length) out.push(`- Hidden filters: ${fc.hidden_parameters.join(', ')}.`);
  if (d.is_locked) out.push('- Locked: unlock_dashboard before changing it.');

  out.push('', `## Filters (${detail.filters.length})`, 'Built-in inputs always available: timerange, aggregation, tz. Pass values as parameters.filters[{variable_name, selected_values}].');
  for (const f of detail.filters) {
    const bits = [`- ${str(f.variable_name)}: "${str(f.display_name || f.variable_name)}", ${str(f.control_type)}, ${str(f.value_type)}`];
    if (f.required) bits.push('required');
    if (Array.isArray(f.default_values) && f.default_values.length) bits.push(`default ${JSON.stringify(f.default_values)}`);
    const opts = detail.options.get(str(f.id));
    if (opts) {
      const shown = opts.values.map((o) => (o.name !== undefined && o.name !== null && o.name !== o.value ? `${JSON.stringify(o.value)} (${str(o.name)})` : JSON.stringify(o.value)));
      bits.push(`options${opts.total > shown.length ? ` (${shown.length} of ${opts.total})` : ''}: ${shown.join(', ')}`);
    } else if (f.sql_query) bits.push(`options from SQL: ${str(f.sql_query).replace(/\s+/g, ' ')}`);
    out.push(bits.join('; '));
  }

  const reports = [...detail.reports].sort((a, b) => Number(a.row ?? 0) - Number(b.row ?? 0) || Number(a.column ?? 0) - Number(b.column ?? 0));
  out.push('', `## Reports (${reports.length})`);
  for (const r of reports) {
    out.push('', `### ${str(r.name)} (report ${str(r.id)})`);
    const meta = [`visualisation: ${visualisation(r)}`, `datasource ${str(r.datasource_id) || '?'}`];
    if (typeof r.data_refresh_rate === 'number') meta.push(`refresh rate ${r.data_refresh_rate} min`);
    if (r.query_error) meta.push(`last error: ${str(r.query_error)}`);
    out.push(meta.join('; '));
    if (r.description) out.push(str(r.description));
    if (r.sql_query) out.push('```sql', str(r.sql_query), '```');
    else if (r.r_query_enabled) out.push('(R report)');
  }
  return out.join('\n');
}

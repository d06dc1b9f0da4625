/**
 * Dashboards, their reports, dashboard groups and schedules: their specs (transcribed from the
 * reference) and how they relate — a dashboard's reports in layout order, the filters its SQL uses,
 * its lock, the next free row.
 */
import { unprocessable } from '../../http.js';
import { STORED_INPUT_PARAMETERS, AGGREGATIONS } from '../../parameters.js';
import type { SandboxState } from '../../state.js';
import { FORMATS, arr, bool, commaListOf, int, num, obj, str } from '../../validate.js';
import { ro, rw, timestamps, type ResourceSpec } from '../crud.js';
import { linkages, linksTo, ref, refs, type Linkage, type ResourceRecord } from '../store.js';
import { apiKeyUser } from './users.js';

const COLOR_SCHEMES = ['scheme_1', 'scheme_2', 'scheme_3', 'scheme_4', 'scheme_5', 'scheme_6', 'scheme_7', 'scheme_8'] as const;
const TIME_ZONE_TYPES = ['disabled', 'organization', 'fixed', 'input'] as const;
const ATTACHMENTS = ['excel', 'csv', 'png', 'dark_png', 'inline_png', 'dark_inline_png', 'pdf', 'dark_pdf'] as const;

const LAYOUT_HINT = 'change it with Update Dashboard Layout (PUT /dashboards/{id}/layout)';

const pos = (r: ResourceRecord, k: string): number => (typeof r.attributes[k] === 'number' ? (r.attributes[k] as number) : 0);

/** Reports in layout order: by row, then column. */
export const byLayout = (a: ResourceRecord, b: ResourceRecord): number => pos(a, 'row') - pos(b, 'row') || pos(a, 'column') - pos(b, 'column');

/** A dashboard's reports (those whose `dashboard` is it), in layout order. */
export function reportsOf(state: SandboxState, dashboardId: string): ResourceRecord[] {
  return state.records
    .list('reports')
    .filter((r) => linksTo(r, 'dashboard', dashboardId))
    .sort(byLayout);
}

/** Variable names used in `{expr=variable}` conditions of SQL (built-ins excluded). */
function filterVariables(sql: unknown): Set<string> {
  const out = new Set<string>();
  if (typeof sql !== 'string') return out;
  for (const m of sql.matchAll(/\{[^{}]*?=\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_]+)?\s*\}/g)) {
    const v = m[1] as string;
    if (v !== 'timerange' && v !== 'aggregation') out.add(v);
  }
  return out;
}

/** The filters whose variable the reports' SQL uses. */
export function filtersUsedBy(state: SandboxState, reports: readonly ResourceRecord[]): ResourceRecord[] {
  const vars = new Set<string>();
  for (const r of reports) for (const v of filterVariables(r.attributes['sql_query'])) vars.add(v);
  return state.records.list('filters').filter((f) => vars.has(f.attributes['variable_name'] as string));
}

/** The filters a dashboard shows: those whose variable its reports' SQL uses. */
export const filtersOf = (state: SandboxState, dashboardId: string): ResourceRecord[] => filtersUsedBy(state, reportsOf(state, dashboardId));

function isLocked(state: SandboxState, dashboardId: string | undefined): boolean {
  if (dashboardId === undefined) return false;
  return state.records.get('dashboards', dashboardId)?.attributes['is_locked'] === true;
}

/** A 422 unless the dashboard can be edited. */
export function assertUnlocked(state: SandboxState, dashboardId: string | undefined): void {
  if (isLocked(state, dashboardId)) throw unprocessable(`dashboard ${dashboardId} is locked and cannot be edited: unlock it first (POST /dashboards/${dashboardId}/unlock)`);
}

/** The next free row below a dashboard's reports. */
export function nextRow(state: SandboxState, dashboardId: string, except?: string): number {
  let row = 1;
  for (const r of reportsOf(state, dashboardId)) if (r.id !== except) row = Math.max(row, pos(r, 'row') + Math.max(pos(r, 'height'), 1));
  return row;
}

export const dashboardSpec: ResourceSpec = {
  type: 'dashboards',
  what: 'dashboard',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    time_zone_config: rw(
      obj({
        type: str({ enum: TIME_ZONE_TYPES }),
        fixed_time_zone: str({ format: FORMATS.timeZone }),
        allowed_time_zones: arr(str({ format: FORMATS.timeZone })),
      }),
      { default: { type: 'disabled' } },
    ),
    automatic_update_enabled: rw(bool, { default: true }),
    thumbnail_enabled: rw(bool, { default: true }),
    thumbnail_image_url: ro(),
    thumbnail_created_at: ro(),
    prewarm: rw(bool, { default: false }),
    published: ro({ derive: (state, rec) => state.records.list('user_groups').some((g) => linksTo(g, 'dashboards', rec.id)) }),
    data_refresh_rate: rw(num({ min: 1 }), { default: 1440 }),
    data_refresh_anchor_time: rw(str({ format: FORMATS.time })),
    is_locked: rw(bool, { default: false }),
    default_parameters: rw(STORED_INPUT_PARAMETERS, { access: 'update' }),
    default_page_width: rw(int({ min: 1 }), { default: 1600 }),
    layout: ro({
      readOnlyHint: LAYOUT_HINT,
      derive: (state, rec) =>
        reportsOf(state, rec.id).map((r) => ({
          type: 'report',
          id: r.id,
          row: r.attributes['row'],
          column: r.attributes['column'],
          width: r.attributes['width'],
          height: r.attributes['height'],
        })),
    }),
    floating_enabled: ro({ default: false, readOnlyHint: LAYOUT_HINT }),
    color_scheme: rw(str({ enum: COLOR_SCHEMES }), { default: 'scheme_6' }),
    filters_configuration: rw(
      obj({
        apply_immediately: bool,
        aggregation_options: arr(str({ enum: AGGREGATIONS })),
        filter_sorting: arr(str()),
        hidden_parameters: arr(str()),
      }),
      { default: {} },
    ),
    ...timestamps,
  },
  relationships: {
    reports: { target: 'reports', many: true, derive: (state, rec) => refs('reports', reportsOf(state, rec.id)) },
    filters: { target: 'filters', many: true, derive: (state, rec) => refs('filters', filtersOf(state, rec.id)) },
    sql_snippets: {
      target: 'sql_snippets',
      many: true,
      derive: (state, rec) => {
        const ids = new Set<string>();
        for (const f of filtersOf(state, rec.id)) for (const l of linkages(f.relationships['sql_snippets'])) ids.add(l.id);
        return [...ids].filter((id) => state.records.get('sql_snippets', id)).map((id) => ref('sql_snippets', id));
      },
    },
    dashboard_groups: {
      target: 'dashboard_groups',
      many: true,
      derive: (state, rec) => refs('dashboard_groups', orderedGroups(state).filter((g) => linksTo(g, 'dashboards', rec.id))),
    },
    dashboard_sharing_links: { target: 'dashboard_sharing_links', many: true, derive: () => [] },
    user: { target: 'users', many: false, readOnly: true },
    user_groups: {
      target: 'user_groups',
      many: true,
      derive: (state, rec) => refs('user_groups', state.records.list('user_groups').filter((g) => linksTo(g, 'dashboards', rec.id))),
    },
  },
  include: ['reports', 'filters', 'sql_snippets', 'dashboard_groups', 'dashboard_sharing_links', 'user', 'user_groups'],
  check: ({ state, rec, before, given }) => {
    if (before?.attributes['is_locked'] === true) {
      const changes = Object.keys(given.attributes).filter((k) => k !== 'is_locked');
      if (changes.length > 0 || given.attributes['is_locked'] !== false) assertUnlocked(state, rec.id);
    }
    const tz = rec.attributes['time_zone_config'] as { type?: string; fixed_time_zone?: string } | null;
    if (tz && tz.type === 'fixed' && !tz.fixed_time_zone) throw unprocessable('attribute "time_zone_config.fixed_time_zone" is required when type is "fixed"');
  },
  beforeWrite: ({ state, rec, before }) => {
    const tz = rec.attributes['time_zone_config'] as Record<string, unknown> | null;
    if (tz && tz['type'] === undefined) tz['type'] = 'disabled';
    if (rec.attributes['time_zone_config'] === null) rec.attributes['time_zone_config'] = { type: 'disabled' };
    if (rec.attributes['filters_configuration'] === null) rec.attributes['filters_configuration'] = {};
    const owner = apiKeyUser(state);
    if (before === undefined && owner !== null) rec.relationships['user'] = owner;
  },
};

export const reportSpec: ResourceSpec = {
  type: 'reports',
  what: 'report',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    sql_query: rw(str()),
    r_query: rw(str()),
    r_query_enabled: rw(bool, { default: false }),
    data_refresh_rate: rw(int({ min: 1 })),
    data_refresh_anchor_time: rw(str({ format: FORMATS.time })),
    chart_configuration: ro({ default: () => ({}) }),
    download_actions_enabled: rw(bool, { default: true }),
    data_download_enabled: rw(bool, { default: true }),
    maximize_action_enabled: rw(bool, { default: true }),
    refresh_enabled: rw(bool, { default: true }),
    // Typed `any` in the reference, with a flag's default and description.
    unused_filters_warning_enabled: rw({ kind: 'any' }, { default: false }),
    unlimited_csv_export_enabled: rw(bool, { default: false }),
    default_page_width: rw(int({ min: 1 }), { default: 800 }),
    default_page_height: rw(int({ min: 1 }), { default: 600 }),
    display_name_as_title: rw(bool, { default: true }),
    attribution: rw(str()),
    no_data_message: rw(str()),
    query_error: ro(),
    ...timestamps,
    row: ro({ readOnlyHint: LAYOUT_HINT }),
    column: ro({ readOnlyHint: LAYOUT_HINT }),
    width: rw(int({ min: 1, max: 12 }), { access: 'create', readOnlyHint: LAYOUT_HINT }),
    height: rw(int({ min: 1 }), { access: 'create', readOnlyHint: LAYOUT_HINT }),
  },
  relationships: {
    dashboard: { target: 'dashboards', many: false, required: true, onTargetDelete: 'cascade' },
    datasource: { target: 'datasources', many: false, required: true },
  },
  include: ['dashboard', 'datasource'],
  beforeWrite: ({ state, rec, before }) => {
    const dash = (rec.relationships['dashboard'] as Linkage).id;
    const was = before ? (before.relationships['dashboard'] as Linkage | null)?.id : undefined;
    assertUnlocked(state, dash);
    if (was !== dash) assertUnlocked(state, was);
    if (before === undefined || was !== dash) {
      // A new report (or one moved to another dashboard) goes below the others, full rows of 12.
      rec.attributes['width'] ??= 6;
      rec.attributes['height'] ??= 4;
      rec.attributes['row'] = nextRow(state, dash, rec.id);
      rec.attributes['column'] = 1;
    }
  },
  deleteBlocker: (state, rec) => {
    const dash = (rec.relationships['dashboard'] as Linkage | null)?.id;
    return isLocked(state, dash) ? `dashboard ${dash} is locked: unlock it first` : null;
  },
};

/** Dashboard groups in display order: explicitly sorted ones first, the rest by name. */
function orderedGroups(state: SandboxState): ResourceRecord[] {
  return state.records.list('dashboard_groups').sort((a, b) => groupOrder(a, b));
}

function groupOrder(a: ResourceRecord, b: ResourceRecord): number {
  const pa = a.attributes['sort_position'];
  const pb = b.attributes['sort_position'];
  if (typeof pa === 'number' && typeof pb === 'number') return pa - pb;
  if (typeof pa === 'number') return -1;
  if (typeof pb === 'number') return 1;
  return String(a.attributes['name']).localeCompare(String(b.attributes['name']));
}

export const dashboardGroupSpec: ResourceSpec = {
  type: 'dashboard_groups',
  what: 'dashboard group',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    ...timestamps,
    sort_position: ro({ hidden: true }),
  },
  relationships: { dashboards: { target: 'dashboards', many: true } },
  include: ['dashboards'],
  order: (_state, a, b) => groupOrder(a, b),
};

export const dashboardScheduleSpec: ResourceSpec = {
  type: 'dashboard_schedules',
  what: 'dashboard schedule',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    emails: rw(str({ format: FORMATS.emails, nonEmpty: true }), { required: true }),
    attach_as: rw(str({ format: commaListOf(ATTACHMENTS) }), { required: true }),
    schedule: rw(str({ format: FORMATS.schedule }), { required: true }),
    cc_emails: rw(str({ format: FORMATS.emails })),
    bcc_emails: rw(str({ format: FORMATS.emails })),
    subject_text: rw(str()),
    body_text: rw(str()),
    send_via: rw(str()),
    page_width: rw(int({ min: 1 })),
    last_sent_at: ro(),
    parameters: rw(STORED_INPUT_PARAMETERS),
    ...timestamps,
  },
  relationships: {
    dashboard: { target: 'dashboards', many: false, onTargetDelete: 'cascade' },
    report: { target: 'reports', many: false, onTargetDelete: 'cascade' },
  },
  include: ['dashboard', 'report'],
  check: ({ rec }) => {
    if (!rec.relationships['dashboard'] && !rec.relationships['report']) {
      throw unprocessable('relationship "dashboard" or "report" is required (one of them; report takes precedence)');
    }
  },
  beforeWrite: ({ state, rec }) => {
    // "If both are given, report takes precedence and dashboard is ignored (inferred)."
    const report = rec.relationships['report'] as Linkage | null;
    if (report) rec.relationships['dashboard'] = state.records.get('reports', report.id)?.relationships['dashboard'] ?? null;
  },
};

/**
 * One declarative spec per JSON:API type of the organisation, transcribed from the reference
 * (cluvio-api-v2024-06-01): attributes in response order with type, enum, default, requiredness
 * and writability; relationships with target, cardinality, owning or derived side; what blocks a
 * delete. The generic engine in spec.ts does the rest.
 */
import { randomBytes } from 'node:crypto';
import { unprocessable } from '../http.js';
import type { Linkage, ResourceRecord } from './store.js';
import { shortId, type SandboxState } from '../state.js';
import {
  FORMATS,
  Registry,
  arr,
  bool,
  commaListOf,
  int,
  linkages,
  num,
  obj,
  ro,
  rw,
  str,
  type Field,
  type ResourceSpec,
  type WriteContext,
} from './crud.js';

export const AGGREGATIONS = ['second', 'minute', 'hour', 'day', 'week', 'week_sunday', 'month', 'quarter', 'year', 'all_time'] as const;
export const COLOR_SCHEMES = ['scheme_1', 'scheme_2', 'scheme_3', 'scheme_4', 'scheme_5', 'scheme_6', 'scheme_7', 'scheme_8'] as const;
export const TIME_ZONE_TYPES = ['disabled', 'organization', 'fixed', 'input'] as const;
export const ATTACHMENTS = ['excel', 'csv', 'png', 'dark_png', 'inline_png', 'dark_inline_png', 'pdf', 'dark_pdf'] as const;
export const CONTROL_TYPES = [
  'input',
  'input_multi',
  'checkbox',
  'checkbox_two_way',
  'date_time',
  'date_time_range',
  'date',
  'date_range',
  'time',
  'time_range',
  'date_time_aggregation',
  'dropdown',
  'dropdown_multi',
  'dropdown_dynamic',
  'dropdown_multi_dynamic',
  'dropdown_manual',
  'dropdown_multi_manual',
] as const;
export const VALUE_TYPES = ['TEXT', 'NUMBER', 'BOOLEAN', 'DATE', 'TIME', 'DATE_TIME'] as const;
export const TRIGGER_CONDITIONS = ['has_results', 'no_results', 'greater_than', 'lower_than', 'equal', 'not_equal'] as const;
const COMPARISONS: readonly string[] = TRIGGER_CONDITIONS.slice(2);
export const RUN_SCHEDULES = ['disabled', 'at', 'every'] as const;
export const EMAIL_CONDITIONS = ['triggered', 'changed', 'all'] as const;

/** The user behind the sandbox's API key: owner of API-created dashboards, inviter of invited users. */
export const API_KEY_USER = 'usr-admin';

/** InputParameters: values for the `{…}` parameter expressions of the SQL. */
export const INPUT_PARAMETERS: Field = obj({
  timerange: str({ format: FORMATS.timerange }),
  aggregation: str({ enum: AGGREGATIONS }),
  tz: str({ format: FORMATS.timeZone }),
  filters: arr(obj({ variable_name: str({ nonEmpty: true }), selected_values: arr({ kind: 'scalar' }) }, ['variable_name'])),
});

const LAYOUT_HINT = 'change it with Update Dashboard Layout (PUT /dashboards/{id}/layout)';
const ref = (type: string, id: string): Linkage => ({ id, type });
const refs = (type: string, recs: ResourceRecord[]): Linkage[] => recs.map((r) => ref(type, r.id));
const linksTo = (rec: ResourceRecord, rel: string, id: string): boolean => linkages(rec.relationships[rel]).some((l) => l.id === id);
const timestamps = { created_at: ro(), updated_at: ro() };

// ---------------------------------------------------------------------------------------------
// Dashboards and reports

export function reportsOf(state: SandboxState, dashboardId: string): ResourceRecord[] {
  return state.records
    .list('reports')
    .filter((r) => linksTo(r, 'dashboard', dashboardId))
    .sort((a, b) => pos(a, 'row') - pos(b, 'row') || pos(a, 'column') - pos(b, 'column'));
}

const pos = (r: ResourceRecord, k: string): number => (typeof r.attributes[k] === 'number' ? (r.attributes[k] as number) : 0);

/** Variable names used in `{expr=variable}` conditions of SQL (built-ins excluded). */
export function filterVariables(sql: unknown): Set<string> {
  const out = new Set<string>();
  if (typeof sql !== 'string') return out;
  for (const m of sql.matchAll(/\{[^{}]*?=\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_]+)?\s*\}/g)) {
    const v = m[1] as string;
    if (v !== 'timerange' && v !== 'aggregation') out.add(v);
  }
  return out;
}

/** The filters a dashboard shows: those whose variable its reports' SQL uses. */
export function filtersOf(state: SandboxState, dashboardId: string): ResourceRecord[] {
  const vars = new Set<string>();
  for (const r of reportsOf(state, dashboardId)) for (const v of filterVariables(r.attributes['sql_query'])) vars.add(v);
  return state.records.list('filters').filter((f) => vars.has(f.attributes['variable_name'] as string));
}

export function isLocked(state: SandboxState, dashboardId: string | undefined): boolean {
  if (dashboardId === undefined) return false;
  return state.records.get('dashboards', dashboardId)?.attributes['is_locked'] === true;
}

const lockedError = (id: string): Error =>
  unprocessable(`dashboard ${id} is locked and cannot be edited: unlock it first (POST /dashboards/${id}/unlock)`);

/** The next free row below a dashboard's reports. */
export function nextRow(state: SandboxState, dashboardId: string, except?: string): number {
  let row = 1;
  for (const r of reportsOf(state, dashboardId)) if (r.id !== except) row = Math.max(row, pos(r, 'row') + Math.max(pos(r, 'height'), 1));
  return row;
}

const dashboardSpec: ResourceSpec = {
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
    default_parameters: rw(INPUT_PARAMETERS, { access: 'update' }),
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
  check: ({ rec, before, given }) => {
    if (before?.attributes['is_locked'] === true) {
      const changes = Object.keys(given.attributes).filter((k) => k !== 'is_locked');
      if (changes.length > 0 || given.attributes['is_locked'] !== false) throw lockedError(rec.id);
    }
    const tz = rec.attributes['time_zone_config'] as { type?: string; fixed_time_zone?: string } | null;
    if (tz && tz.type === 'fixed' && !tz.fixed_time_zone) throw unprocessable('attribute "time_zone_config.fixed_time_zone" is required when type is "fixed"');
  },
  beforeWrite: ({ state, rec, before }) => {
    const tz = rec.attributes['time_zone_config'] as Record<string, unknown> | null;
    if (tz && tz['type'] === undefined) tz['type'] = 'disabled';
    if (rec.attributes['time_zone_config'] === null) rec.attributes['time_zone_config'] = { type: 'disabled' };
    if (rec.attributes['filters_configuration'] === null) rec.attributes['filters_configuration'] = {};
    if (before === undefined && state.records.get('users', API_KEY_USER)) rec.relationships['user'] = ref('users', API_KEY_USER);
  },
};

const reportSpec: ResourceSpec = {
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
    if (isLocked(state, dash)) throw lockedError(dash);
    if (was !== undefined && was !== dash && isLocked(state, was)) throw lockedError(was);
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

// ---------------------------------------------------------------------------------------------
// Dashboard groups and schedules

/** Dashboard groups in display order: explicitly sorted ones first, the rest by name. */
export function orderedGroups(state: SandboxState): ResourceRecord[] {
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

const dashboardGroupSpec: ResourceSpec = {
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

const dashboardScheduleSpec: ResourceSpec = {
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
    parameters: rw(INPUT_PARAMETERS),
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

// ---------------------------------------------------------------------------------------------
// Filters, SQL snippets, SQL alerts

const filterSpec: ResourceSpec = {
  type: 'filters',
  what: 'filter',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    display_name: rw(str()),
    variable_name: rw(str({ nonEmpty: true }), { required: true }),
    control_type: rw(str({ enum: CONTROL_TYPES }), { required: true }),
    value_type: rw(str({ enum: VALUE_TYPES }), { required: true }),
    // Request-only in the reference (manual drop-downs): kept for the options routes, not returned.
    values: rw(arr(str()), { hidden: true }),
    value_names: rw(arr(str()), { hidden: true }),
    sql_query: rw(str()),
    data_refresh_rate: rw(int({ min: 1 })),
    default_values: rw(arr({ kind: 'scalar' })),
    required: rw(bool, { default: false }),
    dropdown_validate: rw(bool, { default: false }),
    relative_range_enabled: rw(bool, { default: true }),
    before_range_enabled: rw(bool, { default: true }),
    after_range_enabled: rw(bool, { default: true }),
    from_to_range_enabled: rw(bool, { default: true }),
    allowed_aggregations: rw(arr(str({ enum: AGGREGATIONS }))),
    last_query_success: ro(),
    last_query_error_message: ro(),
    ...timestamps,
  },
  relationships: {
    datasource: { target: 'datasources', many: false },
    sql_snippets: { target: 'sql_snippets', many: true },
    parent_filter: { target: 'filters', many: false },
  },
  include: ['datasource', 'sql_snippets', 'parent_filter'],
  check: ({ state, rec }) => {
    const name = rec.attributes['variable_name'];
    const clash = state.records.list('filters').find((f) => f.id !== rec.id && f.attributes['variable_name'] === name);
    if (clash) throw unprocessable(`attribute "variable_name": filter ${clash.id} already uses "${String(name)}"`);
    if ((rec.relationships['parent_filter'] as Linkage | null)?.id === rec.id) throw unprocessable('relationship "parent_filter" cannot be the filter itself');
  },
};

const sqlSnippetSpec: ResourceSpec = {
  type: 'sql_snippets',
  what: 'SQL snippet',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    text: rw(str({ nonEmpty: true }), { required: true }),
    params: rw(str()),
    ...timestamps,
  },
  relationships: {
    // "A SQL snippet is always associated with a particular datasource."
    datasource: { target: 'datasources', many: false, required: true },
    sql_snippets: { target: 'sql_snippets', many: true },
  },
  include: ['datasource', 'sql_snippets'],
  check: ({ rec }) => {
    if (linkages(rec.relationships['sql_snippets']).some((l) => l.id === rec.id)) throw unprocessable('relationship "sql_snippets" cannot contain the snippet itself');
  },
};

const sqlAlertSpec: ResourceSpec = {
  type: 'sql_alerts',
  what: 'SQL alert',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true }), { required: true }),
    description: rw(str()),
    sql_query: rw(str({ nonEmpty: true }), { required: true }),
    run_schedule: rw(str({ enum: RUN_SCHEDULES }), { required: true }),
    run_at: rw(str({ format: FORMATS.times })),
    run_every: rw(int({ min: 1 })),
    // Required with a default in the reference: the default applies when it is left out.
    trigger_condition: rw(str({ enum: TRIGGER_CONDITIONS }), { default: 'has_results' }),
    trigger_value: rw(num()),
    email_condition: rw(str({ enum: EMAIL_CONDITIONS }), { required: true }),
    emails: rw(str({ format: FORMATS.emails })),
    cc_emails: rw(str({ format: FORMATS.emails })),
    bcc_emails: rw(str({ format: FORMATS.emails })),
    error_emails: rw(str({ format: FORMATS.emails })),
    attach_as: rw(str({ enum: ['csv', 'excel'] })),
    running_execution_id: ro(),
    last_result_status: ro(),
    last_error_message: ro(),
    last_query_run: ro(),
    last_query_success: ro(),
    last_query_error_message: ro(),
    ...timestamps,
  },
  relationships: { datasource: { target: 'datasources', many: false, required: true } },
  include: ['datasource'],
  check: ({ rec }) => {
    const a = rec.attributes;
    if (a['run_schedule'] === 'at' && !a['run_at']) throw unprocessable('attribute "run_at" is required when run_schedule is "at"');
    if (a['run_schedule'] === 'every' && a['run_every'] == null) throw unprocessable('attribute "run_every" is required when run_schedule is "every"');
    if (COMPARISONS.includes(a['trigger_condition'] as string) && a['trigger_value'] == null) {
      throw unprocessable(`attribute "trigger_value" is required when trigger_condition is "${String(a['trigger_condition'])}"`);
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Datasource agents

const agentSpec: ResourceSpec = {
  type: 'datasource_agents',
  what: 'datasource agent',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    agent_id: ro({ default: () => shortId() }),
    name: rw(str({ nonEmpty: true }), { required: true }),
    version: ro(),
    address: ro(),
    connected: ro({ default: false }),
    active_queries: ro({ default: 0 }),
    enabled: rw(bool, { default: true }),
    ...timestamps,
  },
  relationships: {
    datasources: {
      target: 'datasources',
      many: true,
      derive: (state, rec) => [...state.datasources.values()].filter((d) => d.agentIds.includes(rec.id)).map((d) => ref('datasources', d.id)),
    },
  },
  include: ['datasources'],
  listInclude: ['datasources'],
  deleteBlocker: (state, rec) => {
    const users = [...state.datasources.values()].filter((d) => d.agentIds.includes(rec.id));
    return users.length > 0 ? `it is used by ${users.map((d) => `datasource ${d.id} ("${String(d.attributes['name'])}")`).join(', ')}` : null;
  },
  newId: () => randomBytes(32).toString('base64url'),
};

// ---------------------------------------------------------------------------------------------
// Users and user groups

function builtInMembers(state: SandboxState, behavior: unknown): ResourceRecord[] | undefined {
  const users = state.records.list('users');
  if (behavior === 'all_users') return users;
  if (behavior === 'all_analysts') return users.filter((u) => u.attributes['role'] === 'analyst' || u.attributes['role'] === 'admin');
  return undefined;
}

export function isMember(state: SandboxState, group: ResourceRecord, userId: string): boolean {
  const built = builtInMembers(state, group.attributes['built_in_behavior']);
  return built ? built.some((u) => u.id === userId) : linksTo(group, 'users', userId);
}

const customGroupOnly = (state: SandboxState, t: { id: string; rec?: ResourceRecord }): string | null =>
  t.rec?.attributes['built_in_behavior'] != null
    ? `user group ${t.id} is built in (${String(t.rec.attributes['built_in_behavior'])}): its members follow from roles, only custom groups can be given`
    : null;

/** Sets a user's custom group memberships (the owning side is the group's `users`). */
export function assignGroups(state: SandboxState, user: ResourceRecord, groupIds: string[]): void {
  for (const g of state.records.list('user_groups')) {
    if (g.attributes['built_in_behavior'] != null) continue;
    const has = linksTo(g, 'users', user.id);
    const want = groupIds.includes(g.id);
    if (has && !want) g.relationships['users'] = linkages(g.relationships['users']).filter((l) => l.id !== user.id);
    if (!has && want) g.relationships['users'] = [...linkages(g.relationships['users']), ref('users', user.id)];
  }
}

const userSpec: ResourceSpec = {
  type: 'users',
  what: 'user',
  ops: ['list', 'get', 'update'],
  attributes: {
    firstname: ro(),
    lastname: ro(),
    email: ro(),
    // Update User accepts analyst|viewer only; responses also show admin.
    role: rw(str({ enum: ['analyst', 'viewer'] }), { access: 'update' }),
    otp_app_enabled: ro({ default: false }),
    otp_phone_enabled: ro({ default: false }),
    created_at: ro(),
    deactivated_at: ro(),
    invitation_created_at: ro(),
    invitation_accepted_at: ro(),
  },
  relationships: {
    user_groups: {
      target: 'user_groups',
      many: true,
      derive: (state, rec) => refs('user_groups', state.records.list('user_groups').filter((g) => isMember(state, g, rec.id))),
      assign: assignGroups,
      accept: customGroupOnly,
    },
    invited_by_user: { target: 'users', many: false, readOnly: true },
  },
  include: ['user_groups', 'invited_by_user'],
  listInclude: ['user_groups'],
  check: ({ before }) => {
    if (before?.attributes['role'] === 'admin') throw unprocessable(`user ${before.id} is an admin: API keys cannot update admin users`);
  },
};

const userGroupSpec: ResourceSpec = {
  type: 'user_groups',
  what: 'user group',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    name: rw(str({ nonEmpty: true })),
    description: rw(str()),
    built_in_behavior: ro(),
    ...timestamps,
  },
  relationships: {
    dashboards: { target: 'dashboards', many: true },
    users: {
      target: 'users',
      many: true,
      access: 'rw',
      derive: (state, rec) => {
        const built = builtInMembers(state, rec.attributes['built_in_behavior']);
        return built ? refs('users', built) : undefined;
      },
    },
  },
  include: ['users', 'dashboards'],
  check: ({ before, given }) => {
    const behavior = before?.attributes['built_in_behavior'];
    if (behavior == null) return;
    const changed = [...Object.keys(given.attributes), ...Object.keys(given.relationships).filter((k) => k !== 'dashboards')];
    if (changed.length > 0) {
      throw unprocessable(`user group ${String(before?.id)} is built in (${String(behavior)}): only its dashboards can change, not ${changed.join(', ')}`);
    }
  },
  deleteBlocker: (_state, rec) => {
    const behavior = rec.attributes['built_in_behavior'];
    return behavior != null ? `it is a built-in user group (${String(behavior)})` : null;
  },
};

export const SPECS: readonly ResourceSpec[] = [
  agentSpec,
  dashboardSpec,
  dashboardGroupSpec,
  dashboardScheduleSpec,
  reportSpec,
  filterSpec,
  sqlSnippetSpec,
  sqlAlertSpec,
  userSpec,
  userGroupSpec,
];

export const REGISTRY = new Registry(SPECS);

/** Who uses a datasource (blocks its delete): reports, filters, SQL snippets and SQL alerts. */
export function datasourceUsers(state: SandboxState, datasourceId: string): string | null {
  const users: string[] = [];
  for (const [type, what] of [
    ['reports', 'report'],
    ['filters', 'filter'],
    ['sql_snippets', 'SQL snippet'],
    ['sql_alerts', 'SQL alert'],
  ] as const) {
    for (const r of state.records.list(type)) {
      if (linksTo(r, 'datasource', datasourceId)) users.push(`${what} ${r.id}`);
    }
  }
  if (users.length === 0) return null;
  return users.length > 5 ? `${users.slice(0, 5).join(', ')} and ${users.length - 5} more` : users.join(', ');
}

export type { WriteContext };

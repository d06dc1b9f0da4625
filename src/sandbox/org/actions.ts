/**
 * The organisation's actions beyond CRUD: lock, share, duplicate, lay out and back up dashboards,
 * duplicate reports, sort dashboard groups, trigger schedules, invite, deactivate and activate users.
 * Each takes checked request values and answers with a 422 naming what is wrong.
 */
import { isoNow, unprocessable } from '../http.js';
import { shortId, type SandboxState } from '../state.js';
import { deleteRecord, refreshAll, serialize } from './crud.js';
import { REGISTRY } from './specs/index.js';
import { assertUnlocked, filtersOf, nextRow, reportsOf } from './specs/dashboards.js';
import { apiKeyUser, assignGroups } from './specs/users.js';
import { ref, setLink, type Linkage, type ResourceRecord } from './store.js';

const touch = (rec: ResourceRecord): void => {
  rec.attributes['updated_at'] = isoNow();
};

export function setLocked(d: ResourceRecord, locked: boolean): void {
  if (d.attributes['is_locked'] === locked) return;
  d.attributes['is_locked'] = locked;
  touch(d);
}

// ---------------------------------------------------------------------------------------------
// Dashboards and reports

/** Shares a dashboard with the user groups a share mode names (built-in groups by their alias too). */
export function shareDashboard(state: SandboxState, d: ResourceRecord, mode: string, groupIds: readonly string[]): void {
  const groups = state.records.list('user_groups');
  const byAlias = (alias: string): ResourceRecord | undefined => groups.find((g) => g.id === alias || g.attributes['built_in_behavior'] === alias);
  let targets: ResourceRecord[];
  if (mode === 'none') targets = [];
  else if (mode === 'custom') {
    targets = groupIds.map((id) => {
      const g = byAlias(id);
      if (!g) throw unprocessable(`parameter "user_group_ids": user group ${id} not found (built-in aliases: all_users, all_analysts)`);
      return g;
    });
  } else {
    const g = byAlias(mode);
    if (!g) throw unprocessable(`the organisation has no built-in ${mode} user group`);
    targets = [g];
  }
  const want = new Set(targets.map((g) => g.id));
  for (const g of groups) setLink(g, 'dashboards', ref('dashboards', d.id), want.has(g.id));
  refreshAll(state, REGISTRY);
}

function copyReport(state: SandboxState, src: ResourceRecord, dashboardId: string, name: string, place: 'same' | 'below'): ResourceRecord {
  const now = isoNow();
  const rec: ResourceRecord = structuredClone({ ...src, id: shortId() });
  rec.attributes['name'] = name;
  rec.attributes['created_at'] = now;
  rec.attributes['updated_at'] = now;
  rec.attributes['query_error'] = null;
  rec.relationships['dashboard'] = ref('dashboards', dashboardId);
  if (place === 'below') {
    rec.attributes['row'] = nextRow(state, dashboardId);
    rec.attributes['column'] = 1;
  }
  return state.records.put(rec);
}

/** A copy of a dashboard and its reports, unlocked and owned by the API key's user. */
export function duplicateDashboard(state: SandboxState, src: ResourceRecord): ResourceRecord {
  const now = isoNow();
  const copy: ResourceRecord = structuredClone({ ...src, id: shortId() });
  Object.assign(copy.attributes, {
    name: `Copy of ${String(src.attributes['name'])}`,
    is_locked: false,
    thumbnail_image_url: null,
    thumbnail_created_at: null,
    created_at: now,
    updated_at: now,
  });
  copy.relationships = { user: apiKeyUser(state) };
  state.records.put(copy);
  for (const r of reportsOf(state, src.id)) copyReport(state, r, copy.id, String(r.attributes['name']), 'same');
  refreshAll(state, REGISTRY);
  return copy;
}

/** A copy of a report below the others on its dashboard. */
export function duplicateReport(state: SandboxState, src: ResourceRecord): ResourceRecord {
  const dash = (src.relationships['dashboard'] as Linkage).id;
  assertUnlocked(state, dash);
  const copy = copyReport(state, src, dash, `Copy of ${String(src.attributes['name'])}`, 'below');
  refreshAll(state, REGISTRY);
  return copy;
}

export interface LayoutItem {
  id: string;
  row: number;
  column: number;
  width: number;
  height: number;
}

/** Update Dashboard Layout: every report of the dashboard placed once on the 12-column grid. */
export function setLayout(state: SandboxState, d: ResourceRecord, layout: readonly LayoutItem[], floating: unknown): void {
  assertUnlocked(state, d.id);
  const onDash = new Set(reportsOf(state, d.id).map((r) => r.id));
  const seen = new Set<string>();
  layout.forEach((el, i) => {
    if (!onDash.has(el.id)) throw unprocessable(`parameter "layout[${i}].id": report ${el.id} is not on dashboard ${d.id} (its reports: ${[...onDash].join(', ') || 'none'})`);
    if (seen.has(el.id)) throw unprocessable(`parameter "layout": report ${el.id} is listed twice`);
    if (el.column + el.width - 1 > 12) throw unprocessable(`parameter "layout[${i}]": column ${el.column} + width ${el.width} exceeds the 12-column grid`);
    seen.add(el.id);
  });
  const missing = [...onDash].filter((id) => !seen.has(id));
  if (missing.length > 0) throw unprocessable(`parameter "layout" must contain every report of the dashboard; missing: ${missing.join(', ')}`);
  for (const el of layout) {
    const r = state.records.get('reports', el.id) as ResourceRecord;
    Object.assign(r.attributes, { row: el.row, column: el.column, width: el.width, height: el.height });
  }
  if (floating !== undefined) d.attributes['floating_enabled'] = floating;
  touch(d);
  refreshAll(state, REGISTRY);
}

/** Backup Dashboard: the dashboard, its reports and filters as one JSON document. */
export function backupDashboard(state: SandboxState, d: ResourceRecord): Record<string, unknown> {
  const strip = (r: ResourceRecord): Record<string, unknown> => ({ id: r.id, ...(serialize(state, REGISTRY, r)['attributes'] as Record<string, unknown>) });
  return {
    format: 'cluvio-dashboard-backup',
    version: 1,
    created_at: isoNow(),
    dashboard: strip(d),
    reports: reportsOf(state, d.id).map((r) => ({ ...strip(r), datasource_id: (r.relationships['datasource'] as Linkage | null)?.id ?? null })),
    filters: filtersOf(state, d.id).map((f) => ({ ...strip(f), values: f.attributes['values'] ?? null, value_names: f.attributes['value_names'] ?? null })),
  };
}

// ---------------------------------------------------------------------------------------------
// Dashboard groups and schedules

/** Sort Dashboard Groups: the given ones first, in that order; the rest by name. */
export function sortDashboardGroups(state: SandboxState, ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (!state.records.get('dashboard_groups', id)) throw unprocessable(`parameter "dashboard_group_ids": dashboard group ${id} not found`);
    if (seen.has(id)) throw unprocessable(`parameter "dashboard_group_ids" lists ${id} twice`);
    seen.add(id);
  }
  for (const g of state.records.list('dashboard_groups')) g.attributes['sort_position'] = null;
  ids.forEach((id, i) => {
    (state.records.get('dashboard_groups', id) as ResourceRecord).attributes['sort_position'] = i;
  });
  refreshAll(state, REGISTRY);
}

export function triggerSchedule(s: ResourceRecord): void {
  s.attributes['last_sent_at'] = isoNow();
}

// ---------------------------------------------------------------------------------------------
// Users

/** Invite User: a pending user (no name yet) in the given custom groups, invited by the API key's user. */
export function inviteUser(state: SandboxState, email: string, role: string, groupIds: readonly string[]): ResourceRecord {
  const taken = state.records.list('users').find((u) => String(u.attributes['email']).toLowerCase() === email.toLowerCase());
  if (taken) throw unprocessable(`parameter "email": ${email} is already a user of the organization (${taken.id})`);
  for (const id of groupIds) {
    const g = state.records.get('user_groups', id);
    if (!g) throw unprocessable(`parameter "user_group_ids": user group ${id} not found`);
    if (g.attributes['built_in_behavior'] != null) throw unprocessable(`parameter "user_group_ids": user group ${id} is built in; only custom groups can be given`);
  }
  const now = isoNow();
  const user: ResourceRecord = {
    id: shortId(),
    type: 'users',
    attributes: {
      firstname: null,
      lastname: null,
      email,
      role,
      otp_app_enabled: false,
      otp_phone_enabled: false,
      created_at: now,
      deactivated_at: null,
      invitation_created_at: now,
      invitation_accepted_at: null,
    },
    relationships: { user_groups: [], invited_by_user: apiKeyUser(state) },
  };
  state.records.put(user);
  assignGroups(state, user, [...groupIds]);
  refreshAll(state, REGISTRY);
  return user;
}

export function deactivateUser(u: ResourceRecord): void {
  if (u.attributes['role'] === 'admin') throw unprocessable('Admin users cannot be deactivated via the API');
  u.attributes['deactivated_at'] ??= isoNow();
}

/** Activate User, with its role (an admin comes back only as viewer or analyst). */
export function activateUser(u: ResourceRecord, role: string | undefined): void {
  if (u.attributes['deactivated_at'] == null) return;
  const next = role ?? u.attributes['role'];
  if (next === 'admin') throw unprocessable('Admin users can only be re-activated via the API as viewers or analysts: pass role');
  u.attributes['role'] = next;
  u.attributes['deactivated_at'] = null;
}

function pending(u: ResourceRecord): ResourceRecord {
  if (u.attributes['invitation_accepted_at'] != null || u.attributes['invitation_created_at'] == null) {
    throw unprocessable(`user ${u.id} has no pending invitation (accepted ${String(u.attributes['invitation_accepted_at'] ?? 'never, not invited')})`);
  }
  return u;
}

export function resendInvitation(u: ResourceRecord): void {
  pending(u).attributes['invitation_created_at'] = isoNow();
}

export function cancelInvitation(state: SandboxState, u: ResourceRecord): void {
  deleteRecord(state, REGISTRY, pending(u));
}

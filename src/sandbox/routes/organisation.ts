/**
 * CRUD and the simple actions on every JSON:API resource of the organisation other than
 * datasources: generic routes driven by the specs in ../org/specs.ts, plus the actions
 * (lock, share, duplicate, layout, backup, sort, trigger, invitations).
 */
import { ApiError, isoNow, jsonApiData, unprocessable, type HandlerResult, type Route } from '../http.js';
import type { Linkage, ResourceRecord } from '../org/store.js';
import { shortId, type SandboxState } from '../state.js';
import {
  FORMATS,
  checkField,
  createRecord,
  deleteRecord,
  included,
  linkages,
  parseInclude,
  parseWrite,
  refreshAll,
  requireRecord,
  serialize,
  updateRecord,
  type ResourceSpec,
} from '../org/crud.js';
import { API_KEY_USER, REGISTRY, assignGroups, datasourceUsers, isLocked, nextRow, reportsOf, filtersOf } from '../org/specs.js';
import { seedOrganisationRecords } from '../org/seed.js';

const reg = REGISTRY;
const doc = (status: number, body: unknown): HandlerResult => ({ status, type: 'jsonapi', body });
const one = (state: SandboxState, rec: ResourceRecord, status = 200): HandlerResult => doc(status, { data: serialize(state, reg, rec) });

/** The five generic routes of one spec (those its `ops` lists). */
function crudRoutes(state: SandboxState, spec: ResourceSpec): Route[] {
  const base = `/${spec.type}`;
  const routes: Route[] = [];
  const ops = new Set(spec.ops);
  if (ops.has('create')) {
    routes.push({
      method: 'POST',
      path: base,
      handler: ({ body }) => {
        const { attributes, relationships } = jsonApiData(body, spec.type);
        const given = parseWrite(state, spec, attributes, relationships, true);
        const rec = createRecord(state, reg, spec, given, spec.newId?.() ?? shortId());
        const res = serialize(state, reg, rec);
        if (spec.type === 'datasource_agents') {
          // Returned once, here; never stored in a form that get/list would show.
          (res['attributes'] as Record<string, unknown>)['secret_key'] = `cluvio-agent-${shortId()}-${shortId()}`;
        }
        return doc(201, { data: res });
      },
    });
  }
  if (ops.has('list')) {
    routes.push({
      method: 'GET',
      path: base,
      handler: ({ query }) => {
        const names = parseInclude(query, spec.listInclude ?? []);
        const recs = state.records.list(spec.type);
        if (spec.order) recs.sort((a, b) => spec.order?.(state, a, b) ?? 0);
        const data = recs.map((r) => serialize(state, reg, r));
        return doc(200, { data, ...(names.length > 0 ? { included: included(state, reg, recs, names) } : {}) });
      },
    });
  }
  if (ops.has('get')) {
    routes.push({
      method: 'GET',
      path: `${base}/:id`,
      handler: ({ params, query }) => {
        const rec = requireRecord(state, spec, params['id'] ?? '');
        const names = parseInclude(query, spec.include ?? []);
        const data = serialize(state, reg, rec);
        return doc(200, { data, ...(names.length > 0 ? { included: included(state, reg, [rec], names) } : {}) });
      },
    });
  }
  if (ops.has('update')) {
    routes.push({
      method: 'PATCH',
      path: `${base}/:id`,
      handler: ({ params, body }) => {
        const rec = requireRecord(state, spec, params['id'] ?? '');
        const { attributes, relationships } = jsonApiData(body, spec.type, { attributesRequired: false });
        const bodyId = ((body as { data: { id?: unknown } }).data ?? {}).id;
        if (bodyId !== undefined && bodyId !== rec.id) throw unprocessable(`"data.id" ${JSON.stringify(bodyId)} does not match the path id ${rec.id}`);
        const given = parseWrite(state, spec, attributes, relationships, false);
        return one(state, updateRecord(state, reg, spec, rec, given));
      },
    });
  }
  if (ops.has('delete')) {
    routes.push({
      method: 'DELETE',
      path: `${base}/:id`,
      handler: ({ params }) => {
        const rec = requireRecord(state, spec, params['id'] ?? '');
        const why = spec.deleteBlocker?.(state, rec) ?? null;
        if (why !== null) throw unprocessable(`${spec.what} ${rec.id} cannot be deleted: ${why}`);
        deleteRecord(state, reg, rec);
        return { status: 204 };
      },
    });
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------
// Plain JSON bodies of the actions

function plainBody(body: unknown, accepted: readonly string[], required: readonly string[] = []): Record<string, unknown> {
  if (body === undefined) {
    if (required.length > 0) throw new ApiError(400, 'request body is required');
    return {};
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unprocessable('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!accepted.includes(k)) throw unprocessable(`unknown parameter "${k}" (accepted: ${accepted.join(', ')})`);
  }
  for (const k of required) if (b[k] === undefined || b[k] === null) throw unprocessable(`parameter "${k}" is required`);
  return b;
}

const spec = (type: string): ResourceSpec => reg.spec(type);
const get = (state: SandboxState, type: string, id: string | undefined): ResourceRecord => requireRecord(state, spec(type), id ?? '');
const touch = (rec: ResourceRecord): void => {
  rec.attributes['updated_at'] = isoNow();
};

function copyReport(state: SandboxState, src: ResourceRecord, dashboardId: string, name: string, place: 'same' | 'below'): ResourceRecord {
  const now = isoNow();
  const rec: ResourceRecord = structuredClone({ ...src, id: shortId() });
  rec.attributes['name'] = name;
  rec.attributes['created_at'] = now;
  rec.attributes['updated_at'] = now;
  rec.attributes['query_error'] = null;
  rec.relationships['dashboard'] = { id: dashboardId, type: 'dashboards' };
  if (place === 'below') {
    rec.attributes['row'] = nextRow(state, dashboardId);
    rec.attributes['column'] = 1;
  }
  return state.records.put(rec);
}

// ---------------------------------------------------------------------------------------------
// Actions

function dashboardActions(state: SandboxState): Route[] {
  const setLock = (locked: boolean): Route['handler'] => ({ params }) => {
    const d = get(state, 'dashboards', params['id']);
    if (d.attributes['is_locked'] !== locked) {
      d.attributes['is_locked'] = locked;
      touch(d);
    }
    return { status: 204 };
  };
  return [
    { method: 'POST', path: '/dashboards/:id/lock', handler: setLock(true) },
    { method: 'POST', path: '/dashboards/:id/unlock', handler: setLock(false) },
    {
      method: 'POST',
      path: '/dashboards/:id/share',
      handler: ({ params, body }) => {
        const d = get(state, 'dashboards', params['id']);
        const b = plainBody(body, ['share_mode', 'user_group_ids', 'notify_new_users', 'include_thumbnail']);
        if (b['share_mode'] !== undefined) checkField('share_mode', b['share_mode'], { kind: 'string', enum: ['none', 'all_users', 'all_analysts', 'custom'] }, 'parameter');
        if (b['user_group_ids'] !== undefined) checkField('user_group_ids', b['user_group_ids'], { kind: 'array', items: { kind: 'string' } }, 'parameter');
        for (const k of ['notify_new_users', 'include_thumbnail']) if (b[k] !== undefined) checkField(k, b[k], { kind: 'boolean' }, 'parameter');
        const ids = (b['user_group_ids'] as string[] | undefined) ?? [];
        const mode = (b['share_mode'] as string | undefined) ?? (b['user_group_ids'] !== undefined ? 'custom' : undefined);
        if (mode === undefined) throw unprocessable('parameter "share_mode" is required (accepted: none, all_users, all_analysts, custom)');
        if (mode !== 'custom' && ids.length > 0) throw unprocessable(`parameter "user_group_ids" only applies to share_mode "custom" (got "${mode}")`);
        const groups = state.records.list('user_groups');
        const byAlias = (alias: string): ResourceRecord | undefined => groups.find((g) => g.id === alias || g.attributes['built_in_behavior'] === alias);
        let targets: ResourceRecord[];
        if (mode === 'none') targets = [];
        else if (mode === 'custom') {
          targets = ids.map((id) => {
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
        for (const g of groups) {
          const has = linkages(g.relationships['dashboards']).some((l) => l.id === d.id);
          if (has && !want.has(g.id)) g.relationships['dashboards'] = linkages(g.relationships['dashboards']).filter((l) => l.id !== d.id);
          if (!has && want.has(g.id)) g.relationships['dashboards'] = [...linkages(g.relationships['dashboards']), { id: d.id, type: 'dashboards' }];
        }
        refreshAll(state, reg);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/duplicate',
      handler: ({ params }) => {
        const src = get(state, 'dashboards', params['id']);
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
        copy.relationships = { user: state.records.get('users', API_KEY_USER) ? { id: API_KEY_USER, type: 'users' } : null };
        state.records.put(copy);
        for (const r of reportsOf(state, src.id)) copyReport(state, r, copy.id, String(r.attributes['name']), 'same');
        refreshAll(state, reg);
        return one(state, copy, 201);
      },
    },
    {
      method: 'PUT',
      path: '/dashboards/:id/layout',
      handler: ({ params, body }) => {
        const d = get(state, 'dashboards', params['id']);
        const b = plainBody(body, ['layout', 'floating_enabled'], ['layout']);
        const item = {
          kind: 'object',
          fields: { type: { kind: 'string', enum: ['report'] }, id: { kind: 'string' }, row: { kind: 'integer', min: 1 }, column: { kind: 'integer', min: 1, max: 12 }, width: { kind: 'integer', min: 1, max: 12 }, height: { kind: 'integer', min: 1 } },
          required: ['id', 'row', 'column', 'width', 'height'],
        } as const;
        checkField('layout', b['layout'], { kind: 'array', items: item }, 'parameter');
        if (b['floating_enabled'] !== undefined) checkField('floating_enabled', b['floating_enabled'], { kind: 'boolean' }, 'parameter');
        if (isLocked(state, d.id)) throw unprocessable(`dashboard ${d.id} is locked and cannot be edited: unlock it first (POST /dashboards/${d.id}/unlock)`);
        const layout = b['layout'] as Array<{ id: string; row: number; column: number; width: number; height: number }>;
        const reports = reportsOf(state, d.id);
        const onDash = new Set(reports.map((r) => r.id));
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
        if (b['floating_enabled'] !== undefined) d.attributes['floating_enabled'] = b['floating_enabled'];
        touch(d);
        refreshAll(state, reg);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/backup',
      handler: ({ params }) => {
        const d = get(state, 'dashboards', params['id']);
        const strip = (r: ResourceRecord): Record<string, unknown> => ({ id: r.id, ...(serialize(state, reg, r)['attributes'] as Record<string, unknown>) });
        const backup = {
          format: 'cluvio-dashboard-backup',
          version: 1,
          created_at: isoNow(),
          dashboard: strip(d),
          reports: reportsOf(state, d.id).map((r) => ({ ...strip(r), datasource_id: (r.relationships['datasource'] as Linkage | null)?.id ?? null })),
          filters: filtersOf(state, d.id).map((f) => ({ ...strip(f), values: f.attributes['values'] ?? null, value_names: f.attributes['value_names'] ?? null })),
        };
        return { status: 200, type: 'json', body: backup };
      },
    },
    {
      method: 'POST',
      path: '/reports/:id/duplicate',
      handler: ({ params }) => {
        const src = get(state, 'reports', params['id']);
        const dash = (src.relationships['dashboard'] as Linkage).id;
        if (isLocked(state, dash)) throw unprocessable(`dashboard ${dash} is locked and cannot be edited: unlock it first (POST /dashboards/${dash}/unlock)`);
        const copy = copyReport(state, src, dash, `Copy of ${String(src.attributes['name'])}`, 'below');
        refreshAll(state, reg);
        return one(state, copy, 201);
      },
    },
  ];
}

function otherActions(state: SandboxState): Route[] {
  return [
    {
      method: 'POST',
      path: '/dashboard_groups/sort',
      handler: ({ body }) => {
        const b = plainBody(body, ['dashboard_group_ids'], ['dashboard_group_ids']);
        checkField('dashboard_group_ids', b['dashboard_group_ids'], { kind: 'array', items: { kind: 'string' } }, 'parameter');
        const ids = b['dashboard_group_ids'] as string[];
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
        refreshAll(state, reg);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/dashboard_schedules/:id/trigger',
      handler: ({ params }) => {
        const s = get(state, 'dashboard_schedules', params['id']);
        s.attributes['last_sent_at'] = isoNow();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/users/invite',
      handler: ({ body }) => {
        const b = plainBody(body, ['email', 'role', 'user_group_ids'], ['email']);
        checkField('email', b['email'], { kind: 'string', format: FORMATS.email }, 'parameter');
        if (b['role'] !== undefined) checkField('role', b['role'], { kind: 'string', enum: ['viewer', 'analyst', 'admin'] }, 'parameter');
        if (b['user_group_ids'] !== undefined) checkField('user_group_ids', b['user_group_ids'], { kind: 'array', items: { kind: 'string' } }, 'parameter');
        const email = (b['email'] as string).trim();
        const taken = state.records.list('users').find((u) => String(u.attributes['email']).toLowerCase() === email.toLowerCase());
        if (taken) throw unprocessable(`parameter "email": ${email} is already a user of the organization (${taken.id})`);
        const groupIds = (b['user_group_ids'] as string[] | undefined) ?? [];
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
            role: (b['role'] as string | undefined) ?? 'viewer',
            otp_app_enabled: false,
            otp_phone_enabled: false,
            created_at: now,
            deactivated_at: null,
            invitation_created_at: now,
            invitation_accepted_at: null,
          },
          relationships: {
            user_groups: [],
            invited_by_user: state.records.get('users', API_KEY_USER) ? { id: API_KEY_USER, type: 'users' } : null,
          },
        };
        state.records.put(user);
        assignGroups(state, user, groupIds);
        refreshAll(state, reg);
        return one(state, user, 201);
      },
    },
    {
      method: 'POST',
      path: '/users/:id/deactivate',
      handler: ({ params }) => {
        const u = get(state, 'users', params['id']);
        if (u.attributes['role'] === 'admin') throw unprocessable('Admin users cannot be deactivated via the API');
        u.attributes['deactivated_at'] ??= isoNow();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/users/:id/activate',
      handler: ({ params, body }) => {
        const u = get(state, 'users', params['id']);
        const b = plainBody(body, ['role']);
        if (b['role'] !== undefined) checkField('role', b['role'], { kind: 'string', enum: ['viewer', 'analyst'] }, 'parameter');
        if (u.attributes['deactivated_at'] == null) return { status: 204 };
        const role = (b['role'] as string | undefined) ?? u.attributes['role'];
        if (role === 'admin') throw unprocessable('Admin users can only be re-activated via the API as viewers or analysts: pass role');
        u.attributes['role'] = role;
        u.attributes['deactivated_at'] = null;
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/users/:id/invite',
      handler: ({ params }) => {
        const u = pendingUser(state, params['id']);
        u.attributes['invitation_created_at'] = isoNow();
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/users/:id/invite',
      handler: ({ params }) => {
        const u = pendingUser(state, params['id']);
        deleteRecord(state, reg, u);
        return { status: 204 };
      },
    },
  ];
}

function pendingUser(state: SandboxState, id: string | undefined): ResourceRecord {
  const u = get(state, 'users', id);
  if (u.attributes['invitation_accepted_at'] != null || u.attributes['invitation_created_at'] == null) {
    throw unprocessable(`user ${u.id} has no pending invitation (accepted ${String(u.attributes['invitation_accepted_at'] ?? 'never, not invited')})`);
  }
  return u;
}

/** CRUD and simple actions on every JSON:API resource of the organisation (see ../org/specs.ts). */
export function resourceRoutes(state: SandboxState): Route[] {
  return [...otherActions(state), ...dashboardActions(state), ...[...reg.specs.values()].flatMap((s) => crudRoutes(state, s))];
}

/** Seeds the organisation and connects the datasource routes to it (in-use checks, agent lookups). */
export function seedOrganisation(state: SandboxState): void {
  state.datasourceInUse = (id) => datasourceUsers(state, id);
  state.agentExists = (id) => state.records.get('datasource_agents', id) !== undefined;
  seedOrganisationRecords(state);
  refreshAll(state, reg);
}

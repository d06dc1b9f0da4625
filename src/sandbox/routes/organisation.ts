/**
 * Routes of the organisation's records: the generic CRUD of every spec (../org/specs/), and the
 * actions (../org/actions.ts: lock, share, duplicate, layout, backup, sort, trigger, invitations).
 */
import { unprocessable, type HandlerResult, type Route } from '../http.js';
import { shortId, type SandboxState } from '../state.js';
import {
  activateUser,
  backupDashboard,
  cancelInvitation,
  deactivateUser,
  duplicateDashboard,
  duplicateReport,
  inviteUser,
  resendInvitation,
  setLayout,
  setLocked,
  shareDashboard,
  sortDashboardGroups,
  triggerSchedule,
  type LayoutItem,
} from '../org/actions.js';
import { createRecord, deleteRecord, included, parseInclude, parseWrite, requireRecord, serialize, updateRecord, type ResourceSpec } from '../org/crud.js';
import { REGISTRY } from '../org/specs/index.js';
import type { ResourceRecord } from '../org/store.js';
import { FORMATS, arr, bool, int, jsonApiData, obj, plainBody, str, type Member } from '../validate.js';

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
// Actions (their bodies are plain JSON; the reference calls the members parameters)

const SHARE_MODES = ['none', 'all_users', 'all_analysts', 'custom'];
const SHARE: Record<string, Member> = {
  share_mode: { field: str({ enum: SHARE_MODES }) },
  user_group_ids: { field: arr(str()) },
  notify_new_users: { field: bool },
  include_thumbnail: { field: bool },
};
const LAYOUT_ITEM = obj(
  {
    type: str({ enum: ['report'] }),
    id: str(),
    row: int({ min: 1 }),
    column: int({ min: 1, max: 12 }),
    width: int({ min: 1, max: 12 }),
    height: int({ min: 1 }),
  },
  ['id', 'row', 'column', 'width', 'height'],
);
const LAYOUT: Record<string, Member> = { layout: { field: arr(LAYOUT_ITEM), required: true }, floating_enabled: { field: bool } };
const SORT: Record<string, Member> = { dashboard_group_ids: { field: arr(str()), required: true } };
const INVITE: Record<string, Member> = {
  email: { field: str({ format: FORMATS.email }), required: true },
  role: { field: str({ enum: ['viewer', 'analyst', 'admin'] }) },
  user_group_ids: { field: arr(str()) },
};
const ACTIVATE: Record<string, Member> = { role: { field: str({ enum: ['viewer', 'analyst'] }) } };

function actionRoutes(state: SandboxState): Route[] {
  const get = (type: string, id: string | undefined): ResourceRecord => requireRecord(state, reg.spec(type), id ?? '');
  const lock = (locked: boolean): Route['handler'] => ({ params }) => {
    setLocked(get('dashboards', params['id']), locked);
    return { status: 204 };
  };
  const done: HandlerResult = { status: 204 };
  const onUser = (method: Route['method'], path: string, act: (u: ResourceRecord) => void): Route => ({
    method,
    path,
    handler: ({ params }) => {
      act(get('users', params['id']));
      return done;
    },
  });
  return [
    {
      method: 'POST',
      path: '/dashboard_groups/sort',
      handler: ({ body }) => {
        sortDashboardGroups(state, plainBody(body, SORT, 'parameter')['dashboard_group_ids'] as string[]);
        return done;
      },
    },
    {
      method: 'POST',
      path: '/dashboard_schedules/:id/trigger',
      handler: ({ params }) => {
        triggerSchedule(get('dashboard_schedules', params['id']));
        return done;
      },
    },
    {
      method: 'POST',
      path: '/users/invite',
      handler: ({ body }) => {
        const b = plainBody(body, INVITE, 'parameter');
        const u = inviteUser(state, (b['email'] as string).trim(), (b['role'] as string | undefined) ?? 'viewer', (b['user_group_ids'] as string[] | undefined) ?? []);
        return one(state, u, 201);
      },
    },
    onUser('POST', '/users/:id/deactivate', deactivateUser),
    {
      method: 'POST',
      path: '/users/:id/activate',
      handler: ({ params, body }) => {
        const u = get('users', params['id']);
        activateUser(u, plainBody(body, ACTIVATE, 'parameter')['role'] as string | undefined);
        return done;
      },
    },
    onUser('POST', '/users/:id/invite', resendInvitation),
    onUser('DELETE', '/users/:id/invite', (u) => cancelInvitation(state, u)),
    { method: 'POST', path: '/dashboards/:id/lock', handler: lock(true) },
    { method: 'POST', path: '/dashboards/:id/unlock', handler: lock(false) },
    {
      method: 'POST',
      path: '/dashboards/:id/share',
      handler: ({ params, body }) => {
        const d = get('dashboards', params['id']);
        const b = plainBody(body, SHARE, 'parameter');
        const ids = (b['user_group_ids'] as string[] | undefined) ?? [];
        const mode = (b['share_mode'] as string | undefined) ?? (b['user_group_ids'] !== undefined ? 'custom' : undefined);
        if (mode === undefined) throw unprocessable(`parameter "share_mode" is required (accepted: ${SHARE_MODES.join(', ')})`);
        if (mode !== 'custom' && ids.length > 0) throw unprocessable(`parameter "user_group_ids" only applies to share_mode "custom" (got "${mode}")`);
        shareDashboard(state, d, mode, ids);
        return done;
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/duplicate',
      handler: ({ params }) => one(state, duplicateDashboard(state, get('dashboards', params['id'])), 201),
    },
    {
      method: 'PUT',
      path: '/dashboards/:id/layout',
      handler: ({ params, body }) => {
        const d = get('dashboards', params['id']);
        const b = plainBody(body, LAYOUT, 'parameter');
        setLayout(state, d, b['layout'] as LayoutItem[], b['floating_enabled']);
        return done;
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/backup',
      handler: ({ params }) => ({ status: 200, type: 'json', body: backupDashboard(state, get('dashboards', params['id'])) }),
    },
    {
      method: 'POST',
      path: '/reports/:id/duplicate',
      handler: ({ params }) => one(state, duplicateReport(state, get('reports', params['id'])), 201),
    },
  ];
}

/** CRUD and actions on every JSON:API resource of the organisation. */
export function organisationRoutes(state: SandboxState): Route[] {
  return [...actionRoutes(state), ...[...reg.specs.values()].flatMap((s) => crudRoutes(state, s))];
}

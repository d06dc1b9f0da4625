/**
 * HTTP test of the sandbox's organisation routes (generic JSON:API CRUD from the specs, the
 * actions, the seeded organisation). Engine worker from dist/: run `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sb: Sandbox;
const SAMPLE = 'smpl-data-0001';

type Res = { id: string; type: string; attributes: Record<string, unknown>; relationships: Record<string, { data: unknown }> };
type Doc = { data: Res & Res[]; included?: Res[]; errors?: Array<{ code: string; detail: string }> };

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Doc; type: string | null }> {
  const r = await fetch(`${sb.apiUrl}${path}`, {
    method,
    headers: { authorization: `Api ${sb.apiKey}`, 'content-type': 'application/vnd.api+json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as Doc, type: r.headers.get('content-type') };
}

const rel = (type: string, id: string | null) => ({ data: id === null ? null : { id, type } });
const rels = (type: string, ids: string[]) => ({ data: ids.map((id) => ({ id, type })) });
const detail = (d: Doc): string => d.errors?.[0]?.detail ?? '';
const ids = (v: { data: unknown } | undefined): string[] => ((v?.data as Array<{ id: string }> | null) ?? []).map((x) => x.id);

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => sb?.close());

/** Per type: what to create, one attribute to update, an enum to break and a required attribute to leave out. */
const CASES: Array<{
  type: string;
  create: () => { attributes: Record<string, unknown>; relationships?: Record<string, unknown> };
  update: [string, unknown];
  badEnum?: [string, string];
  required: string;
}> = [
  { type: 'datasource_agents', create: () => ({ attributes: { name: 'T agent' } }), update: ['enabled', false], required: 'name' },
  { type: 'dashboards', create: () => ({ attributes: { name: 'T dash' } }), update: ['description', 'updated'], badEnum: ['color_scheme', 'scheme_1'], required: 'name' },
  {
    type: 'dashboard_groups',
    create: () => ({ attributes: { name: 'T group' }, relationships: { dashboards: rels('dashboards', ['dash-ops-0001']) } }),
    update: ['name', 'T group 2'],
    required: 'name',
  },
  {
    type: 'dashboard_schedules',
    create: () => ({
      attributes: { name: 'T sched', emails: 'a@example.com, b@example.com', attach_as: 'pdf,csv', schedule: 'daily;08:00,9:00pm' },
      relationships: { dashboard: rel('dashboards', 'dash-ops-0001') },
    }),
    update: ['schedule', 'monthly;1,15;06:00'],
    required: 'emails',
  },
  {
    type: 'reports',
    create: () => ({
      attributes: { name: 'T report', sql_query: 'SELECT 1', width: 4 },
      relationships: { dashboard: rel('dashboards', 'dash-growth-0002'), datasource: rel('datasources', SAMPLE) },
    }),
    update: ['name', 'T report 2'],
    required: 'name',
  },
  {
    type: 'filters',
    create: () => ({ attributes: { variable_name: 't_var', control_type: 'dropdown_manual', value_type: 'TEXT', values: ['a', 'b'] } }),
    update: ['display_name', 'T var'],
    badEnum: ['value_type', 'TEXT'],
    required: 'control_type',
  },
  {
    type: 'sql_snippets',
    create: () => ({ attributes: { name: 't_snip', text: 'SELECT 1' }, relationships: { datasource: rel('datasources', SAMPLE) } }),
    update: ['text', 'SELECT 2'],
    required: 'text',
  },
  {
    type: 'sql_alerts',
    create: () => ({
      attributes: { name: 'T alert', sql_query: 'SELECT 1', run_schedule: 'every', run_every: 15, email_condition: 'all' },
      relationships: { datasource: rel('datasources', SAMPLE) },
    }),
    update: ['sql_query', 'SELECT 2'],
    badEnum: ['email_condition', 'all'],
    required: 'run_schedule',
  },
  {
    type: 'user_groups',
    create: () => ({ attributes: { name: 'T users' }, relationships: { users: rels('users', ['usr-viewer']) } }),
    update: ['description', 'testers'],
    required: '',
  },
];

describe('generic CRUD', () => {
  it.each(CASES)('$type: create → get → update → list → delete', async ({ type, create, update }) => {
    const c = await call('POST', `/${type}`, { data: { type, ...create() } });
    expect(c.status, detail(c.body)).toBe(201);
    expect(c.type).toContain('application/vnd.api+json');
    const id = c.body.data.id;
    expect(c.body.data.type).toBe(type);
    expect(c.body.data.attributes['created_at']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(c.body.data.attributes['updated_at']).toBeTruthy();

    const g = await call('GET', `/${type}/${id}`);
    expect(g.status).toBe(200);
    expect(g.body.data.attributes).toEqual(
      type === 'datasource_agents' ? (({ secret_key: _s, ...rest }) => rest)(c.body.data.attributes) : c.body.data.attributes,
    );

    const [key, value] = update;
    const before = g.body.data.attributes;
    const u = await call('PATCH', `/${type}/${id}`, { data: { type, id, attributes: { [key]: value } } });
    expect(u.status, detail(u.body)).toBe(200);
    expect(u.body.data.attributes[key]).toEqual(value);
    for (const [k, v] of Object.entries(before)) if (k !== key && k !== 'updated_at') expect(u.body.data.attributes[k], k).toEqual(v);

    const l = await call('GET', `/${type}`);
    expect(l.status).toBe(200);
    expect(l.body.data.map((r) => r.id)).toContain(id);

    expect((await call('DELETE', `/${type}/${id}`)).status).toBe(204);
    expect((await call('GET', `/${type}/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/${type}/${id}`)).status).toBe(404);
  });

  it.each(CASES)('$type: 422 for an unknown attribute, a bad enum and a missing required attribute; 404 for an unknown id', async ({ type, create, badEnum, required }) => {
    const base = create();
    const unknown = await call('POST', `/${type}`, { data: { type, ...base, attributes: { ...base.attributes, colour: 'red' } } });
    expect(unknown.status).toBe(422);
    expect(detail(unknown.body)).toMatch(/unknown attribute "colour" \(accepted: .+\)/);

    if (badEnum) {
      const [field, ok] = badEnum;
      const bad = await call('POST', `/${type}`, { data: { type, ...base, attributes: { ...base.attributes, [field]: 'nope' } } });
      expect(bad.status).toBe(422);
      expect(detail(bad.body)).toContain(`"${field}"`);
      expect(detail(bad.body)).toMatch(new RegExp(`accepted: .*${ok}`));
    }
    if (required) {
      const { [required]: _gone, ...rest } = base.attributes;
      const missing = await call('POST', `/${type}`, { data: { type, ...base, attributes: rest } });
      expect(missing.status).toBe(422);
      expect(detail(missing.body)).toBe(`attribute "${required}" is required`);
    }
    const wrongType = await call('POST', `/${type}`, { data: { type, ...base, attributes: { ...base.attributes, name: 42, variable_name: 42 } } });
    expect(wrongType.status).toBe(422);
    expect(detail(wrongType.body)).toMatch(/must be a string|unknown attribute/);

    expect((await call('GET', `/${type}/no-such-id`)).status).toBe(404);
    expect((await call('PATCH', `/${type}/no-such-id`, { data: { attributes: {} } })).status).toBe(404);
  });

  it('checks relationships: unknown names, unknown ids, wrong types, required ones', async () => {
    const attrs = { name: 'R', sql_query: 'SELECT 1' };
    const bad = async (relationships: unknown) => call('POST', '/reports', { data: { attributes: attrs, relationships } });
    let r = await bad({ dashboard: rel('dashboards', 'dash-ops-0001') });
    expect([r.status, detail(r.body)]).toEqual([422, 'relationship "datasource" is required']);
    r = await bad({ dashboard: rel('dashboards', 'nope'), datasource: rel('datasources', SAMPLE) });
    expect(r.status).toBe(422);
    expect(detail(r.body)).toMatch(/dashboards nope not found/);
    r = await bad({ dashboard: rel('users', 'usr-admin'), datasource: rel('datasources', SAMPLE) });
    expect(detail(r.body)).toMatch(/type "users" \(accepted: dashboards\)/);
    r = await bad({ dashboard: rel('dashboards', 'dash-ops-0001'), datasource: rel('datasources', SAMPLE), owner: rel('users', 'usr-admin') });
    expect(detail(r.body)).toMatch(/unknown relationship "owner" \(accepted: dashboard, datasource\)/);
    r = await call('PATCH', '/dashboards/dash-ops-0001', { data: { relationships: { reports: rels('reports', []) } } });
    expect([r.status, detail(r.body)]).toEqual([422, 'relationship "reports" is read-only (accepted: none)']);
    r = await call('PATCH', '/dashboards/dash-ops-0001', { data: { attributes: { created_at: '2020-01-01T00:00:00Z' } } });
    expect(detail(r.body)).toMatch(/attribute "created_at" is read-only/);
    r = await call('POST', '/dashboards', { data: { attributes: { name: 'D', default_parameters: { aggregation: 'week' } } } });
    expect(detail(r.body)).toMatch(/"default_parameters" can only be set when updating/);
    r = await call('PATCH', '/dashboards/dash-growth-0002', { data: { attributes: { time_zone_config: { type: 'fixed', fixed_time_zone: 'Mars/Base' } } } });
    expect(detail(r.body)).toMatch(/time_zone_config.fixed_time_zone.*IANA/);
    r = await call('POST', '/sql_alerts', {
      data: { attributes: { name: 'A', sql_query: 'SELECT 1', run_schedule: 'disabled', email_condition: 'all', trigger_condition: 'greater_than' }, relationships: { datasource: rel('datasources', SAMPLE) } },
    });
    expect(detail(r.body)).toBe('attribute "trigger_value" is required when trigger_condition is "greater_than"');
    r = await call('POST', '/dashboard_schedules', { data: { attributes: { name: 'S', emails: 'x@example.com', attach_as: 'pdf', schedule: 'hourly' }, relationships: { dashboard: rel('dashboards', 'dash-ops-0001') } } });
    expect(detail(r.body)).toMatch(/"schedule" has invalid value "hourly" \(expected disabled, daily/);
    expect((await call('POST', '/dashboards', '{"data":')).status).toBe(400);
  });

  it('applies defaults and leaves out request-only attributes', async () => {
    const c = await call('POST', '/dashboards', { data: { attributes: { name: 'Defaults' } } });
    expect(c.body.data.attributes).toMatchObject({
      time_zone_config: { type: 'disabled' },
      automatic_update_enabled: true,
      data_refresh_rate: 1440,
      default_page_width: 1600,
      color_scheme: 'scheme_6',
      is_locked: false,
      filters_configuration: {},
      layout: [],
      published: false,
    });
    expect(c.body.data.relationships['user']?.data).toEqual({ id: 'usr-admin', type: 'users' });
    const f = await call('GET', '/filters/flt-airline');
    expect(f.body.data.attributes).not.toHaveProperty('values');
    await call('DELETE', `/dashboards/${c.body.data.id}`);
  });
});

describe('the seeded organisation', () => {
  it('links both ways and includes related resources', async () => {
    const d = await call('GET', '/dashboards/dash-ops-0001?include=reports,filters,dashboard_groups,user_groups,user');
    expect(d.status).toBe(200);
    const r = d.body.data.relationships;
    expect(ids(r['reports'])).toEqual(['rep-flights-per-period', 'rep-top-airports', 'rep-delay-by-airline']);
    expect(ids(r['filters']).sort()).toEqual(['flt-airline', 'flt-origin-airport']);
    expect(ids(r['dashboard_groups'])).toEqual(['dgrp-operations']);
    expect(ids(r['user_groups'])).toEqual(['ugrp-all-users']);
    expect(d.body.data.attributes['published']).toBe(true);
    expect(d.body.data.attributes['time_zone_config']).toEqual({ type: 'fixed', fixed_time_zone: 'Europe/Berlin' });
    const inc = d.body.included ?? [];
    expect(inc.filter((x) => x.type === 'reports')).toHaveLength(3);
    expect(inc.find((x) => x.id === 'usr-admin')?.attributes['role']).toBe('admin');

    const rep = await call('GET', '/reports/rep-signups?include=dashboard,datasource');
    expect(rep.body.included?.map((x) => `${x.type}/${x.id}`)).toEqual(['dashboards/dash-product-0003', 'datasources/prod-anly-0002']);

    const u = await call('GET', '/users?include=user_groups');
    const analyst = u.body.data.find((x) => x.id === 'usr-analyst');
    expect(ids(analyst?.relationships['user_groups']).sort()).toEqual(['ugrp-all-analysts', 'ugrp-all-users', 'ugrp-analysts']);
    expect(u.body.included?.map((x) => x.id).sort()).toEqual(['ugrp-all-analysts', 'ugrp-all-users', 'ugrp-analysts']);
    const g = await call('GET', '/user_groups/ugrp-all-users?include=users');
    expect(ids(g.body.data.relationships['users'])).toEqual(expect.arrayContaining(['usr-admin', 'usr-analyst', 'usr-viewer', 'usr-pending']));

    expect((await call('GET', '/dashboards/dash-ops-0001?include=owner')).status).toBe(400);
    expect((await call('GET', '/dashboards?include=reports')).status).toBe(400);
  });

  it('refuses to delete a datasource in use, and an agent in use', async () => {
    const d = await call('DELETE', `/datasources/${SAMPLE}`);
    expect(d.status).toBe(422);
    expect(detail(d.body)).toMatch(/used by report rep-/);

    const ds = await call('POST', '/datasources', { data: { attributes: { name: 'Via agent', database_type: 'postgres', connection_mode: 'agent' }, relationships: { agents: rels('datasource_agents', ['agent-0001']) } } });
    expect(ds.status, detail(ds.body)).toBe(201);
    const a = await call('GET', '/datasource_agents/agent-0001?include=datasources');
    expect(ids(a.body.data.relationships['datasources'])).toEqual([ds.body.data.id]);
    expect(a.body.included?.[0]?.id).toBe(ds.body.data.id);
    const del = await call('DELETE', '/datasource_agents/agent-0001');
    expect(del.status).toBe(422);
    expect(detail(del.body)).toMatch(/used by datasource/);
    // An unused datasource can go; snippets count as use too.
    expect((await call('DELETE', `/datasources/${ds.body.data.id}`)).status).toBe(204);
    const snip = await call('POST', '/sql_snippets', { data: { attributes: { name: 'x', text: 'y' }, relationships: { datasource: rel('datasources', 'prod-anly-0002') } } });
    const d2 = await call('DELETE', '/datasources/prod-anly-0002');
    expect(detail(d2.body)).toMatch(new RegExp(`SQL snippet ${snip.body.data.id}`));
    await call('DELETE', `/sql_snippets/${snip.body.data.id}`);
  });

  it('returns an agent secret_key only on create', async () => {
    const c = await call('POST', '/datasource_agents', { data: { attributes: { name: 'Once' } } });
    expect(c.body.data.attributes['secret_key']).toMatch(/\S{20,}/);
    const g = await call('GET', `/datasource_agents/${c.body.data.id}`);
    expect(g.body.data.attributes).not.toHaveProperty('secret_key');
    const l = await call('GET', '/datasource_agents');
    expect(JSON.stringify(l.body)).not.toContain(String(c.body.data.attributes['secret_key']));
  });
});

describe('actions', () => {
  it('lock / unlock: a locked dashboard refuses edits', async () => {
    expect((await call('POST', '/dashboards/dash-growth-0002/lock')).status).toBe(204);
    expect((await call('GET', '/dashboards/dash-growth-0002')).body.data.attributes['is_locked']).toBe(true);
    const u = await call('PATCH', '/dashboards/dash-growth-0002', { data: { attributes: { name: 'Nope' } } });
    expect(u.status).toBe(422);
    expect(detail(u.body)).toMatch(/locked/);
    const r = await call('PATCH', '/reports/rep-airport-growth', { data: { attributes: { name: 'Nope' } } });
    expect(r.status).toBe(422);
    expect((await call('POST', '/dashboards/dash-growth-0002/unlock')).status).toBe(204);
    expect((await call('PATCH', '/dashboards/dash-growth-0002', { data: { attributes: { prewarm: false } } })).status).toBe(200);
    expect((await call('POST', '/dashboards/nope/lock')).status).toBe(404);
  });

  it('share replaces the user groups a dashboard is shared with', async () => {
    const share = (body: unknown) => call('POST', '/dashboards/dash-product-0003/share', body);
    const groups = async () => ids((await call('GET', '/dashboards/dash-product-0003')).body.data.relationships['user_groups']);
    expect((await share({ share_mode: 'all_users', notify_new_users: true })).status).toBe(204);
    expect(await groups()).toEqual(['ugrp-all-users']);
    expect((await share({ share_mode: 'custom', user_group_ids: ['ugrp-analysts', 'all_analysts'] })).status).toBe(204);
    expect((await groups()).sort()).toEqual(['ugrp-all-analysts', 'ugrp-analysts']);
    expect(ids((await call('GET', '/user_groups/ugrp-analysts')).body.data.relationships['dashboards'])).toContain('dash-product-0003');
    const bad = await share({ share_mode: 'everyone' });
    expect(detail(bad.body)).toMatch(/"share_mode" has invalid value "everyone" \(accepted: none, all_users, all_analysts, custom\)/);
    expect((await share({ share_mode: 'custom', user_group_ids: ['nope'] })).status).toBe(422);
    expect((await share({ share_mode: 'none' })).status).toBe(204);
    expect(await groups()).toEqual([]);
    expect((await call('GET', '/dashboards/dash-product-0003')).body.data.attributes['published']).toBe(false);
    await share({ share_mode: 'custom', user_group_ids: ['ugrp-analysts'] });
  });

  it('duplicates a dashboard with copies of its reports, and a report', async () => {
    const d = await call('POST', '/dashboards/dash-ops-0001/duplicate');
    expect(d.status).toBe(201);
    expect(d.body.data.attributes['name']).toBe('Copy of Flight Operations');
    expect(d.body.data.id).not.toBe('dash-ops-0001');
    const copies = ids(d.body.data.relationships['reports']);
    expect(copies).toHaveLength(3);
    expect(copies).not.toContain('rep-flights-per-period');
    const first = await call('GET', `/reports/${copies[0]}`);
    expect(first.body.data.attributes['sql_query']).toMatch(/\{departed_at:aggregation\}/);
    expect((first.body.data.relationships['dashboard']?.data as { id: string }).id).toBe(d.body.data.id);
    expect(ids(d.body.data.relationships['filters']).sort()).toEqual(['flt-airline', 'flt-origin-airport']);

    const r = await call('POST', '/reports/rep-top-airports/duplicate');
    expect(r.status).toBe(201);
    expect(r.body.data.attributes['name']).toBe('Copy of Top airports');
    expect((r.body.data.relationships['dashboard']?.data as { id: string }).id).toBe('dash-ops-0001');
    await call('DELETE', `/reports/${r.body.data.id}`);

    // Deleting the dashboard deletes its reports.
    expect((await call('DELETE', `/dashboards/${d.body.data.id}`)).status).toBe(204);
    expect((await call('GET', `/reports/${copies[0]}`)).status).toBe(404);
  });

  it('updates the layout of every report; unknown or missing reports are 422', async () => {
    const layout = [
      { type: 'report', id: 'rep-flights-per-period', row: 1, column: 1, width: 6, height: 3 },
      { type: 'report', id: 'rep-top-airports', row: 1, column: 7, width: 6, height: 3 },
      { type: 'report', id: 'rep-delay-by-airline', row: 4, column: 1, width: 12, height: 4 },
    ];
    const put = (body: unknown) => call('PUT', '/dashboards/dash-ops-0001/layout', body);
    expect((await put({ layout, floating_enabled: true })).status).toBe(204);
    const d = await call('GET', '/dashboards/dash-ops-0001');
    expect(d.body.data.attributes['layout']).toEqual(layout);
    expect(d.body.data.attributes['floating_enabled']).toBe(true);
    expect((await call('GET', '/reports/rep-top-airports')).body.data.attributes).toMatchObject({ row: 1, column: 7, width: 6, height: 3 });
    let r = await put({ layout: [...layout, { type: 'report', id: 'rep-signups', row: 9, column: 1, width: 12, height: 2 }] });
    expect(r.status).toBe(422);
    expect(detail(r.body)).toMatch(/rep-signups is not on dashboard dash-ops-0001/);
    r = await put({ layout: layout.slice(1) });
    expect(detail(r.body)).toMatch(/missing: rep-flights-per-period/);
    r = await put({ layout: [{ ...layout[0], column: 13 }, ...layout.slice(1)] });
    expect(detail(r.body)).toMatch(/layout\[0\]\.column" must be at most 12/);
  });

  it('creates a dashboard backup (a JSON object)', async () => {
    const r = await call('POST', '/dashboards/dash-ops-0001/backup');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/json');
    const b = r.body as unknown as { dashboard: { name: string }; reports: unknown[]; filters: unknown[] };
    expect(b.dashboard.name).toBe('Flight Operations');
    expect(b.reports).toHaveLength(3);
    expect(b.filters).toHaveLength(2);
  });

  it('sorts dashboard groups: listed ones first, the rest by name', async () => {
    const extra = await call('POST', '/dashboard_groups', { data: { attributes: { name: 'Aardvark' } } });
    expect((await call('POST', '/dashboard_groups/sort', { dashboard_group_ids: ['dgrp-commercial'] })).status).toBe(204);
    const l = await call('GET', '/dashboard_groups');
    expect(l.body.data.map((g) => g.id)).toEqual(['dgrp-commercial', extra.body.data.id, 'dgrp-operations']);
    expect(ids((await call('GET', '/dashboards/dash-ops-0001')).body.data.relationships['dashboard_groups'])).toEqual(['dgrp-operations']);
    expect((await call('POST', '/dashboard_groups/sort', { dashboard_group_ids: ['nope'] })).status).toBe(422);
    expect((await call('POST', '/dashboard_groups/sort', { ids: [] })).status).toBe(422);
    await call('POST', '/dashboard_groups/sort', { dashboard_group_ids: ['dgrp-operations', 'dgrp-commercial'] });
    await call('DELETE', `/dashboard_groups/${extra.body.data.id}`);
  });

  it('triggers a schedule (records last_sent_at)', async () => {
    const before = (await call('GET', '/dashboard_schedules/sched-weekly-ops')).body.data.attributes['last_sent_at'] as string;
    expect((await call('POST', '/dashboard_schedules/sched-weekly-ops/trigger')).status).toBe(204);
    const after = (await call('GET', '/dashboard_schedules/sched-weekly-ops')).body.data.attributes['last_sent_at'] as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect((await call('POST', '/dashboard_schedules/nope/trigger')).status).toBe(404);
  });

  it('invites users; resends and deletes only pending invitations', async () => {
    const inv = await call('POST', '/users/invite', { email: 'new.person@example.com', role: 'analyst', user_group_ids: ['ugrp-analysts'] });
    expect(inv.status, detail(inv.body)).toBe(201);
    expect(inv.type).toContain('application/vnd.api+json');
    const u = inv.body.data;
    expect(u.type).toBe('users');
    expect(u.attributes).toMatchObject({ email: 'new.person@example.com', role: 'analyst', invitation_accepted_at: null });
    expect(u.attributes['invitation_created_at']).toBeTruthy();
    expect(ids(u.relationships['user_groups'])).toContain('ugrp-analysts');
    expect((await call('POST', '/users/invite', { email: 'new.person@example.com' })).status).toBe(422);
    expect(detail((await call('POST', '/users/invite', { email: 'x@example.com', role: 'owner' })).body)).toMatch(/accepted: viewer, analyst, admin/);
    expect((await call('POST', '/users/invite', { role: 'viewer' })).status).toBe(422);

    expect((await call('POST', `/users/${u.id}/invite`)).status).toBe(204);
    expect((await call('POST', '/users/usr-viewer/invite')).status).toBe(422);
    expect((await call('DELETE', '/users/usr-analyst/invite')).status).toBe(422);
    expect((await call('DELETE', `/users/${u.id}/invite`)).status).toBe(204);
    expect((await call('GET', `/users/${u.id}`)).status).toBe(404);
    expect(ids((await call('GET', '/user_groups/ugrp-analysts')).body.data.relationships['users'])).not.toContain(u.id);
    expect((await call('POST', '/users/usr-pending/invite')).status).toBe(204);
  });

  it('deactivates and activates non-admin users (deactivated_at), with a role on the way back', async () => {
    const deactivatedAt = async (id: string) => (await call('GET', `/users/${id}`)).body.data.attributes['deactivated_at'];
    expect((await call('POST', '/users/usr-analyst/deactivate')).status).toBe(204);
    expect(await deactivatedAt('usr-analyst')).toBeTruthy();
    expect((await call('POST', '/users/usr-analyst/deactivate')).status).toBe(204);
    const off = await call('POST', '/users/usr-admin/deactivate');
    expect(off.status).toBe(422);
    expect(detail(off.body)).toMatch(/Admin users cannot be deactivated/);
    expect(await deactivatedAt('usr-admin')).toBeNull();
    expect(detail((await call('POST', '/users/usr-analyst/activate', { role: 'admin' })).body)).toMatch(/accepted: viewer, analyst/);
    expect((await call('POST', '/users/usr-analyst/activate', { role: 'viewer' })).status).toBe(204);
    expect((await call('GET', '/users/usr-analyst')).body.data.attributes).toMatchObject({ deactivated_at: null, role: 'viewer' });
    expect((await call('POST', '/users/nope/deactivate')).status).toBe(404);
    // Back as it was seeded, for the tests that follow.
    await call('PATCH', '/users/usr-analyst', { data: { attributes: { role: 'analyst' } } });
  });

  it('updates role and custom groups of non-admin users only', async () => {
    let r = await call('PATCH', '/users/usr-viewer', { data: { attributes: { role: 'analyst' }, relationships: { user_groups: rels('user_groups', ['ugrp-analysts']) } } });
    expect(r.status, detail(r.body)).toBe(200);
    expect(r.body.data.attributes['role']).toBe('analyst');
    expect(ids(r.body.data.relationships['user_groups']).sort()).toEqual(['ugrp-all-analysts', 'ugrp-all-users', 'ugrp-analysts']);
    r = await call('PATCH', '/users/usr-viewer', { data: { attributes: { role: 'admin' } } });
    expect(detail(r.body)).toMatch(/"role" has invalid value "admin" \(accepted: analyst, viewer\)/);
    r = await call('PATCH', '/users/usr-admin', { data: { attributes: { role: 'viewer' } } });
    expect(r.status).toBe(422);
    expect(detail(r.body)).toMatch(/admin/);
    r = await call('PATCH', '/users/usr-viewer', { data: { attributes: { email: 'x@example.com' } } });
    expect(detail(r.body)).toMatch(/"email" is read-only/);
    r = await call('PATCH', '/users/usr-viewer', { data: { relationships: { user_groups: rels('user_groups', ['ugrp-all-users']) } } });
    expect(detail(r.body)).toMatch(/built in/);
    r = await call('PATCH', '/users/usr-viewer', { data: { attributes: { role: 'viewer' }, relationships: { user_groups: rels('user_groups', []) } } });
    expect(ids(r.body.data.relationships['user_groups'])).toEqual(['ugrp-all-users']);
    expect((await call('DELETE', '/user_groups/ugrp-all-users')).status).toBe(422);
    expect((await call('POST', '/users', { data: { attributes: {} } })).status).toBe(405);
  });
});

import { describe, expect, it } from 'vitest';
import { dashboardGroupOperations } from '../../src/operations/dashboard-groups.js';
import { dashboardOperations } from '../../src/operations/dashboards.js';
import { toolName } from '../../src/operations/index.js';
import { buildRequest } from '../../src/operations/request.js';
import type { Operation } from '../../src/operations/types.js';
import { annotationsFor } from '../../src/tools/register.js';
import { modelJsonSchema } from '../../src/tools/schema.js';

const all = [...dashboardOperations, ...dashboardGroupOperations];

function op(id: string): Operation {
  const found = all.find((o) => o.id === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
}

/** As a tool call does it: strict validation (defaults, transforms), then the request. */
function request(id: string, args: Record<string, unknown>) {
  const o = op(id);
  const parsed = o.input.strict().parse(args) as Record<string, unknown>;
  const { method, path, query, body, bodyType, idempotent } = buildRequest(o, parsed);
  return { method, path, query, body, bodyType, idempotent };
}

function rejects(id: string, args: Record<string, unknown>): void {
  expect(op(id).input.strict().safeParse(args).success, `${id} ${JSON.stringify(args)}`).toBe(false);
}

const params = { timerange: '1712233090~1712237090', aggregation: 'week', filters: [{ variable_name: 'country', selected_values: ['DE', null] }] };

describe('dashboard operations', () => {
  it('are the 15 dashboard and 6 dashboard group operations, named after the reference titles', () => {
    expect(dashboardOperations.map(toolName)).toEqual([
      'create_dashboard',
      'list_dashboards',
      'get_dashboard',
      'update_dashboard',
      'delete_dashboard',
      'poll_dashboard_status',
      'refresh_dashboard',
      'lock_dashboard',
      'unlock_dashboard',
      'export_dashboard_pdf',
      'export_dashboard_png',
      'share_dashboard',
      'duplicate_dashboard',
      'update_dashboard_layout',
      'create_dashboard_backup',
    ]);
    expect(dashboardGroupOperations.map(toolName)).toEqual([
      'create_dashboard_group',
      'list_dashboard_groups',
      'get_dashboard_group',
      'update_dashboard_group',
      'delete_dashboard_group',
      'sort_dashboard_groups',
    ]);
    for (const o of dashboardOperations) expect(o.toolset).toBe('dashboards');
    for (const o of dashboardGroupOperations) expect(o.toolset).toBe('dashboard_groups');
  });

  it('create: JSON:API envelope with the reference defaults', () => {
    expect(request('createDashboard', { name: 'Sales', color_scheme: 'scheme_2', time_zone_config: { type: 'fixed', fixed_time_zone: 'Europe/Berlin' } })).toEqual({
      method: 'POST',
      path: '/dashboards',
      query: {},
      bodyType: 'jsonapi',
      idempotent: false,
      body: {
        data: {
          type: 'dashboards',
          attributes: {
            name: 'Sales',
            color_scheme: 'scheme_2',
            time_zone_config: { type: 'fixed', fixed_time_zone: 'Europe/Berlin' },
            automatic_update_enabled: true,
            thumbnail_enabled: true,
            prewarm: false,
            data_refresh_rate: 1440,
            is_locked: false,
            default_page_width: 1600,
            filters_configuration: {},
          },
        },
      },
    });
    const attributes = (args: Record<string, unknown>) => (request('createDashboard', args).body as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes({ name: 'x' })).toMatchObject({ time_zone_config: { type: 'disabled' }, filters_configuration: {} });
    expect(attributes({ name: 'x', time_zone_config: { allowed_time_zones: ['UTC'] } }).time_zone_config).toEqual({ type: 'disabled', allowed_time_zones: ['UTC'] });
    rejects('createDashboard', {});
    rejects('createDashboard', { name: 'x', default_page_width: 0 });
    rejects('createDashboard', { name: 'x', color_scheme: 'scheme_9' });
    rejects('createDashboard', { name: 'x', time_zone_config: { type: 'utc' } });
    rejects('createDashboard', { name: 'x', filters_configuration: { aggregation_options: ['fortnight'] } });
    rejects('createDashboard', { name: 'x', default_parameters: params }); // only on existing dashboards
  });

  it('list: no query parameters (name, offset and limit are applied locally)', () => {
    expect(request('listDashboards', { name: 'sal', offset: 10 })).toMatchObject({ method: 'GET', path: '/dashboards', query: {}, body: undefined });
    expect(op('listDashboards').present).toMatchObject({ kind: 'list' });
  });

  it('get: include as a query parameter, from the documented values', () => {
    expect(request('getDashboard', { id: 'd 1', include: 'reports' })).toMatchObject({ method: 'GET', path: '/dashboards/d%201', query: { include: 'reports' }, body: undefined });
    expect(request('getDashboard', { id: 'd1' })).toMatchObject({ query: {} });
    rejects('getDashboard', { id: 'd1', include: 'owner' });
    rejects('getDashboard', {});
  });

  it('update: PATCH with the id in the envelope, only the fields given, no defaults', () => {
    expect(request('updateDashboard', { id: 'd1', name: 'New', default_parameters: { aggregation: 'month' }, is_locked: true })).toEqual({
      method: 'PATCH',
      path: '/dashboards/d1',
      query: {},
      bodyType: 'jsonapi',
      idempotent: true,
      body: { data: { type: 'dashboards', id: 'd1', attributes: { name: 'New', default_parameters: { aggregation: 'month' }, is_locked: true } } },
    });
    rejects('updateDashboard', { id: 'd1', default_parameters: { aggregation: 'fortnight' } });
    rejects('updateDashboard', { id: 'd1', color_scheme: 'blue' });
    rejects('updateDashboard', { name: 'New' });
  });

  it('update advertises every settable attribute on its own, only id required, no defaults', () => {
    const schema = modelJsonSchema(op('updateDashboard').input, 'input') as { properties: Record<string, Record<string, unknown>>; required: string[] };
    const create = modelJsonSchema(op('createDashboard').input, 'input') as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(['id', ...Object.keys(create.properties), 'default_parameters']);
    expect(schema.required).toEqual(['id']);
    expect(JSON.stringify(schema)).not.toContain('"default"');
    // The eight colour schemes are advertised as a range; validation takes exactly them and names them when refusing.
    expect(schema.properties.color_scheme).toEqual({ type: 'string', description: 'scheme_1…scheme_8' });
    expect((create.properties as Record<string, unknown>).color_scheme).toEqual({ type: 'string', description: 'scheme_1…scheme_8', default: 'scheme_6' });
    expect(op('updateDashboard').input.safeParse({ id: 'd', color_scheme: 'scheme_8' }).success).toBe(true);
    const refused = op('updateDashboard').input.safeParse({ id: 'd', color_scheme: 'scheme_9' });
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain('scheme_1');
    expect(Object.keys(schema.properties.default_parameters?.properties as object)).toEqual(['timerange', 'aggregation', 'tz', 'filters']);
  });

  it('delete, lock, unlock, duplicate, backup: the path only', () => {
    expect(request('deleteDashboard', { id: 'd1' })).toMatchObject({ method: 'DELETE', path: '/dashboards/d1', query: {}, body: undefined });
    expect(request('lockDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/lock', body: undefined, idempotent: true });
    expect(request('unlockDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/unlock', body: undefined, idempotent: true });
    expect(request('duplicateDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/duplicate', body: undefined, idempotent: false });
    expect(request('createDashboardBackup', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/backup', body: undefined, idempotent: true });
    for (const id of ['deleteDashboard', 'lockDashboard', 'unlockDashboard']) expect(op(id).present?.kind, id).toBe('done');
  });

  it('status, refresh and exports: plain JSON bodies with the filter inputs', () => {
    expect(request('pollDashboardStatus', { id: 'd1', parameters: params })).toEqual({
      method: 'POST',
      path: '/dashboards/d1/status',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { refresh_data: false, parameters: params },
    });
    expect(request('pollDashboardStatus', { id: 'd1', refresh_data: true })).toMatchObject({ body: { refresh_data: true } });
    expect(request('refreshDashboard', { id: 'd1', parameters: params })).toMatchObject({ method: 'POST', path: '/dashboards/d1/refresh', bodyType: 'json', body: { parameters: params } });
    expect(request('refreshDashboard', { id: 'd1' })).toMatchObject({ body: {} });
    expect(request('exportDashboardPdf', { id: 'd1', parameters: { timerange: '~' } })).toMatchObject({
      method: 'POST',
      path: '/dashboards/d1/export/pdf',
      bodyType: 'json',
      body: { parameters: { timerange: '~' } },
    });
    expect(request('exportDashboardPng', { id: 'd1', parameters: { tz: 'Europe/Berlin' } })).toMatchObject({
      method: 'POST',
      path: '/dashboards/d1/export/png',
      body: { parameters: { tz: 'Europe/Berlin' } },
    });
    for (const id of ['pollDashboardStatus', 'refreshDashboard', 'exportDashboardPdf', 'exportDashboardPng']) {
      rejects(id, { id: 'd1', parameters: { aggregation: 'fortnight' } });
      rejects(id, { id: 'd1', parameters: { timerange: 'yesterday' } });
      rejects(id, { id: 'd1', refresh: true });
    }
  });

  it('share: plain JSON body, user groups as ids (not a relationship)', () => {
    expect(request('shareDashboard', { id: 'd1', share_mode: 'custom', user_group_ids: ['g1', 'all_analysts'], notify_new_users: true })).toEqual({
      method: 'POST',
      path: '/dashboards/d1/share',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { share_mode: 'custom', user_group_ids: ['g1', 'all_analysts'], notify_new_users: true, include_thumbnail: false },
    });
    rejects('shareDashboard', { id: 'd1', share_mode: 'everyone' });
  });

  it('layout: PUT with every element typed "report" by the tool, grid limits enforced', () => {
    const layout = [{ id: 'r1', row: 1, column: 1, width: 6, height: 4 }];
    expect(request('updateDashboardLayout', { id: 'd1', layout, floating_enabled: true })).toEqual({
      method: 'PUT',
      path: '/dashboards/d1/layout',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { layout: [{ type: 'report', id: 'r1', row: 1, column: 1, width: 6, height: 4 }], floating_enabled: true },
    });
    rejects('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 1, column: 13, width: 6, height: 4 }] });
    rejects('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 0, column: 1, width: 6, height: 4 }] });
    rejects('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 1, column: 1, width: 13, height: 4 }] });
    rejects('updateDashboardLayout', { id: 'd1' });
    const advertised = JSON.stringify(modelJsonSchema(op('updateDashboardLayout').input, 'input'));
    expect(advertised).not.toContain('"report"');
  });

  it('filter inputs are advertised in full', () => {
    const schema = modelJsonSchema(op('exportDashboardPdf').input, 'input') as { properties: Record<string, { properties?: object }> };
    expect(Object.keys(schema.properties.parameters?.properties ?? {})).toEqual(['timerange', 'aggregation', 'tz', 'filters']);
  });

});

describe('dashboard group operations', () => {
  it('create and update: JSON:API with dashboards as a to-many relationship', () => {
    expect(request('createDashboardGroup', { name: 'Finance', dashboard_ids: ['d1', 'd2'] })).toEqual({
      method: 'POST',
      path: '/dashboard_groups',
      query: {},
      bodyType: 'jsonapi',
      idempotent: false,
      body: {
        data: {
          type: 'dashboard_groups',
          attributes: { name: 'Finance' },
          relationships: { dashboards: { data: [{ id: 'd1', type: 'dashboards' }, { id: 'd2', type: 'dashboards' }] } },
        },
      },
    });
    expect(request('updateDashboardGroup', { id: 'g1', description: 'Money' })).toMatchObject({
      method: 'PATCH',
      path: '/dashboard_groups/g1',
      body: { data: { type: 'dashboard_groups', id: 'g1', attributes: { description: 'Money' } } },
    });
    expect(request('updateDashboardGroup', { id: 'g1', dashboard_ids: [] })).toMatchObject({
      body: { data: { type: 'dashboard_groups', id: 'g1', attributes: {}, relationships: { dashboards: { data: [] } } } },
    });
    rejects('createDashboardGroup', { description: 'no name' });
    rejects('createDashboardGroup', { name: 'x', dashboard_ids: 'd1' });
  });

  it('list, get, delete, sort', () => {
    expect(request('listDashboardGroups', { name: 'fin' })).toMatchObject({ method: 'GET', path: '/dashboard_groups', query: {} });
    expect(request('getDashboardGroup', { id: 'g1', include: 'dashboards' })).toMatchObject({ method: 'GET', path: '/dashboard_groups/g1', query: { include: 'dashboards' } });
    rejects('getDashboardGroup', { id: 'g1', include: 'users' });
    expect(request('deleteDashboardGroup', { id: 'g1' })).toMatchObject({ method: 'DELETE', path: '/dashboard_groups/g1', body: undefined });
    expect(request('sortDashboardGroups', { dashboard_group_ids: ['g2', 'g1'] })).toEqual({
      method: 'POST',
      path: '/dashboard_groups/sort',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { dashboard_group_ids: ['g2', 'g1'] },
    });
    rejects('sortDashboardGroups', {});
  });
});

describe('annotations', () => {
  it('read, run and write as the reference implies', () => {
    const access = Object.fromEntries(all.map((o) => [o.id, o.access]));
    for (const id of ['listDashboards', 'getDashboard', 'pollDashboardStatus', 'createDashboardBackup', 'listDashboardGroups', 'getDashboardGroup']) expect(access[id], id).toBe('read');
    for (const id of ['refreshDashboard', 'exportDashboardPdf', 'exportDashboardPng']) expect(access[id], id).toBe('run');
    const writes = all.filter((o) => o.access === 'write').map((o) => o.id);
    expect(writes).toHaveLength(12);
  });

  it('marks overwriting POSTs destructive and harmless repeats idempotent', () => {
    expect(annotationsFor(op('shareDashboard'), false)).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(annotationsFor(op('sortDashboardGroups'), false)).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(annotationsFor(op('lockDashboard'), false)).toMatchObject({ destructiveHint: false, idempotentHint: true });
    expect(annotationsFor(op('duplicateDashboard'), false)).toMatchObject({ destructiveHint: false, idempotentHint: false });
    expect(annotationsFor(op('updateDashboardLayout'), false)).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(annotationsFor(op('deleteDashboardGroup'), false)).toMatchObject({ destructiveHint: true });
  });
});

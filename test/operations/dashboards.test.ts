import { describe, expect, it } from 'vitest';
import { dashboardGroupOperations } from '../../src/operations/dashboard-groups.js';
import { dashboardOperations } from '../../src/operations/dashboards.js';
import { toolName } from '../../src/operations/index.js';
import { annotationsFor } from '../../src/tools/register.js';
import { modelJsonSchema } from '../../src/tools/schema.js';
import { expectRejected, op, requestAndRetry } from './catalog.js';

const all = [...dashboardOperations, ...dashboardGroupOperations];

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
    expect(requestAndRetry('createDashboard', { name: 'Sales', color_scheme: 'scheme_2', time_zone_config: { type: 'fixed', fixed_time_zone: 'Europe/Berlin' } })).toEqual({
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
    const attributes = (args: Record<string, unknown>) => (requestAndRetry('createDashboard', args).body as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(attributes({ name: 'x' })).toMatchObject({ time_zone_config: { type: 'disabled' }, filters_configuration: {} });
    expect(attributes({ name: 'x', time_zone_config: { allowed_time_zones: ['UTC'] } }).time_zone_config).toEqual({ type: 'disabled', allowed_time_zones: ['UTC'] });
    expectRejected('createDashboard', {});
    expectRejected('createDashboard', { name: 'x', default_page_width: 0 });
    expectRejected('createDashboard', { name: 'x', color_scheme: 'scheme_9' });
    expectRejected('createDashboard', { name: 'x', time_zone_config: { type: 'utc' } });
    expectRejected('createDashboard', { name: 'x', filters_configuration: { aggregation_options: ['fortnight'] } });
    expectRejected('createDashboard', { name: 'x', default_parameters: params }); // only on existing dashboards
  });

  it('list: no query parameters (name, offset and limit are applied locally)', () => {
    expect(requestAndRetry('listDashboards', { name: 'sal', offset: 10 })).toMatchObject({ method: 'GET', path: '/dashboards', query: {}, body: undefined });
    expect(op('listDashboards').present).toMatchObject({ kind: 'list' });
  });

  it('get: include as a query parameter, from the documented values', () => {
    expect(requestAndRetry('getDashboard', { id: 'd 1', include: 'reports' })).toMatchObject({ method: 'GET', path: '/dashboards/d%201', query: { include: 'reports' }, body: undefined });
    expect(requestAndRetry('getDashboard', { id: 'd1' })).toMatchObject({ query: {} });
    expectRejected('getDashboard', { id: 'd1', include: 'owner' });
    expectRejected('getDashboard', {});
  });

  it('update: PATCH with the id in the envelope, only the fields given, no defaults', () => {
    expect(requestAndRetry('updateDashboard', { id: 'd1', name: 'New', default_parameters: { aggregation: 'month' }, is_locked: true })).toEqual({
      method: 'PATCH',
      path: '/dashboards/d1',
      query: {},
      bodyType: 'jsonapi',
      idempotent: true,
      body: { data: { type: 'dashboards', id: 'd1', attributes: { name: 'New', default_parameters: { aggregation: 'month' }, is_locked: true } } },
    });
    expectRejected('updateDashboard', { id: 'd1', default_parameters: { aggregation: 'fortnight' } });
    expectRejected('updateDashboard', { id: 'd1', color_scheme: 'blue' });
    expectRejected('updateDashboard', { name: 'New' });
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
    expect(requestAndRetry('deleteDashboard', { id: 'd1' })).toMatchObject({ method: 'DELETE', path: '/dashboards/d1', query: {}, body: undefined });
    expect(requestAndRetry('lockDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/lock', body: undefined, idempotent: true });
    expect(requestAndRetry('unlockDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/unlock', body: undefined, idempotent: true });
    expect(requestAndRetry('duplicateDashboard', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/duplicate', body: undefined, idempotent: false });
    expect(requestAndRetry('createDashboardBackup', { id: 'd1' })).toMatchObject({ method: 'POST', path: '/dashboards/d1/backup', body: undefined, idempotent: true });
    for (const id of ['deleteDashboard', 'lockDashboard', 'unlockDashboard']) expect(op(id).present?.kind, id).toBe('done');
  });

  it('status, refresh and exports: plain JSON bodies with the filter inputs', () => {
    expect(requestAndRetry('pollDashboardStatus', { id: 'd1', parameters: params })).toEqual({
      method: 'POST',
      path: '/dashboards/d1/status',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { refresh_data: false, parameters: params },
    });
    expect(requestAndRetry('pollDashboardStatus', { id: 'd1', refresh_data: true })).toMatchObject({ body: { refresh_data: true } });
    expect(requestAndRetry('refreshDashboard', { id: 'd1', parameters: params })).toMatchObject({ method: 'POST', path: '/dashboards/d1/refresh', bodyType: 'json', body: { parameters: params } });
    expect(requestAndRetry('refreshDashboard', { id: 'd1' })).toMatchObject({ body: {} });
    expect(requestAndRetry('exportDashboardPdf', { id: 'd1', parameters: { timerange: '~' } })).toMatchObject({
      method: 'POST',
      path: '/dashboards/d1/export/pdf',
      bodyType: 'json',
      body: { parameters: { timerange: '~' } },
    });
    expect(requestAndRetry('exportDashboardPng', { id: 'd1', parameters: { tz: 'Europe/Berlin' } })).toMatchObject({
      method: 'POST',
      path: '/dashboards/d1/export/png',
      body: { parameters: { tz: 'Europe/Berlin' } },
    });
    for (const id of ['pollDashboardStatus', 'refreshDashboard', 'exportDashboardPdf', 'exportDashboardPng']) {
      expectRejected(id, { id: 'd1', parameters: { aggregation: 'fortnight' } });
      expectRejected(id, { id: 'd1', parameters: { timerange: 'yesterday' } });
      expectRejected(id, { id: 'd1', refresh: true });
    }
  });

  it('share: plain JSON body, user groups as ids (not a relationship)', () => {
    expect(requestAndRetry('shareDashboard', { id: 'd1', share_mode: 'custom', user_group_ids: ['g1', 'all_analysts'], notify_new_users: true })).toEqual({
      method: 'POST',
      path: '/dashboards/d1/share',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { share_mode: 'custom', user_group_ids: ['g1', 'all_analysts'], notify_new_users: true, include_thumbnail: false },
    });
    expectRejected('shareDashboard', { id: 'd1', share_mode: 'everyone' });
  });

  it('layout: PUT with every element typed "report" by the tool, grid limits enforced', () => {
    const layout = [{ id: 'r1', row: 1, column: 1, width: 6, height: 4 }];
    expect(requestAndRetry('updateDashboardLayout', { id: 'd1', layout, floating_enabled: true })).toEqual({
      method: 'PUT',
      path: '/dashboards/d1/layout',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { layout: [{ type: 'report', id: 'r1', row: 1, column: 1, width: 6, height: 4 }], floating_enabled: true },
    });
    expectRejected('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 1, column: 13, width: 6, height: 4 }] });
    expectRejected('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 0, column: 1, width: 6, height: 4 }] });
    expectRejected('updateDashboardLayout', { id: 'd1', layout: [{ id: 'r1', row: 1, column: 1, width: 13, height: 4 }] });
    expectRejected('updateDashboardLayout', { id: 'd1' });
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
    expect(requestAndRetry('createDashboardGroup', { name: 'Finance', dashboard_ids: ['d1', 'd2'] })).toEqual({
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
    expect(requestAndRetry('updateDashboardGroup', { id: 'g1', description: 'Money' })).toMatchObject({
      method: 'PATCH',
      path: '/dashboard_groups/g1',
      body: { data: { type: 'dashboard_groups', id: 'g1', attributes: { description: 'Money' } } },
    });
    expect(requestAndRetry('updateDashboardGroup', { id: 'g1', dashboard_ids: [] })).toMatchObject({
      body: { data: { type: 'dashboard_groups', id: 'g1', attributes: {}, relationships: { dashboards: { data: [] } } } },
    });
    expectRejected('createDashboardGroup', { description: 'no name' });
    expectRejected('createDashboardGroup', { name: 'x', dashboard_ids: 'd1' });
  });

  it('list, get, delete, sort', () => {
    expect(requestAndRetry('listDashboardGroups', { name: 'fin' })).toMatchObject({ method: 'GET', path: '/dashboard_groups', query: {} });
    expect(requestAndRetry('getDashboardGroup', { id: 'g1', include: 'dashboards' })).toMatchObject({ method: 'GET', path: '/dashboard_groups/g1', query: { include: 'dashboards' } });
    expectRejected('getDashboardGroup', { id: 'g1', include: 'users' });
    expect(requestAndRetry('deleteDashboardGroup', { id: 'g1' })).toMatchObject({ method: 'DELETE', path: '/dashboard_groups/g1', body: undefined });
    expect(requestAndRetry('sortDashboardGroups', { dashboard_group_ids: ['g2', 'g1'] })).toEqual({
      method: 'POST',
      path: '/dashboard_groups/sort',
      query: {},
      bodyType: 'json',
      idempotent: true,
      body: { dashboard_group_ids: ['g2', 'g1'] },
    });
    expectRejected('sortDashboardGroups', {});
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

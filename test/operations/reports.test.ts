import { describe, expect, it } from 'vitest';
import { dashboardScheduleOperations } from '../../src/operations/dashboard-schedules.js';
import { toolName } from '../../src/operations/index.js';
import { reportOperations } from '../../src/operations/reports.js';
import { inputParameters } from '../../src/operations/shared.js';
import { annotationsFor } from '../../src/tools/register.js';
import { modelJsonSchema } from '../../src/tools/schema.js';
import { expectRejected, op, requestAndRetry } from './catalog.js';

const all = [...dashboardScheduleOperations, ...reportOperations];

const params = { timerange: '1712233090~1712237090', aggregation: 'week', tz: 'Europe/Berlin', filters: [{ variable_name: 'country', selected_values: ['DE', 3, null] }] };
const schedule = { name: 'Weekly KPIs', emails: 'a@x.com, b@y.org', attach_as: 'pdf, csv', schedule: 'weekly;0,2,4;06:00' };

describe('the operations of the two groups', () => {
  it('are named after the reference titles, in its order, in their toolsets', () => {
    expect(dashboardScheduleOperations.map(toolName)).toEqual([
      'create_dashboard_schedule',
      'list_dashboard_schedules',
      'get_dashboard_schedule',
      'update_dashboard_schedule',
      'delete_dashboard_schedule',
      'trigger_dashboard_schedule',
    ]);
    expect(reportOperations.map(toolName)).toEqual([
      'create_report',
      'list_reports',
      'get_report',
      'update_report',
      'delete_report',
      'refresh_report',
      'duplicate_report',
      'get_report_data',
      'export_report_pdf',
      'export_report_png',
      'export_report_csv',
    ]);
    for (const o of dashboardScheduleOperations) expect(o.toolset).toBe('dashboard_schedules');
    for (const o of reportOperations) expect(o.toolset).toBe('reports');
  });

  it('annotate reads, runs and writes as the brief sorts them', () => {
    const access = Object.fromEntries(all.map((o) => [o.id, o.access]));
    expect(access).toMatchObject({
      listDashboardSchedules: 'read',
      getDashboardSchedule: 'read',
      triggerDashboardSchedule: 'write',
      listReports: 'read',
      getReport: 'read',
      getReportData: 'read',
      refreshReport: 'run',
      exportReportPdf: 'run',
      exportReportPng: 'run',
      exportReportCsv: 'run',
      duplicateReport: 'write',
    });
    // Sending e-mail again is another effect; a refresh repeated ends the same; data is only read.
    expect(annotationsFor(op('triggerDashboardSchedule'), false)).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(annotationsFor(op('refreshReport'), false)).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(annotationsFor(op('getReportData'), false)).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(annotationsFor(op('updateReport'), false)).toMatchObject({ destructiveHint: true });
    expect(annotationsFor(op('deleteDashboardSchedule'), false)).toMatchObject({ destructiveHint: true });
  });
});

describe('dashboard schedule requests', () => {
  it('create: JSON:API envelope, lists normalised, report and dashboard as relationships', () => {
    expect(requestAndRetry('createDashboardSchedule', { ...schedule, report_id: 'qw1x', parameters: params, page_width: 1200 })).toEqual({
      method: 'POST',
      path: '/dashboard_schedules',
      query: {},
      bodyType: 'jsonapi',
      idempotent: false,
      body: {
        data: {
          type: 'dashboard_schedules',
          attributes: { name: 'Weekly KPIs', emails: 'a@x.com,b@y.org', attach_as: 'pdf,csv', schedule: 'weekly;0,2,4;06:00', page_width: 1200, parameters: params },
          relationships: { report: { data: { id: 'qw1x', type: 'reports' } } },
        },
      },
    });
    const withDashboard = requestAndRetry('createDashboardSchedule', { ...schedule, dashboard_id: '8qxn', cc_emails: 'c@z.io' }).body as { data: Record<string, unknown> };
    expect(withDashboard.data.relationships).toEqual({ dashboard: { data: { id: '8qxn', type: 'dashboards' } } });
    expect(withDashboard.data.attributes).toMatchObject({ cc_emails: 'c@z.io' });
  });

  it('create: refuses a schedule without dashboard or report, and malformed lists and schedules', () => {
    expectRejected('createDashboardSchedule', schedule);
    const ok = { ...schedule, dashboard_id: 'd' };
    expect(op('createDashboardSchedule').input.strict().safeParse(ok).success).toBe(true);
    expectRejected('createDashboardSchedule', { ...ok, attach_as: 'pdf,docx' });
    expectRejected('createDashboardSchedule', { ...ok, attach_as: '' });
    expectRejected('createDashboardSchedule', { ...ok, emails: 'not-an-address' });
    expectRejected('createDashboardSchedule', { ...ok, bcc_emails: 'a@x.com;b@y.org' });
    expectRejected('createDashboardSchedule', { ...ok, parameters: { aggregation: 'fortnight' } });
    expectRejected('createDashboardSchedule', { ...ok, parameters: { timerange: 'yesterday' } });
    const { emails: _, ...noEmails } = ok;
    expectRejected('createDashboardSchedule', noEmails);
  });

  it.each(['disabled', 'daily;06:00', 'daily;9:00am,9:00pm', 'weekly;0,2,4;06:00', 'weekly;6;23:59', 'monthly;1,15;06:00', 'monthly;31;12:30am,18:00'])(
    'accepts the schedule %s',
    (s) => {
      expect(op('createDashboardSchedule').input.safeParse({ ...schedule, dashboard_id: 'd', schedule: s }).success).toBe(true);
    },
  );

  it.each(['', 'hourly;06:00', 'daily', 'daily;25:00', 'daily;13:00pm', 'weekly;7;06:00', 'weekly;06:00', 'monthly;0;06:00', 'monthly;32;06:00', 'daily;06:00,'])(
    'refuses the schedule %j',
    (s) => {
      expectRejected('createDashboardSchedule', { ...schedule, dashboard_id: 'd', schedule: s });
    },
  );

  it('list: GET with paging kept local; get: include as query', () => {
    expect(requestAndRetry('listDashboardSchedules', { name: 'kpi', limit: 10 })).toMatchObject({ method: 'GET', path: '/dashboard_schedules', query: {}, body: undefined });
    expect(requestAndRetry('getDashboardSchedule', { id: 's1', include: 'report' })).toMatchObject({ method: 'GET', path: '/dashboard_schedules/s1', query: { include: 'report' } });
    expectRejected('getDashboardSchedule', { id: 's1', include: 'datasource' });
  });

  it('update: PATCH with the id in the envelope, only the fields given, no defaults', () => {
    expect(requestAndRetry('updateDashboardSchedule', { id: 's1', schedule: 'disabled', emails: 'a@x.com ,b@y.org' })).toEqual({
      method: 'PATCH',
      path: '/dashboard_schedules/s1',
      query: {},
      bodyType: 'jsonapi',
      idempotent: true,
      body: { data: { type: 'dashboard_schedules', id: 's1', attributes: { schedule: 'disabled', emails: 'a@x.com,b@y.org' } } },
    });
    const moved = requestAndRetry('updateDashboardSchedule', { id: 's1', report_id: 'r2' }).body as { data: Record<string, unknown> };
    expect(moved.data).toMatchObject({ attributes: {}, relationships: { report: { data: { id: 'r2', type: 'reports' } } } });
    expectRejected('updateDashboardSchedule', { id: 's1', schedule: 'weekly;8;06:00' });
    expectRejected('updateDashboardSchedule', { schedule: 'disabled' });
  });

  it('update advertises every create field on its own, with the same hints, only id required', () => {
    const json = modelJsonSchema(op('updateDashboardSchedule').input, 'input') as { properties: Record<string, unknown>; required: string[] };
    const create = modelJsonSchema(op('createDashboardSchedule').input, 'input') as { properties: Record<string, unknown> };
    expect(json.properties).toEqual({ id: { type: 'string' }, ...create.properties });
    expect(json.required).toEqual(['id']);
    expect(op('updateDashboardSchedule').input.strict().safeParse({ id: 's1', subject_text: 'Hi', page_width: 800, dashboard_id: 'd' }).success).toBe(true);
    expectRejected('updateDashboardSchedule', { id: 's1', page_width: 0 });
  });

  it('delete and trigger: the id in the path, no body', () => {
    expect(requestAndRetry('deleteDashboardSchedule', { id: 's1' })).toMatchObject({ method: 'DELETE', path: '/dashboard_schedules/s1', query: {}, body: undefined });
    expect(requestAndRetry('triggerDashboardSchedule', { id: 's1' })).toMatchObject({ method: 'POST', path: '/dashboard_schedules/s1/trigger', query: {}, body: undefined });
    expect(op('triggerDashboardSchedule').present?.kind).toBe('done');
  });
});

describe('report requests', () => {
  it('create: JSON:API envelope with the reference defaults and both relationships', () => {
    expect(requestAndRetry('createReport', { name: 'Revenue', sql_query: 'SELECT 1', dashboard_id: 'd1', datasource_id: 'ds1', width: 6 })).toEqual({
      method: 'POST',
      path: '/reports',
      query: {},
      bodyType: 'jsonapi',
      idempotent: false,
      body: {
        data: {
          type: 'reports',
          attributes: {
            name: 'Revenue',
            sql_query: 'SELECT 1',
            r_query_enabled: false,
            maximize_action_enabled: true,
            refresh_enabled: true,
            unused_filters_warning_enabled: false,
            unlimited_csv_export_enabled: false,
            default_page_width: 800,
            default_page_height: 600,
            display_name_as_title: true,
            width: 6,
          },
          relationships: { dashboard: { data: { id: 'd1', type: 'dashboards' } }, datasource: { data: { id: 'ds1', type: 'datasources' } } },
        },
      },
    });
  });

  it('create: needs a name, dashboard and datasource; types are checked', () => {
    expectRejected('createReport', { name: 'R', dashboard_id: 'd1' });
    expectRejected('createReport', { name: 'R', datasource_id: 'ds1' });
    expectRejected('createReport', { dashboard_id: 'd1', datasource_id: 'ds1' });
    expectRejected('createReport', { name: 'R', dashboard_id: 'd1', datasource_id: 'ds1', default_page_width: 'wide' });
    expectRejected('createReport', { name: 'R', dashboard_id: 'd1', datasource_id: 'ds1', chart_configuration: {} });
  });

  it('list and get', () => {
    expect(requestAndRetry('listReports', { name: 'rev', offset: 5 })).toMatchObject({ method: 'GET', path: '/reports', query: {}, body: undefined });
    expect(requestAndRetry('getReport', { id: 'r1', include: 'datasource' })).toMatchObject({ method: 'GET', path: '/reports/r1', query: { include: 'datasource' } });
    expectRejected('getReport', { id: 'r1', include: 'report' });
  });

  it('update: PATCH sends only what is given (no create defaults), relationships as given', () => {
    expect(requestAndRetry('updateReport', { id: 'r1', sql_query: 'SELECT 2', datasource_id: 'ds2' })).toEqual({
      method: 'PATCH',
      path: '/reports/r1',
      query: {},
      bodyType: 'jsonapi',
      idempotent: true,
      body: { data: { type: 'reports', id: 'r1', attributes: { sql_query: 'SELECT 2' }, relationships: { datasource: { data: { id: 'ds2', type: 'datasources' } } } } },
    });
    // width and height belong to create only; later sizes go through Update Dashboard Layout.
    expectRejected('updateReport', { id: 'r1', width: 4 });
  });

  it('delete and duplicate', () => {
    expect(requestAndRetry('deleteReport', { id: 'r1' })).toMatchObject({ method: 'DELETE', path: '/reports/r1', query: {}, body: undefined });
    expect(requestAndRetry('duplicateReport', { id: 'r1' })).toMatchObject({ method: 'POST', path: '/reports/r1/duplicate', body: undefined, idempotent: false });
  });

  it.each([
    ['refreshReport', '/reports/r1/refresh'],
    ['exportReportPdf', '/reports/r1/export/pdf'],
    ['exportReportPng', '/reports/r1/export/png'],
    ['exportReportCsv', '/reports/r1/export/csv'],
  ])('%s: POST %s with the filter inputs as a plain JSON body', (id, path) => {
    expect(requestAndRetry(id, { id: 'r1', parameters: params })).toMatchObject({ method: 'POST', path, query: {}, bodyType: 'json', body: { parameters: params } });
    expect(requestAndRetry(id, { id: 'r1' })).toMatchObject({ body: {} });
    expectRejected(id, { id: 'r1', parameters: { aggregation: 'decade' } });
    expectRejected(id, { id: 'r1', data_format: 'csv' });
  });

  it('get report data: plain JSON body with data_format json by default and the CSV options', () => {
    expect(requestAndRetry('getReportData', { id: 'r1', parameters: { timerange: '~' } })).toMatchObject({
      method: 'POST',
      path: '/reports/r1/data',
      bodyType: 'json',
      idempotent: true,
      body: { parameters: { timerange: '~' }, data_format: 'json' },
    });
    expect(requestAndRetry('getReportData', { id: 'r1', data_format: 'csv', csv_column_separator: '\t', csv_decimal_separator: ',', csv_quote_style: 'always' }).body).toEqual({
      data_format: 'csv',
      csv_column_separator: '\t',
      csv_decimal_separator: ',',
      csv_quote_style: 'always',
    });
    expectRejected('getReportData', { id: 'r1', data_format: 'xlsx' });
    expectRejected('getReportData', { id: 'r1', csv_column_separator: '|' });
    expectRejected('getReportData', { id: 'r1', csv_decimal_separator: ' ' });
    expectRejected('getReportData', { id: 'r1', csv_quote_style: 'never' });
  });

  it('advertises the filter inputs in full, and every report field on update: all optional but id, no defaults', () => {
    const full = modelJsonSchema(inputParameters, 'input');
    for (const id of ['refreshReport', 'getReportData', 'exportReportPdf', 'exportReportPng', 'exportReportCsv']) {
      const json = modelJsonSchema(op(id).input, 'input') as { properties: Record<string, { properties?: object }> };
      expect(Object.keys(json.properties.parameters?.properties ?? {}).sort(), id).toEqual(['aggregation', 'filters', 'timerange', 'tz']);
      expect(json.properties.parameters, id).toEqual(full);
    }
    const update = modelJsonSchema(op('updateReport').input, 'input') as { properties: Record<string, object>; required?: string[] };
    const create = modelJsonSchema(op('createReport').input, 'input') as { properties: object };
    const createOnly = ['width', 'height'];
    expect(Object.keys(update.properties).sort()).toEqual(['id', ...Object.keys(create.properties).filter((k) => !createOnly.includes(k))].sort());
    expect(update.required).toEqual(['id']);
    for (const [k, v] of Object.entries(update.properties)) expect(v, k).not.toHaveProperty('default');
    expect(op('updateReport').description).not.toMatch(/create_report fields/);
  });

});

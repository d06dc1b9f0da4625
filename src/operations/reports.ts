import { z } from 'zod';
import { getReportData, refreshReport, reportDataSchema } from '../workflows/reports.js';
import { executionResultSchema } from '../workflows/executions.js';
import { exportHandler } from '../workflows/exports.js';
import { id, inputParameters, listArgs, offset, rowArgs, UNADVERTISED_DEFAULTS, waitArgs } from './shared.js';
import { defineOperation } from './types.js';

/**
 * ReportAttributes a client may set, without defaults (an update must not send them). The chart
 * configuration is opaque in the reference and cannot be set; row and column change with Update Dashboard Layout.
 */
const attributes = {
  name: z.string().min(1),
  description: z.string().optional(),
  sql_query: z.string().optional(),
  r_query: z.string().optional(),
  r_query_enabled: z.boolean().optional(),
  data_refresh_rate: z.number().int().positive().optional().describe('Minutes'),
  data_refresh_anchor_time: z.string().optional().describe('HH:MM'),
  download_actions_enabled: z.boolean().optional(),
  data_download_enabled: z.boolean().optional(),
  maximize_action_enabled: z.boolean().optional(),
  refresh_enabled: z.boolean().optional(),
  // The reference types this one `any`; its default and description are those of a flag.
  unused_filters_warning_enabled: z.boolean().optional(),
  unlimited_csv_export_enabled: z.boolean().optional(),
  default_page_width: z.number().int().positive().optional(),
  default_page_height: z.number().int().positive().optional(),
  display_name_as_title: z.boolean().optional(),
  attribution: z.string().optional(),
  no_data_message: z.string().optional(),
  dashboard_id: id,
  datasource_id: id,
};

/** A flag that is off unless set: applied, not advertised (leaving a flag out means off to anyone). */
function off() {
  const flag = z.boolean().default(false);
  UNADVERTISED_DEFAULTS.add(flag);
  return flag;
}

/**
 * The reference's defaults, sent on create only (where they equal what Cluvio would apply). The two download
 * flags are left to Cluvio: their default yields to plan limits, which an explicit true might not.
 */
const createAttributes = {
  ...attributes,
  r_query_enabled: off(),
  maximize_action_enabled: z.boolean().default(true),
  refresh_enabled: z.boolean().default(true),
  unused_filters_warning_enabled: off(),
  unlimited_csv_export_enabled: off(),
  default_page_width: attributes.default_page_width.unwrap().default(800),
  default_page_height: attributes.default_page_height.unwrap().default(600),
  display_name_as_title: z.boolean().default(true),
  width: z.number().int().positive().optional().describe('Layout grid units'),
  height: z.number().int().positive().optional(),
};

const relationships = {
  dashboard_id: { name: 'dashboard', type: 'dashboards', many: false },
  datasource_id: { name: 'datasource', type: 'datasources', many: false },
};

const parameters = inputParameters.optional();
const exportInput = z.object({ id, parameters, ...waitArgs });
const exportRequest = { body: 'json' } as const;

export const reportOperations = [
  defineOperation({
    id: 'createReport',
    title: 'Create Report',
    toolset: 'reports',
    route: 'POST /reports',
    description: 'Add a SQL report to a dashboard.',
    input: z.object(createAttributes),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'reports', relationships },
  }),
  defineOperation({
    id: 'listReports',
    title: 'List Reports',
    toolset: 'reports',
    route: 'GET /reports',
    description: 'List reports.',
    input: z.object({ ...listArgs }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'dashboard_id', 'datasource_id', 'query_error'] },
  }),
  defineOperation({
    id: 'getReport',
    title: 'Get Report',
    toolset: 'reports',
    route: 'GET /reports/{id}',
    description: 'A report with its SQL.',
    input: z.object({ id, include: z.enum(['dashboard', 'datasource']).optional() }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateReport',
    title: 'Update Report',
    toolset: 'reports',
    route: 'PATCH /reports/{id}',
    description: 'Change a report; update_dashboard_layout moves or resizes it.',
    input: z.object({
      id,
      ...attributes,
      name: attributes.name.optional(),
      dashboard_id: attributes.dashboard_id.optional(),
      datasource_id: attributes.datasource_id.optional(),
    }),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'reports', relationships },
  }),
  defineOperation({
    id: 'deleteReport',
    title: 'Delete Report',
    toolset: 'reports',
    route: 'DELETE /reports/{id}',
    description: 'Delete a report.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
    present: { kind: 'done', message: (a) => `Report ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'refreshReport',
    title: 'Refresh Report',
    toolset: 'reports',
    route: 'POST /reports/{id}/refresh',
    description: "Rerun a report's query for the filter inputs; waits, returns its rows.",
    input: z.object({ id, parameters, ...rowArgs, ...waitArgs }),
    access: 'run',
    // A repeat cancels the running query for the same inputs and starts it again: same end state.
    idempotent: true,
    request: { body: 'json' },
    output: executionResultSchema,
    handler: refreshReport,
    view: true,
  }),
  defineOperation({
    id: 'duplicateReport',
    title: 'Duplicate Report',
    toolset: 'reports',
    route: 'POST /reports/{id}/duplicate',
    description: 'Copy a report onto its dashboard; returns the copy.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
  }),
  defineOperation({
    id: 'getReportData',
    title: 'Get Report Data',
    toolset: 'reports',
    route: 'POST /reports/{id}/data',
    description: "A report's cached rows for the filter inputs; runs no query (refresh_report does).",
    input: z.object({
      id,
      parameters,
      data_format: z.enum(['json', 'csv']).default('json'),
      csv_column_separator: z.enum([',', ';', '\t']).optional(),
      csv_decimal_separator: z.enum(['.', ',', '/']).optional(),
      csv_quote_style: z.enum(['necessary', 'always']).optional(),
      offset,
      ...rowArgs,
    }),
    access: 'read',
    idempotent: true,
    request: { body: 'json' },
    output: reportDataSchema,
    handler: getReportData,
    view: true,
  }),
  defineOperation({
    id: 'exportReportPdf',
    title: 'Export Report PDF',
    toolset: 'reports',
    route: 'POST /reports/{id}/export/pdf',
    description: 'Export a report as PDF for the filter inputs; returns a download link.',
    input: exportInput,
    access: 'run',
    request: exportRequest,
    handler: exportHandler('pdf', 'report'),
  }),
  defineOperation({
    id: 'exportReportPng',
    title: 'Export Report PNG',
    toolset: 'reports',
    route: 'POST /reports/{id}/export/png',
    description: 'Export a report as PNG for the filter inputs; returns a download link and the image.',
    input: exportInput,
    access: 'run',
    request: exportRequest,
    handler: exportHandler('png', 'report'),
  }),
  defineOperation({
    id: 'exportReportCsv',
    title: 'Export Report CSV',
    toolset: 'reports',
    route: 'POST /reports/{id}/export/csv',
    description: "Export all of a report's rows as a CSV download link; needs unlimited_csv_export_enabled.",
    input: exportInput,
    access: 'run',
    request: exportRequest,
    handler: exportHandler('csv', 'report'),
  }),
];

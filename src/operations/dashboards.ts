import { deleteDashboardQuestion } from './confirm.js';
import { z } from 'zod';
import { ADVERTISED_AS, AGGREGATIONS, id, inputParameters, listArgs, reportRowArgs, toolOnly, UNADVERTISED_DEFAULTS, waitArgs } from './shared.js';
import { defineOperation } from './types.js';
import { dashboardResultSchema, pollDashboardStatus, refreshDashboard } from '../workflows/dashboards.js';
import { exportHandler } from '../workflows/exports.js';

const COLOR_SCHEMES = ['scheme_1', 'scheme_2', 'scheme_3', 'scheme_4', 'scheme_5', 'scheme_6', 'scheme_7', 'scheme_8'] as const;
// Eight numbered values say as much as a range: 25 tokens fewer per tool; validation still names each accepted value.
const colorScheme = z.enum(COLOR_SCHEMES);
ADVERTISED_AS.set(colorScheme, { type: 'string', description: 'scheme_1…scheme_8' });

/**
 * A default applied but not advertised, because the schema says it anyway: an object's default that its own fields
 * advertise (or an empty one), and a flag's `false` (what leaving a flag out means to anyone).
 */
function unadvertised<T extends z.ZodType>(schema: T): T {
  UNADVERTISED_DEFAULTS.add(schema);
  return schema;
}
const off = () => unadvertised(z.boolean().default(false));

const parameters = inputParameters.optional();

const refreshRate = z.number().describe('Minutes');
// A refinement, not .positive(): a bound a model never needs told costs tokens in every conversation.
const pageWidth = z
  .number()
  .int()
  .refine((n) => n > 0, 'must be positive')
  .describe('PDF/PNG width, px');

const TIME_ZONE_TYPES = ['disabled', 'organization', 'fixed', 'input'] as const;

function timeZoneConfig(type: z.ZodType<(typeof TIME_ZONE_TYPES)[number] | undefined>) {
  return z.object({ type, fixed_time_zone: z.string().optional(), allowed_time_zones: z.array(z.string()).optional() });
}

const filtersConfiguration = z.object({
  apply_immediately: z.boolean().optional(),
  aggregation_options: z.array(z.enum(AGGREGATIONS)).optional(),
  filter_sorting: z.array(z.string()).optional().describe('Variable names'),
  hidden_parameters: z.array(z.string()).optional().describe('Variable names'),
});

/**
 * DashboardAttributes a client may set, without defaults (an update must not send them). `layout` and
 * `floating_enabled` are changed by Update Dashboard Layout; `default_parameters` only on existing dashboards.
 */
const attributes = {
  name: z.string().min(1),
  description: z.string().optional(),
  time_zone_config: timeZoneConfig(z.enum(TIME_ZONE_TYPES).optional()).optional(),
  automatic_update_enabled: z.boolean().optional(),
  thumbnail_enabled: z.boolean().optional(),
  prewarm: z.boolean().optional(),
  data_refresh_rate: refreshRate.optional(),
  data_refresh_anchor_time: z.string().optional().describe('Daily HH:MM'),
  is_locked: z.boolean().optional(),
  default_page_width: pageWidth.optional(),
  color_scheme: colorScheme.optional(),
  filters_configuration: filtersConfiguration.optional(),
};

/** The reference's defaults, sent on create only (where they equal what Cluvio would apply). */
const createAttributes = {
  ...attributes,
  time_zone_config: unadvertised(timeZoneConfig(z.enum(TIME_ZONE_TYPES).default('disabled')).default({ type: 'disabled' })),
  automatic_update_enabled: z.boolean().default(true),
  thumbnail_enabled: z.boolean().default(true),
  prewarm: off(),
  data_refresh_rate: refreshRate.default(1440),
  is_locked: off(),
  default_page_width: pageWidth.default(1600),
  color_scheme: colorScheme.default('scheme_6'),
  filters_configuration: unadvertised(filtersConfiguration.default({})),
};

const include = z.enum(['reports', 'filters', 'sql_snippets', 'dashboard_groups', 'dashboard_sharing_links', 'user', 'user_groups']).optional();

export const dashboardOperations = [
  defineOperation({
    id: 'createDashboard',
    title: 'Create Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards',
    description: 'An empty dashboard; add reports with create_report.',
    input: z.object(createAttributes),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'dashboards' },
  }),
  defineOperation({
    id: 'listDashboards',
    title: 'List Dashboards',
    toolset: 'dashboards',
    route: 'GET /dashboards',
    description: 'List dashboards.',
    input: z.object({ ...listArgs }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'published', 'is_locked', 'dashboard_group_ids'] },
  }),
  defineOperation({
    id: 'getDashboard',
    title: 'Get Dashboard',
    toolset: 'dashboards',
    route: 'GET /dashboards/{id}',
    description: 'A dashboard with its layout and the ids of its reports and filters.',
    input: z.object({ id, include }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDashboard',
    title: 'Update Dashboard',
    toolset: 'dashboards',
    route: 'PATCH /dashboards/{id}',
    description: "Change a dashboard's settings or default filter inputs.",
    input: z.object({
      id,
      ...attributes,
      name: attributes.name.optional(),
      default_parameters: inputParameters.optional(),
    }),
    access: 'write',
    invalidates: ['search-index'],
    request: { body: 'jsonapi', resourceType: 'dashboards' },
  }),
  defineOperation({
    id: 'deleteDashboard',
    title: 'Delete Dashboard',
    toolset: 'dashboards',
    route: 'DELETE /dashboards/{id}',
    description: 'Delete a dashboard.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
    confirm: { describe: deleteDashboardQuestion },
    present: { kind: 'done', message: (a) => `Dashboard ${a.id} deleted.` },
  }),
  defineOperation({
    id: 'pollDashboardStatus',
    title: 'Poll Dashboard Status',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/status',
    description: 'Status of each report and filter of a dashboard; wait=true returns rows like refresh_dashboard.',
    input: z.object({ id, refresh_data: off(), parameters, wait: toolOnly(off()), ...reportRowArgs, ...waitArgs }),
    access: 'read',
    idempotent: true,
    request: { body: 'json' },
    output: dashboardResultSchema,
    handler: pollDashboardStatus,
  }),
  defineOperation({
    id: 'refreshDashboard',
    title: 'Refresh Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/refresh',
    description: "Rerun a dashboard's queries for the filter inputs; waits, returns each report's rows.",
    input: z.object({ id, parameters, ...reportRowArgs, ...waitArgs }),
    access: 'run',
    idempotent: true,
    request: { body: 'json' },
    output: dashboardResultSchema,
    handler: refreshDashboard,
    view: true,
  }),
  defineOperation({
    id: 'lockDashboard',
    title: 'Lock Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/lock',
    description: 'Lock a dashboard against editing.',
    input: z.object({ id }),
    access: 'write',
    idempotent: true,
    present: { kind: 'done', message: (a) => `Dashboard ${a.id} locked.` },
  }),
  defineOperation({
    id: 'unlockDashboard',
    title: 'Unlock Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/unlock',
    description: 'Unlock a dashboard for editing.',
    input: z.object({ id }),
    access: 'write',
    idempotent: true,
    present: { kind: 'done', message: (a) => `Dashboard ${a.id} unlocked.` },
  }),
  defineOperation({
    id: 'exportDashboardPdf',
    title: 'Export Dashboard PDF',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/export/pdf',
    description: 'Export a dashboard as PDF for the filter inputs; returns a download link.',
    input: z.object({ id, parameters, ...waitArgs }),
    access: 'run',
    request: { body: 'json' },
    handler: exportHandler('pdf', 'dashboard'),
  }),
  defineOperation({
    id: 'exportDashboardPng',
    title: 'Export Dashboard PNG',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/export/png',
    description: 'Export a dashboard as PNG for the filter inputs; returns a download link and the image.',
    input: z.object({ id, parameters, ...waitArgs }),
    access: 'run',
    request: { body: 'json' },
    handler: exportHandler('png', 'dashboard'),
  }),
  defineOperation({
    id: 'shareDashboard',
    title: 'Share Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/share',
    description: 'Set who sees a dashboard, replacing its sharing; custom uses user_group_ids.',
    input: z.object({
      id,
      share_mode: z.enum(['none', 'all_users', 'all_analysts', 'custom']).optional(),
      user_group_ids: z.array(id).optional(),
      notify_new_users: off(),
      include_thumbnail: off(),
    }),
    access: 'write',
    destructive: true,
    idempotent: true,
    request: { body: 'json' },
    present: { kind: 'done', message: (a) => `Sharing of dashboard ${a.id} updated.` },
  }),
  defineOperation({
    id: 'duplicateDashboard',
    title: 'Duplicate Dashboard',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/duplicate',
    description: 'Copy a dashboard with its reports; returns the copy.',
    input: z.object({ id }),
    access: 'write',
    invalidates: ['search-index'],
  }),
  defineOperation({
    id: 'updateDashboardLayout',
    title: 'Update Dashboard Layout',
    toolset: 'dashboards',
    route: 'PUT /dashboards/{id}/layout',
    description: 'Place and size every report of the dashboard on a 12-column grid.',
    input: z.object({
      id,
      layout: z.array(
        z
          .object({
            id,
            row: z.number().int().min(1),
            column: z.number().int().min(1).max(12),
            width: z.number().int().min(1).max(12),
            height: z.number().int().min(1),
          })
          // The only content type the reference knows; the tool adds it.
          .transform((item) => ({ type: 'report' as const, ...item })),
      ),
      floating_enabled: z.boolean().optional().describe('Allow vertical gaps'),
    }),
    access: 'write',
    request: { body: 'json' },
    present: { kind: 'done', message: (a) => `Layout of dashboard ${a.id} updated.` },
  }),
  defineOperation({
    id: 'createDashboardBackup',
    title: 'Create Dashboard Backup',
    toolset: 'dashboards',
    route: 'POST /dashboards/{id}/backup',
    description: "A dashboard's backup JSON (restorable in the Cluvio App; enabled on request).",
    input: z.object({ id }),
    access: 'read',
    idempotent: true,
  }),
];

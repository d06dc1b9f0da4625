/**
 * Routes that start or report work: dashboard status/refresh, report refresh/data, exports and
 * their downloads, filter options, SQL alert runs — plus their `/_sandbox/` test hooks.
 * The work itself is ../work/ (dashboards.ts, exports.ts, filters.ts, alerts.ts); these handlers
 * parse requests and shape answers.
 */
import { createReadStream } from 'node:fs';
import { ApiError, notFound, unprocessable, type HandlerResult, type RequestContext, type Route } from '../http.js';
import type { ResourceRecord } from '../org/store.js';
import { PARAMETERS, queryParameters } from '../parameters.js';
import type { SandboxState } from '../state.js';
import { any, bool, num, plainBody, str, type Member } from '../validate.js';
import type { Work } from '../work/index.js';
import { dashboardStatus, refreshDashboard, refreshReport, reportData } from '../work/dashboards.js';
import { MIME, type ExportFormat, type ExportJob } from '../work/exports.js';
import { filterOptions, refreshFilter } from '../work/filters.js';
import { CSV_OPTIONS, csvFormat } from '../work/rows.js';

const WITH_PARAMETERS: Record<string, Member> = { parameters: PARAMETERS };
const STATUS: Record<string, Member> = { refresh_data: { field: bool }, parameters: PARAMETERS };
const REPORT_DATA: Record<string, Member> = {
  parameters: PARAMETERS,
  data_format: { field: str({ enum: ['json', 'csv'] }), nullable: true },
  ...CSV_OPTIONS,
};
const FILTER_OPTIONS: Record<string, Member> = { dashboard_id: { field: str(), nullable: true }, parameters: PARAMETERS };
const EXPORT_SETTINGS: Record<string, Member> = { file_ttl_seconds: { field: num({ min: 0 }) }, min_duration_ms: { field: num({ min: 0 }) } };
const RECORDS: Record<string, Member> = { data: { field: any, nullable: true } };

function fileUrl(ctx: RequestContext, job: ExportJob): string {
  const host = ctx.req.headers.host ?? '127.0.0.1';
  return `http://${host}/export_files/${job.fileToken ?? ''}/${encodeURIComponent(job.fileName ?? 'export')}`;
}

function jobResponse(ctx: RequestContext, job: ExportJob): Record<string, unknown> {
  const out: Record<string, unknown> = { job_status: job.status };
  if (job.status === 'success') out['file_url'] = fileUrl(ctx, job);
  if (job.status === 'error' && job.errorMessage !== null) out['error_message'] = job.errorMessage;
  return out;
}

/** The export jobs as the `/_sandbox/export_jobs` hook lists them. */
const jobHook = (j: ExportJob): Record<string, unknown> => ({
  id: j.id,
  kind: `${j.targetType}_${j.format}`,
  target: j.targetId,
  target_type: `${j.targetType}s`,
  status: j.status,
  created_at: j.createdAt,
  completed_at: j.completedAt,
  error_message: j.errorMessage,
  execution_ids: j.executionIds,
  file_size: j.fileSize,
  expires_at: j.expiresAt === null ? null : new Date(j.expiresAt).toISOString(),
});

export function workRoutes(state: SandboxState, { queries, exports, alerts }: Work): Route[] {
  const dashboard = (id: string | undefined): ResourceRecord => state.records.require('dashboards', id ?? '', 'dashboard');
  const report = (id: string | undefined): ResourceRecord => state.records.require('reports', id ?? '', 'report');
  const filter = (id: string | undefined): ResourceRecord => state.records.require('filters', id ?? '', 'filter');
  const alert = (id: string | undefined): ResourceRecord => state.records.require('sql_alerts', id ?? '', 'SQL alert');
  const job = (id: string | undefined): ExportJob => {
    const j = exports.jobs.get(id ?? '');
    if (j === undefined) throw notFound('export job', id ?? '');
    return j;
  };
  const parameters = (body: unknown) => queryParameters(plainBody(body, WITH_PARAMETERS)['parameters']);

  const exportRoute = (targetType: 'dashboard' | 'report', format: ExportFormat): Route => ({
    method: 'POST',
    path: `/${targetType}s/:id/export/${format}`,
    handler: ({ params, body }) => {
      const target = targetType === 'dashboard' ? dashboard(params['id']) : report(params['id']);
      const j = exports.start(format, targetType, target, parameters(body));
      return { status: 200, type: 'json', body: { job_id: j.id } };
    },
  });
  const filterRoute = (path: string, answer: (f: ResourceRecord, dashboardId: string | undefined, b: Record<string, unknown>) => Promise<HandlerResult>): Route => ({
    method: 'POST',
    path,
    handler: ({ params, body }) => {
      const f = filter(params['id']);
      const b = plainBody(body, FILTER_OPTIONS);
      return answer(f, (b['dashboard_id'] as string | null | undefined) ?? undefined, b);
    },
  });

  return [
    // ---------------------------------------------------------------------------------- dashboards
    {
      method: 'POST',
      path: '/dashboards/:id/status',
      handler: ({ params, body }) => {
        const dash = dashboard(params['id']);
        const b = plainBody(body, STATUS);
        return { status: 200, type: 'json', body: dashboardStatus(queries, dash, queryParameters(b['parameters']), b['refresh_data'] === true) };
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/refresh',
      handler: ({ params, body }) => {
        refreshDashboard(queries, dashboard(params['id']), parameters(body));
        return { status: 204 };
      },
    },
    exportRoute('dashboard', 'pdf'),
    exportRoute('dashboard', 'png'),

    // ---------------------------------------------------------------------------------- reports
    {
      method: 'POST',
      path: '/reports/:id/refresh',
      handler: ({ params, body }) => {
        const r = report(params['id']);
        return { status: 200, type: 'json', body: { execution_id: refreshReport(queries, r, parameters(body)).id } };
      },
    },
    {
      method: 'POST',
      path: '/reports/:id/data',
      handler: ({ params, body }) => {
        const r = report(params['id']);
        const b = plainBody(body, REPORT_DATA);
        const grant = reportData(state, queries, r, queryParameters(b['parameters']), b['data_format'] === 'csv' ? csvFormat(b) : undefined);
        return grant === null ? { status: 204 } : { status: 200, type: 'json', body: grant };
      },
    },
    exportRoute('report', 'pdf'),
    exportRoute('report', 'png'),
    exportRoute('report', 'csv'),

    // ---------------------------------------------------------------------------------- export jobs
    {
      method: 'GET',
      path: '/export_jobs/:id',
      handler: (ctx) => ({ status: 200, type: 'json', body: jobResponse(ctx, job(ctx.params['id'])) }),
    },
    {
      method: 'POST',
      path: '/export_jobs/:id/cancel',
      handler: ({ params }) => {
        exports.cancel(job(params['id']));
        return { status: 204 };
      },
    },
    {
      // The file_url of a finished export: no auth (the token in the path is the secret), expires.
      method: 'GET',
      path: '/export_files/:token/:name',
      public: true,
      handler: ({ params, res }) => {
        const j = exports.file(params['token'] ?? '');
        if (j === null || j.filePath === null) throw new ApiError(404, 'export file not found or expired');
        res.writeHead(200, {
          'content-type': MIME[j.format],
          'content-length': String(j.fileSize ?? ''),
          'content-disposition': `attachment; filename="${j.fileName ?? 'export'}"`,
          'cache-control': 'private, no-store',
        });
        const stream = createReadStream(j.filePath);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
        return undefined;
      },
    },

    // ---------------------------------------------------------------------------------- filters
    filterRoute('/filters/:id/options', async (f, dashboardId, b) => ({
      status: 200,
      type: 'json',
      body: await filterOptions(state, queries, f, dashboardId, queryParameters(b['parameters'])),
    })),
    filterRoute('/filters/:id/options/refresh', async (f, dashboardId, b) => {
      const ex = refreshFilter(queries, f, dashboardId, queryParameters(b['parameters']));
      return ex === null ? { status: 204 } : { status: 200, type: 'json', body: { execution_id: ex.id } };
    }),

    // ---------------------------------------------------------------------------------- SQL alerts
    {
      method: 'POST',
      path: '/sql_alerts/:id/run',
      handler: ({ params }) => ({ status: 200, type: 'json', body: { execution_id: alerts.run(alert(params['id'])).id } }),
    },
    {
      method: 'GET',
      path: '/sql_alerts/:id/results',
      handler: ({ params, query }) => {
        const a = alert(params['id']);
        return { status: 200, type: 'json', body: alerts.list(a.id, query.get('cursor'), query.get('limit')) };
      },
    },

    // ---------------------------------------------------------------------------------- test hooks
    {
      method: 'GET',
      path: '/_sandbox/export_jobs',
      public: true,
      handler: () => ({ status: 200, type: 'json', body: [...exports.jobs.values()].map(jobHook) }),
    },
    {
      // {file_ttl_seconds?, min_duration_ms?} → the export settings now in force.
      method: 'PUT',
      path: '/_sandbox/export_settings',
      public: true,
      handler: ({ body }) => {
        const b = plainBody(body, EXPORT_SETTINGS);
        if (typeof b['file_ttl_seconds'] === 'number') exports.settings.fileTtlSeconds = b['file_ttl_seconds'];
        if (typeof b['min_duration_ms'] === 'number') exports.settings.minDurationMs = b['min_duration_ms'];
        return { status: 200, type: 'json', body: { file_ttl_seconds: exports.settings.fileTtlSeconds, min_duration_ms: exports.settings.minDurationMs } };
      },
    },
    {
      // Put records straight into the store: {data: record | record[]}, record = {type, id, attributes?, relationships?}.
      method: 'POST',
      path: '/_sandbox/records',
      public: true,
      handler: ({ body }) => {
        const data = plainBody(body, RECORDS)['data'];
        const list = Array.isArray(data) ? data : [data];
        const put = list.map((d: unknown) => {
          const r = d as Partial<ResourceRecord> | null;
          if (r === null || typeof r !== 'object' || typeof r.type !== 'string' || typeof r.id !== 'string') {
            throw unprocessable('each record needs "type" and "id" strings');
          }
          return state.records.put({ id: r.id, type: r.type, attributes: { ...(r.attributes ?? {}) }, relationships: { ...(r.relationships ?? {}) } });
        });
        return { status: 200, type: 'json', body: { data: put.map((r) => ({ type: r.type, id: r.id })) } };
      },
    },
    {
      method: 'GET',
      path: '/_sandbox/records/:type/:id',
      public: true,
      handler: ({ params }) => {
        const r = state.records.get(params['type'] ?? '', params['id'] ?? '');
        if (r === undefined) throw notFound(params['type'] ?? 'record', params['id'] ?? '');
        return { status: 200, type: 'json', body: { data: r } };
      },
    },
  ];
}

/**
 * Routes that start or report work: dashboard status/refresh, report refresh/data, exports,
 * filter options, SQL alert runs — plus their `/_sandbox/` test hooks and the export downloads.
 *
 * The logic lives in ../work/: queries.ts (report and SQL-filter query cache), exports.ts,
 * filters.ts, alerts.ts; this file only parses requests and shapes responses.
 */
import { createReadStream } from 'node:fs';
import { ApiError, isoNow, notFound, unprocessable, type RequestContext, type Route } from '../http.js';
import type { ResourceRecord } from '../org/store.js';
import type { SandboxState } from '../state.js';
import { validateParameters } from './executions.js';
import type { Work } from '../work/index.js';
import { MIME, type ExportFormat, type ExportJob } from '../work/exports.js';
import { filterOptions, refreshFilter } from '../work/filters.js';
import { SpecError, filterKind, type KeyStatus } from '../work/queries.js';
import { csvFormat } from '../work/rows.js';

/** The JSON body as an object with only the accepted members (an absent body is `{}`). */
function bodyObject(body: unknown, accepted: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw unprocessable('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!accepted.includes(k)) throw unprocessable(`unknown attribute "${k}" (accepted: ${accepted.join(', ')})`);
  }
  return b;
}

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

  const exportRoute = (targetType: 'dashboard' | 'report', format: ExportFormat): Route => ({
    method: 'POST',
    path: `/${targetType}s/:id/export/${format}`,
    handler: ({ params, body }) => {
      const target = targetType === 'dashboard' ? dashboard(params['id']) : report(params['id']);
      const b = bodyObject(body, ['parameters']);
      const j = exports.start(format, targetType, target, validateParameters(b['parameters']));
      return { status: 200, type: 'json', body: { job_id: j.id } };
    },
  });

  return [
    // ---------------------------------------------------------------------------------- dashboards
    {
      method: 'POST',
      path: '/dashboards/:id/status',
      handler: ({ params, body }) => {
        const dash = dashboard(params['id']);
        const b = bodyObject(body, ['refresh_data', 'parameters']);
        if (b['refresh_data'] !== undefined && typeof b['refresh_data'] !== 'boolean') throw unprocessable('attribute "refresh_data" must be a boolean');
        const refresh = b['refresh_data'] === true;
        const parameters = validateParameters(b['parameters']);
        const now = isoNow();
        const reports: Record<string, unknown> = {};
        const filters: Record<string, unknown> = {};
        const dataKeys: Record<string, KeyStatus> = {};
        const dashReports = queries.reportsOf(dash);
        for (const r of dashReports) {
          try {
            const spec = queries.reportSpec(r, parameters);
            const e = refresh ? queries.ensure(spec) : queries.view(spec);
            const latest = queries.latest(e);
            reports[r.id] = { data_key: spec.dataKey, updated_at: latest?.updatedAt ?? String(r.attributes['updated_at'] ?? now) };
            dataKeys[spec.dataKey] = queries.keyStatus(e);
          } catch (err) {
            if (!(err instanceof SpecError)) throw err;
            reports[r.id] = { error_message: err.message, updated_at: now };
          }
        }
        for (const f of queries.filtersOf(dash, dashReports)) {
          const updated = String(f.attributes['updated_at'] ?? now);
          const kind = filterKind(f);
          if (kind !== 'static_sql' && kind !== 'dynamic_sql') {
            filters[f.id] = { updated_at: updated };
            continue;
          }
          try {
            const spec = queries.filterSpec(f, dash.id, parameters);
            const e = refresh ? queries.ensure(spec) : queries.view(spec);
            if (kind === 'dynamic_sql') {
              filters[f.id] = { data_key: spec.dataKey, updated_at: queries.latest(e)?.updatedAt ?? updated };
              dataKeys[spec.dataKey] = queries.keyStatus(e);
            } else {
              filters[f.id] = { updated_at: queries.latest(e)?.updatedAt ?? updated };
            }
          } catch (err) {
            if (!(err instanceof SpecError)) throw err;
            filters[f.id] = { error_message: err.message, updated_at: now };
          }
        }
        const running = Object.values(dataKeys).some((k) => k.running);
        return {
          status: 200,
          type: 'json',
          body: { reports, filters, data_keys: dataKeys, updated_at: now, status_check_delay: running ? 1 : 60 },
        };
      },
    },
    {
      method: 'POST',
      path: '/dashboards/:id/refresh',
      handler: ({ params, body }) => {
        const dash = dashboard(params['id']);
        const parameters = validateParameters(bodyObject(body, ['parameters'])['parameters']);
        const dashReports = queries.reportsOf(dash);
        for (const r of dashReports) {
          try {
            queries.start(queries.reportSpec(r, parameters));
          } catch (err) {
            if (!(err instanceof SpecError)) throw err; // shown as an error in the status
          }
        }
        for (const f of queries.filtersOf(dash, dashReports)) {
          const kind = filterKind(f);
          if (kind !== 'static_sql' && kind !== 'dynamic_sql') continue;
          try {
            queries.start(queries.filterSpec(f, dash.id, parameters));
          } catch (err) {
            if (!(err instanceof SpecError)) throw err;
          }
        }
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
        const parameters = validateParameters(bodyObject(body, ['parameters'])['parameters']);
        let spec;
        try {
          spec = queries.reportSpec(r, parameters);
        } catch (err) {
          if (err instanceof SpecError) throw unprocessable(err.message);
          throw err;
        }
        const ex = queries.start(spec);
        return { status: 200, type: 'json', body: { execution_id: ex.id } };
      },
    },
    {
      method: 'POST',
      path: '/reports/:id/data',
      handler: ({ params, body }) => {
        const r = report(params['id']);
        const b = bodyObject(body, ['parameters', 'data_format', 'csv_column_separator', 'csv_decimal_separator', 'csv_quote_style']);
        const parameters = validateParameters(b['parameters']);
        const format = b['data_format'] ?? 'json';
        if (format !== 'json' && format !== 'csv') throw unprocessable(`attribute "data_format" has invalid value ${JSON.stringify(format)} (accepted: json, csv)`);
        let csv;
        try {
          csv = csvFormat(b);
        } catch (err) {
          throw unprocessable((err as Error).message);
        }
        let spec;
        try {
          spec = queries.reportSpec(r, parameters);
        } catch (err) {
          if (err instanceof SpecError) return { status: 204 };
          throw err;
        }
        const e = queries.peek(spec);
        const ok = e === undefined ? undefined : queries.success(e);
        if (ok === undefined) return { status: 204 };
        const grant = state.grant(
          format === 'csv' ? { kind: 'result', executionId: ok.id, csv } : { kind: 'result', executionId: ok.id },
          `reports/${r.id}/data`,
        );
        return { status: 200, type: 'json', body: grant };
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
    {
      method: 'POST',
      path: '/filters/:id/options',
      handler: async ({ params, body }) => {
        const f = filter(params['id']);
        const b = bodyObject(body, ['dashboard_id', 'parameters']);
        if (b['dashboard_id'] !== undefined && b['dashboard_id'] !== null && typeof b['dashboard_id'] !== 'string') {
          throw unprocessable('attribute "dashboard_id" must be a string');
        }
        const dashboardId = typeof b['dashboard_id'] === 'string' ? b['dashboard_id'] : undefined;
        return { status: 200, type: 'json', body: await filterOptions(state, queries, f, dashboardId, validateParameters(b['parameters'])) };
      },
    },
    {
      method: 'POST',
      path: '/filters/:id/options/refresh',
      handler: ({ params, body }) => {
        const f = filter(params['id']);
        const b = bodyObject(body, ['dashboard_id', 'parameters']);
        if (b['dashboard_id'] !== undefined && b['dashboard_id'] !== null && typeof b['dashboard_id'] !== 'string') {
          throw unprocessable('attribute "dashboard_id" must be a string');
        }
        const dashboardId = typeof b['dashboard_id'] === 'string' ? b['dashboard_id'] : undefined;
        const ex = refreshFilter(queries, f, dashboardId, validateParameters(b['parameters']));
        return ex === null ? { status: 204 } : { status: 200, type: 'json', body: { execution_id: ex.id } };
      },
    },

    // ---------------------------------------------------------------------------------- SQL alerts
    {
      method: 'POST',
      path: '/sql_alerts/:id/run',
      handler: ({ params }) => {
        const ex = alerts.run(alert(params['id']));
        return { status: 200, type: 'json', body: { execution_id: ex.id } };
      },
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
      handler: () => ({
        status: 200,
        type: 'json',
        body: [...exports.jobs.values()].map((j) => ({
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
        })),
      }),
    },
    {
      // {file_ttl_seconds?, min_duration_ms?} → the export settings now in force.
      method: 'PUT',
      path: '/_sandbox/export_settings',
      public: true,
      handler: ({ body }) => {
        const b = bodyObject(body, ['file_ttl_seconds', 'min_duration_ms']);
        for (const k of ['file_ttl_seconds', 'min_duration_ms']) {
          const v = b[k];
          if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw unprocessable(`"${k}" must be a non-negative number`);
        }
        if (typeof b['file_ttl_seconds'] === 'number') exports.settings.fileTtlSeconds = b['file_ttl_seconds'];
        if (typeof b['min_duration_ms'] === 'number') exports.settings.minDurationMs = b['min_duration_ms'];
        return { status: 200, type: 'json', body: { file_ttl_seconds: exports.settings.fileTtlSeconds, min_duration_ms: exports.settings.minDurationMs } };
      },
    },
    {
      // Put records straight into the resource store: {data: record | record[]}, record = {type, id, attributes?, relationships?}.
      method: 'POST',
      path: '/_sandbox/records',
      public: true,
      handler: ({ body }) => {
        const data = bodyObject(body, ['data'])['data'];
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

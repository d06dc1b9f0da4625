import { z } from 'zod';
import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import type { DataGrant } from '../cluvio/data-client.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { redactSecrets } from '../results/redact.js';
import { renderTable, type Column } from '../results/table.js';
import { cancelExecutionQuietly, executionResultSchema, fieldsToColumns, MAX_PAGE_CHARS, RUNNING } from './executions.js';
import { withDataGrant } from './data-grant.js';
import { startWork, waitUntilDone } from './work.js';

interface DataKeyStatus {
  result_status?: string;
  data_access_token?: string;
  execution_id?: string;
  execution_status?: string;
  running?: boolean;
  data_timestamp?: number;
}
interface DashboardStatus {
  reports?: Record<string, { data_key?: string; updated_at?: string; [k: string]: unknown }>;
  filters?: Record<string, Record<string, unknown>>;
  data_keys?: Record<string, DataKeyStatus>;
  status_check_delay?: number;
}

export interface DashboardArgs {
  id: string;
  parameters?: unknown;
  max_rows_per_report: number;
  max_wait_seconds: number;
}

export interface ReportOutcome {
  id: string;
  name?: string;
  status: string;
  columns?: Column[];
  rows?: unknown[][];
  total_rows?: number;
  truncated?: boolean;
  error?: string;
}

/**
 * structuredContent of refresh_dashboard and poll_dashboard_status: every report's status, with its rows once the
 * wait is done (`done: true`), or the readiness count and the call that continues (`done: false`, `next`).
 */
export const dashboardResultSchema = z.object({
  dashboard_id: z.string(),
  done: z.boolean().optional(),
  ready: z.number().optional(),
  total: z.number().optional(),
  reports: z.array(
    z.object({
      id: z.string(),
      name: z.string().optional(),
      status: z.string(),
      execution_status: z.string().optional(),
      running: z.boolean().optional(),
      data_timestamp: z.number().optional(),
      error: z.string().optional(),
      columns: executionResultSchema.shape.columns,
      rows: executionResultSchema.shape.rows,
      total_rows: z.number().optional(),
      truncated: z.boolean().optional(),
    }),
  ),
  filters: z.record(z.string(), z.unknown()).optional(),
  next: z.string().optional(),
  status_check_delay: z.number().optional(),
});

/** The server's hint is respected, but never stretches one wait beyond this. */
const MAX_HINT_MS = 5_000;

const keyDone = (k: DataKeyStatus | undefined) => !!k && !k.running && !RUNNING.has(String(k.result_status)) && !RUNNING.has(String(k.execution_status ?? ''));

function pendingKeys(s: DashboardStatus): { total: number; ready: number; running: string[] } {
  const keys = [
    ...Object.values(s.reports ?? {}).map((r) => r.data_key),
    ...Object.values(s.filters ?? {}).map((f) => (typeof f.data_key === 'string' ? f.data_key : undefined)),
  ].filter((k): k is string => typeof k === 'string');
  const running = keys.filter((k) => !keyDone(s.data_keys?.[k]));
  return { total: keys.length, ready: keys.length - running.length, running };
}

/** Refresh Dashboard, then wait for every report and SQL filter, then fetch each report's rows. */
export async function refreshDashboard(args: DashboardArgs, ctx: CallContext): Promise<ToolOutput> {
  await startWork(ctx, { id: args.id, parameters: args.parameters }, () => cancelRunning(args, undefined, ctx));
  return waitForDashboard(args, ctx);
}

/** Poll Dashboard Status: the status only, or (wait: true) the same wait and rows as refresh_dashboard. */
export async function pollDashboardStatus(args: DashboardArgs & { refresh_data?: boolean; wait?: boolean }, ctx: CallContext): Promise<ToolOutput> {
  if (args.wait) return waitForDashboard(args, ctx, args.refresh_data);
  const status = await fetchStatus(args, ctx, ctx.signal, args.refresh_data);
  const { total, ready } = pendingKeys(status);
  const reports = Object.entries(status.reports ?? {}).map(([id, r]) => statusLine(id, r, status));
  const structured = { dashboard_id: args.id, ready, total, reports, filters: publicFilters(status), status_check_delay: status.status_check_delay };
  const text = `${ready} of ${total} queries ready on dashboard ${args.id}.\n${reports.map((r) => `report ${r.id}: ${r.status}`).join('\n')}`;
  return { text, structured };
}

async function fetchStatus(args: DashboardArgs, ctx: CallContext, signal: AbortSignal, refresh = false): Promise<DashboardStatus> {
  return ((await ctx.request(ctx.ops.pollDashboardStatus, { id: args.id, refresh_data: refresh, parameters: args.parameters }, { signal })) ?? {}) as DashboardStatus;
}

async function waitForDashboard(args: DashboardArgs, ctx: CallContext, refreshFirst = false): Promise<ToolOutput> {
  let last: DashboardStatus | undefined;
  let first = refreshFirst;
  let waited;
  try {
    waited = await waitUntilDone<DashboardStatus>({
      poll: async (signal) => {
        last = await fetchStatus(args, ctx, signal, first);
        first = false;
        return last;
      },
      isDone: (s) => pendingKeys(s).running.length === 0,
      describe: (s, ms) => {
        const { total, ready } = pendingKeys(s);
        // Grows with time between readiness steps, so every notification advances (the spec requires it).
        const within = Math.min(ms / (args.max_wait_seconds * 1000 + 1), 0.99);
        return { progress: ready + within, total, message: `${ready} of ${total} reports and filters ready` };
      },
      hintMs: (s) => (typeof s.status_check_delay === 'number' ? Math.min(s.status_check_delay * 1000, MAX_HINT_MS) : undefined),
      budgetMs: args.max_wait_seconds * 1000,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
  } catch (err) {
    if (ctx.signal.aborted) await cancelRunning(args, last, ctx);
    throw err;
  }
  const status = waited.state;
  const names = await reportNames(args.id, ctx);
  if (!waited.done) {
    const { total, ready } = pendingKeys(status);
    const next = `poll_dashboard_status ${JSON.stringify({ id: args.id, wait: true, ...(args.parameters ? { parameters: args.parameters } : {}) })}`;
    const reports = Object.entries(status.reports ?? {}).map(([id, r]) => ({ ...statusLine(id, r, status), name: names.get(id) }));
    return {
      text: `Dashboard ${args.id}: ${ready} of ${total} queries ready after ${Math.round(waited.elapsedMs / 1000)} s. To keep waiting, call ${next}.\n${reports
        .map((r) => `${r.name ?? r.id}: ${r.status}`)
        .join('\n')}`,
      structured: { dashboard_id: args.id, done: false, ready, total, reports, next },
    };
  }
  // A retried read (expired token, dropped connection) needs a fresh token: read the status again, without refreshing.
  const freshGrant = async (reportId: string): Promise<DataGrant | undefined> => {
    const s = await fetchStatus(args, ctx, ctx.signal);
    const key = s.reports?.[reportId]?.data_key;
    const token = key ? s.data_keys?.[key]?.data_access_token : undefined;
    return key && token ? { data_key: key, data_access_token: token } : undefined;
  };
  const outcomes = await Promise.all(
    Object.entries(status.reports ?? {}).map(([id, r]) => reportOutcome(id, r, status, names.get(id), args.max_rows_per_report, ctx, () => freshGrant(id))),
  );
  const failed = outcomes.filter((o) => o.status !== 'success').length;
  const parts = outcomes.map((o) => {
    const head = `## ${o.name ?? `report ${o.id}`} (id ${o.id}): ${o.status}`;
    if (o.error) return `${head} — ${o.error}`;
    if (!o.rows?.length) return `${head}, no rows`;
    const shown = o.truncated ? `, showing ${o.rows.length} of ${o.total_rows} rows (get_report_data pages further)` : `, ${o.total_rows} rows`;
    return `${head}${shown}\n${renderTable(o.columns ?? [], o.rows)}`;
  });
  const filters = publicFilters(status);
  const text = [`Dashboard ${args.id}: ${outcomes.length} reports, ${failed ? `${failed} failed` : 'all succeeded'}.`, ...parts].join('\n\n');
  return { text, structured: { dashboard_id: args.id, done: true, reports: outcomes, filters } };
}

/** After the client cancelled: cancel every query of the dashboard still running (reading the status afresh if none was seen yet). */
async function cancelRunning(args: DashboardArgs, last: DashboardStatus | undefined, ctx: CallContext): Promise<void> {
  let status = last;
  if (!status) {
    try {
      status = await fetchStatus(args, ctx, AbortSignal.timeout(5_000));
    } catch (err) {
      ctx.logger.warn({ dashboard: args.id, error: (err as Error).message }, 'could not read the dashboard status to cancel its queries');
      return;
    }
  }
  const running = pendingKeys(status)
    .running.map((k) => status?.data_keys?.[k]?.execution_id)
    .filter((e): e is string => typeof e === 'string');
  await Promise.all(running.map((e) => cancelExecutionQuietly(e, ctx)));
}

function statusLine(id: string, r: { data_key?: string; [k: string]: unknown }, s: DashboardStatus) {
  const k = r.data_key ? s.data_keys?.[r.data_key] : undefined;
  const error = typeof r.error === 'string' ? r.error : typeof r.error_message === 'string' ? r.error_message : undefined;
  return {
    id,
    status: error ? 'error' : (k?.result_status ?? 'unknown'),
    ...(k?.execution_status ? { execution_status: k.execution_status } : {}),
    ...(k?.running !== undefined ? { running: k.running } : {}),
    ...(k?.data_timestamp ? { data_timestamp: k.data_timestamp } : {}),
    ...(error ? { error } : {}),
  };
}

async function reportOutcome(
  id: string,
  r: { data_key?: string; [k: string]: unknown },
  status: DashboardStatus,
  name: string | undefined,
  maxRows: number,
  ctx: CallContext,
  freshGrant: () => Promise<DataGrant | undefined>,
): Promise<ReportOutcome> {
  const line = statusLine(id, r, status);
  const key = r.data_key;
  const k = key ? status.data_keys?.[key] : undefined;
  if (!key || !k || k.result_status !== 'success' || !k.data_access_token) {
    return { id, name, status: line.status, ...(line.error ? { error: line.error } : {}) };
  }
  try {
    const fromStatus: DataGrant = { data_key: key, data_access_token: k.data_access_token };
    let grants = 0;
    const grant = async () => (grants++ === 0 ? fromStatus : freshGrant());
    const page = await withDataGrant(ctx, `dashboard report ${id}`, grant, (g) =>
      ctx.data.getResultPage(g, { offset: 0, limit: maxRows, maxChars: MAX_PAGE_CHARS / 4 }, 'getResultData', ctx.signal),
    );
    if (!page) return { id, name, status: 'error', error: 'Cluvio granted no data for it; refresh the dashboard again' };
    const rows = page.rows as unknown[][];
    const total = page.totalRows ?? rows.length;
    return { id, name, status: 'success', columns: fieldsToColumns(page.meta.fields), rows, total_rows: total, truncated: rows.length < total };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { id, name, status: 'error', error: `could not read its data: ${(err as Error).message}` };
  }
}

/** Report names from Get Dashboard (include=reports); an unreadable dashboard, or a report without a name, leaves the name out. */
async function reportNames(id: string, ctx: CallContext): Promise<Map<string, string>> {
  try {
    const doc = flattenDocument(await ctx.request(ctx.ops.getDashboard, { id, include: 'reports' }));
    return new Map((doc.included?.reports ?? []).flatMap((r: Flat) => (typeof r.name === 'string' && r.name ? [[String(r.id), r.name] as const] : [])));
  } catch {
    return new Map();
  }
}

/** Filter statuses without data keys or tokens. */
function publicFilters(s: DashboardStatus): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, f] of Object.entries(s.filters ?? {})) {
    const { data_key: _key, ...rest } = f;
    out[id] = redactSecrets(rest, false);
  }
  return out;
}

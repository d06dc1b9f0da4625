/**
 * SQL alert runs (Run SQL Alert Query) and their results (List SQL Alert Results).
 *
 * A run is an execution of type sql_alert on the alert's datasource. When it ends, the
 * trigger_condition is evaluated on the result (has_results / no_results on the row count; the
 * comparisons on the first column of the first row against trigger_value), the alert's last_*
 * attributes are updated, and a result is recorded (newest first, kept 30 days).
 */
import { ApiError } from '../http.js';
import type { ResourceRecord } from '../org/store.js';
import { TERMINAL, type ExecutionRecord, type SandboxState } from '../state.js';
import { WorkQueries, querySource } from './queries.js';
import type { ExecutionRunner } from './runner.js';
import { firstRows } from './rows.js';

export type AlertResultStatus = 'ok' | 'alert_triggered' | 'alert_error' | 'query_error' | 'internal_error' | 'internal_timeout' | 'cancelled';

export interface AlertResult {
  seq: number;
  result_status: AlertResultStatus;
  error_message?: string;
  sql_query: string;
  sql_query_duration: number;
  created_at: string;
}

const RETENTION_MS = 30 * 24 * 3600_000;

/** Evaluate a trigger condition: triggered, or an alert error message. */
export function evaluate(condition: string, triggerValue: unknown, rowCount: number, first: unknown): { triggered: boolean } | { error: string } {
  switch (condition) {
    case 'has_results':
      return { triggered: rowCount > 0 };
    case 'no_results':
      return { triggered: rowCount === 0 };
    case 'greater_than':
    case 'lower_than':
    case 'equal':
    case 'not_equal': {
      if (typeof triggerValue !== 'number' || !Number.isFinite(triggerValue)) {
        return { error: `trigger condition ${condition} needs a numeric trigger_value` };
      }
      if (rowCount === 0) return { error: 'the alert query returned no rows: a comparison needs a numeric value in the first column of the first row' };
      const n = typeof first === 'number' ? first : typeof first === 'string' && first.trim() !== '' ? Number(first) : NaN;
      if (!Number.isFinite(n)) {
        return { error: `the first column of the first row is not a number (${JSON.stringify(first)}): ${condition} needs a numeric result` };
      }
      const triggered =
        condition === 'greater_than' ? n > triggerValue : condition === 'lower_than' ? n < triggerValue : condition === 'equal' ? n === triggerValue : n !== triggerValue;
      return { triggered };
    }
    default:
      return { error: `unknown trigger condition "${condition}"` };
  }
}

export class SqlAlerts {
  private readonly results = new Map<string, AlertResult[]>();
  private seq = 0;

  constructor(
    private readonly state: SandboxState,
    private readonly runner: ExecutionRunner,
  ) {}

  /** Start the alert query; while one is running, its execution is returned instead of a second one. */
  run(alert: ResourceRecord): ExecutionRecord {
    const { sql, datasourceId } = WorkQueries.orUnprocessable(() => querySource(this.state, alert, 'SQL alert'));
    const runningId = alert.attributes['running_execution_id'];
    if (typeof runningId === 'string') {
      const running = this.state.executions.get(runningId);
      if (running !== undefined && !TERMINAL.has(running.status)) return running;
    }
    // The first value is read before the execution reports success, so that a caller who sees the
    // execution finished also sees the alert's updated last_* attributes.
    let first: { value: unknown } | { error: string } = { value: undefined };
    const ex = this.runner.create(datasourceId, sql, null, undefined, {
      type: 'sql_alert',
      beforeSuccess: async (done) => {
        try {
          const rows = done.rowCount !== null && done.rowCount > 0 ? await firstRows(this.state, done, 1) : [];
          first = { value: rows[0]?.[0] };
        } catch (e) {
          first = { error: (e as Error).message };
        }
      },
      onFinish: (done) => this.finished(alert, done, first),
    });
    alert.attributes['running_execution_id'] = ex.id;
    return ex;
  }

  private finished(alert: ResourceRecord, ex: ExecutionRecord, first: { value: unknown } | { error: string }): void {
    // The stored record may have been replaced by an update since the run started.
    const a = (this.state.records.get('sql_alerts', alert.id) ?? alert).attributes;
    let status: AlertResultStatus;
    let alertError: string | null = null;
    let queryError: string | null = null;
    if (ex.status === 'success') {
      if ('error' in first) {
        status = 'internal_error';
        alertError = first.error;
      } else {
        const r = evaluate(String(a['trigger_condition'] ?? 'has_results'), a['trigger_value'], ex.rowCount ?? 0, first.value);
        if ('error' in r) {
          status = 'alert_error';
          alertError = r.error;
        } else status = r.triggered ? 'alert_triggered' : 'ok';
      }
      a['last_query_success'] = ex.completedAt;
    } else if (ex.status === 'query_error') {
      status = 'query_error';
      queryError = ex.queryError ?? 'query error';
    } else if (ex.status === 'cancelled') {
      status = 'cancelled';
    } else if (ex.status === 'timed_out' || ex.status === 'internal_timeout') {
      status = 'internal_timeout';
      queryError = ex.queryError;
    } else {
      status = 'internal_error';
      queryError = ex.queryError;
    }
    a['last_result_status'] = status;
    a['last_error_message'] = alertError;
    a['last_query_error_message'] = queryError;
    a['last_query_run'] = ex.startedAt ?? ex.createdAt;
    if (a['running_execution_id'] === ex.id) a['running_execution_id'] = null;

    const started = Date.parse(ex.startedAt ?? ex.createdAt);
    const ended = Date.parse(ex.completedAt ?? ex.updatedAt);
    const result: AlertResult = {
      seq: ++this.seq,
      result_status: status,
      sql_query: ex.sqlQuery,
      sql_query_duration: Math.max(0, ended - started),
      created_at: ex.completedAt ?? ex.updatedAt,
    };
    const message = alertError ?? queryError;
    if (message !== null) result.error_message = message;
    let list = this.results.get(alert.id);
    if (list === undefined) this.results.set(alert.id, (list = []));
    list.unshift(result);
  }

  /** `{cursor?, count, items}`, newest first; the cursor continues with older results. */
  list(alertId: string, cursor: string | null, limitText: string | null): Record<string, unknown> {
    let limit = 100;
    if (limitText !== null) {
      limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ApiError(400, 'query parameter "limit" must be an integer from 1 to 1000');
    }
    let before = Infinity;
    if (cursor !== null && cursor !== '') {
      const decoded = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^seq:/, ''));
      if (!Number.isInteger(decoded) || decoded < 0) throw new ApiError(400, 'invalid cursor');
      before = decoded;
    }
    const cutoff = Date.now() - RETENTION_MS;
    const all = (this.results.get(alertId) ?? []).filter((r) => Date.parse(r.created_at) >= cutoff);
    const rest = all.filter((r) => r.seq < before);
    const page = rest.slice(0, limit);
    const out: Record<string, unknown> = {};
    if (rest.length > page.length) {
      const last = page[page.length - 1];
      if (last !== undefined) out['cursor'] = Buffer.from(`seq:${last.seq}`).toString('base64url');
    }
    out['count'] = all.length;
    out['items'] = page.map(({ seq: _seq, ...item }) => item);
    return out;
  }
}

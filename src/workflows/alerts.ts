import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { cancelStartedExecution, waitForExecution } from './executions.js';
import { startWork } from './work.js';

/** Run SQL Alert Query → wait for its execution → read the alert's last result: did it trigger? */
export async function runSqlAlertQuery(args: { id: string; max_wait_seconds: number }, ctx: CallContext): Promise<ToolOutput> {
  const started = (await startWork(ctx, { id: args.id }, cancelStartedExecution(ctx))) as { execution_id?: unknown } | undefined;
  const executionId = typeof started?.execution_id === 'string' ? started.execution_id : undefined;
  if (executionId) {
    const waited = await waitForExecution(executionId, 'Alert query', args.max_wait_seconds, ctx);
    if (!waited.done) {
      const next = `get_sql_alert {"id":"${args.id}"}`;
      return { text: `Alert ${args.id} query is still ${waited.state.execution_status}; see its last_result_status later with ${next}.`, structured: { alert_id: args.id, execution_id: executionId, status: String(waited.state.execution_status), next } };
    }
  }
  const alert = flattenDocument(await ctx.request(ctx.ops.getSqlAlert, { id: args.id })).data as Flat;
  const result = String(alert.last_result_status ?? 'unknown');
  const triggered = result === 'alert_triggered';
  const error = [alert.last_query_error_message, alert.last_error_message].find((m) => typeof m === 'string' && m) as string | undefined;
  const failed = ['alert_error', 'query_error', 'internal_error', 'internal_timeout', 'cancelled'].includes(result);
  const text = triggered
    ? `Alert "${alert.name ?? args.id}" TRIGGERED${conditionText(alert)}; recipients are e-mailed per its settings.`
    : failed
      ? `Alert "${alert.name ?? args.id}" could not be evaluated: ${result}${error ? ` — ${error}` : ''}.`
      : `Alert "${alert.name ?? args.id}" did not trigger (result ${result}).`;
  return {
    text,
    structured: { alert_id: args.id, execution_id: executionId, triggered, last_result_status: result, ...(error ? { error } : {}), last_query_run: alert.last_query_run },
    ...(failed ? { isError: true } : {}),
  };
}

/** " (condition greater_than 10)", " (trigger value 10)" when the alert has no condition, "" when it has neither. */
function conditionText(alert: Flat): string {
  const value = alert.trigger_value !== undefined && alert.trigger_value !== null ? String(alert.trigger_value) : undefined;
  if (typeof alert.trigger_condition === 'string' && alert.trigger_condition) return ` (condition ${alert.trigger_condition}${value !== undefined ? ` ${value}` : ''})`;
  return value !== undefined ? ` (trigger value ${value})` : '';
}

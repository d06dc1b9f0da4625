import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { cancelStartedExecution, waitForExecution } from './executions.js';
import { startWork } from './work.js';

/** Start the metadata refresh, then follow its execution until it ends or the budget runs out. */
export async function refreshDatasource(args: { id: string; max_wait_seconds: number }, ctx: CallContext): Promise<ToolOutput> {
  const started = (await startWork(ctx, args, cancelStartedExecution(ctx))) as { execution_id?: unknown } | undefined;
  const executionId = typeof started?.execution_id === 'string' ? started.execution_id : undefined;
  if (!executionId) {
    return { text: `Refresh of datasource ${args.id} started.`, structured: { datasource_id: args.id, status: 'started' } };
  }
  const waited = await waitForExecution(executionId, 'Metadata refresh', args.max_wait_seconds, ctx);
  const status = String(waited.state.execution_status);
  const structured = { datasource_id: args.id, execution_id: executionId, status };
  if (!waited.done) {
    return {
      text: `Metadata refresh of datasource ${args.id} is still ${status}; check it with get_execution {"id":"${executionId}"}.`,
      structured,
    };
  }
  if (status !== 'success') {
    return { text: `Metadata refresh of datasource ${args.id} ended with status ${status}. Check the connection with test_datasource_connection.`, structured, isError: true };
  }
  return { text: `Metadata of datasource ${args.id} refreshed; get_datasource_schema shows the current tables.`, structured };
}

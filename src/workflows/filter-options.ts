import type { CallContext } from '../context.js';
import { parseFilterOptions } from '../cluvio/filter-options.js';
import type { ToolOutput } from '../results/output.js';
import { cancelStartedExecution, waitForExecution } from './executions.js';
import { startWork } from './work.js';

const MAX_OPTIONS = 200;

/** Options as `value (name)` lines, capped. */
export function presentOptions(filterId: string, body: unknown): ToolOutput {
  const options = parseFilterOptions(body);
  const shown = options.slice(0, MAX_OPTIONS);
  const structured = { filter_id: filterId, options: shown, total: options.length, truncated: options.length > shown.length };
  if (options.length === 0) return { text: `Filter ${filterId} has no options available; refresh_drop_down_filter_options runs its query.`, structured };
  const lines = shown.map((o) => (o.name !== undefined && o.name !== null && o.name !== o.value ? `${JSON.stringify(o.value)} (${String(o.name)})` : JSON.stringify(o.value)));
  return { text: `Filter ${filterId}: ${options.length} options${structured.truncated ? `, showing ${shown.length}` : ''}.\n${lines.join('\n')}`, structured };
}

export async function getDropDownFilterOptions(args: { id: string } & Record<string, unknown>, ctx: CallContext): Promise<ToolOutput> {
  return presentOptions(args.id, await ctx.request(ctx.ops.getDropDownFilterOptions, args));
}

/** Refresh the options by running the filter's query, wait for it, then return the options. */
export async function refreshDropDownFilterOptions(args: { id: string; max_wait_seconds: number } & Record<string, unknown>, ctx: CallContext): Promise<ToolOutput> {
  const started = (await startWork(ctx, args, cancelStartedExecution(ctx))) as { execution_id?: unknown } | undefined;
  const executionId = started?.execution_id;
  if (typeof executionId === 'string' || typeof executionId === 'number') {
    const id = String(executionId);
    const waited = await waitForExecution(id, 'Filter query', args.max_wait_seconds, ctx);
    const status = String(waited.state.execution_status);
    if (!waited.done) return { text: `Filter ${args.id} query is still ${status}; call get_drop_down_filter_options later.`, structured: { filter_id: args.id, execution_id: id, status } };
    if (status !== 'success') {
      const msg = typeof waited.state.query_error === 'string' ? `: ${waited.state.query_error}` : '';
      return { text: `Filter ${args.id} query ended ${status}${msg}.`, structured: { filter_id: args.id, execution_id: id, status }, isError: true };
    }
  }
  const { max_wait_seconds: _wait, ...rest } = args;
  return presentOptions(args.id, await ctx.request(ctx.ops.getDropDownFilterOptions, rest));
}

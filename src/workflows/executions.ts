import { z } from 'zod';
import type { DataGrant } from '../cluvio/data-client.js';
import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { renderTable, type Column } from '../results/table.js';
import { withDataGrant } from './data-grant.js';
import { startWork, waitUntilDone, type WaitResult } from './work.js';

export const RUNNING = new Set(['starting', 'running', 'waiting', 'scheduled']);
/** Page text stays under this many characters of row JSON, whatever max_rows says. */
export const MAX_PAGE_CHARS = 60_000;

export const executionResultSchema = z.object({
  execution_id: z.string(),
  status: z.string(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  rows: z.array(z.array(z.unknown())).optional(),
  total_rows: z.number().optional(),
  offset: z.number().optional(),
  truncated: z.boolean().optional(),
  error: z.string().optional(),
  next: z.string().optional(),
});
export type ExecutionResult = z.infer<typeof executionResultSchema>;

export interface RowsArgs {
  offset?: number;
  max_rows: number;
  max_wait_seconds: number;
}

/** For startWork: cancel the execution named by the answer's `execution_id`, if any. */
export function cancelStartedExecution(ctx: CallContext): (answer: unknown) => Promise<void> {
  return async (answer) => {
    const id = (answer as { execution_id?: unknown } | undefined)?.execution_id;
    if (typeof id === 'string' || typeof id === 'number') await cancelQuietly(String(id), ctx);
  };
}

export async function runExecution(
  args: { datasource_id: string; sql_query: string; r_query?: string; parameters?: unknown } & RowsArgs,
  ctx: CallContext,
): Promise<ToolOutput> {
  // A query slot is held from the start until the wait ends (done, failed, cancelled or out of budget).
  const release = await ctx.queries?.acquire(ctx.signal);
  try {
    const started = executionOf(
      await startWork(ctx, { ...args }, async (answer) => {
        let id: string;
        try {
          id = executionOf(answer).id as string;
        } catch {
          return; // nothing to cancel
        }
        await cancelQuietly(id, ctx);
      }),
    );
    return await finish(started, { ...args, offset: 0 }, ctx);
  } finally {
    release?.();
  }
}

export async function getExecutionData(args: { id: string } & RowsArgs, ctx: CallContext): Promise<ToolOutput> {
  const current = await getExecution(args.id, ctx, ctx.signal);
  return finish(current, args, ctx);
}

function executionOf(body: unknown): Flat {
  const flat = flattenDocument(body).data as Flat | null;
  if (!flat || typeof flat.id !== 'string') throw new Error('Cluvio returned no execution id');
  return flat;
}

async function getExecution(id: string, ctx: CallContext, signal: AbortSignal): Promise<Flat> {
  return executionOf(await ctx.request(ctx.ops.getExecution, { id }, { signal }));
}

/** Wait for the execution (cancelling it upstream if the client gives up), then shape its outcome. */
export async function finish(execution: Flat, args: RowsArgs, ctx: CallContext): Promise<ToolOutput> {
  const id = execution.id as string;
  const waited = await waitForExecution(id, 'Execution', args.max_wait_seconds, ctx, execution);
  const status = String(waited.state.execution_status);
  if (!waited.done) {
    const next = `get_execution_data {"id":"${id}","offset":${args.offset ?? 0}}`;
    return {
      text: `Execution ${id} is still ${status} after ${Math.round(waited.elapsedMs / 1000)} s. To keep waiting and get the rows, call ${next}.`,
      structured: { execution_id: id, status, next },
    };
  }
  if (status !== 'success') return failed(id, status, waited.state);
  return rowsOf(waited.state, args, ctx);
}

/**
 * Follow an execution until it ends or the budget runs out, reporting progress; if the client
 * cancels the call, cancel the execution in Cluvio too.
 */
export async function waitForExecution(id: string, label: string, maxWaitSeconds: number, ctx: CallContext, initial?: Flat): Promise<WaitResult<Flat>> {
  try {
    return await waitUntilDone<Flat>({
      initial,
      poll: (signal) => getExecution(id, ctx, signal),
      isDone: (e) => !RUNNING.has(String(e.execution_status)),
      describe: (e, ms) => ({ progress: Math.round(ms / 100) / 10, message: `${label} ${e.execution_status} (${(ms / 1000).toFixed(1)} s)` }),
      budgetMs: maxWaitSeconds * 1000,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
  } catch (err) {
    if (ctx.signal.aborted) await cancelQuietly(id, ctx);
    throw err;
  }
}

function failed(id: string, status: string, execution: Flat): ToolOutput {
  const message = typeof execution.query_error === 'string' ? execution.query_error : typeof execution.error_message === 'string' ? execution.error_message : undefined;
  const advice: Record<string, string> = {
    query_error: 'Fix the SQL and run it again.',
    cancelled: 'It was cancelled; run it again if the result is still needed.',
    timed_out: 'The database took too long; narrow the query (filters, LIMIT, aggregation) and run it again.',
    internal_timeout: 'Cluvio timed out internally; try again, or narrow the query.',
    internal_error: 'Cluvio failed internally; try again later.',
  };
  const text = `Execution ${id} ended with status ${status}${message ? `: ${message}` : ''}. ${advice[status] ?? ''}`.trim();
  return { text, structured: { execution_id: id, status, ...(message ? { error: message } : {}) }, isError: true };
}

async function rowsOf(execution: Flat, args: RowsArgs, ctx: CallContext): Promise<ToolOutput> {
  const id = execution.id as string;
  const offset = args.offset ?? 0;
  const known = typeof execution.result_rows === 'number' ? execution.result_rows : undefined;
  const page = await withDataGrant(ctx, `execution ${id}`, () => ctx.request(ctx.ops.getExecutionData, { id }) as Promise<DataGrant | undefined>, (grant) =>
    ctx.data.getResultPage(grant, { offset, limit: args.max_rows, maxChars: MAX_PAGE_CHARS, stopWhenFull: known !== undefined }, 'getResultData', ctx.signal),
  );
  if (!page) {
    return {
      text: `Execution ${id} succeeded but Cluvio has no result data for it (results are kept 24 h).`,
      structured: { execution_id: id, status: 'success', rows: [], total_rows: 0 },
    };
  }
  const columns = fieldsToColumns(page.meta.fields);
  const rows = page.rows as unknown[][];
  const total = known ?? page.totalRows ?? offset + rows.length;
  const truncated = offset + rows.length < total;
  const result: ExecutionResult = { execution_id: id, status: 'success', columns, rows, total_rows: total, offset, truncated };
  let summary = `Execution ${id} succeeded: ${total} row${total === 1 ? '' : 's'}, ${columns.length} column${columns.length === 1 ? '' : 's'}`;
  if (rows.length === 0) summary += offset > 0 ? `; no rows at offset ${offset}.` : '.';
  else summary += `; showing rows ${offset + 1}–${offset + rows.length}${page.cutBySize ? ` (cut at ${MAX_PAGE_CHARS / 1000} kB)` : ''}.`;
  if (truncated) {
    result.next = `get_execution_data {"id":"${id}","offset":${offset + rows.length}}`;
    summary += ` Next page: ${result.next}.`;
  }
  return { text: rows.length ? `${summary}\n${renderTable(columns, rows)}` : summary, structured: result };
}

/**
 * Fetch with a data grant; a token that expired on the way (401) is replaced once by a fresh one.
 * The data GET is safe to repeat, so a transient failure (timeout, dropped connection, truncated
 * body, 429/502/503/504) is retried with a fresh grant and backoff, DEFAULT_RETRY.maxAttempts in all.
 */
export function fieldsToColumns(fields: unknown): Array<Required<Column>> {
  if (!Array.isArray(fields)) return [];
  return fields.map((f: { name?: unknown; data_type?: unknown }, i) => ({
    name: typeof f?.name === 'string' ? f.name : `column_${i + 1}`,
    type: typeof f?.data_type === 'string' ? f.data_type : 'Other',
  }));
}

async function cancelQuietly(id: string, ctx: CallContext): Promise<void> {
  try {
    await ctx.request(ctx.ops.cancelExecution, { id }, { signal: AbortSignal.timeout(5_000) });
    ctx.logger.info({ execution: id }, 'cancelled upstream after the client cancelled');
  } catch (err) {
    ctx.logger.warn({ execution: id, error: (err as Error).message }, 'could not cancel execution upstream');
  }
}

export { cancelQuietly as cancelExecutionQuietly, getExecution };

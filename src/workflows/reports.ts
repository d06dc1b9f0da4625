import { z } from 'zod';
import type { DataGrant } from '../cluvio/data-client.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';
import { renderTable } from '../results/table.js';
import { withDataGrant } from './data-grant.js';
import { cancelExecutionQuietly, cancelStartedExecution, executionResultSchema, fieldsToColumns, finish, getExecution, MAX_PAGE_CHARS, type RowsArgs } from './executions.js';
import { startWork } from './work.js';

/** get_report_data's structuredContent: rows (JSON), CSV text, or no cached data. */
export const reportDataSchema = z.object({
  report_id: z.string(),
  status: z.enum(['success', 'no-data']).optional(),
  format: z.literal('csv').optional(),
  csv: z.string().optional(),
  columns: executionResultSchema.shape.columns,
  rows: executionResultSchema.shape.rows,
  total_rows: z.number().optional(),
  offset: z.number().optional(),
  truncated: z.boolean().optional(),
  data_timestamp: z.number().optional(),
});

/** Refresh Report → its execution id → wait → rows, exactly as run_execution returns them. */
export async function refreshReport(args: Record<string, unknown> & RowsArgs, ctx: CallContext): Promise<ToolOutput> {
  const started = (await startWork(ctx, args, cancelStartedExecution(ctx))) as { execution_id?: unknown } | undefined;
  const executionId = started?.execution_id;
  if (typeof executionId !== 'string' && typeof executionId !== 'number') throw new Error('Cluvio returned no execution id for the report refresh');
  let execution;
  try {
    execution = await getExecution(String(executionId), ctx, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) await cancelExecutionQuietly(String(executionId), ctx);
    throw err;
  }
  return finish(execution, { ...args, offset: 0 }, ctx);
}

/** Get Report Data: cached rows (JSON) or CSV text, capped; never a data key. 204 = nothing cached. */
export async function getReportData(
  args: { id: string; data_format?: 'json' | 'csv'; offset?: number; max_rows: number } & Record<string, unknown>,
  ctx: CallContext,
): Promise<ToolOutput> {
  const grant = () => ctx.request(ctx.ops.getReportData, args) as Promise<DataGrant | undefined>;
  const what = `report ${args.id}`;
  const noData: ToolOutput = {
    text: `Report ${args.id} has no cached data for these parameters. Call refresh_report with the same parameters to run its query.`,
    structured: { report_id: args.id, status: 'no-data' },
  };
  if (args.data_format === 'csv') {
    const csv = await withDataGrant(ctx, what, grant, (g) => ctx.data.getText(g, MAX_PAGE_CHARS, 'getResultData', ctx.signal));
    if (!csv) return noData;
    const note = csv.cut ? `\n(CSV cut at ${MAX_PAGE_CHARS / 1000} kB; export_report_csv gives the whole file as a download link.)` : '';
    return { text: csv.text + note, structured: { report_id: args.id, format: 'csv', csv: csv.text, truncated: csv.cut } };
  }
  const offset = args.offset ?? 0;
  const page = await withDataGrant(ctx, what, grant, (g) =>
    ctx.data.getResultPage(g, { offset, limit: args.max_rows, maxChars: MAX_PAGE_CHARS }, 'getResultData', ctx.signal),
  );
  if (!page) return noData;
  const columns = fieldsToColumns(page.meta.fields);
  const rows = page.rows as unknown[][];
  const total = page.totalRows ?? offset + rows.length;
  const truncated = offset + rows.length < total;
  const summary = `Report ${args.id}: ${total} rows, ${columns.length} columns${rows.length ? `; showing rows ${offset + 1}–${offset + rows.length}` : ''}${
    truncated ? `. Next page: get_report_data with offset=${offset + rows.length}` : ''
  }.`;
  return {
    text: rows.length ? `${summary}\n${renderTable(columns, rows)}` : summary,
    structured: {
      report_id: args.id,
      status: 'success',
      columns,
      rows,
      total_rows: total,
      offset,
      truncated,
      ...(typeof page.meta.data_timestamp === 'number' ? { data_timestamp: page.meta.data_timestamp } : {}),
    },
  };
}

/**
 * Reading a finished execution's rows back from the engine (in bounded batches) and rendering
 * them as CSV. Used by the data server (CSV report data) and by export jobs.
 */
import type { CsvFormat, ExecutionRecord, SandboxState } from '../state.js';
import { str, type Member } from '../validate.js';

/** Rows per batch read from the engine (approximate: batches are ctid block ranges). */
const BATCH_ROWS = 20_000;

export const DEFAULT_CSV: CsvFormat = { separator: ',', decimal: '.', quote: 'necessary' };

/**
 * The rows of a successful execution as JSON text, batch by batch (each at most ~BATCH_ROWS rows):
 * the rows' arrays joined by commas, without the enclosing brackets.
 */
export async function* rowJsonBatches(state: SandboxState, ex: ExecutionRecord): AsyncGenerator<string> {
  const store = ex.store;
  const columns = ex.columns;
  if (store === null || columns === null) throw new Error('result data no longer available');
  if (store.kind === 'inline') {
    for (let i = 0; i < store.rowsJson.length; i += BATCH_ROWS) yield store.rowsJson.slice(i, i + BATCH_ROWS).join(',');
    return;
  }
  const engineDb = state.datasources.get(ex.datasourceId)?.engineDb;
  if (engineDb == null) throw new Error('result data no longer available');
  const rows = ex.rowCount ?? 0;
  const perBlock = store.blocks > 0 ? rows / store.blocks : 1;
  const step = Math.max(1, Math.floor(BATCH_ROWS / Math.max(1, perBlock)));
  for (let b = 0; b < store.blocks; b += step) {
    const batch = await state.engine.fetch(engineDb, store.table, columns.length, b, b + step);
    if (batch.rows > 0) yield batch.json;
  }
}

/** The rows of a successful execution, batch by batch. */
export async function* rowBatches(state: SandboxState, ex: ExecutionRecord): AsyncGenerator<unknown[][]> {
  for await (const json of rowJsonBatches(state, ex)) yield JSON.parse(`[${json}]`) as unknown[][];
}

/** The first `limit` rows of a successful execution. */
export async function firstRows(state: SandboxState, ex: ExecutionRecord, limit: number): Promise<unknown[][]> {
  const out: unknown[][] = [];
  if (limit <= 0) return out;
  for await (const batch of rowBatches(state, ex)) {
    for (const row of batch) {
      out.push(row);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function csvField(v: unknown, fmt: CsvFormat): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'number') s = fmt.decimal === '.' ? String(v) : String(v).replace('.', fmt.decimal);
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else s = JSON.stringify(v);
  const needs = fmt.quote === 'always' || s.includes(fmt.separator) || s.includes('"') || s.includes('\n') || s.includes('\r');
  return needs ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with its trailing newline). Nulls are empty fields. */
export function csvLine(values: readonly unknown[], fmt: CsvFormat): string {
  return values.map((v) => csvField(v, fmt)).join(fmt.separator) + '\n';
}

/** The csv_* options of Get Report Data (null = the default). */
export const CSV_OPTIONS: Record<string, Member> = {
  csv_column_separator: { field: str({ enum: [',', ';', '\t'] }), nullable: true },
  csv_decimal_separator: { field: str({ enum: ['.', ',', '/'] }), nullable: true },
  csv_quote_style: { field: str({ enum: ['necessary', 'always'] }), nullable: true },
};

/** The CSV format checked csv_* options ask for. */
export function csvFormat(body: Record<string, unknown>): CsvFormat {
  return {
    separator: (body['csv_column_separator'] as CsvFormat['separator'] | null | undefined) ?? DEFAULT_CSV.separator,
    decimal: (body['csv_decimal_separator'] as CsvFormat['decimal'] | null | undefined) ?? DEFAULT_CSV.decimal,
    quote: (body['csv_quote_style'] as CsvFormat['quote'] | null | undefined) ?? DEFAULT_CSV.quote,
  };
}

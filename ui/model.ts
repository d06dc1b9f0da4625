// The view's data model: tool structuredContent → panels (which chart fits a panel: src/charts/plan.ts).
// Pure functions, no DOM: unit-tested in test/apps/model.test.ts.
import { cellLabel, isNumericType, isTimeType, toNumber, toTime, type Column } from '../src/charts/data.js';

export type { Column };

/** One result to show: a query's page of rows, or a report that has no rows (status, error). */
export interface Panel {
  title?: string;
  status?: string;
  error?: string;
  /** A line to show instead of (or above) the data, e.g. "still running". */
  message?: string;
  columns: Column[];
  rows: unknown[][];
  /** Rows in the whole result; rows.length when unknown. */
  total: number;
  offset: number;
  truncated: boolean;
}

export interface ViewModel {
  heading?: string;
  panels: Panel[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function columnsOf(v: unknown): Column[] {
  if (!Array.isArray(v)) return [];
  return v.map((c, i) => ({
    name: isRecord(c) && typeof c.name === 'string' ? c.name : `column_${i + 1}`,
    type: isRecord(c) && typeof c.type === 'string' ? c.type : 'Other',
  }));
}

function rowsOf(v: unknown): unknown[][] {
  return Array.isArray(v) ? v.filter(Array.isArray) : [];
}

function panelOf(s: Record<string, unknown>, title?: string): Panel {
  const rows = rowsOf(s.rows);
  const offset = typeof s.offset === 'number' ? s.offset : 0;
  const total = typeof s.total_rows === 'number' ? s.total_rows : offset + rows.length;
  return {
    title,
    status: typeof s.status === 'string' ? s.status : undefined,
    error: typeof s.error === 'string' ? s.error : isRecord(s.error) && typeof s.error.message === 'string' ? s.error.message : undefined,
    columns: columnsOf(s.columns),
    rows,
    total,
    offset,
    truncated: s.truncated === true || offset + rows.length < total,
  };
}

/** Minimal RFC 4180 CSV (get_report_data with data_format csv): quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field), out.push(row), (row = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || row.length) row.push(field), out.push(row);
  return out;
}

/** Column types for untyped data (CSV): numeric if every non-empty cell is, time if every one parses as ISO. */
export function inferTypes(names: string[], rows: unknown[][]): Column[] {
  return names.map((name, i) => {
    const cells = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined && v !== '');
    if (cells.length && cells.every((v) => toNumber(v) !== null)) return { name, type: 'Float' };
    if (cells.length && cells.every((v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && toTime(v) !== null)) return { name, type: 'DateTime' };
    return { name, type: 'String' };
  });
}

/**
 * The panels for any of the tools that advertise the view: run_execution, get_execution_data, refresh_report,
 * get_report_data (rows or CSV) and refresh_dashboard (one panel per report). Unknown shapes give no panel.
 */
export function viewModelOf(structured: unknown, isError = false, text?: string): ViewModel {
  if (!isRecord(structured)) {
    return { panels: text || isError ? [{ columns: [], rows: [], total: 0, offset: 0, truncated: false, error: isError ? (text ?? 'The tool failed.') : undefined, message: isError ? undefined : text }] : [] };
  }
  const s = structured;
  if (Array.isArray(s.reports) && typeof s.dashboard_id === 'string') {
    const done = s.done !== false;
    return {
      heading: `Dashboard ${s.dashboard_id}`,
      panels: s.reports.filter(isRecord).map((r) => {
        const p = panelOf(r, typeof r.name === 'string' && r.name ? r.name : `Report ${String(r.id ?? '')}`);
        if (!done && !p.rows.length) p.message = `Still ${p.status ?? 'running'}.`;
        else if (p.status && p.status !== 'success' && !p.error) p.message = `Status: ${p.status}.`;
        return p;
      }),
    };
  }
  if (s.format === 'csv' && typeof s.csv === 'string') {
    const [head = [], ...body] = parseCsv(s.csv);
    const rows = body.filter((r) => !(r.length === 1 && r[0] === ''));
    const columns = inferTypes(head, rows);
    const typed = rows.map((r) => r.map((v, i) => (columns[i]?.type === 'Float' ? toNumber(v) : v)));
    return {
      heading: typeof s.report_id === 'string' ? `Report ${s.report_id}` : undefined,
      panels: [{ columns, rows: typed, total: typed.length, offset: 0, truncated: s.truncated === true, message: s.truncated === true ? 'CSV cut at the size limit.' : undefined }],
    };
  }
  const heading = typeof s.report_id === 'string' ? `Report ${s.report_id}` : undefined;
  const p = panelOf(s);
  if (isError && !p.error) p.error = text ?? `Status: ${p.status ?? 'error'}.`;
  if (s.status === 'no-data') p.message = 'No cached data for these parameters: refresh_report runs the query.';
  else if (typeof s.next === 'string' && !p.rows.length && !p.error) p.message = `Still ${p.status ?? 'running'}; the result is not ready yet.`;
  return { heading, panels: [p] };
}

/** "Showing 100 of 1,000,000 rows" / "Showing rows 101–200 of 5,000" / "34 rows". */
export function rowsCaption(p: Pick<Panel, 'rows' | 'total' | 'offset' | 'truncated'>, locale?: string): string {
  const n = (x: number) => x.toLocaleString(locale ?? 'en-US');
  const shown = p.rows.length;
  if (p.offset > 0 && shown > 0) return `Showing rows ${n(p.offset + 1)}–${n(p.offset + shown)} of ${n(p.total)}`;
  if (p.truncated || shown < p.total) return `Showing ${n(shown)} of ${n(p.total)} rows`;
  return `${n(p.total)} row${p.total === 1 ? '' : 's'}`;
}

/** Compare two cells of a column for sorting: numbers and times by value, text by locale; empty cells last. */
export function compareCells(a: unknown, b: unknown, type: string): number {
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  if (empty(a) || empty(b)) return empty(a) === empty(b) ? 0 : empty(a) ? 1 : -1;
  if (isNumericType(type)) {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== null && y !== null) return x - y;
  }
  if (isTimeType(type)) {
    const x = toTime(a);
    const y = toTime(b);
    if (x !== null && y !== null) return x - y;
  }
  return cellLabel(a).localeCompare(cellLabel(b), undefined, { numeric: true });
}

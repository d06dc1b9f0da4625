// The view's data model: tool structuredContent → panels, and which chart (if any) fits a panel.
// Pure functions, no DOM: unit-tested in test/apps/model.test.ts.

export interface Column {
  name: string;
  type: string;
}

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

export type ViewKind = 'line' | 'area' | 'bar' | 'table';

export interface Series {
  name: string;
  values: Array<number | null>;
  /** Palette slot (1-based colour), stable when other series are hidden. */
  color?: number;
}

/** What to draw: the x values (time in ms, or category labels) and one or more numeric series. */
export interface ChartData {
  x: { name: string; time: boolean; values: Array<number | string> };
  series: Series[];
}

export interface Plan {
  /** The view chosen from the column types; the user can switch to any of `options`. */
  initial: ViewKind;
  options: ViewKind[];
  chart?: ChartData;
}

const TIME_TYPES = new Set(['DateTime', 'Date', 'Timestamp', 'TimestampTz']);
const NUMERIC_TYPES = new Set(['Integer', 'BigInt', 'Float', 'Number', 'Numeric', 'Decimal', 'Double', 'Int', 'Long']);
const CATEGORY_TYPES = new Set(['String', 'Text', 'Boolean']);

/** Bars get unreadable past this; more categories → table. */
export const MAX_BARS = 60;
/** At most this many lines or bar groups; further numeric columns stay in the table. */
export const MAX_SERIES = 8;

export const isTimeType = (t: string) => TIME_TYPES.has(t);
export const isNumericType = (t: string) => NUMERIC_TYPES.has(t);

/** A number from a cell: numbers, numeric strings (BigInt/Decimal often arrive as text); else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  if (typeof v === 'boolean') return null;
  return null;
}

/** Milliseconds since the epoch from a Date/DateTime cell; null when it does not parse. */
export function toTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const s = v.trim();
  // "2024-01-01" is a calendar date: read it as UTC midnight so it does not shift with the viewer's zone.
  // PostgreSQL text output ("2024-01-01 12:00:00+00") gets the ISO separator and a full offset.
  const iso = s.replace(' ', 'T').replace(/(:\d{2}(?:\.\d+)?)([+-]\d{2})(\d{2})?$/, (_, t: string, h: string, m?: string) => `${t}${h}:${m ?? '00'}`);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
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

/** Line/area over a time column, bars over a category column, else only the table. */
export function planView(columns: Column[], rows: unknown[][]): Plan {
  const table: Plan = { initial: 'table', options: ['table'] };
  if (rows.length === 0 || columns.length < 2) return table;
  const numeric = columns.map((c, i) => (isNumericType(c.type) ? i : -1)).filter((i) => i >= 0);
  const timeIdx = columns.findIndex((c) => isTimeType(c.type));
  if (timeIdx >= 0) {
    const chart = timeChart(columns, rows, timeIdx, numeric);
    if (chart) return { initial: 'line', options: ['line', 'area', 'bar', 'table'], chart };
  }
  const catIdx = columns.findIndex((c) => CATEGORY_TYPES.has(c.type));
  if (catIdx >= 0 && numeric.length > 0 && rows.length <= MAX_BARS) {
    const series = numeric.slice(0, MAX_SERIES).map((i) => ({ name: columns[i]!.name, values: rows.map((r) => toNumber(r[i])) }));
    if (series.some((s) => s.values.some((v) => v !== null))) {
      return { initial: 'bar', options: ['bar', 'table'], chart: { x: { name: columns[catIdx]!.name, time: false, values: rows.map((r) => label(r[catIdx])) }, series } };
    }
  }
  return table;
}

function label(v: unknown): string {
  if (v === null || v === undefined) return '(null)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Time series: wide (time, n1, n2, …) → one line per numeric column; long (time, category, n) → one line per
 * category (at most MAX_SERIES of them). Rows are sorted by time; unparseable times drop the chart.
 */
function timeChart(columns: Column[], rows: unknown[][], timeIdx: number, numeric: number[]): ChartData | undefined {
  if (numeric.length === 0) return undefined;
  const times = rows.map((r) => toTime(r[timeIdx]));
  if (times.some((t) => t === null)) return undefined;
  const catIdx = columns.findIndex((c, i) => i !== timeIdx && CATEGORY_TYPES.has(c.type));
  if (catIdx >= 0 && numeric.length === 1) {
    const valueIdx = numeric[0]!;
    const cats = [...new Set(rows.map((r) => label(r[catIdx])))];
    if (cats.length > MAX_SERIES) return undefined;
    const xs = [...new Set(times as number[])].sort((a, b) => a - b);
    const at = new Map(xs.map((t, i) => [t, i]));
    const series: Series[] = cats.map((name) => ({ name, values: xs.map(() => null) }));
    rows.forEach((r, i) => {
      const s = series[cats.indexOf(label(r[catIdx]))]!;
      s.values[at.get(times[i]!)!] = toNumber(r[valueIdx]);
    });
    return { x: { name: columns[timeIdx]!.name, time: true, values: xs }, series };
  }
  const order = rows.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
  return {
    x: { name: columns[timeIdx]!.name, time: true, values: order.map((i) => times[i]!) },
    series: numeric.slice(0, MAX_SERIES).map((c) => ({ name: columns[c]!.name, values: order.map((i) => toNumber(rows[i]![c])) })),
  };
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
  return label(a).localeCompare(label(b), undefined, { numeric: true });
}

/** Series drawn at first: those within 20× the first one's magnitude (others would be flat lines); the legend toggles the rest. */
export function initiallyHidden(series: Series[]): Set<number> {
  const mag = series.map((s) => Math.max(0, ...s.values.map((v) => (v === null ? 0 : Math.abs(v)))));
  const first = mag[0] ?? 0;
  const hidden = new Set<number>();
  if (first === 0) return hidden;
  mag.forEach((m, i) => {
    if (i > 0 && m > 0 && (m / first > 20 || first / m > 20)) hidden.add(i);
  });
  return hidden;
}

/** Round, readable axis ticks ("nice numbers") covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    const pad = Math.abs(min) || 1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

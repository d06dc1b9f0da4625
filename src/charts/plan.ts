// What to draw for a query result: which chart (if any) fits its columns, and the chart's data. The MCP Apps view
// plans from the column types (planView); an export also follows the report's visualisation (planDisplay).
import { cellLabel, describeColumn, isCategoryType, isNumericType, isTimeType, toNumber, toTime, type Column } from './data.js';

/** Views the MCP Apps view can switch between ('bar' = vertical bars). */
export type ViewKind = 'line' | 'area' | 'bar' | 'table';
/** Charts drawn by chartScene: 'bar' has vertical bars (Cluvio's "column"), 'hbar' horizontal ones (Cluvio's "bar"). */
export type ChartKind = 'line' | 'area' | 'bar' | 'hbar';

export interface Series {
  name: string;
  values: Array<number | null>;
  /** Palette slot (1-based colour), stable when other series are hidden. */
  color?: number;
  /** What the values count in ("%", "min"), shown on the axis and beside values. */
  unit?: string;
  /** A series of a very different magnitude than the first is drawn against a second axis on the right. */
  axis?: 'left' | 'right';
}

/** What to draw: the x values (time in ms, or category labels) and one or more numeric series. */
export interface ChartData {
  x: { name: string; time: boolean; values: Array<number | string> };
  series: Series[];
  /** For one value column split into a series per category (long form): that column's name. */
  valueName?: string;
}

export interface Plan {
  /** The view chosen from the column types; the user can switch to any of `options`. */
  initial: ViewKind;
  options: ViewKind[];
  chart?: ChartData;
}

/** What an export shows for one report. */
export type Display =
  | { kind: ChartKind; chart: ChartData }
  | { kind: 'table' }
  | { kind: 'number'; value: number; label: string; unit: string };

/** A report's visualisation (its chart_configuration): Cluvio's chart type and the columns it plots. */
export interface Visualisation {
  type?: string;
  x?: string;
  y?: string[];
}

/** Bars get unreadable past this; more categories → table. */
export const MAX_BARS = 60;
/** At most this many lines or bar groups; further numeric columns stay in the table. */
export const MAX_SERIES = 8;
/** Two series whose largest values differ more than this cannot share an axis (the smaller one would be flat). */
const MAGNITUDE_RATIO = 20;

/** Line/area over a time column, bars over a category column, else only the table. */
export function planView(columns: Column[], rows: unknown[][]): Plan {
  const table: Plan = { initial: 'table', options: ['table'] };
  if (rows.length === 0 || columns.length < 2) return table;
  const numeric = numericColumns(columns);
  const timeIdx = columns.findIndex((c) => isTimeType(c.type));
  if (timeIdx >= 0) {
    const chart = timeChart(columns, rows, timeIdx, numeric);
    if (chart) return { initial: 'line', options: ['line', 'area', 'bar', 'table'], chart };
  }
  const chart = categoryChart(columns, rows, columns.findIndex((c) => isCategoryType(c.type)), numeric);
  return chart ? { initial: 'bar', options: ['bar', 'table'], chart } : table;
}

const NUMBER_TYPES = new Set(['number', 'single_value', 'singlevalue', 'kpi', 'gauge']);
const TABLE_TYPES = new Set(['table', 'pivot', 'pivot_table', 'text']);

/**
 * The display for an export: the report's visualisation where its columns allow it (Cluvio's "bar" is horizontal,
 * "column" vertical), else what the columns suggest; a single value without a chosen visualisation becomes a big
 * number, and anything that cannot be charted a table. Series are named for people ("growth_pct" → "Growth", unit "%").
 */
export function planDisplay(vis: Visualisation | undefined, columns: Column[], rows: unknown[][]): Display {
  if (rows.length === 0 || columns.length === 0) return { kind: 'table' };
  const type = vis?.type?.toLowerCase();
  const numeric = numericColumns(columns);
  const single = rows.length === 1 && numeric.length === 1 && columns.length <= 2;
  if ((type !== undefined && NUMBER_TYPES.has(type)) || (single && type === undefined)) {
    const idx = numeric[0];
    const value = idx === undefined ? null : toNumber(rows[0]![idx]);
    if (idx !== undefined && value !== null) {
      const { title, unit } = describeColumn(columns[idx]!.name);
      return { kind: 'number', value, label: title, unit };
    }
  }
  if (type !== undefined && TABLE_TYPES.has(type)) return { kind: 'table' };
  const kind: ChartKind | undefined =
    type === 'line' || type === 'area' ? type : type === 'column' ? 'bar' : type === 'bar' || type === 'pie' || type === 'donut' ? 'hbar' : undefined;
  const named = (name: string | undefined) => (name === undefined ? -1 : columns.findIndex((c) => c.name === name));
  const wantedY = (vis?.y ?? []).map(named).filter((i) => numeric.includes(i));
  const ys = wantedY.length ? wantedY : numeric;
  let xIdx = named(vis?.x);
  if (xIdx < 0 || ys.includes(xIdx)) xIdx = columns.findIndex((c, i) => !ys.includes(i) && (isTimeType(c.type) || isCategoryType(c.type)));
  let chart: ChartData | undefined;
  let chosen: ChartKind | undefined = kind;
  if (xIdx >= 0 && isTimeType(columns[xIdx]!.type)) {
    chart = timeChart(columns, rows, xIdx, ys);
    chosen ??= 'line';
  }
  if (!chart && xIdx >= 0) {
    chart = categoryChart(columns, rows, xIdx, ys);
    chosen = chosen === 'line' || chosen === 'area' || chosen === undefined ? (chart && chart.x.values.length > 12 ? 'hbar' : 'bar') : chosen;
  }
  if (!chart || !chosen) return { kind: 'table' };
  return { kind: chosen, chart: forPeople(chart, columns) };
}

function numericColumns(columns: Column[]): number[] {
  return columns.map((c, i) => (isNumericType(c.type) ? i : -1)).filter((i) => i >= 0);
}

/** Bars per category: the first category column against up to MAX_SERIES numeric ones; none past MAX_BARS rows. */
function categoryChart(columns: Column[], rows: unknown[][], catIdx: number, numeric: number[]): ChartData | undefined {
  if (catIdx < 0 || numeric.length === 0 || rows.length > MAX_BARS) return undefined;
  const series = numeric.slice(0, MAX_SERIES).map((i) => ({ name: columns[i]!.name, values: rows.map((r) => toNumber(r[i])) }));
  if (!series.some((s) => s.values.some((v) => v !== null))) return undefined;
  return { x: { name: columns[catIdx]!.name, time: false, values: rows.map((r) => cellLabel(r[catIdx])) }, series };
}

/**
 * Time series: wide (time, n1, n2, …) → one line per numeric column; long (time, category, n) → one line per
 * category (at most MAX_SERIES of them). Rows are sorted by time; unparseable times drop the chart.
 */
function timeChart(columns: Column[], rows: unknown[][], timeIdx: number, numeric: number[]): ChartData | undefined {
  if (numeric.length === 0) return undefined;
  const times = rows.map((r) => toTime(r[timeIdx]));
  if (times.some((t) => t === null)) return undefined;
  const catIdx = columns.findIndex((c, i) => i !== timeIdx && isCategoryType(c.type));
  if (catIdx >= 0 && numeric.length === 1) {
    const valueIdx = numeric[0]!;
    const cats = [...new Set(rows.map((r) => cellLabel(r[catIdx])))];
    if (cats.length > MAX_SERIES) return undefined;
    const xs = [...new Set(times as number[])].sort((a, b) => a - b);
    const at = new Map(xs.map((t, i) => [t, i]));
    const series: Series[] = cats.map((name) => ({ name, values: xs.map(() => null) }));
    rows.forEach((r, i) => {
      const s = series[cats.indexOf(cellLabel(r[catIdx]))]!;
      s.values[at.get(times[i]!)!] = toNumber(r[valueIdx]);
    });
    return { x: { name: columns[timeIdx]!.name, time: true, values: xs }, series, valueName: columns[valueIdx]!.name };
  }
  const order = rows.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
  return {
    x: { name: columns[timeIdx]!.name, time: true, values: order.map((i) => times[i]!) },
    series: numeric.slice(0, MAX_SERIES).map((c) => ({ name: columns[c]!.name, values: order.map((i) => toNumber(rows[i]![c])) })),
  };
}

/** Column names as titles with units, and series far from the first one's magnitude on a right-hand axis. */
function forPeople(chart: ChartData, columns: Column[]): ChartData {
  const isColumn = (name: string) => columns.some((c) => c.name === name);
  const value = chart.valueName === undefined ? undefined : describeColumn(chart.valueName);
  const far = initiallyHidden(chart.series);
  return {
    x: { ...chart.x, name: describeColumn(chart.x.name).title },
    valueName: value?.title,
    series: chart.series.map((s, i) => {
      const own = value === undefined && isColumn(s.name) ? describeColumn(s.name) : undefined;
      return { ...s, name: own?.title ?? s.name, unit: own?.unit ?? value?.unit ?? '', color: i + 1, axis: far.has(i) ? 'right' : 'left' };
    }),
  };
}

/** Series drawn at first: those within 20× the first one's magnitude (others would be flat lines); the legend toggles the rest. */
export function initiallyHidden(series: Series[]): Set<number> {
  const mag = series.map((s) => Math.max(0, ...s.values.map((v) => (v === null ? 0 : Math.abs(v)))));
  const first = mag[0] ?? 0;
  const hidden = new Set<number>();
  if (first === 0) return hidden;
  mag.forEach((m, i) => {
    if (i > 0 && m > 0 && (m / first > MAGNITUDE_RATIO || first / m > MAGNITUDE_RATIO)) hidden.add(i);
  });
  return hidden;
}

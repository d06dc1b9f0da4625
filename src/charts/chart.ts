// A chart as a scene: line, area, vertical bars and horizontal bars, with axes, ticks and grid. The MCP Apps view
// draws it as it is; an export asks for `annotate`: axis titles with units, a legend for several series, the values
// on the bars (or the points), and a second axis on the right for a series of a very different magnitude.
import type { ChartData, ChartKind, Series } from './plan.js';
import type { Ink, Scene, Shape, TextShape } from './scene.js';
import { fitText, oneLine, textWidth } from './text.js';
import { axisFormatter, formatValue, niceTicks, timeFormatter, timeTicks } from './ticks.js';

export interface ChartOptions {
  kind: ChartKind;
  width: number;
  /** Height of a line/area/bar chart (horizontal bars take what their rows need). */
  height?: number;
  locale?: string;
  /** Size of tick labels and other small text. */
  fontSize?: number;
  /** Axis titles with units, a legend, value labels, a right-hand axis (exports). */
  annotate?: boolean;
}

const DEFAULT_HEIGHT = 280;
const BASE_PAD = { top: 12, right: 16, bottom: 44, left: 56 };
const KIND_NAMES: Record<ChartKind, string> = { line: 'Line', area: 'Area', bar: 'Bar', hbar: 'Bar' };

const inkOf = (s: Series, i: number): Ink => `series-${s.color ?? (i % 8) + 1}`;
const seriesClass = (s: Series, i: number): string => `series-${s.color ?? (i % 8) + 1}`;

interface Axis {
  ticks: number[];
  label: (v: number) => string;
  unit: string;
  title?: string;
  /** Value → pixel along the axis. */
  at: (v: number) => number;
}

/** The unit all these series share, or '' when they differ. */
function sharedUnit(series: Series[]): string {
  const units = new Set(series.map((s) => s.unit ?? ''));
  return units.size === 1 ? [...units][0]! : '';
}

/** An axis title: the series' name when one series uses the axis (or the value column's, for long-form data), with the unit. */
function axisTitle(series: Series[], valueName: string | undefined): string | undefined {
  const unit = sharedUnit(series);
  const name = valueName ?? (series.length === 1 ? series[0]!.name : undefined);
  if (name === undefined) return unit ? `(${unit})` : undefined;
  return unit ? `${name} (${unit})` : name;
}

function valueRange(series: Series[], kind: ChartKind): [number, number] {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (kind !== 'line' || lo >= 0) lo = Math.min(lo, 0);
  if (kind !== 'line' && hi < 0) hi = 0;
  return [lo, hi];
}

function text(x: number, y: number, content: string, size: number, more: Partial<TextShape> = {}): TextShape {
  return { type: 'text', x, y, text: oneLine(content), size, fill: 'muted', ...more };
}

/** Legend rows (swatch + label) that fit `width`; returns the shapes and the height they take. */
function legend(series: Series[], labels: string[], width: number, size: number, y0: number, x0: number): { items: Shape[]; height: number } {
  const items: Shape[] = [];
  const rowH = size + 8;
  let x = x0;
  let y = y0;
  series.forEach((s, i) => {
    const label = fitText(oneLine(labels[i]!), width - 40, size);
    const w = 14 + textWidth(label, size) + 16;
    if (x > x0 && x + w > width) {
      x = x0;
      y += rowH;
    }
    items.push({ type: 'rect', x, y: y + 2, w: 10, h: 10, fill: inkOf(s, i), cls: `swatch ${seriesClass(s, i)}` });
    items.push(text(x + 14, y + 11, label, size, { fill: 'text', cls: 'legend-label' }));
    x += w;
  });
  return { items, height: series.length ? y - y0 + rowH : 0 };
}

/** A scene for the data: an <svg class="chart" data-kind="…"> once serialised. */
export function chartScene(data: ChartData, opts: ChartOptions): Scene {
  return opts.kind === 'hbar' ? horizontalBars(data, opts) : verticalChart(data, opts);
}

function sceneTitle(data: ChartData, kind: ChartKind): string {
  return `${KIND_NAMES[kind]} chart of ${data.series.map((s) => s.name).join(', ')} by ${data.x.name}`;
}

/** Line, area and vertical bars against x (time or categories). */
function verticalChart(data: ChartData, { kind, width, height = DEFAULT_HEIGHT, locale, fontSize = 11, annotate = false }: ChartOptions): Scene {
  const w = Math.max(280, Math.floor(width));
  const items: Shape[] = [];
  const n = data.x.values.length;
  const left = annotate ? data.series.filter((s) => s.axis !== 'right') : data.series;
  const right = annotate ? data.series.filter((s) => s.axis === 'right') : [];

  // Legend first: it takes its rows from the bottom. Lines have no room for every value of several series: the
  // legend gives each one's latest.
  const legendLabels = data.series.map((s) => {
    const last = kind === 'bar' ? undefined : [...s.values].reverse().find((v) => v !== null);
    return last === undefined || last === null ? s.name : `${s.name} (latest ${formatValue(last, locale, s.unit)})`;
  });
  const legendShapes = annotate && data.series.length > 1 ? legend(data.series, legendLabels, w - 8, fontSize, 0, 8) : { items: [], height: 0 };
  const chartH = height - legendShapes.height;

  // Category labels that do not fit side by side are written at a slant, and the plot leaves room for them.
  const catLabels = kind === 'bar' ? barLabels(data, locale) : [];
  const longest = Math.min(18, Math.max(0, ...catLabels.map((l) => l.length)));
  const charW = fontSize * 0.6;
  const slant = kind === 'bar' && longest * charW > (w - BASE_PAD.left - BASE_PAD.right) / n;

  const yAxis = (series: Series[], title: boolean): Omit<Axis, 'at'> => {
    const [lo, hi] = valueRange(series, kind);
    const ticks = niceTicks(lo, hi, 5);
    const unit = annotate ? sharedUnit(series) : '';
    return { ticks, unit, label: axisFormatter(ticks, locale, unit), title: title ? axisTitle(series, data.valueName) : undefined };
  };
  const leftAxis = yAxis(left.length ? left : data.series, annotate);
  const rightAxis = right.length ? yAxis(right, true) : undefined;
  const tickWidth = (a: Omit<Axis, 'at'>) => Math.max(...a.ticks.map((t) => textWidth(a.label(t), fontSize)));
  const valueLabels = annotate ? barValueLabels(data, kind, locale) : undefined;

  const PAD = { ...BASE_PAD };
  if (annotate) {
    PAD.left = Math.ceil(tickWidth(leftAxis) + 10 + (leftAxis.title ? fontSize + 8 : 0));
    PAD.right = rightAxis ? Math.ceil(tickWidth(rightAxis) + 10 + fontSize + 8) : 16;
    PAD.top = 12;
  }
  const plotW = w - PAD.left - PAD.right;
  const band = plotW / Math.max(1, n);
  const barW = (band * 0.8) / Math.max(1, data.series.length);
  // Values on bars: across when every one fits its bar, else turned upright when the bars are as wide as a line of
  // small text, else none (the axis has to do).
  const valueSize = fontSize - 1;
  const valueMode = valueLabels === undefined ? 'none' : valueLabels.every((l) => textWidth(l, valueSize) + 2 <= barW) ? 'flat' : barW >= valueSize - 1 ? 'upright' : 'none';
  if (valueMode === 'flat') PAD.top = fontSize + 6;
  if (valueMode === 'upright') PAD.top = Math.ceil(Math.max(...valueLabels!.map((l) => textWidth(l, valueSize)))) + 8;
  PAD.bottom = slant ? Math.min(110, 24 + longest * 3.8) : BASE_PAD.bottom;
  if (annotate) PAD.bottom = slant ? PAD.bottom + fontSize + 6 : fontSize + 8 + fontSize + 12;
  const plotH = chartH - PAD.top - PAD.bottom;

  const place = (a: Omit<Axis, 'at'>): Axis => {
    const y0 = a.ticks[0]!;
    const y1 = a.ticks[a.ticks.length - 1]!;
    return { ...a, at: (v: number) => PAD.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH };
  };
  const L = place(leftAxis);
  const R = rightAxis ? place(rightAxis) : undefined;
  const axisOf = (s: Series): Axis => (s.axis === 'right' && R && annotate ? R : L);
  const zero = (a: Axis) => a.at(Math.max(a.ticks[0]!, Math.min(0, a.ticks[a.ticks.length - 1]!)));

  const grid: Shape[] = [];
  const axis: Shape[] = [];
  for (const t of L.ticks) {
    grid.push({ type: 'line', x1: PAD.left, x2: w - PAD.right, y1: L.at(t), y2: L.at(t), stroke: 'grid' });
    axis.push(text(PAD.left - 6, L.at(t) + 4, L.label(t), fontSize, { anchor: 'end', cls: 'y-tick' }));
  }
  if (R) for (const t of R.ticks) axis.push(text(w - PAD.right + 6, R.at(t) + 4, R.label(t), fontSize, { cls: 'y-tick y2-tick' }));
  items.push({ type: 'group', cls: 'grid', items: grid }, { type: 'group', cls: 'axis', items: axis });
  items.push({ type: 'line', cls: 'baseline', x1: PAD.left, x2: w - PAD.right, y1: zero(L), y2: zero(L), stroke: 'axis' });
  if (L.title) axis.push(text(fontSize + 2, PAD.top + plotH / 2, L.title, fontSize, { anchor: 'middle', rotate: -90, bold: true, cls: 'axis-label y-label' }));
  if (R?.title) axis.push(text(w - fontSize - 2, PAD.top + plotH / 2, R.title, fontSize, { anchor: 'middle', rotate: 90, bold: true, cls: 'axis-label y-label' }));

  if (kind === 'bar') {
    const groupW = band * 0.8;
    const bars: Shape[] = [];
    const labels: Shape[] = [];
    let k = 0;
    data.series.forEach((s, si) => {
      const a = axisOf(s);
      s.values.forEach((v, i) => {
        if (v === null) return;
        const x = PAD.left + i * band + (band - groupW) / 2 + si * barW;
        const top = a.at(Math.max(v, 0));
        bars.push({
          type: 'rect',
          cls: `bar ${seriesClass(s, si)}`,
          x: Number(x.toFixed(2)),
          y: Number(top.toFixed(2)),
          w: Number(Math.max(1, barW - 1).toFixed(2)),
          h: Number(Math.max(0, Math.abs(a.at(v) - a.at(0))).toFixed(2)),
          fill: inkOf(s, si),
          data: { series: s.name },
          tip: `${catLabels[i]!} — ${s.name}: ${v.toLocaleString(locale)}`,
        });
        const label = valueLabels?.[k++];
        if (label === undefined || valueMode === 'none') return;
        const cx = x + (barW - 1) / 2;
        const end = v >= 0 ? top - 3 : a.at(v) + fontSize;
        if (valueMode === 'flat') labels.push(text(cx, end, label, valueSize, { anchor: 'middle', fill: 'text', cls: 'value-label' }));
        // Turned a quarter anticlockwise the glyphs stand left of x: move x by half their height to centre them.
        else labels.push(text(cx + valueSize * 0.36, v >= 0 ? top - 3 : a.at(v) + 3, label, valueSize, { anchor: v >= 0 ? 'start' : 'end', rotate: -90, fill: 'text', cls: 'value-label' }));
      });
    });
    items.push({ type: 'group', cls: 'bars', items: bars });
    if (labels.length) items.push({ type: 'group', cls: 'value-labels', items: labels });
    // Category labels: straight when they fit, else slanted; every k-th when even slanted ones would overlap.
    const every = slant ? Math.max(1, Math.ceil(14 / band)) : 1;
    const maxChars = slant ? 18 : Math.max(4, Math.floor(band / charW));
    for (let i = 0; i < n; i += every) {
      const full = catLabels[i]!;
      const shown = full.length > maxChars ? `${full.slice(0, maxChars - 1)}…` : full;
      const cx = PAD.left + i * band + band / 2;
      const cy = chartH - PAD.bottom + 14;
      axis.push(
        slant
          ? text(cx, cy, shown, fontSize, { anchor: 'end', cls: 'x-tick', rotate: -35, tip: full })
          : text(cx, cy + 2, shown, fontSize, { anchor: 'middle', cls: 'x-tick', tip: full }),
      );
    }
  } else {
    const xs = data.x.values as number[];
    const xMin = xs[0]!;
    const xMax = xs[n - 1]!;
    const x = (t: number) => PAD.left + (xMax === xMin ? plotW / 2 : ((t - xMin) / (xMax - xMin)) * plotW);
    const fmt = timeFormatter(xMax - xMin, locale);
    for (const t of timeTicks(xMin, xMax, Math.max(2, Math.floor(plotW / 90)))) {
      grid.push({ type: 'line', cls: 'x-grid', x1: x(t), x2: x(t), y1: PAD.top, y2: PAD.top + plotH, stroke: 'grid' });
      axis.push(text(x(t), chartH - PAD.bottom + 16, fmt(t), fontSize, { anchor: 'middle', cls: 'x-tick' }));
    }
    const lines: Shape[] = [];
    const labels: Shape[] = [];
    data.series.forEach((s, si) => {
      const cls = seriesClass(s, si);
      const a = axisOf(s);
      // Nulls break the line into segments.
      const segments: Array<Array<[number, number]>> = [[]];
      s.values.forEach((v, i) => {
        if (v === null) segments.push([]);
        else segments[segments.length - 1]!.push([x(xs[i]!), a.at(v)]);
      });
      for (const seg of segments.filter((g) => g.length)) {
        if (kind === 'area') {
          const base = zero(a);
          lines.push({ type: 'path', cls: `series-area ${cls}`, points: [...seg, [seg[seg.length - 1]![0], base], [seg[0]![0], base]], closed: true, fill: inkOf(s, si), opacity: 0.18 });
        }
        lines.push({ type: 'path', cls: `series-line ${cls}`, points: seg, stroke: inkOf(s, si), width: 2, data: { series: s.name, points: seg.length } });
      }
      if (n <= 80) {
        s.values.forEach((v, i) => {
          if (v === null) return;
          lines.push({ type: 'circle', cls: `point ${cls}`, cx: Number(x(xs[i]!).toFixed(2)), cy: Number(a.at(v).toFixed(2)), r: 2.5, fill: inkOf(s, si), tip: `${fmt(xs[i]!)} — ${s.name}: ${v.toLocaleString(locale)}` });
        });
      }
      if (annotate && data.series.length === 1) labels.push(...pointLabels(s, xs, x, a, locale, fontSize, w - PAD.right));
    });
    items.push({ type: 'group', cls: 'lines', items: lines });
    if (labels.length) items.push({ type: 'group', cls: 'value-labels', items: labels });
  }
  if (!slant || annotate) axis.push(text(PAD.left + plotW / 2, chartH - (annotate ? 4 : 6), data.x.name, fontSize, { anchor: 'middle', cls: 'axis-label', bold: annotate }));
  if (legendShapes.items.length) items.push({ type: 'group', cls: 'legend', y: chartH, items: legendShapes.items });
  return { width: w, height, items, cls: 'chart', data: { kind }, title: sceneTitle(data, kind) };
}

/** Values on the points of a single line: every point of a short series, else the last one. */
function pointLabels(s: Series, xs: number[], x: (t: number) => number, a: Axis, locale: string | undefined, size: number, maxX: number): Shape[] {
  const out: Shape[] = [];
  const every = s.values.length <= 24;
  s.values.forEach((v, i) => {
    if (v === null) return;
    if (!every && s.values.slice(i + 1).some((u) => u !== null)) return;
    const label = formatValue(v, locale, s.unit);
    const px = x(xs[i]!);
    const anchor = px + textWidth(label, size - 1) / 2 > maxX ? 'end' : 'middle';
    out.push(text(anchor === 'end' ? maxX : px, a.at(v) - 7, label, size - 1, { anchor, fill: 'text', cls: 'value-label' }));
  });
  return out;
}

function barValueLabels(data: ChartData, kind: ChartKind, locale: string | undefined): string[] | undefined {
  if (kind !== 'bar') return undefined;
  return data.series.flatMap((s) => s.values.filter((v): v is number => v !== null).map((v) => formatValue(v, locale, s.unit)));
}

function barLabels(data: ChartData, locale?: string): string[] {
  const xs = data.x.values;
  if (!data.x.time) return xs.map(String);
  const fmt = timeFormatter((xs[xs.length - 1] as number) - (xs[0] as number), locale);
  return xs.map((t) => fmt(t as number));
}

/**
 * Horizontal bars: one row per category, its label on the left and its value at the end of the bar — readable for
 * many categories (40 airports) where vertical bars would need slanted, cut labels.
 */
function horizontalBars(data: ChartData, { width, locale, fontSize = 11, annotate = false }: ChartOptions): Scene {
  const w = Math.max(280, Math.floor(width));
  const n = data.x.values.length;
  const k = data.series.length;
  const rowH = Math.max(fontSize + 8, k * (fontSize - 1) + 6);
  const labels = data.x.values.map((v) => oneLine(data.x.time ? new Date(v as number).toISOString().slice(0, 10) : String(v)));
  const labelW = Math.min(w * 0.3, Math.max(...labels.map((l) => textWidth(l, fontSize))));
  const values = data.series.map((s) => s.values.map((v) => (v === null ? '' : formatValue(v, locale, s.unit))));
  const valueW = Math.max(...values.flat().map((l) => textWidth(l, fontSize - 1))) + 6;
  const [lo, hi] = valueRange(data.series, 'hbar');
  const ticks = niceTicks(lo, hi, Math.max(2, Math.floor((w - labelW) / 110)));
  const unit = sharedUnit(data.series);
  const tickLabel = axisFormatter(ticks, locale, unit);
  const title = annotate ? axisTitle(data.series, data.valueName) : undefined;
  const legendShapes = annotate && k > 1 ? legend(data.series, data.series.map((s) => s.name), w - 8, fontSize, 0, 8) : { items: [], height: 0 };

  const PAD = { top: 6, left: Math.ceil(labelW + 10), right: Math.ceil(valueW + 8), bottom: fontSize + 10 + (title ? fontSize + 8 : 0) };
  const plotW = w - PAD.left - PAD.right;
  const plotH = n * rowH;
  const height = PAD.top + plotH + PAD.bottom + legendShapes.height;
  const t0 = ticks[0]!;
  const t1 = ticks[ticks.length - 1]!;
  const x = (v: number) => PAD.left + ((v - t0) / (t1 - t0 || 1)) * plotW;

  const grid: Shape[] = [];
  const axis: Shape[] = [];
  const bars: Shape[] = [];
  const valueShapes: Shape[] = [];
  for (const t of ticks) {
    grid.push({ type: 'line', cls: 'x-grid', x1: x(t), x2: x(t), y1: PAD.top, y2: PAD.top + plotH, stroke: 'grid' });
    axis.push(text(x(t), PAD.top + plotH + fontSize + 4, tickLabel(t), fontSize, { anchor: 'middle', cls: 'x-tick' }));
  }
  labels.forEach((label, i) => {
    const cy = PAD.top + i * rowH + rowH / 2;
    axis.push(text(PAD.left - 6, cy + fontSize * 0.35, fitText(label, labelW, fontSize), fontSize, { anchor: 'end', fill: 'text', cls: 'y-tick', tip: label }));
  });
  const barH = (rowH - 4) / k;
  data.series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (v === null) return;
      const y = PAD.top + i * rowH + 2 + si * barH;
      const from = x(Math.min(0, v));
      const to = x(Math.max(0, v));
      bars.push({ type: 'rect', cls: `bar ${seriesClass(s, si)}`, x: from, y, w: Math.max(1, to - from), h: Math.max(1, barH - 1), fill: inkOf(s, si), data: { series: s.name }, tip: `${labels[i]!} — ${s.name}: ${v.toLocaleString(locale)}` });
      if (annotate) {
        const label = values[si]![i]!;
        const ty = y + barH / 2 + (fontSize - 1) * 0.35;
        valueShapes.push(v >= 0 ? text(to + 4, ty, label, fontSize - 1, { fill: 'text', cls: 'value-label' }) : text(from - 4, ty, label, fontSize - 1, { anchor: 'end', fill: 'text', cls: 'value-label' }));
      }
    });
  });
  const zeroX = x(Math.max(t0, Math.min(0, t1)));
  const items: Shape[] = [
    { type: 'group', cls: 'grid', items: grid },
    { type: 'line', cls: 'baseline', x1: zeroX, x2: zeroX, y1: PAD.top, y2: PAD.top + plotH, stroke: 'axis' },
    { type: 'group', cls: 'bars', items: bars },
    { type: 'group', cls: 'axis', items: axis },
  ];
  if (valueShapes.length) items.push({ type: 'group', cls: 'value-labels', items: valueShapes });
  if (title) items.push(text(PAD.left + plotW / 2, PAD.top + plotH + PAD.bottom - 6, title, fontSize, { anchor: 'middle', bold: true, cls: 'axis-label' }));
  if (legendShapes.items.length) items.push({ type: 'group', cls: 'legend', y: height - legendShapes.height, items: legendShapes.items });
  return { width: w, height, items, cls: 'chart', data: { kind: 'hbar' }, title: sceneTitle(data, 'hbar') };
}

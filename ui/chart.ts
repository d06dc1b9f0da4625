// Hand-written SVG charts: line, area and (grouped) bars. No library, nothing fetched; colours come from CSS
// variables (--series-1 … --series-8) so the light/dark themes and host styles apply without re-rendering.
import { niceTicks, type ChartData } from './model.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 280;
const BASE_PAD = { top: 12, right: 16, bottom: 44, left: 56 };

type Attrs = Record<string, string | number>;

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, parent?: Element): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

function text(parent: Element, x: number, y: number, content: string, attrs: Attrs = {}): SVGTextElement {
  const t = el('text', { x, y, ...attrs }, parent);
  t.textContent = content;
  return t;
}

function title(parent: Element, content: string): void {
  el('title', {}, parent).textContent = content;
}

/** Axis labels in one unit for the whole axis (chosen by its largest tick): 0, 250k, 500k — not 8,000 next to 10k. */
export function axisFormatter(ticks: number[], locale?: string): (v: number) => string {
  const top = Math.max(...ticks.map(Math.abs));
  const [div, suffix] = top >= 1e9 ? [1e9, 'B'] : top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
  return (v) => (v === 0 ? '0' : `${(v / div).toLocaleString(locale, { maximumFractionDigits: top / div < 10 ? 2 : 1 })}${suffix}`);
}

/** Time labels as coarse as the span allows: years, months, days or hours (UTC, as the data is). */
export function timeFormatter(spanMs: number, locale?: string): (ms: number) => string {
  const day = 86_400_000;
  const opts: Intl.DateTimeFormatOptions =
    spanMs > 3 * 365 * day ? { year: 'numeric' } : spanMs > 60 * day ? { year: 'numeric', month: 'short' } : spanMs > 2 * day ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  const fmt = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' });
  return (ms) => fmt.format(new Date(ms));
}

/** Tick positions for a time axis, snapped to month starts when the span is in months or years. */
function timeTicks(min: number, max: number, count: number): number[] {
  const day = 86_400_000;
  const span = max - min;
  if (span > 60 * day) {
    const months = span / (30.44 * day);
    const stepMonths = [1, 2, 3, 6, 12, 24, 60].find((m) => months / m <= count) ?? 120;
    const d = new Date(min);
    const y = d.getUTCFullYear();
    let m = d.getUTCMonth();
    if (d.getUTCDate() !== 1 || d.getUTCHours() !== 0) m++;
    m = Math.ceil(m / stepMonths) * stepMonths;
    const out: number[] = [];
    for (let t = Date.UTC(y, m, 1); t <= max; m += stepMonths, t = Date.UTC(y, m, 1)) out.push(t);
    if (out.length) return out;
  }
  return niceTicks(min, max, count).filter((t) => t >= min && t <= max);
}

export interface ChartOptions {
  kind: 'line' | 'area' | 'bar';
  width: number;
  locale?: string;
}

/** An <svg class="chart" data-kind="…"> for the data; the caller puts it into the DOM. */
export function renderChart(data: ChartData, { kind, width, locale }: ChartOptions): SVGSVGElement {
  const w = Math.max(280, Math.floor(width));
  const svg = el('svg', { class: 'chart', 'data-kind': kind, viewBox: `0 0 ${w} ${HEIGHT}`, width: w, height: HEIGHT, role: 'img' });
  el('title', {}, svg).textContent = `${kind === 'bar' ? 'Bar' : kind === 'area' ? 'Area' : 'Line'} chart of ${data.series.map((s) => s.name).join(', ')} by ${data.x.name}`;
  const n = data.x.values.length;
  // Category labels that do not fit side by side are written at a slant, and the plot leaves room for them.
  const catLabels = kind === 'bar' ? barLabels(data, locale) : [];
  const longest = Math.min(18, Math.max(0, ...catLabels.map((l) => l.length)));
  const slant = kind === 'bar' && longest * 6.5 > (w - BASE_PAD.left - BASE_PAD.right) / n;
  const PAD = { ...BASE_PAD, bottom: slant ? Math.min(110, 24 + longest * 3.8) : BASE_PAD.bottom };
  const plotW = w - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const values = data.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (kind !== 'line' || lo >= 0) lo = Math.min(lo, 0);
  if (kind !== 'line' && hi < 0) hi = 0;
  const yTicks = niceTicks(lo, hi, 5);
  const yLabel = axisFormatter(yTicks, locale);
  const y0 = yTicks[0]!;
  const y1 = yTicks[yTicks.length - 1]!;
  const y = (v: number) => PAD.top + plotH - ((v - y0) / (y1 - y0 || 1)) * plotH;

  const grid = el('g', { class: 'grid' }, svg);
  const axis = el('g', { class: 'axis' }, svg);
  for (const t of yTicks) {
    el('line', { x1: PAD.left, x2: w - PAD.right, y1: y(t), y2: y(t) }, grid);
    text(axis, PAD.left - 6, y(t) + 4, yLabel(t), { 'text-anchor': 'end', class: 'y-tick' });
  }
  el('line', { class: 'baseline', x1: PAD.left, x2: w - PAD.right, y1: y(Math.max(y0, Math.min(0, y1))), y2: y(Math.max(y0, Math.min(0, y1))) }, svg);

  if (kind === 'bar') {
    const band = plotW / n;
    const groupW = band * 0.8;
    const barW = groupW / data.series.length;
    const labelOf = (i: number) => catLabels[i]!;
    const bars = el('g', { class: 'bars' }, svg);
    data.series.forEach((s, si) => {
      s.values.forEach((v, i) => {
        if (v === null) return;
        const x = PAD.left + i * band + (band - groupW) / 2 + si * barW;
        const top = y(Math.max(v, 0));
        const rect = el('rect', { class: `bar series-${s.color ?? (si % 8) + 1}`, x: x.toFixed(2), y: top.toFixed(2), width: Math.max(1, barW - 1).toFixed(2), height: Math.max(0, Math.abs(y(v) - y(0))).toFixed(2), 'data-series': s.name }, bars);
        title(rect, `${labelOf(i)} — ${s.name}: ${v.toLocaleString(locale)}`);
      });
    });
    // Category labels: straight when they fit, else slanted; every k-th when even slanted ones would overlap.
    const every = slant ? Math.max(1, Math.ceil(14 / band)) : 1;
    const maxChars = slant ? 18 : Math.max(4, Math.floor(band / 6.5));
    for (let i = 0; i < n; i += every) {
      const full = labelOf(i);
      const shown = full.length > maxChars ? `${full.slice(0, maxChars - 1)}…` : full;
      const cx = PAD.left + i * band + band / 2;
      const cy = HEIGHT - PAD.bottom + 14;
      const t = slant
        ? text(axis, cx, cy, shown, { 'text-anchor': 'end', class: 'x-tick', transform: `rotate(-35 ${cx.toFixed(1)} ${cy})` })
        : text(axis, cx, cy + 2, shown, { 'text-anchor': 'middle', class: 'x-tick' });
      title(t, full);
    }
  } else {
    const xs = data.x.values as number[];
    const xMin = xs[0]!;
    const xMax = xs[n - 1]!;
    const x = (t: number) => PAD.left + (xMax === xMin ? plotW / 2 : ((t - xMin) / (xMax - xMin)) * plotW);
    const fmt = timeFormatter(xMax - xMin, locale);
    for (const t of timeTicks(xMin, xMax, Math.max(2, Math.floor(plotW / 90)))) {
      el('line', { class: 'x-grid', x1: x(t), x2: x(t), y1: PAD.top, y2: PAD.top + plotH }, grid);
      text(axis, x(t), HEIGHT - PAD.bottom + 16, fmt(t), { 'text-anchor': 'middle', class: 'x-tick' });
    }
    const lines = el('g', { class: 'lines' }, svg);
    data.series.forEach((s, si) => {
      const cls = `series-${s.color ?? (si % 8) + 1}`;
      // Nulls break the line into segments.
      const segments: Array<Array<[number, number]>> = [[]];
      s.values.forEach((v, i) => {
        if (v === null) segments.push([]);
        else segments[segments.length - 1]!.push([x(xs[i]!), y(v)]);
      });
      for (const seg of segments.filter((g) => g.length)) {
        const d = seg.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(2)},${py.toFixed(2)}`).join('');
        if (kind === 'area') {
          const base = y(Math.max(y0, Math.min(0, y1))).toFixed(2);
          el('path', { class: `series-area ${cls}`, d: `${d}L${seg[seg.length - 1]![0].toFixed(2)},${base}L${seg[0]![0].toFixed(2)},${base}Z` }, lines);
        }
        el('path', { class: `series-line ${cls}`, d, 'data-series': s.name, 'data-points': seg.length }, lines);
      }
      if (n <= 80) {
        s.values.forEach((v, i) => {
          if (v === null) return;
          const dot = el('circle', { class: `point ${cls}`, cx: x(xs[i]!).toFixed(2), cy: y(v).toFixed(2), r: 2.5 }, lines);
          title(dot, `${fmt(xs[i]!)} — ${s.name}: ${v.toLocaleString(locale)}`);
        });
      }
    });
  }
  if (!slant) text(axis, PAD.left + plotW / 2, HEIGHT - 6, data.x.name, { 'text-anchor': 'middle', class: 'axis-label' });
  return svg;
}

function barLabels(data: ChartData, locale?: string): string[] {
  const xs = data.x.values;
  if (!data.x.time) return xs.map(String);
  const fmt = timeFormatter((xs[xs.length - 1] as number) - (xs[0] as number), locale);
  return xs.map((t) => fmt(t as number));
}

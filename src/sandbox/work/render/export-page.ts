/**
 * The page of a dashboard or report export, as a scene (src/charts/scene.ts) that png.ts rasterises and pdf.ts
 * draws: the name and the time of export, then one panel per report on Cluvio's 12-column grid, each with its
 * title and what its result shows best — the chart of its visualisation (src/charts), a table, a single big
 * number, "no data", or the error of a failed query.
 */
import { chartScene } from '../../../charts/chart.js';
import { columnTitle, isNumericType, isTimeType, toNumber, toTime, type Column } from '../../../charts/data.js';
import { planDisplay, type Display, type Visualisation } from '../../../charts/plan.js';
import type { Scene, Shape, TextShape } from '../../../charts/scene.js';
import { fitText, oneLine, textWidth, wrapText } from '../../../charts/text.js';
import { formatTime, formatValue } from '../../../charts/ticks.js';

export interface ExportPanel {
  title: string;
  /** Place on the dashboard's grid: row, and column and width in twelfths. */
  row: number;
  column: number;
  width: number;
  columns: Column[];
  /** The first rows of the result (all of them, up to a limit). */
  rows: unknown[][];
  /** Rows in the whole result. */
  total: number;
  visualisation?: Visualisation;
  /** The query failed (or could not run): shown instead of data. */
  error?: string;
  /** Shown when the result has no rows (the report's no_data_message). */
  noDataMessage?: string;
}

export interface ExportPage {
  title: string;
  /** One line under the title: what was exported, with which filters, and when. */
  subtitle: string;
  panels: ExportPanel[];
  width: number;
}

/** Rows a table panel shows; the caption says how many there are in all. */
export const TABLE_ROWS = 25;

const MARGIN = 20;
const GAP = 14;
const PAD = 14;
const TITLE = 24;
const PANEL_TITLE = 15;
const BODY = 12;
const CHART_HEIGHT = 260;
const TABLE_ROW = 20;

function text(x: number, y: number, content: string, size: number, more: Partial<TextShape> = {}): TextShape {
  return { type: 'text', x, y, text: oneLine(content), size, fill: 'text', ...more };
}

export function pageScene(page: ExportPage): Scene {
  const width = page.width;
  const items: Shape[] = [];
  const inner = width - 2 * MARGIN;
  let y = MARGIN + TITLE;
  const titleLines = wrapText(page.title, inner, TITLE, true, 2);
  titleLines.forEach((line, i) => items.push(text(MARGIN, y + i * (TITLE + 6), line, TITLE, { bold: true })));
  y += (titleLines.length - 1) * (TITLE + 6) + 22;
  for (const line of wrapText(page.subtitle, inner, 13, false, 2)) {
    items.push(text(MARGIN, y, line, 13, { fill: 'muted' }));
    y += 18;
  }
  y += 8;

  const colW = (inner + GAP) / 12;
  for (const band of bands(page.panels)) {
    const placed = band.map((p) => {
      const column = Math.min(12, Math.max(1, Math.round(p.column) || 1));
      const span = Math.min(13 - column, Math.max(1, Math.round(p.width) || 12));
      const w = span * colW - GAP;
      return { x: MARGIN + (column - 1) * colW, w, content: panelContent(p, w - 2 * PAD) };
    });
    const h = Math.max(...placed.map((p) => p.content.height));
    for (const p of placed) items.push({ type: 'group', x: p.x, y, cls: 'panel', items: [{ type: 'rect', x: 0, y: 0, w: p.w, h, fill: 'panel', stroke: 'border', radius: 6 }, ...p.content.items] });
    y += h + GAP;
  }
  if (page.panels.length === 0) {
    items.push(text(MARGIN, y + 16, 'This dashboard has no reports.', 14, { fill: 'muted' }));
    y += 32;
  }
  return { width, height: Math.ceil(y - GAP + MARGIN), items, title: page.title };
}

/** Panels in the rows of the grid; a panel that would overlap another in its row starts a new one. */
function bands(panels: ExportPanel[]): ExportPanel[][] {
  const sorted = [...panels].sort((a, b) => a.row - b.row || a.column - b.column);
  const out: ExportPanel[][] = [];
  let current: ExportPanel[] = [];
  let row: number | undefined;
  let end = 0;
  for (const p of sorted) {
    if (row === undefined || p.row !== row || p.column < end) {
      if (current.length) out.push(current);
      current = [];
      row = p.row;
    }
    current.push(p);
    end = p.column + p.width;
  }
  if (current.length) out.push(current);
  return out;
}

/** A panel's shapes (relative to its top left corner) and the height it needs at this width. */
function panelContent(p: ExportPanel, w: number): { items: Shape[]; height: number } {
  const items: Shape[] = [];
  let y = PAD;
  for (const line of wrapText(p.title, w, PANEL_TITLE, true, 2)) {
    items.push(text(PAD, y + PANEL_TITLE, line, PANEL_TITLE, { bold: true }));
    y += PANEL_TITLE + 6;
  }
  y += 8;
  const body = (shapes: Shape[], height: number): void => {
    items.push({ type: 'group', x: PAD, y, items: shapes });
    y += height;
  };
  if (p.error !== undefined) {
    const lines = wrapText(`Error: ${p.error}`, w, 13, false, 6);
    body(lines.map((l, i) => text(0, 14 + i * 18, l, 13, { fill: 'danger' })), lines.length * 18 + 6);
    return { items, height: y + PAD };
  }
  if (p.rows.length === 0) {
    body([text(0, 16, p.noDataMessage || 'No data', 14, { fill: 'muted' })], 26);
    return { items, height: y + PAD };
  }
  const display = planDisplay(p.visualisation, p.columns, p.rows);
  const shown = shownRows(display, p);
  const content = displayScene(display, p, w);
  body(content.items, content.height);
  // Said only when part of the result is left out: every byte of text counts in a PNG a model is shown.
  if (shown >= p.total) return { items, height: y + PAD };
  items.push(text(PAD, y + 16, `Showing ${shown.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} rows`, 11, { fill: 'muted' }));
  return { items, height: y + 22 + PAD };
}

function shownRows(display: Display, p: ExportPanel): number {
  if (display.kind === 'table') return Math.min(TABLE_ROWS, p.rows.length);
  if (display.kind === 'number') return p.total;
  return p.rows.length;
}

function displayScene(display: Display, p: ExportPanel, w: number): { items: Shape[]; height: number } {
  switch (display.kind) {
    case 'table':
      return tableScene(p.columns, p.rows.slice(0, TABLE_ROWS), w);
    case 'number':
      return numberScene(display.value, display.label, display.unit, w);
    default: {
      const scene = chartScene(display.chart, { kind: display.kind, width: w, height: CHART_HEIGHT, fontSize: BODY, annotate: true, locale: 'en-US' });
      return { items: scene.items, height: scene.height };
    }
  }
}

function numberScene(value: number, label: string, unit: string, w: number): { items: Shape[]; height: number } {
  const shown = formatValue(value, 'en-US', unit);
  return { items: [text(0, 44, fitText(shown, w, 44, true), 44, { bold: true }), text(0, 70, fitText(label, w, 14), 14, { fill: 'muted' })], height: 80 };
}

function cellText(v: unknown, column: Column): string {
  if (v === null || v === undefined) return '';
  if (isNumericType(column.type)) {
    const n = toNumber(v);
    if (n !== null) return n.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }
  if (isTimeType(column.type)) {
    const t = toTime(v);
    if (t !== null) return formatTime(t);
  }
  return oneLine(typeof v === 'string' ? v : JSON.stringify(v));
}

/**
 * A table: header, then one line per row; numbers right-aligned. Columns are as wide as their content; when that
 * is too wide, headers wrap onto two lines, and then every column gives up width in proportion (none below 48 px,
 * their texts cut).
 */
function tableScene(columns: Column[], rows: unknown[][], w: number): { items: Shape[]; height: number } {
  const cells = rows.map((r) => columns.map((c, i) => cellText(r[i], c)));
  const headers = columns.map((c) => columnTitle(c.name));
  const cellWidth = (i: number) => Math.max(0, ...cells.map((r) => textWidth(r[i]!, BODY)));
  const longestWord = (h: string) => Math.max(...h.split(' ').map((word) => textWidth(word, BODY, true)));
  let natural = columns.map((_, i) => Math.max(textWidth(headers[i]!, BODY, true), cellWidth(i)) + 16);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(natural) > w) natural = columns.map((_, i) => Math.max(longestWord(headers[i]!), cellWidth(i)) + 16);
  const total = sum(natural);
  const widths = total <= w ? natural.map((n) => n + (w - total) / natural.length) : natural.map((n) => Math.max(48, (n * w) / total));
  const right = columns.map((c) => isNumericType(c.type));
  const items: Shape[] = [];
  const cell = (v: string, i: number, x: number, y: number, bold: boolean): void => {
    const cw = Math.min(widths[i]!, w - x);
    const shown = fitText(v, cw - 12, BODY, bold);
    items.push(right[i] ? text(x + cw - 6, y, shown, BODY, { anchor: 'end', bold }) : text(x + 6, y, shown, BODY, { bold }));
  };
  const columnsX = widths.map((_, i) => sum(widths.slice(0, i)));
  const visible = columns.map((_, i) => i).filter((i) => columnsX[i]! + 8 <= w);
  const headerLines = headers.map((h, i) => wrapText(h, widths[i]! - 12, BODY, true, 2));
  const headerH = Math.max(...headerLines.map((l) => l.length)) * 16 + 4;
  for (const i of visible) {
    const lines = headerLines[i]!;
    // Bottom-aligned, as in a spreadsheet: the last line of every header on the same baseline.
    lines.forEach((line, k) => cell(line, i, columnsX[i]!, headerH - 6 - (lines.length - 1 - k) * 16, true));
  }
  items.push({ type: 'line', x1: 0, x2: w, y1: headerH + 1, y2: headerH + 1, stroke: 'axis' });
  cells.forEach((values, r) => {
    const top = headerH + 2 + r * TABLE_ROW;
    for (const i of visible) cell(values[i]!, i, columnsX[i]!, top + 15, false);
    if (r < cells.length - 1) items.push({ type: 'line', x1: 0, x2: w, y1: top + TABLE_ROW, y2: top + TABLE_ROW, stroke: 'grid' });
  });
  return { items, height: headerH + 2 + cells.length * TABLE_ROW + 4 };
}

// The Cluvio results view (an MCP App): receives the tool result from the host and draws each result as a
// line/area chart (time series), a bar chart (categories) or a sortable table, with a switch between them.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { renderChart } from './chart.js';
import { isNumericType } from '../src/charts/data.js';
import { initiallyHidden, planView, type Plan, type ViewKind } from '../src/charts/plan.js';
import { compareCells, rowsCaption, viewModelOf, type Panel } from './model.js';

const root = document.getElementById('root')!;
let locale: string | undefined;

const LABELS: Record<ViewKind, string> = { line: 'Line', area: 'Area', bar: 'Bar', table: 'Table' };

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function status(message: string, cls = 'status'): void {
  root.replaceChildren(h('p', { class: cls }, message));
}

function cellText(v: unknown, type: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && isNumericType(type)) return v.toLocaleString(locale, { maximumFractionDigits: 4 });
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A table whose header cells sort the rows (ascending, then descending) by that column. */
function renderTable(panel: Panel): HTMLElement {
  const table = h('table', { class: 'data-table' });
  const head = h('tr');
  const body = h('tbody');
  let sortCol = -1;
  let dir: 1 | -1 = 1;
  const order = panel.rows.map((_, i) => i);
  const fill = () => {
    const idx = sortCol < 0 ? order : [...order].sort((a, b) => dir * compareCells(panel.rows[a]![sortCol], panel.rows[b]![sortCol], panel.columns[sortCol]!.type) || a - b);
    body.replaceChildren(
      ...idx.map((r) =>
        h(
          'tr',
          {},
          ...panel.columns.map((c, i) => {
            const v = panel.rows[r]![i];
            const td = h('td', { class: `${isNumericType(c.type) ? 'num' : ''}${v === null || v === undefined ? ' null' : ''}`.trim() }, cellText(v, c.type));
            if (v === null) td.title = 'null';
            return td;
          }),
        ),
      ),
    );
    head.querySelectorAll('th').forEach((th, i) => th.setAttribute('aria-sort', i === sortCol ? (dir === 1 ? 'ascending' : 'descending') : 'none'));
  };
  panel.columns.forEach((c, i) => {
    const button = h('button', { type: 'button', class: 'sort', title: `${c.name} (${c.type}): click to sort` }, c.name, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
    button.addEventListener('click', () => {
      if (sortCol === i) dir = dir === 1 ? -1 : 1;
      else (sortCol = i), (dir = 1);
      fill();
    });
    head.append(h('th', { class: isNumericType(c.type) ? 'num' : '', scope: 'col', 'aria-sort': 'none' }, button));
  });
  table.append(h('thead', {}, head), body);
  fill();
  return h('div', { class: 'table-wrap' }, table);
}

/** One button per series: shows it or hides it (series of a very different magnitude start hidden). */
function legend(plan: Plan, hidden: Set<number>, redraw: () => void): HTMLElement | undefined {
  const series = plan.chart?.series ?? [];
  if (series.length < 2) return undefined;
  return h(
    'div',
    { class: 'legend', role: 'group', 'aria-label': 'Series' },
    ...series.map((s, i) => {
      const b = h('button', { type: 'button', 'aria-pressed': String(!hidden.has(i)), title: hidden.has(i) ? `Show ${s.name}` : `Hide ${s.name}` }, h('span', { class: `swatch series-${(i % 8) + 1}` }), s.name);
      b.addEventListener('click', () => {
        if (hidden.has(i)) hidden.delete(i);
        else if (hidden.size < series.length - 1) hidden.add(i);
        redraw();
      });
      return b;
    }),
  );
}

/** Charts are drawn for the panel's width; they are drawn again when it changes. */
const redraws = new Set<() => void>();
let lastWidth = 0;
new ResizeObserver(() => {
  const w = root.clientWidth;
  if (Math.abs(w - lastWidth) < 8) return;
  lastWidth = w;
  redraws.forEach((f) => f());
}).observe(root);

function renderPanel(panel: Panel, single: boolean): HTMLElement {
  const section = h('section', { class: 'panel' });
  const head = h('div', { class: 'panel-head' });
  if (panel.title) head.append(h('h2', {}, panel.title));
  section.append(head);
  if (panel.error) section.append(h('p', { class: 'error' }, panel.error));
  if (panel.message) section.append(h('p', { class: 'message' }, panel.message));
  if (!panel.columns.length) return section;

  const plan = planView(panel.columns, panel.rows);
  const body = h('div', { class: 'panel-body' });
  const switcher = h('div', { class: 'switch', role: 'group', 'aria-label': 'View as' });
  let kind: ViewKind = plan.initial;
  const hidden = plan.chart ? initiallyHidden(plan.chart.series) : new Set<number>();
  const draw = () => {
    section.dataset.view = kind;
    switcher.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.kind === kind)));
    if (kind === 'table' || !plan.chart) {
      body.replaceChildren(renderTable(panel));
      return;
    }
    const width = body.clientWidth || root.clientWidth || 640;
    const shown = { ...plan.chart, series: plan.chart.series.map((s, i) => ({ ...s, color: (i % 8) + 1 })).filter((_, i) => !hidden.has(i)) };
    body.replaceChildren(renderChart(shown, { kind, width, locale }), ...[legend(plan, hidden, draw)].filter((x): x is HTMLElement => !!x));
  };
  if (plan.options.length > 1) {
    for (const k of plan.options) {
      const b = h('button', { type: 'button', 'data-kind': k, 'aria-pressed': 'false' }, LABELS[k]);
      b.addEventListener('click', () => {
        if (kind === k) return;
        kind = k;
        draw();
      });
      switcher.append(b);
    }
    head.append(switcher);
  }
  if (!single && !panel.title) head.remove();
  section.append(body, h('p', { class: 'caption' }, rowsCaption(panel, locale)));
  redraws.add(() => kind !== 'table' && draw());
  // Drawn once in the DOM, so the chart gets the real width.
  queueMicrotask(draw);
  return section;
}

interface Result {
  structuredContent?: unknown;
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
}

export function render(result: Result): void {
  redraws.clear();
  const text = result.content?.find((c) => c.type === 'text')?.text;
  const model = viewModelOf(result.structuredContent, result.isError === true, text);
  if (!model.panels.length) return status('Nothing to show for this result.');
  const nodes: HTMLElement[] = [];
  if (model.heading) nodes.push(h('h1', {}, model.heading));
  nodes.push(...model.panels.map((p) => renderPanel(p, model.panels.length === 1)));
  root.replaceChildren(...nodes);
  root.dataset.state = 'rendered';
}

function applyContext(ctx: McpUiHostContext | undefined): void {
  if (!ctx) return;
  if (ctx.theme) applyDocumentTheme(ctx.theme);
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
  if (ctx.locale) locale = ctx.locale;
}

// Host wiring: handlers first, then connect (the host may send the result right after the handshake).
const app = new App({ name: 'cluvio-results', version: '1.0.0' }, {}, { autoResize: true });
app.ontoolinput = () => status('Running…');
app.ontoolresult = (result) => {
  applyContext(app.getHostContext());
  render(result as Result);
};
app.ontoolcancelled = () => status('Cancelled.');
app.onhostcontextchanged = (ctx) => applyContext(ctx);
app.onteardown = async () => ({});
status('Waiting for a result…');
app
  .connect()
  .then(() => applyContext(app.getHostContext()))
  .catch((err: unknown) => status(`Not connected to a host: ${(err as Error).message}`, 'error'));

import { describe, expect, it } from 'vitest';
import { chartScene } from '../../src/charts/chart.js';
import { columnTitle, describeColumn } from '../../src/charts/data.js';
import { planDisplay, type ChartData } from '../../src/charts/plan.js';
import { textsOf, type Shape } from '../../src/charts/scene.js';
import { escapeXml, sceneToSvg } from '../../src/charts/svg.js';
import { fitText, textWidth, wrapText } from '../../src/charts/text.js';
import { axisFormatter, formatValue } from '../../src/charts/ticks.js';

const col = (name: string, type: string) => ({ name, type });

/** Shapes of a scene with a class, wherever they are nested. */
function withClass(items: Shape[], cls: string): Shape[] {
  return items.flatMap((s) => [...(s.cls?.split(' ').includes(cls) ? [s] : []), ...(s.type === 'group' ? withClass(s.items, cls) : [])]);
}

describe("planDisplay: an export follows the report's visualisation", () => {
  const airports = [col('airport', 'String'), col('passengers', 'BigInt'), col('growth_pct', 'Float')];
  const rows = [['DOH', 134163, 31.7], ['ZRH', 1000, -2]];

  it("Cluvio's bar is horizontal, its column vertical; y picks the series; names and units for people", () => {
    const bar = planDisplay({ type: 'bar', x: 'airport', y: ['growth_pct'] }, airports, rows);
    expect(bar.kind).toBe('hbar');
    if (bar.kind !== 'hbar') return;
    expect(bar.chart.x).toEqual({ name: 'Airport', time: false, values: ['DOH', 'ZRH'] });
    expect(bar.chart.series).toEqual([{ name: 'Growth', values: [31.7, -2], unit: '%', color: 1, axis: 'left' }]);
    expect(planDisplay({ type: 'column', x: 'airport', y: ['passengers'] }, airports, rows).kind).toBe('bar');
  });

  it('a series of a very different magnitude goes to a right-hand axis', () => {
    const d = planDisplay({ type: 'line' }, [col('week', 'Date'), col('flights', 'BigInt'), col('passengers', 'BigInt')], [['2026-08-03', 2212, 468749], ['2026-08-10', 2190, 463378]]);
    expect(d.kind === 'line' && d.chart.series.map((s) => [s.name, s.axis])).toEqual([['Flights', 'left'], ['Passengers', 'right']]);
  });

  it('table when asked or when nothing can be charted; a big number for one value', () => {
    expect(planDisplay({ type: 'table' }, airports, rows).kind).toBe('table');
    expect(planDisplay(undefined, [col('a', 'String'), col('b', 'String')], [['x', 'y']]).kind).toBe('table');
    expect(planDisplay(undefined, [col('avg_delay_minutes', 'Float')], [[28.94]])).toEqual({ kind: 'number', value: 28.94, label: 'Avg delay', unit: 'min' });
    expect(planDisplay({ type: 'table' }, [col('n', 'BigInt')], [[12]]).kind).toBe('table');
  });

  it('no visualisation: what the columns suggest (a time column → line, many categories → horizontal bars)', () => {
    expect(planDisplay(undefined, [col('day', 'Date'), col('n', 'Integer')], [['2024-01-01', 1], ['2024-01-02', 2]]).kind).toBe('line');
    const many = Array.from({ length: 20 }, (_, i) => [`c${i}`, i]);
    expect(planDisplay({ type: 'line' }, [col('c', 'String'), col('n', 'Integer')], many).kind).toBe('hbar');
  });
});

describe('chartScene with annotate (exports)', () => {
  const growth: ChartData = { x: { name: 'Airport', time: false, values: ['DOH', 'ZRH'] }, series: [{ name: 'Growth', unit: '%', values: [31.7, -2] }] };

  it('horizontal bars: a label per category, the value at each bar, the axis titled with its unit', () => {
    const scene = chartScene(growth, { kind: 'hbar', width: 600, annotate: true });
    const texts = textsOf(scene.items);
    expect(texts).toEqual(expect.arrayContaining(['DOH', 'ZRH', '31.7%', '-2%', 'Growth (%)']));
    expect(withClass(scene.items, 'bar')).toHaveLength(2);
    const [doh, zrh] = withClass(scene.items, 'bar') as Array<{ x: number; w: number }>;
    // The negative bar ends where the positive one starts (at zero).
    expect(zrh!.x + zrh!.w).toBeCloseTo(doh!.x, 5);
    expect(withClass(scene.items, 'x-tick').map((t) => (t as { text: string }).text)).toContain('0%');
  });

  it('lines on two axes: tick labels on both sides, a legend with each latest value', () => {
    const data: ChartData = {
      x: { name: 'Period', time: true, values: [Date.UTC(2026, 7, 3), Date.UTC(2026, 7, 10)] },
      series: [
        { name: 'Flights', values: [2212, 2190], axis: 'left' },
        { name: 'Passengers', values: [468749, 463378], axis: 'right' },
      ],
    };
    const scene = chartScene(data, { kind: 'line', width: 800, annotate: true });
    expect(withClass(scene.items, 'y2-tick').length).toBeGreaterThan(2);
    expect(textsOf(scene.items)).toEqual(expect.arrayContaining(['Flights (latest 2,190)', 'Passengers (latest 463,378)', 'Period', 'Flights', 'Passengers']));
  });

  it('vertical bars too narrow for flat values get them upright; without annotate there are none', () => {
    const many: ChartData = { x: { name: 'Month', time: false, values: Array.from({ length: 34 }, (_, i) => `m${i}`) }, series: [{ name: 'Signups', values: Array.from({ length: 34 }, (_, i) => 100 + i) }] };
    const labels = withClass(chartScene(many, { kind: 'bar', width: 900, annotate: true }).items, 'value-label') as Array<{ text: string; rotate?: number }>;
    expect(labels).toHaveLength(34);
    expect(labels.every((l) => l.rotate === -90)).toBe(true);
    expect(withClass(chartScene(many, { kind: 'bar', width: 900 }).items, 'value-label')).toEqual([]);
  });
});

describe('sceneToSvg', () => {
  it('escapes text and attributes, drops characters XML cannot hold, and keeps classes and data-*', () => {
    const svg = sceneToSvg({ width: 10, height: 10, cls: 'chart', data: { kind: 'bar' }, items: [{ type: 'text', x: 1, y: 2, size: 11, text: 'a<b>&"c"\u0001', tip: '</title>' }] });
    expect(svg).toContain('class="chart" data-kind="bar"');
    expect(svg).toContain('>a&lt;b&gt;&amp;&quot;c&quot;</text>');
    expect(svg).toContain('<title>&lt;/title&gt;</title>');
    expect(escapeXml('\u0001x\ud800')).toBe('x');
  });
});

describe('text and numbers', () => {
  it("measures with DejaVu Sans's widths, cuts with an ellipsis, wraps at spaces", () => {
    expect(textWidth('ABC', 10)).toBeCloseTo(20.68, 2);
    expect(textWidth('ABC', 10, true)).toBeGreaterThan(textWidth('ABC', 10));
    const cut = fitText('Passenger growth by airport', 80, 12);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(80);
    expect(wrapText('Cancellation rate (%)', 90, 12, true)).toEqual(['Cancellation', 'rate (%)']);
    expect(wrapText('one two three four five six', 40, 12, false, 2)[1]!.endsWith('…')).toBe(true);
  });

  it('column names, units and values', () => {
    expect(describeColumn('cancellation_rate_pct')).toEqual({ title: 'Cancellation rate', unit: '%' });
    expect(columnTitle('avg_delay_minutes')).toBe('Avg delay (min)');
    expect(columnTitle('passengers')).toBe('Passengers');
    expect(formatValue(350289)).toBe('350,289');
    expect(formatValue(31.7, 'en-US', '%')).toBe('31.7%');
    expect(formatValue(28.94, 'en-US', 'min')).toBe('28.9 min');
    expect(axisFormatter([0, 10, 20], 'en-US', '%')(10)).toBe('10%');
    expect(axisFormatter([0, 250_000, 500_000], 'en-US')(250_000)).toBe('250k');
  });
});

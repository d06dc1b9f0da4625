// The page an export draws (src/sandbox/work/render/export-page.ts), checked as a scene: what is written where.
import { describe, expect, it } from 'vitest';
import { textsOf, type GroupShape } from '../../../../src/charts/scene.js';
import { pageScene, TABLE_ROWS, type ExportPanel } from '../../../../src/sandbox/work/render/export-page.js';

const col = (name: string, type: string) => ({ name, type });
const panel = (p: Partial<ExportPanel> & Pick<ExportPanel, 'title'>): ExportPanel => ({ row: 1, column: 1, width: 12, columns: [], rows: [], total: 0, ...p });
const panelsOf = (items: ReturnType<typeof pageScene>['items']) => items.filter((s): s is GroupShape => s.type === 'group' && s.cls === 'panel');

describe('pageScene', () => {
  it('the title, the line under it, and one panel per report with its title', () => {
    const scene = pageScene({ title: 'Flight Operations', subtitle: 'Dashboard · exported 2026-11-02 10:00 UTC', width: 1000, panels: [panel({ title: 'Top airports' }), panel({ title: 'Delays', row: 2 })] });
    expect(scene.width).toBe(1000);
    const texts = textsOf(scene.items);
    expect(texts.slice(0, 2)).toEqual(['Flight Operations', 'Dashboard · exported 2026-11-02 10:00 UTC']);
    expect(texts).toEqual(expect.arrayContaining(['Top airports', 'Delays']));
    expect(panelsOf(scene.items)).toHaveLength(2);
  });

  it("panels sit on the dashboard's 12-column grid: side by side in a row, a later row below", () => {
    const scene = pageScene({
      title: 'D',
      subtitle: '',
      width: 1000,
      panels: [panel({ title: 'right', row: 5, column: 7, width: 6 }), panel({ title: 'left', row: 5, column: 1, width: 6 }), panel({ title: 'below', row: 9 })],
    });
    const [left, right, below] = panelsOf(scene.items);
    expect(textsOf(left!.items)[0]).toBe('left');
    expect(left!.y).toBe(right!.y);
    expect(right!.x!).toBeGreaterThan(left!.x! + 400);
    expect(below!.y!).toBeGreaterThan(left!.y!);
    expect(scene.height).toBeGreaterThan(below!.y!);
  });

  it('a failed query shows its error; no rows the report’s no-data message', () => {
    const texts = textsOf(
      pageScene({
        title: 'D',
        subtitle: '',
        width: 800,
        panels: [panel({ title: 'Broken', error: 'relation "no_such_table" does not exist' }), panel({ title: 'Empty', row: 2, columns: [col('n', 'Integer')], noDataMessage: 'No flights in the selected period' })],
      }).items,
    );
    expect(texts).toContain('Error: relation "no_such_table" does not exist');
    expect(texts).toContain('No flights in the selected period');
  });

  it('a table shows its first rows with formatted cells, and says how many there are', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [`Airline ${i}`, 1000 + i, '2026-08-03']);
    const texts = textsOf(pageScene({ title: 'D', subtitle: '', width: 800, panels: [panel({ title: 'T', columns: [col('airline', 'String'), col('flights', 'BigInt'), col('week', 'Date')], rows, total: 4000, visualisation: { type: 'table' } })] }).items);
    expect(texts).toEqual(expect.arrayContaining(['Airline', 'Flights', 'Week', 'Airline 0', '1,000', '2026-08-03']));
    expect(texts).toContain(`Airline ${TABLE_ROWS - 1}`);
    expect(texts).not.toContain(`Airline ${TABLE_ROWS}`);
    expect(texts).toContain(`Showing ${TABLE_ROWS} of 4,000 rows`);
  });

  it('one value is a big number with its name; a chart panel has its chart', () => {
    const texts = textsOf(
      pageScene({
        title: 'D',
        subtitle: '',
        width: 800,
        panels: [
          panel({ title: 'Avg delay', columns: [col('avg_delay_minutes', 'Float')], rows: [[28.94]], total: 1 }),
          panel({ title: 'Growth', row: 2, columns: [col('airport', 'String'), col('growth_pct', 'Float')], rows: [['DOH', 31.7]], total: 1, visualisation: { type: 'bar' } }),
        ],
      }).items,
    );
    expect(texts).toEqual(expect.arrayContaining(['28.9 min', 'Avg delay', 'DOH', '31.7%', 'Growth (%)']));
  });
});

import { describe, expect, it } from 'vitest';
import { compareCells, initiallyHidden, niceTicks, parseCsv, planView, rowsCaption, toTime, viewModelOf } from '../../ui/model.js';

const col = (name: string, type: string) => ({ name, type });

describe('planView: the view chosen from the column types', () => {
  it('Date/DateTime + numbers → line (area, bar, table to switch to), sorted by time', () => {
    const plan = planView([col('month', 'Date'), col('flights', 'BigInt')], [['2024-02-01', 5], ['2024-01-01', 3]]);
    expect(plan.initial).toBe('line');
    expect(plan.options).toEqual(['line', 'area', 'bar', 'table']);
    expect(plan.chart!.x).toEqual({ name: 'month', time: true, values: [Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1)] });
    expect(plan.chart!.series).toEqual([{ name: 'flights', values: [3, 5] }]);
  });

  it('long time series (time, category, value) → one line per category', () => {
    const rows = [['2024-01-01T00:00:00+00:00', 'NA', 1], ['2024-01-01T00:00:00+00:00', 'BL', 2], ['2024-01-02T00:00:00+00:00', 'NA', 3]];
    const plan = planView([col('day', 'DateTime'), col('airline', 'String'), col('n', 'BigInt')], rows);
    expect(plan.initial).toBe('line');
    expect(plan.chart!.series).toEqual([{ name: 'NA', values: [1, 3] }, { name: 'BL', values: [2, null] }]);
  });

  it('String + numbers → bars; numeric strings (BigInt as text) count as numbers', () => {
    const plan = planView([col('airline', 'String'), col('flights', 'BigInt'), col('avg', 'Float')], [['A', '10', 1.5], ['B', '20', null]]);
    expect(plan.initial).toBe('bar');
    expect(plan.options).toEqual(['bar', 'table']);
    expect(plan.chart!.series).toEqual([{ name: 'flights', values: [10, 20] }, { name: 'avg', values: [1.5, null] }]);
  });

  it('degrades to the table: text only, numbers only, no rows, unparseable times, too many bars', () => {
    expect(planView([col('a', 'String'), col('b', 'String')], [['x', 'y']]).options).toEqual(['table']);
    expect(planView([col('a', 'Integer'), col('b', 'Float')], [[1, 2]]).options).toEqual(['table']);
    expect(planView([col('m', 'Date'), col('n', 'Integer')], []).options).toEqual(['table']);
    expect(planView([col('m', 'Date'), col('n', 'Integer')], [['not a date', 1]]).options).toEqual(['table']);
    const many = Array.from({ length: 61 }, (_, i) => [`c${i}`, i]);
    expect(planView([col('c', 'String'), col('n', 'Integer')], many).options).toEqual(['table']);
    expect(planView([col('c', 'String'), col('n', 'Integer')], [['a', null]]).options).toEqual(['table']);
  });
});

describe('viewModelOf: the structuredContent of each tool', () => {
  it('run_execution / get_execution_data / refresh_report: one panel with the page and the total', () => {
    const m = viewModelOf({ execution_id: 'e', status: 'success', columns: [col('n', 'Integer')], rows: [[1], [2]], total_rows: 1_000_000, offset: 0, truncated: true });
    expect(m.panels).toHaveLength(1);
    expect(m.panels[0]).toMatchObject({ total: 1_000_000, offset: 0, truncated: true });
    expect(rowsCaption(m.panels[0]!)).toBe('Showing 2 of 1,000,000 rows');
  });

  it('refresh_dashboard: one panel per report, named, with errors and statuses', () => {
    const m = viewModelOf({
      dashboard_id: 'd1',
      done: true,
      reports: [
        { id: 'r1', name: 'Flights', status: 'success', columns: [col('a', 'String'), col('n', 'Integer')], rows: [['x', 1]], total_rows: 1, truncated: false },
        { id: 'r2', status: 'error', error: 'boom' },
      ],
    });
    expect(m.heading).toBe('Dashboard d1');
    expect(m.panels.map((p) => p.title)).toEqual(['Flights', 'Report r2']);
    expect(m.panels[1]).toMatchObject({ error: 'boom', rows: [] });
  });

  it('get_report_data as CSV: parsed, with inferred column types', () => {
    const m = viewModelOf({ report_id: 'r', format: 'csv', csv: 'day,n\r\n2024-01-01,3\r\n2024-01-02,"4"\r\n', truncated: false });
    expect(m.panels[0]!.columns).toEqual([col('day', 'DateTime'), col('n', 'Float')]);
    expect(m.panels[0]!.rows).toEqual([['2024-01-01', 3], ['2024-01-02', 4]]);
  });

  it('errors, still running and no cached data become messages, not charts', () => {
    expect(viewModelOf({ execution_id: 'e', status: 'query_error', error: 'syntax error' }, true).panels[0]!.error).toBe('syntax error');
    expect(viewModelOf({ execution_id: 'e', status: 'running', next: 'get_execution_data {}' }).panels[0]!.message).toMatch(/Still running/);
    expect(viewModelOf({ report_id: 'r', status: 'no-data' }).panels[0]!.message).toMatch(/refresh_report/);
    expect(viewModelOf(undefined, true, 'It failed').panels[0]!.error).toBe('It failed');
  });
});

describe('helpers', () => {
  it('rowsCaption', () => {
    expect(rowsCaption({ rows: [1, 2], total: 2, offset: 0, truncated: false } as never)).toBe('2 rows');
    expect(rowsCaption({ rows: [1], total: 1, offset: 0, truncated: false } as never)).toBe('1 row');
    expect(rowsCaption({ rows: new Array(100), total: 5000, offset: 100, truncated: true } as never)).toBe('Showing rows 101–200 of 5,000');
  });

  it('compareCells sorts numbers, times and text; empty cells last', () => {
    expect(['10', '9', null, '100'].sort((a, b) => compareCells(a, b, 'BigInt'))).toEqual(['9', '10', '100', null]);
    expect(['2024-02-01', '2023-12-31'].sort((a, b) => compareCells(a, b, 'Date'))).toEqual(['2023-12-31', '2024-02-01']);
    expect(['b', 'a10', 'a9'].sort((a, b) => compareCells(a, b, 'String'))).toEqual(['a9', 'a10', 'b']);
  });

  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 9_600)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });

  it('parseCsv handles quotes and CRLF; toTime reads dates as UTC', () => {
    expect(parseCsv('a,"b ""q"", c"\r\n1,2\n')).toEqual([['a', 'b "q", c'], ['1', '2']]);
    expect(toTime('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(toTime('2024-01-01 12:00:00+00')).toBe(Date.UTC(2024, 0, 1, 12));
    expect(toTime('nope')).toBeNull();
  });

  it('initiallyHidden hides series of a very different magnitude than the first', () => {
    expect([...initiallyHidden([{ name: 'flights', values: [2000] }, { name: 'passengers', values: [450_000] }, { name: 'seats', values: [3000] }])]).toEqual([1]);
  });
});

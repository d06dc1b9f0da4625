import { describe, expect, it } from 'vitest';
import { compareCells, parseCsv, rowsCaption, viewModelOf } from '../../ui/model.js';

const col = (name: string, type: string) => ({ name, type });

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

  it('parseCsv handles quotes and CRLF', () => {
    expect(parseCsv('a,"b ""q"", c"\r\n1,2\n')).toEqual([['a', 'b "q", c'], ['1', '2']]);
  });
});

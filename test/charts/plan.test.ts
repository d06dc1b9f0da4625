import { describe, expect, it } from 'vitest';
import { toTime } from '../../src/charts/data.js';
import { initiallyHidden, planView } from '../../src/charts/plan.js';
import { niceTicks } from '../../src/charts/ticks.js';

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

describe('helpers', () => {
  it('niceTicks covers the range with round steps', () => {
    expect(niceTicks(0, 9_600)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(5, 5).length).toBeGreaterThan(1);
  });

  it('toTime reads dates as UTC', () => {
    expect(toTime('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
    expect(toTime('2024-01-01 12:00:00+00')).toBe(Date.UTC(2024, 0, 1, 12));
    expect(toTime('nope')).toBeNull();
  });

  it('initiallyHidden hides series of a very different magnitude than the first', () => {
    expect([...initiallyHidden([{ name: 'flights', values: [2000] }, { name: 'passengers', values: [450_000] }, { name: 'seats', values: [3000] }])]).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  ParameterError,
  aggregationExpr,
  formatTimestamp,
  parseTimerange,
  rewriteParameters,
} from '../../src/sandbox/parameters.js';

// 2024-03-16T00:00:00Z and 2024-03-22T23:59:59Z
const START = 1710547200;
const END = 1711151999;

describe('timerange conditions', () => {
  it('rewrites a bare column with both bounds, end inclusive to the microsecond', () => {
    expect(rewriteParameters('SELECT 1 WHERE {created_at=timerange}', { timerange: `${START}~${END}` })).toBe(
      "SELECT 1 WHERE ((created_at) >= '2024-03-16T00:00:00+00:00' AND (created_at) <= '2024-03-22T23:59:59.999999+00:00')",
    );
  });

  it('drops an unbounded side', () => {
    expect(rewriteParameters('{d=timerange}', { timerange: `${START}~` })).toBe("((d) >= '2024-03-16T00:00:00+00:00')");
    expect(rewriteParameters('{d=timerange}', { timerange: `~${END}` })).toBe("((d) <= '2024-03-22T23:59:59.999999+00:00')");
  });

  it('is always true for ~ or an absent timerange', () => {
    expect(rewriteParameters('{d=timerange}', { timerange: '~' })).toBe('(1=1)');
    expect(rewriteParameters('{d=timerange}', {})).toBe('(1=1)');
    expect(rewriteParameters('{d=timerange}', undefined)).toBe('(1=1)');
  });

  it('accepts a bracketed expression, qualified and quoted columns', () => {
    expect(rewriteParameters('{[f.departed_at + interval \'1 hour\']=timerange}', { timerange: `${START}~` })).toBe(
      "((f.departed_at + interval '1 hour') >= '2024-03-16T00:00:00+00:00')",
    );
    expect(rewriteParameters('{f.departed_at=timerange}', { timerange: `${START}~` })).toBe(
      "((f.departed_at) >= '2024-03-16T00:00:00+00:00')",
    );
    expect(rewriteParameters('{"Weird Col"=timerange}', { timerange: `${START}~` })).toBe(
      '(("Weird Col") >= \'2024-03-16T00:00:00+00:00\')',
    );
  });

  it('formats literals in parameters.tz, else the default time zone', () => {
    expect(rewriteParameters('{d=timerange}', { timerange: `${START}~`, tz: 'Europe/Berlin' })).toBe(
      "((d) >= '2024-03-16T01:00:00+01:00')",
    );
    expect(rewriteParameters('{d=timerange}', { timerange: `${START}~` }, { defaultTimeZone: 'America/New_York' })).toBe(
      "((d) >= '2024-03-15T20:00:00-04:00')",
    );
  });

  it('supports next / previous selectors', () => {
    const day = 86400;
    const r = { timerange: `${START}~${START + day - 1}` };
    expect(rewriteParameters('{d=timerange.next}', r)).toBe(
      "((d) >= '2024-03-17T00:00:00+00:00' AND (d) <= '2024-03-17T23:59:59.999999+00:00')",
    );
    expect(rewriteParameters('{d=timerange.previous}', r)).toBe(
      "((d) >= '2024-03-15T00:00:00+00:00' AND (d) <= '2024-03-15T23:59:59.999999+00:00')",
    );
    expect(() => rewriteParameters('{d=timerange.sideways}', r)).toThrow(ParameterError);
  });

  it('rejects malformed timeranges', () => {
    expect(() => parseTimerange('yesterday')).toThrow(/invalid timerange/);
    expect(() => parseTimerange(`${END}~${START}`)).toThrow(/start is after end/);
    expect(() => rewriteParameters("{d=timerange}", { timerange: "1'; DROP TABLE x; --~" })).toThrow(ParameterError);
  });

  it('rejects unknown time zones', () => {
    expect(() => rewriteParameters('{d=timerange}', { tz: 'Mars/Olympus' })).toThrow(/unknown time zone/);
  });
});

describe('timerange values', () => {
  it('rewrites {timerange.start} and {timerange.end}', () => {
    expect(rewriteParameters('SELECT {timerange.start}, {timerange.end}', { timerange: `${START}~${END}` })).toBe(
      "SELECT '2024-03-16T00:00:00+00:00', '2024-03-22T23:59:59.999999+00:00'",
    );
  });
  it('is NULL for an unbounded side', () => {
    expect(rewriteParameters('SELECT {timerange.start}', { timerange: `~${END}` })).toBe('SELECT NULL');
  });
  it('rejects unknown value variables', () => {
    expect(() => rewriteParameters('SELECT {foo.start}', {})).toThrow(/unknown parameter value/);
  });
});

describe('aggregation', () => {
  it('defaults to day', () => {
    expect(rewriteParameters('SELECT {created_at:aggregation}', {})).toBe(
      "SELECT DATE_TRUNC('day', (created_at)::timestamp)::date",
    );
  });
  it('covers every option', () => {
    expect(aggregationExpr('x', 'hour')).toBe("DATE_TRUNC('hour', (x)::timestamp)");
    expect(aggregationExpr('x', 'second')).toBe("DATE_TRUNC('second', (x)::timestamp)");
    expect(aggregationExpr('x', 'minute')).toBe("DATE_TRUNC('minute', (x)::timestamp)");
    expect(aggregationExpr('x', 'week')).toBe("DATE_TRUNC('week', (x)::timestamp)::date");
    expect(aggregationExpr('x', 'month')).toBe("DATE_TRUNC('month', (x)::timestamp)::date");
    expect(aggregationExpr('x', 'quarter')).toBe("DATE_TRUNC('quarter', (x)::timestamp)::date");
    expect(aggregationExpr('x', 'year')).toBe("DATE_TRUNC('year', (x)::timestamp)::date");
    expect(aggregationExpr('x', 'week_sunday')).toBe(
      "(DATE_TRUNC('week', (x)::timestamp + INTERVAL '1 day') - INTERVAL '1 day')::date",
    );
    expect(aggregationExpr('x', 'all_time')).toBe('NULL::date');
  });
  it('takes a bracketed expression', () => {
    expect(rewriteParameters('{[coalesce(a, b)]:aggregation}', { aggregation: 'month' })).toBe(
      "DATE_TRUNC('month', (coalesce(a, b))::timestamp)::date",
    );
  });
  it('rejects bad aggregation values and other transformation variables', () => {
    expect(() => rewriteParameters('{d:aggregation}', { aggregation: "day'); DROP TABLE x; --" })).toThrow(/invalid aggregation/);
    expect(() => rewriteParameters('{d:my_filter}', {})).toThrow(/unknown transformation variable/);
  });
});

describe('custom filters', () => {
  const f = (selected_values: Array<string | number | boolean | null> | undefined) => ({
    filters: [{ variable_name: 'cat', selected_values }] as Array<{ variable_name: string; selected_values?: Array<string | number | boolean | null> }>,
  });
  it('uses = for one value and IN for several', () => {
    expect(rewriteParameters('{category=cat}', f(['a']))).toBe("((category) = 'a')");
    expect(rewriteParameters('{category=cat}', f(['a', 'b']))).toBe("((category) IN ('a', 'b'))");
    expect(rewriteParameters('{n=cat}', f([1, 2.5]))).toBe('((n) IN (1, 2.5))');
    expect(rewriteParameters('{b=cat}', f([true]))).toBe('((b) = TRUE)');
    expect(rewriteParameters('{b=cat}', f([false]))).toBe('((b) = FALSE)');
  });
  it('is always true for no selection or an absent filter', () => {
    expect(rewriteParameters('{category=cat}', f([]))).toBe('(1=1)');
    expect(rewriteParameters('{category=cat}', f(undefined))).toBe('(1=1)');
    expect(rewriteParameters('{category=other}', f(['a']))).toBe('(1=1)');
  });
  it('handles null values with IS NULL', () => {
    expect(rewriteParameters('{c=cat}', f([null]))).toBe('((c) IS NULL)');
    expect(rewriteParameters('{c=cat}', f(['a', null]))).toBe("((c) = 'a' OR (c) IS NULL)");
  });
  it('escapes quotes so values cannot inject SQL', () => {
    expect(rewriteParameters('{c=cat}', f(["O'Hare"]))).toBe("((c) = 'O''Hare')");
    expect(rewriteParameters('{c=cat}', f(["x'); DROP TABLE flights; --"]))).toBe(
      "((c) = 'x''); DROP TABLE flights; --')",
    );
    expect(rewriteParameters('{c=cat}', f(['back\\slash']))).toBe("((c) = 'back\\slash')");
  });
  it('rejects non-finite numbers, objects and NUL bytes', () => {
    expect(() => rewriteParameters('{c=cat}', f([Number.NaN]))).toThrow(/finite/);
    expect(() => rewriteParameters('{c=cat}', f([Number.POSITIVE_INFINITY]))).toThrow(/finite/);
    expect(() =>
      rewriteParameters('{c=cat}', { filters: [{ variable_name: 'cat', selected_values: [{} as unknown as string] }] }),
    ).toThrow(ParameterError);
    expect(() => rewriteParameters('{c=cat}', f(['a\0b']))).toThrow(/NUL/);
  });
  it('rejects selectors on custom filters', () => {
    expect(() => rewriteParameters('{c=cat.next}', f(['a']))).toThrow(/unknown selector/);
  });
});

describe('scanning', () => {
  it('leaves braces in strings, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = `SELECT '{d=timerange}', "{d=timerange}", $$ {d=timerange} $$, $t$ {x=cat} $t$ -- {d=timerange}
/* {d=timerange} */ FROM t WHERE {d=timerange}`;
    expect(rewriteParameters(sql, {})).toBe(
      `SELECT '{d=timerange}', "{d=timerange}", $$ {d=timerange} $$, $t$ {x=cat} $t$ -- {d=timerange}
/* {d=timerange} */ FROM t WHERE (1=1)`,
    );
  });
  it('handles doubled quotes inside string literals', () => {
    expect(rewriteParameters("SELECT 'it''s {d=timerange}' WHERE {d=timerange}", {})).toBe(
      "SELECT 'it''s {d=timerange}' WHERE (1=1)",
    );
  });
  it('leaves non-parameter brace groups alone', () => {
    expect(rewriteParameters("SELECT '{}'::int[], ARRAY[1] WHERE x = ANY('{1,2}')", {})).toBe(
      "SELECT '{}'::int[], ARRAY[1] WHERE x = ANY('{1,2}')",
    );
    expect(rewriteParameters('SELECT {}', {})).toBe('SELECT {}');
  });
  it('leaves plain SQL untouched', () => {
    const sql = 'SELECT origin, count(*) FROM flights GROUP BY 1 ORDER BY 2 DESC';
    expect(rewriteParameters(sql, { timerange: '1~2' })).toBe(sql);
  });
  it('rewrites the documented example', () => {
    const sql = `SELECT {created_at:aggregation}, COUNT(*)
FROM orders
WHERE {created_at=timerange} AND {category=product_categories}
GROUP BY 1 ORDER BY 1`;
    expect(
      rewriteParameters(sql, {
        aggregation: 'week',
        timerange: `${START}~`,
        filters: [{ variable_name: 'product_categories', selected_values: ['a', 'b'] }],
      }),
    ).toBe(`SELECT DATE_TRUNC('week', (created_at)::timestamp)::date, COUNT(*)
FROM orders
WHERE ((created_at) >= '2024-03-16T00:00:00+00:00') AND ((category) IN ('a', 'b'))
GROUP BY 1 ORDER BY 1`);
  });
});

describe('formatTimestamp', () => {
  it('handles DST offsets and negative offsets', () => {
    expect(formatTimestamp(1719792000, 'Europe/Berlin')).toBe('2024-07-01T02:00:00+02:00');
    expect(formatTimestamp(1719792000, 'Asia/Kolkata')).toBe('2024-07-01T05:30:00+05:30');
    expect(formatTimestamp(0, 'UTC', true)).toBe('1970-01-01T00:00:00.999999+00:00');
  });
});

import { describe, expect, test } from 'vitest';
import { cell, renderTable } from '../../src/results/table.js';

describe('cell: one value as table text', () => {
  test('null and undefined are NULL', () => {
    expect(cell(null)).toBe('NULL');
    expect(cell(undefined)).toBe('NULL');
  });

  test('a string is shown as it is, without quotes', () => {
    expect(cell('Zürich')).toBe('Zürich');
    expect(cell('')).toBe('');
    expect(cell('NULL')).toBe('NULL');
  });

  test('numbers, booleans and bigints as JavaScript writes them, NaN and Infinity included', () => {
    expect(cell(42)).toBe('42');
    expect(cell(-1.5)).toBe('-1.5');
    expect(cell(Number.NaN)).toBe('NaN');
    expect(cell(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(cell(true)).toBe('true');
    expect(cell(false)).toBe('false');
    expect(cell(12345678901234567890n)).toBe('12345678901234567890');
  });

  test('objects and arrays as compact JSON', () => {
    expect(cell({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
    expect(cell([1, 'x'])).toBe('[1,"x"]');
  });

  test('line breaks become \\n and pipes are escaped, so a value stays on its row and in its column', () => {
    expect(cell('a\nb')).toBe('a\\nb');
    expect(cell('a\r\nb')).toBe('a\\nb');
    expect(cell('a|b')).toBe('a\\|b');
    expect(cell({ note: 'x|y' })).toBe('{"note":"x\\|y"}');
  });

  test('up to 200 characters are kept; a longer value is cut to 199 and an ellipsis', () => {
    const exactly200 = 'x'.repeat(200);
    expect(cell(exactly200)).toBe(exactly200);
    const long = `${'y'.repeat(199)}z-and-more`;
    expect(cell(long)).toBe(`${'y'.repeat(199)}…`);
    expect(cell(long)).toHaveLength(200);
  });

  test('the length limit applies after escaping', () => {
    // 199 characters become 200 once the pipe is escaped: still within the limit.
    expect(cell(`${'a'.repeat(198)}|`)).toBe(`${'a'.repeat(198)}\\|`);
    // 200 characters become 201: cut.
    expect(cell(`${'a'.repeat(199)}|`)).toBe(`${'a'.repeat(199)}…`);
  });
});

describe('renderTable: rows as a pipe table', () => {
  test('a header with the column types, a rule, one line per row', () => {
    const text = renderTable(
      [{ name: 'city', type: 'text' }, { name: 'flights', type: 'integer' }],
      [
        ['Zürich', 12],
        ['Basel', null],
      ],
    );
    expect(text.split('\n')).toEqual(['| city (text) | flights (integer) |', '|---|---|', '| Zürich | 12 |', '| Basel | NULL |']);
  });

  test('a column without a type shows only its name', () => {
    expect(renderTable([{ name: 'a' }, { name: 'b', type: '' }], [[1, 2]])).toBe('| a | b |\n|---|---|\n| 1 | 2 |');
  });

  test('column names are escaped like values', () => {
    expect(renderTable([{ name: 'a|b' }], [])).toBe('| a\\|b |\n|---|');
  });

  test('no rows: header and rule only', () => {
    expect(renderTable([{ name: 'n', type: 'bigint' }], [])).toBe('| n (bigint) |\n|---|');
  });

  test('a short row is filled with NULL; values beyond the columns are left out', () => {
    expect(renderTable([{ name: 'a' }, { name: 'b' }], [[1], [1, 2, 3]])).toBe('| a | b |\n|---|---|\n| 1 | NULL |\n| 1 | 2 |');
  });
});

import { describe, expect, test } from 'vitest';
import { compactJson } from '../../src/results/output.js';

describe('compactJson', () => {
  test('JSON without indentation; undefined properties are dropped', () => {
    expect(compactJson({ a: 1, b: [true, null], c: undefined, d: { e: 'x' } })).toBe('{"a":1,"b":[true,null],"d":{"e":"x"}}');
    expect(compactJson('text')).toBe('"text"');
    expect(compactJson(0)).toBe('0');
  });

  test('a value JSON cannot express (undefined, a function) is "null", never the string "undefined"', () => {
    expect(compactJson(undefined)).toBe('null');
    expect(compactJson(() => 1)).toBe('null');
    expect(compactJson(null)).toBe('null');
  });
});

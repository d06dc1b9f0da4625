import { describe, expect, test } from 'vitest';
import { MalformedResultError, readResultPage } from '../../src/cluvio/result-stream.js';

const enc = new TextEncoder();

async function* chunksOf(parts: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const p of parts) yield p;
}

/** The bytes of `text` split at the given byte offsets (which may fall inside a multi-byte character). */
function splitBytes(text: string, cuts: number[]): Uint8Array[] {
  const bytes = enc.encode(text);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCuts(length: number, random: () => number, maxChunk: number): number[] {
  const cuts: number[] = [];
  for (let at = 1 + Math.floor(random() * maxChunk); at < length; at += 1 + Math.floor(random() * maxChunk)) cuts.push(at);
  return cuts;
}

/** What readResultPage should give, computed from JSON.parse of the whole document. */
function expected(text: string, offset: number, limit: number) {
  const { rows, ...meta } = JSON.parse(text) as { rows: unknown[] } & Record<string, unknown>;
  return { meta, rows: rows.slice(offset, offset + limit), totalRows: rows.length, cutBySize: false };
}

// Strings with every character that matters to the scanner: brackets, commas, quotes, backslashes,
// colons, braces, \u escapes (incl. a surrogate pair), and multi-byte UTF-8 (2, 3 and 4 bytes).
const TRICKY_ROWS = String.raw`[["[x]", "a,b", 1],
 ["\"]", "\\", -2.5e-3],
 ["\\\"", "\u00e9\u2603\ud83d\ude00", true],
 ["é☃😀 Zürich", "{\"k\":\"}\"}", false],
 [null, "", 0],
 [[1, [2, "]"]], {"k": "v,]"}, "x:y"]]`;

const FIELDS = String.raw`[{"idx":0,"name":"a]b,c\"","data_type":"String"},{"idx":1,"name":"ü\\","data_type":"String","min_value":null}]`;

const SMALL_DOCS = {
  'rows in the middle': `{"fields": ${FIELDS}, "rows": ${TRICKY_ROWS}, "execution_id": "02ca5b65-a269-4c45-8d4a-0c74ff3ae670", "sql_rows": 6, "time_zone": "Europe/Zürich"}`,
  'rows first': `{"rows":${TRICKY_ROWS},"fields":${FIELDS},"sql_rows":6,"sql_columns":3,"data_timestamp":1717171717}`,
  'decoys named rows': String.raw`{"we\"ird\\ name":"rows","fields":[{"name":"rows","rows":[[9,9]]}],"rows":[["rows",{"rows":[1]}],["\"rows\": [", 2]],"note":"\"rows\":[[0]]"}`,
  'rows last': `{\n  "execution_id" : "e\\"1",\n  "size_in_bytes" : 123,\n  "fields" : ${FIELDS},\n  "rows" : ${TRICKY_ROWS}\n}`,
};

describe('readResultPage: chunk boundaries', () => {
  for (const [name, doc] of Object.entries(SMALL_DOCS)) {
    test(`${name}: the same page for a split at every byte position`, async () => {
      const bytes = enc.encode(doc).length;
      for (const [offset, limit] of [
        [0, 100],
        [2, 3],
      ] as const) {
        const want = expected(doc, offset, limit);
        expect(await readResultPage(chunksOf([doc]), { offset, limit })).toEqual(want);
        for (let cut = 1; cut < bytes; cut++) {
          const got = await readResultPage(chunksOf(splitBytes(doc, [cut])), { offset, limit });
          expect(got, `split at byte ${cut}`).toEqual(want);
        }
      }
    });

    test(`${name}: one byte at a time, and two-way splits`, async () => {
      const bytes = enc.encode(doc).length;
      const want = expected(doc, 1, 4);
      const everyByte = Array.from({ length: bytes - 1 }, (_, i) => i + 1);
      expect(await readResultPage(chunksOf(splitBytes(doc, everyByte)), { offset: 1, limit: 4 })).toEqual(want);
      for (let a = 1; a < bytes; a += 7) {
        for (let b = a + 1; b < bytes; b += 3) {
          expect(await readResultPage(chunksOf(splitBytes(doc, [a, b])), { offset: 1, limit: 4 }), `split at ${a}, ${b}`).toEqual(want);
        }
      }
    });

    test(`${name}: string chunks work too`, async () => {
      const parts: string[] = [];
      for (let i = 0; i < doc.length; i += 5) parts.push(doc.slice(i, i + 5));
      expect(await readResultPage(chunksOf(parts), { offset: 0, limit: 10 })).toEqual(expected(doc, 0, 10));
    });
  }

  test('a bigger document in random chunk sizes', async () => {
    const random = rng(42);
    const rows = Array.from({ length: 3_000 }, (_, i) => [i, `name ${i} "q" \\ [${i}] ,ü☃😀`, i % 3 === 0 ? null : i * 1.5, i % 2 === 0, { n: [i] }]);
    const doc = JSON.stringify({
      fields: [{ idx: 0, name: 'id', data_type: 'Integer' }],
      execution_id: 'e',
      rows,
      sql_rows: rows.length,
      time_zone: 'UTC',
    });
    const bytes = enc.encode(doc).length;
    for (const maxChunk of [1_000, 64, 7]) {
      for (const [offset, limit] of [
        [0, 5],
        [1_234, 100],
        [2_990, 50],
      ] as const) {
        const got = await readResultPage(chunksOf(splitBytes(doc, randomCuts(bytes, random, maxChunk))), { offset, limit });
        expect(got).toEqual(expected(doc, offset, limit));
      }
    }
  });
});

describe('readResultPage: pages and metadata', () => {
  const doc = JSON.stringify({
    fields: [{ idx: 0, name: 'n', data_type: 'Integer' }],
    rows: Array.from({ length: 10 }, (_, i) => [i]),
    execution_id: '02ca5b65-a269-4c45-8d4a-0c74ff3ae670',
    data_timestamp: 1700000000,
    sql_rows: 10,
    sql_columns: 1,
    size_in_bytes: 99,
    time_zone: 'UTC',
  });

  test('meta holds every member but rows; the page is offset/limit; totalRows counts all rows', async () => {
    const page = await readResultPage(chunksOf([doc]), { offset: 3, limit: 4 });
    expect(page.meta).toEqual({
      fields: [{ idx: 0, name: 'n', data_type: 'Integer' }],
      execution_id: '02ca5b65-a269-4c45-8d4a-0c74ff3ae670',
      data_timestamp: 1700000000,
      sql_rows: 10,
      sql_columns: 1,
      size_in_bytes: 99,
      time_zone: 'UTC',
    });
    expect(page.meta).not.toHaveProperty('rows');
    expect(page.rows).toEqual([[3], [4], [5], [6]]);
    expect(page.totalRows).toBe(10);
    expect(page.cutBySize).toBe(false);
  });

  test('a page past the end is empty but still counts', async () => {
    expect(await readResultPage(chunksOf([doc]), { offset: 10, limit: 5 })).toMatchObject({ rows: [], totalRows: 10 });
    expect(await readResultPage(chunksOf([doc]), { offset: 8, limit: 5 })).toMatchObject({ rows: [[8], [9]], totalRows: 10 });
  });

  test('empty rows', async () => {
    for (const text of ['{"fields":[],"rows":[],"sql_rows":0}', '{ "rows" : [ ] , "sql_rows" : 0 }', '{"rows":[ \n ]}']) {
      const page = await readResultPage(chunksOf([text]), { offset: 0, limit: 10 });
      expect(page.rows).toEqual([]);
      expect(page.totalRows).toBe(0);
    }
  });

  test('rows that are scalars or objects are kept as they are', async () => {
    const page = await readResultPage(chunksOf(['{"rows":[1,"two",null,{"a":[3]},[4]]}']), { offset: 0, limit: 10 });
    expect(page.rows).toEqual([1, 'two', null, { a: [3] }, [4]]);
    expect(page.totalRows).toBe(5);
  });

  test('whatever follows the closing brace is not read', async () => {
    let pulled = 0;
    async function* gen() {
      pulled++;
      yield '{"rows":[[1]],"sql_rows":1}';
      pulled++;
      yield 'garbage that would not parse';
    }
    const page = await readResultPage(gen(), { offset: 0, limit: 5 });
    expect(page).toMatchObject({ rows: [[1]], totalRows: 1, meta: { sql_rows: 1 } });
    expect(pulled).toBe(1);
  });
});

describe('readResultPage: JSON corners', () => {
  test('an empty member name is a member like any other (its closing quote right after the opening one)', async () => {
    for (const parts of [['{"":1,"rows":[[1]]}'], [...'{"":1,"rows":[[1]]}']]) {
      expect(await readResultPage(chunksOf(parts), { offset: 0, limit: 10 })).toEqual({ meta: { '': 1 }, rows: [[1]], totalRows: 1, cutBySize: false });
    }
  });

  test.each([
    ['a carriage return', '\r'],
    ['a tab', '\t'],
    ['a line feed', '\n'],
    ['a space', ' '],
  ])('%s inside an empty rows array is no row', async (_name, ws) => {
    expect(await readResultPage(chunksOf([`{"rows":[${ws}]}`]), { offset: 0, limit: 10 })).toEqual({ meta: {}, rows: [], totalRows: 0, cutBySize: false });
  });
});

describe('readResultPage: stopWhenFull', () => {
  test('stops once the page is full and does not consume the rest', async () => {
    const total = 1_000;
    let yielded = 0;
    let finished = false;
    async function* gen() {
      try {
        yield '{"fields":[{"name":"n"}],"rows":[';
        for (let i = 0; i < total; i++) {
          yielded++;
          yield `${i ? ',' : ''}[${i}]`;
        }
        yield '],"sql_rows":1000}';
      } finally {
        finished = true;
      }
    }
    const page = await readResultPage(gen(), { offset: 5, limit: 3, stopWhenFull: true });
    expect(page.rows).toEqual([[5], [6], [7]]);
    expect(page.totalRows).toBeUndefined();
    expect(page.meta).toEqual({ fields: [{ name: 'n' }] }); // sql_rows comes after rows: unknown
    expect(yielded).toBeLessThan(20);
    expect(finished).toBe(true); // the generator was closed, not left hanging
  });

  test('without stopWhenFull the whole body is read', async () => {
    let yielded = 0;
    async function* gen() {
      yield '{"rows":[';
      for (let i = 0; i < 100; i++) {
        yielded++;
        yield `${i ? ',' : ''}[${i}]`;
      }
      yield '],"sql_rows":100}';
    }
    const page = await readResultPage(gen(), { offset: 5, limit: 3 });
    expect(page.rows).toEqual([[5], [6], [7]]);
    expect(page.totalRows).toBe(100);
    expect(page.meta).toEqual({ sql_rows: 100 });
    expect(yielded).toBe(100);
  });

  test('a page that reaches the last row still reads to the end and counts', async () => {
    const page = await readResultPage(chunksOf(['{"rows":[[0],[1],[2]],"sql_rows":3}']), { offset: 1, limit: 5, stopWhenFull: true });
    expect(page).toMatchObject({ rows: [[1], [2]], totalRows: 3, meta: { sql_rows: 3 } });
  });
});

describe('readResultPage: maxChars', () => {
  const rows = Array.from({ length: 20 }, (_, i) => [`row-${String(i).padStart(2, '0')}`]); // each row is 10 characters of JSON
  const doc = JSON.stringify({ rows, sql_rows: 20 });

  test('cuts the page once the kept rows would exceed maxChars', async () => {
    const page = await readResultPage(chunksOf([doc]), { offset: 2, limit: 10, maxChars: 35 });
    expect(JSON.stringify(rows[2]).length).toBe(10);
    expect(page.rows).toEqual([['row-02'], ['row-03'], ['row-04']]);
    expect(page.cutBySize).toBe(true);
    expect(page.totalRows).toBe(20);
    expect(page.meta).toEqual({ sql_rows: 20 });
  });

  test('exactly at the limit is not cut', async () => {
    const page = await readResultPage(chunksOf([doc]), { offset: 0, limit: 3, maxChars: 30 });
    expect(page.rows).toHaveLength(3);
    expect(page.cutBySize).toBe(false);
  });

  test('at least one row is kept, however large', async () => {
    const page = await readResultPage(chunksOf([doc]), { offset: 4, limit: 10, maxChars: 1 });
    expect(page.rows).toEqual([['row-04']]);
    expect(page.cutBySize).toBe(true);
    expect(page.totalRows).toBe(20);
  });

  test('with stopWhenFull, a cut page stops reading', async () => {
    const page = await readResultPage(chunksOf(splitBytes(doc, [40, 80, 120])), { offset: 0, limit: 10, maxChars: 25, stopWhenFull: true });
    expect(page.rows).toEqual([['row-00'], ['row-01']]);
    expect(page.cutBySize).toBe(true);
    expect(page.totalRows).toBeUndefined();
  });
});

describe('readResultPage: bad input', () => {
  const doc = SMALL_DOCS['rows in the middle'];

  test('a truncated body (every prefix) → MalformedResultError', async () => {
    const bytes = enc.encode(doc);
    for (let end = 0; end < bytes.length; end++) {
      const err = await readResultPage(chunksOf([bytes.subarray(0, end)]), { offset: 0, limit: 100 }).catch((e) => e);
      expect(err, `prefix of ${end} bytes`).toBeInstanceOf(MalformedResultError);
    }
  });

  test('an empty body → MalformedResultError', async () => {
    await expect(readResultPage(chunksOf([]), { offset: 0, limit: 1 })).rejects.toBeInstanceOf(MalformedResultError);
  });

  test.each([
    ['a bad member value', '{"fields": [1,,2], "rows": []}', 'result data has malformed JSON in fields'],
    ['a bad kept row', '{"rows": [[1, 2x]]}', 'result data has malformed JSON in rows'],
    ['a bad literal', '{"rows": [], "sql_rows": tru}', 'result data has malformed JSON in sql_rows'],
    ['rows not an array', '{"rows": 5}', '"rows" is not an array'],
    ['rows an object', '{"rows": {"a": 1}}', '"rows" is not an array'],
    ['a top-level array', '[[1, 2], [3]]', 'result data is not a JSON object'],
    ['unbalanced brackets in a member', '{"fields": [1, 2}, "rows": []}', 'result data has malformed JSON in fields'],
    ['a bad member name', '{"a\\x": 1, "rows": []}', 'result data has malformed JSON in member name'],
    ['a body cut after the rows', '{"rows": [[1]]', 'result data ended before its closing brace (truncated body)'],
  ])('%s → MalformedResultError saying what is wrong', async (_name, text, message) => {
    // Whole, and a character at a time.
    for (const parts of [[text], [...text]]) {
      const err = await readResultPage(chunksOf(parts), { offset: 0, limit: 10 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MalformedResultError);
      expect(err).toMatchObject({ name: 'MalformedResultError', message });
    }
  });
});

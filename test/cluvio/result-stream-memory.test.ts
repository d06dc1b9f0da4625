import { describe, expect, test } from 'vitest';
import { readResultPage } from '../../src/cluvio/result-stream.js';

// Apart from result-stream.test.ts so that mutation testing can leave it out (vitest.mutation.config.ts): a mutant
// of the parser runs instrumented, and 80 MB read through it takes minutes; what this test pins (bounded memory)
// is not what a mutant breaks, and the behaviour the mutants change is pinned in result-stream.test.ts.
const enc = new TextEncoder();

describe('readResultPage: memory', () => {
  test('a 1,000,000-row body streams through in bounded memory', async () => {
    const TOTAL = 1_000_000;
    const PER_CHUNK = 2_000;
    const PAD = 'x'.repeat(50); // ~80 characters a row: ~80 MB of body, which would not fit if it were kept
    let peakRss = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield enc.encode('{"fields":[{"idx":0,"name":"id","data_type":"Integer"},{"idx":1,"name":"label","data_type":"String"}],"rows":[');
      for (let start = 0; start < TOTAL; start += PER_CHUNK) {
        let s = '';
        for (let i = start; i < start + PER_CHUNK; i++) s += `${i ? ',' : ''}[${i},"label ${i} ü☃ ${PAD}",${i % 2 === 0}]`;
        yield enc.encode(s);
        if (start % 100_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
      yield enc.encode(`],"sql_rows":${TOTAL},"time_zone":"UTC"}`);
    }
    const before = process.memoryUsage().rss;
    const page = await readResultPage(body(), { offset: 500_000, limit: 100 });
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    expect(page.totalRows).toBe(TOTAL);
    expect(page.rows).toHaveLength(100);
    expect(page.rows[0]).toEqual([500_000, `label 500000 ü☃ ${PAD}`, true]);
    expect(page.rows[99]).toEqual([500_099, `label 500099 ü☃ ${PAD}`, false]);
    expect(page.meta).toMatchObject({ sql_rows: TOTAL, time_zone: 'UTC' });
    expect(peakRss - before).toBeLessThan(150 * 1024 * 1024);
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { getDatasourceSchema } from '../../src/workflows/schema.js';
import { fakeContext, run } from './context.js';

const GRANT = { data_key: 'schema/ds1/0', data_access_token: 'tok' };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A schema with `tables` tables of `columns` columns each. */
function schema(name: string, tables: number, columns: number) {
  return {
    name,
    tables: Array.from({ length: tables }, (_, t) => ({
      name: `t${t}`,
      columns: Array.from({ length: columns }, (_, c) => ({ name: `c${c}`, db_type: 'integer' })),
    })),
  };
}

describe('getDatasourceSchema', () => {
  test('reads the schema data with the grant and lists every table with its columns', async () => {
    const { ctx, sent, reads } = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => ({ schemas: [schema('public', 2, 2), schema('audit', 1, 1)] }) } });
    const out = await run(getDatasourceSchema({ id: 'ds1' }, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([['getDatasourceSchema', { id: 'ds1' }]]);
    expect(reads.map((r) => [r.kind, r.grant, r.operation, r.signal])).toEqual([['json', GRANT, 'getSchemaData', ctx.signal]]);
    expect(out.text).toBe('schema public (2 tables)\nt0(c0 integer, c1 integer)\nt1(c0 integer, c1 integer)\n\nschema audit (1 tables)\nt0(c0 integer)');
    expect(out.structured).toEqual({
      datasource_id: 'ds1',
      schemas: [
        {
          name: 'public',
          tables: [
            { name: 't0', columns: [{ name: 'c0', type: 'integer' }, { name: 'c1', type: 'integer' }] },
            { name: 't1', columns: [{ name: 'c0', type: 'integer' }, { name: 'c1', type: 'integer' }] },
          ],
        },
        { name: 'audit', tables: [{ name: 't0', columns: [{ name: 'c0', type: 'integer' }] }] },
      ],
    });
  });

  test('one schema by name', async () => {
    const { ctx, sent } = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => schema('public', 1, 1) } });
    const out = await run(getDatasourceSchema({ id: 'ds1', name: 'public' }, ctx));
    expect(sent[0]!.args).toEqual({ id: 'ds1', name: 'public' });
    expect(out.text).toBe('schema public (1 tables)\nt0(c0 integer)');
  });

  test('over 40,000 characters: table names with column counts, and how to see one schema', async () => {
    // 40 tables × 120 columns: about 60,000 characters in full.
    const { ctx } = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => ({ schemas: [schema('public', 40, 120)] }) } });
    const out = await run(getDatasourceSchema({ id: 'ds1' }, ctx));
    const lines = out.text.split('\n');
    expect(lines[0]).toBe('schema public (40 tables)');
    expect(lines.slice(1, 41)).toEqual(Array.from({ length: 40 }, (_, t) => `t${t}: 120 columns`));
    expect(lines.slice(41)).toEqual(['', "Too large to show every column; call get_datasource_schema with name=<schema> for one schema's columns."]);
    // The structured content still has every column.
    expect((out.structured.schemas as Array<{ tables: Array<{ columns: unknown[] }> }>)[0]!.tables[39]!.columns).toHaveLength(120);
  });

  test('just under the limit is shown in full', async () => {
    // One table of n columns "cN integer" joined by ", ": find the largest that fits 40,000 characters.
    const full = (n: number) => `schema public (1 tables)\nt0(${Array.from({ length: n }, (_, c) => `c${c} integer`).join(', ')})`.length;
    let n = 1;
    while (full(n + 1) <= 40_000) n++;
    const fits = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => schema('public', 1, n) } });
    expect((await run(getDatasourceSchema({ id: 'ds1' }, fits.ctx))).text).toHaveLength(full(n));
    const over = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => schema('public', 1, n + 1) } });
    expect((await run(getDatasourceSchema({ id: 'ds1' }, over.ctx))).text).toContain(`t0: ${n + 1} columns`);
  });

  test('no schema data (nothing granted, or empty): says how to get it', async () => {
    const none = fakeContext({ getDatasourceSchema: undefined });
    expect(await run(getDatasourceSchema({ id: 'ds1' }, none.ctx))).toEqual({
      text: 'Datasource ds1 has no schema data. Try refresh_datasource.',
      structured: { datasource_id: 'ds1', schemas: [] },
    });
    const named = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => ({ schemas: [] }) } });
    expect((await run(getDatasourceSchema({ id: 'ds1', name: 'sales' }, named.ctx))).text).toBe('Datasource ds1 has no schema data for schema "sales". Try refresh_datasource.');
  });
});

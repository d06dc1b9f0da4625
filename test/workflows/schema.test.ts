import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
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

  test('exactly 40,000 characters are shown in full; one more is not', async () => {
    // schema public (1 tables)\n + t(c integer): the table name pads the text to the length wanted.
    const sized = (length: number) => ({ name: 'public', tables: [{ name: 't'.repeat(length - 'schema public (1 tables)\n(c integer)'.length), columns: [{ name: 'c', db_type: 'integer' }] }] });
    const fits = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => sized(40_000) } });
    const text = (await run(getDatasourceSchema({ id: 'ds1' }, fits.ctx))).text;
    expect(text).toHaveLength(40_000);
    expect(text.endsWith('(c integer)')).toBe(true);
    const over = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => sized(40_001) } });
    expect((await run(getDatasourceSchema({ id: 'ds1' }, over.ctx))).text).toMatch(/^schema public \(1 tables\)\nt+: 1 columns\n\nToo large/);
  });

  test('over the limit with several schemas: one block per schema', async () => {
    const { ctx } = fakeContext({ getDatasourceSchema: GRANT }, { data: { json: () => ({ schemas: [schema('public', 30, 120), schema('audit', 1, 2)] }) } });
    const out = await run(getDatasourceSchema({ id: 'ds1' }, ctx));
    const blocks = out.text.split('\n\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[1]).toBe('schema audit (1 tables)\nt0: 2 columns');
    expect(blocks[2]).toBe("Too large to show every column; call get_datasource_schema with name=<schema> for one schema's columns.");
  });

  test('a data read that is retried is logged with the datasource it is for', async () => {
    let reads = 0;
    const { ctx, logs } = fakeContext(
      { getDatasourceSchema: GRANT },
      {
        data: {
          json: () => {
            if (reads++ === 0) throw new CluvioApiError(503, ['busy'], 'getSchemaData');
            return { schemas: [] };
          },
        },
      },
    );
    await run(getDatasourceSchema({ id: 'ds1' }, ctx));
    expect(logs).toEqual([{ level: 'debug', fields: { what: 'schema of datasource ds1', error: 'getSchemaData: HTTP 503 — busy', attempt: 1 }, message: 'data server read failed; retrying' }]);
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

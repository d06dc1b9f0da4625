import { describe, expect, test } from 'vitest';
import { normaliseSchemas } from '../../src/cluvio/schema-data.js';

const table = { name: 'orders', columns: [{ name: 'id', db_type: 'integer', data_type: 'Integer' }, { name: 'note', data_type: 'String' }, { name: 'raw' }] };
const ORDERS = { name: 'orders', columns: [{ name: 'id', type: 'integer' }, { name: 'note', type: 'String' }, { name: 'raw', type: '' }] };

describe('normaliseSchemas', () => {
  test('all schemas ({schemas: [...]}), one schema by name, or a bare list', () => {
    const schema = { name: 'public', tables: [table] };
    expect(normaliseSchemas({ schemas: [schema] })).toEqual([{ name: 'public', tables: [ORDERS] }]);
    expect(normaliseSchemas(schema)).toEqual([{ name: 'public', tables: [ORDERS] }]);
    expect(normaliseSchemas([schema, { name: 'audit' }])).toEqual([
      { name: 'public', tables: [ORDERS] },
      { name: 'audit', tables: [] },
    ]);
  });

  test('a column type is the database type, else Cluvio\'s data type, else empty', () => {
    expect(normaliseSchemas({ name: 's', tables: [table] })[0]!.tables[0]!.columns.map((c) => c.type)).toEqual(['integer', 'String', '']);
  });

  test('entries without a name are dropped at every level', () => {
    const raw = {
      schemas: [
        null,
        { tables: [] },
        { name: 7 },
        { name: 'public', tables: [null, { columns: [] }, { name: 'a', columns: [null, { db_type: 'int' }, { name: 'x', db_type: 'int' }] }] },
      ],
    };
    expect(normaliseSchemas(raw)).toEqual([{ name: 'public', tables: [{ name: 'a', columns: [{ name: 'x', type: 'int' }] }] }]);
  });

  test('tables or columns that are not lists count as none', () => {
    expect(normaliseSchemas({ name: 's', tables: { a: 1 } })).toEqual([{ name: 's', tables: [] }]);
    expect(normaliseSchemas({ name: 's', tables: [{ name: 't', columns: 'x' }] })).toEqual([{ name: 's', tables: [{ name: 't', columns: [] }] }]);
  });

  test('anything else is no schema at all', () => {
    for (const raw of [null, undefined, 'public', 42, {}, { schemas: 'x' }, { name: 1 }]) expect(normaliseSchemas(raw), JSON.stringify(raw)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { PARAMETER_SYNTAX, relevantSchemaText } from '../../src/prompts/context.js';
import type { SchemaInfo } from '../../src/resources/cluvio.js';

describe('prompt context', () => {
  it('shows the whole schema when it fits', () => {
    const s: SchemaInfo[] = [{ name: 'public', tables: [{ name: 'flights', columns: [{ name: 'origin', type: 'text' }] }] }];
    expect(relevantSchemaText('ds', s, 'anything')).toContain('flights(origin text)');
  });

  it('for a large schema, shows the tables a question names in full and the others by name', () => {
    const filler = Array.from({ length: 400 }, (_, t) => ({ name: `misc_${t}`, columns: Array.from({ length: 15 }, (_, c) => ({ name: `field_${c}`, type: 'text' })) }));
    const s: SchemaInfo[] = [
      { name: 'public', tables: [...filler, { name: 'invoices', columns: [{ name: 'amount', type: 'numeric' }, { name: 'customer_id', type: 'int' }] }, { name: 'customers', columns: [{ name: 'id', type: 'int' }, { name: 'country', type: 'text' }] }] },
    ];
    const text = relevantSchemaText('ds', s, 'Invoice amount per customer country', 20_000);
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text).toContain('public.invoices(amount numeric, customer_id int)');
    expect(text).toContain('public.customers(id int, country text)');
    expect(text).toMatch(/public\.misc_0 \(15 cols\)/);
    expect(text).not.toContain('field_14 text');
  });

  it('states the three forms of Cluvio parameters', () => {
    expect(PARAMETER_SYNTAX).toContain('{created_at=timerange}');
    expect(PARAMETER_SYNTAX).toContain('{created_at:aggregation}');
    expect(PARAMETER_SYNTAX).toMatch(/\{my_range\.start\}/);
    expect(PARAMETER_SYNTAX).toMatch(/variable_name, selected_values/);
  });
});

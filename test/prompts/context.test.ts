import { describe, expect, it } from 'vitest';
import { PARAMETER_SYNTAX, relevantSchemaText } from '../../src/prompts/context.js';
import type { SchemaInfo } from '../../src/resources/cluvio.js';
import { rewriteParameters } from '../../src/sandbox/parameters.js';

/** From Cluvio's API reference (v2024-06-01): InputParameters, FilterInput and the AggregationOption enum. */
const REFERENCE = {
  inputParameters: ['timerange', 'aggregation', 'tz', 'filters'],
  filterInput: ['variable_name', 'selected_values'],
  aggregationOptions: ['second', 'minute', 'hour', 'day', 'week', 'week_sunday', 'month', 'quarter', 'year', 'all_time'],
};

/**
 * The three forms of Cluvio's filter documentation: condition `{[<expr>]=<variable>}` (brackets optional for a column),
 * transformation `{[<expr>]:<variable>}`, value `{<variable>.<selector>}`.
 */
const FORMS = {
  condition: /^\{(\[[^\]]+\]|[A-Za-z_][\w.]*)=[A-Za-z_]\w*(\.\w+)?\}$/,
  transformation: /^\{(\[[^\]]+\]|[A-Za-z_][\w.]*):[A-Za-z_]\w*\}$/,
  value: /^\{[A-Za-z_]\w*\.\w+\}$/,
};

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

  it('names only input parameters of the reference, and all its aggregation options', () => {
    const named = new Set([...PARAMETER_SYNTAX.matchAll(/parameters\.(\w+)/g)].map((m) => m[1]!));
    // The three the forms need are explained …
    for (const p of ['timerange', 'aggregation', 'filters']) expect(named, p).toContain(p);
    // … and nothing that is not an input parameter.
    for (const p of named) expect(REFERENCE.inputParameters, p).toContain(p);
    const options = /parameters\.aggregation \(([^)]*)\)/.exec(PARAMETER_SYNTAX)?.[1]?.split(/,\s*/);
    expect(options).toEqual(REFERENCE.aggregationOptions);
    const filterKeys = /parameters\.filters: \[\{([^}]*)\}\]/.exec(PARAMETER_SYNTAX)?.[1]?.split(/,\s*/);
    expect(filterKeys).toEqual(REFERENCE.filterInput);
  });

  it('shows each of the three forms, in the syntax Cluvio documents', () => {
    const shown = [...PARAMETER_SYNTAX.matchAll(/`(\{[^`]*\})`/g)].map((m) => m[1]!);
    const form = (e: string) => (FORMS.condition.test(e) ? 'condition' : FORMS.transformation.test(e) ? 'transformation' : FORMS.value.test(e) ? 'value' : `not Cluvio syntax: ${e}`);
    expect(new Set(shown.map(form))).toEqual(new Set(['condition', 'transformation', 'value']));
  });

  it('gives an example that a Cluvio-compatible rewriter turns into plain SQL', () => {
    const example = /^Example: (.+)$/m.exec(PARAMETER_SYNTAX)?.[1];
    expect(example).toMatch(/^SELECT /);
    const sql = rewriteParameters(example!, { timerange: '1712233090~1712237090', aggregation: 'month', filters: [{ variable_name: 'product_categories', selected_values: ['books'] }] });
    expect(sql).not.toMatch(/[{}]/);
    expect(sql).toContain("DATE_TRUNC('month'");
    expect(sql).toContain("'books'");
  });
});

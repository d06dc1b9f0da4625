import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelJsonSchema, terse, toolSchema } from '../../src/tools/schema.js';

const shape = z.object({
  id: z.string().min(1),
  kind: z.enum(['a', 'b']).optional(),
  nested: terse(z.object({ deep: z.number() }), 'as in other_tool').optional(),
  count: z.number().int().default(3),
});

describe('advertised schema', () => {
  it('drops $schema, additionalProperties and minLength 1, keeps types, enums and defaults', () => {
    const json = modelJsonSchema(shape, 'input');
    expect(json.$schema).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/additionalProperties|minLength/);
    expect(json).toMatchObject({ type: 'object', required: ['id'], properties: { kind: { enum: ['a', 'b'] }, count: { default: 3 } } });
  });

  it('advertises a terse schema in words', () => {
    expect((modelJsonSchema(shape, 'input').properties as Record<string, unknown>).nested).toEqual({ type: 'object', description: 'as in other_tool' });
  });

  it('advertises only the named properties when asked', () => {
    const json = modelJsonSchema(shape, 'input', ['id']);
    expect(Object.keys(json.properties as object)).toEqual(['id']);
    expect(json.required).toEqual(['id']);
  });
});

describe('validation', () => {
  const validate = (v: unknown) => toolSchema(shape, ['id'])['~standard'].validate(v) as Promise<{ value?: unknown; issues?: Array<{ message: string; path: unknown[] }> }>;

  it('validates in full, including what is not advertised', async () => {
    const bad = await validate({ id: 'x', nested: { deep: 'no' } });
    expect(bad.issues?.[0]?.path).toEqual(['nested', 'deep']);
    expect((await validate({ id: 'x', nested: { deep: 1 } })).value).toEqual({ id: 'x', nested: { deep: 1 }, count: 3 });
  });

  it('names the accepted values of an enum', async () => {
    const res = await validate({ id: 'x', kind: 'c' });
    expect(res.issues?.[0]).toMatchObject({ path: ['kind'], message: 'not an accepted value; accepted: "a", "b"' });
  });

  it('rejects unknown arguments and lists the accepted ones', async () => {
    const res = await validate({ id: 'x', sql: 'SELECT 1' });
    expect(res.issues?.[0]?.message).toBe('unknown argument "sql"; accepted: id, kind, nested, count');
  });

  it('says a missing argument is required', async () => {
    const res = await validate({});
    expect(res.issues?.[0]).toMatchObject({ path: ['id'], message: 'required (string)' });
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelJsonSchema, normalizeArguments, toolSchema } from '../../src/tools/schema.js';

const shape = z.object({
  id: z.string().min(1),
  kind: z.enum(['a', 'b']).optional(),
  nested: z.object({ deep: z.number(), note: z.string().optional() }).optional(),
  items: z.array(z.object({ name: z.string(), tag: z.string().optional() })).optional(),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  maybe: z.string().nullable().optional(),
  count: z.number().int().default(3),
});

describe('advertised schema', () => {
  it('drops $schema, additionalProperties and minLength 1, keeps types, enums and defaults', () => {
    const json = modelJsonSchema(shape, 'input');
    expect(json.$schema).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/additionalProperties|minLength/);
    expect(json).toMatchObject({ type: 'object', required: ['id'], properties: { kind: { enum: ['a', 'b'] }, count: { default: 3 } } });
  });

  it('spells out nested objects in full', () => {
    const props = modelJsonSchema(shape, 'input').properties as Record<string, Record<string, unknown>>;
    expect(props.nested).toMatchObject({ type: 'object', properties: { deep: { type: 'number' }, note: { type: 'string' } }, required: ['deep'] });
  });

  it('writes a union of several primitive types as anyOf, and keeps [T, "null"] as a type pair', () => {
    const props = modelJsonSchema(shape, 'input').properties as Record<string, Record<string, unknown>>;
    expect(props.value).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] });
    expect(JSON.stringify(props.maybe)).not.toContain('anyOf');
  });
});

describe('validation', () => {
  const validate = (v: unknown) => toolSchema(shape)['~standard'].validate(v) as Promise<{ value?: unknown; issues?: Array<{ message: string; path: unknown[] }> }>;

  it('validates nested arguments in full', async () => {
    const bad = await validate({ id: 'x', nested: { deep: 'no' } });
    expect(bad.issues?.[0]?.path).toEqual(['nested', 'deep']);
    expect((await validate({ id: 'x', nested: { deep: 1 } })).value).toEqual({ id: 'x', nested: { deep: 1 }, count: 3 });
  });

  it('names the value given and the accepted values of an enum', async () => {
    const res = await validate({ id: 'x', kind: 'c' });
    expect(res.issues?.[0]).toMatchObject({ path: ['kind'], message: '"c" is not an accepted value; accepted: "a", "b"' });
  });

  it('rejects unknown arguments and lists the accepted ones', async () => {
    const res = await validate({ id: 'x', sql: 'SELECT 1' });
    expect(res.issues?.[0]?.message).toBe('unknown argument "sql"; accepted: id, kind, nested, items, value, maybe, count');
  });

  it('says a missing argument is required, and a wrong type what it got', async () => {
    expect((await validate({})).issues?.[0]).toMatchObject({ path: ['id'], message: 'required (string)' });
    expect((await validate({ id: 5 })).issues?.[0]).toMatchObject({ path: ['id'], message: 'expected string, got number' });
  });

  it('takes null for an optional argument as not set, at any depth, as strict-mode models send it', async () => {
    const res = await validate({ id: 'x', kind: null, nested: { deep: 1, note: null }, items: [{ name: 'n', tag: null }], count: null });
    expect(res.issues).toBeUndefined();
    expect(res.value).toEqual({ id: 'x', nested: { deep: 1 }, items: [{ name: 'n' }], count: 3 });
  });

  it('keeps null where the schema accepts it', async () => {
    expect((await validate({ id: 'x', value: null, maybe: null })).value).toEqual({ id: 'x', value: null, maybe: null, count: 3 });
  });

  it('refuses null for a required argument, saying so', async () => {
    expect((await validate({ id: null })).issues?.[0]).toMatchObject({ path: ['id'], message: 'expected string, got null' });
  });

  it("accepts and drops Gemini CLI's wait_for_previous, but no other unknown argument", async () => {
    expect((await validate({ id: 'x', wait_for_previous: true })).value).toEqual({ id: 'x', count: 3 });
    expect((await validate({ id: 'x', wait_for_next: true })).issues?.[0]?.message).toMatch(/^unknown argument "wait_for_next"/);
  });

  it('leaves an argument named wait_for_previous alone when the schema declares one', () => {
    expect(normalizeArguments(z.object({ wait_for_previous: z.boolean() }), { wait_for_previous: true })).toEqual({ wait_for_previous: true });
  });
});

describe('arguments named like Object.prototype members', () => {
  const validate = (v: unknown) => toolSchema(z.object({ id: z.string(), nested: z.object({ a: z.string().optional() }).optional() }))['~standard'].validate(v) as Promise<{
    value?: unknown;
    issues?: Array<{ message: string; path: unknown[] }>;
  }>;

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf'])('refuses "%s" as an unknown argument instead of taking it for a schema', async (key) => {
    const res = await validate({ id: 'x', [key]: 1 });
    expect(res.issues?.[0]?.message).toBe(`unknown argument "${key}"; accepted: id, nested`);
    const nested = await validate({ id: 'x', nested: { [key]: null } });
    expect(nested.issues).toBeUndefined();
    expect(nested.value).toEqual({ id: 'x', nested: {} });
  });

  it('refuses an own "__proto__" key, and one the SDK turned into the prototype', async () => {
    const own = JSON.parse('{"id":"x","__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect((await validate(own)).issues?.[0]?.message).toMatch(/^unknown argument "__proto__"/);
    const lifted = Object.assign(Object.create({ polluted: true }) as object, { id: 'x' });
    expect((await validate(lifted)).issues?.[0]?.message).toMatch(/^unknown argument "__proto__"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

import { z } from 'zod';
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';

/**
 * Input schemas are zod; what a model reads is their JSON Schema, paid for in every conversation.
 * This module validates with the full zod schema but advertises a compact JSON Schema.
 */

const terseSchemas = new WeakMap<z.ZodType, string>();

/**
 * Advertise `schema` as an object described in words (e.g. "filter inputs, as in run_execution")
 * instead of spelling out its structure again. Validation still applies the full schema, and its
 * errors say what is accepted.
 */
export function terse<T extends z.ZodType>(schema: T, description: string): T {
  terseSchemas.set(schema, description);
  return schema;
}

/** JSON Schema keywords that cost tokens and tell a model nothing useful. */
function compact(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach(compact);
  const o = node as Record<string, unknown>;
  delete o.$schema;
  delete o.additionalProperties;
  if (o.minLength === 1) delete o.minLength;
  // zod's .int() advertises the safe-integer range: true, and worth nothing to a model.
  if (o.maximum === Number.MAX_SAFE_INTEGER) delete o.maximum;
  if (o.minimum === Number.MIN_SAFE_INTEGER) delete o.minimum;
  for (const v of Object.values(o)) compact(v);
}

export function modelJsonSchema(schema: z.ZodType, io: 'input' | 'output', advertise?: readonly string[]): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const words = terseSchemas.get(ctx.zodSchema as unknown as z.ZodType);
      if (words === undefined) return;
      for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[k];
      Object.assign(ctx.jsonSchema, { type: 'object', description: words });
    },
  }) as Record<string, unknown>;
  compact(json);
  if (advertise) {
    const props = json.properties as Record<string, unknown> | undefined;
    if (props) for (const k of Object.keys(props)) if (!advertise.includes(k)) delete props[k];
    if (Array.isArray(json.required)) json.required = json.required.filter((k: string) => advertise.includes(k));
  }
  return json;
}

type Issue = z.core.$ZodIssue;

/** One readable line per problem: the argument, what was wrong, what is accepted. */
function explain(issue: Issue, root: z.ZodObject): { message: string; path: PropertyKey[] } {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case 'invalid_value':
      return { path, message: `not an accepted value; accepted: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'unrecognized_keys': {
      const known = path.length === 0 ? Object.keys(root.shape) : undefined;
      return {
        path,
        message: `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${known ? `; accepted: ${known.join(', ')}` : ''}`,
      };
    }
    case 'invalid_type':
      return { path, message: issue.input === undefined ? `required (${issue.expected})` : `expected ${issue.expected}` };
    default:
      return { path, message: issue.message };
  }
}

/** Wraps a zod object as the SDK's schema type: full zod validation, compact advertised JSON Schema. */
export function toolSchema(
  schema: z.ZodObject,
  advertise?: readonly string[],
  prebuilt?: { input?: Record<string, unknown>; output?: Record<string, unknown> },
): StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>> {
  let strict: z.ZodObject | undefined;
  let input = prebuilt?.input;
  let output = prebuilt?.output;
  return {
    '~standard': {
      version: 1,
      vendor: 'cluvio-mcp',
      validate: async (value: unknown) => {
        const result = await (strict ??= schema.strict())['~standard'].validate(value);
        if (!('issues' in result) || !result.issues) return result;
        return { issues: (result.issues as Issue[]).map((i) => explain(i, schema)) };
      },
      jsonSchema: {
        input: () => (input ??= modelJsonSchema(schema, 'input', advertise)),
        output: () => (output ??= modelJsonSchema(schema, 'output')),
      },
    },
  } as unknown as StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;
}

import { z } from 'zod';
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { ADVERTISED_AS, UNADVERTISED_DEFAULTS } from '../operations/shared.js';

/**
 * Input schemas are zod; what a model reads is their JSON Schema, paid for in every conversation.
 * Every tool advertises its whole schema: clients with tool search load one tool at a time, and strict-mode
 * converters (OpenAI, Vercel AI, Mastra) tell the model that anything not listed is forbidden.
 */

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
  // Lower bounds a count or offset has anyway; validation still applies them and its messages say so.
  if (o.type === 'integer' && (o.minimum === 0 || o.minimum === 1 || o.exclusiveMinimum === 0)) {
    delete o.minimum;
    delete o.exclusiveMinimum;
  }
  // zod writes a union of primitives as a type array; converters and validators (Gemini CLI, Mastra's Google
  // layer) accept only [T, "null"] in that form, and anyOf everywhere.
  if (Array.isArray(o.type) && (o.type.length > 2 || (o.type.length === 2 && !o.type.includes('null')))) {
    o.anyOf = o.type.map((type: unknown) => ({ type }));
    delete o.type;
  }
  for (const v of Object.values(o)) compact(v);
}

export function modelJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      const zodSchema = ctx.zodSchema as unknown as z.ZodType;
      const json = ctx.jsonSchema as Record<string, unknown>;
      if (UNADVERTISED_DEFAULTS.has(zodSchema)) delete json.default;
      const advertised = ADVERTISED_AS.get(zodSchema);
      if (advertised) {
        for (const k of Object.keys(json)) delete json[k];
        Object.assign(json, structuredClone(advertised));
      }
    },
  }) as Record<string, unknown>;
  compact(json);
  return json;
}

/**
 * Arguments a client adds to every tool of its own accord, accepted and dropped. Gemini CLI
 * (@google/gemini-cli-core) declares a `wait_for_previous` boolean on every tool and sends it: a hint for
 * its own scheduler.
 */
const CLIENT_ARGUMENTS = ['wait_for_previous'];

type Schema = z.core.$ZodType;

/** The schema inside optional/nullable/default/readonly/pipe wrappers. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'].includes(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

const accepts = (schema: Schema, value: unknown): boolean => z.safeParse(schema, value).success;

/**
 * Explicit null for an optional argument means "not set": OpenAI strict mode makes every optional property
 * nullable, and models send null for what they do not use. Such nulls are removed (in nested objects and
 * arrays too) unless the schema itself accepts null; a null for a required argument stays and is refused.
 */
function dropNulls(schema: Schema, value: unknown): unknown {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isPlainObject(value)) {
    const kept: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(value)) {
      // Own keys only: an argument named "constructor" or "toString" is unknown, not Object.prototype's member.
      const field = Object.hasOwn(inner.shape, k) ? (inner.shape[k] as Schema) : undefined;
      if (v === null && field && accepts(field, undefined) && !accepts(field, null)) continue;
      kept.push([k, field ? dropNulls(field, v) : v]);
    }
    // fromEntries defines the keys: assigning "__proto__" would set the prototype instead, and the key would vanish.
    return Object.fromEntries(kept);
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) return value.map((v) => dropNulls(inner.element as Schema, v));
  return value;
}

/** Tool arguments as the operation means them: client-added arguments dropped, nulls for "not set" removed. */
export function normalizeArguments(schema: z.ZodObject, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out = dropNulls(schema, value) as Record<string, unknown>;
  for (const k of CLIENT_ARGUMENTS) if (!Object.hasOwn(schema.shape, k)) delete out[k];
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

type Issue = z.core.$ZodIssue;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** One readable line per problem: the argument, what was wrong, what is accepted. */
function explain(issue: Issue, root: z.ZodObject, input: unknown): { message: string; path: PropertyKey[] } {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case 'invalid_value':
      return { path, message: `${shown(valueAt(input, path))} is not an accepted value; accepted: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'unrecognized_keys': {
      const known = path.length === 0 ? Object.keys(root.shape) : undefined;
      return {
        path,
        message: `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${known ? `; accepted: ${known.join(', ')}` : ''}`,
      };
    }
    case 'invalid_type': {
      const got = valueAt(input, path);
      return { path, message: got === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${kindOf(got)}` };
    }
    default:
      return { path, message: issue.message };
  }
}

/** Wraps a zod object as the SDK's schema type: normalised arguments, full zod validation, compact advertised JSON Schema. */
export function toolSchema(
  schema: z.ZodObject,
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
        // The SDK parses arguments with a zod record, which makes an own "__proto__" key the object's prototype.
        if (isPlainObject(value) && ![Object.prototype, null].includes(Object.getPrototypeOf(value))) {
          return { issues: [{ path: [], message: `unknown argument "__proto__"; accepted: ${Object.keys(schema.shape).join(', ')}` }] };
        }
        const args = normalizeArguments(schema, value);
        const result = await (strict ??= schema.strict())['~standard'].validate(args);
        if (!('issues' in result) || !result.issues) return result;
        return { issues: (result.issues as Issue[]).map((i) => explain(i, schema, args)) };
      },
      jsonSchema: {
        input: () => (input ??= modelJsonSchema(schema, 'input')),
        output: () => (output ??= modelJsonSchema(schema, 'output')),
      },
    },
  } as unknown as StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;
}

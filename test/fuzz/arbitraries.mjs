// Tool arguments for fuzzing, generated from each tool's own input schema (the JSON Schema that
// tools/list serves): schema-valid arguments, and hostile ones built from them (wrong types,
// missing required fields, huge strings, deep nesting, odd Unicode, odd numbers, extra keys,
// arrays where objects are expected, non-object arguments).
// Plain ESM so that both the vitest suite and scripts/fuzz.mjs (plain Node) use it.
import fc from 'fast-check';

const MAX_DEPTH = 6;
const MIB = 1 << 20;

/** Strings a careless server trips over: lone surrogates, bidi and zero-width marks, NUL, dot segments, URL and header syntax. */
export const ODD_STRINGS = [
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\udc00\ud800',
  '\u202e\u202dRTL\u202c',
  '\u200f\u0645\u0631\u062d\u0628\u0627\u200e',
  '\u200b\u200c\u200d\u2060\ufeff',
  '\u0000',
  'nul\u0000inside',
  '\u0001\u0007\u001b[31m\u007f',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66',
  '\ufffd\uffff\ufffe',
  '',
  ' ',
  '.',
  '..',
  '../../../etc/passwd',
  '%2e%2e%2f',
  '%',
  '%zz',
  '/',
  '?x=1&y=2#frag',
  'a\r\nX-Injected: 1',
  '\\',
  '"\'`;--',
  "' OR 1=1 --",
  '${process.exit()}',
  '{timerange}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e308',
  '\u2028\u2029',
  '\t\v\f',
];

/** Numbers at and beyond the edges: JSON cannot carry NaN or Infinity, so these are the extremes it can. */
export const ODD_NUMBERS = [
  Number.MAX_SAFE_INTEGER + 1,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  -0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  0.5,
  -1,
  -2147483649,
  2147483648,
  2 ** 63,
  1e21,
  123456789.000001,
];

/** Keys no tool accepts, including ones that mean something to JavaScript objects. */
export const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'id ', 'ID', '\u0000', '\ud800', 'x'.repeat(300), '$ref', 'then'];

/** `{"a":{"a":…}}` or `[[…]]`, `levels` deep. */
export function nested(levels, kind = 'object') {
  let v = kind === 'object' ? {} : [];
  for (let i = 0; i < levels; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

/** An own, enumerable property, even for "__proto__" (so JSON.stringify sends it as a plain key). */
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

function copy(args) {
  const out = {};
  for (const [k, v] of Object.entries(args)) setOwn(out, k, v);
  return out;
}

const plainString = fc.oneof(
  { arbitrary: fc.string({ maxLength: 24 }), weight: 5 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
);

function typesOf(schema) {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function integerArb(schema) {
  const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : -Number.MAX_SAFE_INTEGER);
  const hi = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : Number.MAX_SAFE_INTEGER);
  const min = Math.max(Math.ceil(lo), -Number.MAX_SAFE_INTEGER);
  const max = Math.min(Math.floor(hi), Number.MAX_SAFE_INTEGER);
  // Mostly small values and the bounds themselves; sometimes anywhere in range.
  const small = fc.integer({ min: Math.max(min, -100), max: Math.max(Math.min(max, 100), Math.max(min, -100)) });
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: fc.constantFrom(min, max), weight: 2 }, { arbitrary: fc.integer({ min, max }), weight: 1 });
}

function numberArb(schema) {
  const opts = { noNaN: true, noDefaultInfinity: true };
  if (schema.minimum !== undefined) opts.min = schema.minimum;
  if (schema.maximum !== undefined) opts.max = schema.maximum;
  if (schema.exclusiveMinimum !== undefined) Object.assign(opts, { min: schema.exclusiveMinimum, minExcluded: true });
  if (schema.exclusiveMaximum !== undefined) Object.assign(opts, { max: schema.exclusiveMaximum, maxExcluded: true });
  return fc.oneof({ arbitrary: fc.double(opts), weight: 1 }, { arbitrary: integerArb({ ...schema, minimum: opts.min, maximum: opts.max }), weight: 1 });
}

function stringArb(schema) {
  if (schema.pattern) {
    try {
      const re = new RegExp(schema.pattern);
      return fc.stringMatching(re).filter((s) => s.length <= 200);
    } catch {
      // Not a pattern fast-check understands: plain strings (they may be rejected, which is fine).
    }
  }
  const min = schema.minLength ?? 0;
  if (min > 0 || schema.maxLength !== undefined) return fc.string({ minLength: min, maxLength: Math.min(schema.maxLength ?? min + 24, min + 200) });
  return plainString;
}

/**
 * A fast-check arbitrary producing values the JSON Schema accepts.
 * @param {Record<string, any>} schema
 * @param {{ hint?: (key: string | undefined, schema: Record<string, any>) => import('fast-check').Arbitrary<unknown> | undefined, shapes?: Record<string, Record<string, any>> }} [opts]
 *   hint: overrides by property name (ids that exist, short waits, SQL); shapes: full schemas for
 *   objects the server advertises only in words (e.g. `parameters`, "as in run_execution").
 * @param {string} [key] the property name this schema sits under
 */
export function arbitraryFor(schema, opts = {}, key = undefined, depth = 0) {
  const hinted = opts.hint?.(key, schema);
  if (hinted) return hinted;
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length) return fc.oneof(...alternatives.map((s) => arbitraryFor(s, opts, key, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length) return arbitraryFor(Object.assign({}, ...schema.allOf), opts, key, depth);
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitraryFor({ ...schema, type }, opts, key, depth + 1)));
  switch (types[0]) {
    case 'object': {
      const props = schema.properties;
      if (!props || Object.keys(props).length === 0) {
        const shape = key !== undefined ? opts.shapes?.[key] : undefined;
        if (shape && depth < MAX_DEPTH) return arbitraryFor(shape, opts, key, depth + 1);
        if (schema.propertyNames || schema.additionalProperties) {
          return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
        }
        return fc.constant({});
      }
      if (depth >= MAX_DEPTH) return fc.constant({});
      const model = {};
      for (const [k, s] of Object.entries(props)) model[k] = arbitraryFor(s, opts, k, depth + 1);
      const required = (schema.required ?? []).filter((k) => k in props);
      return fc.record(model, { requiredKeys: required, noNullPrototype: true });
    }
    case 'array': {
      const items = schema.items && depth < MAX_DEPTH ? arbitraryFor(schema.items, opts, key, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      const minLength = schema.minItems ?? 0;
      return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)) });
    }
    case 'string':
      return stringArb(schema);
    case 'integer':
      return integerArb(schema);
    case 'number':
      return numberArb(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value whose JSON type differs from every type the schema allows. */
function wrongTypeArb(schema) {
  const allowed = new Set(typesOf(schema));
  if (Array.isArray(schema.enum)) allowed.add(typeof schema.enum[0]);
  if (allowed.has('integer')) allowed.add('number');
  const candidates = [
    ['string', fc.constantFrom('42', 'true', '{}', '[]', 'null')],
    ['number', fc.constantFrom(42, 1.5, -7, 0)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['object', fc.constantFrom({}, { value: 1 }, { id: 'x' })],
    ['array', fc.constantFrom([], ['x'], [1, 2], [{}], [[{}]])],
  ];
  const picks = candidates.filter(([t]) => !allowed.has(t)).map(([, a]) => a);
  // An enum or a pattern-bound string: a string outside it is also the wrong value.
  if (allowed.has('string') && (schema.enum || schema.pattern)) picks.push(fc.constantFrom('not-an-accepted-value', 'ALL', ''));
  // Integers: a fraction, and just past the bounds.
  if (allowed.has('integer')) picks.push(fc.constantFrom(0.5, 2.25));
  if (schema.minimum !== undefined) picks.push(fc.constant(schema.minimum - 1));
  if (schema.exclusiveMinimum !== undefined) picks.push(fc.constant(schema.exclusiveMinimum));
  if (schema.maximum !== undefined) picks.push(fc.constant(schema.maximum + 1));
  return fc.oneof(...picks);
}

function hugeString(kind, bytes) {
  switch (kind) {
    case 'ascii':
      return 'a'.repeat(bytes);
    case 'multibyte':
      return '\u20ac'.repeat(Math.floor(bytes / 3));
    case 'emoji':
      return '\ud83d\ude00'.repeat(Math.floor(bytes / 4));
    default:
      return `${'\u0000\ud800'.repeat(Math.floor(bytes / 8))}`;
  }
}

/** Names of the properties of `schema` whose (first) type is `type`. */
function propsOfType(schema, ...types) {
  return Object.entries(schema.properties ?? {})
    .filter(([, s]) => typesOf(s).some((t) => types.includes(t)))
    .map(([k]) => k);
}

const pick = (list, n) => list[n % list.length];

/**
 * Hostile arguments for a tool: each value is `{ strategy, args }`; `args` is usually an object,
 * but `non-object-arguments` sends null, a string, a number or an array as `arguments`.
 * @param {Record<string, any>} schema
 * @param {Parameters<typeof arbitraryFor>[1]} [opts]
 */
export function hostileArgs(schema, opts = {}) {
  const valid = arbitraryFor(schema, opts);
  const props = Object.keys(schema.properties ?? {});
  const required = (schema.required ?? []).filter((k) => props.includes(k));
  const strings = propsOfType(schema, 'string');
  const numbers = propsOfType(schema, 'integer', 'number');
  const objects = propsOfType(schema, 'object');
  const anyProp = props.length ? props : ['id'];
  const n = fc.noBias(fc.nat());
  const tag = (strategy) => (args) => ({ strategy, args });

  const strategies = [
    // Each property in turn given a value of another type.
    fc.tuple(valid, n).chain(([a, i]) => {
      const k = pick(anyProp, i);
      return wrongTypeArb(schema.properties?.[k] ?? {}).map((v) => tag('wrong-type')(setOwn(copy(a), k, v)));
    }),
    // Every value of the wrong type at once.
    fc.tuple(...anyProp.map((k) => wrongTypeArb(schema.properties?.[k] ?? {}))).map((vs) => {
      const out = {};
      anyProp.forEach((k, i) => setOwn(out, k, vs[i]));
      return { strategy: 'all-wrong-types', args: out };
    }),
    fc.tuple(valid, n).map(([a, i]) => {
      const out = copy(a);
      if (required.length) delete out[pick(required, i)];
      else for (const k of Object.keys(out)) delete out[k];
      return { strategy: 'missing-required', args: out };
    }),
    fc.tuple(valid, n, fc.constantFrom('ascii', 'multibyte', 'emoji', 'mixed'), fc.constantFrom(MIB, MIB, 64 * 1024)).map(([a, i, kind, bytes]) => {
      const k = pick(strings.length ? strings : anyProp, i);
      return { strategy: 'huge-string', args: setOwn(copy(a), k, hugeString(kind, bytes)) };
    }),
    fc.tuple(valid, n, fc.constantFrom('object', 'array'), fc.constantFrom(200, 200, 1000)).map(([a, i, kind, levels]) => {
      const k = pick(objects.length && i % 2 === 0 ? objects : anyProp, i);
      return { strategy: 'deep-nesting', args: setOwn(copy(a), k, nested(levels, kind)) };
    }),
    fc.tuple(valid, n, fc.constantFrom(...ODD_STRINGS), fc.constantFrom(...ODD_STRINGS)).map(([a, i, s1, s2]) => {
      const out = copy(a);
      if (strings.length) {
        setOwn(out, pick(strings, i), s1);
        setOwn(out, pick(strings, i + 1), s1 + s2);
      } else setOwn(out, pick(anyProp, i), s1);
      return { strategy: 'odd-unicode', args: out };
    }),
    fc.tuple(valid, n, fc.constantFrom(...ODD_NUMBERS)).map(([a, i, v]) => {
      const k = pick(numbers.length ? numbers : anyProp, i);
      return { strategy: 'odd-number', args: setOwn(copy(a), k, v) };
    }),
    fc.tuple(valid, fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([a, k, v]) => ({ strategy: 'extra-key', args: setOwn(copy(a), k, v) })),
    // "__proto__" as an own key carrying the required arguments: validation must not see them through the prototype.
    fc.tuple(valid).map(([a]) => {
      const inner = copy(a);
      return { strategy: 'proto-smuggling', args: setOwn({}, '__proto__', inner) };
    }),
    fc.tuple(valid, n, fc.constantFrom([], [{}], [1, 'a'], [[]])).map(([a, i, arr]) => {
      const k = pick(objects.length ? objects : anyProp, i);
      return { strategy: 'array-for-object', args: setOwn(copy(a), k, arr) };
    }),
    fc.constantFrom(null, 'arguments', 42, true, [], [{}], ['id', 'x']).map(tag('non-object-arguments')),
    // No `arguments` at all (the SDK treats it as {}).
    fc.constant(undefined).map(tag('no-arguments')),
  ];
  return fc.oneof(...strategies);
}

/** The list a property or tool is about: `dashboard_id` → dashboards, `get_sql_alert` → sql_alerts. */
function listFor(name, lists) {
  const singular = lists.map((l) => [l, l.replace(/s$/, '')]).sort((a, b) => b[1].length - a[1].length);
  return singular.find(([, one]) => name === one || name.includes(`${one}_`) || name.endsWith(`_${one}`) || name.includes(`_${one}_`))?.[0];
}

/**
 * Property-name overrides shared by the suite and the script.
 * - `max_wait_seconds`: 0–2 s, so no call sits waiting on a long job.
 * - ids: for tools that do not destroy anything, often an id that exists (of the right kind, or
 *   any kind), so real code paths run; a destructive tool's target `id` is always made up, so the
 *   seeded objects survive (the health check afterwards relies on smpl-data-0001).
 * - `sql_query`: random text or a small read query.
 * @param {{ name: string, annotations?: { destructiveHint?: boolean } }} tool
 * @param {Record<string, string[]>} ids existing ids by list (see session.mjs existingIds)
 */
export function hintsFor(tool, ids) {
  const destructive = tool.annotations?.destructiveHint === true;
  const lists = Object.keys(ids).filter((l) => ids[l].length);
  const all = lists.flatMap((l) => ids[l]);
  const madeUp = fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 24 }), weight: 3 }, { arbitrary: fc.uuid(), weight: 1 });
  const existingFor = (name) => {
    const list = listFor(name, lists);
    const own = list ? fc.constantFrom(...ids[list]) : undefined;
    const any = all.length ? fc.constantFrom(...all) : madeUp;
    return own ? fc.oneof({ arbitrary: own, weight: 3 }, { arbitrary: any, weight: 1 }) : any;
  };
  const sql = fc.oneof(
    { arbitrary: plainString, weight: 3 },
    { arbitrary: fc.integer().map((i) => `SELECT ${i} AS v`), weight: 2 },
    { arbitrary: fc.string({ maxLength: 30 }).map((s) => `SELECT '${s.replace(/'/g, "''")}' AS v`), weight: 2 },
    { arbitrary: fc.constantFrom('SELECT 1', 'SELECT * FROM generate_series(1, 50) g', 'SELECT {timerange} AS t', 'SELECT now()'), weight: 1 },
  );
  return (key, schema) => {
    if (key === undefined) return undefined;
    if (key === 'max_wait_seconds') return fc.integer({ min: 0, max: 2 });
    if (key === 'sql_query' && typesOf(schema).includes('string')) return sql;
    const isString = typesOf(schema).includes('string') && !schema.enum;
    if (isString && (key === 'id' || key.endsWith('_id'))) {
      if (destructive && key === 'id') return madeUp;
      return fc.oneof({ arbitrary: existingFor(key === 'id' ? tool.name : key.slice(0, -3)), weight: 2 }, { arbitrary: madeUp, weight: 1 });
    }
    if (key.endsWith('_ids') && typesOf(schema).includes('array')) {
      return fc.array(fc.oneof(existingFor(key.slice(0, -4)), madeUp), { maxLength: 3 });
    }
    return undefined;
  };
}

/** Tool names that do not exist: near misses, odd Unicode, path and prototype tricks. */
export function unknownToolNames(known) {
  return fc.oneof(
    fc.constantFrom(...known).map((n) => n.toUpperCase()),
    fc.constantFrom(...known).map((n) => `${n} `),
    fc.constantFrom(...known).map((n) => `${n}\u200b`),
    fc.constantFrom('', '__proto__', 'constructor', 'toString', '../list_datasources', 'list_datasources\u0000', '\ud800', 'x'.repeat(10_000)),
    fc.string({ maxLength: 30 }),
  ).filter((n) => !known.includes(n));
}

/** A short, printable account of a (possibly 1 MB or 1000-level) value, for failure messages. */
export function describeValue(value, depth = 0) {
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${JSON.stringify(value.slice(0, 40))}…(${value.length} chars)` : JSON.stringify(value);
    return shown;
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (depth > 4) return Array.isArray(value) ? '[…deep]' : '{…deep}';
  if (Array.isArray(value)) return `[${value.slice(0, 6).map((v) => describeValue(v, depth + 1)).join(', ')}${value.length > 6 ? ', …' : ''}]`;
  const entries = Object.keys(value).slice(0, 12).map((k) => `${JSON.stringify(k)}: ${describeValue(value[k], depth + 1)}`);
  return `{${entries.join(', ')}${Object.keys(value).length > 12 ? ', …' : ''}}`;
}

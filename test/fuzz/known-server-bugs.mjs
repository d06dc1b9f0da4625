// Server bugs the fuzzer finds and the server does not fix yet, each pinned to exactly the answer it
// gives, so that a call hitting one is counted (and printed) instead of failing the run, while any
// other wrong answer still fails. When a listed bug stops showing, the run fails until its entry is
// removed: the list only shrinks. An entry says what is wrong and where the fix goes (`where`).
//
// matches({ args, out, expectation, target, schemas, operations, unmet, expectationFor }) →
//   'bug'   this answer is the listed bug (not a failure; counted);
//   'fixed' the call would have shown the bug, and the answer is right instead;
//   undefined otherwise.

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

/** Names Object.prototype carries, which a plain `shape[key]` lookup finds on any object. */
const OBJECT_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype);

/** The arguments the server validates: the call's own, or (call_operation) the parsed ones inside. */
function validatedArguments(args, target) {
  if (!target.operation) return args === undefined ? {} : args;
  try {
    return JSON.parse(args.arguments ?? '{}');
  } catch {
    return undefined;
  }
}

function keysAnywhere(value, depth = 0) {
  if (depth > 50) return [];
  if (Array.isArray(value)) return value.flatMap((v) => keysAnywhere(v, depth + 1));
  if (!isPlainObject(value)) return [];
  return Object.keys(value).flatMap((k) => [k, ...keysAnywhere(value[k], depth + 1)]);
}

export const KNOWN_SERVER_BUGS = [
  {
    id: 'prototype-member-argument',
    what:
      'an argument named like an Object.prototype member ("constructor", "toString", "hasOwnProperty", …; "__proto__" inside call_operation), ' +
      'at the top level or inside an object argument, is answered "Cannot read properties of undefined (reading \'def\')" instead of a validation error naming it',
    where: 'src/tools/schema.ts dropNulls: `inner.shape[k]` finds the inherited member and treats it as a zod schema (fix: look keys up with Object.hasOwn)',
    matches({ args, out, target }) {
      const validated = validatedArguments(args, target);
      if (!isPlainObject(validated)) return undefined;
      const crashed = out.outcome === 'isError' && /^Cannot read properties of undefined \(reading '\w+'\)$/.test(out.text);
      if (crashed && keysAnywhere(validated).some((k) => OBJECT_PROTOTYPE.includes(k))) return 'bug';
      // "__proto__" never reaches the tool's own validation as a key (see the next entry), so only the others tell the fix.
      if (!crashed && Object.keys(validated).some((k) => k !== '__proto__' && OBJECT_PROTOTYPE.includes(k))) return 'fixed';
      return undefined;
    },
  },
  {
    id: 'proto-argument-ignored',
    what: 'an own "__proto__" argument of a tool is dropped silently instead of refused as an unknown argument; the call goes on as if it were not there',
    where:
      'the MCP SDK parses tools/call arguments with a zod record, which turns an own "__proto__" key into the prototype of the arguments object; ' +
      'src/tools/schema.ts normalizeArguments then copies own keys only (fix there: refuse arguments whose prototype is not Object.prototype, naming "__proto__")',
    matches({ args, out, expectation, target, unmet, expectationFor, schemas, operations }) {
      const validated = validatedArguments(args, target);
      if (!isPlainObject(validated) || !has(validated, '__proto__')) return undefined;
      if (expectation.kind !== 'validation' || !expectation.names.includes('__proto__')) return undefined;
      if (!unmet(expectation, out, target)) return 'fixed';
      // The answer the same call gets without the "__proto__" argument.
      const rest = {};
      for (const k of Object.keys(validated)) if (k !== '__proto__') rest[k] = validated[k];
      const schema = target.operation ? operations[target.operation] : schemas[target.tool];
      const without = expectationFor(schema, rest);
      return unmet(without, out, target) ? undefined : 'bug';
    },
  },
];


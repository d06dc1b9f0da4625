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

export const KNOWN_SERVER_BUGS = [];

// What each fuzz call must get back, decided from the call's own arguments and the tool's advertised
// input schema (not from the strategy that made them), and the tally a run must reach.
// Shared by test/integration/fuzz.test.ts and scripts/fuzz.mjs (plain ESM).
//
// Per call:
// - arguments that are not an object: the SDK's JSON-RPC InvalidParams (-32602);
// - arguments the advertised schema refuses (with unknown top-level arguments refused, and null for an
//   optional argument meaning "not set", as the server documents): a validation error that names every
//   argument the schema refuses;
// - schema-valid arguments: a result, or an error of a kind the server makes on purpose (Cluvio's
//   answer, a refusal, a job or query that failed, or its own stricter validation) — never a bare
//   exception message, "failed unexpectedly", or an output-validation error;
// - never a hang, a crash, a malformed answer or any other JSON-RPC error.
// Per run: a share of the calls with generated schema-valid arguments must be results, overall
// (MIN_VALID_RESULT_SHARE) and across tools (MIN_TOOLS_WITH_RESULT_SHARE).
import { KNOWN_SERVER_BUGS } from './known-server-bugs.mjs';

/**
 * Of the answered calls whose arguments were generated schema-valid, the share that must be results
 * (not isError). Schema-valid is not the same as accepted: about half of them aim at made-up ids
 * (Cluvio answers 404), and the advertised schemas leave out bounds the server checks (offset ≥ 0,
 * limit ≥ 1, the timerange format), so about a third get the server's own validation error. Measured:
 * 23% in the suite's run (FUZZ_RUNS=4), 23–24% over 12 calls per tool; a server answering isError to
 * everything scores 0.
 */
export const MIN_VALID_RESULT_SHARE = 0.15;
/** The share of tools that must answer at least one generated schema-valid call with a result. Measured: 46 of 92 (89 + discovery's 3) in the suite's run. */
export const MIN_TOOLS_WITH_RESULT_SHARE = 1 / 3;

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const ANNOTATIONS = new Set(['description', 'default', 'title', 'examples']);
const KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', 'oneOf', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems']);

function typesOf(schema) {
  if (Array.isArray(schema.type)) return schema.type;
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function isType(value, type) {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`fuzz verdict: JSON Schema type "${type}" not handled; extend test/fuzz/verdict.mjs`);
  }
}

/** Equal as JSON values (primitives compared directly: stringifying a 1 MB argument per enum value is slow). */
function sameJson(a, b) {
  if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

const acceptsNull = (schema) => schemaProblems(schema, null).length === 0;

/**
 * The server's reading of null (src/tools/schema.ts): null for an optional property whose schema does
 * not accept null is "not set" and removed, in nested objects and array items too (not inside unions).
 * Builds new objects with own properties only, so an own "__proto__" key stays a key.
 */
export function withoutUnsetNulls(schema, value) {
  if (isPlainObject(value) && isPlainObject(schema.properties)) {
    const required = schema.required ?? [];
    const out = {};
    for (const k of Object.keys(value)) {
      const v = value[k];
      const field = has(schema.properties, k) ? schema.properties[k] : undefined;
      if (v === null && field && !required.includes(k) && !acceptsNull(field)) continue;
      Object.defineProperty(out, k, { value: field ? withoutUnsetNulls(field, v) : v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (Array.isArray(value) && isPlainObject(schema.items)) return value.map((v) => withoutUnsetNulls(schema.items, v));
  return value;
}

/**
 * Where `value` breaks `schema`: `[{ path, message }]`, empty when it conforms. Covers the keywords the
 * advertised tool schemas use; any other keyword throws, so a schema change cannot go unjudged.
 */
export function schemaProblems(schema, value, path = []) {
  for (const k of Object.keys(schema)) {
    if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`fuzz verdict: JSON Schema keyword "${k}" not handled (at ${path.join('.') || 'the root'}); extend test/fuzz/verdict.mjs`);
  }
  const problems = [];
  const problem = (message, at = path) => problems.push({ path: at, message });
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const matching = alternatives.filter((s) => schemaProblems(s, value, path).length === 0).length;
    if (schema.anyOf ? matching === 0 : matching !== 1) problem(`matches ${matching} of the ${schema.anyOf ? 'anyOf' : 'oneOf'} alternatives`);
  }
  const types = typesOf(schema);
  if (types.length && !types.some((t) => isType(value, t))) {
    problem(`expected ${types.join(' or ')}`);
    return problems;
  }
  if (schema.enum && !schema.enum.some((e) => sameJson(e, value))) problem('not one of the enum values');
  if (has(schema, 'const') && !sameJson(schema.const, value)) problem('not the const value');
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problem(`below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problem(`above the maximum ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) problem(`not above ${schema.exclusiveMinimum}`);
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) problem(`not below ${schema.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    // Length in code points, counted only when a bound asks (spreading a 1 MB string is slow).
    const length = () => [...value].length;
    if (schema.minLength !== undefined && length() < schema.minLength) problem(`shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length() > schema.maxLength) problem(`longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problem(`does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problem(`fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problem(`more than ${schema.maxItems} items`);
    if (isPlainObject(schema.items)) value.forEach((v, i) => problems.push(...schemaProblems(schema.items, v, [...path, String(i)])));
  }
  if (isPlainObject(value)) {
    const props = isPlainObject(schema.properties) ? schema.properties : {};
    for (const k of schema.required ?? []) if (!has(value, k)) problem('required', [...path, k]);
    for (const k of Object.keys(value)) {
      if (has(props, k)) problems.push(...schemaProblems(props[k], value[k], [...path, k]));
      else if (schema.additionalProperties === false) problem('unknown property', [...path, k]);
      else if (isPlainObject(schema.additionalProperties)) problems.push(...schemaProblems(schema.additionalProperties, value[k], [...path, k]));
    }
  }
  return problems;
}

/**
 * What a call with `args` must get, judged against the tool's advertised input schema with unknown
 * top-level arguments refused (the server refuses them; the advertised schema does not say so).
 * `undefined` arguments are `{}` (the SDK's reading of a call without `arguments`).
 * @returns {{ kind: 'invalid-params' } | { kind: 'valid' } | { kind: 'validation', names: string[], problems: Array<{ path: string[], message: string }> }}
 */
export function expectationFor(inputSchema, args) {
  const value = args === undefined ? {} : args;
  if (!isPlainObject(value)) return { kind: 'invalid-params' };
  const strict = { ...inputSchema, additionalProperties: false };
  const problems = schemaProblems(strict, withoutUnsetNulls(inputSchema, value));
  if (problems.length === 0) return { kind: 'valid' };
  return { kind: 'validation', names: [...new Set(problems.map((p) => p.path[0] ?? ''))], problems };
}

/** Text as it arrives over stdio: lone surrogates turn into U+FFFD on the way. */
const wellFormed = (s) => (typeof s.toWellFormed === 'function' ? s.toWellFormed() : s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

/** Does a validation message (after its prefix) name the argument: `name: …`, `name.sub: …` or `"name"` (unknown arguments)? */
export function namesArgument(message, name) {
  const text = wellFormed(message);
  const n = wellFormed(name);
  if (text.includes(`"${n}"`)) return true;
  if (n === '') return false;
  return [`${n}:`, `${n}.`].some((form) => text.startsWith(form) || text.includes(`, ${form}`) || text.includes(`; ${form}`));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The prefix of a validation error: the SDK's for a tool, call_operation's for an operation inside it. */
function validationPrefix(target) {
  return target.operation ? `Invalid arguments for ${target.operation}: ` : `Input validation error: Invalid arguments for tool ${target.tool}: `;
}

/**
 * The kinds of isError the server means to give (src/tools/errors.ts, src/workflows, src/tools/discovery.ts),
 * for the tool (or operation) `name`. Anything else — an exception's bare message, "failed unexpectedly",
 * an output-validation error — is a failure.
 */
export function errorKind(text, name) {
  const n = escape(name);
  const kinds = [
    ['validation', new RegExp(`^Input validation error: Invalid arguments for tool ${n}: |^Invalid arguments for ${n}: `)],
    ['cluvio', new RegExp(`^${n} failed — `)],
    ['refused', new RegExp(`^${n} refused: `)],
    ['execution', /^Execution \S+ ended with status /],
    ['metadata-refresh', /^Metadata refresh of datasource .* ended with status /s],
    ['filter-query', /^Filter .* query ended /s],
    ['export-job', /^The .* failed \(job /s],
    ['alert', /^Alert ".*" could not be evaluated: /s],
    ['no-operation', /^No operation ".*"\. Use search_operations to find one\.$/s],
  ];
  return kinds.find(([, re]) => re.test(text))?.[0];
}

function describeAnswer(out) {
  if (out.outcome === 'protocol') return `JSON-RPC error ${out.error?.code} ${String(out.error?.message).slice(0, 200)}`;
  if (out.outcome === 'isError' || out.outcome === 'result') return `${out.outcome}: ${String(out.text).slice(0, 300)}`;
  return out.outcome;
}

/** Hangs, crashes, malformed answers: failures whatever the arguments. */
function brokenAnswer(out) {
  switch (out.outcome) {
    case 'hang':
      return `no answer within ${Math.round(out.ms)} ms`;
    case 'crash':
      return 'the server process exited';
    case 'malformed':
      return `malformed answer: ${out.problem}`;
    default:
      return undefined;
  }
}

/**
 * Whether an answer meets an expectation for `target` ({ tool } or, inside call_operation, { tool, operation }).
 * @returns {string | undefined} what is wrong
 */
export function unmet(expectation, out, target) {
  const name = target.operation ?? target.tool;
  switch (expectation.kind) {
    case 'invalid-params':
      return out.outcome === 'protocol' && out.error?.code === -32602 ? undefined : `arguments that are not an object must get JSON-RPC InvalidParams (-32602); got ${describeAnswer(out)}`;
    case 'unknown-tool':
      return out.outcome === 'protocol' && out.error?.code === -32602 ? undefined : `an unknown tool must get JSON-RPC InvalidParams (-32602); got ${describeAnswer(out)}`;
    case 'no-operation':
      return out.outcome === 'isError' && out.text.startsWith(`No operation "`) ? undefined : `an operation name that does not exist must get "No operation …"; got ${describeAnswer(out)}`;
    case 'not-json':
      return out.outcome === 'isError' && out.text.startsWith(`Invalid arguments for ${name}: not JSON`) ? undefined : `arguments that are not JSON must get "Invalid arguments for ${name}: not JSON …"; got ${describeAnswer(out)}`;
    case 'validation': {
      const prefix = validationPrefix(target);
      if (out.outcome !== 'isError' || !out.text.startsWith(prefix)) {
        return `schema-invalid arguments (${expectation.names.map((n) => JSON.stringify(n)).join(', ') || 'not an object'}) must get a validation error ("${prefix}…"); got ${describeAnswer(out)}`;
      }
      const rest = out.text.slice(prefix.length);
      const unnamed = expectation.names.filter((n) => !namesArgument(rest, n));
      return unnamed.length ? `the validation error does not name ${unnamed.map((n) => JSON.stringify(n)).join(', ')}: ${out.text.slice(0, 300)}` : undefined;
    }
    case 'valid':
      if (out.outcome === 'result') return undefined;
      if (out.outcome === 'protocol') return `schema-valid arguments got ${describeAnswer(out)}`;
      return errorKind(out.text, name) ? undefined : `an isError of no kind the server means to give (a bare exception, "failed unexpectedly" or an output-validation error?): ${out.text.slice(0, 300)}`;
    default:
      throw new Error(`fuzz verdict: unknown expectation ${expectation.kind}`);
  }
}

/**
 * The arguments as the server receives them: the MCP SDK parses tools/call arguments with a zod record, which
 * drops an own top-level "__proto__" key before any tool sees it (call_operation's arguments are parsed by the
 * server itself, which keeps the key and refuses it as unknown).
 */
function withoutProtoKey(args) {
  if (!isPlainObject(args) || !has(args, '__proto__')) return args;
  const out = {};
  for (const k of Object.keys(args)) if (k !== '__proto__') out[k] = args[k];
  return out;
}

/**
 * The expectation for one call. `schemas` maps tool names to input schemas; with `operations`
 * (discovery mode: operation name → input schema), call_operation is judged on its outer arguments
 * and then, when those are valid, on the operation name and the arguments inside.
 * @returns {{ expectation: object, target: { tool: string, operation?: string } }}
 */
export function expectationOfCall(tool, args, schemas, operations) {
  const schema = has(schemas, tool) ? schemas[tool] : undefined;
  if (!schema) return { expectation: { kind: 'unknown-tool' }, target: { tool } };
  const outer = expectationFor(schema, withoutProtoKey(args));
  if (tool !== 'call_operation' || !operations || outer.kind !== 'valid') return { expectation: outer, target: { tool } };
  const name = args.name;
  if (!has(operations, name)) return { expectation: { kind: 'no-operation' }, target: { tool } };
  const target = { tool, operation: name };
  let inner;
  try {
    inner = JSON.parse(args.arguments ?? '{}');
  } catch {
    return { expectation: { kind: 'not-json' }, target };
  }
  // call_operation validates what it parsed itself: anything but an object is a validation error naming "arguments".
  if (!isPlainObject(inner)) return { expectation: { kind: 'validation', names: [] }, target };
  return { expectation: expectationFor(operations[name], inner), target };
}

/**
 * The verdict on one answered call: `{ failure?, knownBug?, expectation, target, cancelled? }`. Calls the
 * client cancelled (`cancelRequested`: the server need not answer, and may answer anything) are judged
 * only for hangs, crashes, malformed answers and JSON-RPC errors. A call that hits a bug
 * listed in known-server-bugs.mjs is not a failure but is counted; a listed bug that no longer shows
 * is a failure (the list must shrink with the fixes).
 */
export function judge(tool, args, out, schemas, operations, { cancelRequested = false } = {}) {
  const { expectation, target } = expectationOfCall(tool, args, schemas, operations);
  const broken = brokenAnswer(out);
  if (broken) return { failure: broken, expectation, target };
  if (out.outcome === 'cancelled' || (cancelRequested && out.outcome !== 'protocol')) return { expectation, target, cancelled: true };
  const wrong = unmet(expectation, out, target);
  for (const bug of KNOWN_SERVER_BUGS) {
    const hit = bug.matches({ tool, args, out, expectation, target, schemas, operations, unmet, expectationFor });
    if (hit === 'bug') return { knownBug: bug.id, expectation, target };
    if (hit === 'fixed' && !wrong) return { failure: `known server bug "${bug.id}" no longer shows (${describeAnswer(out)}): remove it from test/fuzz/known-server-bugs.mjs`, expectation, target };
  }
  return wrong ? { failure: wrong, expectation, target } : { expectation, target };
}

/** A fresh tally. */
export function newTally() {
  return { calls: 0, cancelled: 0, byExpectation: {}, validResults: 0, validErrors: 0, validRefusedByValidation: 0, generatedValid: 0, generatedValidResults: 0, generatedValidJudgedInvalid: 0, resultsByTool: {}, knownBugs: {}, failures: 0 };
}

/**
 * Counts one judged call into `tally`. `generatedValid`: the call's arguments were generated as
 * schema-valid (not a hostile strategy that happened to stay within the schema); the share of those
 * answered with a result is what tallyProblems checks.
 */
export function count(tally, verdict, out, generatedValid = false) {
  tally.calls++;
  if (verdict.cancelled) {
    tally.cancelled++;
    return;
  }
  const kind = verdict.expectation.kind;
  tally.byExpectation[kind] = (tally.byExpectation[kind] ?? 0) + 1;
  if (verdict.knownBug) tally.knownBugs[verdict.knownBug] = (tally.knownBugs[verdict.knownBug] ?? 0) + 1;
  if (verdict.failure) tally.failures++;
  if (generatedValid && kind !== 'valid') tally.generatedValidJudgedInvalid++;
  else if (generatedValid) {
    tally.generatedValid++;
    if (out.outcome === 'result') {
      tally.generatedValidResults++;
      tally.resultsByTool[verdict.target.tool] = (tally.resultsByTool[verdict.target.tool] ?? 0) + 1;
    }
  }
  if (kind === 'valid') {
    if (out.outcome === 'result') tally.validResults++;
    else if (out.outcome === 'isError') {
      tally.validErrors++;
      if (errorKind(out.text, verdict.target.operation ?? verdict.target.tool) === 'validation') tally.validRefusedByValidation++;
    }
  }
}

/**
 * What is wrong with a run's tally: calls missing, arguments generated as valid that are not, or too
 * few answered with a result among the generated schema-valid calls — overall (MIN_VALID_RESULT_SHARE)
 * and across tools (MIN_TOOLS_WITH_RESULT_SHARE of `tools`). A server answering isError to every call
 * cannot pass.
 * @param {{ minCalls?: number, minValid?: number, tools?: number }} [least]
 */
export function tallyProblems(tally, { minCalls = 1, minValid = 1, tools = 1 } = {}) {
  const problems = [];
  if (tally.calls < minCalls) problems.push(`only ${tally.calls} calls judged; expected at least ${minCalls}`);
  if (tally.generatedValidJudgedInvalid) problems.push(`${tally.generatedValidJudgedInvalid} calls generated as schema-valid broke the schema: the generator (test/fuzz/arbitraries.mjs) is wrong`);
  if (tally.generatedValid < minValid) problems.push(`only ${tally.generatedValid} answered calls with generated schema-valid arguments; expected at least ${minValid}`);
  const share = tally.generatedValid ? tally.generatedValidResults / tally.generatedValid : 0;
  if (share < MIN_VALID_RESULT_SHARE) {
    problems.push(`${tally.generatedValidResults} of ${tally.generatedValid} answered calls with generated schema-valid arguments were results (${(share * 100).toFixed(1)}%); at least ${MIN_VALID_RESULT_SHARE * 100}% must be`);
  }
  const withResult = Object.keys(tally.resultsByTool).length;
  const needed = Math.ceil(tools * MIN_TOOLS_WITH_RESULT_SHARE);
  if (withResult < needed) problems.push(`${withResult} tools answered a generated schema-valid call with a result; at least ${needed} of ${tools} must`);
  return problems;
}

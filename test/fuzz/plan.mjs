// What to call: per tool, schema-valid and hostile argument arbitraries, with the overrides that
// keep runs fast and the seeded objects alive (see hintsFor). Shared by the suite and the script.
import fc from 'fast-check';
import { arbitraryFor, hintsFor, hostileArgs } from './arbitraries.mjs';

/**
 * Objects the server describes only in words (`"parameters": {"type":"object","description":"Filter
 * inputs as in run_execution…"}`) get run_execution's full `parameters` schema, so that valid
 * arguments reach past validation.
 */
export function shapesFrom(tools) {
  const params = tools.find((t) => t.name === 'run_execution')?.inputSchema?.properties?.parameters;
  return params ? { parameters: params, default_parameters: params } : {};
}

/**
 * @param {{ name: string, inputSchema: Record<string, any>, annotations?: Record<string, any> }} tool
 * @param {{ ids: Record<string, string[]>, shapes: Record<string, any> }} ctx
 * @returns {{ valid: import('fast-check').Arbitrary<{ strategy: string, args: unknown }>, hostile: import('fast-check').Arbitrary<{ strategy: string, args: unknown }> }}
 */
export function argumentsFor(tool, ctx) {
  const opts = { hint: hintsFor(tool, ctx.ids), shapes: ctx.shapes };
  return {
    valid: arbitraryFor(tool.inputSchema, opts).map((args) => ({ strategy: 'valid', args })),
    hostile: hostileArgs(tool.inputSchema, opts),
  };
}

/**
 * Discovery mode's three tools. `call_operation` is aimed at the real operations: a name from the
 * catalog (sometimes not) and arguments generated, valid or hostile, from that operation's schema.
 * @param {Array<{ name: string, inputSchema: Record<string, any>, annotations?: Record<string, any> }>} discoveryTools
 * @param {Array<{ name: string, inputSchema: Record<string, any>, annotations?: Record<string, any> }>} operationTools
 * @param {{ ids: Record<string, string[]>, shapes: Record<string, any> }} ctx
 */
export function discoveryArguments(discoveryTools, operationTools, ctx) {
  const names = operationTools.map((t) => t.name);
  const anyName = fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 4 }, { arbitrary: fc.string({ maxLength: 30 }), weight: 1 });
  const words = fc.array(fc.constantFrom('dashboard', 'pdf', 'report', 'sql', 'user', 'export', 'list', 'delete', 'schedule', 'x'), { maxLength: 4 }).map((w) => w.join(' '));
  const hint = (key) => {
    if (key === 'name') return anyName;
    if (key === 'query') return fc.oneof(words, fc.string({ maxLength: 40 }));
    return undefined;
  };
  const perOp = operationTools.map((t) => argumentsFor(t, ctx));
  const out = {};
  for (const tool of discoveryTools) {
    const opts = { hint, shapes: ctx.shapes };
    if (tool.name === 'call_operation') {
      const inner = (kind) =>
        fc.noBias(fc.nat(names.length - 1)).chain((i) =>
          perOp[i][kind].map(({ strategy, args }) => ({
            strategy: kind === 'valid' ? 'valid' : `inner-${strategy}`,
            // call_operation takes the arguments as a JSON string: whatever is inside, the outer call is schema-valid.
            args: { name: names[i], ...(args === undefined ? {} : { arguments: JSON.stringify(args) }) },
            outerValid: true,
          })),
        );
      out[tool.name] = { valid: inner('valid'), hostile: fc.oneof(inner('hostile'), hostileArgs(tool.inputSchema, opts)) };
    } else {
      out[tool.name] = { valid: arbitraryFor(tool.inputSchema, opts).map((args) => ({ strategy: 'valid', args })), hostile: hostileArgs(tool.inputSchema, opts) };
    }
  }
  return out;
}

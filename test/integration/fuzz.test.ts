/**
 * Property-based fuzzing (fast-check) of every tool, through the built server over stdio, pointed at
 * a standalone sandbox process (so the server's stderr holds only its own output).
 *
 * Arguments come from each tool's own input schema as tools/list serves it: schema-valid ones
 * (waits capped at 2 s; destructive tools only ever target made-up ids, so seeded objects survive)
 * and hostile ones (wrong types, missing required fields, 1 MB strings, 200–1000 levels of nesting,
 * lone surrogates / bidi / zero-width / NUL, MAX_SAFE_INTEGER+1 / 1e308 / -0, extra and "__proto__"
 * keys, arrays for objects, non-object `arguments`). Every call must answer within 20 s, and with the
 * answer its arguments call for (test/fuzz/verdict.mjs), judged against the advertised schema whatever
 * strategy made them: arguments that are not an object get the SDK's InvalidParams (-32602); arguments
 * the schema refuses get a validation error naming each argument it refuses; schema-valid ones get a
 * result or an error of a kind the server means to give (never a bare exception message). Known server
 * bugs (test/fuzz/known-server-bugs.mjs) are counted, not failed, until fixed. Over the run, every
 * planned call is made and judged, and a share of the generated schema-valid calls must be results
 * (MIN_VALID_RESULT_SHARE). Valid calls ask for progress; the tools that wait or stream are also called
 * and cancelled part-way. No unhandled rejection on stderr, the process stays up, and the server
 * answers normally afterwards.
 *
 * Bounded for CI: FUZZ_RUNS (default 4, a positive integer) valid + FUZZ_RUNS hostile calls per tool,
 * seed FUZZ_SEED (default fixed; printed on failure). `node scripts/fuzz.mjs` runs thousands.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeValue, unknownToolNames } from '../fuzz/arbitraries.mjs';
import { argumentsFor, discoveryArguments, shapesFrom, type CallPlan, type FuzzContext, type Tool } from '../fuzz/plan.mjs';
import { existingIds, healthProblems, RawMcp, startSandbox, warmUp, type CallOutcome, type Sandbox } from '../fuzz/session.mjs';
import { count, judge, newTally, tallyProblems, type Tally } from '../fuzz/verdict.mjs';

/** A positive integer from the environment, or the default; anything else stops the run before it starts (FUZZ_RUNS=0 would test nothing). */
function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}=${JSON.stringify(raw)}: must be a positive integer`);
  return n;
}
const SEED = positiveInteger('FUZZ_SEED', 20_260_728);
const RUNS = positiveInteger('FUZZ_RUNS', 4);
const CALL_OPERATION_RUNS = RUNS * 8;
/** Tools that wait on jobs or stream results: fuzzed again with the client cancelling part-way. */
const CANCELLED = ['run_execution', 'get_execution_data', 'refresh_datasource', 'refresh_dashboard', 'poll_dashboard_status', 'export_dashboard_pdf', 'export_report_csv', 'get_report_data', 'refresh_report'];
const TIMEOUT_MS = 20_000;

/** The tool lists, read once from servers that never reach Cluvio (no call is made). */
async function toolsOf(args: string[]): Promise<Tool[]> {
  const probe = await RawMcp.start(['--log-level', 'silent', ...args], { CLUVIO_API_KEY: 'fuzz-tools-list-only' });
  try {
    return await probe.listTools();
  } finally {
    await probe.close();
  }
}
const tools = await toolsOf([]);
const discoveryTools = await toolsOf(['--discovery']);
/** Input schemas by tool name, as served: what each call is judged against (call_operation's inner arguments against the operation's). */
const schemas = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
const discoverySchemas = Object.fromEntries(discoveryTools.map((t) => [t.name, t.inputSchema]));

/** A per-tool seed: each tool's calls replay on their own. */
function seedFor(name: string): number {
  let h = SEED | 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

let sandbox: Sandbox;
let main: RawMcp;
let discovery: RawMcp;
let ctx: FuzzContext;
/** Outcomes by kind, and which JSON-RPC errors were answered to what (the record printed at the end). */
const outcomes: Record<string, number> = {};
const protocolErrors: Record<string, number> = {};
/** The verdicts: what each call's arguments called for, results of generated schema-valid calls, known bugs hit. */
const tally: Tally = newTally();
/** Every call the run plans: tools × (valid + hostile), the cancelled ones, unknown names, discovery. */
const CALL_OPERATION = discoveryTools.some((t) => t.name === 'call_operation');
const PLANNED_CALLS =
  tools.length * RUNS * 2 + CANCELLED.length * RUNS + RUNS * 2 + (discoveryTools.length - (CALL_OPERATION ? 1 : 0)) * RUNS * 2 + (CALL_OPERATION ? CALL_OPERATION_RUNS * 2 : 0);

beforeAll(async () => {
  sandbox = await startSandbox();
  main = await RawMcp.start([], sandbox.env);
  discovery = await RawMcp.start(['--discovery'], sandbox.env);
  await main.listTools();
  await discovery.listTools();
  await warmUp(main);
  ctx = { ids: await existingIds(sandbox.info), shapes: shapesFrom(tools) };
}, 120_000);

afterAll(async () => {
  await main?.close();
  await discovery?.close();
  await sandbox?.close();
  // The record: what the server answered, which JSON-RPC errors it used, and the verdicts' tally.
  console.log(`fuzz (seed ${SEED}, ${RUNS}+${RUNS} per tool): ${JSON.stringify(outcomes)}; JSON-RPC errors: ${JSON.stringify(protocolErrors)}; tally: ${JSON.stringify(tally)}`);
});

interface How {
  /** Cancel the call (notifications/cancelled) this long after sending it. */
  cancelAfterMs?: number;
  progressToken?: string | number;
}

/** Runs `runs` generated calls; on failure, throws with the seed, the replay path and a short account of the arguments. */
async function fuzz(server: () => RawMcp, tool: string, arb: fc.Arbitrary<CallPlan>, valid: boolean, runs: number, seed: number, how: fc.Arbitrary<How> = fc.constant({})): Promise<void> {
  const property = fc.asyncProperty(arb, how, async (c, h) => {
    const out: CallOutcome = await server().call(tool, c.args, TIMEOUT_MS, h);
    record(out, c.strategy);
    const cancelRequested = h.cancelAfterMs !== undefined;
    const verdict = server() === discovery ? judge(tool, c.args, out, discoverySchemas, schemas, { cancelRequested }) : judge(tool, c.args, out, schemas, undefined, { cancelRequested });
    count(tally, verdict, out, valid && c.strategy === 'valid');
    if (verdict.failure) throw new Error(verdict.failure);
  });
  const report = await fc.check(property, { seed, numRuns: runs, endOnFailure: true });
  if (report.failed) {
    const [c, h] = report.counterexample ?? [];
    const why = report.errorInstance instanceof Error ? report.errorInstance.message : String(report.errorInstance);
    throw new Error(
      `${tool} (${valid ? 'valid' : 'hostile'} arguments, strategy ${c?.strategy}${h?.cancelAfterMs !== undefined ? `, cancelled after ${h.cancelAfterMs} ms` : ''}): ${why}\n` +
        `  arguments: ${describeValue(c?.args)}\n` +
        `  replay: FUZZ_SEED=${SEED} (tool seed ${seed}, path ${report.counterexamplePath}); stderr tail: ${server().stderr().slice(-1500)}`,
    );
  }
}

function record(out: CallOutcome, strategy: string): void {
  outcomes[out.outcome] = (outcomes[out.outcome] ?? 0) + 1;
  if (out.outcome === 'protocol') {
    const key = `${out.error?.code} for ${strategy}`;
    protocolErrors[key] = (protocolErrors[key] ?? 0) + 1;
  }
}

/** Valid calls ask for progress, so the progress path runs too. */
const withProgress: fc.Arbitrary<How> = fc.oneof(fc.string({ maxLength: 8 }), fc.integer()).map((progressToken) => ({ progressToken }));

describe.concurrent('fuzz: every tool gives the answer its arguments call for', () => {
  for (const tool of tools) {
    it(tool.name, async () => {
      const arbs = argumentsFor(tool, ctx);
      await fuzz(() => main, tool.name, arbs.valid, true, RUNS, seedFor(tool.name), withProgress);
      await fuzz(() => main, tool.name, arbs.hostile, false, RUNS, seedFor(tool.name) + 1);
    });
  }

  // Cancelled part-way (aborted requests, polling loops and result streams are where rejections go astray).
  for (const name of CANCELLED) {
    it(`cancelled by the client: ${name}`, async () => {
      const tool = tools.find((t) => t.name === name);
      if (!tool) throw new Error(`no tool ${name} to cancel: update CANCELLED`);
      const cancelled = fc.record({ cancelAfterMs: fc.integer({ min: 0, max: 400 }), progressToken: fc.string({ maxLength: 8 }) });
      await fuzz(() => main, name, argumentsFor(tool, ctx).valid, true, RUNS, seedFor(`cancel:${name}`), cancelled);
    });
  }

  it('unknown tool names', async () => {
    const names = unknownToolNames(tools.map((t) => t.name)).map((name) => ({ strategy: 'unknown-tool', args: { name } }));
    const property = fc.asyncProperty(names, async ({ args }) => {
      const out = await main.call(args.name, {}, TIMEOUT_MS);
      record(out, 'unknown-tool');
      const verdict = judge(args.name, {}, out, schemas);
      count(tally, verdict, out);
      if (verdict.failure) throw new Error(`${describeValue(args.name)}: ${verdict.failure}`);
    });
    await fc.assert(property, { seed: seedFor('unknown-tool'), numRuns: RUNS * 2, endOnFailure: true });
  });

  for (const tool of discoveryTools) {
    it(`discovery: ${tool.name}`, async () => {
      const arbs = discoveryArguments(discoveryTools, tools, ctx)[tool.name]!;
      const runs = tool.name === 'call_operation' ? CALL_OPERATION_RUNS : RUNS;
      await fuzz(() => discovery, tool.name, arbs.valid, true, runs, seedFor(`discovery:${tool.name}`));
      await fuzz(() => discovery, tool.name, arbs.hostile, false, runs, seedFor(`discovery:${tool.name}`) + 1);
    });
  }
});

describe('fuzz: afterwards', () => {
  it('the servers are alive, logged no unhandled rejection, and still list datasources and run SELECT 1', async () => {
    // Give a late rejection time to surface.
    await new Promise((r) => setTimeout(r, 500));
    for (const [name, server, isDiscovery] of [['main', main, false], ['discovery', discovery, true]] as const) {
      expect(server.alive(), `${name} server exited: ${JSON.stringify(server.exit)}; ${server.stderr().slice(-2000)}`).toBe(true);
      expect(server.alarms(), `${name} server stderr`).toEqual({ lines: [], unhandled: 0 });
      expect(await healthProblems(server, isDiscovery), `${name} server`).toEqual([]);
    }
    expect(sandbox.alive()).toBe(true);
  });

  it('judged every planned call, and enough schema-valid calls were results', () => {
    // Per call, the verdicts above already failed any wrong answer; this is the run as a whole:
    // nothing skipped, and a server that answered isError to every call could not pass.
    expect(tally.calls).toBe(PLANNED_CALLS);
    expect(tally.failures).toBe(0);
    expect(tallyProblems(tally, { minCalls: PLANNED_CALLS, minValid: tools.length * RUNS, tools: tools.length + discoveryTools.length })).toEqual([]);
    // Every kind of expectation came up: the hostile strategies reach the checks they are for.
    expect(Object.keys(tally.byExpectation)).toEqual(expect.arrayContaining(['invalid-params', 'unknown-tool', 'valid', 'validation']));
    expect(outcomes['hang'] ?? 0).toBe(0);
    expect(outcomes['crash'] ?? 0).toBe(0);
    expect(outcomes['malformed'] ?? 0).toBe(0);
  });
});

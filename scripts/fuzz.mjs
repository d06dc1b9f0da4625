#!/usr/bin/env node
// Property-based fuzzing of every tool against the built server (dist/cli.js): arguments generated
// from each tool's own input schema, valid and hostile, sent over stdio to a server pointed at a
// standalone sandbox; discovery mode's three tools on a second server. Each answer is judged by
// test/fuzz/verdict.mjs against what the call's arguments call for (InvalidParams for non-object
// arguments, a validation error naming each argument the schema refuses, a result or a deliberate
// error for schema-valid ones). Prints figures and exits non-zero on any wrong answer, crash, hang,
// unhandled rejection, malformed answer or unexpected JSON-RPC error, on a server that no longer
// answers normally afterwards, and — on whole-catalog runs with enough calls — when too few
// generated schema-valid calls were results (the tally rule in verdict.mjs).
//
//   node scripts/fuzz.mjs [--calls N] [--seed S] [--concurrency C] [--timeout-ms T] [--tool NAME]
//                         [--cancel-share F] [--discovery-share F] [--json]
// Besides arguments, a share of calls (--cancel-share, default 0.05) is cancelled by the client
// 0–1.5 s in (notifications/cancelled), and about a third ask for progress (a progressToken).
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { describeValue, unknownToolNames } from '../test/fuzz/arbitraries.mjs';
import { argumentsFor, discoveryArguments, shapesFrom } from '../test/fuzz/plan.mjs';
import { existingIds, healthProblems, RawMcp, startSandbox, warmUp } from '../test/fuzz/session.mjs';
import { KNOWN_SERVER_BUGS } from '../test/fuzz/known-server-bugs.mjs';
import { count, judge, MIN_TOOLS_WITH_RESULT_SHARE, MIN_VALID_RESULT_SHARE, newTally, tallyProblems } from '../test/fuzz/verdict.mjs';

const { values: opt } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'timeout-ms': { type: 'string', default: '20000' },
    tool: { type: 'string' },
    'discovery-share': { type: 'string', default: '0.1' },
    'cancel-share': { type: 'string', default: '0.05' },
    json: { type: 'boolean', default: false },
  },
});
const CALLS = Number(opt.calls);
const SEED = opt.seed !== undefined ? Number(opt.seed) : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 1;
const CONCURRENCY = Math.max(1, Number(opt.concurrency));
const TIMEOUT_MS = Number(opt['timeout-ms']);
const DISCOVERY_SHARE = opt.tool ? 0 : Number(opt['discovery-share']);
const CANCEL_SHARE = Number(opt['cancel-share']);
const BATCH = 50;
const HEALTH_EVERY = 2500;
/** Below this many answered calls with generated schema-valid arguments the share of results is too noisy to judge. */
const TALLY_MIN_VALID = 200;
if (!Number.isInteger(CALLS) || CALLS < 1 || !Number.isInteger(SEED)) {
  process.stderr.write('usage: node scripts/fuzz.mjs [--calls N] [--seed S] [--concurrency C] [--timeout-ms T] [--tool NAME] [--cancel-share F] [--discovery-share F] [--json]\n');
  process.exit(2);
}
const log = (line) => process.stderr.write(`${line}\n`);
log(`fuzz: ${CALLS} calls, seed ${SEED}, concurrency ${CONCURRENCY}, timeout ${TIMEOUT_MS} ms${opt.tool ? `, tool ${opt.tool}` : ''}`);

const sandbox = await startSandbox();
const main = await RawMcp.start([], sandbox.env);
const discovery = DISCOVERY_SHARE > 0 ? await RawMcp.start(['--discovery'], sandbox.env) : undefined;
const started = Date.now();
let code = 0;
try {
  code = await run();
} finally {
  await main.close();
  await discovery?.close();
  await sandbox.close();
}
process.exit(code);

async function run() {
  const tools = await main.listTools();
  const dTools = discovery ? await discovery.listTools() : [];
  await warmUp(main);
  const ids = await existingIds(sandbox.info);
  const ctx = { ids, shapes: shapesFrom(tools) };
  const schemas = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
  const dSchemas = Object.fromEntries(dTools.map((t) => [t.name, t.inputSchema]));
  log(`fuzz: ${tools.length} tools (+${dTools.length} discovery), ${Object.values(ids).flat().length} existing ids; sandbox warm after ${Date.now() - started} ms`);

  const targets = tools.filter((t) => !opt.tool || t.name === opt.tool).map((t) => ({ server: 'main', name: t.name, ...argumentsFor(t, ctx) }));
  if (!targets.length) throw new Error(`no tool named ${opt.tool}`);
  const dArgs = discovery ? discoveryArguments(dTools, tools, ctx) : {};
  const dTargets = dTools.map((t) => ({ server: 'discovery', name: t.name, ...dArgs[t.name] }));

  // One call = a server, a tool, valid or hostile (half each), and its arguments.
  const pickTarget = (list) => fc.noBias(fc.nat(list.length - 1)).map((i) => list[i]);
  const fromTargets = (list) =>
    pickTarget(list).chain((t) =>
      fc.oneof(t.valid.map((c) => ({ ...c, valid: true })), t.hostile.map((c) => ({ ...c, valid: c.outerValid ?? false }))).map((c) => ({ server: t.server, tool: t.name, ...c })),
    );
  // About 1 call in 100 names a tool that does not exist.
  const unknownTool = unknownToolNames(tools.map((t) => t.name)).map((tool) => ({ server: 'main', tool, strategy: 'unknown-tool', args: {}, valid: false }));
  const calls = fc.oneof(
    { arbitrary: fromTargets(targets), weight: Math.round((1 - DISCOVERY_SHARE) * 99) },
    ...(dTargets.length && DISCOVERY_SHARE > 0 ? [{ arbitrary: fromTargets(dTargets), weight: Math.round(DISCOVERY_SHARE * 99) }] : []),
    ...(opt.tool ? [] : [{ arbitrary: unknownTool, weight: 1 }]),
  );
  // How the call is made: sometimes with a progress token, sometimes cancelled by the client part-way.
  const how = fc.record({
    progressToken: fc.option(fc.oneof(fc.string({ maxLength: 12 }), fc.integer()), { freq: 2 }),
    cancel: fc.noBias(fc.integer({ min: 0, max: 9999 })).map((n) => n / 10_000),
    cancelAfterMs: fc.oneof(fc.constantFrom(0, 1, 5), fc.integer({ min: 0, max: 1500 })),
  });
  const plan = fc.tuple(calls, how).map(([c, h]) => ({
    ...c,
    progressToken: h.progressToken ?? undefined,
    cancelAfterMs: h.cancel < CANCEL_SHARE ? h.cancelAfterMs : undefined,
  }));
  const batchOf = new Map();
  const callAt = (i) => {
    const b = Math.floor(i / BATCH);
    if (!batchOf.has(b)) {
      batchOf.clear();
      batchOf.set(b, fc.sample(plan, { seed: SEED + b, numRuns: BATCH }));
    }
    return batchOf.get(b)[i % BATCH];
  };

  const fig = {
    seed: SEED,
    calls: 0,
    results: 0,
    isError: 0,
    validationRejected: 0,
    protocolErrors: 0,
    protocolErrorsByKind: {},
    malformed: 0,
    hangs: 0,
    cancelled: 0,
    cancelledAnswered: 0,
    crashes: 0,
    unhandledRejections: 0,
    maxLatencyMs: 0,
    maxLatencyCall: '',
    latencies: [],
    byStrategy: {},
    validRejectedSamples: {},
    failures: [],
    healthChecks: 0,
    healthProblems: [],
    tally: newTally(),
    knownBugSamples: {},
  };
  const servers = { main, discovery };
  let next = 0;
  let stop = false;

  const record = (i, c, out) => {
    fig.calls++;
    if (c.cancelAfterMs !== undefined) {
      if (out.outcome === 'cancelled') fig.cancelled++;
      else fig.cancelledAnswered++;
    }
    fig.latencies.push(out.ms);
    if (out.ms > fig.maxLatencyMs) {
      fig.maxLatencyMs = out.ms;
      fig.maxLatencyCall = `#${i} ${c.tool} (${c.strategy})`;
    }
    const s = (fig.byStrategy[c.strategy] ??= { calls: 0, results: 0, isError: 0, protocol: 0, failures: 0 });
    s.calls++;
    if (out.outcome === 'result') (fig.results++, s.results++);
    else if (out.outcome === 'isError') {
      fig.isError++;
      s.isError++;
      if (/^Input validation error|^Invalid arguments for/.test(out.text)) {
        fig.validationRejected++;
        if (c.strategy === 'valid') {
          const key = `${c.tool}: ${out.text.replace(/^Input validation error: Invalid arguments for tool \S+: /, '').slice(0, 160)}`;
          fig.validRejectedSamples[key] = (fig.validRejectedSamples[key] ?? 0) + 1;
        }
      }
    } else if (out.outcome === 'protocol') {
      fig.protocolErrors++;
      s.protocol++;
      const kind = `${out.error?.code} ${c.valid ? 'valid' : 'hostile'} ${c.strategy}: ${String(out.error?.message).split('\n')[0].replace(/Tool .* not found/, 'Tool <name> not found').slice(0, 80)}`;
      fig.protocolErrorsByKind[kind] = (fig.protocolErrorsByKind[kind] ?? 0) + 1;
    } else if (out.outcome === 'hang') fig.hangs++;
    else if (out.outcome === 'cancelled') s.cancelled = (s.cancelled ?? 0) + 1;
    else if (out.outcome === 'crash') fig.crashes++;
    else fig.malformed++;
    const verdict =
      c.server === 'discovery'
        ? judge(c.tool, c.args, out, dSchemas, schemas, { cancelRequested: c.cancelAfterMs !== undefined })
        : judge(c.tool, c.args, out, schemas, undefined, { cancelRequested: c.cancelAfterMs !== undefined });
    count(fig.tally, verdict, out, c.strategy === 'valid');
    if (verdict.knownBug && !fig.knownBugSamples[verdict.knownBug]) fig.knownBugSamples[verdict.knownBug] = `#${i} ${c.server}/${c.tool} (${c.strategy}): ${describeValue(c.args).slice(0, 200)} → ${String(out.text).slice(0, 120)}`;
    const failure = verdict.failure;
    if (failure) {
      s.failures++;
      const how = `${c.cancelAfterMs !== undefined ? `, cancelled after ${c.cancelAfterMs} ms` : ''}${c.progressToken !== undefined ? ', with a progress token' : ''}`;
      fig.failures.push({ call: i, server: c.server, tool: c.tool, strategy: `${c.strategy}${how}`, failure, ms: Math.round(out.ms), args: describeValue(c.args) });
      log(`fuzz: FAILURE #${i} ${c.server}/${c.tool} (${c.strategy}${how}): ${failure}\n      args: ${describeValue(c.args)}`);
      if (out.outcome === 'crash') stop = true;
    }
  };

  const health = async (when) => {
    fig.healthChecks++;
    const problems = [...(await healthProblems(main)), ...(discovery ? (await healthProblems(discovery, true)).map((p) => `discovery: ${p}`) : [])];
    for (const p of problems) fig.healthProblems.push(`${when}: ${p}`);
    if (problems.length) log(`fuzz: health check ${when}: ${problems.join('; ')}`);
  };

  let lastHealth = 0;
  const worker = async () => {
    while (!stop && next < CALLS) {
      const i = next++;
      const c = callAt(i);
      const server = servers[c.server];
      const out = await server.call(c.tool, c.args, TIMEOUT_MS, { progressToken: c.progressToken, cancelAfterMs: c.cancelAfterMs });
      record(i, c, out);
      if (fig.calls % 1000 === 0) log(`fuzz: ${fig.calls}/${CALLS} calls, ${Math.round((Date.now() - started) / 1000)} s, ${fig.failures.length} failures`);
      if (fig.calls - lastHealth >= HEALTH_EVERY && fig.calls < CALLS) {
        lastHealth = fig.calls;
        await health(`after ${fig.calls} calls`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  // Late unhandled rejections, then the server must still do its job.
  await new Promise((r) => setTimeout(r, 1_000));
  if (main.alive() && (!discovery || discovery.alive())) await health('at the end');
  const alarms = [main.alarms(), ...(discovery ? [discovery.alarms()] : [])];
  fig.unhandledRejections = alarms.reduce((n, a) => n + a.unhandled, 0);
  const alarmLines = alarms.flatMap((a) => a.lines);
  const warnings = [...main.warnings(), ...(discovery?.warnings() ?? [])];
  // The tally rule, on whole-catalog runs large enough to judge it (a single tool may never succeed by design: deletes aim at made-up ids).
  const tallyJudged = !opt.tool && fig.tally.generatedValid >= TALLY_MIN_VALID;
  const toolCount = targets.length + dTargets.length;
  // Tools with a result: judged once there are enough generated schema-valid calls per tool (about 10) for every tool to have had its chances.
  const toolsJudged = fig.tally.generatedValid >= 10 * toolCount;
  const tallyFailures = tallyJudged ? tallyProblems(fig.tally, { minCalls: fig.calls, minValid: TALLY_MIN_VALID, tools: toolsJudged ? toolCount : 0 }) : [];
  const t = fig.tally;
  const pctOf = (n, d) => (d ? `${((n / d) * 100).toFixed(1)}%` : '—');
  const sorted = [...fig.latencies].sort((a, b) => a - b);
  const pct = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
  const exits = { main: main.alive() ? 'alive' : JSON.stringify(main.exit), ...(discovery ? { discovery: discovery.alive() ? 'alive' : JSON.stringify(discovery.exit) } : {}), sandbox: sandbox.alive() ? 'alive' : 'exited' };
  const summary = {
    seed: fig.seed,
    calls: fig.calls,
    results: fig.results,
    isError: fig.isError,
    'isError: validation rejections': fig.validationRejected,
    'protocol errors': fig.protocolErrors,
    'malformed answers': fig.malformed,
    'max latency ms (uncancelled)': Math.round(fig.maxLatencyMs),
    'max latency call': fig.maxLatencyCall,
    'latency p50/p95/p99 ms': `${pct(50)}/${pct(95)}/${pct(99)}`,
    crashes: fig.crashes,
    hangs: fig.hangs,
    'cancelled by the client': `${fig.cancelled + fig.cancelledAnswered} (${fig.cancelledAnswered} answered anyway)`,
    'progress notifications': main.notifications + (discovery?.notifications ?? 0),
    'unhandled rejections': fig.unhandledRejections,
    'stderr alarms': alarmLines.length,
    'node process warnings': warnings.length,
    'health checks': `${fig.healthChecks}, ${fig.healthProblems.length} problems`,
    'judged by arguments': JSON.stringify(t.byExpectation),
    'generated-valid results': `${t.generatedValidResults} of ${t.generatedValid} answered (${pctOf(t.generatedValidResults, t.generatedValid)}; rule ≥ ${MIN_VALID_RESULT_SHARE * 100}%)`,
    'tools with a result': `${Object.keys(t.resultsByTool).length} of ${toolCount} (rule ≥ ${Math.ceil(toolCount * MIN_TOOLS_WITH_RESULT_SHARE)}${toolsJudged ? '' : `, judged from ${10 * toolCount} generated schema-valid calls`})`,
    'schema-valid refused by validation': `${t.validRefusedByValidation} of ${t.validResults + t.validErrors}`,
    'tally rule': tallyJudged ? (tallyFailures.length ? `FAILED: ${tallyFailures.join('; ')}` : 'met') : opt.tool ? 'not judged (--tool)' : `not judged (fewer than ${TALLY_MIN_VALID} generated schema-valid calls)`,
    'known server bugs hit': Object.keys(t.knownBugs).length ? JSON.stringify(t.knownBugs) : 0,
    processes: exits,
    'late answers (after timeout)': main.late + (discovery?.late ?? 0),
    'wall time s': Math.round((Date.now() - started) / 1000),
  };
  if (opt.json) {
    process.stdout.write(`${JSON.stringify({ summary, tally: fig.tally, knownBugSamples: fig.knownBugSamples, byStrategy: fig.byStrategy, protocolErrorsByKind: fig.protocolErrorsByKind, validRejectedSamples: fig.validRejectedSamples, failures: fig.failures, healthProblems: fig.healthProblems, alarmLines, warnings }, null, 2)}\n`);
  } else {
    const rows = (o) => Object.entries(o).map(([k, v]) => `  ${k.padEnd(32)} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n');
    process.stdout.write(`\nFuzz figures\n${rows(summary)}\n\nBy strategy (calls / results / isError / protocol errors / failures)\n`);
    for (const [k, s] of Object.entries(fig.byStrategy).sort()) process.stdout.write(`  ${k.padEnd(32)} ${s.calls} / ${s.results} / ${s.isError} / ${s.protocol} / ${s.failures}\n`);
    if (Object.keys(fig.protocolErrorsByKind).length) {
      process.stdout.write('\nJSON-RPC errors (code, arguments, strategy: message)\n');
      for (const [k, n] of Object.entries(fig.protocolErrorsByKind).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${String(n).padStart(5)}  ${k}\n`);
    }
    const rejected = Object.entries(fig.validRejectedSamples).sort((a, b) => b[1] - a[1]);
    if (rejected.length) {
      process.stdout.write(`\nSchema-valid arguments the server's validation refused (${rejected.reduce((n, [, c]) => n + c, 0)}; advertised schema looser than the real one)\n`);
      for (const [k, n] of rejected.slice(0, 15)) process.stdout.write(`  ${String(n).padStart(5)}  ${k}\n`);
    }
    const known = Object.entries(fig.knownBugSamples);
    if (known.length) {
      process.stdout.write('\nKnown server bugs hit (test/fuzz/known-server-bugs.mjs; counted, not failed)\n');
      for (const [id, sample] of known) {
        const bug = KNOWN_SERVER_BUGS.find((b) => b.id === id);
        process.stdout.write(`  ${String(fig.tally.knownBugs[id]).padStart(5)}  ${id}: ${bug?.what}\n         fix: ${bug?.where}\n         e.g. ${sample}\n`);
      }
    }
    if (fig.failures.length) {
      process.stdout.write(`\nFailures (${fig.failures.length}; replay with --seed ${SEED}${opt.tool ? ` --tool ${opt.tool}` : ''})\n`);
      for (const f of fig.failures.slice(0, 30)) process.stdout.write(`  #${f.call} ${f.server}/${f.tool} (${f.strategy}, ${f.ms} ms): ${f.failure}\n      args: ${f.args}\n`);
    }
    for (const p of fig.healthProblems) process.stdout.write(`  health: ${p}\n`);
    for (const l of alarmLines) process.stdout.write(`  stderr: ${l}\n`);
    for (const w of warnings) process.stdout.write(`  warning: ${w}\n`);
    for (const p of tallyFailures) process.stdout.write(`  tally: ${p}\n`);
  }
  const bad = fig.crashes + fig.hangs + fig.unhandledRejections + fig.malformed + fig.failures.length + fig.healthProblems.length + alarmLines.length + tallyFailures.length;
  process.stdout.write(`\n${bad ? `FAILED (seed ${SEED})` : `OK (seed ${SEED})`}\n`);
  return bad ? 1 : 0;
}

#!/usr/bin/env node
// Reads the results of `conformance server -o DIR` and the expected-failures baseline, prints one line
// per scenario (passed / expected failure and why / UNEXPECTED / STALE) and a summary, and exits 1 when
// a scenario outside the baseline failed, a baseline entry passed (stale), a scenario left no result,
// or the baseline names an unknown scenario or an entry without a reason.
// Classifies like the suite's own --expected-failures check: a scenario fails when any check is
// FAILURE or WARNING. Runs on the project's Node (20); no dependencies.
//
//   node scripts/conformance-report.mjs --results DIR --baseline conformance-baseline.yml --scenarios FILE
//   (FILE: the output of `conformance list --server`, the scenarios that were run)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    results: { type: 'string' },
    baseline: { type: 'string' },
    scenarios: { type: 'string' },
  },
});
for (const k of ['results', 'baseline', 'scenarios']) {
  if (!values[k]) {
    console.error(`conformance-report: --${k} is required`);
    process.exit(2);
  }
}

const problems = [];

// The baseline in the suite's YAML format, restricted to what this parser understands exactly, so it
// cannot disagree with the suite's YAML parser: comments, blank lines, `server:`, `  - name  # reason`.
function readBaseline(file) {
  const entries = new Map();
  let section = null;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (/^\s*(#.*)?$/.test(line)) return;
    const key = /^([a-z]+):\s*(#.*)?$/.exec(line);
    if (key) {
      section = key[1];
      if (section !== 'server' && section !== 'client') problems.push(`${where}: unknown key ${section}`);
      return;
    }
    const item = /^\s+-\s+([A-Za-z0-9._/-]+)\s*(?:#\s*(.*))?$/.exec(line);
    if (!item || section === null) {
      problems.push(`${where}: not understood (expected "  - <scenario>  # <reason>"): ${line}`);
      return;
    }
    if (section !== 'server') return;
    const [, name, reason] = item;
    if (!reason?.trim()) problems.push(`${where}: baseline entry ${name} has no reason (add "# why it is expected to fail")`);
    if (entries.has(name)) problems.push(`${where}: ${name} is listed twice`);
    entries.set(name, reason?.trim() ?? '');
  });
  return entries;
}

// `conformance list --server` prints "  - name [versions]".
const scenarios = readFileSync(values.scenarios, 'utf8')
  .split('\n')
  .map((l) => /^\s*-\s+(\S+)/.exec(l)?.[1])
  .filter(Boolean);
if (scenarios.length === 0) problems.push(`no scenarios in ${values.scenarios}`);

const baseline = readBaseline(values.baseline);
for (const name of baseline.keys()) {
  if (!scenarios.includes(name)) problems.push(`baseline entry ${name} is not a scenario of this suite (renamed or removed?)`);
}

// Result directories are server-<scenario>-<ISO timestamp with - for :>.
const results = new Map();
if (existsSync(values.results)) {
  for (const dir of readdirSync(values.results)) {
    const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/.exec(dir);
    const file = join(values.results, dir, 'checks.json');
    if (m && existsSync(file)) results.set(m[1], JSON.parse(readFileSync(file, 'utf8')));
  }
}

const rows = { passed: [], expected: [], unexpected: [], stale: [], missing: [] };
const line = (mark, name, note = '') => console.log(`  ${mark} ${name.padEnd(30)} ${note}`);
for (const name of scenarios) {
  const checks = results.get(name);
  const inBaseline = baseline.has(name);
  if (!checks) {
    rows.missing.push(name);
    line('!', name, 'NO RESULT: the scenario did not run or crashed (see the conformance log above)');
    continue;
  }
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const why = bad.map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description}`).join(' | ');
  const ok = checks.filter((c) => c.status === 'SUCCESS').length;
  if (bad.length === 0 && !inBaseline) {
    rows.passed.push(name);
    line('✓', name, `passed (${ok} check${ok === 1 ? '' : 's'})`);
  } else if (bad.length > 0 && inBaseline) {
    rows.expected.push(name);
    line('~', name, `expected failure: ${baseline.get(name)}\n${' '.repeat(35)}got: ${why.slice(0, 300)}`);
  } else if (bad.length > 0) {
    rows.unexpected.push(name);
    line('✗', name, `UNEXPECTED FAILURE: ${why}`);
    for (const c of bad) {
      if (c.details && Object.keys(c.details).length > 0) console.log(`${' '.repeat(35)}${c.id} details: ${JSON.stringify(c.details).slice(0, 600)}`);
    }
  } else {
    rows.stale.push(name);
    line('✗', name, `STALE BASELINE: passes now (${ok} checks); remove it from ${values.baseline}`);
  }
}

for (const p of problems) console.log(`  ✗ ${p}`);
console.log(
  `conformance: ${rows.passed.length} scenarios passed, ${rows.expected.length} expected failures (baseline), ` +
    `${rows.unexpected.length} unexpected failures, ${rows.stale.length} stale baseline entries, ` +
    `${rows.missing.length} without result`,
);
const failed = rows.unexpected.length + rows.stale.length + rows.missing.length + problems.length;
process.exit(failed > 0 ? 1 : 0);

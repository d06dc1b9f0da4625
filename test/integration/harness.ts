import { Client } from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Connected {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr: () => string;
  /** The server process id. */
  pid: number;
  close: () => Promise<void>;
}

/**
 * Spawns the built server over stdio, as an MCP client application would. With `record`, every JSON-RPC
 * message the server sends is appended to it, serialised — the handshake included. The client declares no
 * elicitation, so the server runs with CLUVIO_CONFIRM=off unless `env` says otherwise: a person's confirmation
 * is tested in confirm.test.ts, and the other tests drive deletes and updates as an unattended agent would.
 */
export async function connectStdio(args: string[], env: Record<string, string> = {}, opts: { record?: string[] } = {}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CLUVIO_CONFIRM: 'off', ...env },
    stderr: 'pipe',
  });
  let err = '';
  const stream = transport.stderr as PassThrough | null;
  stream?.on('data', (d: Buffer) => (err += d.toString()));
  const record = opts.record;
  if (record) {
    // The client installs its handler before start(); wrap it there so that nothing is missed.
    const start = transport.start.bind(transport);
    transport.start = async () => {
      const inner = transport.onmessage;
      transport.onmessage = (message) => {
        record.push(JSON.stringify(message));
        inner?.(message);
      };
      return start();
    };
  }
  const client = new Client({ name: 'cluvio-mcp-tests', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err, pid: transport.pid ?? -1, close: () => client.close() };
}

export interface RunningHttp {
  child: ChildProcess;
  /** The MCP endpoint the server logged when it started listening. */
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Spawns the built server with `args` and `env` (plus PATH) and waits for the URL it logs once it listens. */
export async function spawnHttpServer(args: string[], env: Record<string, string>, cwd?: string): Promise<RunningHttp> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"url":"([^"]+)"/.exec(err);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`server exited: ${err}`));
    });
  });
  return { child, url, stderr: () => err, exited };
}

/** The text of a tool result's first content block. */
export function textOf(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }> | undefined;
  return content?.find((c) => c.type === 'text')?.text ?? '';
}

/** An object tool's answer (get_…, create_…, update_…): its text is the flattened object as compact JSON. */
export function objectOf<T = Record<string, unknown>>(result: { content?: unknown }): T {
  const text = textOf(result);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`not an object answer: ${text.slice(0, 300)}`);
  }
}

/** A list tool's answer: the rows of its table, keyed by column ("NULL" for null), and M of "Showing N of M". */
export function listOf(result: { content?: unknown }): { total: number; items: Array<Record<string, string>> } {
  const text = textOf(result);
  if (/^The list is empty|^Nothing matches/.test(text)) return { total: 0, items: [] };
  const total = /^Showing \d+ of (\d+)/.exec(text);
  if (!total) throw new Error(`not a list answer: ${text.slice(0, 300)}`);
  const split = (line: string) =>
    line
      .slice(2, -2)
      .split(/ (?<!\\)\| /)
      .map((c) => c.replace(/\\\|/g, '|'));
  const [header, , ...body] = text.split('\n').filter((l) => l.startsWith('|'));
  const names = split(header ?? '');
  return { total: Number(total[1]), items: body.map((line) => Object.fromEntries(split(line).map((v, i) => [names[i]!, v]))) };
}

/** What run_execution and get_execution_data send as structuredContent. */
export interface ExecutionResult {
  execution_id: string;
  status: string;
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
  total_rows: number;
  offset: number;
  truncated: boolean;
  next?: string;
}

/**
 * A successful run_execution / get_execution_data answer's structuredContent. Throws (with the tool's text) on
 * an error result or one without structuredContent, so a test can never pass on text that merely contains a value.
 */
export function executionOf(result: { isError?: unknown; structuredContent?: unknown; content?: unknown }): ExecutionResult {
  if (result.isError === true) throw new Error(`tool error: ${textOf(result).slice(0, 500)}`);
  const out = result.structuredContent as ExecutionResult | undefined;
  if (!out || !Array.isArray(out.rows) || !Array.isArray(out.columns)) throw new Error(`no execution result: ${textOf(result).slice(0, 300)}`);
  return out;
}

/** Waits for `check` to hold, polling every `everyMs`; fails with `what` after `timeoutMs` (a deadline for an event, not a measurement). */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 25): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The server's JSON log lines (pino) in `stderr`, from character `from` on; other lines are skipped. */
export function logLines(stderr: string, from = 0): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of stderr.slice(from).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line still being written
    }
  }
  return out;
}

/** Waits until the sandbox's SQL engine answers a query, so tests measure what they name, not its start-up. */
export async function warmUpSandbox(api: string, key: string, datasource = 'smpl-data-0001'): Promise<void> {
  const headers = { authorization: `Api ${key}`, 'content-type': 'application/json' };
  const started = (await (await fetch(`${api}/datasources/${datasource}/executions`, { method: 'POST', headers, body: JSON.stringify({ sql_query: 'SELECT 1' }) })).json()) as { data: { id: string } };
  await waitUntil(
    'the sandbox engine answers',
    async () => {
      const e = (await (await fetch(`${api}/executions/${started.data.id}`, { headers })).json()) as { data: { attributes: { execution_status: string } } };
      return e.data.attributes.execution_status === 'success';
    },
    60_000,
    100,
  );
}

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
 * message the server sends is appended to it, serialised — the handshake included.
 */
export async function connectStdio(args: string[], env: Record<string, string> = {}, opts: { record?: string[] } = {}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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

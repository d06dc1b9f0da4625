/** Main-thread handle on the SQL engine worker: async request/response by id. */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import type {
  EngineDb,
  EngineRequest,
  EngineResponse,
  FetchResult,
  RunResult,
  SchemaEntry,
  WorkerInit,
} from './protocol.js';

/**
 * The worker is compiled JS (dist/sandbox/engine/worker.js). When this module runs from source
 * (vitest on src/), fall back to the built worker in dist/ — run `npm run build` first.
 */
function workerUrl(): URL {
  const sibling = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const here = fileURLToPath(import.meta.url);
  const built = path.resolve(path.dirname(here), '../../../dist/sandbox/engine/worker.js');
  if (existsSync(built)) return new URL(`file://${built}`);
  throw new Error(`sandbox engine worker not found (looked for ${fileURLToPath(sibling)} and ${built}); run npm run build`);
}

export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), 'cluvio-mcp-sandbox');
}

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;
  private exitError: Error | null = null;

  constructor(init: WorkerInit = { cacheDir: defaultCacheDir() }) {
    this.worker = new Worker(workerUrl(), { workerData: init });
    this.worker.on('message', (msg: EngineResponse) => {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
    const fail = (err: Error): void => {
      this.exitError = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', (err) => fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`sandbox engine worker exited with code ${code}`));
    });
  }

  private request<T>(req: EngineRequest): Promise<T> {
    if (this.closed) return Promise.reject(new Error('sandbox engine is closed'));
    if (this.exitError !== null) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, req });
    });
  }

  /** Resolves when every engine database is open and seeded. */
  ready(): Promise<void> {
    return this.request<null>({ op: 'ready' }).then(() => undefined);
  }

  ping(db: EngineDb): Promise<void> {
    return this.request<null>({ op: 'ping', db }).then(() => undefined);
  }

  run(db: EngineDb, sql: string, resultId: string): Promise<RunResult> {
    return this.request<RunResult>({ op: 'run', db, sql, resultId });
  }

  fetch(db: EngineDb, table: string, ncols: number, fromBlock: number, toBlock: number): Promise<FetchResult> {
    return this.request<FetchResult>({ op: 'fetch', db, table, ncols, fromBlock, toBlock });
  }

  drop(db: EngineDb, table: string): Promise<void> {
    return this.request<null>({ op: 'drop', db, table }).then(() => undefined);
  }

  schema(db: EngineDb): Promise<SchemaEntry[]> {
    return this.request<SchemaEntry[]>({ op: 'schema', db });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('sandbox engine is closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await this.worker.terminate();
  }
}

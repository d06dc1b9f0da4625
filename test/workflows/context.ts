import { vi } from 'vitest';
import type { DataGrant } from '../../src/cluvio/data-client.js';
import type { ResultPage, ResultPageOptions } from '../../src/cluvio/result-stream.js';
import type { CallContext } from '../../src/context.js';
import type { Operation } from '../../src/operations/types.js';

/** One request a workflow sent through ctx.request. */
export interface Sent {
  op: string;
  args: Record<string, unknown>;
  signal?: AbortSignal;
  queueSignal?: AbortSignal;
}

/** How the fake API answers one operation: a value, or a function of the arguments (which may throw). */
export type Route = unknown | ((args: Record<string, unknown>, sent: Sent) => unknown);

/** One read from the data server. */
export interface Read {
  kind: 'page' | 'text' | 'json';
  grant: DataGrant;
  options?: ResultPageOptions;
  maxChars?: number;
  operation: string;
  signal?: AbortSignal;
}

export interface FakeData {
  page?: (grant: DataGrant, options: ResultPageOptions) => ResultPage | Promise<ResultPage>;
  text?: (grant: DataGrant, maxChars: number) => { text: string; cut: boolean } | Promise<{ text: string; cut: boolean }>;
  json?: (grant: DataGrant) => unknown;
}

/**
 * A CallContext for workflow tests: requests go to `routes` by operation id (an operation without a route
 * fails the call), data reads to `data`; everything sent, read, reported and logged is recorded. The call
 * runs the operation of the first route (the one a workflow starts with) unless `opts.op` names another.
 */
export function fakeContext(routes: Record<string, Route>, opts: { data?: FakeData; maxImageKb?: number; signal?: AbortSignal; queries?: CallContext['queries']; op?: string } = {}) {
  const sent: Sent[] = [];
  const reads: Read[] = [];
  const progress: Array<[number, number | undefined, string]> = [];
  const logs: Array<{ level: 'debug' | 'info' | 'warn'; fields: Record<string, unknown>; message: string }> = [];
  const controller = new AbortController();
  const log = (level: 'debug' | 'info' | 'warn') => (fields: Record<string, unknown>, message: string) => void logs.push({ level, fields, message });
  const ctx = {
    config: { maxImageKb: opts.maxImageKb ?? 24 },
    signal: opts.signal ?? controller.signal,
    queries: opts.queries,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
    progress: (p: number, total: number | undefined, message: string) => void progress.push([p, total, message]),
    op: { id: opts.op ?? Object.keys(routes)[0] ?? 'none' } as Operation,
    // Any operation id stands for itself: the workflow under test names what it sends.
    ops: new Proxy({}, { get: (_t, id) => ({ id: String(id) }) as Operation }),
    request: async (op: Operation, args: Record<string, unknown>, extra: { signal?: AbortSignal; queueSignal?: AbortSignal } = {}) => {
      const s: Sent = { op: op.id, args, ...extra };
      sent.push(s);
      if (!(op.id in routes)) throw new Error(`unexpected request ${op.id}`);
      const route = routes[op.id];
      return typeof route === 'function' ? (route as (a: Record<string, unknown>, s: Sent) => unknown)(args, s) : route;
    },
    data: {
      getResultPage: async (grant: DataGrant, options: ResultPageOptions, operation: string, signal?: AbortSignal) => {
        reads.push({ kind: 'page', grant, options, operation, signal });
        if (!opts.data?.page) throw new Error('unexpected data read');
        return opts.data.page(grant, options);
      },
      getText: async (grant: DataGrant, maxChars: number, operation: string, signal?: AbortSignal) => {
        reads.push({ kind: 'text', grant, maxChars, operation, signal });
        if (!opts.data?.text) throw new Error('unexpected data read');
        return opts.data.text(grant, maxChars);
      },
      getJson: async (grant: DataGrant, operation: string, signal?: AbortSignal) => {
        reads.push({ kind: 'json', grant, operation, signal });
        if (!opts.data?.json) throw new Error('unexpected data read');
        return opts.data.json(grant);
      },
    },
  } as unknown as CallContext;
  return { ctx, sent, reads, progress, logs, controller, ops: () => sent.map((s) => s.op) };
}

/** A route that answers with each value in turn, then keeps answering with the last. */
export function inTurn(...values: unknown[]): (args: Record<string, unknown>) => unknown {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
}

/** A Get Execution answer (JSON:API) for execution `id`. */
export function execution(id: string, attributes: Record<string, unknown>) {
  return { data: { id, type: 'executions', attributes } };
}

/** A result page as the data client returns it. */
export function page(rows: unknown[][], fields: Array<{ name: string; data_type: string }>, extra: Partial<ResultPage> = {}): ResultPage {
  return { meta: { fields }, rows, totalRows: rows.length, cutBySize: false, ...extra };
}

/** Runs `work` to its end on fake timers (every wait and backoff), resolving with its value or its rejection. */
export async function settle<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

/** The value of a settled workflow, failing the test with its error if it rejected. */
export async function run<T>(work: Promise<T>): Promise<T> {
  const { value, error } = await settle(work);
  if (error !== undefined) throw error;
  return value as T;
}

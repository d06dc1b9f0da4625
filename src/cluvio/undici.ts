import type { Dispatcher } from 'undici';

type Undici = typeof import('undici');
let loading: Promise<Undici> | undefined;

/** undici, loaded on the first request: it costs ~80 ms and ~12 MB, and start-up and tools/list never need it. */
export function undici(): Promise<Undici> {
  return (loading ??= import('undici'));
}

/** A keep-alive connection pool, created on first use. */
export class LazyAgent {
  private agent?: Promise<Dispatcher>;
  private ready?: Dispatcher;
  constructor(private readonly opts: { keepAliveTimeout: number; connections: number }) {}
  /** The pool once it exists (no await on the hot path), else a promise of it. */
  get(): Dispatcher | Promise<Dispatcher> {
    return this.ready ?? (this.agent ??= undici().then((u) => (this.ready = new u.Agent(this.opts))));
  }
  async close(): Promise<void> {
    if (this.agent) await (await this.agent).close();
  }
}

export type AnyDispatcher = Dispatcher | LazyAgent;
export const resolveDispatcher = (d: AnyDispatcher): Dispatcher | Promise<Dispatcher> => (d instanceof LazyAgent ? d.get() : d);

/** A response header as one string (undici gives repeated headers as an array). */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

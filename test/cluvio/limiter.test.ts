import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/cluvio/api-client.js';
import { DataClient } from '../../src/cluvio/data-client.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import { ConfigError, parseCommand } from '../../src/config.js';
import { CountingAgent, json, startServer } from './http-server.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A task the test finishes by hand. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Limiter', () => {
  it('never has more than max tasks in flight, and runs them all', async () => {
    const limiter = new Limiter(3);
    let inFlight = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        limiter.run(async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          expect(limiter.inFlight).toBeLessThanOrEqual(3);
          await new Promise((r) => setTimeout(r, 1 + (i % 4)));
          inFlight--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('grants slots in arrival order (FIFO), and a newcomer cannot overtake a waiter', async () => {
    const limiter = new Limiter(2);
    const order: number[] = [];
    const gates = Array.from({ length: 6 }, () => deferred());
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        order.push(i);
        await g.promise;
      }),
    );
    await tick();
    expect(order).toEqual([0, 1]);
    expect(limiter.queued).toBe(4);
    // Finish out of order: slots still go to the oldest waiters.
    gates[1]!.resolve();
    await tick();
    expect(order).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    await tick();
    expect(order).toEqual([0, 1, 2, 3]);
    // Someone arriving now queues behind 4 and 5.
    const late = limiter.run(async () => void order.push(99));
    for (const g of gates.slice(2)) g.resolve();
    await Promise.all([...runs, late]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 99]);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.inFlight).toBe(0);
    expect(await limiter.run(async () => 'next')).toBe('next');
  });

  it('an aborted waiter leaves the queue with the abort reason and takes no slot', async () => {
    const limiter = new Limiter(1);
    const holder = deferred();
    const first = limiter.run(() => holder.promise);
    const controller = new AbortController();
    let ranAborted = false;
    const aborted = limiter.run(async () => void (ranAborted = true), controller.signal);
    const third = limiter.run(async () => 'third');
    await tick();
    expect(limiter.queued).toBe(2);
    controller.abort(new Error('client cancelled'));
    await expect(aborted).rejects.toThrow('client cancelled');
    expect(limiter.queued).toBe(1);
    holder.resolve();
    await first;
    expect(await third).toBe('third');
    expect(ranAborted).toBe(false);
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.acquire(AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(limiter.inFlight).toBe(0);
  });

  it('an abort after the slot was granted changes nothing; releasing twice frees one slot', async () => {
    const limiter = new Limiter(2);
    const controller = new AbortController();
    const release = await limiter.acquire(controller.signal);
    controller.abort();
    expect(limiter.inFlight).toBe(1);
    release();
    release();
    expect(limiter.inFlight).toBe(0);
  });

  it('rejects a size below 1 or not a whole number, saying which', () => {
    expect(() => new Limiter(0)).toThrow(new RangeError('limiter size must be a positive integer, not 0'));
    expect(() => new Limiter(2.5)).toThrow(new RangeError('limiter size must be a positive integer, not 2.5'));
    expect(new Limiter(1).max).toBe(1);
  });

  it('a waiter that gets its slot stops listening to its signal', async () => {
    const limiter = new Limiter(1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = limiter.acquire(controller.signal);
    expect(added).toHaveBeenCalledWith('abort', expect.any(Function), { once: true });
    release();
    (await waiting)();
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]![1]);
  });
});

describe('the API and data clients behind one limiter', () => {
  const logger = pino({ level: 'silent' });
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  /** A server that answers after `delayMs` and records the most requests it ever had open at once. */
  async function slowServer(delayMs: number, status = 200) {
    let open = 0;
    const seen = { peak: 0 };
    const server = await startServer(async (_req, res) => {
      open++;
      seen.peak = Math.max(seen.peak, open);
      await new Promise((r) => setTimeout(r, delayMs));
      open--;
      json(res, status, status === 200 ? { data: { ok: true }, rows: [[1]], columns: [{ name: 'n' }] } : { errors: [{ detail: 'busy' }] });
    });
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    return { server, agent, seen };
  }

  it('API sends and data reads share the cap; all of them complete', async () => {
    const { server, agent, seen } = await slowServer(20);
    const limiter = new Limiter(3);
    const api = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, dispatcher: agent, limiter });
    const data = new DataClient({ baseUrl: server.url, timeoutMs: 5_000, logger, dispatcher: agent, limiter });
    const calls = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? api.send({ operation: 'op', method: 'GET', path: `/x/${i}`, idempotent: true })
        : data.getJson({ data_key: `k/${i}`, data_access_token: 't' }, 'getSchemaData'),
    );
    const results = await Promise.all(calls);
    expect(results).toHaveLength(24);
    expect(server.hits).toHaveLength(24);
    expect(seen.peak).toBe(3);
    expect(limiter.inFlight).toBe(0);
  });

  it('a retry waits for its backoff without holding a slot', async () => {
    // /busy is refused once with a 30 s Retry-After; /other is answered at once. Each records the slots held while it is served.
    const heldDuring: Record<string, number[]> = { '/busy': [], '/other': [] };
    const limiter = new Limiter(1);
    const server = await startServer((req, res, _hit, i) => {
      heldDuring[req.url!]!.push(limiter.inFlight);
      if (req.url === '/busy' && i === 0) json(res, 503, { errors: [{ detail: 'busy' }] }, { 'retry-after': '30' });
      else json(res, 200, { data: { ok: true } });
    });
    const agent = new CountingAgent();
    cleanups.push(() => server.close(), () => agent.close());
    const retry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 60_000 };
    const api = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, dispatcher: agent, limiter, retry });
    const controller = new AbortController();
    const failing = api.send({ operation: 'op', method: 'GET', path: '/busy', idempotent: true, signal: controller.signal }).catch((e: unknown) => e);
    // Once the 503 is read, the request backs off for 30 s; waiting must leave the only slot free.
    await vi.waitFor(() => expect(limiter.inFlight).toBe(0), { timeout: 10_000, interval: 5 });
    // So another request gets through now, long before the retry is due.
    const other = await api.send({ operation: 'op', method: 'GET', path: '/other', idempotent: true });
    expect(other.status).toBe(200);
    expect(server.hits.map((h) => h.url)).toEqual(['/busy', '/other']);
    // Each attempt held the one slot while it was served.
    expect(heldDuring).toEqual({ '/busy': [1], '/other': [1] });
    // Still backing off: cancelling ends the wait with the reason, and no retry is sent.
    const reason = new Error('stop waiting');
    controller.abort(reason);
    expect(await failing).toBe(reason);
    expect(server.hits).toHaveLength(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('a request cancelled while queued is never sent', async () => {
    const { server, agent } = await slowServer(100);
    const limiter = new Limiter(1);
    const api = new ApiClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 5_000, logger, dispatcher: agent, limiter });
    const first = api.send({ operation: 'op', method: 'GET', path: '/first', idempotent: true });
    const controller = new AbortController();
    const second = api.send({ operation: 'op', method: 'POST', path: '/second', idempotent: false, signal: controller.signal });
    await tick();
    controller.abort(new Error('cancelled by the client'));
    await expect(second).rejects.toThrow('cancelled by the client');
    await first;
    expect(server.hits.map((h) => h.url)).toEqual(['/first']);
    expect(limiter.inFlight).toBe(0);
  });
});

describe('CLUVIO_MAX_CONCURRENCY / --max-concurrency', () => {
  const serve = (argv: string[], env: Record<string, string>) => {
    const cmd = parseCommand(argv, { CLUVIO_API_KEY: 'k', ...env });
    if (cmd.kind !== 'serve') throw new Error('expected serve');
    return cmd.config;
  };

  it('defaults to 8, reads the variable, and the flag wins', () => {
    expect(serve([], {}).maxConcurrency).toBe(8);
    expect(serve([], { CLUVIO_MAX_CONCURRENCY: '3' }).maxConcurrency).toBe(3);
    expect(serve(['--max-concurrency', '12'], { CLUVIO_MAX_CONCURRENCY: '3' }).maxConcurrency).toBe(12);
    expect(serve([], { CLUVIO_MAX_CONCURRENCY: '20' }).maxConcurrency).toBe(20);
  });

  it.each(['0', '21', '100', '2.5', 'many'])('refuses %s, naming the setting and the range', (v) => {
    expect(() => serve([], { CLUVIO_MAX_CONCURRENCY: v })).toThrow(ConfigError);
    expect(() => serve([], { CLUVIO_MAX_CONCURRENCY: v })).toThrow(/CLUVIO_MAX_CONCURRENCY.*1 to 20/);
  });
});

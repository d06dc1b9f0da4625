import { Agent } from 'undici';
import { describe, expect, test, vi } from 'vitest';
import { headerText, LazyAgent, resolveDispatcher, undici } from '../../src/cluvio/undici.js';

describe('undici, loaded on first use', () => {
  test('one load, shared by every caller', async () => {
    const first = undici();
    expect(undici()).toBe(first);
    expect((await first).Agent).toBe(Agent);
  });
});

describe('LazyAgent', () => {
  test('creates its pool on first use, and then hands it out without a promise', async () => {
    const lazy = new LazyAgent({ keepAliveTimeout: 1_234, connections: 3 });
    const pending = lazy.get();
    expect(pending).toBeInstanceOf(Promise);
    // A second caller before the pool exists shares the same creation.
    expect(lazy.get()).toBe(pending);
    const pool = await pending;
    expect(pool).toBeInstanceOf(Agent);
    expect(lazy.get()).toBe(pool);
    const close = vi.spyOn(pool, 'close');
    await lazy.close();
    expect(close).toHaveBeenCalled();
  });

  test('closing a pool that was never created does nothing', async () => {
    const lazy = new LazyAgent({ keepAliveTimeout: 1, connections: 1 });
    await expect(lazy.close()).resolves.toBeUndefined();
    // Still nothing created.
    expect(lazy.get()).toBeInstanceOf(Promise);
    await lazy.close();
  });

  test('resolveDispatcher: a LazyAgent gives its pool, any other dispatcher is itself', async () => {
    const lazy = new LazyAgent({ keepAliveTimeout: 1, connections: 1 });
    const plain = new Agent();
    try {
      expect(resolveDispatcher(plain)).toBe(plain);
      expect(await resolveDispatcher(lazy)).toBe(await lazy.get());
    } finally {
      await lazy.close();
      await plain.close();
    }
  });
});

describe('headerText', () => {
  test('a repeated header is joined with ", " as HTTP folds it; one value or none is kept as it is', () => {
    expect(headerText(['application/json', 'charset=utf-8'])).toBe('application/json, charset=utf-8');
    expect(headerText('text/html')).toBe('text/html');
    expect(headerText(undefined)).toBeUndefined();
  });
});

import { describe, expect, test } from 'vitest';
import { callSignal } from '../../src/tools/invoker.js';

/** notifications/cancelled aborts the SDK's signal with the client's reason: a plain string, or nothing. */
describe('callSignal', () => {
  test('a string reason becomes an AbortError that keeps the words', () => {
    const mcp = new AbortController();
    const signal = callSignal(mcp.signal);
    expect(signal.aborted).toBe(false);
    mcp.abort('AbortError: This operation was aborted');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(Error);
    expect((signal.reason as Error).name).toBe('AbortError');
    expect((signal.reason as Error).message).toMatch(/cancelled by the client: AbortError: This operation was aborted/);
  });

  test('no reason, or one given before the call started, is an Error too', () => {
    const mcp = new AbortController();
    mcp.abort(undefined);
    const signal = callSignal(mcp.signal);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(Error);
  });

  test('an Error reason is kept as it is', () => {
    const mcp = new AbortController();
    const signal = callSignal(mcp.signal);
    const reason = new Error('timeout');
    mcp.abort(reason);
    expect(signal.reason).toBe(reason);
  });
});

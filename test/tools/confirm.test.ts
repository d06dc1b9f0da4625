import type { ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { canElicitForm, canonical, Confirmations, CONFIRM_TTL_MS, type Gate, type GateResult } from '../../src/tools/confirm.js';

/** A call that cannot ask (the token flow) on a clock the test sets. */
function setup(secret?: string) {
  let now = 1_800_000_000_000;
  const c = new Confirmations('destructive', { secret, now: () => now });
  const ctx = { mcpReq: { requestState: () => undefined, inputResponses: undefined } } as unknown as ServerContext;
  const gate = (args: Record<string, unknown>, confirm?: string, over: Partial<Gate> = {}) =>
    c.gate({ tool: 'delete_dashboard', args, confirm, keyId: 'key-a', ctx, elicit: false, describe: async () => ({ message: 'Delete it?' }), ...over });
  return { gate, advance: (ms: number) => (now += ms), c };
}
const text = (r: GateResult) => (r.proceed ? 'PROCEED' : (r.result.content as Array<{ text: string }>)[0]!.text);
const token = (r: GateResult) => /confirm: "([^"]+)"/.exec(text(r))![1]!;

describe('confirm tokens', () => {
  it('are good until the last millisecond of 5 minutes, then expired', async () => {
    const { gate, advance } = setup();
    const t = token(await gate({ id: 'd1' }));
    advance(CONFIRM_TTL_MS - 1);
    expect(text(await gate({ id: 'd1' }, t))).toBe('PROCEED');
    const t2 = token(await gate({ id: 'd1' }));
    advance(CONFIRM_TTL_MS);
    expect(text(await gate({ id: 'd1' }, t2))).toMatch(/expired/);
  });

  it('bind the arguments in any key order, but not other values, tools or keys; a token from another secret is not ours', async () => {
    const { gate } = setup();
    const t = token(await gate({ id: 'd1', name: 'x', tags: { b: 1, a: [1, 2] } }));
    expect(text(await gate({ id: 'd1', name: 'y', tags: { b: 1, a: [1, 2] } }, t))).toMatch(/arguments differ/);
    expect(text(await gate({ id: 'd1', name: 'x', tags: { b: 1, a: [1, 2] } }, t, { tool: 'delete_report' }))).toMatch(/arguments differ/);
    expect(text(await gate({ id: 'd1', name: 'x', tags: { b: 1, a: [1, 2] } }, t, { keyId: 'key-b' }))).toMatch(/another Cluvio API key/);
    expect(text(await gate({ tags: { a: [1, 2], b: 1 }, name: 'x', id: 'd1' }, t))).toBe('PROCEED');
    expect(text(await gate({ id: 'd1', name: 'x', tags: { b: 1, a: [1, 2] } }, t))).toMatch(/already used/);

    const elsewhere = setup('another-secret-of-at-least-32-characters');
    const foreign = token(await elsewhere.gate({ id: 'd2' }));
    expect(text(await gate({ id: 'd2' }, foreign))).toMatch(/not one this server issued/);
    expect(text(await gate({ id: 'd2' }, 'nonsense'))).toMatch(/not one this server issued/);
  });

  it('carry no argument value', async () => {
    const { gate } = setup();
    const t = token(await gate({ id: 'd1', password: 'hunter2-very-secret' }));
    expect(Buffer.from(t.replace(/\./g, ''), 'base64url').toString('latin1')).not.toContain('hunter2');
    expect(t).not.toContain('hunter2');
  });

  it('canonical JSON sorts keys at every level and leaves out undefined', () => {
    expect(canonical({ b: 1, a: { d: undefined, c: [2, { y: 1, x: 0 }] } })).toBe('{"a":{"c":[2,{"x":0,"y":1}]},"b":1}');
  });

  it('form elicitation: declared as form, or as elicitation: {} (2025-06-18); not url only, not absent', () => {
    expect(canElicitForm({ elicitation: { form: {} } })).toBe(true);
    expect(canElicitForm({ elicitation: {} })).toBe(true);
    expect(canElicitForm({ elicitation: { url: {} } })).toBe(false);
    expect(canElicitForm({})).toBe(false);
    expect(canElicitForm(undefined)).toBe(false);
  });
});

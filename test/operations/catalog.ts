import { expect } from 'vitest';
import { OPERATIONS } from '../../src/operations/index.js';
import { buildRequest } from '../../src/operations/request.js';
import type { Operation } from '../../src/operations/types.js';

/** The catalog entry of an operation id; an unknown id fails the test. */
export function op(id: string): Operation {
  const found = OPERATIONS.find((o) => o.id === id);
  if (!found) throw new Error(`no operation ${id} in the catalog`);
  return found;
}

/** As a tool call does it: strict validation (defaults, transforms, refinements), then the HTTP request (query without unset values). */
export function request(id: string, args: Record<string, unknown>) {
  const { idempotent: _, ...sent } = requestAndRetry(id, args);
  return sent;
}

/** `request`, plus whether the API client may repeat it after a failure. */
export function requestAndRetry(id: string, args: Record<string, unknown>) {
  const o = op(id);
  const parsed = o.input.strict().parse(args) as Record<string, unknown>;
  const { method, path, query, body, bodyType, idempotent } = buildRequest(o, parsed);
  const q = Object.fromEntries(Object.entries(query ?? {}).filter(([, v]) => v !== undefined));
  return { method, path, query: q, body, bodyType, idempotent };
}

/** Whether the tool's strict validation refuses these arguments. */
export function rejects(id: string, args: Record<string, unknown>): boolean {
  return !op(id).input.strict().safeParse(args).success;
}

/** Fails the test, naming the call, unless the tool refuses these arguments. */
export function expectRejected(id: string, args: Record<string, unknown>): void {
  expect(rejects(id, args), `${id} ${JSON.stringify(args)}`).toBe(true);
}

import type { ApiClient } from '../cluvio/api-client.js';
import type { Operation } from '../operations/types.js';

/** A tool call that may have changed the Cluvio account (any access but `read`) and did not fail. */
export interface OperationDone {
  op: Operation;
  args: Record<string, unknown>;
  /** The client the call went through: identifies the Cluvio key (per-user keys over HTTP). */
  api: ApiClient;
}

type Listener = (event: OperationDone) => void;
const listeners = new Set<Listener>();

/**
 * Subscribe to successful non-read tool calls; returns the unsubscribe function. The tool layer only
 * reports calls: listeners (resources) decide which operations matter to them.
 */
export function onOperationDone(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by the Invoker after a successful `run` or `write` call. A failing listener never fails the call. */
export function operationDone(event: OperationDone): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // Cache invalidation and notifications are best-effort.
    }
  }
}

import { ConfigError } from '../config.js';
import { datasourceOperations } from './datasources.js';
import { executionOperations } from './executions.js';
import { routeParts } from './request.js';
import type { Operation } from './types.js';

/** Every operation, in the reference's order. Adding an operation means adding one entry to a group file. */
export const OPERATIONS: readonly Operation[] = [...datasourceOperations, ...executionOperations];

/** "Get Drop-Down Filter Options" → "get_drop_down_filter_options". */
export function toolName(op: Pick<Operation, 'title'>): string {
  return op.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * The catalog with CLUVIO_ROUTES_FILE applied. An override must name a known operation and keep its
 * path parameters, so a typo fails at start-up instead of on the first call.
 */
export function buildCatalog(overrides: Record<string, string> = {}): Operation[] {
  const byId = new Map(OPERATIONS.map((op) => [op.id, op]));
  for (const [opId, route] of Object.entries(overrides)) {
    const op = byId.get(opId);
    if (!op) {
      throw new ConfigError(`CLUVIO_ROUTES_FILE names unknown operation "${opId}". Accepted: ${[...byId.keys()].join(', ')}.`);
    }
    const want = routeParts(op.route).params.sort().join(',');
    const got = routeParts(route).params.sort().join(',');
    if (want !== got) {
      throw new ConfigError(`CLUVIO_ROUTES_FILE route for "${opId}" must use the path parameters {${want.replace(/,/g, '}, {')}}; got "${route}".`);
    }
    byId.set(opId, { ...op, route });
  }
  return [...byId.values()];
}

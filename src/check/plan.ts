/**
 * What `check` calls, derived from the catalog: every operation whose access is `read` and whose route is GET —
 * first the collections (no path parameter), then those that need an id, each with the first id of its kind.
 * An id's kind is the collection its path parameter follows in the catalog's own route (`/datasources/{id}/schema`
 * → datasources), which is also the JSON:API type of the objects that have such ids.
 */
import type { Inventory } from '../inventory.js';
import { OPERATIONS } from '../operations/index.js';
import { routeParts } from '../operations/request.js';
import { isLocal, type Operation } from '../operations/types.js';

export interface Param {
  name: string;
  kind: string;
}

export interface ById {
  op: Operation;
  params: Param[];
}

export interface Plan {
  collections: Operation[];
  byId: ById[];
  /** Read operations whose route is not GET: never called (check changes nothing, and sends nothing else). */
  notGet: Operation[];
}

const CATALOG_ROUTES = new Map<string, string>(OPERATIONS.map((op) => [op.id, op.route]));

/** Each path parameter of an operation with the kind of id it takes. */
export function paramsOf(op: Operation): Param[] {
  const segments = routeParts(CATALOG_ROUTES.get(op.id) ?? op.route).path.split('/');
  return routeParts(op.route).params.map((name) => {
    const at = segments.indexOf(`{${name}}`);
    return { name, kind: at > 0 ? (segments[at - 1] ?? name) : name };
  });
}

export function readPlan(inventory: Inventory): Plan {
  // This server's own operations (search_account) send no request of their own: nothing to check.
  const reads = inventory.all.filter((op) => op.access === 'read' && !isLocal(op));
  const get = reads.filter((op) => routeParts(op.route).method === 'GET');
  return {
    collections: get.filter((op) => routeParts(op.route).params.length === 0),
    byId: get.filter((op) => routeParts(op.route).params.length > 0).map((op) => ({ op, params: paramsOf(op) })),
    notGet: reads.filter((op) => routeParts(op.route).method !== 'GET'),
  };
}

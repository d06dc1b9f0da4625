/**
 * "No such route" or "no such object"? Cluvio answers both with 404, so check asks once for each — a route that
 * cannot exist, and an id that cannot exist on a route with public evidence — and keeps each answer's signature:
 * status, media type and error texts with the requested path, ids and method masked. A later 404 is an unknown
 * route when its signature is the first probe's, an unknown object when it is not and the two probes differ, and
 * undecided when Cluvio answers both alike (405 is always an unknown route: the path is served, not the method).
 */
import type { CluvioApiError } from '../cluvio/errors.js';
import { mediaType } from './shape.js';

export type NotFound = 'route' | 'object' | 'unknown';

export interface NotFoundProbes {
  route?: string;
  object?: string;
}

export interface SentRequest {
  method: string;
  /** The path as sent (ids percent-encoded). */
  path: string;
  /** The ids in the path, as given. */
  ids: readonly string[];
}

/** A path no Cluvio route has, and an id no object has. */
export const NO_SUCH_ROUTE = '/cluvio_mcp_check/no_such_route';
export const NO_SUCH_ID = 'cluvio-mcp-check-no-such-id';

export function signature(err: CluvioApiError, sent: SentRequest): string {
  const mask = (text: string): string => {
    let t = text.split(sent.path).join('{path}');
    for (const id of sent.ids) for (const form of new Set([id, encodeURIComponent(id)])) if (form) t = t.split(form).join('{id}');
    return t.split(sent.method).join('{method}');
  };
  return [String(err.status), mediaType(err.contentType) ?? '', ...err.details.map(mask)].join(' | ');
}

export function classify(err: CluvioApiError, sent: SentRequest, probes: NotFoundProbes): NotFound {
  if (err.status === 405) return 'route';
  const sig = signature(err, sent);
  if (probes.route !== undefined && sig === probes.route) return 'route';
  if (probes.route !== undefined && probes.object !== undefined && probes.route !== probes.object) return 'object';
  return 'unknown';
}

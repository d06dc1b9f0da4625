import type { z } from 'zod';
import type { ApiRequest } from '../cluvio/api-client.js';
import { toDocument, type Relationship } from '../cluvio/jsonapi.js';
import { TOOL_ONLY } from './shared.js';
import { isLocal, type Operation } from './types.js';

const PLACEHOLDER = /\{([a-z_]+)\}/g;

export function routeParts(route: string): { method: string; path: string; params: string[] } {
  const [method = '', path = ''] = route.split(' ');
  return { method, path, params: [...path.matchAll(PLACEHOLDER)].map((m) => m[1] as string) };
}

/** Whether a request of this operation may be sent again after a failure that might have reached Cluvio. */
export function isIdempotent(op: Operation): boolean {
  return op.idempotent ?? routeParts(op.route).method !== 'POST';
}

/** Tool arguments → the HTTP request: path parameters, query parameters, JSON or JSON:API body. */
export function buildRequest(
  op: Operation,
  args: Record<string, unknown>,
  extra: { query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal; queueSignal?: AbortSignal } = {},
): ApiRequest {
  if (isLocal(op)) throw new Error(`${op.id} is this server's own operation: it sends no request of its own`);
  const { method, path, params } = routeParts(op.route);
  const shape = op.request ?? {};
  // Arguments the tool uses itself (paging, waiting, row caps) never reach Cluvio.
  const toolOnly = Object.entries(op.input.shape).filter(([, schema]) => TOOL_ONLY.has(schema as z.ZodType)).map(([name]) => name);
  const used = new Set<string>([...params, ...toolOnly]);
  const filled = path.replace(PLACEHOLDER, (_, name: string) => pathSegment(op.id, name, args[name]));

  const query: Record<string, string | number | boolean | undefined> = { ...extra.query };
  const sendsAllAsQuery = method === 'GET' || method === 'DELETE';
  for (const name of shape.query ?? []) {
    used.add(name);
    query[name] = scalar(args[name]);
  }

  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) if (!used.has(k) && v !== undefined) rest[k] = v;

  let body: unknown;
  if (shape.body === 'json') body = rest;
  else if (shape.body === 'jsonapi') {
    const attributes: Record<string, unknown> = {};
    const relationships: Record<string, { rel: Relationship; ids: string | string[] | null }> = {};
    for (const [k, v] of Object.entries(rest)) {
      const rel = shape.relationships?.[k];
      if (rel) relationships[rel.name] = { rel, ids: v as string | string[] | null };
      else attributes[k] = v;
    }
    const resourceId = method === 'PATCH' && typeof args.id === 'string' ? args.id : undefined;
    body = toDocument(shape.resourceType ?? 'unknown', attributes, relationships, resourceId);
  } else if (sendsAllAsQuery) {
    for (const [k, v] of Object.entries(rest)) query[k] = scalar(v);
  }

  return {
    operation: op.id,
    method,
    path: filled,
    query,
    body,
    bodyType: shape.body,
    idempotent: isIdempotent(op),
    signal: extra.signal,
    ...(extra.queueSignal ? { queueSignal: extra.queueSignal } : {}),
  };
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with the u flag, only unpaired surrogates match

/**
 * One path parameter, percent-encoded. Empty, "." and ".." are refused: encoding leaves dots alone and
 * the URL parser resolves dot segments, so `{id}` = ".." would send the request to another route
 * (DELETE /datasources/.. → DELETE /).
 */
function pathSegment(operation: string, name: string, value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  if (text === '' || text === '.' || text === '..') {
    throw new InvalidPathParameterError(`${operation}: path parameter ${name} cannot be ${JSON.stringify(text)}`);
  }
  // A lone UTF-16 surrogate cannot be percent-encoded (encodeURIComponent throws "URI malformed").
  if (LONE_SURROGATE.test(text)) {
    throw new InvalidPathParameterError(`${operation}: path parameter ${name} is not well-formed Unicode (it holds a lone surrogate)`);
  }
  return encodeURIComponent(text);
}

export class InvalidPathParameterError extends Error {
  override name = 'InvalidPathParameterError';
}

function scalar(v: unknown): string | number | boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.join(',');
  return typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
}

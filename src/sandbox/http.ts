/**
 * Shared HTTP plumbing for the sandbox servers: a route table with `:param` patterns, JSON /
 * JSON:API responses, the reference's error shape, reading bodies (validating them: validate.ts).
 *
 * Adding an API route = one more `Route` entry (method, pattern, handler) in a route module.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSONAPI = 'application/vnd.api+json';
export const JSON_TYPE = 'application/json';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when the request had none). Malformed JSON is rejected with 400 first. */
  body: unknown;
}

/** What a handler returns; `undefined` means the handler wrote the response itself. */
export type HandlerResult =
  | { status: number; body?: unknown; type?: 'jsonapi' | 'json'; headers?: Record<string, string> }
  | undefined;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** e.g. `/datasources/:id/test_connection` */
  path: string;
  /** Skip the `Authorization: Api` check (loopback test hooks only). */
  public?: boolean;
  handler: (ctx: RequestContext) => HandlerResult | Promise<HandlerResult>;
}

/** An error answered in the reference's shape: `{"errors":[{"code":"422","detail":"…"}]}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id: string): ApiError => new ApiError(404, `${what} ${id} not found`);
export const unprocessable = (detail: string): ApiError => new ApiError(422, detail);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function errorBody(status: number, detail: string): unknown {
  return { errors: [{ code: String(status), status: String(status), title: TITLES[status] ?? 'Error', detail }] };
}

export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  type: 'jsonapi' | 'json' = 'json',
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (body === undefined || status === 204) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `${type === 'jsonapi' ? JSONAPI : JSON_TYPE}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError, type: 'jsonapi' | 'json' = 'jsonapi'): void {
  send(res, err.status, errorBody(err.status, err.message), type, err.headers);
}

const MAX_BODY = 10 * 1024 * 1024;

/** The request body as bytes (413 beyond 10 MB). */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ApiError(413, 'request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A body read with readRawBody → parsed JSON (undefined when empty; 400 when malformed). */
export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, `malformed JSON in request body: ${(e as Error).message}`);
  }
}

interface CompiledRoute extends Route {
  segments: string[];
}

/** A route served somewhere else than where the sandbox defines it (`POST /_sandbox/routes`). */
export interface MovedRoute {
  from: string;
  to: string;
}

const ROUTE_TEXT = /^(GET|POST|PATCH|PUT|DELETE) (\/[A-Za-z0-9_\-./:]*)$/;
const paramsOf = (path: string): string => path.split('/').filter((s) => s.startsWith(':')).sort().join(',');

export class Router {
  private readonly routes: CompiledRoute[] = [];
  /** Routes served elsewhere, with where they came from (in the order they were moved). */
  private readonly moved: Array<{ route: CompiledRoute; from: Pick<Route, 'method' | 'path'> }> = [];

  add(...routes: Route[]): this {
    for (const r of routes) this.routes.push({ ...r, segments: r.path.split('/').filter(Boolean) });
    return this;
  }

  /**
   * Serves the route `from` ("METHOD /pattern/:param") at `to` instead, keeping its parameters, so a client can be
   * tested against a Cluvio whose route differs from ours. The old place then answers as every unknown route does
   * (404 "no route for …", or 405 where another method is served at that path). Test hooks cannot be moved.
   */
  move(from: string, to: string): MovedRoute {
    const [f, t] = [ROUTE_TEXT.exec(from), ROUTE_TEXT.exec(to)];
    if (!f || !t) throw unprocessable('"from" and "to" must be "METHOD /path" with :params, e.g. "GET /datasources/:id/schema"');
    const route = this.routes.find((r) => r.method === f[1] && r.path === f[2] && !r.path.startsWith('/_sandbox/'));
    if (!route) throw unprocessable(`no route ${from} to move (see the route modules for the patterns)`);
    if (paramsOf(f[2]!) !== paramsOf(t[2]!)) throw unprocessable(`"to" must keep the parameters of ${from}`);
    const taken = this.match(t[1]!, t[2]!.replace(/:[^/]+/g, 'x'));
    if ('route' in taken && taken.route !== route) throw unprocessable(`${to} is already served`);
    if (!this.moved.some((m) => m.route === route)) this.moved.push({ route, from: { method: route.method, path: route.path } });
    Object.assign(route, { method: t[1] as Route['method'], path: t[2]!, segments: t[2]!.split('/').filter(Boolean) });
    return { from, to };
  }

  /** The routes served elsewhere now. */
  moves(): MovedRoute[] {
    return this.moved.map((m) => ({ from: `${m.from.method} ${m.from.path}`, to: `${m.route.method} ${m.route.path}` }));
  }

  /** Every moved route back where the sandbox defines it. */
  restore(): void {
    for (const m of this.moved.splice(0)) Object.assign(m.route, { ...m.from, segments: m.from.path.split('/').filter(Boolean) });
  }

  /** Find the route for a method and path; `allowed` lists methods that match the path otherwise. */
  match(method: string, pathname: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } {
    const parts = pathname.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(part);
        else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (r.method === method) return { route: r, params };
      allowed.push(r.method);
    }
    return { allowed };
  }
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

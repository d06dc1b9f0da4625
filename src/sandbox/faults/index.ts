/**
 * Fault injection for the sandbox (test hooks, driven through `/_sandbox/faults`).
 *
 * A rule names a method (optional), a path pattern and a fault, and applies to the next `times`
 * matching requests (default 1). Path patterns: segments match literally, `:name` or `*` match any
 * one segment, a trailing `**` matches any rest (zero or more segments) — so `/datasources/:id`
 * is a pattern and `/results/**` a prefix. A rule matches requests on the API server and the data
 * server unless `server` restricts it (data keys look like `/results/<execution>/<hex>` or
 * `/schemas/…`, which no API route uses).
 *
 * Faults:
 * - `429` (with `Retry-After`, default 1 s), `500`, `502`, `503`, `504`: JSON:API error bodies;
 * - `403`: the answer to an API key that lacks the operation's permission;
 * - `slow`: wait `delay_ms` (default 5000) then answer normally;
 * - `drop`: write the headers and part of a body, then destroy the socket;
 * - `malformed`: HTTP 200 with a truncated, unparseable JSON body;
 * - `expired_token`: the data server's 401 for an expired data access token (data server only);
 * - `internal_error`, `timed_out`, `internal_timeout`: the next execution(s) started by a matching
 *   request end with that status instead of running (the path defaults to any request);
 * - `slow_query`: the next execution(s) started by a matching request stay `running` for `delay_ms`
 *   (default 5000) before their query runs — a long query that does not hold the SQL engine.
 *
 * `delay_ms` also delays any other fault. Requests are counted per server and method + route
 * pattern (`GET /_sandbox/requests`), whether or not a fault hit them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, JSONAPI, JSON_TYPE, unprocessable } from '../http.js';
import type { ExecutionStatus } from '../state.js';

export const HTTP_FAULTS = ['403', '429', '500', '502', '503', '504', 'slow', 'drop', 'malformed', 'expired_token'] as const;
export const EXECUTION_FAULTS = ['internal_error', 'timed_out', 'internal_timeout', 'slow_query'] as const;
/** What an execution fault does to a new execution: end with another status, or run late. */
export type ExecutionPlan = { status: ExecutionStatus; message: string } | { holdMs: number };
export type FaultKind = (typeof HTTP_FAULTS)[number] | (typeof EXECUTION_FAULTS)[number];
export type ServerName = 'api' | 'data';

export interface FaultRule {
  id: number;
  method: string | null;
  path: string;
  server: ServerName | null;
  fault: FaultKind;
  /** Requests (or executions) it applies to in all. */
  times: number;
  /** How many times it applied so far. */
  fired: number;
  retry_after: number | null;
  delay_ms: number | null;
}

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
const MAX_DELAY_MS = 120_000;

/** Does `pathname` match a rule pattern (`:x` / `*` = one segment, trailing `**` = any rest)? */
export function pathMatches(pattern: string, pathname: string): boolean {
  const pat = pattern.split('/').filter(Boolean);
  const parts = pathname.split('/').filter(Boolean);
  for (let i = 0; i < pat.length; i++) {
    const seg = pat[i] as string;
    if (seg === '**' && i === pat.length - 1) return true;
    const part = parts[i];
    if (part === undefined) return false;
    if (seg === '*' || seg.startsWith(':')) continue;
    if (seg !== part) return false;
  }
  return pat.length === parts.length;
}

function isExecutionFault(f: FaultKind): f is (typeof EXECUTION_FAULTS)[number] {
  return (EXECUTION_FAULTS as readonly string[]).includes(f);
}

/** Validate a POSTed rule body; 422 naming what is wrong. */
export function parseRule(body: unknown, id: number): FaultRule {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unprocessable('fault rule must be a JSON object');
  const b = body as Record<string, unknown>;
  const keys = ['method', 'path', 'server', 'fault', 'times', 'retry_after', 'delay_ms'];
  for (const k of Object.keys(b)) if (!keys.includes(k)) throw unprocessable(`unknown member "${k}" (accepted: ${keys.join(', ')})`);
  const allFaults: readonly string[] = [...HTTP_FAULTS, ...EXECUTION_FAULTS];
  const fault = typeof b['fault'] === 'number' ? String(b['fault']) : b['fault'];
  if (typeof fault !== 'string' || !allFaults.includes(fault)) throw unprocessable(`"fault" must be one of ${allFaults.join(', ')}`);
  const kind = fault as FaultKind;
  let path = b['path'];
  if (path === undefined && isExecutionFault(kind)) path = '/**';
  if (typeof path !== 'string' || !path.startsWith('/')) throw unprocessable('"path" is required and must start with "/" (pattern with :param or *, or a prefix ending in /**)');
  const method = b['method'];
  if (method !== undefined && method !== null && (typeof method !== 'string' || !METHODS.includes(method.toUpperCase()))) {
    throw unprocessable(`"method" must be one of ${METHODS.join(', ')}`);
  }
  const server = b['server'];
  if (server !== undefined && server !== null && server !== 'api' && server !== 'data') throw unprocessable('"server" must be "api" or "data"');
  if (kind === 'expired_token' && server === 'api') throw unprocessable('"expired_token" applies to the data server only');
  const int = (k: string, min: number, max: number): number | null => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw unprocessable(`"${k}" must be an integer from ${min} to ${max}`);
    return v;
  };
  return {
    id,
    method: typeof method === 'string' ? method.toUpperCase() : null,
    path,
    server: kind === 'expired_token' ? 'data' : ((server as ServerName | null | undefined) ?? null),
    fault: kind,
    times: int('times', 1, 1_000_000) ?? 1,
    fired: 0,
    retry_after: int('retry_after', 0, 3600),
    delay_ms: int('delay_ms', 0, MAX_DELAY_MS),
  };
}

/** What the API dispatcher knows about the request being handled (for execution faults). */
interface RequestScope {
  method: string;
  path: string;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly counts = { api: new Map<string, number>(), data: new Map<string, number>() };
  private readonly scope = new AsyncLocalStorage<RequestScope>();
  private readonly timers = new Set<NodeJS.Timeout>();

  add(body: unknown): FaultRule {
    const rule = parseRule(body, this.nextId++);
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** Count a request under `METHOD pattern` (the route's pattern on the API server; first segment + `/**` on the data server). */
  count(server: ServerName, method: string, pattern: string): void {
    const key = `${method} ${pattern}`;
    const m = this.counts[server];
    m.set(key, (m.get(key) ?? 0) + 1);
  }

  requestCounts(): { api: Record<string, number>; data: Record<string, number> } {
    return { api: Object.fromEntries(this.counts.api), data: Object.fromEntries(this.counts.data) };
  }

  resetCounts(): void {
    this.counts.api.clear();
    this.counts.data.clear();
  }

  /** Run `fn` (an API request's handling) so that executions it creates can find their request. */
  within<T>(method: string, path: string, fn: () => T): T {
    return this.scope.run({ method, path }, fn);
  }

  /** Take the first live rule matching a request, counting it as fired. */
  private take(server: ServerName, method: string, path: string, kinds: (f: FaultKind) => boolean): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.fired < r.times &&
        kinds(r.fault) &&
        (r.server === null || r.server === server) &&
        (r.method === null || r.method === method) &&
        pathMatches(r.path, path),
    );
    if (rule !== undefined) rule.fired++;
    return rule;
  }

  /**
   * Apply an HTTP fault to a request if a rule matches. Returns true when the fault answered (or
   * dropped) the request itself; false when the request should be handled normally (no rule, or
   * a `slow` rule whose delay is over).
   */
  async apply(server: ServerName, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const method = req.method ?? 'GET';
    const rule = this.take(server, method, pathname, (f) => !isExecutionFault(f));
    if (rule === undefined) return false;
    const delay = rule.delay_ms ?? (rule.fault === 'slow' ? 5_000 : 0);
    if (delay > 0) await this.sleep(delay);
    // A slow request is carried out even if the client gave up meanwhile, as a real server would.
    if (rule.fault === 'slow') return false;
    if (res.destroyed) return true;
    const type = server === 'data' ? JSON_TYPE : JSONAPI;
    const error = (status: number, detail: string, headers: Record<string, string> = {}): true => {
      const text = JSON.stringify(errorBody(status, detail));
      res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
      return true;
    };
    const retryAfter: Record<string, string> = rule.retry_after !== null ? { 'retry-after': String(rule.retry_after) } : {};
    switch (rule.fault) {
      case '403':
        return error(403, 'the API key lacks the permission for this operation (sandbox fault)');
      case '429':
        return error(429, 'rate limit exceeded (sandbox fault)', { 'retry-after': String(rule.retry_after ?? 1) });
      case '500':
        return error(500, 'internal server error (sandbox fault)', retryAfter);
      case '502':
        return error(502, 'bad gateway (sandbox fault)', retryAfter);
      case '503':
        return error(503, 'service unavailable (sandbox fault)', retryAfter);
      case '504':
        return error(504, 'gateway timeout (sandbox fault)', retryAfter);
      case 'expired_token':
        return error(401, 'data access token expired');
      case 'malformed': {
        const text = '{"data":{"id":"sandbox-fault","type":"broken","attributes":{"name":"trunc';
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
        return true;
      }
      case 'drop': {
        // Promise a longer body than is ever sent, flush part of it, then cut the connection.
        const part = server === 'data' ? '{"fields":[{"idx":0,"name":"dropped","data_type":"Text"}],"rows":[["a"],' : '{"data":{"id":"sandbox-fault","type":"dropped","attributes":{';
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': '65536' });
        res.write(part, () => {
          const t = setTimeout(() => {
            this.timers.delete(t);
            res.socket?.destroy();
            res.destroy();
          }, 20);
          this.timers.add(t);
        });
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * For a newly created execution: the status it must end with, if an execution-fault rule matches
   * the API request that created it (or any request, for rules on `/**`).
   */
  executionOutcome(): ExecutionPlan | undefined {
    const scope = this.scope.getStore();
    const rule = this.take('api', scope?.method ?? 'POST', scope?.path ?? '/', isExecutionFault);
    if (rule === undefined) return undefined;
    if (rule.fault === 'slow_query') return { holdMs: rule.delay_ms ?? 5_000 };
    const messages: Record<string, string> = {
      internal_error: 'internal error while running the query (sandbox fault)',
      timed_out: 'the query exceeded the datasource time limit (sandbox fault)',
      internal_timeout: 'internal timeout while running the query (sandbox fault)',
    };
    return { status: rule.fault as ExecutionStatus, message: messages[rule.fault] ?? rule.fault };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** The data server's counting pattern for a path: its first segment plus `/**`. */
export function dataPattern(pathname: string): string {
  const first = pathname.split('/').filter(Boolean)[0];
  return first === undefined ? '/' : `/${first}/**`;
}

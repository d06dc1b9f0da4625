import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { headerText, LazyAgent, resolveDispatcher, undici, type AnyDispatcher } from './undici.js';
import type { Logger } from '../logger.js';
import { CluvioApiError, CluvioNetworkError, errorDetails } from './errors.js';
import type { Limiter } from './limiter.js';
import { noMetrics, type Metrics } from '../metrics/recorder.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUS, sleep, type RetryPolicy } from './retry.js';

export interface ApiRequest {
  /** Operation id, for errors and logs. */
  operation: string;
  method: string;
  /** Path with parameters already substituted and encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** `jsonapi` sends application/vnd.api+json, `json` application/json. */
  bodyType?: 'jsonapi' | 'json';
  /** Safe to send again after a failure that may have reached the server. */
  idempotent: boolean;
  signal?: AbortSignal;
  /**
   * Aborts only while the request waits for a slot (default: `signal`). A request that starts work in Cluvio
   * passes the call's signal here and none as `signal`: cancelled in the queue, it is never sent; once sent,
   * it runs to its answer, which says what to cancel.
   */
  queueSignal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
  /** The Content-Type header, when there was one. */
  contentType?: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  logger: Logger;
  retry?: RetryPolicy;
  dispatcher?: AnyDispatcher;
  /**
   * Caps requests in flight to Cluvio; each attempt waits for a slot (first come, first served) and
   * frees it when its answer is read or it fails. Waiting between retries holds no slot.
   */
  limiter?: Limiter;
  /** Counts each request sent (by operation and status) and each retry. */
  metrics?: Metrics;
}

/** Connection failures that prove the request never reached the server, so any method may be retried. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function sharedAgent(): LazyAgent {
  return new LazyAgent({ keepAliveTimeout: 10_000, connections: 64 });
}

/** The Cluvio API server: `Authorization: Api <secret>`, JSON:API or JSON bodies, retries, timeouts. */
export class ApiClient {
  private readonly retry: RetryPolicy;
  private readonly dispatcher: AnyDispatcher;
  private readonly authorization: string;
  private readonly metrics: Metrics;
  /** Stands for the API key (two clients with the same key have the same id) without holding the secret. */
  readonly keyId: string;

  constructor(private readonly opts: ApiClientOptions) {
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.dispatcher = opts.dispatcher ?? sharedAgent();
    this.authorization = `Api ${opts.apiKey}`;
    this.metrics = opts.metrics ?? noMetrics;
    this.keyId = createHash('sha256').update(opts.apiKey).digest('hex').slice(0, 16);
  }

  /** The same server, connection pool and concurrency cap with another API key (per-user keys over HTTP). */
  withApiKey(apiKey: string): ApiClient {
    return new ApiClient({ ...this.opts, apiKey, retry: this.retry, dispatcher: this.dispatcher });
  }

  async send(req: ApiRequest): Promise<ApiResponse> {
    const url = this.url(req);
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.retry.maxAttempts;
      const queuedAt = performance.now();
      let started = queuedAt;
      // Success is tracked apart from the error: an abort reason need not be an Error (a client's
      // cancellation reason is often a string) and must never pass for an answer.
      let outcome: { ok: true; res: ApiResponse } | { ok: false; thrown: unknown };
      let release: (() => void) | undefined;
      let queued = true;
      try {
        // An abort while queued rejects here with the signal's reason and leaves the queue.
        release = await this.opts.limiter?.acquire(req.queueSignal ?? req.signal);
        queued = false;
        started = performance.now();
        outcome = { ok: true, res: await this.once(url, req) };
      } catch (thrown) {
        outcome = { ok: false, thrown };
      } finally {
        release?.();
      }
      const ms = Math.round(performance.now() - started);
      const queuedMs = Math.round(started - queuedAt);
      const timing = queuedMs > 0 ? { ms, queuedMs } : { ms };
      // Sent unless it was still waiting for a slot when it failed.
      if (!queued) this.metrics.upstream('api', req.method, req.operation, outcome.ok ? outcome.res.status : outcome.thrown);
      if (outcome.ok) {
        this.opts.logger.debug({ op: req.operation, method: req.method, path: req.path, status: outcome.res.status, ...timing }, 'cluvio api');
        return outcome.res;
      }
      if (req.signal?.aborted) throw req.signal.reason;
      if (queued && req.queueSignal?.aborted) throw req.queueSignal.reason;
      const err = outcome.thrown instanceof Error ? outcome.thrown : new Error(String(outcome.thrown));
      const wait = this.retryDelay(err, req, attempt);
      this.opts.logger.debug(
        { op: req.operation, method: req.method, path: req.path, ...timing, error: err.message, retryInMs: last ? undefined : wait },
        'cluvio api failed',
      );
      if (last || wait === undefined) {
        if (!req.idempotent && this.mayHaveArrived(err)) (err as CluvioApiError | CluvioNetworkError).outcomeUnknown = true;
        throw err;
      }
      this.metrics.retry('api', err);
      await sleep(wait, req.signal);
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when this failure must not be retried. */
  private retryDelay(err: Error, req: ApiRequest, attempt: number): number | undefined {
    if (err instanceof CluvioApiError) {
      if (!RETRYABLE_STATUS.has(err.status)) return undefined;
      // A 429 was refused before any work was done, so it is safe to repeat for every method.
      if (!req.idempotent && err.status !== 429) return undefined;
      if (err.retryAfterMs !== undefined) return err.retryAfterMs <= this.retry.maxRetryAfterMs ? err.retryAfterMs : undefined;
      return backoffDelay(attempt, this.retry);
    }
    if (err instanceof CluvioNetworkError) {
      const notSent = err.kind === 'connection' && NOT_SENT.has((err.cause as { code?: string } | undefined)?.code ?? '');
      return req.idempotent || notSent ? backoffDelay(attempt, this.retry) : undefined;
    }
    return undefined;
  }

  /** Could the request have been carried out although it failed? (timeout, a connection dropped after sending, an unreadable answer, 502/504 from a gateway) */
  private mayHaveArrived(err: Error): boolean {
    if (err instanceof CluvioApiError) return err.status === 502 || err.status === 504;
    if (err instanceof CluvioNetworkError) {
      return err.kind !== 'connection' || !NOT_SENT.has((err.cause as { code?: string } | undefined)?.code ?? '');
    }
    return false;
  }

  private url(req: ApiRequest): string {
    let url = this.opts.baseUrl + req.path;
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
    return url;
  }

  private async once(url: string, req: ApiRequest): Promise<ApiResponse> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/vnd.api+json, application/json',
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = req.bodyType === 'jsonapi' ? 'application/vnd.api+json' : 'application/json';
    }
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      const { request } = await undici();
      res = await request(url, { method: req.method as Dispatcher.HttpMethod, headers, body, signal, dispatcher: await resolveDispatcher(this.dispatcher) });
      text = await res.body.text();
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timeout.aborted) {
        throw new CluvioNetworkError(`no answer from Cluvio within ${this.opts.timeoutMs} ms`, req.operation, 'timeout');
      }
      throw new CluvioNetworkError(networkMessage(err), req.operation, 'connection', { cause: err });
    }
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 400) {
          throw new CluvioNetworkError(`Cluvio answered HTTP ${res.statusCode} with a body that is not valid JSON`, req.operation, 'malformed');
        }
      }
    }
    const contentType = headerText(res.headers['content-type']);
    if (res.statusCode >= 400) {
      throw new CluvioApiError(res.statusCode, errorDetails(parsed, text), req.operation, parseRetryAfter(res.headers['retry-after']), contentType);
    }
    return { status: res.statusCode, body: parsed, ...(contentType ? { contentType } : {}) };
  }
}

function networkMessage(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'UND_ERR_SOCKET') return `connection to Cluvio dropped (${e.message})`;
  return `cannot reach Cluvio: ${e.code ?? ''} ${e.message ?? String(err)}`.replace(/\s+/g, ' ').trim();
}


import type { Dispatcher } from 'undici';
import { headerText, resolveDispatcher, undici, type AnyDispatcher } from './undici.js';
import type { Logger } from '../logger.js';
import { CluvioApiError, CluvioNetworkError, errorDetails } from './errors.js';
import type { Limiter } from './limiter.js';
import type { Metrics } from '../metrics/recorder.js';
import { MalformedResultError, readResultPage, type ResultPage, type ResultPageOptions } from './result-stream.js';

/** A data key and its short-lived token, as Cluvio's API server hands them out. */
export interface DataGrant {
  data_key: string;
  data_access_token: string;
}

export class InvalidDataKeyError extends Error {
  override name = 'InvalidDataKeyError';
}

/**
 * A data key is a path with `/` that is sent unencoded, so it must not be able to leave the data
 * server: no `..` segment (also percent-encoded), no scheme, no leading `//`, no control characters,
 * no backslash, query or fragment.
 */
export function validateDataKey(key: string): string {
  const fail = (why: string): never => {
    throw new InvalidDataKeyError(`refused data key: ${why}`);
  };
  if (typeof key !== 'string' || key.length === 0) fail('empty');
  if (key.length > 2048) fail('too long');
  if (/^[a-z][a-z0-9+.-]*:/i.test(key)) fail('a URL scheme');
  if (key.startsWith('//')) fail('a leading //');
  if (/%2f|%5c/i.test(key)) fail('an encoded slash or backslash');
  let decoded = '';
  try {
    decoded = decodeURIComponent(key);
  } catch {
    fail('bad percent-encoding');
  }
  if (/[\u0000-\u001f\u007f]/.test(decoded)) fail('control characters');
  if (/[\\?#\s]/.test(decoded)) fail('a backslash, query, fragment or whitespace');
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) fail('a dot segment');
  return key.replace(/^\/+/, '');
}

export interface DataClientOptions {
  baseUrl: string;
  timeoutMs: number;
  logger: Logger;
  dispatcher: AnyDispatcher;
  /** Caps requests in flight (shared with the API client); a slot is held until the body is read or dropped. */
  limiter?: Limiter;
  /** Counts each request sent, by operation and status. */
  metrics?: Metrics;
}

/** The Cluvio data server: `Authorization: Data <token>`, one GET per data key. */
export class DataClient {
  constructor(private readonly opts: DataClientOptions) {}

  /** Whole JSON document (schema data: small). */
  async getJson(grant: DataGrant, operation: string, signal?: AbortSignal): Promise<unknown> {
    return (await this.getDocument(grant, operation, signal)).body;
  }

  /** Whole JSON document with the answer's status and Content-Type (for `cluvio-mcp check`). */
  async getDocument(grant: DataGrant, operation: string, signal?: AbortSignal): Promise<{ status: number; contentType?: string; body: unknown }> {
    return this.limited(signal, () => this.readJson(grant, operation, signal));
  }

  /** One page of result rows, parsed while the body streams in. */
  async getResultPage(grant: DataGrant, page: ResultPageOptions, operation: string, signal?: AbortSignal): Promise<ResultPage> {
    return this.limited(signal, () => this.readResultPage(grant, page, operation, signal));
  }

  /** Text (CSV) up to `maxChars`; `cut` says whether more followed. */
  async getText(grant: DataGrant, maxChars: number, operation: string, signal?: AbortSignal): Promise<{ text: string; cut: boolean }> {
    return this.limited(signal, () => this.readText(grant, maxChars, operation, signal));
  }

  /** Holds a slot of the shared limiter (if any) for the whole read: request, status and body. */
  private async limited<T>(signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
    return this.opts.limiter ? this.opts.limiter.run(read, signal) : read();
  }

  private async readJson(grant: DataGrant, operation: string, signal?: AbortSignal): Promise<{ status: number; contentType?: string; body: unknown }> {
    const { res, failure } = await this.open(grant, operation, signal);
    const contentType = headerText(res.headers['content-type']);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw failure(err);
    }
    try {
      return { status: res.statusCode, ...(contentType ? { contentType } : {}), body: JSON.parse(text) as unknown };
    } catch {
      throw new CluvioNetworkError('the data server answered with a body that is not valid JSON', operation, 'malformed');
    }
  }

  private async readResultPage(grant: DataGrant, page: ResultPageOptions, operation: string, signal?: AbortSignal): Promise<ResultPage> {
    const { res, failure } = await this.open(grant, operation, signal);
    try {
      return await readResultPage(res.body, page);
    } catch (err) {
      throw err instanceof MalformedResultError ? err : failure(err);
    } finally {
      res.body.destroy();
    }
  }

  private async readText(grant: DataGrant, maxChars: number, operation: string, signal?: AbortSignal): Promise<{ text: string; cut: boolean }> {
    const { res, failure } = await this.open(grant, operation, signal);
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of res.body) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        if (text.length > maxChars) return { text: text.slice(0, maxChars), cut: true };
      }
      return { text: text + decoder.decode(), cut: false };
    } catch (err) {
      throw failure(err);
    } finally {
      res.body.destroy();
    }
  }

  /**
   * Sends the GET and checks the status. `failure` turns an error met later, while the body is read,
   * into what the caller should see: the abort reason, a timeout, or a dropped connection.
   */
  private async open(
    grant: DataGrant,
    operation: string,
    signal?: AbortSignal,
  ): Promise<{ res: Dispatcher.ResponseData; failure: (err: unknown) => unknown }> {
    const key = validateDataKey(grant.data_key);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Dispatcher.ResponseData;
    try {
      const { request } = await undici();
      res = await request(`${this.opts.baseUrl}/${key}`, {
        method: 'GET',
        headers: { authorization: `Data ${grant.data_access_token}`, accept: 'application/json' },
        signal: combined,
        dispatcher: await resolveDispatcher(this.opts.dispatcher),
      });
    } catch (err) {
      const thrown = signal?.aborted
        ? signal.reason
        : timeout.aborted
          ? new CluvioNetworkError(`no answer from the data server within ${this.opts.timeoutMs} ms`, operation, 'timeout')
          : new CluvioNetworkError(`cannot reach the Cluvio data server: ${(err as Error).message}`, operation, 'connection', { cause: err });
      this.opts.metrics?.upstream('data', 'GET', operation, thrown);
      throw thrown;
    }
    this.opts.metrics?.upstream('data', 'GET', operation, res.statusCode);
    const failure = (err: unknown): unknown => {
      if (signal?.aborted) return signal.reason;
      if (timeout.aborted) {
        return new CluvioNetworkError(`the data server did not finish its answer within ${this.opts.timeoutMs} ms`, operation, 'timeout');
      }
      return new CluvioNetworkError(`connection to the Cluvio data server dropped (${(err as Error).message})`, operation, 'connection', { cause: err });
    };
    this.opts.logger.debug({ op: operation, status: res.statusCode }, 'cluvio data');
    if (res.statusCode >= 400) {
      let text: string;
      try {
        text = await res.body.text();
      } catch (err) {
        throw failure(err);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      throw new CluvioApiError(res.statusCode, errorDetails(parsed, text), operation, undefined, headerText(res.headers['content-type']));
    }
    return { res, failure };
  }
}

/** A non-2xx answer from Cluvio, with the `errors[].detail` texts it carried. */
export class CluvioApiError extends Error {
  override name = 'CluvioApiError';
  /** Set by ApiClient when a request not safe to repeat failed in a way that may have left it carried out. */
  outcomeUnknown = false;
  constructor(
    readonly status: number,
    readonly details: string[],
    readonly operation: string,
    readonly retryAfterMs?: number,
    /** The answer's Content-Type: tells an HTML error page (an unknown route, at some servers) from a JSON:API one. */
    readonly contentType?: string,
  ) {
    super(`${operation}: HTTP ${status}${details.length ? ` — ${details.join('; ')}` : ''}`);
  }
}

/** The request never produced an HTTP answer: timeout, refused or dropped connection, unreadable body. */
export class CluvioNetworkError extends Error {
  override name = 'CluvioNetworkError';
  /** Set by ApiClient when a request not safe to repeat failed in a way that may have left it carried out. */
  outcomeUnknown = false;
  constructor(
    message: string,
    readonly operation: string,
    readonly kind: 'timeout' | 'connection' | 'malformed',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Pulls `errors[].detail` (or `title`/`code`) out of a JSON:API error body; falls back to plain text. */
export function errorDetails(body: unknown, rawText: string): string[] {
  if (body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)) {
    const out: string[] = [];
    for (const e of (body as { errors: unknown[] }).errors) {
      if (!e || typeof e !== 'object') continue;
      const { detail, title, code, source } = e as Record<string, unknown>;
      const text = [detail, title, code].find((v) => typeof v === 'string' && v.length > 0) as string | undefined;
      if (!text) continue;
      const pointer = source && typeof source === 'object' ? (source as { pointer?: unknown }).pointer : undefined;
      out.push(typeof pointer === 'string' && !text.includes(pointer.split('/').pop() ?? '\0') ? `${text} (${pointer})` : text);
    }
    if (out.length) return out;
  }
  if (body && typeof body === 'object') {
    const { error, message } = body as Record<string, unknown>;
    const text = [error, message].find((v) => typeof v === 'string' && v.length > 0) as string | undefined;
    if (text) return [text];
  }
  const text = rawText.trim();
  return text && !text.startsWith('<') ? [text.slice(0, 500)] : [];
}

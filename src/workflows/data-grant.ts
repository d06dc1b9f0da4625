import type { DataGrant } from '../cluvio/data-client.js';
import { CluvioApiError, CluvioNetworkError } from '../cluvio/errors.js';
import { MalformedResultError } from '../cluvio/result-stream.js';
import { backoffDelay, DEFAULT_RETRY, RETRYABLE_STATUS, sleep } from '../cluvio/retry.js';
import type { Logger } from '../logger.js';

/**
 * Reads from the data server with a grant from the API server. Reading is safe to repeat: a
 * transient failure (dropped connection, timeout, malformed body, 502/503/504) is retried with a
 * fresh grant and backoff; a token that expired on the way (401) is replaced once.
 * Resolves undefined when Cluvio grants nothing (204: no data).
 */
export async function withDataGrant<T>(
  ctx: { signal?: AbortSignal; logger: Logger },
  what: string,
  getGrant: () => Promise<DataGrant | undefined>,
  use: (grant: DataGrant) => Promise<T>,
): Promise<T | undefined> {
  let refreshed = false;
  for (let attempt = 0; ; attempt++) {
    const grant = await getGrant();
    if (!grant || typeof grant.data_key !== 'string') return undefined;
    try {
      return await use(grant);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      if (!refreshed && err instanceof CluvioApiError && err.status === 401) {
        refreshed = true;
        continue;
      }
      const transient =
        err instanceof CluvioNetworkError || err instanceof MalformedResultError || (err instanceof CluvioApiError && RETRYABLE_STATUS.has(err.status));
      if (!transient || attempt + 1 >= DEFAULT_RETRY.maxAttempts) throw err;
      ctx.logger.debug({ what, error: (err as Error).message, attempt: attempt + 1 }, 'data server read failed; retrying');
      await sleep(backoffDelay(attempt, DEFAULT_RETRY), ctx.signal);
    }
  }
}

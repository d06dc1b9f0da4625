import { CluvioApiError, CluvioNetworkError } from '../cluvio/errors.js';
import { InvalidDataKeyError } from '../cluvio/data-client.js';
import { MalformedResultError } from '../cluvio/result-stream.js';
import { InvalidPathParameterError } from '../operations/request.js';
import { requiredPermission, type Operation } from '../operations/types.js';
import type { ToolOutput } from '../results/output.js';

const NEXT_STEP: Record<number, string> = {
  400: 'Check the arguments against the tool schema and try again.',
  401: 'The Cluvio API key was refused: check CLUVIO_API_KEY and that CLUVIO_REGION (eu/us) matches the account.',
  403: 'The API key lacks the permission for this operation; an admin can grant it under API Keys in Cluvio.',
  404: 'No such object: list the objects to find a valid id.',
  409: 'The object is in a conflicting state; get it again and retry.',
  422: 'Cluvio rejected the request as invalid; fix what the message names and try again.',
  429: 'Cluvio is rate-limiting this API key; wait a little before the next call.',
};

/** For a request not safe to repeat whose outcome is unknown, "try again" could do it twice. */
const CHECK_FIRST =
  'The request may have reached Cluvio and taken effect: check with the matching get or list tool before repeating it, so it is not done twice.';

/**
 * A 403, in the reference's words: the permission the key lacks, and how to start a server that offers only what
 * the key can do (a View key can never change anything).
 */
export function forbiddenAdvice(op: Pick<Operation, 'toolset' | 'access'>): string {
  const fix =
    op.access === 'write'
      ? 'A View key cannot change anything: with one, start the server with --read-only.'
      : `If the key is not meant to read ${op.toolset.replace(/_/g, ' ')}, start the server with --toolsets naming only what it can read (cluvio-mcp check lists them).`;
  return `The API key lacks ${requiredPermission(op)}; an admin can grant it under API Keys in Cluvio. ${fix}`;
}

/** Any failure → a tool error the model can act on: what happened, Cluvio's own words, what to do next. */
export function errorOutput(toolName: string, err: unknown, op?: Pick<Operation, 'toolset' | 'access'>): ToolOutput {
  if ((err instanceof CluvioApiError || err instanceof CluvioNetworkError) && err.outcomeUnknown) {
    const what = err instanceof CluvioApiError ? `Cluvio answered HTTP ${err.status}${err.details.length ? `: ${err.details.join('; ')}` : ''}` : err.message;
    return { text: `${toolName} failed — ${what}. ${CHECK_FIRST}`, isError: true };
  }
  if (err instanceof CluvioApiError) {
    const next = err.status === 403 && op ? forbiddenAdvice(op) : (NEXT_STEP[err.status] ?? (err.status >= 500 ? 'Cluvio had a server-side problem; try again in a moment.' : 'Check the arguments and try again.'));
    const retry = err.retryAfterMs !== undefined ? ` Retry after ${Math.ceil(err.retryAfterMs / 1000)} s.` : '';
    const detail = err.details.length ? `: ${err.details.join('; ')}` : '';
    return {
      text: `${toolName} failed — Cluvio answered HTTP ${err.status}${detail}. ${next}${retry}`,
      isError: true,
    };
  }
  if (err instanceof CluvioNetworkError) {
    const next =
      err.kind === 'timeout'
        ? 'Cluvio did not answer in time; try again, or raise CLUVIO_TIMEOUT_MS.'
        : err.kind === 'malformed'
          ? 'Cluvio sent an unreadable answer; try again in a moment.'
          : 'Check the network and CLUVIO_API_URL / CLUVIO_REGION, then try again.';
    return { text: `${toolName} failed — ${err.message}. ${next}`, isError: true };
  }
  if (err instanceof InvalidPathParameterError) {
    return { text: `${toolName} refused: ${err.message}. Pass the object's id as listed by the matching list tool.`, isError: true };
  }
  if (err instanceof MalformedResultError || err instanceof InvalidDataKeyError) {
    return { text: `${toolName} failed — ${err.message}. Try again; if it persists, report it.`, isError: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { text: `${toolName} failed unexpectedly: ${message}`, isError: true };
}

import { CluvioApiError, CluvioNetworkError } from '../cluvio/errors.js';

/** How a tool call ended. */
export type ToolOutcome = 'ok' | 'tool_error' | 'invalid_arguments' | 'cancelled' | 'refused' | 'confirmation_requested';
/** Cluvio's API server or its data server. */
export type UpstreamServer = 'api' | 'data';
/** The process's two limiters: requests to Cluvio, and run_execution queries running in Cluvio. */
export type QueueName = 'requests' | 'queries';
/** The protocol era a per-request server was built for. */
export type Era = 'legacy' | 'modern';

/** Live values read at scrape time (nothing is recorded for them on the hot path). */
export interface GaugeSources {
  requestsInFlight: () => number;
  requestsWaiting: () => number;
  queriesInFlight: () => number;
  queriesWaiting: () => number;
  sessionsOpen: () => number;
}

/**
 * What the server records for Prometheus. Labels are bounded by construction: tool names and operation ids come
 * from the catalog, never from a request; no ids, SQL, paths or keys. `noMetrics` when metrics are off.
 */
export interface Metrics {
  readonly enabled: boolean;
  /** Starts a tool call's clock; the function it returns records the call's outcome and duration. */
  toolCall(tool: string): (outcome: ToolOutcome) => void;
  /** A call refused because its arguments did not validate (it never ran, so it has no duration). */
  invalidArguments(tool: string): void;
  /** One request sent to Cluvio (each attempt of a retried one): its HTTP status, or what it failed with. */
  upstream(server: UpstreamServer, method: string, operation: string, answer: number | unknown): void;
  /** A failed request that will be sent again: the failure, as `upstream` labels it. */
  retry(server: UpstreamServer, failure: unknown): void;
  /** Records how long each acquisition of the named limiter waited for its slot, in seconds; undefined when off. */
  queueWait(queue: QueueName): ((seconds: number) => void) | undefined;
  /** A server built for one HTTP request (2026-07-28 traffic; 2025-era traffic with --stateless). */
  perRequestServer(era: Era): void;
  /** Where the gauges read their values. */
  watch(sources: Partial<GaugeSources>): void;
  /** The Prometheus text exposition of everything recorded. */
  render(): Promise<{ contentType: string; text: string }>;
}

const nothing = () => undefined;

/** Metrics off: every hook is a no-op and prom-client is never loaded. */
export const noMetrics: Metrics = {
  enabled: false,
  toolCall: () => nothing,
  invalidArguments: nothing,
  upstream: nothing,
  retry: nothing,
  queueWait: nothing,
  perRequestServer: nothing,
  watch: nothing,
  render: () => Promise.reject(new Error('metrics are off')),
};

/** The `status` label of an upstream request: the HTTP status, or `timeout`, `network_error`, `malformed`, `cancelled`. */
export function upstreamStatus(answer: number | unknown): string {
  if (typeof answer === 'number') return String(answer);
  if (answer instanceof CluvioApiError) return String(answer.status);
  if (answer instanceof CluvioNetworkError) return answer.kind === 'timeout' ? 'timeout' : answer.kind === 'malformed' ? 'malformed' : 'network_error';
  // What a request throws besides those is the abort reason of a cancelled call.
  return 'cancelled';
}

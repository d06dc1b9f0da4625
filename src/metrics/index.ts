import type { Limiter } from '../cluvio/limiter.js';
import { noMetrics, type GaugeSources, type Metrics } from './recorder.js';

export { noMetrics, type Metrics } from './recorder.js';

/** The recorder for this process: Prometheus when metrics are on (prom-client loaded only then), no-ops otherwise. */
export async function loadMetrics(on: boolean): Promise<Metrics> {
  if (!on) return noMetrics;
  const { prometheusMetrics } = await import('./prometheus.js');
  return prometheusMetrics();
}

/** The gauges of the two limiters: requests to Cluvio, and run_execution queries running in Cluvio. */
export function limiterGauges(requests: Limiter, queries: Limiter): Partial<GaugeSources> {
  return {
    requestsInFlight: () => requests.inFlight,
    requestsWaiting: () => requests.queued,
    queriesInFlight: () => queries.inFlight,
    queriesWaiting: () => queries.queued,
  };
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { upstreamStatus, type GaugeSources, type Metrics } from './recorder.js';

/** Tool calls last from a millisecond (a cached read) to minutes (a query that waits up to CLUVIO_MAX_WAIT_SECONDS). */
const CALL_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Mostly no wait at all; under load, a request waits for a slot for milliseconds and a query for as long as others run. */
const WAIT_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600];

/**
 * The Prometheus recorder, on its own registry (never prom-client's global one, which other code in the
 * process could share), with prom-client's default process metrics. Loaded only when metrics are on.
 */
export function prometheusMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const toolCalls = new Counter({ name: 'cluvio_mcp_tool_calls_total', help: 'Tool calls by tool and outcome.', labelNames: ['tool', 'outcome'] as const, registers });
  const toolSeconds = new Histogram({
    name: 'cluvio_mcp_tool_call_duration_seconds',
    help: 'Duration of tool calls that ran (arguments valid), by tool.',
    labelNames: ['tool'] as const,
    buckets: CALL_SECONDS,
    registers,
  });
  const upstream = new Counter({
    name: 'cluvio_mcp_upstream_requests_total',
    help: 'Requests sent to Cluvio (each attempt), by server (api, data), HTTP method, operation and status (HTTP status, timeout, network_error, malformed, cancelled).',
    labelNames: ['server', 'method', 'operation', 'status'] as const,
    registers,
  });
  const retries = new Counter({
    name: 'cluvio_mcp_upstream_retries_total',
    help: 'Failed requests to Cluvio that are sent again, by server and the failure (HTTP status, timeout, network_error, malformed).',
    labelNames: ['server', 'reason'] as const,
    registers,
  });
  const queueWait = new Histogram({
    name: 'cluvio_mcp_queue_wait_seconds',
    help: 'Time waited for a slot: requests (to Cluvio, CLUVIO_MAX_CONCURRENCY) and queries (run_execution queries running in Cluvio).',
    labelNames: ['queue'] as const,
    buckets: WAIT_SECONDS,
    registers,
  });
  const perRequest = new Counter({
    name: 'cluvio_mcp_per_request_servers_total',
    help: 'MCP servers built for a single HTTP request, by protocol era (modern: 2026-07-28; legacy: 2025-era with --stateless).',
    labelNames: ['era'] as const,
    registers,
  });

  const sources: Partial<GaugeSources> = {};
  const gauge = (name: string, help: string, source: keyof GaugeSources) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(sources[source]?.() ?? 0);
      },
    });
  gauge('cluvio_mcp_upstream_requests_in_flight', 'Requests to Cluvio holding a slot now.', 'requestsInFlight');
  gauge('cluvio_mcp_upstream_requests_waiting', 'Requests to Cluvio waiting for a slot now.', 'requestsWaiting');
  gauge('cluvio_mcp_queries_in_flight', 'run_execution queries running in Cluvio now.', 'queriesInFlight');
  gauge('cluvio_mcp_queries_waiting', 'run_execution queries waiting for a slot now.', 'queriesWaiting');
  gauge('cluvio_mcp_sessions_open', 'Open 2025-era sessions (Mcp-Session-Id).', 'sessionsOpen');

  return {
    enabled: true,
    toolCall(tool) {
      const end = toolSeconds.startTimer({ tool });
      return (outcome) => {
        end();
        toolCalls.inc({ tool, outcome });
      };
    },
    invalidArguments: (tool) => toolCalls.inc({ tool, outcome: 'invalid_arguments' }),
    upstream: (server, method, operation, answer) => upstream.inc({ server, method, operation, status: upstreamStatus(answer) }),
    retry: (server, failure) => retries.inc({ server, reason: upstreamStatus(failure) }),
    queueWait(queue) {
      const child = queueWait.labels({ queue });
      return (seconds) => child.observe(seconds);
    },
    perRequestServer: (era) => perRequest.inc({ era }),
    watch: (given) => void Object.assign(sources, given),
    render: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
  };
}

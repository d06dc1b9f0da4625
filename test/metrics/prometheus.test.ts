import { readFileSync } from 'node:fs';
import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CluvioApiError, CluvioNetworkError } from '../../src/cluvio/errors.js';
import { loadMetrics, noMetrics } from '../../src/metrics/index.js';
import { prometheusMetrics } from '../../src/metrics/prometheus.js';
import { upstreamStatus } from '../../src/metrics/recorder.js';
import { parseExposition, seriesOf, valueOf } from './exposition.js';

const scraped = async (m = prometheusMetrics()) => parseExposition((await m.render()).text);

describe('the Prometheus recorder', () => {
  it('counts tool calls by tool and outcome, and times those that ran', async () => {
    const m = prometheusMetrics();
    m.toolCall('get_datasource')('ok');
    m.toolCall('get_datasource')('ok');
    m.toolCall('get_datasource')('tool_error');
    m.toolCall('run_execution')('cancelled');
    m.invalidArguments('get_datasource');
    const e = await scraped(m);
    expect(seriesOf(e, 'cluvio_mcp_tool_calls_total')).toEqual({
      'outcome=ok,tool=get_datasource': 2,
      'outcome=tool_error,tool=get_datasource': 1,
      'outcome=invalid_arguments,tool=get_datasource': 1,
      'outcome=cancelled,tool=run_execution': 1,
    });
    // The refused call never ran: three timed calls of get_datasource, one of run_execution.
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_count', { tool: 'get_datasource' })).toBe(3);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_count', { tool: 'run_execution' })).toBe(1);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_bucket', { tool: 'run_execution', le: '+Inf' })).toBe(1);
    expect(e.types.get('cluvio_mcp_tool_call_duration_seconds')).toBe('histogram');
    expect(e.types.get('cluvio_mcp_tool_calls_total')).toBe('counter');
  });

  it('times a call from toolCall to its outcome', async () => {
    const m = prometheusMetrics();
    const done = m.toolCall('run_execution');
    await new Promise((r) => setTimeout(r, 30));
    done('ok');
    const e = await scraped(m);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_sum', { tool: 'run_execution' })).toBeGreaterThanOrEqual(0.025);
    // Not in the 10 ms bucket, in the 1 s one (a deadline far beyond the 30 ms waited).
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_bucket', { tool: 'run_execution', le: '0.01' })).toBe(0);
    expect(valueOf(e, 'cluvio_mcp_tool_call_duration_seconds_bucket', { tool: 'run_execution', le: '60' })).toBe(1);
  });

  it('labels upstream requests and retries by server, method, operation and status', async () => {
    const m = prometheusMetrics();
    m.upstream('api', 'GET', 'getDatasource', 200);
    m.upstream('api', 'GET', 'getDatasource', new CluvioApiError(404, [], 'getDatasource'));
    m.upstream('api', 'POST', 'runExecution', new CluvioNetworkError('slow', 'runExecution', 'timeout'));
    m.upstream('data', 'GET', 'getResultData', 200);
    m.retry('api', new CluvioApiError(503, [], 'getDatasource'));
    m.retry('api', new CluvioNetworkError('gone', 'getDatasource', 'connection'));
    const e = await scraped(m);
    expect(seriesOf(e, 'cluvio_mcp_upstream_requests_total')).toEqual({
      'method=GET,operation=getDatasource,server=api,status=200': 1,
      'method=GET,operation=getDatasource,server=api,status=404': 1,
      'method=POST,operation=runExecution,server=api,status=timeout': 1,
      'method=GET,operation=getResultData,server=data,status=200': 1,
    });
    expect(seriesOf(e, 'cluvio_mcp_upstream_retries_total')).toEqual({ 'reason=503,server=api': 1, 'reason=network_error,server=api': 1 });
  });

  it('observes queue waits per limiter and counts per-request servers by era', async () => {
    const m = prometheusMetrics();
    const requests = m.queueWait('requests')!;
    requests(0);
    requests(0.2);
    m.queueWait('queries')!(3);
    m.perRequestServer('modern');
    m.perRequestServer('modern');
    m.perRequestServer('legacy');
    const e = await scraped(m);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_count', { queue: 'requests' })).toBe(2);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_bucket', { queue: 'requests', le: '0.001' })).toBe(1);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_sum', { queue: 'requests' })).toBeCloseTo(0.2, 10);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_bucket', { queue: 'queries', le: '1' })).toBe(0);
    expect(valueOf(e, 'cluvio_mcp_queue_wait_seconds_bucket', { queue: 'queries', le: '5' })).toBe(1);
    expect(seriesOf(e, 'cluvio_mcp_per_request_servers_total')).toEqual({ 'era=modern': 2, 'era=legacy': 1 });
  });

  it('reads the gauges at scrape time from what it watches (0 for what it does not)', async () => {
    const m = prometheusMetrics();
    let inFlight = 3;
    m.watch({ requestsInFlight: () => inFlight, queriesInFlight: () => 2 });
    m.watch({ sessionsOpen: () => 5 });
    let e = await scraped(m);
    expect(valueOf(e, 'cluvio_mcp_upstream_requests_in_flight')).toBe(3);
    expect(valueOf(e, 'cluvio_mcp_queries_in_flight')).toBe(2);
    expect(valueOf(e, 'cluvio_mcp_sessions_open')).toBe(5);
    expect(valueOf(e, 'cluvio_mcp_upstream_requests_waiting')).toBe(0);
    expect(valueOf(e, 'cluvio_mcp_queries_waiting')).toBe(0);
    inFlight = 0;
    e = await scraped(m);
    expect(valueOf(e, 'cluvio_mcp_upstream_requests_in_flight')).toBe(0);
  });

  it("includes prom-client's process metrics, on a registry of its own", async () => {
    const a = prometheusMetrics();
    const b = prometheusMetrics();
    a.toolCall('list_reports')('ok');
    const e = await scraped(b);
    expect(valueOf(e, 'cluvio_mcp_tool_calls_total', { tool: 'list_reports', outcome: 'ok' })).toBeUndefined();
    expect(valueOf(e, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect((await globalRegistry.getMetricsAsJSON()).filter((x) => x.name.startsWith('cluvio_mcp_'))).toEqual([]);
  });

  it('serves the text format content type', async () => {
    expect((await prometheusMetrics().render()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

describe('upstreamStatus', () => {
  it('is the HTTP status, or what the request failed with', () => {
    expect(upstreamStatus(204)).toBe('204');
    expect(upstreamStatus(new CluvioApiError(429, [], 'x'))).toBe('429');
    expect(upstreamStatus(new CluvioNetworkError('m', 'x', 'timeout'))).toBe('timeout');
    expect(upstreamStatus(new CluvioNetworkError('m', 'x', 'connection'))).toBe('network_error');
    expect(upstreamStatus(new CluvioNetworkError('m', 'x', 'malformed'))).toBe('malformed');
    expect(upstreamStatus(new DOMException('cancelled by the client', 'AbortError'))).toBe('cancelled');
  });
});

describe('metrics off', () => {
  it('is the no-op recorder, with no queue-wait hook and nothing to render', async () => {
    const m = await loadMetrics(false);
    expect(m).toBe(noMetrics);
    expect(m.enabled).toBe(false);
    expect(m.queueWait('requests')).toBeUndefined();
    expect(m.toolCall('x')('ok')).toBeUndefined();
    await expect(m.render()).rejects.toThrow('metrics are off');
  });

  it('on, is the Prometheus recorder', async () => {
    const m = await loadMetrics(true);
    expect(m.enabled).toBe(true);
    m.toolCall('get_report')('ok');
    expect(valueOf(await scraped(m), 'cluvio_mcp_tool_calls_total', { tool: 'get_report', outcome: 'ok' })).toBe(1);
  });
});

describe('README "### Metrics"', () => {
  it('documents exactly the metrics the recorder registers', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Metrics\n'), readme.indexOf('\n### ', readme.indexOf('### Metrics\n') + 1));
    const documented = section
      .split('\n')
      .filter((l) => l.startsWith('| `cluvio_mcp_'))
      .flatMap((l) => [...l.split(' | ')[0]!.matchAll(/`(cluvio_mcp_[a-z_]+)`/g)].map((m) => m[1]!));
    const e = await scraped();
    const registered = [...e.types.keys()].filter((name) => name.startsWith('cluvio_mcp_'));
    expect(documented.sort()).toEqual(registered.sort());
  });
});

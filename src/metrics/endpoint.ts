import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './recorder.js';

/** GET /metrics as a web Response (the main port serves it behind the same checks as /mcp). */
export async function scrape(metrics: Metrics, logger: Logger): Promise<Response> {
  try {
    const { contentType, text } = await metrics.render();
    return new Response(text, { headers: { 'content-type': contentType } });
  } catch (err) {
    logger.warn({ error: (err as Error).message }, 'metrics: could not render');
    return Response.json({ error: 'could not render the metrics' }, { status: 500 });
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * /metrics on its own port (CLUVIO_MCP_METRICS_PORT), without Host, Origin or bearer checks: for a scraper inside
 * the cluster, on a port that is not published.
 */
export async function serveMetrics(host: string, port: number, metrics: Metrics, logger: Logger): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found; this port serves GET /metrics only' }));
      return;
    }
    void scrape(metrics, logger).then(async (answer) => {
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(req.method === 'HEAD' ? undefined : await answer.text());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface MetricsEndpoint {
  /** For the MCP port's /metrics; undefined when metrics are off or served on their own port. */
  scrape?: () => Promise<Response>;
  close(): Promise<void>;
}

/** Where /metrics is served: on the MCP port behind its checks, or on CLUVIO_MCP_METRICS_PORT without them. */
export async function metricsEndpoint(cfg: HttpConfig, metrics: Metrics, logger: Logger): Promise<MetricsEndpoint> {
  if (!metrics.enabled) return { close: async () => undefined };
  if (cfg.metricsPort === undefined) {
    logger.info({ path: '/metrics', auth: !!cfg.authToken }, 'serving Prometheus metrics on the MCP port');
    return { scrape: () => scrape(metrics, logger), close: async () => undefined };
  }
  const server = await serveMetrics(cfg.host, cfg.metricsPort, metrics, logger);
  logger.info({ metricsUrl: server.url }, 'serving Prometheus metrics on their own port, without checks');
  return server;
}

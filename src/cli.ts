#!/usr/bin/env node
import { ApiClient, sharedAgent } from './cluvio/api-client.js';
import { DataClient } from './cluvio/data-client.js';
import { Limiter } from './cluvio/limiter.js';
import { CluvioApiError } from './cluvio/errors.js';
import { ConfigError, HELP, parseCommand, type Config } from './config.js';
import { Activity } from './activity.js';
import type { Deps } from './context.js';
import { Inventory } from './inventory.js';
import { createLogger } from './logger.js';
import { ResourceHub } from './resources/hub.js';
import { createServerFactory } from './server.js';
import { startStdio } from './transports/stdio.js';
import { SERVER_VERSION } from './version.js';

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  switch (command.kind) {
    case 'help':
      process.stdout.write(HELP);
      return;
    case 'version':
      process.stdout.write(`${SERVER_VERSION}\n`);
      return;
    case 'sandbox':
      return runSandboxOnly(command.port);
    case 'serve':
      return serve(command.config);
  }
}

async function runSandboxOnly(port: number | undefined): Promise<void> {
  const { startSandbox } = await import('./sandbox/index.js');
  const sandbox = await startSandbox({ apiPort: port });
  process.stdout.write(`${JSON.stringify({ api_url: sandbox.apiUrl, data_url: sandbox.dataUrl, api_key: sandbox.apiKey })}\n`);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  await sandbox.close();
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  // Built once: every server of this process (per connection, session or HTTP request) reads it.
  const inventory = new Inventory(config);
  let closeSandbox: (() => Promise<void>) | undefined;
  if (config.sandbox) {
    // Loaded only with --sandbox: the SQL engine is heavy and starts in the background.
    const { startSandbox } = await import('./sandbox/index.js');
    // A CLUVIO_API_KEY given with --sandbox becomes the sandbox's key (handy for tests and scripts).
    const sandbox = await startSandbox({ apiKey: config.apiKey });
    config = { ...config, apiUrl: sandbox.apiUrl, dataUrl: sandbox.dataUrl, apiKey: sandbox.apiKey };
    closeSandbox = () => sandbox.close();
    logger.info({ apiUrl: sandbox.apiUrl, dataUrl: sandbox.dataUrl }, 'sandbox started');
  }
  const dispatcher = sharedAgent();
  // One cap for the whole process (every session and per-user key): requests beyond it wait in line.
  const limiter = new Limiter(config.maxConcurrency);
  const api = new ApiClient({ baseUrl: config.apiUrl, apiKey: config.apiKey ?? '', timeoutMs: config.requestTimeoutMs, logger, dispatcher, limiter });
  const data = new DataClient({ baseUrl: config.dataUrl, timeoutMs: config.requestTimeoutMs, logger, dispatcher, limiter });
  const activity = new Activity();
  // Requests are short; a query runs on in Cluvio while the server polls it, so running queries get their own cap
  // (Cluvio's default limit is 20 concurrent executions per datasource).
  const queries = new Limiter(config.maxConcurrency);
  const deps: Deps = { api, data, config, logger, inventory, hub: new ResourceHub(logger), activity, queries };
  const started = { operations: inventory.selected.length, discovery: config.discovery, readOnly: config.readOnly, apiUrl: config.apiUrl, maxConcurrency: config.maxConcurrency };

  if (config.transport === 'http') {
    // Loaded only for --transport http: the HTTP stack (Hono adapter, session handling) costs stdio start-up time and memory.
    const { startHttp } = await import('./transports/http.js');
    const shared = createServerFactory(deps);
    const serverFor = (key: string | undefined) => (key ? createServerFactory({ ...deps, api: api.withApiKey(key) }) : shared);
    const http = await startHttp(config.http, { serverFor, ready: () => cluvioReachable(api, !!config.apiKey), activity, logger, hub: deps.hub });
    logger.info({ ...started, url: http.url, stateless: config.http.stateless, auth: !!config.http.authToken }, 'serving MCP over streamable HTTP');
    await new Promise<void>((resolve) => {
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
    });
    logger.info('shutting down: draining in-flight calls');
    await http.close();
  } else {
    logger.info(started, 'serving MCP over stdio');
    await Promise.race([
      startStdio(createServerFactory(deps), logger),
      new Promise<void>((resolve) => process.once('SIGTERM', () => resolve())),
    ]);
  }
  await closeSandbox?.();
  await dispatcher.close();
  logger.flush();
}

/** Readiness: Cluvio answers, and accepts the configured key when there is one. */
async function cluvioReachable(api: ApiClient, hasKey: boolean): Promise<boolean> {
  try {
    await api.send({ operation: 'readiness', method: 'GET', path: '/datasources', idempotent: false, signal: AbortSignal.timeout(5_000) });
    return true;
  } catch (err) {
    return !hasKey && err instanceof CluvioApiError;
  }
}

process.on('unhandledRejection', (err) => {
  process.stderr.write(`cluvio-mcp: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
});

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`cluvio-mcp: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`cluvio-mcp: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);

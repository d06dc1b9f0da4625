#!/usr/bin/env node
import nodeModule from 'node:module';
import type { Config } from './config.js';

// Node >= 22.1 keeps V8's compiled code on disk (os.tmpdir(), or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1
// turns it off): the next start skips compiling ~700 kB of bundle, ~25 ms on Node 24. Where the directory cannot be
// written it does nothing. Enabled before anything else loads, so everything after is imported dynamically.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { ConfigError, HELP, parseCommand } = await import('./config.js');

async function main(): Promise<void> {
  const command = parseCommand(process.argv.slice(2));
  switch (command.kind) {
    case 'help':
      process.stdout.write(HELP);
      return;
    case 'version':
      process.stdout.write(`${(await import('./version.js')).SERVER_VERSION}\n`);
      return;
    case 'sandbox':
      return runSandboxOnly(command.port);
    case 'check': {
      const { config, close } = await sandboxed(command.config);
      try {
        const { runCheck } = await import('./check/index.js');
        process.exitCode = await runCheck(config, command.check);
      } finally {
        await close?.();
      }
      return;
    }
    case 'serve': {
      const { config, close } = await sandboxed(command.config);
      // Loaded per command: the MCP server machinery (SDK, tools, transports) only to serve.
      const { serve } = await import('./serve.js');
      return serve(config, close);
    }
  }
}

/**
 * With --sandbox: the built-in sandbox started, and the configuration pointed at it (a CLUVIO_API_KEY given with
 * --sandbox becomes the sandbox's key, handy for tests and scripts). Loaded only then: the SQL engine is heavy and
 * starts in the background.
 */
async function sandboxed(config: Config): Promise<{ config: Config; close?: () => Promise<void> }> {
  if (!config.sandbox) return { config };
  const { startSandbox } = await import('./sandbox/index.js');
  const sandbox = await startSandbox({ apiKey: config.apiKey });
  return { config: { ...config, apiUrl: sandbox.apiUrl, dataUrl: sandbox.dataUrl, apiKey: sandbox.apiKey }, close: () => sandbox.close() };
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

process.on('unhandledRejection', (err) => {
  process.stderr.write(`cluvio-mcp: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
});

main().then(
  () => process.exit(),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`cluvio-mcp: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`cluvio-mcp: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);

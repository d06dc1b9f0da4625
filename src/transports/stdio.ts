import type { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { Logger } from '../logger.js';

/** Serves MCP over stdin/stdout; resolves when the client closes stdin. */
export function startStdio(factory: () => McpServer, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const handle = serveStdio(factory, { onerror: (err) => logger.warn({ error: err.message }, 'stdio transport error') });
    process.stdin.once('end', () => {
      void handle.close().finally(resolve);
    });
  });
}

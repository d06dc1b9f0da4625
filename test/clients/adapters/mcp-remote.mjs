// mcp-remote — the stdio ↔ HTTP proxy Claude Desktop uses for remote servers. A v1 SDK client (as Claude
// Desktop's) talks stdio to the proxy, which talks streamable HTTP to our server; the client's 60 s timeout applies.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ctx, runClient } from '../lib/harness.mjs';
import { sdkDriver } from '../lib/sdk-driver.mjs';

const require = createRequire(import.meta.url);
const proxy = path.join(path.dirname(require.resolve('mcp-remote/package.json')), 'dist/proxy.js');

await runClient({
  client: 'mcp-remote',
  packages: ['mcp-remote', '@modelcontextprotocol/sdk'],
  transports: ['http'],
  async connect() {
    const client = new Client({ name: 'matrix-mcp-remote', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [proxy, ctx.http.url, '--transport', 'http-only'],
        // mcp-remote keeps OAuth state under MCP_REMOTE_CONFIG_DIR; a fresh one per run.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, MCP_REMOTE_CONFIG_DIR: path.join(ctx.out, 'mcp-remote-config') },
        stderr: 'ignore',
      }),
    );
    return sdkDriver(client);
  },
});

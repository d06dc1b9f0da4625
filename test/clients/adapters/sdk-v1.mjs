// @modelcontextprotocol/sdk 1.x Client — what Claude Code, Cursor, the Inspector and most TypeScript agents run.
// Schemas reach the model unchanged; callTool validates structuredContent against the tool's outputSchema
// (even on errors) and gives up after its default 60 s request timeout.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ctx, runClient } from '../lib/harness.mjs';
import { sdkDriver } from '../lib/sdk-driver.mjs';

await runClient({
  client: 'sdk-v1',
  packages: ['@modelcontextprotocol/sdk'],
  transports: ['stdio', 'http'],
  async connect(transport) {
    const client = new Client({ name: 'matrix-sdk-v1', version: '0.0.0' });
    await client.connect(
      transport === 'stdio' ? new StdioClientTransport({ ...ctx.stdio, stderr: 'ignore' }) : new StreamableHTTPClientTransport(new URL(ctx.http.url)),
    );
    return sdkDriver(client);
  },
});

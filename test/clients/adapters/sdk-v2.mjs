// @modelcontextprotocol/client 2.x — the SDK line the server is built on; schemas and content unchanged.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ctx, runClient } from '../lib/harness.mjs';
import { sdkDriver } from '../lib/sdk-driver.mjs';

await runClient({
  client: 'sdk-v2',
  packages: ['@modelcontextprotocol/client'],
  transports: ['stdio', 'http'],
  async connect(transport) {
    const client = new Client({ name: 'matrix-sdk-v2', version: '0.0.0' });
    await client.connect(
      transport === 'stdio' ? new StdioClientTransport({ ...ctx.stdio, stderr: 'ignore' }) : new StreamableHTTPClientTransport(new URL(ctx.http.url)),
    );
    return sdkDriver(client);
  },
});

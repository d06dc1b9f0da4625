// What a model pays for our tools: o200k tokens of name + description + input schema per tool, as tools/list serves them.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Spawns the built server (no Cluvio call is made) and returns tools/list. */
export async function listTools(args = []) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--log-level', 'silent', ...args],
    env: { PATH: process.env.PATH ?? '', CLUVIO_API_KEY: 'model-view-dummy-key' },
  });
  const client = new Client({ name: 'model-view', version: '0' });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}

export function toolTokens(tool) {
  return encode(JSON.stringify({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema })).length;
}

export function totalTokens(tools) {
  return tools.reduce((sum, t) => sum + toolTokens(t), 0);
}

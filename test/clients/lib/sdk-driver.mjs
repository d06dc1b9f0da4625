// A driver for clients built on an MCP SDK Client (v1 or v2): no schema conversion, content as the host shows it.
import { Ajv2020 } from 'ajv/dist/2020.js';

/** The text a host shows the model for a tool result: text blocks, links by URI, images counted apart. */
export function contentAsModelSees(result) {
  const parts = [];
  let images = 0;
  for (const c of result.content ?? []) {
    if (c.type === 'text') parts.push(c.text);
    else if (c.type === 'resource_link') parts.push(`[${c.name}](${c.uri})`);
    else if (c.type === 'image') images++;
    else parts.push(JSON.stringify(c));
  }
  return { text: parts.join('\n'), images, isError: result.isError === true };
}

export function sdkDriver(client, { close } = {}) {
  return {
    async convert() {
      const { tools } = await client.listTools();
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      const failed = [];
      for (const t of tools) {
        try {
          ajv.compile(t.inputSchema);
          if (t.outputSchema) ajv.compile(t.outputSchema);
        } catch (err) {
          failed.push({ tool: t.name, error: err.message });
        }
      }
      return { targets: { mcp: { tools: new Map(tools.map((t) => [t.name, t.inputSchema])), failed } } };
    },
    async call(name, args) {
      try {
        return contentAsModelSees(await client.callTool({ name, arguments: args }));
      } catch (err) {
        return { text: String(err?.message ?? err), images: 0, protocolError: true };
      }
    },
    close: close ?? (() => client.close()),
  };
}

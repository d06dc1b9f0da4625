// Mastra — @mastra/mcp MCPClient (on the v2 MCP client) feeding a @mastra/core Agent. Tools reach the
// providers through Mastra's per-provider schema-compat layers; a tool with an outputSchema gives the
// model its text content, one without gives it the JSON of structuredContent (or of the whole result);
// an isError result is thrown and reaches the model as {"error": <text>}.
//
// Both directions use real AI SDK providers with a local fetch (lib/mastra/providers.mjs): convert()
// reads the tools from each provider's request body; call() has an OpenAI model call the tool, then
// reads the tool result from the next request body.
import { MCPClient } from '@mastra/mcp';
import { Agent } from '@mastra/core/agent';
import { ctx, runClient, strictArgs } from '../lib/harness.mjs';
import { fakeModel, toolsOf } from '../lib/mastra/providers.mjs';

// MCPClient.listTools() names each tool `<server>_<tool>`.
const SERVER = 'cluvio';

function describeWarning(w) {
  return [w.type, w.feature ?? w.message, w.details].filter(Boolean).join(': ');
}

/** What the model reads in an OpenAI Responses `function_call_output` (a string, or input_* parts). */
function readOutput(output) {
  if (typeof output === 'string') return { text: output, images: 0 };
  let images = 0;
  const parts = [];
  for (const p of output ?? []) {
    if (p.type === 'input_text') parts.push(p.text);
    else if (p.type === 'input_image') images++;
    else parts.push(JSON.stringify(p));
  }
  return { text: parts.join('\n'), images };
}

function driver(mcp, tools) {
  const agent = (model) => new Agent({ id: 'matrix', name: 'matrix', instructions: 'Use the Cluvio tools.', model, tools });
  return {
    async convert() {
      const targets = {};
      for (const kind of ['openai', 'gemini', 'anthropic']) {
        const { model, requests } = fakeModel(kind, () => ({ text: 'ok' }));
        // Mastra drops a tool it cannot prepare, saying so only on the console (prepareToolsAndToolChoice).
        const dropped = [];
        const consoleError = console.error;
        console.error = (...a) => (a[0] === 'Error preparing tool' ? dropped.push(String(a[1]?.message ?? a[1])) : consoleError(...a));
        let result;
        try {
          result = await agent(model).generate('Which tools do you have?', { maxSteps: 1 });
        } finally {
          console.error = consoleError;
        }
        const sent = toolsOf(kind, requests[0]?.body ?? {});
        const converted = new Map([...sent].map(([name, schema]) => [name.slice(SERVER.length + 1), schema]));
        const why = dropped.length ? `not sent to the model (${dropped.join('; ')})` : 'not sent to the model';
        const failed = Object.keys(tools)
          .filter((name) => !sent.has(name))
          .map((name) => ({ tool: name.slice(SERVER.length + 1), error: why }));
        // The provider's call warnings (e.g. schema parts it dropped) are kept per step.
        const warnings = [...new Set([...(result?.warnings ?? []), ...(result?.steps ?? []).flatMap((s) => s.warnings ?? [])].map(describeWarning))];
        targets[kind] = { tools: converted, failed, warnings };
      }
      return { targets };
    },
    async call(name, args) {
      const toolName = `${SERVER}_${name}`;
      let missing = false;
      // Mastra's OpenAI layer makes every property required (optional ones nullable), so the model
      // sends null for what it leaves unset; Mastra turns those nulls back into absent keys.
      const { model, requests } = fakeModel('openai', (body, i) => {
        if (i > 0) return { text: 'ok' };
        const schema = toolsOf('openai', body).get(toolName);
        if (!schema) return (missing = true), { text: 'no such tool' };
        return { call: { name: toolName, args: strictArgs(schema, args) } };
      });
      try {
        await agent(model).generate(`Call ${toolName}.`, { maxSteps: 2 });
      } catch (err) {
        if (requests.length < 2) return { text: `the agent failed: ${err?.message ?? err}`, images: 0, protocolError: true };
      }
      if (missing) return { text: `${toolName} was not among the tools sent to the model`, images: 0, protocolError: true };
      const output = requests[1]?.body.input?.find((item) => item.type === 'function_call_output');
      if (!output) return { text: `no tool result reached the model: ${JSON.stringify(requests.at(-1)?.body.input ?? null).slice(0, 500)}`, images: 0, protocolError: true };
      return readOutput(output.output);
    },
    close: () => mcp.disconnect(),
  };
}

await runClient({
  client: 'mastra',
  packages: ['@mastra/mcp', '@mastra/core', '@mastra/schema-compat', '@ai-sdk/openai', '@ai-sdk/google', '@ai-sdk/anthropic'],
  transports: ['stdio', 'http'],
  async connect(transport) {
    const server = transport === 'stdio' ? { ...ctx.stdio } : { url: new URL(ctx.http.url) };
    const mcp = new MCPClient({ id: `matrix-${transport}`, servers: { [SERVER]: server } });
    try {
      const { tools, errors } = await mcp.listToolsWithErrors();
      if (Object.keys(errors).length) throw new Error(JSON.stringify(errors));
      return driver(mcp, tools);
    } catch (err) {
      await mcp.disconnect().catch(() => undefined);
      throw err;
    }
  },
});

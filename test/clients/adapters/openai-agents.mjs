// OpenAI Agents SDK (@openai/agents) — MCPServerStdio / MCPServerStreamableHttp (an MCP SDK v2 Client inside)
// turned into OpenAI function tools by getAllMcpTools. The Agent runs with mcpConfig.convertSchemasToStrict: true
// (the SDK default is false; OpenAI's docs recommend strict tools), driven by the SDK's own ScriptedModel: turn 1
// calls the tool, turn 2 records the function_call_result the Runner put in the model's input.
import { Agent, Runner, MCPServerStdio, MCPServerStreamableHttp, getAllMcpTools, setTracingDisabled } from '@openai/agents';
import { ScriptedModel, modelResponder, functionCall, assistantMessage } from '@openai/agents/testing';
import { ctx, runClient, strictArgs } from '../lib/harness.mjs';

// The default tracing exporter would post traces to api.openai.com.
setTracingDisabled(true);

// The SDK's default (5 s per request, tools/list included) is met by far on an idle machine, but not when CI's
// two cores also run the other clients' servers and the Node 24 leg beside this one: one listing timed out so.
const SESSION_TIMEOUT_S = 20;

/** What the model reads from a function_call_result output: a string, one text part, or input_* parts. */
function outputAsModelSees(output) {
  if (typeof output === 'string') return { text: output, images: 0 };
  const parts = Array.isArray(output) ? output : [output];
  const texts = [];
  let images = 0;
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'input_text') texts.push(p.text);
    else if (p.type === 'input_image' && p.image) images++;
    else texts.push(JSON.stringify(p));
  }
  return { text: texts.join('\n'), images };
}

async function convertFor(server, convertSchemasToStrict) {
  const tools = new Map();
  const fallback = [];
  const failed = [];
  try {
    for (const t of await getAllMcpTools({ mcpServers: [server], convertSchemasToStrict })) {
      tools.set(t.name, t.parameters);
      if (convertSchemasToStrict && !t.strict) fallback.push(t.name);
    }
  } catch (err) {
    // getAllMcpTools fails as a whole (e.g. a schema too deep for strict mode): no tool reaches the model.
    failed.push({ tool: '*', error: String(err?.message ?? err) });
  }
  return { tools, failed, fallback };
}

await runClient({
  client: 'openai-agents',
  packages: ['@openai/agents', '@openai/agents-core', '@openai/agents-openai'],
  transports: ['stdio', 'http'],
  async connect(transport) {
    // One connected server per run in flight. Over streamable HTTP without a session (2026-07-28 has none),
    // MCPServerStreamableHttp.listTools invalidates its caches on every listing, so two runs listing tools at
    // once on one instance fail with "MCP tool listing became stale" whatever the server does.
    const all = [];
    const idle = [];
    async function acquire() {
      if (idle.length) return idle.pop();
      const server =
        transport === 'stdio'
          ? new MCPServerStdio({ name: 'cluvio', command: ctx.stdio.command, args: ctx.stdio.args, env: ctx.stdio.env, clientSessionTimeoutSeconds: SESSION_TIMEOUT_S })
          : new MCPServerStreamableHttp({ name: 'cluvio', url: ctx.http.url, clientSessionTimeoutSeconds: SESSION_TIMEOUT_S });
      await server.connect();
      all.push(server);
      return server;
    }
    async function using(fn) {
      const server = await acquire();
      try {
        return await fn(server);
      } finally {
        idle.push(server);
      }
    }
    idle.push(await acquire());
    const runner = new Runner({ tracingDisabled: true });
    return {
      convert: () =>
        using(async (server) => ({ targets: { openai_strict: await convertFor(server, true), openai: await convertFor(server, false) } })),
      call: (name, args) => using(async (server) => {
        let received;
        const model = new ScriptedModel([
          modelResponder(({ request }) => {
            const tool = request.tools.find((t) => t.name === name);
            // A strict tool gets every property, unset ones as null; a non-strict one the arguments as given.
            const sent = tool?.strict ? strictArgs(tool.parameters, args) : args;
            return [functionCall(name, sent, { callId: 'call_matrix_1' })];
          }),
          modelResponder(({ request }) => {
            received = request.input.find((i) => i.type === 'function_call_result' && i.callId === 'call_matrix_1');
            return [assistantMessage('done')];
          }),
        ]);
        const agent = new Agent({
          name: 'matrix',
          instructions: 'Use the Cluvio tools.',
          model,
          mcpServers: [server],
          mcpConfig: { convertSchemasToStrict: true },
        });
        try {
          await runner.run(agent, `Call ${name}.`);
        } catch (err) {
          return { text: String(err?.message ?? err), images: 0, protocolError: true };
        }
        if (!received) return { text: 'the model got no function_call_result', images: 0, protocolError: true };
        return outputAsModelSees(received.output);
      }),
      close: () => Promise.all(all.map((s) => s.close())),
    };
  },
});

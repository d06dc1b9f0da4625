// Vercel AI SDK: `ai` generateText with the tools of `@ai-sdk/mcp` createMCPClient().tools().
// Schemas go to every provider as the server wrote them, plus a top-level `additionalProperties: false`;
// OpenAI strict mode is only the per-tool `strict` flag, with the schema unchanged. A tool result reaches the
// model as its `content` (text parts, images as file parts, anything else JSON-stringified); structuredContent
// and isError do not. No request timeout, no progress.
import { createMCPClient } from '@ai-sdk/mcp';
import { StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
import { generateText, isStepCount } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { createOpenAI } from '@ai-sdk/openai';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createAnthropic } from '@ai-sdk/anthropic';
import { ctx, runClient } from '../lib/harness.mjs';

// Each provider's API, faked: its request body is captured, and a minimal answer without tool calls ends the run.
const PROVIDERS = {
  openai: {
    make: (fetch) => createOpenAI({ apiKey: 'matrix', fetch })('gpt-5.5'), // the Responses API, the SDK's default
    answer: {
      id: 'resp_1', object: 'response', created_at: 0, status: 'completed', model: 'gpt-5.5',
      output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'ok', annotations: [] }] }],
      usage: { input_tokens: 1, output_tokens: 1 },
    },
    tools: (body) => (body.tools ?? []).map((t) => ({ name: t.name, schema: t.parameters })),
  },
  gemini: {
    make: (fetch) => createGoogleGenerativeAI({ apiKey: 'matrix', fetch })('gemini-2.5-flash'),
    answer: { candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } },
    tools: (body) => (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((f) => ({ name: f.name, schema: f.parametersJsonSchema ?? f.parameters })),
  },
  anthropic: {
    make: (fetch) => createAnthropic({ apiKey: 'matrix', fetch })('claude-sonnet-4-5'),
    answer: {
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 },
    },
    tools: (body) => (body.tools ?? []).map((t) => ({ name: t.name, schema: t.input_schema })),
  },
};
// No openai_strict target: the SDK's only strict switch is a tool's own `strict` flag, which sends the schema
// unchanged, so OpenAI would need schemas written strict (every property required, optional ones nullable) —
// which no server with optional arguments publishes.
const TARGETS = { openai: 'openai', gemini: 'gemini', anthropic: 'anthropic' };

/** One generateText with a real provider whose fetch only records: the tools as sent, and the SDK's warnings. */
async function send(providerName, tools) {
  const provider = PROVIDERS[providerName];
  let body;
  const fetch = async (url, init) => {
    body = JSON.parse(init.body);
    return new Response(JSON.stringify(provider.answer), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const result = await generateText({ model: provider.make(fetch), tools, prompt: 'List the datasources.' });
  return { sent: provider.tools(body), warnings: result.warnings ?? [] };
}

const describe = (w) => [w.type, w.feature, w.details ?? w.message].filter(Boolean).join(': ');

async function convertFor(target, tools) {
  const failed = [];
  let sent = [];
  let warnings = [];
  try {
    ({ sent, warnings } = await send(TARGETS[target], tools));
  } catch {
    // The whole request failed: find the tools the SDK cannot convert, one by one.
    for (const [name, t] of Object.entries(tools)) {
      try {
        const one = await send(TARGETS[target], { [name]: t });
        sent.push(...one.sent);
        warnings.push(...one.warnings);
      } catch (err) {
        failed.push({ tool: name, error: String(err?.message ?? err) });
      }
    }
  }
  return { tools: new Map(sent.map((t) => [t.name, t.schema])), failed, warnings: warnings.map(describe) };
}

/** What the model reads from a tool-result part of the prompt (LanguageModelV4ToolResultOutput). */
function modelInput(output) {
  switch (output?.type) {
    case 'text':
      return { text: output.value, images: 0 };
    case 'json':
      return { text: JSON.stringify(output.value), images: 0 };
    case 'content': {
      const texts = [];
      let images = 0;
      for (const p of output.value) {
        if (p.type === 'text') texts.push(p.text);
        else if (p.type === 'file' && p.mediaType?.startsWith('image/')) images++;
        else texts.push(JSON.stringify(p));
      }
      return { text: texts.join('\n'), images };
    }
    // The tool threw (an MCP error, a closed connection): the SDK's own text for the exception.
    case 'error-text':
      return { text: output.value, images: 0, protocolError: true };
    case 'error-json':
      return { text: JSON.stringify(output.value), images: 0, protocolError: true };
    default:
      return { text: `no tool result in the prompt: ${JSON.stringify(output)}`, images: 0, protocolError: true };
  }
}

const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };

async function callThroughModel(mcpTools, name, args) {
  const model = new MockLanguageModelV4({
    doGenerate: [
      { content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: name, input: JSON.stringify(args) }], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] },
      { content: [{ type: 'text', text: 'done' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    ],
  });
  try {
    await generateText({ model, tools: mcpTools, prompt: `Call ${name}.`, stopWhen: isStepCount(2) });
  } catch (err) {
    return { text: String(err?.message ?? err), images: 0, protocolError: true };
  }
  const second = model.doGenerateCalls[1];
  if (!second) return { text: 'the model was not called again after the tool call', images: 0, protocolError: true };
  const part = second.prompt.filter((m) => m.role === 'tool').flatMap((m) => m.content).find((p) => p.type === 'tool-result' && p.toolCallId === 'call-1');
  return modelInput(part?.output);
}

await runClient({
  client: 'vercel-ai',
  packages: ['ai', '@ai-sdk/mcp', '@ai-sdk/openai', '@ai-sdk/google', '@ai-sdk/anthropic'],
  transports: ['stdio', 'http'],
  async connect(transport) {
    const client = await createMCPClient({
      transport: transport === 'stdio' ? new StdioMCPTransport({ ...ctx.stdio, stderr: 'ignore' }) : { type: 'http', url: ctx.http.url },
      onUncaughtError: (err) => console.error(`vercel-ai ${transport}: uncaught: ${err?.message ?? err}`),
    });
    console.log(`vercel-ai ${transport}: protocol ${client.initializeResult.protocolVersion}`);
    const tools = await client.tools();
    return {
      async convert() {
        const targets = {};
        for (const target of Object.keys(TARGETS)) targets[target] = await convertFor(target, tools);
        return { targets, notes: ['openai_strict: not offered (the SDK sends a strict flag without converting the schema)'] };
      },
      call: (name, args) => callThroughModel(tools, name, args),
      close: () => client.close(),
    };
  },
});

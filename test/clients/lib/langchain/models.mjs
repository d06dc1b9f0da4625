// The chat model integrations a LangChain agent hands our tools and tool results to, with their HTTP replaced
// by a capture: each model instance records the request body it would have sent and gets a canned "ok".
// No real API is called.
import { createServer } from 'node:http';
import { HumanMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { geminiProblem } from './provider-rules.mjs';

const CANNED = {
  openai: { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-4.1', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
  anthropic: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } },
  gemini: { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } },
};

function capturingFetch(provider, sink) {
  return async (_url, init) => {
    sink.push(JSON.parse(init.body));
    return new Response(JSON.stringify(CANNED[provider]), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

// @google/generative-ai (under ChatGoogleGenerativeAI) takes no fetch, only a baseUrl: a local server stands
// in for the Gemini API, and the first path segment names the model instance whose sink gets the body.
const geminiSinks = new Map();
let geminiBase;
async function geminiServer() {
  if (geminiBase) return geminiBase;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      geminiSinks.get(req.url.split('/')[1])?.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CANNED.gemini));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  geminiBase = `http://127.0.0.1:${server.address().port}`;
  return geminiBase;
}

let seq = 0;
/** A fresh model of `provider` and the list its request bodies land in. */
async function capturingModel(provider) {
  const sink = [];
  if (provider === 'openai') return { sink, model: new ChatOpenAI({ model: 'gpt-4.1', apiKey: 'sk-matrix', configuration: { fetch: capturingFetch('openai', sink) } }) };
  if (provider === 'anthropic') return { sink, model: new ChatAnthropic({ model: 'claude-sonnet-4-5', apiKey: 'sk-ant-matrix', clientOptions: { fetch: capturingFetch('anthropic', sink) } }) };
  const id = `m${++seq}`;
  geminiSinks.set(id, sink);
  return { sink, model: new ChatGoogleGenerativeAI({ model: 'gemini-2.5-flash', apiKey: 'matrix', baseUrl: `${await geminiServer()}/${id}` }) };
}

/** Send `messages` through a fresh model of `provider` (with `tools` bound, if given); the request body. */
async function send(provider, messages, tools, bindOptions) {
  const { model, sink } = await capturingModel(provider);
  await (tools ? model.bindTools(tools, bindOptions) : model).invoke(messages);
  return sink[0];
}

// ---- Tools: what each integration puts in the request, per target.

// No openai_strict target: ChatOpenAI's bindTools(tools, { strict: true }) only sets the flag and converts nothing,
// so OpenAI would need schemas written strict (every property required, optional ones nullable, objects closed)
// — which no server with optional arguments publishes, and which would double what our schemas cost a model.
const TARGETS = {
  openai: { provider: 'openai' },
  gemini: { provider: 'gemini', problem: geminiProblem, api: 'Gemini' },
  anthropic: { provider: 'anthropic' },
};

/** [name, schema] of every tool in a captured request body. */
function sentTools(provider, body) {
  if (provider === 'openai') return body.tools.map((t) => [t.function.name, t.function.parameters]);
  if (provider === 'anthropic') return body.tools.map((t) => [t.name, t.input_schema]);
  return body.tools.flatMap((t) => t.functionDeclarations ?? []).map((f) => [f.name, f.parameters]);
}

/** [name, schema] of the tools as sent, and the tools the integration could not convert. */
async function sendTools(provider, tools, bind) {
  const ask = async (some) => sentTools(provider, await send(provider, [new HumanMessage('hi')], some, bind));
  try {
    return { sent: await ask(tools), failed: [] };
  } catch {
    // A tool the integration cannot convert fails the whole request: find which, one at a time.
    const sent = [];
    const failed = [];
    for (const tool of tools) {
      try {
        sent.push(...(await ask([tool])));
      } catch (err) {
        failed.push({ tool: tool.name, error: String(err?.message ?? err) });
      }
    }
    return { sent, failed };
  }
}

export async function convertTools(tools) {
  const targets = {};
  for (const [target, { provider, bind, problem, api }] of Object.entries(TARGETS)) {
    const warnings = [];
    const warn = console.warn;
    console.warn = (...args) => warnings.push(args.join(' '));
    const { sent, failed } = await sendTools(provider, tools, bind).finally(() => (console.warn = warn));
    for (const [name, schema] of sent) {
      const p = problem?.(schema);
      if (p) failed.push({ tool: name, error: `the ${api} API would reject it: ${p}` });
    }
    targets[target] = { tools: new Map(sent), failed, warnings };
  }
  return { targets, notes: ['openai_strict: not offered (LangChain sets strict without converting the schema)'] };
}

// ---- Tool results: the ToolMessage as each integration sends it to the model.

/** { text, images } the model reads from the last (tool-result) message of a request, or { error }. */
const READ = {
  openai(body) {
    const m = body.messages.at(-1);
    if (typeof m.content === 'string') return { text: m.content, images: 0 };
    // ChatCompletionToolMessageParam.content is string | ChatCompletionContentPartText[]: anything else is a 400.
    const other = m.content.find((p) => p.type !== 'text');
    if (other) return { error: `Chat Completions refuses a "${other.type}" part in a tool message` };
    return { text: m.content.map((p) => p.text).join('\n'), images: 0 };
  },
  anthropic(body) {
    const r = body.messages.at(-1).content.find((b) => b.type === 'tool_result');
    if (typeof r.content === 'string') return { text: r.content, images: 0 };
    const parts = r.content ?? [];
    return { text: parts.map((b) => (b.type === 'text' ? b.text : b.type === 'image' ? '' : JSON.stringify(b))).filter(Boolean).join('\n'), images: parts.filter((b) => b.type === 'image').length };
  },
  gemini(body) {
    const parts = body.contents.at(-1).parts;
    // The tool result is a functionResponse's JSON `response`; anything in it, images included, is data to the model.
    const text = parts.map((p) => (p.functionResponse ? JSON.stringify(p.functionResponse.response) : p.text ?? '')).join('\n');
    return { text, images: parts.filter((p) => p.inlineData).length };
  },
};

const NAMES = { openai: 'ChatOpenAI', anthropic: 'ChatAnthropic', gemini: 'ChatGoogleGenerativeAI' };

/**
 * The conversation [human, ai with the tool call, tool message] sent through every integration. The model
 * gets ChatOpenAI's rendering (the three agree on text); if any integration cannot send the result at all,
 * the model gets nothing and the call failed.
 */
export async function renderToModels(messages) {
  const seen = {};
  for (const provider of Object.keys(READ)) {
    try {
      seen[provider] = READ[provider](await send(provider, messages));
    } catch (err) {
      seen[provider] = { error: `threw: ${String(err?.message ?? err)}` };
    }
  }
  const providers = Object.fromEntries(Object.entries(seen).map(([p, r]) => [p, r.error ?? `ok, ${r.text.length} chars, ${r.images} images`]));
  const failures = Object.entries(seen).filter(([, r]) => r.error);
  if (failures.length) return { text: failures.map(([p, r]) => `${NAMES[p]}: ${r.error}`).join(' | '), images: 0, protocolError: true, providers };
  return { ...seen.openai, providers };
}

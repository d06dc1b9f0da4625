// Real AI SDK providers whose `fetch` answers locally: each request body is recorded (the tools and
// messages exactly as sent to the provider's API) and answered with a canned, minimal, non-streaming
// response — a tool call or the text "ok" — in that API's own format. Mastra's Agent.generate() uses
// the providers' non-streaming endpoints (doGenerate).
import { createOpenAI } from '@ai-sdk/openai';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createAnthropic } from '@ai-sdk/anthropic';

const MODELS = {
  openai: (fetch) => createOpenAI({ apiKey: 'sk-matrix', fetch })('gpt-4.1'),
  gemini: (fetch) => createGoogleGenerativeAI({ apiKey: 'matrix', fetch })('gemini-2.5-flash'),
  anthropic: (fetch) => createAnthropic({ apiKey: 'matrix', fetch })('claude-sonnet-4-5'),
};

const RESPONSES = {
  openai: ({ text, call }) =>
    ({
      id: 'resp_matrix',
      created_at: 0,
      model: 'gpt-4.1',
      output: call
        ? [{ type: 'function_call', id: 'fc_matrix', call_id: 'call_matrix', name: call.name, arguments: JSON.stringify(call.args), status: 'completed' }]
        : [{ type: 'message', role: 'assistant', id: 'msg_matrix', content: [{ type: 'output_text', text, annotations: [] }] }],
      usage: { input_tokens: 1, output_tokens: 1 },
    }),
  gemini: ({ text, call }) => ({
    candidates: [{ content: { role: 'model', parts: [call ? { functionCall: { name: call.name, args: call.args } } : { text }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
  }),
  anthropic: ({ text, call }) => ({
    type: 'message',
    id: 'msg_matrix',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [call ? { type: 'tool_use', id: 'toolu_matrix', name: call.name, input: call.args } : { type: 'text', text }],
    stop_reason: call ? 'tool_use' : 'end_turn',
    usage: { input_tokens: 1, output_tokens: 1 },
  }),
};

/** The tools of a captured request body, by the name the model sees, with their parameter schemas. */
export function toolsOf(kind, body) {
  const list =
    kind === 'openai'
      ? (body.tools ?? []).map((t) => [t.name, t.parameters])
      : kind === 'gemini'
        ? (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []).map((t) => [t.name, t.parametersJsonSchema ?? t.parameters])
        : (body.tools ?? []).map((t) => [t.name, t.input_schema]);
  return new Map(list);
}

/**
 * A language model of the given family. `answer(body, index)` returns what the model says to the
 * request: `{ call: { name, args } }` or `{ text }`. Every request body is pushed onto `requests`.
 */
export function fakeModel(kind, answer) {
  const requests = [];
  const fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    requests.push({ url: String(url), body });
    if (body.stream) throw new Error('the fake provider answers non-streaming requests only');
    return Response.json(RESPONSES[kind](await answer(body, requests.length - 1)));
  };
  return { model: MODELS[kind](fetch), requests };
}

// LangChain / LangGraph: MultiServerMCPClient (@langchain/mcp-adapters, a v1 SDK Client inside) loads our tools
// as DynamicStructuredTools, LangGraph's ToolNode runs the model's tool calls, and ChatOpenAI, ChatAnthropic
// and ChatGoogleGenerativeAI send the tools and the resulting ToolMessage to their APIs (captured here).
// All with the libraries' defaults: no timeout of their own (the SDK's 60 s applies), no progress, strict off.
//
// The server runs with CLUVIO_MAX_IMAGE_KB=0, as the README recommends for LangChain: an image in a tool result
// becomes an image part of the ToolMessage, which ChatOpenAI's Chat Completions API refuses in a tool message.
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { runClient, startHttpServer, stdioServer } from '../lib/harness.mjs';
import { convertTools, renderToModels } from '../lib/langchain/models.mjs';

await runClient({
  client: 'langchain',
  packages: ['@langchain/mcp-adapters', '@langchain/langgraph', '@langchain/core', '@langchain/openai', '@langchain/anthropic', '@langchain/google-genai', '@modelcontextprotocol/sdk'],
  transports: ['stdio', 'http'],
  notApplicable: {
    // DynamicStructuredTool validates the model's arguments against the advertised schema before any call, and
    // without strict mode (see lib/langchain/models.mjs) models leave unset arguments out rather than null.
    nulls: 'LangChain checks arguments against the schema before calling; a null for an optional argument never reaches a server',
  },
  async connect(transport) {
    const env = { CLUVIO_MAX_IMAGE_KB: '0' };
    const http = transport === 'http' ? await startHttpServer(env) : undefined;
    const server = transport === 'stdio' ? { transport: 'stdio', ...stdioServer(env) } : { transport: 'http', url: http.url };
    const client = new MultiServerMCPClient({ mcpServers: { cluvio: server } });
    const tools = await client.getTools();
    const toolNode = new ToolNode(tools);
    let calls = 0;
    return {
      convert: () => convertTools(tools),
      async call(name, args) {
        const request = new HumanMessage('Use the tools.');
        const toolCall = new AIMessage({ content: '', tool_calls: [{ id: `call_${++calls}`, name, args, type: 'tool_call' }] });
        try {
          // ToolNode turns a tool's exception into an error ToolMessage itself (handleToolErrors defaults to true).
          const { messages } = await toolNode.invoke({ messages: [request, toolCall] });
          return await renderToModels([request, toolCall, messages[0]]);
        } catch (err) {
          return { text: `ToolNode threw: ${String(err?.message ?? err)}`, images: 0, protocolError: true };
        }
      },
      close: async () => {
        await client.close();
        await http?.close();
      },
    };
  },
});

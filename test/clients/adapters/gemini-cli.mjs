// Gemini CLI (@google/gemini-cli-core) — our server as an mcpServers entry, discovered by its McpClientManager
// into a ToolRegistry and called through its Scheduler (parameter validation, policy, ToolExecutor,
// convertToFunctionResponse). The model gets ToolRegistry.getFunctionDeclarations() — our schemas verbatim as
// parametersJsonSchema plus a `wait_for_previous` boolean — and, back, the functionResponse parts the Scheduler makes.
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { format } from 'node:util';
import { ctx, runClient } from '../lib/harness.mjs';

const SERVER = 'cluvio';
// Gemini CLI keeps its state (project registry, truncated tool outputs) under GEMINI_CLI_HOME, else ~/.gemini.
const home = path.join(ctx.out ?? '/tmp', 'gemini-cli-home');
mkdirSync(home, { recursive: true });
process.env.GEMINI_CLI_HOME = home;

const core = await import('@google/gemini-cli-core');
const { McpClientManager } = await import('@google/gemini-cli-core/dist/src/tools/mcp-client-manager.js');
const { PromptRegistry } = await import('@google/gemini-cli-core/dist/src/prompts/prompt-registry.js');
const { Config, ToolRegistry, ResourceRegistry, DiscoveredMCPTool, SchemaValidator, hasCycleInSchema, scheduleAgentTools } = core;

// Warnings Gemini CLI logs (its debugLogger.warn and Ajv's strict-mode log both go to console.warn) and the
// errors it reports, collected while `sink` is set.
let sink = null;
const warn = console.warn;
console.warn = (...args) => {
  sink?.push(format(...args));
  warn(...args);
};
core.coreEvents.on(core.CoreEvent.UserFeedback, ({ severity, message }) => {
  if (severity !== 'info') sink?.push(`${severity}: ${message}`);
});
function collect(fn) {
  sink = [];
  try {
    fn();
    return sink;
  } finally {
    sink = null;
  }
}

/**
 * What Gemini receives for one tool call: each functionResponse.response as JSON, images as inlineData parts
 * (nested in the functionResponse for Gemini 3 models, sibling parts otherwise).
 *
 * A failed call reaches the model as `response: { error }` instead of `{ output }` — Gemini's error channel —
 * reported as protocolError: that message echoes the call's arguments, where a success check must not find
 * its needle.
 */
function modelInput(parts) {
  const text = [];
  let images = 0;
  let failed = false;
  for (const part of parts ?? []) {
    if (part.functionResponse) {
      text.push(JSON.stringify(part.functionResponse.response));
      failed ||= part.functionResponse.response?.error !== undefined;
      images += (part.functionResponse.parts ?? []).filter((p) => p.inlineData).length;
    } else if (part.inlineData) images++;
    else if (part.text !== undefined) text.push(part.text);
  }
  return { text: text.join('\n'), images, isError: failed, protocolError: failed };
}

await runClient({
  client: 'gemini-cli',
  packages: ['@google/gemini-cli-core'],
  transports: ['stdio', 'http'],
  notApplicable: {
    // build() validates the model's arguments with Ajv against the declared schema (SchemaValidator) and answers
    // the model itself; Gemini models leave unset arguments out rather than null.
    nulls: 'Gemini CLI checks arguments against the schema before calling; a null for an optional argument never reaches a server',
  },
  async connect(transport) {
    const dir = path.join(home, transport);
    mkdirSync(dir, { recursive: true });
    // The settings.json entry: a stdio command, or `url` with `type: "http"` (`httpUrl` is deprecated).
    const server = transport === 'stdio' ? { ...ctx.stdio } : { url: ctx.http.url, type: 'http' };
    const config = new Config({
      sessionId: randomUUID(),
      targetDir: dir,
      cwd: dir,
      debugMode: false,
      model: core.DEFAULT_GEMINI_MODEL,
      mcpServers: { [SERVER]: server },
      trustedFolder: true, // stdio servers start only in a trusted folder
      approvalMode: core.ApprovalMode.YOLO, // `gemini --yolo`: no confirmation prompt per call
      interactive: false,
      usageStatisticsEnabled: false, // no Clearcut telemetry requests
    });
    // The part of Config.initialize() that MCP tools need, without built-in tools, auth or a model client.
    await config.storage.initialize();
    const registries = {
      toolRegistry: new ToolRegistry(config, config.getMessageBus(), true),
      promptRegistry: new PromptRegistry(),
      resourceRegistry: new ResourceRegistry(),
    };
    const manager = new McpClientManager(await core.getVersion(), config);
    manager.setMainRegistries(registries);
    config.mcpClientManager = manager;
    // Discovery problems go to emitDiagnostic, which only logs them until the user has used an MCP tool.
    const diagnose = manager.emitDiagnostic.bind(manager);
    manager.emitDiagnostic = (severity, message, error, serverName) => {
      if (severity !== 'info') sink?.push(`${severity}: ${message}`);
      return diagnose(severity, message, error, serverName);
    };
    sink = [];
    await manager.startConfiguredMcpServers();
    const discovery = sink;
    sink = null;
    const client = manager.getClient(SERVER);
    if (client?.getStatus() !== 'connected') throw new Error(`not connected (${client?.getStatus()}): ${discovery.join('; ')}`);

    const { toolRegistry } = registries;
    const mcpTools = () => toolRegistry.getActiveTools().filter((t) => t instanceof DiscoveredMCPTool);
    const qualified = (name) => mcpTools().find((t) => t.serverToolName === name)?.getFullyQualifiedName() ?? name;

    return {
      async convert() {
        const byName = new Map(mcpTools().map((t) => [t.getFullyQualifiedName(), t.serverToolName]));
        const tools = new Map();
        const failed = [];
        const warnings = [];
        for (const line of discovery) {
          const tool = /Error discovering tool: '([^']+)'/.exec(line)?.[1];
          if (tool) failed.push({ tool, error: line });
          else warnings.push(line);
        }
        for (const decl of toolRegistry.getFunctionDeclarations()) {
          const name = byName.get(decl.name);
          if (!name) continue;
          tools.set(name, decl.parametersJsonSchema);
          // build() validates each call with SchemaValidator; what it logs compiling the schema, it logs every call.
          warnings.push(...collect(() => SchemaValidator.validate(decl.parametersJsonSchema, {})).map((w) => `${name}: ${w}`));
          // Gemini CLI blames cyclic $refs when the API rejects a request (GeminiChat).
          if (hasCycleInSchema(decl.parametersJsonSchema)) warnings.push(`${name}: cyclic $ref in its schema`);
        }
        return { targets: { gemini: { tools, failed, warnings } } };
      },
      async call(name, args) {
        const declared = toolRegistry.getTool(qualified(name))?.schema.parametersJsonSchema;
        // Gemini CLI adds wait_for_previous to every object schema and asks the model to set it; it then
        // forwards it to the server with the other arguments.
        const modelArgs = declared?.properties?.wait_for_previous ? { ...args, wait_for_previous: false } : { ...args };
        const request = { callId: randomUUID(), name: qualified(name), args: modelArgs, isClientInitiated: false, prompt_id: config.promptId };
        // One scheduler per call (as scheduleAgentTools does for subagents): the session scheduler would queue the
        // harness's concurrent wait step ahead of every other step.
        const [done] = await scheduleAgentTools(config, [request], { schedulerId: `matrix-${transport}`, ...registries, signal: new AbortController().signal });
        return modelInput(done?.response?.responseParts);
      },
      close: () => manager.stop(),
    };
  },
});

import type { StandardSchemaWithJSON, ToolAnnotations } from '@modelcontextprotocol/server';
import { viewToolMeta, viewsEnabled } from '../apps/index.js';
import type { Config } from '../config.js';
import type { Inventory } from '../inventory.js';
import type { Metrics } from '../metrics/recorder.js';
import { hasOriginalInput, toolName } from '../operations/index.js';
import { isIdempotent } from '../operations/request.js';
import { isDestructive, type Operation } from '../operations/types.js';
import type { Surface, ToolSurface } from '../server.js';
import type { Invoker } from './invoker.js';
import { toolSchema } from './schema.js';
import { TOOL_SCHEMAS } from './tool-schemas.js';

export function annotationsFor(op: Operation, readOnlyMode: boolean): ToolAnnotations {
  const readOnly = op.access === 'read';
  // In read-only mode nothing registered can destroy anything: writes are not registered and SQL is read-only.
  const destructive = !readOnlyMode && isDestructive(op);
  return { title: op.title, readOnlyHint: readOnly, destructiveHint: destructive, idempotentHint: readOnly || isIdempotent(op), openWorldHint: true };
}

type Schema = StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;

interface ToolDefinition {
  op: Operation;
  name: string;
  config: { title: string; description: string; inputSchema: Schema; outputSchema?: Schema; annotations: ToolAnnotations; _meta?: Record<string, unknown> };
}

const definitions = new WeakMap<Inventory, { metrics: Metrics; defs: ToolDefinition[] }>();

/**
 * Name, schemas, annotations and _meta of every exposed operation's tool, made once per inventory (and metrics
 * recorder, one per process): the HTTP transport builds a server per request, and its schemas' JSON is converted
 * (and cached) only once.
 */
function toolDefinitions(inventory: Inventory, config: Pick<Config, 'readOnly' | 'views' | 'discovery'>, metrics: Metrics): ToolDefinition[] {
  const known = definitions.get(inventory);
  if (known?.metrics === metrics) return known.defs;
  const views = viewsEnabled(config);
  const defs = inventory.selected.map((op) => ({
    op,
    name: toolName(op),
    config: {
      title: op.title,
      description: op.description,
      inputSchema: countingRefusals(
        toolSchema(inventory.input(op), { input: hasOriginalInput(op) ? withConfirm(TOOL_SCHEMAS?.[op.id]?.input, inventory.asks(op)) : undefined }),
        toolName(op),
        metrics,
      ),
      ...(op.output ? { outputSchema: toolSchema(op.output, { output: TOOL_SCHEMAS?.[op.id]?.output }) } : {}),
      annotations: annotationsFor(op, config.readOnly),
      ...viewToolMeta(op, views),
    },
  }));
  definitions.set(inventory, { metrics, defs });
  return defs;
}

/**
 * The SDK validates a call's arguments before our handler runs and answers a refusal itself: with metrics on, the
 * schema counts its refusals (as tool calls with outcome invalid_arguments). Unchanged with metrics off.
 */
function countingRefusals(schema: Schema, tool: string, metrics: Metrics): Schema {
  if (!metrics.enabled) return schema;
  const standard = schema['~standard'];
  const validate: typeof standard.validate = async (value) => {
    const result = await standard.validate(value);
    if (result.issues) metrics.invalidArguments(tool);
    return result;
  };
  return { '~standard': { ...standard, validate } } as Schema;
}

/** The build-time JSON Schema of an operation's input, plus the `confirm` string where a person confirms. */
function withConfirm(json: Record<string, unknown> | undefined, asks: boolean): Record<string, unknown> | undefined {
  if (!json || !asks) return json;
  return { ...json, properties: { ...(json.properties as Record<string, unknown>), confirm: { type: 'string' } } };
}

/** One MCP tool per exposed operation. */
export function operationTools(inventory: Inventory, config: Pick<Config, 'readOnly' | 'views' | 'discovery'>, invoker: Invoker): ToolSurface {
  const defs = toolDefinitions(inventory, config, invoker.metrics);
  const byName = new Map(defs.map((d) => [d.name, d]));
  const register: Surface = (server, { tool }) => {
    // What the client declared at initialize (2025-era connections): whether it can show a person a form.
    const client = () => server.server.getClientCapabilities();
    for (const { op, name, config: toolConfig } of tool === undefined ? defs : [byName.get(tool)!]) {
      server.registerTool(name, toolConfig, (args, ctx) => invoker.invoke(op, args, ctx, { client }));
    }
  };
  return Object.assign(register, { names: new Set(byName.keys()) });
}

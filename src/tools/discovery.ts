import { z } from 'zod';
import type { Inventory } from '../inventory.js';
import type { ToolSurface } from '../server.js';
import { toolName } from '../operations/index.js';
import type { Invoker } from './invoker.js';
import { annotationsFor } from './register.js';
import { modelJsonSchema, toolSchema } from './schema.js';

/**
 * Discovery mode: three tools instead of one per operation, for clients with many servers installed.
 * The same selection (toolsets, read-only) applies: an operation that is not selected cannot be found or called.
 */
export function discoveryTools(inventory: Inventory, invoker: Invoker, readOnlyMode: boolean): ToolSurface {
  const selected = inventory.selected;
  const byName = new Map(selected.map((op) => [toolName(op), op]));
  const unknown = (name: string) => ({
    content: [{ type: 'text' as const, text: `No operation "${name}". Use search_operations to find one.` }],
    isError: true,
  });
  const schemas = {
    search: toolSchema(z.object({ query: z.string(), limit: z.number().int().min(1).max(50).default(10) })),
    describe: toolSchema(z.object({ name: z.string() })),
    // A JSON string, not an object: an object with open keys cannot be made strict for OpenAI models.
    call: toolSchema(z.object({ name: z.string(), arguments: z.string().default('{}').describe('JSON object') })),
  };

  const register = (server: Parameters<ToolSurface>[0], { tool }: Parameters<ToolSurface>[1]) => {
    const wanted = (name: string) => tool === undefined || tool === name;
    if (wanted('search_operations')) server.registerTool(
      'search_operations',
      {
        title: 'Search Cluvio operations',
        description: 'Find Cluvio API operations by words (e.g. "dashboard pdf"); returns names and summaries for describe_operation/call_operation.',
        inputSchema: schemas.search,
        annotations: { title: 'Search Cluvio operations', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      async (args) => {
        const { query, limit } = args as { query: string; limit: number };
        const words = query.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
        const scored = selected
          .map((op) => {
            const name = toolName(op);
            const hay = `${name} ${op.toolset} ${op.description}`.toLowerCase();
            const score = words.reduce((s, w) => s + (name.includes(w) ? 3 : 0) + (hay.includes(w) ? 1 : 0), 0);
            return { op, name, score };
          })
          .filter((x) => words.length === 0 || x.score > 0)
          .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
          .slice(0, limit);
        const items = scored.map(({ op, name }) => ({ name, toolset: op.toolset, summary: op.description, read_only: op.access === 'read' }));
        const text = items.length ? items.map((i) => `${i.name}: ${i.summary}`).join('\n') : `No operation matches "${query}".`;
        return { content: [{ type: 'text', text }] };
      },
    );

    if (wanted('describe_operation')) server.registerTool(
      'describe_operation',
      {
        title: 'Describe a Cluvio operation',
        description: 'Input schema and annotations of one operation, before call_operation.',
        inputSchema: schemas.describe,
        annotations: { title: 'Describe a Cluvio operation', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      async (args) => {
        const { name } = args as { name: string };
        const op = byName.get(name);
        if (!op) return unknown(name);
        const described = { name, description: op.description, annotations: annotationsFor(op, readOnlyMode), input_schema: modelJsonSchema(inventory.input(op), 'input') };
        return { content: [{ type: 'text', text: JSON.stringify(described) }] };
      },
    );

    if (wanted('call_operation')) server.registerTool(
      'call_operation',
      {
        title: 'Call a Cluvio operation',
        description: 'Call an operation by name with arguments matching its input schema (see describe_operation).',
        inputSchema: schemas.call,
        annotations: { title: 'Call a Cluvio operation', readOnlyHint: readOnlyMode, destructiveHint: !readOnlyMode, idempotentHint: false, openWorldHint: true },
      },
      async (args, ctx) => {
        const { name, arguments: json } = args as { name: string; arguments: string };
        const op = byName.get(name);
        if (!op) return unknown(name);
        let input: unknown;
        try {
          input = JSON.parse(json);
        } catch (err) {
          invoker.metrics.invalidArguments(name);
          return { content: [{ type: 'text', text: `Invalid arguments for ${name}: not JSON (${(err as Error).message}). Pass a JSON object, e.g. {"id":"…"}.` }], isError: true };
        }
        const checked = await toolSchema(inventory.input(op))['~standard'].validate(input);
        if ('issues' in checked && checked.issues) {
          invoker.metrics.invalidArguments(name);
          const problems = checked.issues.map((i) => `${(i.path ?? []).map(String).join('.') || 'arguments'}: ${i.message}`).join('; ');
          return { content: [{ type: 'text', text: `Invalid arguments for ${name}: ${problems}` }], isError: true };
        }
        // call_operation declares no output schema, so its results carry no structuredContent.
        return invoker.invoke(op, checked.value as Record<string, unknown>, ctx, { structured: false, client: () => server.server.getClientCapabilities() });
      },
    );
  };
  return Object.assign(register, { names: new Set(['search_operations', 'describe_operation', 'call_operation']) });
}

import type { McpServer, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server';
import { toolName } from '../operations/index.js';
import { buildRequest, isIdempotent, routeParts } from '../operations/request.js';
import type { CallContext, Deps, Operation } from '../operations/types.js';
import type { ToolOutput } from '../results/output.js';
import { errorOutput } from './errors.js';
import { present } from './present.js';

export function annotationsFor(op: Operation): ToolAnnotations {
  const { method } = routeParts(op.route);
  const readOnly = op.access === 'read';
  return {
    title: op.title,
    readOnlyHint: readOnly,
    destructiveHint: readOnly ? false : (op.destructive ?? ['DELETE', 'PATCH', 'PUT'].includes(method)),
    idempotentHint: readOnly || isIdempotent(op),
    openWorldHint: true,
  };
}

/** Registers one MCP tool per catalog entry. */
export function registerTools(server: McpServer, operations: readonly Operation[], deps: Deps): void {
  const byId = new Map(operations.map((op) => [op.id, op]));
  for (const op of operations) {
    const name = toolName(op);
    server.registerTool(
      name,
      {
        title: op.title,
        description: op.description,
        inputSchema: op.input,
        ...(op.output ? { outputSchema: op.output } : {}),
        annotations: annotationsFor(op),
      },
      async (args: Record<string, unknown>, ctx: ServerContext) => {
        const call = callContext(deps, byId, ctx);
        let out: ToolOutput;
        try {
          out = op.handler ? await op.handler(args, call) : present(op, args, await call.request(op, args), deps.config.revealSecrets);
        } catch (err) {
          if (ctx.mcpReq.signal.aborted) deps.logger.info({ tool: name }, 'call cancelled by the client');
          else deps.logger.warn({ tool: name, error: (err as Error).message }, 'tool failed');
          out = errorOutput(name, err);
        }
        return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured, ...(out.isError ? { isError: true } : {}) };
      },
    );
  }
}

function callContext(deps: Deps, byId: Map<string, Operation>, ctx: ServerContext): CallContext {
  const signal = ctx.mcpReq.signal;
  const token = ctx.mcpReq._meta?.progressToken;
  let last = -Infinity;
  return {
    ...deps,
    signal,
    progress(progress, total, message) {
      if (token === undefined || progress <= last) return;
      last = progress;
      ctx.mcpReq
        .notify({ method: 'notifications/progress', params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), message } })
        .catch(() => undefined);
    },
    async request(op, args, extra = {}) {
      const res = await deps.api.send(buildRequest(op, args, { ...extra, signal: extra.signal ?? signal }));
      return res.body;
    },
    operation(id) {
      const op = byId.get(id);
      if (!op) throw new Error(`operation ${id} is not in the catalog`);
      return op;
    },
  };
}

import type { CallToolResult, McpServer, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server';
import { viewToolMeta, viewsEnabled } from '../apps/index.js';
import { hasOriginalInput, toolName } from '../operations/index.js';
import { buildRequest, isIdempotent, routeParts } from '../operations/request.js';
import type { CallContext, Deps, Operation } from '../operations/types.js';
import { operationDone } from '../resources/events.js';
import type { ToolOutput } from '../results/output.js';
import { errorOutput } from './errors.js';
import { present } from './present.js';
import { toolSchema } from './schema.js';
import { TOOL_SCHEMAS } from './tool-schemas.js';

export function annotationsFor(op: Operation, readOnlyMode: boolean): ToolAnnotations {
  const { method } = routeParts(op.route);
  const readOnly = op.access === 'read';
  // In read-only mode nothing registered can destroy anything: writes are not registered and SQL is read-only.
  const destructive = !readOnly && !readOnlyMode && (op.destructive ?? ['DELETE', 'PATCH', 'PUT'].includes(method));
  return { title: op.title, readOnlyHint: readOnly, destructiveHint: destructive, idempotentHint: readOnly || isIdempotent(op), openWorldHint: true };
}

/** Runs one operation for one MCP call: guard, handler or plain request, errors as tool results. */
export class Invoker {
  private readonly byId: Map<string, Operation>;

  constructor(
    readonly operations: readonly Operation[],
    private readonly deps: Deps,
  ) {
    this.byId = new Map(operations.map((op) => [op.id, op]));
  }

  /** MCP Apps views are on for these tools (see src/apps). */
  get views(): boolean {
    return viewsEnabled(this.deps.config);
  }

  /**
   * `structured`: whether the tool that was called declares the operation's output schema. structuredContent is
   * sent only then, and never on errors: clients validate it against the output schema (the v1 SDK even when
   * isError is set), and several hand the model its JSON instead of, or beside, our text (see README, Clients).
   */
  async invoke(op: Operation, args: Record<string, unknown>, ctx: ServerContext, { structured = op.output !== undefined } = {}): Promise<CallToolResult> {
    const name = toolName(op);
    const call = this.callContext(ctx);
    let out: ToolOutput;
    this.deps.activity?.enter();
    try {
      const refusal = this.deps.config.readOnly ? op.readOnlyGuard?.(args) : undefined;
      if (refusal) out = { text: `${name} refused: ${refusal}.`, structured: { error: { message: refusal } }, isError: true };
      else if (op.handler) out = await op.handler(args, call);
      else out = present(op, args, await call.request(op, args), this.deps.config.revealSecrets);
      // Anything that may have changed the account: resources invalidate caches and announce list changes.
      if (!out.isError && op.access !== 'read') operationDone({ op, args, api: this.deps.api });
    } catch (err) {
      if (ctx.mcpReq.signal.aborted) this.deps.logger.info({ tool: name }, 'call cancelled by the client');
      else this.deps.logger.warn({ tool: name, error: (err as Error).message }, 'tool failed');
      out = errorOutput(name, err);
    } finally {
      this.deps.activity?.leave();
    }
    return {
      content: [{ type: 'text', text: out.text }, ...(out.extra ?? [])],
      ...(out.isError ? { isError: true } : structured ? { structuredContent: out.structured } : {}),
    };
  }

  private callContext(ctx: ServerContext): CallContext {
    const { api, data, config, logger, queries } = this.deps;
    const signal = callSignal(ctx.mcpReq.signal);
    const token = ctx.mcpReq._meta?.progressToken;
    let last = -Infinity;
    return {
      api,
      data,
      config,
      logger,
      signal,
      queries,
      progress(progress, total, message) {
        if (token === undefined || progress <= last) return;
        last = progress;
        ctx.mcpReq
          .notify({ method: 'notifications/progress', params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), message } })
          .catch(() => undefined);
      },
      request: async (op, args, extra = {}) => (await api.send(buildRequest(op, args, { ...extra, signal: extra.signal ?? signal }))).body,
      operation: (id) => {
        const op = this.byId.get(id);
        if (!op) throw new Error(`operation ${id} is not in the catalog`);
        return op;
      },
    };
  }
}

/**
 * The call's abort signal, with an Error as its reason. The SDK aborts with the client's
 * notifications/cancelled `reason`, a plain string (or undefined); code below treats whatever a
 * failed request throws as an Error, and a thrown string was taken for a successful answer (an
 * empty body), so a cancelled refresh_dashboard "finished" with no reports and cancelled nothing.
 */
export function callSignal(mcp: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = () => {
    const reason: unknown = mcp.reason;
    controller.abort(reason instanceof Error ? reason : new DOMException(`cancelled by the client${reason === undefined ? '' : `: ${String(reason)}`}`, 'AbortError'));
  };
  if (mcp.aborted) abort();
  else mcp.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

/** One MCP tool per selected operation. */
export function registerOperationTools(server: McpServer, selected: readonly Operation[], invoker: Invoker, readOnlyMode: boolean): void {
  for (const op of selected) {
    server.registerTool(
      toolName(op),
      {
        title: op.title,
        description: op.description,
        inputSchema: toolSchema(op.input, { input: hasOriginalInput(op) ? TOOL_SCHEMAS?.[op.id]?.input : undefined }),
        ...(op.output ? { outputSchema: toolSchema(op.output, { output: TOOL_SCHEMAS?.[op.id]?.output }) } : {}),
        annotations: annotationsFor(op, readOnlyMode),
        ...viewToolMeta(op.id, invoker.views),
      },
      (args, ctx) => invoker.invoke(op, args, ctx),
    );
  }
}

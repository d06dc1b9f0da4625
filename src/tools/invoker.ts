import { CLIENT_CAPABILITIES_META_KEY, type CallToolResult, type ClientCapabilities, type InputRequiredResult, type ServerContext } from '@modelcontextprotocol/server';
import type { CallContext, Deps } from '../context.js';
import { genericQuestion } from '../operations/confirm.js';
import { toolName } from '../operations/index.js';
import { buildRequest, InvalidPathParameterError } from '../operations/request.js';
import type { Operation } from '../operations/types.js';
import { noMetrics, type Metrics, type ToolOutcome } from '../metrics/recorder.js';
import type { ToolOutput } from '../results/output.js';
import { canElicitForm } from './confirm.js';
import { errorOutput } from './errors.js';
import { present } from './present.js';

export interface InvokeOptions {
  /**
   * Whether the tool that was called declares the operation's output schema. structuredContent is sent only
   * then, and never on errors: clients validate it against the output schema (the v1 SDK even when isError is
   * set), and several hand the model its JSON instead of, or beside, our text (see README, Clients).
   */
  structured?: boolean;
  /** What the client declared at initialize (2025-era connections); 2026-07-28 requests carry their own. */
  client?: () => ClientCapabilities | undefined;
}

/**
 * Runs one operation for one MCP call — the runtime core every tool goes through: read-only guard, a person's
 * confirmation (CLUVIO_CONFIRM), the operation's handler or its one request, the answer presented, any failure
 * as a tool error.
 */
export class Invoker {
  /** Where tool calls are counted (their outcome and duration); also told of arguments refused before a call runs. */
  readonly metrics: Metrics;

  constructor(private readonly deps: Deps) {
    if (deps.inventory.confirmPolicy !== 'off' && !deps.confirmations) throw new Error('CLUVIO_CONFIRM is on but no Confirmations were given');
    this.metrics = deps.metrics ?? noMetrics;
  }

  async invoke(op: Operation, args: Record<string, unknown>, ctx: ServerContext, { structured = op.output !== undefined, client }: InvokeOptions = {}): Promise<CallToolResult | InputRequiredResult> {
    const name = toolName(op);
    const call = this.callContext(op, ctx);
    let out: ToolOutput;
    const finished = this.metrics.toolCall(name);
    let outcome: ToolOutcome = 'tool_error';
    this.deps.activity?.enter();
    try {
      const refusal = this.deps.config.readOnly ? op.readOnlyGuard?.(args) : undefined;
      if (refusal) {
        out = { text: `${name} refused: ${refusal}.`, isError: true };
        outcome = 'refused';
      } else {
        if (this.deps.inventory.asks(op)) {
          const { confirm, ...rest } = args;
          args = rest;
          // 2026-07-28 requests carry the client's capabilities in their envelope; 2025 connections declared them at initialize.
          const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
          const caps = envelope ? (envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) : client?.();
          const gate = await this.deps.confirmations!.gate({
            tool: name,
            args,
            confirm,
            keyId: this.deps.api.keyId,
            ctx,
            elicit: canElicitForm(caps),
            describe: () => (op.confirm?.describe ? op.confirm.describe(args, call) : genericQuestion(op, args, call)),
          });
          if (!gate.proceed) {
            const refused = 'isError' in gate.result && gate.result.isError === true;
            this.deps.logger.info({ tool: name }, refused ? 'not confirmed: nothing run' : 'asked a person to confirm');
            outcome = refused ? 'refused' : 'confirmation_requested';
            return gate.result;
          }
          this.deps.logger.info({ tool: name }, 'confirmed by a person');
        }
        if (op.handler) out = await op.handler(args, call);
        else out = present(op, args, await call.request(op, args), this.deps.config.revealSecrets);
        outcome = ctx.mcpReq.signal.aborted ? 'cancelled' : out.isError ? 'tool_error' : 'ok';
      }
      // Anything that may have changed the account: resources invalidate caches and announce list changes.
      if (!out.isError && op.access !== 'read') this.deps.hub.operationDone({ op, args, api: this.deps.api });
    } catch (err) {
      if (ctx.mcpReq.signal.aborted) this.deps.logger.info({ tool: name }, 'call cancelled by the client');
      else this.deps.logger.warn({ tool: name, error: (err as Error).message }, 'tool failed');
      out = errorOutput(name, err, op);
      outcome = ctx.mcpReq.signal.aborted ? 'cancelled' : err instanceof InvalidPathParameterError ? 'invalid_arguments' : 'tool_error';
    } finally {
      this.deps.activity?.leave();
      finished(outcome);
    }
    return {
      content: [{ type: 'text', text: out.text }, ...(out.extra ?? [])],
      ...(out.isError ? { isError: true } : structured ? { structuredContent: out.structured } : {}),
    };
  }

  private callContext(op: Operation, ctx: ServerContext): CallContext {
    const { api, data, config, logger, queries, inventory, hub } = this.deps;
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
      searchIndexes: hub?.search,
      op,
      ops: inventory.ops,
      progress(progress, total, message) {
        if (token === undefined || progress <= last) return;
        last = progress;
        ctx.mcpReq
          .notify({ method: 'notifications/progress', params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), message } })
          .catch(() => undefined);
      },
      request: async (target, args, extra = {}) => (await api.send(buildRequest(target, args, { ...extra, signal: extra.signal ?? signal }))).body,
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

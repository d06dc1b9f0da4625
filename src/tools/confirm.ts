import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inputRequired, inputResponse, type CallToolResult, type ClientCapabilities, type InputRequiredResult, type ServerContext } from '@modelcontextprotocol/server';
import { policyAsks, type ConfirmClass, type ConfirmPolicy, type Question } from '../operations/types.js';

/** How long a preview's confirm token (and a question's request state) stays valid. */
export const CONFIRM_TTL_MS = 5 * 60_000;

/**
 * Whether the client can put a form in front of a person: it declared form elicitation, in the request's envelope
 * (2026-07-28) or at initialize (2025). `elicitation: {}` is form mode (the 2025-06-18 shape).
 */
export function canElicitForm(caps: ClientCapabilities | undefined): boolean {
  const e = caps?.elicitation as { form?: unknown; url?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  return e.form !== undefined || e.url === undefined;
}

/** One confirmation: the call it is for, and how it travels. */
export interface Gate {
  /** The tool name (call_operation: the operation's). */
  tool: string;
  /** The call's arguments, without `confirm`. */
  args: Record<string, unknown>;
  /** The `confirm` argument as the model sent it. */
  confirm: unknown;
  /** Which Cluvio API key the call runs with (ApiClient.keyId): a token is good for that key only. */
  keyId: string;
  ctx: ServerContext;
  /** The client can show a form: ask through elicitation (2025: the SDK's shim pushes it; 2026: input_required). */
  elicit: boolean;
  /** The question, built from the object (fetched): throws when the object does not exist. */
  describe: () => Promise<Question>;
}

export type GateResult = { proceed: true } | { proceed: false; result: CallToolResult | InputRequiredResult };

type Mode = 'e' | 't';
type Refusal = 'forged' | 'args' | 'key' | 'expired' | 'used';

/**
 * The confirmations of one process: the signing key and the tokens already used. Built once (serve.ts), shared by
 * every session, HTTP request and per-user key.
 *
 * A token — the `confirm` argument after a preview, or the request state of a question (2026-07-28
 * input_required) — is `c<mode>.<expiry>.<nonce>.<args tag>.<key tag>.<signature>`: an HMAC-SHA256 over the
 * mode, expiry, nonce, tool, arguments (canonical JSON), API key identity and the text to type, under a
 * key of CLUVIO_CONFIRM_SECRET (random per process when unset). Tags (short HMACs of the arguments and of the key)
 * only let a refusal say what differs; the signature decides. It holds no argument values. Single use: the nonce
 * is remembered in this process until the token expires.
 */
export class Confirmations {
  private readonly key: Buffer;
  private readonly used = new Map<string, number>();

  constructor(
    readonly policy: ConfirmPolicy,
    opts: { secret?: string; now?: () => number; ttlMs?: number } = {},
  ) {
    this.key = createHmac('sha256', opts.secret ?? randomBytes(32)).update('cluvio-mcp confirm v1').digest();
    this.now = opts.now ?? (() => Date.now());
    this.ttlMs = opts.ttlMs ?? CONFIRM_TTL_MS;
  }

  private readonly now: () => number;
  private readonly ttlMs: number;

  asks(cls: ConfirmClass | undefined): boolean {
    return policyAsks(this.policy, cls);
  }

  /** Runs the call when confirmed; otherwise the result to answer with (a question, a preview or a refusal). */
  async gate(g: Gate): Promise<GateResult> {
    return g.elicit ? this.elicitGate(g) : this.tokenGate(g);
  }

  /** A client that can ask: the question as input_required (request state = a signed token), then the answer. */
  private async elicitGate(g: Gate): Promise<GateResult> {
    const state = g.ctx.mcpReq.requestState();
    if (typeof state !== 'string') {
      const q = await g.describe();
      const properties: Record<string, { type: 'boolean'; title: string; default: boolean } | { type: 'string'; title: string }> = {
        confirm: { type: 'boolean', title: 'Yes, go ahead', default: false },
      };
      if (q.typeToConfirm) properties.name = { type: 'string', title: `Type ${q.typeToConfirm} to confirm` };
      const requestState = `${this.mint('e', g, q.typeToConfirm)}${q.typeToConfirm ? `.${Buffer.from(q.typeToConfirm).toString('base64url')}` : ''}`;
      return {
        proceed: false,
        result: inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: q.message, requestedSchema: { type: 'object', properties, required: Object.keys(properties) } }) },
          requestState,
        }),
      };
    }
    const [token, typed64] = splitState(state);
    const expected = typed64 === undefined ? undefined : Buffer.from(typed64, 'base64url').toString();
    const refusal = this.verify('e', token, g, expected);
    if (refusal) return refuse(g.tool, refusal, false);
    const answer = inputResponse(g.ctx.mcpReq.inputResponses, 'confirm');
    if (answer.kind !== 'elicit') return notConfirmed(g.tool, 'no answer came back');
    if (answer.action === 'decline') return notConfirmed(g.tool, 'the person declined');
    if (answer.action === 'cancel') return notConfirmed(g.tool, 'the person dismissed the question');
    if (answer.content?.confirm !== true) return notConfirmed(g.tool, 'the box was left unticked');
    if (expected !== undefined) {
      const typed = typeof answer.content.name === 'string' ? answer.content.name.trim() : '';
      if (typed !== expected) return notConfirmed(g.tool, `the name typed (${JSON.stringify(typed)}) is not ${JSON.stringify(expected)}`);
    }
    return { proceed: true };
  }

  /** A client that cannot ask: a preview and a token first; the same call with `confirm: <token>` runs. */
  private async tokenGate(g: Gate): Promise<GateResult> {
    if (g.confirm === undefined || g.confirm === null || g.confirm === '') {
      const q = await g.describe();
      const token = this.mint('t', g);
      const text =
        `Not done yet, nothing changed: ${g.tool} needs the person's confirmation. Ask them: "${q.message}" ` +
        `If they agree, call ${g.tool} again with the same arguments and confirm: "${token}" (valid ${Math.round(this.ttlMs / 60_000)} minutes, once).`;
      return { proceed: false, result: { content: [{ type: 'text', text }] } };
    }
    const refusal = this.verify('t', String(g.confirm), g);
    return refusal ? refuse(g.tool, refusal, true) : { proceed: true };
  }

  private mint(mode: Mode, g: Pick<Gate, 'tool' | 'args' | 'keyId'>, typed?: string): string {
    const expiry = (this.now() + this.ttlMs).toString(36);
    const nonce = randomBytes(9).toString('base64url');
    const fields = [`c${mode}`, expiry, nonce, this.tag('a', g.tool, canonical(g.args)), this.tag('k', g.keyId)];
    return [...fields, this.sign(fields, g, typed)].join('.');
  }

  /** Undefined when the token is good (and now spent), or why it is refused. */
  private verify(mode: Mode, token: string, g: Pick<Gate, 'tool' | 'args' | 'keyId'>, typed?: string): Refusal | undefined {
    const parts = token.split('.');
    if (parts.length !== 6 || parts[0] !== `c${mode}`) return 'forged';
    const fields = parts.slice(0, 5);
    const good = safeEqual(parts[5]!, this.sign(fields, g, typed));
    if (!good) {
      // Say what differs where the tags can tell; both differ when another key signed it (a replica without the same secret).
      const keyDiffers = !safeEqual(fields[4]!, this.tag('k', g.keyId));
      const argsDiffer = !safeEqual(fields[3]!, this.tag('a', g.tool, canonical(g.args)));
      if (keyDiffers !== argsDiffer) return keyDiffers ? 'key' : 'args';
      return 'forged';
    }
    const expiry = parseInt(fields[1]!, 36);
    const now = this.now();
    if (!(expiry > now)) return 'expired';
    for (const [nonce, until] of this.used) if (until <= now) this.used.delete(nonce);
    if (this.used.has(fields[2]!)) return 'used';
    this.used.set(fields[2]!, expiry);
    return undefined;
  }

  private tag(...parts: string[]): string {
    return createHmac('sha256', this.key).update(parts.join('\0')).digest().subarray(0, 6).toString('base64url');
  }

  private sign(fields: string[], g: Pick<Gate, 'tool' | 'args' | 'keyId'>, typed?: string): string {
    return createHmac('sha256', this.key)
      .update([...fields, g.tool, canonical(g.args), g.keyId, typed ?? ''].join('\0'))
      .digest()
      .subarray(0, 18)
      .toString('base64url');
  }
}

/** The request state of a question: the token, then the text to type (base64url) when there is one. */
function splitState(state: string): [string, string | undefined] {
  const parts = state.split('.');
  return parts.length === 7 ? [parts.slice(0, 6).join('.'), parts[6]] : [state, undefined];
}

/** JSON with keys sorted at every level and undefined left out: the same arguments always give the same text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const REASONS: Record<Refusal, string> = {
  forged: 'the confirmation is not one this server issued for this call',
  args: 'the arguments differ from the ones the confirmation was issued for (or it was issued for another tool)',
  key: 'the confirmation was issued for another Cluvio API key',
  expired: `the confirmation expired (each is valid ${CONFIRM_TTL_MS / 60_000} minutes)`,
  used: 'the confirmation was already used (each is good for one call)',
};

function refuse(tool: string, why: Refusal, preview: boolean): GateResult {
  const next = preview ? ` Call ${tool} without confirm for a new preview, and ask the person again.` : ' Call it again to ask the person again.';
  return { proceed: false, result: { content: [{ type: 'text', text: `${tool} refused: ${REASONS[why]}. Nothing was changed.${next}` }], isError: true } };
}

function notConfirmed(tool: string, why: string): GateResult {
  return { proceed: false, result: { content: [{ type: 'text', text: `${tool} not confirmed (${why}); nothing changed.` }], isError: true } };
}

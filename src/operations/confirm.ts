import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import type { CallContext } from '../context.js';
import { routeParts } from './request.js';
import type { Operation, Question } from './types.js';

/**
 * The questions a person is asked before a write runs (CLUVIO_CONFIRM): one sentence built from the object
 * itself, fetched first, so the person sees its name and what hangs off it, not only an id. A fetch that fails
 * (the object does not exist) fails the call as it would have failed without asking.
 */

/** "Dashboard Schedule" → "dashboard schedule"; acronyms stay ("SQL Alert" → "SQL alert"). */
function phrase(title: string): string {
  return title
    .split(' ')
    .map((w) => (/^[A-Z0-9]+$/.test(w) && w.length > 1 ? w : w.toLowerCase()))
    .join(' ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How an object is named for a person: its name, e-mail or title, and its id. */
export function label(noun: string, obj: Flat | undefined, id: unknown): string {
  const name = [obj?.name, obj?.email, obj?.title].find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
  return name ? `${noun} '${name}' (${String(id)})` : `${noun} ${String(id)}`;
}

/** The read operation of the object an `{id}` operation acts on (GET /dashboards/{id} for DELETE /dashboards/{id}/share). */
function getterOf(op: Operation, ctx: CallContext): Operation | undefined {
  const { path } = routeParts(op.route);
  const end = path.indexOf('{id}');
  if (end < 0) return undefined;
  const objectPath = path.slice(0, end + '{id}'.length);
  return Object.values(ctx.ops).find((o) => o.access === 'read' && o.route === `GET ${objectPath}`);
}

/** The object an operation acts on, flattened, with the noun a person knows it by; undefined for operations on no object. */
export async function objectOf(op: Operation, args: Record<string, unknown>, ctx: CallContext): Promise<{ noun: string; obj: Flat } | undefined> {
  const getter = getterOf(op, ctx);
  if (!getter || args.id === undefined) return undefined;
  const doc = flattenDocument(await ctx.request(getter, { id: args.id }));
  const obj = doc.data && !Array.isArray(doc.data) ? doc.data : { id: args.id };
  return { noun: phrase(getter.title.replace(/^Get /, '')), obj };
}

/** Distinct addresses in comma-separated e-mail fields (emails, cc_emails, bcc_emails). */
export function recipients(from: Record<string, unknown>): number {
  const all = new Set<string>();
  for (const key of ['emails', 'cc_emails', 'bcc_emails']) {
    const v = from[key];
    if (typeof v !== 'string') continue;
    for (const a of v.split(',')) if (a.trim()) all.add(a.trim().toLowerCase());
  }
  return all.size;
}

/** Arguments that say what changes: everything but the id and this server's own waiting arguments. */
function changed(args: Record<string, unknown>): string[] {
  return Object.keys(args).filter((k) => k !== 'id' && k !== 'max_wait_seconds' && args[k] !== undefined);
}

/**
 * The question for any write, from its title and its object: "Delete dashboard group 'Operations'
 * (dgrp-operations)?", "Update report 'Top airports' (rep-top-airports), changing sql_query?", "Update the
 * layout of dashboard 'Flight Operations' (dash-ops-0001)?", "Create dashboard schedule 'Weekly', e-mailing 3
 * recipients?".
 */
export async function genericQuestion(op: Operation, args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const [verb, ...rest] = op.title.split(' ');
  const what = phrase(rest.join(' '));
  const target = await objectOf(op, args, ctx);
  let sentence: string;
  if (target) {
    const named = label(target.noun, target.obj, args.id);
    if (what === target.noun) sentence = `${verb} ${named}`;
    else if (what.startsWith(`${target.noun} `)) sentence = `${verb} the ${what.slice(target.noun.length + 1)} of ${named}`;
    else sentence = `${verb} ${what} of ${named}`;
    const method = routeParts(op.route).method;
    const fields = changed(args);
    if ((method === 'PATCH' || method === 'PUT') && fields.length) sentence += `, changing ${fields.join(', ')}`;
  } else {
    const name = [args.name, args.email].find((v) => typeof v === 'string') as string | undefined;
    sentence = `${verb} ${what}${name ? ` '${name}'` : ''}`;
  }
  const n = recipients(args);
  if (n > 0) sentence += `, e-mailing ${plural(n, 'recipient')}`;
  return { message: `${sentence}?` };
}

/** Delete Dashboard: "Delete dashboard 'Flight Operations' (dash-ops-0001) with 3 reports and 1 schedule?" */
export async function deleteDashboardQuestion(args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const target = (await objectOf(ctx.op, args, ctx))!;
  const reports = Array.isArray(target.obj.report_ids) ? target.obj.report_ids.length : 0;
  const schedules = flattenDocument(await ctx.request(ctx.ops.listDashboardSchedules, {})).data;
  const own = Array.isArray(schedules) ? schedules.filter((s) => s.dashboard_id === args.id).length : 0;
  const parts = [reports ? plural(reports, 'report') : '', own ? plural(own, 'schedule') : ''].filter(Boolean);
  return { message: `Delete ${label('dashboard', target.obj, args.id)}${parts.length ? ` with ${parts.join(' and ')}` : ''}?` };
}

/** Delete Datasource: the person types its name, as GitHub asks before deleting a repository. */
export async function deleteDatasourceQuestion(args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const target = (await objectOf(ctx.op, args, ctx))!;
  const name = typeof target.obj.name === 'string' && target.obj.name.trim() ? target.obj.name.trim() : String(args.id);
  return { message: `Delete ${label('datasource', target.obj, args.id)}? Reports and alerts that query it stop working. Type its name to confirm.`, typeToConfirm: name };
}

/** Update User: "Change the role of ana@example.com from analyst to viewer?" */
export async function updateUserQuestion(args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const target = (await objectOf(ctx.op, args, ctx))!;
  const who = typeof target.obj.email === 'string' ? `${target.obj.email} (${String(args.id)})` : `user ${String(args.id)}`;
  const parts: string[] = [];
  if (args.role !== undefined) parts.push(`the role of ${who} from ${String(target.obj.role ?? 'unknown')} to ${String(args.role)}`);
  if (Array.isArray(args.user_group_ids)) {
    const groups = args.user_group_ids.length ? args.user_group_ids.join(', ') : 'none';
    parts.push(`${parts.length ? 'their' : `the`} groups${parts.length ? '' : ` of ${who}`} to ${groups}`);
  }
  return { message: parts.length ? `Change ${parts.join(', and ')}?` : `Update ${who}?` };
}

/** Trigger Dashboard Schedule: "Send dashboard schedule 'Weekly ops' (sched-1) to 14 recipients now?" */
export async function triggerScheduleQuestion(args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const target = (await objectOf(ctx.op, args, ctx))!;
  return { message: `Send ${label('dashboard schedule', target.obj, args.id)} to ${plural(recipients(target.obj), 'recipient')} now?` };
}

/** Run SQL Alert Query: the alert e-mails its recipients when it triggers. */
export async function runAlertQuestion(args: Record<string, unknown>, ctx: CallContext): Promise<Question> {
  const target = (await objectOf(ctx.op, args, ctx))!;
  return { message: `Run ${label('SQL alert', target.obj, args.id)} now? If it triggers, it e-mails ${plural(recipients(target.obj), 'recipient')}.` };
}

/** Invite User: nothing to fetch; the sentence says who gets an e-mail and what access. */
export async function inviteUserQuestion(args: Record<string, unknown>): Promise<Question> {
  return { message: `Invite ${String(args.email)} as ${String(args.role ?? 'viewer')}? Cluvio e-mails them an invitation.` };
}

/**
 * Runs the plan against one account: every answer compared with the reference and presented by the tool's own
 * code, ids carried from lists to the operations that need them, routes that are not found tried at their
 * candidates. Read-only by construction: `send` refuses any request but GET, except — with --run-query — the
 * execution start (SELECT 1) and the cancel that cleans it up.
 */
import type { ApiClient, ApiRequest } from '../cluvio/api-client.js';
import type { DataClient, DataGrant } from '../cluvio/data-client.js';
import { CluvioApiError, CluvioNetworkError } from '../cluvio/errors.js';
import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import { REGIONS, type Config } from '../config.js';
import type { CallContext } from '../context.js';
import type { Inventory, Ops } from '../inventory.js';
import type { Logger } from '../logger.js';
import { buildRequest, routeParts } from '../operations/request.js';
import { requiredPermission, type Operation, type Toolset } from '../operations/types.js';
import type { ToolOutput } from '../results/output.js';
import { present } from '../tools/present.js';
import { finish, RUNNING } from '../workflows/executions.js';
import { classify, NO_SUCH_ID, NO_SUCH_ROUTE, signature, type NotFoundProbes, type SentRequest } from './not-found.js';
import { readPlan, paramsOf, type ById, type Plan } from './plan.js';
import { documented, operationIdOf } from './reference.js';
import { compare, isObject, type Answer, type Differences } from './shape.js';

export type Verdict = 'passed' | 'found elsewhere' | 'not checked' | 'forbidden' | 'route not found' | 'failed';

export interface Row {
  /** The operation id, or the data-server operation's name (getSchemaData). */
  operation: string;
  /** The configured route; a data-server read is "GET /{data_key} (data server)". */
  route: string;
  toolset: Toolset;
  verdict: Verdict;
  status?: number;
  ms?: number;
  /** Why it was not checked, what failed, or what the key lacks. */
  reason?: string;
  differences?: Differences;
  /** The candidate route that answered as documented. */
  found?: string;
  /** Candidate routes tried, in order, with what each answered (the found one last). */
  tried?: Array<{ route: string; status?: number; ms: number }>;
  /** What came (kept for the recording). */
  answer?: Answer;
}

/** The key or the server was refused before anything could be checked: one sentence says why. */
export class CheckAbort extends Error {
  override name = 'CheckAbort';
}

/** What `send` gives: the answer, or the failure, with the time it took and what was sent. */
type Sent = { ms: number; sent: SentRequest } & ({ answer: Answer } | { error: unknown });

export interface Probe {
  status?: number;
  contentType?: string;
  details?: string[];
}

const QUERY = 'SELECT 1';
/** How long --run-query waits for SELECT 1 (the sandbox's SQL engine may still be starting). */
const QUERY_WAIT_SECONDS = 40;

export class Checker {
  readonly rows: Row[] = [];
  /** Operation id → the candidate route that answered as documented. */
  readonly found: Record<string, string> = {};
  readonly probes: NotFoundProbes & { routeAnswer?: Probe; objectAnswer?: Probe } = {};
  readonly plan: Plan;
  /** What --run-query left behind, said in the report. */
  cleanup?: string;
  /** Kind → the first id its collection listed (null: it listed none); kind → the first id seen anywhere. */
  private readonly listed = new Map<string, string | null>();
  private readonly seen = new Map<string, string>();
  private readonly collectionOf = new Map<string, Row>();
  private started?: string;
  /** Nothing cancels a check: a signal that never aborts, for the requests and the tools' handlers. */
  private readonly signal = new AbortController().signal;

  constructor(
    private readonly deps: { api: ApiClient; data: DataClient; config: Config; logger: Logger; inventory: Inventory },
    private readonly runQuery: boolean,
  ) {
    this.plan = readPlan(deps.inventory);
  }

  async run(): Promise<void> {
    for (const [i, op] of this.plan.collections.entries()) {
      await this.step(op, {}, { verifiesKey: i === 0 });
      const kind = this.documented(op).jsonapi?.type;
      if (kind) this.collectionOf.set(kind, this.rows.at(-1)!);
      if (i === 0) await this.probeNotFound();
    }
    if (this.runQuery) await this.startQuery();
    for (const item of this.plan.byId) await this.byId(item);
    if (this.runQuery) await this.cleanUp();
  }

  /** The catalog's operation with the route found elsewhere, if one was. */
  private opFor(op: Operation): Operation {
    const route = this.found[op.id];
    return route ? { ...op, route } : op;
  }

  private get ops(): Ops {
    return Object.fromEntries(this.deps.inventory.all.map((op) => [op.id, this.opFor(op)])) as Ops;
  }

  /** The only way check talks to the API server: GET, or with --run-query the execution start and its cancel. */
  private async send(op: Operation, args: Record<string, unknown>, query?: ApiRequest['query']): Promise<Sent> {
    const { method, params } = routeParts(op.route);
    const { runExecution, cancelExecution } = this.deps.inventory.ops;
    if (method !== 'GET' && !(this.runQuery && (op.id === runExecution.id || op.id === cancelExecution.id))) {
      throw new Error(`check sends no ${method} request (${op.id}): it changes nothing`);
    }
    const req = buildRequest(op, args, { signal: this.signal, query });
    return this.transmit(req, { method, path: req.path, ids: params.map((p) => String(args[p] ?? '')) });
  }

  private async transmit(req: ApiRequest, sent: SentRequest): Promise<Sent> {
    const t = performance.now();
    try {
      const res = await this.deps.api.send(req);
      return { ms: Math.round(performance.now() - t), sent, answer: { status: res.status, contentType: res.contentType, body: res.body } };
    } catch (error) {
      return { ms: Math.round(performance.now() - t), sent, error };
    }
  }

  /** A request for a handler (presenting an answer, cleaning up): its body, or the failure thrown. */
  private async request(op: Operation, args: Record<string, unknown>, query?: ApiRequest['query']): Promise<unknown> {
    const r = await this.send(op, args, query);
    if ('error' in r) throw r.error;
    return r.answer.body;
  }

  private context(op: Operation): CallContext {
    const { api, data, config, logger } = this.deps;
    return {
      api,
      data,
      config,
      logger,
      signal: this.signal,
      op: this.opFor(op),
      ops: this.ops,
      progress: () => undefined,
      request: (target, args, extra) => this.request(target, args, extra?.query),
    };
  }

  /**
   * One operation: send, compare, present. A 404 or 405 that is not an unknown object sends the candidates in turn
   * (GET ones; a POST one only for the execution start under --run-query). Resolves the body when it answered as
   * documented (at its route or a candidate), undefined otherwise.
   */
  private async step(
    op: Operation,
    args: Record<string, unknown>,
    opts: { verifiesKey?: boolean; present?: (body: unknown, args: Record<string, unknown>) => Promise<ToolOutput> } = {},
  ): Promise<unknown> {
    const row: Row = { operation: op.id, route: op.route, toolset: op.toolset, verdict: 'failed' };
    this.rows.push(row);
    let r: Sent;
    try {
      r = await this.send(op, args);
    } catch (err) {
      row.reason = (err as Error).message;
      return undefined;
    }
    if ('answer' in r) return this.judge(row, op, args, r, opts.present);
    const err = r.error;
    row.ms = r.ms;
    if (opts.verifiesKey) {
      const refused = keyRefused(this.deps.config, err);
      if (refused) throw new CheckAbort(refused);
    }
    if (!(err instanceof CluvioApiError)) {
      row.reason = (err as Error).message;
      return undefined;
    }
    row.status = err.status;
    if (err.status === 403) {
      row.verdict = 'forbidden';
      row.reason = `the key lacks ${requiredPermission(op)}${err.details.length ? ` (Cluvio: ${err.details.join('; ')})` : ''}`;
      return undefined;
    }
    if (err.status !== 404 && err.status !== 405) {
      row.reason = `HTTP ${err.status}${err.details.length ? `: ${err.details.join('; ')}` : ''}`;
      return undefined;
    }
    const unknown = routeParts(op.route).params.length === 0 ? 'route' : classify(err, r.sent, this.probes);
    if (unknown === 'object') {
      row.reason = `HTTP 404 for an id the account listed${err.details.length ? `: ${err.details.join('; ')}` : ''}`;
      return undefined;
    }
    row.verdict = 'route not found';
    row.reason =
      unknown === 'route'
        ? `HTTP ${err.status}, as for a route that does not exist`
        : 'HTTP 404, and Cluvio answers an unknown route and an unknown object alike: the id came from a list, so the route is the suspect';
    const post = routeParts(op.route).method !== 'GET';
    const candidates = op.candidates ?? [];
    if (candidates.length === 0) row.reason += '; the catalog has no other route to try';
    row.tried = [];
    for (const candidate of candidates) {
      const moved = { ...op, route: candidate };
      const tried = await this.send(moved, args);
      row.tried.push({
        route: candidate,
        status: 'answer' in tried ? tried.answer.status : tried.error instanceof CluvioApiError ? tried.error.status : undefined,
        ms: tried.ms,
      });
      if (!('answer' in tried)) continue;
      if (compare(this.documented(op), tried.answer).problems.length === 0) {
        this.found[op.id] = candidate;
        row.found = candidate;
        const body = await this.judge(row, moved, args, tried, opts.present);
        // The row's status and time are the configured route's; the candidate's are in `tried` and `answer`.
        Object.assign(row, { status: err.status, ms: r.ms });
        return body;
      }
      // A POST that answered may have started something: no other candidate is sent.
      if (post) {
        row.reason += `; ${candidate} answered, not as documented`;
        break;
      }
    }
    return undefined;
  }

  private documented(op: Operation) {
    const doc = documented(op.title);
    if (!doc) throw new Error(`${op.title} is not in src/check/reference.json: run npm run reference`);
    return doc;
  }

  /** An answer came: compare it, learn its ids, present it as the tool would. */
  private async judge(
    row: Row,
    op: Operation,
    args: Record<string, unknown>,
    r: { ms: number; answer: Answer },
    custom?: (body: unknown, args: Record<string, unknown>) => Promise<ToolOutput>,
  ): Promise<unknown> {
    Object.assign(row, { status: r.answer.status, ms: r.ms, answer: r.answer });
    const doc = this.documented(op);
    const differences = compare(doc, r.answer);
    row.differences = differences;
    this.learnIds(r.answer.body, routeParts(op.route).params.length === 0 ? doc.jsonapi?.type : undefined);
    if (differences.problems.length) {
      row.verdict = 'failed';
      row.reason = differences.problems.join('; ');
      return undefined;
    }
    const failure = await this.present(op, args, r.answer.body, custom);
    if (failure) {
      row.verdict = 'failed';
      row.reason = `the tool's answer does not render: ${failure}`;
      return undefined;
    }
    row.verdict = row.found ? 'found elsewhere' : 'passed';
    return r.answer.body ?? null;
  }

  /** Runs the tool's own presentation (its handler, or present()) on the operation; the error text if it fails. */
  private async present(
    op: Operation,
    args: Record<string, unknown>,
    body: unknown,
    custom?: (body: unknown, args: Record<string, unknown>) => Promise<ToolOutput>,
  ): Promise<string | undefined> {
    try {
      const parsed = op.input.parse(args) as Record<string, unknown>;
      const out = custom ? await custom(body, parsed) : op.handler ? await op.handler(parsed, this.context(op)) : present(op, parsed, body, false);
      return out.isError ? out.text : undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Ids by JSON:API type: a collection's first item is its kind's id; any object or linkage is an id seen. */
  private learnIds(body: unknown, collectionKind: string | undefined): void {
    if (!isObject(body)) return;
    const data = body.data;
    if (collectionKind) {
      const first = Array.isArray(data) ? data.find(isObject) : undefined;
      if (!this.listed.has(collectionKind)) this.listed.set(collectionKind, typeof first?.id === 'string' ? first.id : null);
    }
    const resources = [...(Array.isArray(data) ? data : [data]), ...(Array.isArray(body.included) ? body.included : [])].filter(isObject);
    const see = (o: Record<string, unknown>) => {
      if (typeof o.type === 'string' && typeof o.id === 'string' && !this.seen.has(o.type)) this.seen.set(o.type, o.id);
    };
    for (const resource of resources) {
      see(resource);
      for (const rel of Object.values(isObject(resource.relationships) ? resource.relationships : {})) {
        const linked = isObject(rel) ? rel.data : undefined;
        for (const linkage of (Array.isArray(linked) ? linked : [linked]).filter(isObject)) see(linkage);
      }
    }
  }

  private idOf(kind: string): string | undefined {
    return this.listed.get(kind) ?? this.seen.get(kind);
  }

  /** Why there is no id of a kind: the account has none, its list did not answer, or nothing lists them. */
  private whyNo(kind: string): string {
    const one = kind.replace(/_/g, ' ').replace(/s$/, '');
    const list = this.collectionOf.get(kind);
    if (this.listed.get(kind) === null) return `no ${one} in this account`;
    if (list) return `no ${one} id: ${list.operation} did not answer`;
    if (documented(this.deps.inventory.ops.runExecution.title)?.jsonapi?.type === kind) {
      return this.runQuery ? `no ${one}: the query did not start` : `no ${one}: --run-query starts one`;
    }
    return `no ${one}: nothing lists them, and check starts none`;
  }

  private notChecked(op: Operation, route: string, reason: string, operation = op.id): void {
    this.rows.push({ operation, route, toolset: op.toolset, verdict: 'not checked', reason });
  }

  private async byId({ op, params }: ById): Promise<void> {
    const grants = this.documented(op).grants;
    const args: Record<string, unknown> = {};
    for (const { name, kind } of params) {
      const id = this.idOf(kind);
      if (id === undefined) {
        const why = this.whyNo(kind);
        this.notChecked(op, op.route, why);
        if (grants) this.notChecked(op, DATA_ROUTE, why, operationIdOf(grants));
        return;
      }
      args[name] = id;
    }
    const grant = await this.step(op, args);
    if (grants) await this.readData(grants, op, this.rows.at(-1)!, grant);
  }

  /** A data-server read with the key and token the API server just handed out (`granted`: that answer's row). */
  private async readData(title: string, grantedBy: Operation, granted: Row, grant: unknown): Promise<void> {
    const operation = operationIdOf(title);
    if (!isObject(grant) || typeof grant.data_key !== 'string' || typeof grant.data_access_token !== 'string') {
      const why = granted.answer ? `${grantedBy.id} handed out none (HTTP ${granted.status})` : `${grantedBy.id} did not answer`;
      this.notChecked(grantedBy, DATA_ROUTE, `no data key: ${why}`, operation);
      return;
    }
    const row: Row = { operation, route: DATA_ROUTE, toolset: grantedBy.toolset, verdict: 'failed' };
    this.rows.push(row);
    const t = performance.now();
    try {
      const doc = await this.deps.data.getDocument(grant as unknown as DataGrant, operation, this.signal);
      const answer: Answer = { status: doc.status, contentType: doc.contentType, body: doc.body };
      Object.assign(row, { status: doc.status, ms: Math.round(performance.now() - t), answer });
      row.differences = compare(documented(title)!, answer);
      row.verdict = row.differences.problems.length ? 'failed' : 'passed';
      if (row.differences.problems.length) row.reason = row.differences.problems.join('; ');
    } catch (err) {
      row.ms = Math.round(performance.now() - t);
      if (err instanceof CluvioApiError) row.status = err.status;
      row.reason = (err as Error).message;
    }
  }

  /** --run-query: SELECT 1 on the first datasource, presented by run_execution's own code (which waits for it). */
  private async startQuery(): Promise<void> {
    const op = this.deps.inventory.ops.runExecution;
    const args: Record<string, unknown> = { sql_query: QUERY };
    for (const { name, kind } of paramsOf(op)) {
      const id = this.idOf(kind);
      if (id === undefined) return this.notChecked(op, op.route, this.whyNo(kind));
      args[name] = id;
    }
    await this.step(op, args, {
      present: (answer, parsed) =>
        finish(flattenDocument(answer).data as Flat, { ...(parsed as { max_rows: number }), offset: 0, max_wait_seconds: QUERY_WAIT_SECONDS }, this.context(op)),
    });
    // Whatever it answered, an execution it names was started: cleanUp looks at it.
    this.started = executionId(this.rows.at(-1)!.answer?.body);
  }

  /** Cancel the execution --run-query started if it is still running (an execution cannot be deleted). */
  private async cleanUp(): Promise<void> {
    if (!this.started) return;
    const { getExecution, cancelExecution } = this.ops;
    try {
      const status = String((flattenDocument(await this.request(getExecution, { id: this.started })).data as Flat | null)?.execution_status);
      if (!RUNNING.has(status)) {
        this.cleanup = `The execution it started (${QUERY}) ended with status ${status}: nothing to cancel.`;
        return;
      }
      await this.request(cancelExecution, { id: this.started });
      this.cleanup = `The execution it started (${QUERY}) was still ${status}: cancelled.`;
    } catch (err) {
      this.cleanup = `Could not check or cancel the execution it started: ${(err as Error).message}.`;
    }
  }

  /** How Cluvio answers an unknown route and an unknown object (see not-found.ts). */
  private async probeNotFound(): Promise<void> {
    const sig = async (r: Sent): Promise<{ sig?: string; probe: Probe }> => {
      if ('answer' in r) return { probe: { status: r.answer.status, contentType: r.answer.contentType } };
      if (!(r.error instanceof CluvioApiError)) return { probe: {} };
      const probe = { status: r.error.status, contentType: r.error.contentType, details: r.error.details };
      return { probe, sig: r.error.status === 404 || r.error.status === 405 ? signature(r.error, r.sent) : undefined };
    };
    const route = { operation: 'noSuchRoute', method: 'GET', path: NO_SUCH_ROUTE, idempotent: true, signal: this.signal };
    const r = await sig(await this.transmit(route, { method: 'GET', path: NO_SUCH_ROUTE, ids: [] }));
    Object.assign(this.probes, { route: r.sig, routeAnswer: r.probe });
    // An unknown id on a route with public evidence (no candidates: Cluvio's own examples use it).
    const evidence = this.plan.byId.find((b) => !b.op.candidates?.length && b.params.length === 1);
    if (!evidence) return;
    const o = await sig(await this.send(evidence.op, { [evidence.params[0]!.name]: NO_SUCH_ID }));
    Object.assign(this.probes, { object: o.sig, objectAnswer: o.probe });
  }
}

const DATA_ROUTE = 'GET /{data_key} (data server)';

function executionId(body: unknown): string | undefined {
  const data = flattenDocument(body).data as Flat | null;
  return data && !Array.isArray(data) && typeof data.id === 'string' ? data.id : undefined;
}

/** The sentence for a first request refused for the key or the server, or undefined when it is something else. */
export function keyRefused(config: Pick<Config, 'apiUrl' | 'region'>, err: unknown): string | undefined {
  const regional = config.apiUrl === REGIONS[config.region].apiUrl;
  if (err instanceof CluvioApiError && err.status === 401) {
    const other = config.region === 'eu' ? 'us' : 'eu';
    const where = regional
      ? `and that the account is in region ${config.region} (for an account in the ${other.toUpperCase()}, set CLUVIO_REGION=${other} or --region ${other})`
      : `and that ${config.apiUrl} is the account's API server (CLUVIO_API_URL)`;
    return `The API key was refused (HTTP 401 from ${config.apiUrl}): check CLUVIO_API_KEY, ${where}.`;
  }
  if (err instanceof CluvioNetworkError) {
    return `Cannot reach ${config.apiUrl} (${err.message}): check the network, and CLUVIO_REGION or CLUVIO_API_URL.`;
  }
  return undefined;
}

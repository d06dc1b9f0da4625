/**
 * The execution lifecycle: starting → running → success | query_error (or cancelled, or waiting
 * while the datasource runs its max_concurrent_executions), results kept 24 h and at most
 * MAX_STORED_RESULTS. Executions of the API (Run Execution) and those started for reports, filters,
 * alerts and exports all run here, so Get / Cancel Execution work on every one of them.
 */
import { randomUUID } from 'node:crypto';
import { isoNow } from '../http.js';
import { ParameterError, rewriteParameters, type QueryParameters } from '../parameters.js';
import { newExecution, sleep, TERMINAL, type ExecutionRecord, type SandboxState } from '../state.js';
import { connectionError, getDatasource } from '../datasources.js';
import type { ExecutionPlan, FaultInjector } from '../faults/index.js';

/** How long results are kept (the reference: 24 h) and how many stored results at most. */
const RESULT_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_STORED_RESULTS = 200;

/** Options of ExecutionRunner.create for executions started on behalf of reports, filters, alerts, exports. */
export interface CreateOptions {
  /** execution_type; default sql_query */
  type?: ExecutionRecord['type'];
  /** Called once when the execution reaches a terminal status (success, error or cancelled). */
  onFinish?: (ex: ExecutionRecord) => void;
  /**
   * Awaited after the result is stored but before the status turns success (columns, rowCount and
   * store are set), e.g. to read the first row so that onFinish can work synchronously.
   */
  beforeSuccess?: (ex: ExecutionRecord) => Promise<void>;
}

export class ExecutionRunner {
  private sweepTimer: NodeJS.Timeout;
  private readonly finishHooks = new Map<string, (ex: ExecutionRecord) => void>();
  private readonly successHooks = new Map<string, (ex: ExecutionRecord) => Promise<void>>();
  /** Executions an injected fault makes end with another status than their query's (test hook). */
  private readonly planned = new Map<string, ExecutionPlan>();

  constructor(
    private readonly state: SandboxState,
    private readonly faults?: FaultInjector,
  ) {
    this.sweepTimer = setInterval(() => this.sweep(), 60_000);
    this.sweepTimer.unref();
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }

  create(
    datasourceId: string,
    sql: string,
    rQuery: string | null,
    parameters: QueryParameters | undefined,
    opts: CreateOptions = {},
  ): ExecutionRecord {
    const ds = getDatasource(this.state, datasourceId);
    const tzAttr = ds.attributes['data_time_zone'];
    const ex = newExecution({
      id: randomUUID(),
      datasourceId: ds.id,
      type: opts.type ?? 'sql_query',
      sqlQuery: sql,
      rQuery,
      parameters: parameters ?? null,
      timeZone: parameters?.tz ?? (typeof tzAttr === 'string' && tzAttr !== '' ? tzAttr : 'UTC'),
      kind: 'query',
    });
    this.state.executions.set(ex.id, ex);
    const planned = this.faults?.executionOutcome();
    if (planned !== undefined) this.planned.set(ex.id, planned);
    if (opts.onFinish !== undefined) this.finishHooks.set(ex.id, opts.onFinish);
    if (opts.beforeSuccess !== undefined) this.successHooks.set(ex.id, opts.beforeSuccess);
    setImmediate(() => this.schedule(ex.datasourceId));
    return ex;
  }

  private finish(ex: ExecutionRecord, status: ExecutionRecord['status'], error: string | null = null): void {
    const now = isoNow();
    ex.status = status;
    ex.queryError = error;
    ex.completedAt = ex.updatedAt = now;
    if (ex.startedAt === null) ex.startedAt = now;
    setImmediate(() => this.schedule(ex.datasourceId));
    const hook = this.finishHooks.get(ex.id);
    this.successHooks.delete(ex.id);
    if (hook !== undefined) {
      this.finishHooks.delete(ex.id);
      try {
        hook(ex);
      } catch {
        // a hook failure must not break the execution lifecycle
      }
    }
  }

  /** Admit starting/waiting executions of a datasource up to its max_concurrent_executions. */
  private schedule(datasourceId: string): void {
    const ds = this.state.datasources.get(datasourceId);
    const max = typeof ds?.attributes['max_concurrent_executions'] === 'number' ? ds.attributes['max_concurrent_executions'] : 20;
    const mine = [...this.state.executions.values()].filter((e) => e.datasourceId === datasourceId && e.kind === 'query');
    let running = mine.filter((e) => e.status === 'running').length;
    for (const ex of mine) {
      if (ex.status !== 'starting' && ex.status !== 'waiting') continue;
      if (running >= max) {
        if (ex.status !== 'waiting') {
          ex.status = 'waiting';
          ex.updatedAt = isoNow();
        }
        continue;
      }
      running++;
      ex.status = 'running';
      ex.startedAt = ex.updatedAt = isoNow();
      void this.execute(ex);
    }
  }

  private async execute(ex: ExecutionRecord): Promise<void> {
    const planned = this.planned.get(ex.id);
    if (planned !== undefined) {
      this.planned.delete(ex.id);
      if ('holdMs' in planned) {
        // A slow query that does not hold the engine: wait, then run it (unless cancelled meanwhile).
        await sleep(planned.holdMs);
        if (ex.status !== 'running') return;
      } else {
        await sleep(150);
        if (ex.status === 'running') this.finish(ex, planned.status, planned.message);
        return;
      }
    }
    const ds = this.state.datasources.get(ex.datasourceId);
    if (ds === undefined) return this.finish(ex, 'internal_error', 'datasource was deleted');
    if (ds.attributes['enabled'] === false) return this.finish(ex, 'internal_error', 'datasource is disabled');
    if (ds.engineDb === null) {
      await sleep(100);
      if (ex.status === 'running') this.finish(ex, 'internal_error', connectionError(ds));
      return;
    }
    let sql: string;
    try {
      sql = rewriteParameters(ex.sqlQuery, ex.parameters as QueryParameters | undefined, {
        defaultTimeZone: typeof ds.attributes['data_time_zone'] === 'string' ? ds.attributes['data_time_zone'] : 'UTC',
      });
    } catch (e) {
      if (e instanceof ParameterError) return this.finish(ex, 'query_error', `parameter error: ${e.message}`);
      throw e;
    }
    ex.rewrittenSql = sql;
    if (ex.rQuery !== null && ex.rQuery.trim() !== '') {
      return this.finish(ex, 'query_error', 'R queries are not available in the sandbox (r_query must be empty)');
    }
    const engineDb = ds.engineDb;
    try {
      const result = await this.state.engine.run(engineDb, sql, ex.id.replace(/-/g, ''));
      if (ex.status !== 'running') {
        // cancelled meanwhile: discard the late result
        if (result.store.kind === 'table') void this.state.engine.drop(engineDb, result.store.table).catch(() => undefined);
        return;
      }
      ex.columns = result.columns;
      ex.rowCount = result.rowCount;
      ex.sizeBytes = result.sizeBytes;
      ex.store = result.store;
      const before = this.successHooks.get(ex.id);
      if (before !== undefined) {
        this.successHooks.delete(ex.id);
        await before(ex);
        if (ex.status !== 'running') return; // cancelled meanwhile
      }
      this.finish(ex, 'success');
      this.evict();
    } catch (e) {
      if (ex.status === 'running') this.finish(ex, 'query_error', (e as Error).message);
    }
  }

  cancel(ex: ExecutionRecord): void {
    if (TERMINAL.has(ex.status)) return;
    this.finish(ex, 'cancelled');
  }

  private dropData(ex: ExecutionRecord): void {
    const ds = this.state.datasources.get(ex.datasourceId);
    if (ex.store?.kind === 'table' && ds?.engineDb != null) {
      void this.state.engine.drop(ds.engineDb, ex.store.table).catch(() => undefined);
    }
    ex.store = null;
    ex.dataGone = true;
  }

  /** Keep at most MAX_STORED_RESULTS results (oldest dropped first). */
  private evict(): void {
    const withData = [...this.state.executions.values()].filter((e) => e.store !== null);
    for (let i = 0; i < withData.length - MAX_STORED_RESULTS; i++) this.dropData(withData[i] as ExecutionRecord);
  }

  /** Forget executions older than 24 h, with their results and data keys. */
  sweep(now = Date.now()): void {
    for (const ex of this.state.executions.values()) {
      if (now - Date.parse(ex.createdAt) > RESULT_TTL_MS) {
        this.dropData(ex);
        this.state.executions.delete(ex.id);
      }
    }
    for (const [key, v] of this.state.dataKeys) if (now - v.createdAt > RESULT_TTL_MS) this.state.dataKeys.delete(key);
    for (const [t, v] of this.state.tokens) if (v.expiresAt < now) this.state.tokens.delete(t);
  }
}

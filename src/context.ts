import type { Activity } from './activity.js';
import type { ApiClient } from './cluvio/api-client.js';
import type { DataClient } from './cluvio/data-client.js';
import type { Limiter } from './cluvio/limiter.js';
import type { Config } from './config.js';
import type { Inventory, Ops } from './inventory.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/recorder.js';
import type { Operation } from './operations/types.js';
import type { ResourceHub } from './resources/hub.js';
import type { SearchIndexCache } from './search/cache.js';
import type { Confirmations } from './tools/confirm.js';

/** What the server is built from: made once at start-up (cli.ts); per-user keys swap only `api`. */
export interface Deps {
  api: ApiClient;
  data: DataClient;
  config: Config;
  logger: Logger;
  /** The catalog for this configuration and the operations it exposes. */
  inventory: Inventory;
  /** Process-wide state behind the resources: caches of account reads and who hears about list changes. */
  hub: ResourceHub;
  /** Tool calls in progress (for a graceful shutdown). */
  activity?: Activity;
  /** Caps the queries this process has running in Cluvio at once (run_execution holds a slot until its query ends). */
  queries?: Limiter;
  /** Confirmation by a person (CLUVIO_CONFIRM): signing key and spent tokens, one per process. Required unless the policy is off. */
  confirmations?: Confirmations;
  /** Prometheus metrics (CLUVIO_MCP_METRICS); none: nothing is recorded. */
  metrics?: Metrics;
}

/** What a tool handler gets besides its validated arguments. */
export interface CallContext {
  api: ApiClient;
  data: DataClient;
  config: Config;
  logger: Logger;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
  /** See Deps.queries. */
  queries?: Limiter;
  /** The process's search indexes by API key (deps.hub.search); absent, search_account builds one for the call. */
  searchIndexes?: SearchIndexCache;
  /** The operation this call runs. */
  op: Operation;
  /** Every operation of the catalog by id, e.g. to poll with `ops.getExecution`. */
  ops: Ops;
  /** Sends a progress notification when the client asked for them; a no-op otherwise. */
  progress(progress: number, total: number | undefined, message: string): void;
  /** Sends the operation's request (route, path parameters, body) and returns the parsed answer. */
  request(
    op: Operation,
    args: Record<string, unknown>,
    extra?: { query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal; queueSignal?: AbortSignal },
  ): Promise<unknown>;
}

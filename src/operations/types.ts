import type { z } from 'zod';
import type { Limiter } from '../cluvio/limiter.js';
import type { ApiClient } from '../cluvio/api-client.js';
import type { DataClient } from '../cluvio/data-client.js';
import type { Relationship } from '../cluvio/jsonapi.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ToolOutput } from '../results/output.js';
import type { Activity } from '../tools/activity.js';

export const TOOLSETS = [
  'datasources',
  'datasource_agents',
  'executions',
  'dashboards',
  'dashboard_groups',
  'dashboard_schedules',
  'reports',
  'filters',
  'sql_snippets',
  'sql_alerts',
  'users',
  'user_groups',
  'export_jobs',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/**
 * What a call does to the Cluvio account. It decides the annotations and read-only mode:
 * - `read`  changes nothing;
 * - `run`   starts work that changes no object and e-mails nobody (queries, refreshes, exports): kept in read-only mode;
 * - `write` creates, changes, deletes, or notifies someone: not registered in read-only mode.
 */
export type Access = 'read' | 'run' | 'write';

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
  /** Sends a progress notification when the client asked for them; a no-op otherwise. */
  progress(progress: number, total: number | undefined, message: string): void;
  /** Sends the operation's request (route, path parameters, body) and returns the parsed answer. */
  request(
    op: Operation,
    args: Record<string, unknown>,
    extra?: { query?: Record<string, string | number | boolean | undefined>; signal?: AbortSignal; queueSignal?: AbortSignal },
  ): Promise<unknown>;
  /** The catalog entry of another operation, e.g. to poll with Get Execution. */
  operation(id: string): Operation;
}

/** How tool arguments become the HTTP request. Arguments named in the route's `{…}` always fill the path. */
export interface RequestShape {
  /** `jsonapi`: remaining arguments become the envelope's attributes; `json`: the plain body; none: no body. */
  body?: 'jsonapi' | 'json';
  /** JSON:API resource type for the envelope, e.g. "datasources". */
  resourceType?: string;
  /** Tool argument → JSON:API relationship, e.g. `agent_ids` → `agents` of type `datasource_agents`. */
  relationships?: Record<string, Relationship & { name: string }>;
  /** Arguments sent as query parameters (GET/DELETE send every remaining argument as a query parameter). */
  query?: readonly string[];
  /** Arguments the tool uses itself and never sends (e.g. `max_rows`). */
  local?: readonly string[];
}

export interface Operation<I extends z.ZodObject = z.ZodObject> {
  /** Cluvio's operation id, e.g. "listDatasources"; the key of CLUVIO_ROUTES_FILE. */
  id: string;
  /** The reference's title, e.g. "List Datasources": the tool name is its snake_case. */
  title: string;
  toolset: Toolset;
  /** "METHOD /path/{param}", overridable per deployment. */
  route: string;
  description: string;
  input: I;
  access: Access;
  /** Defaults: true for DELETE and for updates (they overwrite), false otherwise. */
  destructive?: boolean;
  /** Defaults: GET, PUT, PATCH, DELETE are idempotent; POST is not. Also decides whether a failed request is retried. */
  idempotent?: boolean;
  request?: RequestShape;
  /** Output schema for clients that read structuredContent. */
  output?: z.ZodObject;
  /** How the answer is shown; default `object` for JSON:API documents, `json` otherwise. */
  present?: Presentation;
  /** In read-only mode: the reason these arguments are refused, or undefined to allow them. */
  readOnlyGuard?: (args: Record<string, unknown>) => string | undefined;
  /** A handler of its own (workflows that poll, fetch data, …); default: one request, presented. */
  handler?: (args: z.output<I>, ctx: CallContext) => Promise<ToolOutput>;
}

export type Presentation =
  | { kind: 'object' }
  | { kind: 'list'; columns: readonly string[] }
  | { kind: 'json' }
  | { kind: 'done'; message: (args: Record<string, unknown>) => string };

export interface Deps {
  api: ApiClient;
  data: DataClient;
  config: Config;
  logger: Logger;
  /** Tool calls in progress (for a graceful shutdown). */
  activity?: Activity;
  /** Caps the queries this process has running in Cluvio at once (run_execution holds a slot until its query ends). */
  queries?: Limiter;
}

export function defineOperation<I extends z.ZodObject>(op: Operation<I>): Operation {
  return op as unknown as Operation;
}

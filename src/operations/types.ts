import type { z } from 'zod';
import type { Relationship } from '../cluvio/jsonapi.js';
import type { CallContext } from '../context.js';
import type { ToolOutput } from '../results/output.js';

/**
 * The toolsets, by API group, in the reference's order. `resources`: writes in this toolset change what the
 * resources list or show (datasources, dashboards and what they are built from), so they refresh the caches
 * and announce resources/list_changed. `permission`: what an API key needs for this toolset, in the reference's
 * words — `view` to read (and run), `manage` to change. The reference's text names these permissions only in its
 * notes ("If the API key only has Manage Dashboards or Manage Alerts permission, …", "must have Manage Datasources
 * permission", "Only present if the API key has View Users, …"), not per operation, so a toolset whose view
 * permission it never names has none here.
 */
export const TOOLSET_INFO = {
  datasources: { description: 'datasource connections, their schemas and metadata', resources: true, permission: { view: 'View Datasources', manage: 'Manage Datasources' } },
  datasource_agents: { description: 'agents that connect Cluvio to private databases', resources: false, permission: { view: 'View Datasources', manage: 'Manage Datasources' } },
  executions: { description: 'SQL queries and their result rows', resources: false, permission: { view: 'Manage Dashboards or Manage Alerts (on the query\'s datasource)' } },
  dashboards: { description: 'dashboards: refresh, status, exports, layout, sharing', resources: true, permission: { manage: 'Manage Dashboards' } },
  dashboard_groups: { description: 'groups that organise dashboards', resources: true, permission: { manage: 'Manage Dashboards' } },
  dashboard_schedules: { description: 'e-mail schedules of dashboards and reports', resources: false, permission: { manage: 'Manage Dashboards' } },
  reports: { description: 'reports: SQL, cached data, refresh, exports', resources: true, permission: { manage: 'Manage Dashboards' } },
  filters: { description: 'dashboard filters and drop-down options', resources: true, permission: { manage: 'Manage Dashboards' } },
  sql_snippets: { description: 'reusable SQL fragments', resources: false, permission: { manage: 'Manage Datasources' } },
  sql_alerts: { description: 'SQL alerts and their results', resources: false, permission: { manage: 'Manage Alerts' } },
  users: { description: 'users, roles and invitations', resources: false, permission: { view: 'View Users', manage: 'Manage Users' } },
  user_groups: { description: 'user groups and what they see', resources: false, permission: { view: 'View Users', manage: 'Manage Users' } },
  export_jobs: { description: 'PDF, PNG and CSV export jobs', resources: false, permission: { manage: 'Manage Dashboards' } },
} as const satisfies Record<string, { description: string; resources: boolean; permission: { view?: string; manage?: string } }>;
export type Toolset = keyof typeof TOOLSET_INFO;
export const TOOLSETS = Object.keys(TOOLSET_INFO) as Toolset[];

/** The permission an API key needs for an operation, in the reference's words: for a 403, and `cluvio-mcp check`. */
export function requiredPermission(op: { toolset: Toolset; access: Access }): string {
  const { view, manage } = TOOLSET_INFO[op.toolset].permission as { view?: string; manage?: string };
  if (op.access === 'write' && manage) return manage;
  if (view && manage) return `${view} or ${manage}`;
  return view ?? `a permission to read ${op.toolset.replace(/_/g, ' ')} (the reference names ${manage} to change them)`;
}

/**
 * What a call does to the Cluvio account. It decides the annotations and read-only mode:
 * - `read`  changes nothing;
 * - `run`   starts work that changes no object and e-mails nobody (queries, refreshes, exports): kept in read-only mode;
 * - `write` creates, changes, deletes, or notifies someone: not registered in read-only mode.
 */
export type Access = 'read' | 'run' | 'write';

/**
 * The OAuth scope a token needs for an operation, one per access class (CLUVIO_MCP_OAUTH_ISSUER): `cluvio:read`
 * reads, `cluvio:run` starts queries, refreshes and exports, `cluvio:write` changes the account.
 */
export const SCOPES = ['cluvio:read', 'cluvio:run', 'cluvio:write'] as const;
export type Scope = (typeof SCOPES)[number];

export function requiredScope(op: { access: Access }): Scope {
  return `cluvio:${op.access}`;
}

/** The access classes a token's scopes cover (scopes this server does not know are ignored). */
export function accessOf(scopes: Iterable<string>): Set<Access> {
  const granted = new Set<Access>();
  for (const s of scopes) if ((SCOPES as readonly string[]).includes(s)) granted.add(s.slice('cluvio:'.length) as Access);
  return granted;
}

/**
 * Which confirmation policy (CLUVIO_CONFIRM) asks a person before an operation runs:
 * - `destructive`: asked by default (`destructive` and `writes`): what destroys or overwrites (destructiveHint),
 *   e-mails people or grants access;
 * - `writes`: asked only with CLUVIO_CONFIRM=writes: every other `write`.
 * `read` and `run` operations are never asked (read-only mode keeps them).
 */
export type ConfirmClass = 'destructive' | 'writes';

/** CLUVIO_CONFIRM: which classes a person confirms — `destructive` (the default), every `writes`, or none. */
export const CONFIRM_POLICIES = ['destructive', 'writes', 'off'] as const;
export type ConfirmPolicy = (typeof CONFIRM_POLICIES)[number];

/** Whether the policy asks before an operation of this class (undefined: reads and runs, never asked). */
export function policyAsks(policy: ConfirmPolicy, cls: ConfirmClass | undefined): boolean {
  if (!cls || policy === 'off') return false;
  return policy === 'writes' || cls === 'destructive';
}

/** What the person is asked before an operation runs: a sentence about the object itself, fetched first. */
export interface Question {
  /** e.g. "Delete dashboard 'Flight Operations' (dash-ops-0001) with 3 reports and 1 schedule?" */
  message: string;
  /** Text the person must type to confirm (a datasource's name), where a checkbox is too easy. */
  typeToConfirm?: string;
}

/** How an operation is confirmed: its class (derived when absent) and the question (generic when absent). */
export interface Confirmation {
  /** Declared for writes that are not destructive but e-mail people or grant access. */
  class?: ConfirmClass;
  /** Builds the question; throws (a tool error, nothing asked) when the object does not exist. */
  describe?(args: Record<string, unknown>, ctx: CallContext): Promise<Question>;
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
}

export interface Operation<I extends z.ZodObject = z.ZodObject, Id extends string = string> {
  /** Cluvio's operation id, e.g. "listDatasources" (the key of CLUVIO_ROUTES_FILE), or this server's own for a LOCAL one. */
  id: Id;
  /** The reference's title, e.g. "List Datasources": the tool name is its snake_case. */
  title: string;
  toolset: Toolset;
  /** "METHOD /path/{param}", overridable per deployment; LOCAL for this server's own operations (see isLocal). */
  route: string;
  description: string;
  input: I;
  access: Access;
  /**
   * Other routes this operation may have at Cluvio, tried by `cluvio-mcp check` when the route is not found:
   * plausible alternatives (plural/singular, nesting, verb variants) with the same method and path parameters,
   * kept short, only for routes without public evidence. Never advertised to models.
   */
  candidates?: readonly string[];
  /** Defaults: true for DELETE and for updates (they overwrite), false otherwise. */
  destructive?: boolean;
  /** Who is asked before a `write` runs, and what: see ConfirmClass and confirmClass(). */
  confirm?: Confirmation;
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
  handler?(args: z.output<I>, ctx: CallContext): Promise<ToolOutput>;
  /** The MCP Apps results view draws its answer (rows, or one panel per dashboard report): see src/apps. */
  view?: boolean;
  /** Cached account data a successful call makes stale, beyond the resource lists of its toolset. */
  invalidates?: readonly ('datasource-schema' | 'search-index')[];
}

/** The route of an operation that is this server's own, not Cluvio's (search_account): its handler sends other operations' requests. */
export const LOCAL = 'LOCAL';

/**
 * Whether an operation is this server's own: it has no route to send or override, no place in Cluvio's reference,
 * and `cluvio-mcp check` has nothing of it to verify.
 */
export function isLocal(op: Pick<Operation, 'route'>): boolean {
  return op.route === LOCAL;
}

export type Presentation =
  | { kind: 'object' }
  | { kind: 'list'; columns: readonly string[] }
  | { kind: 'json' }
  | { kind: 'done'; message: (args: Record<string, unknown>) => string };

/** The destructiveHint: DELETE, PUT and PATCH (updates overwrite) unless the entry says otherwise; never for reads. */
export function isDestructive(op: Pick<Operation, 'access' | 'route' | 'destructive'>): boolean {
  if (op.access === 'read') return false;
  return op.destructive ?? ['DELETE', 'PATCH', 'PUT'].includes(op.route.split(' ')[0]!);
}

/**
 * The confirmation class of an operation, or undefined when no policy asks (reads and runs). Declared on the
 * entry (`confirm.class`) or derived: destructive writes are `destructive`, other writes `writes`.
 */
export function confirmClass(op: Pick<Operation, 'access' | 'route' | 'destructive' | 'confirm'>): ConfirmClass | undefined {
  if (op.access !== 'write') return undefined;
  return op.confirm?.class ?? (isDestructive(op) ? 'destructive' : 'writes');
}

/** One catalog entry. The id stays a literal type, so lookups by id (`ctx.ops.getExecution`) are checked. */
export function defineOperation<const Id extends string, I extends z.ZodObject>(op: Operation<I, Id>): Operation<z.ZodObject, Id> {
  return op;
}

/** Datasource routes: CRUD, test connection, refresh, schema. */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  isoNow,
  jsonApiData,
  notFound,
  unprocessable,
  validateAttributes,
  type AttrSpec,
  type Route,
} from '../http.js';
import { newExecution, shortId, type DatasourceRecord, type SandboxState } from '../state.js';
import type { EngineDb } from '../engine/protocol.js';

export const DATABASE_TYPES = [
  'postgres',
  'redshift',
  'mysql',
  'mariadb',
  'oracle',
  'mssql',
  'bigquery',
  'athena',
  'presto',
  'trino',
  'snowflake',
  'vertica',
  'mongodb',
  'databricks',
] as const;
export const CONNECTION_MODES = ['direct', 'ssh_tunnel', 'agent'] as const;

/** Writable attributes (Create/Update Datasource request bodies). */
export const DATASOURCE_ATTRS: Record<string, AttrSpec> = {
  name: { type: 'string' },
  database_type: { type: 'string', enum: DATABASE_TYPES },
  connection_mode: { type: 'string', enum: CONNECTION_MODES },
  host: { type: 'string', nullable: true },
  port: { type: 'integer', min: 1, max: 65535, nullable: true },
  username: { type: 'string', nullable: true },
  password: { type: 'string', nullable: true },
  database: { type: 'string', nullable: true },
  ssh_tunnel_host: { type: 'string', nullable: true },
  ssh_tunnel_port: { type: 'integer', min: 1, max: 65535, nullable: true },
  ssh_tunnel_user: { type: 'string', nullable: true },
  data_time_zone: { type: 'string', nullable: true },
  require_ssl: { type: 'boolean' },
  verify_ssl: { type: 'boolean' },
  enabled: { type: 'boolean' },
  max_concurrent_executions: { type: 'integer', min: 1, max: 1000 },
  update_schema_nightly: { type: 'boolean' },
  update_schema_row_counts: { type: 'boolean' },
  athena_region: { type: 'string', nullable: true },
  athena_workgroup: { type: 'string', nullable: true },
  databricks_http_path: { type: 'string', nullable: true },
  snowflake_identifier: { type: 'string', nullable: true },
  snowflake_region: { type: 'string', nullable: true },
  snowflake_warehouse: { type: 'string', nullable: true },
  bigquery_service_key: { type: 'string', nullable: true },
};

/** Every documented response attribute, in the reference's order. */
const RESPONSE_ATTRS = [
  'name',
  'database_type',
  'connection_mode',
  'host',
  'port',
  'username',
  'password',
  'database',
  'ssh_tunnel_host',
  'ssh_tunnel_port',
  'ssh_tunnel_user',
  'data_time_zone',
  'require_ssl',
  'verify_ssl',
  'enabled',
  'created_at',
  'updated_at',
  'schema_updated_at',
  'total_row_count',
  'total_row_count_exact',
  'default_schema_name',
  'max_concurrent_executions',
  'server_version',
  'update_schema_nightly',
  'update_schema_row_counts',
  'athena_region',
  'athena_workgroup',
  'databricks_http_path',
  'snowflake_identifier',
  'snowflake_region',
  'snowflake_warehouse',
  'bigquery_service_key',
];

function defaults(now: string): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  for (const k of RESPONSE_ATTRS) a[k] = null;
  Object.assign(a, {
    data_time_zone: 'UTC',
    require_ssl: true,
    verify_ssl: false,
    enabled: true,
    created_at: now,
    updated_at: now,
    schema_updated_at: null,
    total_row_count: null,
    total_row_count_exact: false,
    default_schema_name: null,
    max_concurrent_executions: 20,
    update_schema_nightly: true,
    update_schema_row_counts: true,
  });
  return a;
}

/** Stable ids of the seeded datasources. */
export const SAMPLE_DATASOURCE_ID = 'smpl-data-0001';
export const PRODUCT_DATASOURCE_ID = 'prod-anly-0002';

export function seedDatasources(state: SandboxState): void {
  const created = '2024-01-01T00:00:00Z';
  const seeded: Array<[string, string, EngineDb, string, number]> = [
    [SAMPLE_DATASOURCE_ID, 'Cluvio Sample Data', 'sample', 'sample_data', 230_000],
    [PRODUCT_DATASOURCE_ID, 'Product Analytics', 'product', 'product_analytics', 28_000],
  ];
  for (const [id, name, engineDb, database, rows] of seeded) {
    const attributes = defaults(created);
    Object.assign(attributes, {
      name,
      database_type: 'postgres',
      connection_mode: 'direct',
      host: 'sandbox.local',
      port: 5432,
      username: 'cluvio_sandbox',
      // Fake credential, present so secret redaction can be tested.
      password: 'sbx-fake-password-do-not-use',
      database,
      require_ssl: false,
      schema_updated_at: created,
      total_row_count: rows,
      total_row_count_exact: false,
      default_schema_name: 'public',
      server_version: 'PostgreSQL 17 (PGlite)',
    });
    state.datasources.set(id, { id, attributes, agentIds: [], engineDb });
  }
}

export function datasourceResource(ds: DatasourceRecord): unknown {
  const attributes: Record<string, unknown> = {};
  for (const k of RESPONSE_ATTRS) attributes[k] = ds.attributes[k] ?? null;
  return {
    id: ds.id,
    type: 'datasources',
    attributes,
    relationships: { agents: { data: ds.agentIds.map((id) => ({ id, type: 'datasource_agents' })) } },
  };
}

function parseAgents(state: SandboxState, relationships: Record<string, unknown> | undefined): string[] | undefined {
  if (relationships === undefined) return undefined;
  for (const k of Object.keys(relationships)) {
    if (k !== 'agents') throw unprocessable(`unknown relationship "${k}" (accepted: agents)`);
  }
  const agents = relationships['agents'];
  if (agents === undefined) return undefined;
  const data = (agents as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw unprocessable('"relationships.agents.data" must be an array');
  return data.map((ref: unknown) => {
    const r = ref as { id?: unknown; type?: unknown } | null;
    if (r === null || typeof r !== 'object' || typeof r.id !== 'string') {
      throw unprocessable('each agent reference needs an "id" string');
    }
    if (r.type !== undefined && r.type !== 'datasource_agents') throw unprocessable('agent references must have type "datasource_agents"');
    if (!state.agentExists(r.id)) throw unprocessable(`datasource agent ${r.id} not found`);
    return r.id;
  });
}

function checkTimeZone(tz: unknown): void {
  if (typeof tz !== 'string') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw unprocessable(`attribute "data_time_zone" has invalid time zone "${tz}"`);
  }
}

export function getDatasource(state: SandboxState, id: string): DatasourceRecord {
  const ds = state.datasources.get(id);
  if (ds === undefined) throw notFound('datasource', id);
  return ds;
}

function includedAgents(state: SandboxState, include: string | null, list: DatasourceRecord[]): unknown[] | undefined {
  if (include === null) return undefined;
  if (include !== 'agents') throw new ApiError(400, `invalid include "${include}" (accepted: agents)`);
  void state;
  void list;
  // Datasource agents arrive with a later route group; none exist yet.
  return [];
}

export function datasourceRoutes(state: SandboxState): Route[] {
  return [
    {
      method: 'POST',
      path: '/datasources',
      handler: ({ body }) => {
        const { attributes, relationships } = jsonApiData(body, 'datasources');
        const attrs = validateAttributes(attributes, DATASOURCE_ATTRS, ['name', 'database_type', 'connection_mode']);
        checkTimeZone(attrs['data_time_zone']);
        const agentIds = parseAgents(state, relationships) ?? [];
        const now = isoNow();
        const a = defaults(now);
        Object.assign(a, attrs);
        if (attrs['require_ssl'] === undefined) a['require_ssl'] = attrs['connection_mode'] === 'direct';
        const ds: DatasourceRecord = { id: shortId(), attributes: a, agentIds, engineDb: null };
        state.datasources.set(ds.id, ds);
        return { status: 201, type: 'jsonapi', body: { data: datasourceResource(ds) } };
      },
    },
    {
      method: 'GET',
      path: '/datasources',
      handler: ({ query }) => {
        const list = [...state.datasources.values()];
        const included = includedAgents(state, query.get('include'), list);
        return {
          status: 200,
          type: 'jsonapi',
          body: { data: list.map(datasourceResource), ...(included !== undefined ? { included } : {}) },
        };
      },
    },
    {
      method: 'GET',
      path: '/datasources/:id',
      handler: ({ params, query }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        const included = includedAgents(state, query.get('include'), [ds]);
        return {
          status: 200,
          type: 'jsonapi',
          body: { data: datasourceResource(ds), ...(included !== undefined ? { included } : {}) },
        };
      },
    },
    {
      method: 'PATCH',
      path: '/datasources/:id',
      handler: ({ params, body }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        const { attributes, relationships } = jsonApiData(body, 'datasources', { attributesRequired: false });
        const attrs = validateAttributes(attributes, DATASOURCE_ATTRS, []);
        checkTimeZone(attrs['data_time_zone']);
        if (attrs['name'] === null || attrs['name'] === '') throw unprocessable('attribute "name" must not be empty');
        const agentIds = parseAgents(state, relationships);
        Object.assign(ds.attributes, attrs, { updated_at: isoNow() });
        if (agentIds !== undefined) ds.agentIds = agentIds;
        return { status: 200, type: 'jsonapi', body: { data: datasourceResource(ds) } };
      },
    },
    {
      method: 'DELETE',
      path: '/datasources/:id',
      handler: ({ params }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        const usedBy = state.datasourceInUse(ds.id);
        if (usedBy !== null) throw unprocessable(`datasource ${ds.id} cannot be deleted: it is used by ${usedBy}`);
        state.datasources.delete(ds.id);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/datasources/:id/test_connection',
      handler: async ({ params }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        if (ds.engineDb === null) {
          return { status: 200, type: 'json', body: { status: 'error', error_message: connectionError(ds) } };
        }
        if (ds.attributes['enabled'] === false) {
          return { status: 200, type: 'json', body: { status: 'error', error_message: 'datasource is disabled' } };
        }
        try {
          await state.engine.ping(ds.engineDb);
          return { status: 200, type: 'json', body: { status: 'ok' } };
        } catch (e) {
          return { status: 200, type: 'json', body: { status: 'error', error_message: (e as Error).message } };
        }
      },
    },
    {
      method: 'POST',
      path: '/datasources/:id/refresh',
      handler: ({ params }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        const id = startRefresh(state, ds);
        return { status: 200, type: 'json', body: { execution_id: id } };
      },
    },
    {
      method: 'GET',
      path: '/datasources/:id/schema',
      handler: ({ params, query }) => {
        const ds = getDatasource(state, params['id'] ?? '');
        const name = query.get('name');
        if (name !== null && name === '') throw new ApiError(400, 'query parameter "name" must not be empty');
        const prefix = `schemas/${ds.id}` + (name !== null ? `/${encodeURIComponent(name)}` : '');
        const grant = state.grant({ kind: 'schema', datasourceId: ds.id, schemaName: name }, prefix);
        return { status: 200, type: 'json', body: grant };
      },
    },
  ];
}

export function connectionError(ds: DatasourceRecord): string {
  const host = typeof ds.attributes['host'] === 'string' ? ds.attributes['host'] : 'localhost';
  const port = typeof ds.attributes['port'] === 'number' ? ds.attributes['port'] : 5432;
  return `could not connect to server: Connection refused. Is the server running on host "${host}" and accepting TCP/IP connections on port ${port}? (sandbox: only the seeded datasources have a database)`;
}

/** Refresh = a short execution without data that ends in success (or an error for API-created ones). */
function startRefresh(state: SandboxState, ds: DatasourceRecord): string {
  const id = randomUUID();
  const rec = newExecution({ id, datasourceId: ds.id, sqlQuery: '', kind: 'refresh' });
  state.executions.set(id, rec);
  setTimeout(() => {
    if (rec.status !== 'starting') return;
    rec.status = 'running';
    rec.startedAt = rec.updatedAt = isoNow();
    setTimeout(() => {
      if (rec.status !== 'running') return;
      const done = isoNow();
      if (ds.engineDb === null) {
        rec.status = 'internal_error';
        rec.queryError = connectionError(ds);
      } else {
        rec.status = 'success';
        ds.attributes['schema_updated_at'] = done;
      }
      rec.completedAt = rec.updatedAt = done;
    }, 250).unref();
  }, 50).unref();
  return id;
}

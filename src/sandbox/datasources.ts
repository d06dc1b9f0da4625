/**
 * Datasources: what a request may write (the reference's DatasourceAttributes), the documented
 * response, defaults, connection tests and schema refreshes (the seeded two: org/seed/datasources.ts). API-created datasources have no database: they answer with a connection error.
 */
import { randomUUID } from 'node:crypto';
import { isoNow, notFound } from './http.js';
import { newExecution, shortId, type DatasourceRecord, type SandboxState } from './state.js';
import { FORMATS, bool, int, str, type Member } from './validate.js';

const DATABASE_TYPES = [
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
const CONNECTION_MODES = ['direct', 'ssh_tunnel', 'agent'] as const;

const nullable = (field: Member['field']): Member => ({ field, nullable: true });
const port = int({ min: 1, max: 65535 });

/** Writable attributes (Create/Update Datasource request bodies). */
export const DATASOURCE_ATTRIBUTES: Record<string, Member> = {
  name: { field: str(), required: true },
  database_type: { field: str({ enum: DATABASE_TYPES }), required: true },
  connection_mode: { field: str({ enum: CONNECTION_MODES }), required: true },
  host: nullable(str()),
  port: nullable(port),
  username: nullable(str()),
  password: nullable(str()),
  database: nullable(str()),
  ssh_tunnel_host: nullable(str()),
  ssh_tunnel_port: nullable(port),
  ssh_tunnel_user: nullable(str()),
  data_time_zone: nullable(str({ format: FORMATS.timeZone })),
  require_ssl: { field: bool },
  verify_ssl: { field: bool },
  enabled: { field: bool },
  max_concurrent_executions: { field: int({ min: 1, max: 1000 }) },
  update_schema_nightly: { field: bool },
  update_schema_row_counts: { field: bool },
  athena_region: nullable(str()),
  athena_workgroup: nullable(str()),
  databricks_http_path: nullable(str()),
  snowflake_identifier: nullable(str()),
  snowflake_region: nullable(str()),
  snowflake_warehouse: nullable(str()),
  bigquery_service_key: nullable(str()),
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

export function datasourceDefaults(now: string): Record<string, unknown> {
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

export function getDatasource(state: SandboxState, id: string): DatasourceRecord {
  const ds = state.datasources.get(id);
  if (ds === undefined) throw notFound('datasource', id);
  return ds;
}

export function connectionError(ds: DatasourceRecord): string {
  const host = typeof ds.attributes['host'] === 'string' ? ds.attributes['host'] : 'localhost';
  const port = typeof ds.attributes['port'] === 'number' ? ds.attributes['port'] : 5432;
  return `could not connect to server: Connection refused. Is the server running on host "${host}" and accepting TCP/IP connections on port ${port}? (sandbox: only the seeded datasources have a database)`;
}

/** Refresh Datasource Schema: a short execution without data that ends in success (or an error for API-created ones). */
export function startSchemaRefresh(state: SandboxState, ds: DatasourceRecord): string {
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

/** A new datasource from checked attributes (API-created: no database behind it). */
export function createDatasource(state: SandboxState, attrs: Record<string, unknown>, agentIds: string[]): DatasourceRecord {
  const a = datasourceDefaults(isoNow());
  Object.assign(a, attrs);
  if (attrs['require_ssl'] === undefined) a['require_ssl'] = attrs['connection_mode'] === 'direct';
  const ds: DatasourceRecord = { id: shortId(), attributes: a, agentIds, engineDb: null };
  state.datasources.set(ds.id, ds);
  return ds;
}

export function updateDatasource(ds: DatasourceRecord, attrs: Record<string, unknown>, agentIds: string[] | undefined): void {
  Object.assign(ds.attributes, attrs, { updated_at: isoNow() });
  if (agentIds !== undefined) ds.agentIds = agentIds;
}

/** Test Datasource Connection: ok, or the error a connection attempt gives. */
export async function testConnection(state: SandboxState, ds: DatasourceRecord): Promise<{ status: 'ok' } | { status: 'error'; error_message: string }> {
  if (ds.engineDb === null) return { status: 'error', error_message: connectionError(ds) };
  if (ds.attributes['enabled'] === false) return { status: 'error', error_message: 'datasource is disabled' };
  try {
    await state.engine.ping(ds.engineDb);
    return { status: 'ok' };
  } catch (e) {
    return { status: 'error', error_message: (e as Error).message };
  }
}

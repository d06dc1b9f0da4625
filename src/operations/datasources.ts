import { deleteDatasourceQuestion } from './confirm.js';
import { z } from 'zod';
import { getDatasourceSchema } from '../workflows/schema.js';
import { refreshDatasource } from '../workflows/refresh-datasource.js';
import { id, listArgs, quiet, waitArgs } from './shared.js';
import { defineOperation } from './types.js';

const DATABASE_TYPES = ['postgres', 'redshift', 'mysql', 'mariadb', 'oracle', 'mssql', 'bigquery', 'athena', 'presto', 'trino', 'snowflake', 'vertica', 'mongodb', 'databricks'] as const;

/** DatasourceAttributes as the reference defines them, without defaults (an update must not send them). */
const attributes = {
  name: z.string().min(1),
  database_type: z.enum(DATABASE_TYPES),
  connection_mode: z.enum(['direct', 'ssh_tunnel', 'agent']),
  host: z.string().optional(),
  port: z.number().int().optional(),
  username: z.string().optional().describe('BigQuery: the project ID'),
  password: z.string().optional(),
  database: z.string().optional(),
  ssh_tunnel_host: z.string().optional(),
  ssh_tunnel_port: z.number().int().optional(),
  ssh_tunnel_user: z.string().optional(),
  data_time_zone: z.string().optional(),
  require_ssl: z.boolean().optional(),
  verify_ssl: z.boolean().optional(),
  enabled: z.boolean().optional(),
  max_concurrent_executions: z.number().int().min(1).optional(),
  update_schema_nightly: z.boolean().optional(),
  update_schema_row_counts: z.boolean().optional(),
  athena_region: z.string().optional(),
  athena_workgroup: z.string().optional(),
  databricks_http_path: z.string().optional(),
  snowflake_identifier: z.string().optional(),
  snowflake_region: z.string().optional(),
  snowflake_warehouse: z.string().optional(),
  bigquery_service_key: z.string().optional(),
  agent_ids: z.array(id).optional(),
};

/**
 * The reference's defaults, sent on create only. require_ssl and verify_ssl are left to Cluvio: their
 * defaults depend on database_type and connection_mode ("always true" for several types), which an
 * explicit false would contradict.
 */
const createDefaults = {
  // Applied, not advertised: the reference's defaults are what a model wants anyway.
  enabled: quiet(z.boolean().default(true)),
  max_concurrent_executions: quiet(z.number().int().min(1).default(20)),
  update_schema_nightly: quiet(z.boolean().default(true)),
  update_schema_row_counts: quiet(z.boolean().default(true)),
};

const agents = { agent_ids: { name: 'agents', type: 'datasource_agents', many: true } };
const include = z.enum(['agents']).optional();

export const datasourceOperations = [
  defineOperation({
    id: 'createDatasource',
    title: 'Create Datasource',
    toolset: 'datasources',
    route: 'POST /datasources',
    description: 'Create a datasource connection.',
    input: z.object({ ...attributes, ...createDefaults }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasources', relationships: agents },
  }),
  defineOperation({
    id: 'listDatasources',
    title: 'List Datasources',
    toolset: 'datasources',
    route: 'GET /datasources',
    description: 'List datasources.',
    input: z.object({ ...listArgs, include }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'database_type', 'default_schema_name', 'enabled'] },
  }),
  defineOperation({
    id: 'getDatasource',
    title: 'Get Datasource',
    toolset: 'datasources',
    route: 'GET /datasources/{id}',
    description: 'Get a datasource.',
    input: z.object({ id, include }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDatasource',
    title: 'Update Datasource',
    toolset: 'datasources',
    route: 'PATCH /datasources/{id}',
    description: 'Change a datasource; agent_ids replaces its agents.',
    input: z.object({ id, ...attributes, name: attributes.name.optional(), database_type: attributes.database_type.optional(), connection_mode: attributes.connection_mode.optional() }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasources', relationships: agents },
    invalidates: ['datasource-schema'],
  }),
  defineOperation({
    id: 'deleteDatasource',
    title: 'Delete Datasource',
    toolset: 'datasources',
    route: 'DELETE /datasources/{id}',
    description: 'Delete a datasource no report or filter uses.',
    input: z.object({ id }),
    access: 'write',
    confirm: { describe: deleteDatasourceQuestion },
    present: { kind: 'done', message: (a) => `Datasource ${a.id} deleted.` },
    invalidates: ['datasource-schema'],
  }),
  defineOperation({
    id: 'testDatasourceConnection',
    title: 'Test Datasource Connection',
    toolset: 'datasources',
    route: 'POST /datasources/{id}/test_connection',
    description: 'Test a datasource connection.',
    input: z.object({ id }),
    access: 'run',
    idempotent: true,
  }),
  defineOperation({
    id: 'refreshDatasource',
    title: 'Refresh Datasource',
    toolset: 'datasources',
    route: 'POST /datasources/{id}/refresh',
    description: "Re-read a datasource's schema and wait.",
    input: z.object({ id, ...waitArgs }),
    access: 'run',
    handler: refreshDatasource,
    invalidates: ['datasource-schema'],
  }),
  defineOperation({
    id: 'getDatasourceSchema',
    title: 'Get Datasource Schema',
    toolset: 'datasources',
    route: 'GET /datasources/{id}/schema',
    candidates: ['GET /datasources/{id}/schemas', 'GET /datasources/{id}/schema_data', 'GET /datasources/{id}/schema/data'],
    description: "A datasource's tables and typed columns, for writing SQL.",
    input: z.object({ id, name: z.string().optional().describe('Only this schema') }),
    access: 'read',
    handler: getDatasourceSchema,
  }),
];

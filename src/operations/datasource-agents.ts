import { z } from 'zod';
import { id, listArgs, quiet } from './shared.js';
import { defineOperation } from './types.js';

/** DatasourceAgentAttributes: create sends the reference's default (enabled), update only what is given. */
const name = z.string().min(1);

const include = z.enum(['datasources']).optional();

export const datasourceAgentOperations = [
  defineOperation({
    id: 'createDatasourceAgent',
    title: 'Create Datasource Agent',
    toolset: 'datasource_agents',
    route: 'POST /datasource_agents',
    description: 'Create a datasource agent; only this returns its secret_key.',
    input: z.object({ name, enabled: quiet(z.boolean().default(true)) }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasource_agents' },
  }),
  defineOperation({
    id: 'listDatasourceAgents',
    title: 'List Datasource Agents',
    toolset: 'datasource_agents',
    route: 'GET /datasource_agents',
    description: 'List datasource agents and their state.',
    input: z.object({ ...listArgs, include }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'enabled', 'connected', 'version', 'datasource_ids'] },
  }),
  defineOperation({
    id: 'getDatasourceAgent',
    title: 'Get Datasource Agent',
    toolset: 'datasource_agents',
    route: 'GET /datasource_agents/{id}',
    description: 'Get a datasource agent and its state.',
    input: z.object({ id, include }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDatasourceAgent',
    title: 'Update Datasource Agent',
    toolset: 'datasource_agents',
    route: 'PATCH /datasource_agents/{id}',
    description: 'Rename, enable or disable a datasource agent.',
    input: z.object({ id, name: name.optional(), enabled: z.boolean().optional().describe('Disabling disconnects the agent') }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasource_agents' },
  }),
  defineOperation({
    id: 'deleteDatasourceAgent',
    title: 'Delete Datasource Agent',
    toolset: 'datasource_agents',
    route: 'DELETE /datasource_agents/{id}',
    description: 'Delete a datasource agent no datasource uses.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Datasource agent ${a.id} deleted.` },
  }),
];

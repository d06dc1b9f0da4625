import { z } from 'zod';
import { id, listArgs } from './shared.js';
import { defineOperation } from './types.js';

/** DatasourceAgentAttributes as the reference defines them for create and update. */
const attributes = {
  name: z.string().min(1),
  enabled: z.boolean().optional().describe('Disabling disconnects the agent'),
};

const include = z.enum(['datasources']).optional();

export const datasourceAgentOperations = [
  defineOperation({
    id: 'createDatasourceAgent',
    title: 'Create Datasource Agent',
    toolset: 'datasource_agents',
    route: 'POST /datasource_agents',
    description:
      'Create a datasource agent. Its secret_key is returned only once and redacted by this server unless the operator set CLUVIO_REVEAL_SECRETS=true.',
    input: z.object(attributes),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasource_agents' },
  }),
  defineOperation({
    id: 'listDatasourceAgents',
    title: 'List Datasource Agents',
    toolset: 'datasource_agents',
    route: 'GET /datasource_agents',
    description: 'List datasource agents with connection state.',
    input: z.object({ ...listArgs, include }),
    access: 'read',
    present: { kind: 'list', columns: ['id', 'name', 'enabled', 'connected', 'version', 'datasource_ids'] },
  }),
  defineOperation({
    id: 'getDatasourceAgent',
    title: 'Get Datasource Agent',
    toolset: 'datasource_agents',
    route: 'GET /datasource_agents/{id}',
    description: 'Get a datasource agent: connection state, version, address, datasources.',
    input: z.object({ id, include }),
    access: 'read',
  }),
  defineOperation({
    id: 'updateDatasourceAgent',
    title: 'Update Datasource Agent',
    toolset: 'datasource_agents',
    route: 'PATCH /datasource_agents/{id}',
    description: 'Rename, enable or disable a datasource agent. Needs Manage Datasources on every datasource using it.',
    input: z.object({ id, ...attributes, name: attributes.name.optional() }),
    access: 'write',
    request: { body: 'jsonapi', resourceType: 'datasource_agents' },
  }),
  defineOperation({
    id: 'deleteDatasourceAgent',
    title: 'Delete Datasource Agent',
    toolset: 'datasource_agents',
    route: 'DELETE /datasource_agents/{id}',
    description: 'Delete a datasource agent. Only possible if no datasource uses it.',
    input: z.object({ id }),
    access: 'write',
    present: { kind: 'done', message: (a) => `Datasource agent ${a.id} deleted.` },
  }),
];

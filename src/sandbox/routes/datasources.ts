/** Datasource routes: CRUD, test connection, refresh, schema (the datasources themselves: ../datasources.ts). */
import { ApiError, unprocessable, type Route } from '../http.js';
import type { SandboxState } from '../state.js';
import {
  DATASOURCE_ATTRIBUTES,
  createDatasource,
  datasourceResource,
  getDatasource,
  startSchemaRefresh,
  testConnection,
  updateDatasource,
} from '../datasources.js';
import { parseRelationship } from '../org/crud.js';
import { linkages } from '../org/store.js';
import { datasourceUsers } from '../org/specs/index.js';
import { checkMembers, jsonApiData } from '../validate.js';

/** The agents a request links (relationship "agents"), or undefined when it names none. */
function agentIds(state: SandboxState, relationships: Record<string, unknown> | undefined): string[] | undefined {
  for (const k of Object.keys(relationships ?? {})) {
    if (k !== 'agents') throw unprocessable(`unknown relationship "${k}" (accepted: agents)`);
  }
  const agents = relationships?.['agents'];
  if (agents === undefined) return undefined;
  return linkages(parseRelationship(state, 'agents', { target: 'datasource_agents', many: true }, agents)).map((l) => l.id);
}

/** `include=agents` is accepted; no agents are included (the datasource answer links them). */
function included(include: string | null): { included?: unknown[] } {
  if (include === null) return {};
  if (include !== 'agents') throw new ApiError(400, `invalid include "${include}" (accepted: agents)`);
  return { included: [] };
}

export function datasourceRoutes(state: SandboxState): Route[] {
  const datasource = (id: string | undefined) => getDatasource(state, id ?? '');
  return [
    {
      method: 'POST',
      path: '/datasources',
      handler: ({ body }) => {
        const { attributes, relationships } = jsonApiData(body, 'datasources');
        const attrs = checkMembers(attributes, DATASOURCE_ATTRIBUTES);
        const ds = createDatasource(state, attrs, agentIds(state, relationships) ?? []);
        return { status: 201, type: 'jsonapi', body: { data: datasourceResource(ds) } };
      },
    },
    {
      method: 'GET',
      path: '/datasources',
      handler: ({ query }) => {
        const extra = included(query.get('include'));
        return { status: 200, type: 'jsonapi', body: { data: [...state.datasources.values()].map(datasourceResource), ...extra } };
      },
    },
    {
      method: 'GET',
      path: '/datasources/:id',
      handler: ({ params, query }) => {
        const ds = datasource(params['id']);
        return { status: 200, type: 'jsonapi', body: { data: datasourceResource(ds), ...included(query.get('include')) } };
      },
    },
    {
      method: 'PATCH',
      path: '/datasources/:id',
      handler: ({ params, body }) => {
        const ds = datasource(params['id']);
        const { attributes, relationships } = jsonApiData(body, 'datasources', { attributesRequired: false });
        const attrs = checkMembers(attributes, DATASOURCE_ATTRIBUTES, { partial: true });
        if (attrs['name'] === '') throw unprocessable('attribute "name" must not be empty');
        updateDatasource(ds, attrs, agentIds(state, relationships));
        return { status: 200, type: 'jsonapi', body: { data: datasourceResource(ds) } };
      },
    },
    {
      method: 'DELETE',
      path: '/datasources/:id',
      handler: ({ params }) => {
        const ds = datasource(params['id']);
        const usedBy = datasourceUsers(state, ds.id);
        if (usedBy !== null) throw unprocessable(`datasource ${ds.id} cannot be deleted: it is used by ${usedBy}`);
        state.datasources.delete(ds.id);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/datasources/:id/test_connection',
      handler: async ({ params }) => ({ status: 200, type: 'json', body: await testConnection(state, datasource(params['id'])) }),
    },
    {
      method: 'POST',
      path: '/datasources/:id/refresh',
      handler: ({ params }) => ({ status: 200, type: 'json', body: { execution_id: startSchemaRefresh(state, datasource(params['id'])) } }),
    },
    {
      method: 'GET',
      path: '/datasources/:id/schema',
      handler: ({ params, query }) => {
        const ds = datasource(params['id']);
        const name = query.get('name');
        if (name !== null && name === '') throw new ApiError(400, 'query parameter "name" must not be empty');
        const prefix = `schemas/${ds.id}` + (name !== null ? `/${encodeURIComponent(name)}` : '');
        const grant = state.grant({ kind: 'schema', datasourceId: ds.id, schemaName: name }, prefix);
        return { status: 200, type: 'json', body: grant };
      },
    },
  ];
}

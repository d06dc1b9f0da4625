/** Datasource agents: their spec; the datasources they serve are read from the datasources' `agents`. */
import { randomBytes } from 'node:crypto';
import { shortId } from '../../state.js';
import { bool, str } from '../../validate.js';
import { ro, rw, timestamps, type ResourceSpec } from '../crud.js';
import { ref } from '../store.js';

export const agentSpec: ResourceSpec = {
  type: 'datasource_agents',
  what: 'datasource agent',
  ops: ['create', 'list', 'get', 'update', 'delete'],
  attributes: {
    agent_id: ro({ default: () => shortId() }),
    name: rw(str({ nonEmpty: true }), { required: true }),
    version: ro(),
    address: ro(),
    connected: ro({ default: false }),
    active_queries: ro({ default: 0 }),
    enabled: rw(bool, { default: true }),
    ...timestamps,
  },
  relationships: {
    datasources: {
      target: 'datasources',
      many: true,
      derive: (state, rec) => [...state.datasources.values()].filter((d) => d.agentIds.includes(rec.id)).map((d) => ref('datasources', d.id)),
    },
  },
  include: ['datasources'],
  listInclude: ['datasources'],
  deleteBlocker: (state, rec) => {
    const users = [...state.datasources.values()].filter((d) => d.agentIds.includes(rec.id));
    return users.length > 0 ? `it is used by ${users.map((d) => `datasource ${d.id} ("${String(d.attributes['name'])}")`).join(', ')}` : null;
  },
  newId: () => randomBytes(32).toString('base64url'),
};

/** The seeded datasource agent (not connected). */
import { SEED, T0, T2, type Put } from './ids.js';

export function seedAgents(put: Put): void {
  put({
    id: SEED.agents.main,
    type: 'datasource_agents',
    attributes: {
      agent_id: 'a7c3-9f2e-d41b',
      name: 'Warehouse agent (eu-central)',
      version: '2.4.1',
      address: '203.0.113.10',
      connected: false,
      active_queries: 0,
      enabled: true,
      created_at: T0,
      updated_at: T2,
    },
    relationships: {},
  });
}

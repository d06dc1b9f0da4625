/** The seeded datasources: Cluvio Sample Data (flights) and Product Analytics (plans, users, events). */
import { datasourceDefaults } from '../../datasources.js';
import type { EngineDb } from '../../engine/protocol.js';
import type { SandboxState } from '../../state.js';
import { SEED } from './ids.js';

/** The two seeded datasources, each with a database of the SQL engine behind it. */
export function seedDatasources(state: SandboxState): void {
  const created = '2024-01-01T00:00:00Z';
  const seeded: Array<[string, string, EngineDb, string, number]> = [
    [SEED.datasources.sample, 'Cluvio Sample Data', 'sample', 'sample_data', 230_000],
    [SEED.datasources.product, 'Product Analytics', 'product', 'product_analytics', 28_000],
  ];
  for (const [id, name, engineDb, database, rows] of seeded) {
    const attributes = datasourceDefaults(created);
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

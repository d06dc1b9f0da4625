/**
 * The seeded organisation, by kind of object: two datasources with data, three dashboards with
 * reports and filters on them, groups, a schedule, a snippet, two alerts, four users, three user
 * groups and a datasource agent (ids and times: ids.ts). Relationships are stored on their owning
 * side; the inverse sides are derived (refreshAll) right after.
 */
import type { SandboxState } from '../../state.js';
import { refreshAll } from '../crud.js';
import { REGISTRY } from '../specs/index.js';
import { seedAgents } from './agents.js';
import { seedAlerts } from './alerts.js';
import { seedDashboards, seedReports } from './dashboards.js';
import { seedDatasources } from './datasources.js';
import { seedFilters, seedSnippets } from './filters.js';
import { seedDashboardGroups, seedUserGroups } from './groups.js';
import type { Put } from './ids.js';
import { seedSchedules } from './schedules.js';
import { seedUsers } from './users.js';

export function seedOrganisation(state: SandboxState): void {
  seedDatasources(state);
  const put: Put = (rec) => {
    state.records.put(rec);
  };
  // Users first: dashboards and invitations point at them.
  seedUsers(put);
  seedDashboards(put);
  seedReports(put);
  seedFilters(put);
  seedSnippets(put);
  seedAlerts(put);
  seedDashboardGroups(put);
  seedSchedules(put);
  seedUserGroups(put);
  seedAgents(put);
  refreshAll(state, REGISTRY);
}

/** The seeded groups: dashboard groups (Operations, Commercial) and user groups (the two built in, the Analytics Team). */
import type { ResourceRecord } from '../store.js';
import { SEED, T0, T1, T2, links, type Put } from './ids.js';

export function seedDashboardGroups(put: Put): void {
  put({
    id: SEED.dashboardGroups.operations,
    type: 'dashboard_groups',
    attributes: { name: 'Operations', description: 'Day-to-day flight operations.', created_at: T0, updated_at: T1, sort_position: 0 },
    relationships: { dashboards: links('dashboards', [SEED.dashboards.ops, SEED.dashboards.growth]) },
  });
  put({
    id: SEED.dashboardGroups.commercial,
    type: 'dashboard_groups',
    attributes: { name: 'Commercial', description: 'Product and revenue.', created_at: T0, updated_at: T2, sort_position: 1 },
    relationships: { dashboards: links('dashboards', [SEED.dashboards.product]) },
  });
}

function userGroup(id: string, name: string, description: string, builtIn: string | null, users: string[], dashboards: string[]): ResourceRecord {
  return {
    id,
    type: 'user_groups',
    attributes: { name, description, built_in_behavior: builtIn, created_at: T0, updated_at: T0 },
    relationships: { users: links('users', users), dashboards: links('dashboards', dashboards) },
  };
}

export function seedUserGroups(put: Put): void {
  put(userGroup(SEED.userGroups.allUsers, 'All Users', 'Every current and future user of the organization.', 'all_users', [], [SEED.dashboards.ops]));
  put(userGroup(SEED.userGroups.allAnalysts, 'All Analysts', 'Every current and future analyst and admin.', 'all_analysts', [], []));
  put(userGroup(SEED.userGroups.analysts, 'Analytics Team', 'Analysts working on growth and product.', null, [SEED.users.analyst], [SEED.dashboards.growth, SEED.dashboards.product]));
}

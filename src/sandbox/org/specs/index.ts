/**
 * One declarative spec per JSON:API type of the organisation, transcribed from the reference
 * (cluvio-api-v2024-06-01): attributes in response order with type, enum, default, requiredness
 * and writability; relationships with target, cardinality, owning or derived side; what blocks a
 * delete. The generic CRUD in ../crud.ts does the rest. One file per kind: dashboards (with reports,
 * groups, schedules), filters (with SQL snippets and alerts), users (with user groups), agents.
 */
import type { SandboxState } from '../../state.js';
import { Registry, type ResourceSpec } from '../crud.js';
import { linksTo } from '../store.js';
import { agentSpec } from './agents.js';
import { dashboardGroupSpec, dashboardScheduleSpec, dashboardSpec, reportSpec } from './dashboards.js';
import { filterSpec, sqlAlertSpec, sqlSnippetSpec } from './filters.js';
import { userGroupSpec, userSpec } from './users.js';

const SPECS: readonly ResourceSpec[] = [
  agentSpec,
  dashboardSpec,
  dashboardGroupSpec,
  dashboardScheduleSpec,
  reportSpec,
  filterSpec,
  sqlSnippetSpec,
  sqlAlertSpec,
  userSpec,
  userGroupSpec,
];

export const REGISTRY = new Registry(SPECS);

/** Who uses a datasource (blocks its delete): reports, filters, SQL snippets and SQL alerts. */
export function datasourceUsers(state: SandboxState, datasourceId: string): string | null {
  const users: string[] = [];
  for (const [type, what] of [
    ['reports', 'report'],
    ['filters', 'filter'],
    ['sql_snippets', 'SQL snippet'],
    ['sql_alerts', 'SQL alert'],
  ] as const) {
    for (const r of state.records.list(type)) {
      if (linksTo(r, 'datasource', datasourceId)) users.push(`${what} ${r.id}`);
    }
  }
  if (users.length === 0) return null;
  return users.length > 5 ? `${users.slice(0, 5).join(', ')} and ${users.length - 5} more` : users.join(', ');
}

import { ConfigError } from '../config.js';
import { dashboardGroupOperations } from './dashboard-groups.js';
import { dashboardScheduleOperations } from './dashboard-schedules.js';
import { dashboardOperations } from './dashboards.js';
import { datasourceAgentOperations } from './datasource-agents.js';
import { datasourceOperations } from './datasources.js';
import { executionOperations } from './executions.js';
import { exportJobOperations } from './export-jobs.js';
import { filterOperations } from './filters.js';
import { reportOperations } from './reports.js';
import { routeParts } from './request.js';
import { searchOperations } from './search.js';
import { WAIT_CEILING_SECONDS, waitSeconds } from './shared.js';
import { sqlAlertOperations } from './sql-alerts.js';
import { sqlSnippetOperations } from './sql-snippets.js';
import { isLocal, type Operation } from './types.js';
import { userGroupOperations } from './user-groups.js';
import { userOperations } from './users.js';

/**
 * Every operation, in the reference's order, then this server's own (LOCAL: search_account). Adding an operation
 * means adding one entry to a group file.
 */
export const OPERATIONS = [
  ...datasourceOperations,
  ...datasourceAgentOperations,
  ...executionOperations,
  ...dashboardOperations,
  ...dashboardGroupOperations,
  ...dashboardScheduleOperations,
  ...reportOperations,
  ...filterOperations,
  ...sqlSnippetOperations,
  ...sqlAlertOperations,
  ...userOperations,
  ...userGroupOperations,
  ...exportJobOperations,
  ...searchOperations,
] as const;

/** "Get Drop-Down Filter Options" → "get_drop_down_filter_options". */
export function toolName(op: Pick<Operation, 'title'>): string {
  return op.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/** How often this process built a catalog (a test checks that serving requests builds none). */
export const catalogStats = { builds: 0 };

/**
 * The catalog for one configuration: CLUVIO_ROUTES_FILE applied (an override must name a known operation and
 * keep its path parameters, so a typo fails at start-up instead of on the first call), and `max_wait_seconds`
 * capped at `maxWaitSeconds` instead of WAIT_CEILING_SECONDS.
 */
export function buildCatalog(overrides: Record<string, string> = {}, { maxWaitSeconds = WAIT_CEILING_SECONDS } = {}): Operation[] {
  catalogStats.builds++;
  const byId = new Map<string, Operation>(OPERATIONS.map((op) => [op.id, op]));
  for (const [opId, route] of Object.entries(overrides)) {
    const op = byId.get(opId);
    if (!op || isLocal(op)) {
      const accepted = [...byId.values()].filter((o) => !isLocal(o)).map((o) => o.id);
      const what = op ? `"${opId}", this server's own operation: it has no Cluvio route` : `unknown operation "${opId}"`;
      throw new ConfigError(`CLUVIO_ROUTES_FILE names ${what}. Accepted: ${accepted.join(', ')}.`);
    }
    const want = routeParts(op.route).params.sort();
    const got = routeParts(route).params.sort();
    if (want.join(',') !== got.join(',')) {
      const expected = want.length ? want.map((p) => `{${p}}`).join(', ') : 'none';
      throw new ConfigError(`CLUVIO_ROUTES_FILE route for "${opId}" must keep the path parameters (${expected}); got "${route}".`);
    }
    byId.set(opId, { ...op, route });
  }
  const catalog = [...byId.values()];
  if (maxWaitSeconds === WAIT_CEILING_SECONDS) return catalog;
  return catalog.map((op) => ('max_wait_seconds' in op.input.shape ? { ...op, input: op.input.extend({ max_wait_seconds: waitSeconds(maxWaitSeconds) }) } : op));
}

const ORIGINAL_INPUTS = new Map<string, Operation['input']>(OPERATIONS.map((op) => [op.id, op.input]));

/** Whether an operation's input schema is the catalog's own (so its JSON Schema computed at build time applies). */
export function hasOriginalInput(op: Operation): boolean {
  return ORIGINAL_INPUTS.get(op.id) === op.input;
}

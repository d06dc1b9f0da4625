import type { Route } from '../http.js';
import type { SandboxState } from '../state.js';
import type { ExecutionRunner } from './executions.js';

/** Routes that start or report work: dashboard status/refresh, report refresh/data, exports, filter options, alerts. */
export function workRoutes(_state: SandboxState, _runner: ExecutionRunner): Route[] {
  return [];
}

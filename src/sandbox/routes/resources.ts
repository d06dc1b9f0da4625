import type { Route } from '../http.js';
import type { SandboxState } from '../state.js';

/** CRUD and simple actions on every JSON:API resource of the organisation (see resources.ts). */
export function resourceRoutes(_state: SandboxState): Route[] {
  return [];
}

/** Seeds the organisation: dashboards with reports and filters on the sample data, and the rest. */
export function seedOrganisation(_state: SandboxState): void {}

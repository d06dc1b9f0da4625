import type { Operation } from './types.js';

export const dashboardGroupOperations: Operation[] = [];

import type { Operation } from './types.js';

export const dashboardOperations: Operation[] = [];

import type { Operation } from './types.js';

export const dashboardScheduleOperations: Operation[] = [];

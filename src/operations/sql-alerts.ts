import type { Operation } from './types.js';

export const sqlAlertOperations: Operation[] = [];

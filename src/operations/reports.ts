import type { Operation } from './types.js';

export const reportOperations: Operation[] = [];

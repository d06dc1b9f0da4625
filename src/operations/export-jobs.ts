import type { Operation } from './types.js';

export const exportJobOperations: Operation[] = [];

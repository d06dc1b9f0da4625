import type { Operation } from './types.js';

export const filterOperations: Operation[] = [];

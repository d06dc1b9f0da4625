import type { Operation } from './types.js';

export const userOperations: Operation[] = [];

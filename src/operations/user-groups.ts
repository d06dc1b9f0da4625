import type { Operation } from './types.js';

export const userGroupOperations: Operation[] = [];

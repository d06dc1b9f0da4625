import type { Operation } from './types.js';

export const datasourceAgentOperations: Operation[] = [];

import type { Operation } from './types.js';

export const sqlSnippetOperations: Operation[] = [];

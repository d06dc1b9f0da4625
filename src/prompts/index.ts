import type { McpServer } from '@modelcontextprotocol/server';
import type { Deps } from '../operations/types.js';

/** Prompts a user can pick: explore a datasource, answer with SQL, summarise a dashboard, build a report. */
export function registerPrompts(_server: McpServer, _deps: Deps): void {}

import type { McpServer } from '@modelcontextprotocol/server';
import type { Deps } from '../operations/types.js';

/** Resources a client can attach: datasources and their schemas, dashboards and how they are built. */
export function registerResources(_server: McpServer, _deps: Deps): void {}

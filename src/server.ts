import { McpServer } from '@modelcontextprotocol/server';
import { registerViews } from './apps/index.js';
import type { Deps } from './context.js';
import type { ConfirmPolicy } from './operations/types.js';
import { registerPrompts } from './prompts/index.js';
import { registerResources } from './resources/index.js';
import { registerDiscoveryTools } from './tools/discovery.js';
import { Invoker } from './tools/invoker.js';
import { registerOperationTools } from './tools/register.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

/**
 * Loaded in every conversation, and what hosts with tool search (Claude Code) match a request against before
 * any tool schema is loaded: what the server can do, in the words people ask with, and the two habits that matter.
 */
const ABOUT =
  'Cluvio BI: run SQL on datasources (run_execution), read dashboards and reports with filter inputs (refresh_dashboard, refresh_report, get_report_data), export them as PDF, PNG or CSV, and manage datasources, dashboards, reports, filters, SQL snippets, SQL alerts, e-mail schedules, users and groups.';
const SEARCH_FIRST = 'Before writing SQL, search_account for an existing report: its SQL holds the agreed definitions.';
const HABITS =
  'Read get_datasource_schema before writing SQL. A tool that waits returns, at max_wait_seconds, the call that continues.';
const DISCOVERY = 'Find operations with search_operations, then describe_operation and call_operation.';
/** The `confirm` argument, documented once here rather than in every tool that takes it (CLUVIO_CONFIRM). */
const CONFIRM = {
  destructive: 'Tools that delete, overwrite, e-mail people or grant access',
  writes: 'Tools that change anything',
  tail: 'first ask the user to confirm; where the client cannot ask, they return a question and a confirm token: put the question to the user, and only if they agree call again with the same arguments plus confirm.',
};

/** `searchable`: search_account is exposed, so the habit of looking for an existing report can be named. */
export function instructions(discovery: boolean, confirm: ConfirmPolicy = 'off', searchable = false): string {
  return [ABOUT, discovery ? DISCOVERY : '', searchable ? SEARCH_FIRST : '', HABITS, confirm === 'off' ? '' : `${CONFIRM[confirm]} ${CONFIRM.tail}`].filter(Boolean).join(' ');
}

/**
 * A factory: transports may build one server per connection, per protocol era, or (2026-07-28 over HTTP) per
 * request. Everything per process (inventory, tool definitions, caches) is made once, outside it.
 */
export function createServerFactory(deps: Deps): () => McpServer {
  const invoker = new Invoker(deps);
  const { config, inventory } = deps;
  return () => {
    const confirm = inventory.selected.some((op) => inventory.asks(op)) ? inventory.confirmPolicy : 'off';
    const server = new McpServer(
      { name: SERVER_NAME, version: SERVER_VERSION },
      { capabilities: { tools: {}, logging: {} }, instructions: instructions(config.discovery, confirm, inventory.exposes(inventory.ops.searchAccount)) },
    );
    if (config.discovery) registerDiscoveryTools(server, inventory, invoker, config.readOnly);
    else registerOperationTools(server, inventory, config, invoker);
    registerResources(server, deps);
    registerViews(server, config);
    registerPrompts(server, deps);
    return server;
  };
}

import { McpServer } from '@modelcontextprotocol/server';
import { views } from './apps/index.js';
import type { Deps } from './context.js';
import type { ConfirmPolicy } from './operations/types.js';
import { prompts } from './prompts/index.js';
import { resources } from './resources/index.js';
import { discoveryTools } from './tools/discovery.js';
import { Invoker } from './tools/invoker.js';
import { operationTools } from './tools/register.js';
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

/** How a server will be used: one HTTP request (2026-07-28, or 2025-era with --stateless), or a connection or session. */
export interface ServerUse {
  perRequest?: boolean;
  /** The server answers one tools/call of this tool (one HTTP request): only that tool is registered, if it is one of ours. */
  tool?: string;
}

/** One part of what a server offers (tools, resources, prompts), built once per process; registering it is all a new server does. */
export type Surface = (server: McpServer, use: ServerUse) => void;

/** The tools (operations, or discovery's three): registers all of them, or only `use.tool`. */
export type ToolSurface = Surface & { names: ReadonlySet<string> };

export type ServerFactory = (use?: ServerUse) => McpServer;

/**
 * A factory: transports build one server per connection, per session, or (over HTTP) per request. Everything
 * else (inventory, tool, resource and prompt definitions, their schemas, caches) is made here, once.
 */
export function createServerFactory(deps: Deps): ServerFactory {
  const invoker = new Invoker(deps);
  const { config, inventory } = deps;
  const confirm = inventory.selected.some((op) => inventory.asks(op)) ? inventory.confirmPolicy : 'off';
  const text = instructions(config.discovery, confirm, inventory.exposes(inventory.ops.searchAccount));
  const tools = config.discovery ? discoveryTools(inventory, invoker, config.readOnly) : operationTools(inventory, config, invoker);
  const rest: Surface[] = [resources(deps), views(config), prompts(deps)];
  return (use = {}) => {
    const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { capabilities: { tools: {}, logging: {} }, instructions: text });
    // An unknown tool gets the whole server, so the SDK answers it as always.
    if (use.tool !== undefined && tools.names.has(use.tool)) {
      tools(server, use);
      return server;
    }
    const all = { ...use, tool: undefined };
    tools(server, all);
    for (const register of rest) register(server, all);
    return server;
  };
}

/** Factories by Cluvio key (per-user keys over HTTP), each built on its key's first request; the last 64 keys are kept. */
export function factoriesByKey(deps: Deps, keep = 64): (apiKey: string | undefined) => ServerFactory {
  const shared = createServerFactory(deps);
  const byKey = new Map<string, ServerFactory>();
  return (apiKey) => {
    if (!apiKey) return shared;
    let factory = byKey.get(apiKey);
    if (factory) byKey.delete(apiKey);
    else factory = createServerFactory({ ...deps, api: deps.api.withApiKey(apiKey) });
    byKey.set(apiKey, factory);
    if (byKey.size > keep) byKey.delete(byKey.keys().next().value!);
    return factory;
  };
}

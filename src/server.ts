import { McpServer } from '@modelcontextprotocol/server';
import { registerViews } from './apps/index.js';
import type { Deps, Operation } from './operations/types.js';
import { registerPrompts } from './prompts/index.js';
import { registerResources } from './resources/index.js';
import { registerDiscoveryTools } from './tools/discovery.js';
import { Invoker, registerOperationTools } from './tools/register.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

const INSTRUCTIONS =
  'Cluvio BI. Read a datasource schema before writing SQL; run_execution waits for the query and returns rows; results are paged with get_execution_data.';

/** A factory: transports may build one server per connection or protocol era. */
export function createServerFactory(selected: readonly Operation[], catalog: readonly Operation[], deps: Deps): () => McpServer {
  // The invoker knows the whole catalog: a selected tool may poll with an unselected operation (Get Execution).
  const invoker = new Invoker(catalog, deps);
  return () => {
    const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS });
    if (deps.config.discovery) registerDiscoveryTools(server, selected, invoker, deps.config.readOnly);
    else registerOperationTools(server, selected, invoker, deps.config.readOnly);
    registerResources(server, deps);
    registerViews(server, deps.config);
    registerPrompts(server, deps);
    return server;
  };
}

import { McpServer } from '@modelcontextprotocol/server';
import type { Operation, Deps } from './operations/types.js';
import { registerTools } from './tools/register.js';
import { SERVER_NAME, SERVER_VERSION } from './version.js';

const INSTRUCTIONS =
  'Cluvio BI: explore datasources (get_datasource_schema), run SQL with run_execution (rows come back directly; it waits for the query), and page with get_execution_data.';

/** A factory: transports may build one server per connection or era. */
export function createServerFactory(operations: readonly Operation[], deps: Deps): () => McpServer {
  return () => {
    const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS });
    registerTools(server, operations, deps);
    return server;
  };
}

import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/cluvio/api-client.js';
import { parseCommand } from '../src/config.js';
import type { Deps } from '../src/context.js';
import { Inventory } from '../src/inventory.js';
import { catalogStats } from '../src/operations/index.js';
import { ResourceHub } from '../src/resources/hub.js';
import { createServerFactory } from '../src/server.js';
import { Confirmations } from '../src/tools/confirm.js';

const logger = { info() {}, warn() {}, debug() {}, error() {} } as never;

function deps(argv: string[]): Deps {
  const cmd = parseCommand(argv, { CLUVIO_API_KEY: 'k' });
  if (cmd.kind !== 'serve') throw new Error('expected serve');
  const config = cmd.config;
  return { api: {} as ApiClient, data: {} as never, config, logger, inventory: new Inventory(config), hub: new ResourceHub(logger), confirmations: new Confirmations(config.confirm) };
}

describe('the server factory', () => {
  it('builds a server per connection or request without building the catalog again', () => {
    for (const argv of [[], ['--read-only'], ['--discovery'], ['--toolsets', 'executions']]) {
      const d = deps(argv);
      const factory = createServerFactory(d);
      const [inventories, catalogs] = [Inventory.built, catalogStats.builds];
      // The 2026-07-28 HTTP leg builds one server per request.
      for (let i = 0; i < 20; i++) factory();
      expect(Inventory.built, argv.join(' ')).toBe(inventories);
      expect(catalogStats.builds, argv.join(' ')).toBe(catalogs);
    }
  });
});

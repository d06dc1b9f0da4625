import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from './source-files.js';
import type { ApiClient } from '../src/cluvio/api-client.js';
import { parseCommand } from '../src/config.js';
import type { Deps } from '../src/context.js';
import { Inventory } from '../src/inventory.js';
import { catalogStats } from '../src/operations/index.js';
import { TOOLSET_INFO } from '../src/operations/types.js';
import { ResourceHub } from '../src/resources/hub.js';
import { createServerFactory, factoriesByKey } from '../src/server.js';
import { Confirmations } from '../src/tools/confirm.js';

const logger = { info() {}, warn() {}, debug() {}, error() {} } as never;

function deps(argv: string[]): Deps {
  const cmd = parseCommand(argv, { CLUVIO_API_KEY: 'k' });
  if (cmd.kind !== 'serve') throw new Error('expected serve');
  const config = cmd.config;
  const api = { keyId: 'shared', withApiKey: (key: string) => ({ ...api, keyId: key }) } as unknown as ApiClient;
  return { api, data: {} as never, config, logger, inventory: new Inventory(config), hub: new ResourceHub(logger), confirmations: new Confirmations(config.confirm) };
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

  it('makes schemas, templates and prompt arguments once: a per-request server only registers them', () => {
    const factory = createServerFactory(deps([]));
    type Internals = { _registeredTools: Record<string, { inputSchema: unknown }>; _registeredPrompts: Record<string, { argsSchema: unknown }>; _registeredResourceTemplates: Record<string, { resourceTemplate: unknown }> };
    const [a, b] = [factory({ perRequest: true }), factory({ perRequest: true })] as unknown as Internals[];
    expect(Object.keys(a!._registeredTools)).toHaveLength(90);
    for (const [name, tool] of Object.entries(a!._registeredTools)) expect(b!._registeredTools[name]!.inputSchema, name).toBe(tool.inputSchema);
    expect(Object.keys(a!._registeredPrompts)).toHaveLength(4);
    for (const [name, prompt] of Object.entries(a!._registeredPrompts)) expect(b!._registeredPrompts[name]!.argsSchema, name).toBe(prompt.argsSchema);
    expect(Object.keys(a!._registeredResourceTemplates)).toHaveLength(4);
    for (const [name, t] of Object.entries(a!._registeredResourceTemplates)) expect(b!._registeredResourceTemplates[name]!.resourceTemplate, name).toBe(t.resourceTemplate);
  });

  it('builds a server for one tools/call with only that tool, and the whole server for a tool it does not have', () => {
    type Internals = { _registeredTools: Record<string, unknown>; _registeredPrompts: Record<string, unknown>; _registeredResourceTemplates: Record<string, unknown> };
    const registered = (s: unknown) => {
      const i = s as Internals;
      return [Object.keys(i._registeredTools).length, Object.keys(i._registeredPrompts).length, Object.keys(i._registeredResourceTemplates).length];
    };
    const factory = createServerFactory(deps([]));
    expect(Object.keys((factory({ perRequest: true, tool: 'get_datasource' }) as unknown as Internals)._registeredTools)).toEqual(['get_datasource']);
    expect(registered(factory({ perRequest: true, tool: 'get_datasource' }))).toEqual([1, 0, 0]);
    expect(registered(factory({ perRequest: true, tool: 'no_such_tool' }))).toEqual([90, 4, 4]);
    expect(registered(factory({ perRequest: true }))).toEqual([90, 4, 4]);
    // Read-only: a write tool is not this server's, so the whole (read-only) server answers it as unknown.
    const readOnly = createServerFactory(deps(['--read-only']));
    expect(Object.keys((readOnly({ perRequest: true, tool: 'delete_dashboard' }) as unknown as Internals)._registeredTools)).not.toContain('delete_dashboard');
    expect(registered(readOnly({ perRequest: true, tool: 'delete_dashboard' }))[0]).toBeGreaterThan(1);
    const discovery = createServerFactory(deps(['--discovery']));
    expect(Object.keys((discovery({ perRequest: true, tool: 'call_operation' }) as unknown as Internals)._registeredTools)).toEqual(['call_operation']);
    expect(Object.keys((discovery({ perRequest: true, tool: 'get_datasource' }) as unknown as Internals)._registeredTools)).toEqual(['search_operations', 'describe_operation', 'call_operation']);
  });

  it('keeps one factory per Cluvio key, the most recently used ones', () => {
    const factoryFor = factoriesByKey(deps([]), 2);
    const shared = factoryFor(undefined);
    const [k1, k2] = [factoryFor('key-1'), factoryFor('key-2')];
    expect(new Set([shared, k1, k2]).size).toBe(3);
    expect(factoryFor('key-1')).toBe(k1);
    // key-2 is now the least recently used of two: a third key pushes it out, key-1 stays.
    factoryFor('key-3');
    expect(factoryFor('key-1')).toBe(k1);
    expect(factoryFor('key-2')).not.toBe(k2);
    expect(factoryFor(undefined)).toBe(shared);
  });
});

describe('inventories restricted to OAuth scopes', () => {
  it('builds one per access-class set, once, sharing the catalog; the full set is the inventory itself', () => {
    const d = deps([]);
    const [inventories, catalogs] = [Inventory.built, catalogStats.builds];
    const read = d.inventory.forAccess(new Set(['read']));
    const readRun = d.inventory.forAccess(new Set(['run', 'read']));
    for (let i = 0; i < 20; i++) {
      expect(d.inventory.forAccess(new Set(['read']))).toBe(read);
      expect(d.inventory.forAccess(new Set(['read', 'run']))).toBe(readRun);
      expect(d.inventory.forAccess(new Set(['write', 'run', 'read']))).toBe(d.inventory);
    }
    expect(Inventory.built).toBe(inventories + 2);
    expect(catalogStats.builds).toBe(catalogs);
    expect(read.all).toBe(d.inventory.all);
    expect(read.selected.map((op) => op.id)).toEqual(d.inventory.selected.filter((op) => op.access === 'read').map((op) => op.id));
    expect(readRun.selected.map((op) => op.access)).toContain('run');
    expect(readRun.selected.every((op) => op.access !== 'write')).toBe(true);
    // Read-only mode and toolsets still apply inside a scope set.
    const readOnly = deps(['--read-only', '--toolsets', 'executions']).inventory.forAccess(new Set(['run', 'write']));
    expect(readOnly.selected.map((op) => op.access)).toEqual(readOnly.selected.map(() => 'run'));
    expect(readOnly.selected.length).toBeGreaterThan(0);
  });
});

describe('tools and prompts named in prose', () => {
  it('exist: every snake_case name an instruction, hint, error, prompt or doc gives the model or the reader is served', () => {
    type Internals = { _registeredTools: Record<string, unknown>; _registeredPrompts: Record<string, unknown> };
    const served = new Set<string>(['list_changed', ...Object.keys(TOOLSET_INFO)]); // list_changed: MCP's own word
    for (const argv of [[], ['--discovery']]) {
      const server = createServerFactory(deps(argv))() as unknown as Internals;
      for (const name of [...Object.keys(server._registeredTools), ...Object.keys(server._registeredPrompts)]) served.add(name);
    }
    // Field names such as run_at or trigger_condition are Cluvio's own words.
    const reference = readFileSync(new URL('../reference/cluvio-api-v2024-06-01.txt', import.meta.url), 'utf8');
    const verbs = 'get|list|create|update|delete|refresh|run|export|cancel|trigger|activate|invite|search|add|remove|copy|test|send|duplicate|call|describe|answer|question|explore|summarize';
    const unknown: string[] = [];
    const root = new URL('../', import.meta.url);
    const files = [...sourceFiles(fileURLToPath(new URL('src/', root))).filter((f) => !f.includes('/src/sandbox/')), ...['README.md', 'SECURITY.md', 'docs/mutation.md'].map((f) => fileURLToPath(new URL(f, root)))];
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(new RegExp(`(?<![/\\w])(?:${verbs})_[a-z_]+\\b`, 'g'))) {
        if (!served.has(m[0]) && !new RegExp(`\\b${m[0]}\\b`).test(reference)) unknown.push(`${file.slice(fileURLToPath(root).length)}: ${m[0]}`);
      }
    }
    expect(served.size).toBeGreaterThan(90);
    expect(unknown).toEqual([]);
  });
});


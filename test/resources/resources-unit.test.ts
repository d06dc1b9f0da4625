import { describe, expect, it, vi } from 'vitest';
import type { ServerContext } from '@modelcontextprotocol/server';
import type { ApiClient } from '../../src/cluvio/api-client.js';
import type { Deps } from '../../src/context.js';
import { Inventory } from '../../src/inventory.js';
import { OPERATIONS, toolName } from '../../src/operations/index.js';
import { buildIndex } from '../../src/search/index.js';
import type { Operation } from '../../src/operations/types.js';
import { TtlCache } from '../../src/resources/cache.js';
import { ResourceHub, type OperationDone } from '../../src/resources/hub.js';
import { matchIds } from '../../src/resources/reader.js';
import { normaliseSchemas, type SchemaInfo } from '../../src/cluvio/schema-data.js';
import { cap, dashboardsText, datasourceSchemaText, MAX_RESOURCE_CHARS, uris } from '../../src/resources/format.js';
import { Invoker } from '../../src/tools/invoker.js';

describe('TtlCache', () => {
  it('shares one load between readers until the entry expires', async () => {
    let now = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    const load = vi.fn(async () => 42);
    await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(load).toHaveBeenCalledTimes(1);
    now = 999;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(1);
    now = 1000;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets failed loads and invalidated keys', async () => {
    const cache = new TtlCache<number>(60_000);
    await expect(cache.get('a', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', async () => 1)).toBe(1);
    await cache.get('b', async () => 2);
    cache.invalidate((k) => k === 'a');
    const again = vi.fn(async () => 3);
    expect(await cache.get('a', again)).toBe(3);
    expect(await cache.get('b', again)).toBe(2);
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('stays within its size', async () => {
    const cache = new TtlCache<number>(60_000, 3);
    for (let i = 0; i < 10; i++) await cache.get(String(i), async () => i);
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});

describe('id completion', () => {
  const items = [
    { id: 'smpl-data-0001', name: 'Cluvio Sample Data' },
    { id: 'prod-anly-0002', name: 'Product Analytics' },
    { id: 'x-1', name: 'Sample of clusters' },
  ];
  it('matches id prefixes first, then name prefixes, then words of names, ignoring case', () => {
    expect(matchIds(items, 'smpl')).toEqual(['smpl-data-0001']);
    expect(matchIds(items, 'Cluv')).toEqual(['smpl-data-0001']);
    expect(matchIds(items, 'sam')).toEqual(['x-1', 'smpl-data-0001']);
    expect(matchIds(items, 'analytics')).toEqual(['prod-anly-0002']);
    expect(matchIds(items, '')).toHaveLength(3);
    expect(matchIds(items, 'zzz')).toEqual([]);
  });
});

describe('resource texts', () => {
  it('cap leaves short texts alone and says where a long one was cut', () => {
    expect(cap('short')).toBe('short');
    const long = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
    const out = cap(long, MAX_RESOURCE_CHARS, 'Read more elsewhere.');
    expect(out.length).toBeLessThanOrEqual(MAX_RESOURCE_CHARS);
    expect(out).toMatch(/\[Cut: showing 100,000 of [\d,]+ characters\. Read more elsewhere\.\]$/);
  });

  it('summarises a large schema as tables with column counts and links each schema', () => {
    const wide: SchemaInfo[] = [
      {
        name: 'sales',
        tables: Array.from({ length: 300 }, (_, t) => ({ name: `t${t}`, columns: Array.from({ length: 20 }, (_, c) => ({ name: `column_${c}`, type: 'text' })) })),
      },
    ];
    const text = datasourceSchemaText({ id: 'ds1', name: 'Big', database_type: 'postgres' }, 'ds1', wide);
    expect(text).toContain('t0: 20 columns');
    expect(text).toContain(uris.schema('ds1', 'sales'));
    expect(text).not.toContain('column_19');
    const small = datasourceSchemaText(undefined, 'ds1', [{ name: 'public', tables: [{ name: 'flights', columns: [{ name: 'id', type: 'bigint' }] }] }]);
    expect(small).toContain('flights(id bigint)');
    expect(datasourceSchemaText(undefined, 'ds1', [])).toMatch(/refresh_datasource/);
  });

  it('normalises the data server answer for all schemas and for one', () => {
    const one = { name: 'public', tables: [{ name: 'a', columns: [{ name: 'x', db_type: 'int', data_type: 'Integer' }, { name: 'y', data_type: 'String' }] }] };
    expect(normaliseSchemas({ schemas: [one] })).toEqual([{ name: 'public', tables: [{ name: 'a', columns: [{ name: 'x', type: 'int' }, { name: 'y', type: 'String' }] }] }]);
    expect(normaliseSchemas(one)).toHaveLength(1);
    expect(normaliseSchemas(null)).toEqual([]);
  });

  it('lists dashboards with their groups and report counts', () => {
    const text = dashboardsText(
      [
        { id: 'd1', name: 'One', report_ids: ['r1', 'r2'] },
        { id: 'd2', name: 'Two', report_ids: ['r3'] },
      ],
      [{ id: 'g1', name: 'Ops', dashboard_ids: ['d1'] }],
    );
    expect(text).toContain('- d1 | One | Ops | 2 reports');
    expect(text).toContain('- d2 | Two | (no group) | 1 report');
  });
});

describe('the after-success hook', () => {
  const logger = { info() {}, warn() {}, debug() {} };
  const inventory = new Inventory({ routeOverrides: {}, maxWaitSeconds: 50, toolsets: [], tools: [], readOnly: false });
  const ctx = { mcpReq: { signal: new AbortController().signal, _meta: undefined, notify: async () => {} } } as unknown as ServerContext;
  const op = (id: string, access: Operation['access'], fail = false): Operation =>
    ({ ...OPERATIONS.find((o) => o.id === id)!, access, handler: async () => (fail ? { text: 'no', isError: true } : { text: 'ok' }) }) as Operation;
  const depsWith = (hub: Pick<ResourceHub, 'operationDone'>) =>
    ({ api: {} as ApiClient, config: { readOnly: false, revealSecrets: false }, logger, inventory, hub }) as unknown as Deps;

  it('reports successful run and write calls only', async () => {
    const seen: OperationDone[] = [];
    const deps = depsWith({ operationDone: (e) => seen.push(e) });
    const invoker = new Invoker(deps);
    await invoker.invoke(op('createDashboard', 'write'), { name: 'x' }, ctx);
    await invoker.invoke(op('refreshDatasource', 'run'), { id: 'ds' }, ctx);
    await invoker.invoke(op('listDashboards', 'read'), {}, ctx);
    await invoker.invoke(op('deleteDashboard', 'write', true), { id: 'd' }, ctx);
    expect(seen.map((e) => toolName(e.op))).toEqual(['create_dashboard', 'refresh_datasource']);
    expect(seen[1]!.args).toEqual({ id: 'ds' });
    expect(seen[0]!.api).toBe(deps.api);
  });

  it('the hub drops what the catalog says is stale and never fails a call', async () => {
    const hub = new ResourceHub(logger as never);
    const api = {} as ApiClient;
    const key = (ds: string) => [hub.keyOf(api), ds, ''].join('\u0000');
    const load = vi.fn(async () => [] as SchemaInfo[]);
    await hub.schemas.get(key('ds1'), load);
    await hub.schemas.get(key('ds2'), load);
    await hub.lists.get('l', async () => []);
    const publish = vi.fn();
    hub.onListChanged(publish);
    // A refresh (run) makes ds1's schema data stale: refreshDatasource invalidates 'datasource-schema'.
    hub.operationDone({ op: inventory.ops.refreshDatasource, args: { id: 'ds1' }, api });
    expect(hub.schemas.size).toBe(1);
    expect(hub.lists.size).toBe(1);
    expect(publish).not.toHaveBeenCalled();
    // A write in a toolset the resources show: lists dropped, change announced.
    hub.operationDone({ op: inventory.ops.createDashboard, args: { name: 'x' }, api });
    expect(hub.lists.size).toBe(0);
    expect(publish).toHaveBeenCalledTimes(1);
    // A write elsewhere (a SQL snippet) announces nothing.
    hub.operationDone({ op: inventory.ops.createSqlSnippet, args: { name: 'x' }, api });
    expect(publish).toHaveBeenCalledTimes(1);
    hub.onListChanged(() => {
      throw new Error('listener bug');
    });
    expect(() => hub.operationDone({ op: inventory.ops.deleteDashboard, args: { id: 'd' }, api })).not.toThrow();
    const res = await new Invoker(depsWith(hub)).invoke(op('createDashboard', 'write'), { name: 'x' }, ctx);
    expect(res.isError).toBeFalsy();
  });
  it("drops every key's search index after a write that changes what search finds, and only then", async () => {
    const hub = new ResourceHub(logger as never);
    const api = {} as ApiClient;
    const fill = async () => {
      for (const key of ['k1', 'k2']) await hub.search.get(key, async () => buildIndex({ report: [{ id: 'r', name: 'n' }] }));
    };
    await fill();
    // A run, a read, and writes that change nothing search shows keep the indexes.
    for (const id of ['refreshReport', 'lockDashboard', 'updateDashboardLayout', 'shareDashboard', 'runSqlAlertQuery', 'createUserGroup'] as const) {
      hub.operationDone({ op: inventory.ops[id], args: { id: 'x' }, api });
      expect(hub.search.stats.accounts, id).toBe(2);
    }
    // A SQL snippet is not in the resources (its lists stay), but search finds it.
    for (const id of ['createSqlSnippet', 'updateReport', 'deleteFilter', 'duplicateDashboard', 'deleteSqlAlert'] as const) {
      hub.operationDone({ op: inventory.ops[id], args: { id: 'x' }, api });
      expect(hub.search.stats.accounts, id).toBe(0);
      await fill();
    }
  });
});

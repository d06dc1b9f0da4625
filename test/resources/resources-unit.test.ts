import { describe, expect, it, vi } from 'vitest';
import type { ServerContext } from '@modelcontextprotocol/server';
import type { ApiClient } from '../../src/cluvio/api-client.js';
import { OPERATIONS, toolName } from '../../src/operations/index.js';
import type { Deps, Operation } from '../../src/operations/types.js';
import { TtlCache } from '../../src/resources/cache.js';
import { matchIds, type SchemaInfo } from '../../src/resources/cluvio.js';
import { normaliseSchemas } from '../../src/cluvio/schema-data.js';
import { onOperationDone, type OperationDone } from '../../src/resources/events.js';
import { cap, dashboardsText, datasourceSchemaText, MAX_RESOURCE_CHARS, uris } from '../../src/resources/format.js';
import { Invoker } from '../../src/tools/register.js';

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
  const deps = {
    api: {} as ApiClient,
    config: { readOnly: false, revealSecrets: false },
    logger: { info() {}, warn() {}, debug() {} },
  } as unknown as Deps;
  const ctx = { mcpReq: { signal: new AbortController().signal, _meta: undefined, notify: async () => {} } } as unknown as ServerContext;
  const op = (id: string, access: Operation['access'], fail = false): Operation =>
    ({ ...OPERATIONS.find((o) => o.id === id)!, access, handler: async () => (fail ? { text: 'no', isError: true } : { text: 'ok' }) }) as Operation;

  it('reports successful run and write calls only', async () => {
    const seen: OperationDone[] = [];
    const off = onOperationDone((e) => seen.push(e));
    const invoker = new Invoker(OPERATIONS, deps);
    await invoker.invoke(op('createDashboard', 'write'), { name: 'x' }, ctx);
    await invoker.invoke(op('refreshDatasource', 'run'), { id: 'ds' }, ctx);
    await invoker.invoke(op('listDashboards', 'read'), {}, ctx);
    await invoker.invoke(op('deleteDashboard', 'write', true), { id: 'd' }, ctx);
    off();
    expect(seen.map((e) => toolName(e.op))).toEqual(['create_dashboard', 'refresh_datasource']);
    expect(seen[1]!.args).toEqual({ id: 'ds' });
    expect(seen[0]!.api).toBe(deps.api);
  });

  it('never fails a call because a listener throws', async () => {
    const off = onOperationDone(() => {
      throw new Error('listener bug');
    });
    const res = await new Invoker(OPERATIONS, deps).invoke(op('createDashboard', 'write'), { name: 'x' }, ctx);
    off();
    expect(res.isError).toBeFalsy();
  });
});

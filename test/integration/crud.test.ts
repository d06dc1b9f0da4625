import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, listOf, objectOf, textOf, type Connected } from './harness.js';

/** Create → get → update → list → delete through MCP for every resource type that has all five. */
type Ids = { datasource: string; dashboard: string };
const CASES: Array<{ type: string; create: (ids: Ids) => Record<string, unknown>; update: Record<string, unknown>; check: [string, unknown] }> = [
  {
    type: 'datasource',
    create: () => ({ name: 'RT Warehouse', database_type: 'postgres', connection_mode: 'direct', host: 'db.example', port: 5432, username: 'bi', password: 'pw-rt-secret', database: 'dw' }),
    update: { name: 'RT Warehouse 2' },
    check: ['name', 'RT Warehouse 2'],
  },
  { type: 'datasource_agent', create: () => ({ name: 'RT Agent' }), update: { name: 'RT Agent 2' }, check: ['name', 'RT Agent 2'] },
  { type: 'dashboard', create: () => ({ name: 'RT Dashboard' }), update: { name: 'RT Dashboard 2', description: 'round trip' }, check: ['description', 'round trip'] },
  { type: 'dashboard_group', create: () => ({ name: 'RT Group' }), update: { name: 'RT Group 2' }, check: ['name', 'RT Group 2'] },
  {
    type: 'dashboard_schedule',
    create: (ids) => ({ name: 'RT Schedule', emails: 'rt@example.com', attach_as: 'pdf', schedule: 'daily;08:00', dashboard_id: ids.dashboard }),
    update: { schedule: 'weekly;0;07:30' },
    check: ['schedule', 'weekly;0;07:30'],
  },
  {
    type: 'report',
    create: (ids) => ({ name: 'RT Report', dashboard_id: ids.dashboard, datasource_id: ids.datasource, sql_query: 'SELECT COUNT(*) FROM flights' }),
    update: { name: 'RT Report 2' },
    check: ['name', 'RT Report 2'],
  },
  {
    type: 'filter',
    create: () => ({ variable_name: 'rt_filter', display_name: 'RT Filter', control_type: 'dropdown', value_type: 'TEXT', values: ['a', 'b'] }),
    update: { display_name: 'RT Filter 2' },
    check: ['display_name', 'RT Filter 2'],
  },
  {
    type: 'sql_snippet',
    create: (ids) => ({ name: 'rt_snippet', text: 'SELECT code FROM airports', datasource_id: ids.datasource }),
    update: { text: 'SELECT code, name FROM airports' },
    check: ['text', 'SELECT code, name FROM airports'],
  },
  {
    type: 'sql_alert',
    create: (ids) => ({ name: 'RT Alert', sql_query: 'SELECT 1', run_schedule: 'disabled', email_condition: 'triggered', datasource_id: ids.datasource }),
    update: { sql_query: 'SELECT 2' },
    check: ['sql_query', 'SELECT 2'],
  },
  { type: 'user_group', create: () => ({ name: 'RT Users' }), update: { name: 'RT Users 2' }, check: ['name', 'RT Users 2'] },
];

describe('create → get → update → list → delete through MCP', () => {
  let s: Connected;
  const ids = {} as Ids;
  beforeAll(async () => {
    s = await connectStdio(['--sandbox']);
    const ds = await s.client.callTool({ name: 'list_datasources', arguments: { name: 'sample' } });
    ids.datasource = listOf(ds).items[0]!.id!;
    const db = await s.client.callTool({ name: 'list_dashboards', arguments: {} });
    ids.dashboard = listOf(db).items[0]!.id!;
  });
  afterAll(async () => s?.close());

  it.each(CASES)('$type', async ({ type, create, update, check }) => {
    const call = async (name: string, args: Record<string, unknown>) => {
      const res = await s.client.callTool({ name, arguments: args });
      // Object and list tools answer in text only (they declare no output schema).
      expect(res.structuredContent, name).toBeUndefined();
      return { res, text: textOf(res) };
    };
    const created = await call(`create_${type}`, create(ids));
    expect(created.res.isError, created.text).toBeFalsy();
    const id = objectOf<{ id: string }>(created.res).id;
    expect(id).toBeTruthy();

    const got = await call(`get_${type}`, { id });
    expect(got.res.isError, got.text).toBeFalsy();
    expect(objectOf(got.res).id).toBe(id);

    const updated = await call(`update_${type}`, { id, ...update });
    expect(updated.res.isError, updated.text).toBeFalsy();
    expect(objectOf((await call(`get_${type}`, { id })).res)[check[0]]).toBe(check[1]);

    const listed = await call(`list_${type}s`, { limit: 500 });
    expect(listed.res.isError, listed.text).toBeFalsy();
    expect(listOf(listed.res).items.map((i) => i.id)).toContain(id);

    const deleted = await call(`delete_${type}`, { id });
    expect(deleted.res.isError, deleted.text).toBeFalsy();
    const gone = await call(`get_${type}`, { id });
    expect(gone.res.isError).toBe(true);
    expect(gone.text).toMatch(/404/);
  });

  it('a bad enum value is a tool error naming the field and the accepted values, and changes nothing', async () => {
    const before = listOf(await s.client.callTool({ name: 'list_datasources', arguments: {} }));
    const res = await s.client.callTool({ name: 'create_datasource', arguments: { name: 'Bad', database_type: 'nosuchdb', connection_mode: 'direct' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/database_type/);
    expect(textOf(res)).toMatch(/"postgres", "redshift"/);
    const after = listOf(await s.client.callTool({ name: 'list_datasources', arguments: {} }));
    expect(after.total).toBe(before.total);
  });

  it('the sandbox rejects what the schema lets through but Cluvio would not (422 with its detail)', async () => {
    const res = await s.client.callTool({ name: 'delete_datasource', arguments: { id: ids.datasource } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 422/);
  });

  it('redacts credentials the API returns', async () => {
    const res = await s.client.callTool({ name: 'create_datasource', arguments: { name: 'Secretive', database_type: 'postgres', connection_mode: 'direct', password: 'pw-marker-123' } });
    expect(JSON.stringify(res)).not.toContain('pw-marker-123');
    expect(objectOf<{ password: string }>(res).password).toMatch(/^\[redacted/);
    const agent = await s.client.callTool({ name: 'create_datasource_agent', arguments: { name: 'Secret agent' } });
    const key = objectOf<{ secret_key?: string }>(agent).secret_key;
    expect(key).toMatch(/^\[redacted/);
  });
});

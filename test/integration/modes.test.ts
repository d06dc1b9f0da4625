import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, connectStdio, listOf, textOf, type Connected } from './harness.js';

/**
 * The 45 tools of read-only mode (README: reading, searching, running queries, refreshing cached data and exporting
 * files; create_dashboard_backup only returns a JSON backup). Every other tool creates, updates, deletes, locks, unlocks,
 * shares, duplicates, sorts, invites, triggers, runs an alert or (de)activates a user.
 */
const READ_ONLY_TOOLS = [
  'cancel_execution',
  'cancel_export_job',
  'create_dashboard_backup',
  'export_dashboard_pdf',
  'export_dashboard_png',
  'export_report_csv',
  'export_report_pdf',
  'export_report_png',
  'get_dashboard',
  'get_dashboard_group',
  'get_dashboard_schedule',
  'get_datasource',
  'get_datasource_agent',
  'get_datasource_schema',
  'get_drop_down_filter_options',
  'get_execution',
  'get_execution_data',
  'get_export_job',
  'get_filter',
  'get_report',
  'get_report_data',
  'get_sql_alert',
  'get_sql_snippet',
  'get_user',
  'get_user_group',
  'list_dashboard_groups',
  'list_dashboard_schedules',
  'list_dashboards',
  'list_datasource_agents',
  'list_datasources',
  'list_filters',
  'list_reports',
  'list_sql_alert_results',
  'list_sql_alerts',
  'list_sql_snippets',
  'list_user_groups',
  'list_users',
  'poll_dashboard_status',
  'refresh_dashboard',
  'refresh_datasource',
  'refresh_drop_down_filter_options',
  'refresh_report',
  'run_execution',
  'search_account',
  'test_datasource_connection',
];

async function sampleId(s: Connected): Promise<string> {
  const res = await s.client.callTool({ name: 'list_datasources', arguments: { name: 'sample' } });
  return listOf(res).items[0]!.id!;
}

describe('--read-only', () => {
  let s: Connected;
  beforeAll(async () => {
    s = await connectStdio(['--sandbox', '--read-only']);
  });
  afterAll(async () => s?.close());

  it('lists no tool that changes the account, and keeps reads, queries, refreshes and exports', async () => {
    const { tools } = await s.client.listTools();
    const names = tools.map((t) => t.name);
    expect(READ_ONLY_TOOLS).toHaveLength(45);
    expect([...names].sort()).toEqual(READ_ONLY_TOOLS);
    for (const t of tools) expect(t.annotations?.destructiveHint, t.name).toBe(false);
    // create_dashboard_backup only returns a JSON backup; it creates nothing in the account.
    const changing = names.filter((n) => n !== 'create_dashboard_backup');
    for (const forbidden of ['create_', 'update_', 'delete_', 'lock_', 'unlock_', 'share_', 'duplicate_', 'sort_', 'invite_', 'trigger_', 'run_sql_alert', 'resend_']) {
      expect(changing.filter((n) => n.startsWith(forbidden)), forbidden).toEqual([]);
    }
    for (const kept of ['list_datasources', 'get_datasource', 'get_datasource_schema', 'run_execution', 'get_execution_data', 'refresh_dashboard', 'export_dashboard_pdf', 'export_report_csv', 'get_report_data', 'list_users']) {
      expect(names, kept).toContain(kept);
    }
  });

  it('run_execution refuses a DELETE and runs a SELECT', async () => {
    const id = await sampleId(s);
    const refused = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: id, sql_query: 'DELETE FROM flights' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/read-only/);
    const cte = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: id, sql_query: 'WITH x AS (DELETE FROM flights RETURNING 1) SELECT * FROM x' } });
    expect(cte.isError).toBe(true);
    const ok = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: id, sql_query: "SELECT 'update' AS word -- delete" } });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(textOf(ok)).toContain('update');
  });
});

describe('--toolsets and --tools', () => {
  it('--toolsets executions lists exactly the 4 execution tools', async () => {
    const s = await connectStdio(['--sandbox', '--toolsets', 'executions']);
    try {
      const { tools } = await s.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['cancel_execution', 'get_execution', 'get_execution_data', 'run_execution']);
    } finally {
      await s.close();
    }
  });

  it('--tools adds single tools to a toolset', async () => {
    const s = await connectStdio(['--sandbox', '--toolsets', 'executions', '--tools', 'list_datasources']);
    try {
      const { tools } = await s.client.listTools();
      expect(tools).toHaveLength(5);
      expect(tools.map((t) => t.name)).toContain('list_datasources');
    } finally {
      await s.close();
    }
  });

  it('an unknown toolset stops the server with the valid names', async () => {
    const { code, stderr } = await run(['--toolsets', 'executions,nope'], { CLUVIO_API_KEY: 'x' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/nope/);
    expect(stderr).toMatch(/datasources, datasource_agents, executions/);
  });

  it('an unknown tool stops the server with the valid names', async () => {
    const { code, stderr } = await run([], { CLUVIO_API_KEY: 'x', CLUVIO_TOOLS: 'run_sql' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/run_sql.*run_execution/s);
  });
});

describe('--discovery', () => {
  let s: Connected;
  beforeAll(async () => {
    s = await connectStdio(['--sandbox', '--discovery', '--read-only']);
  });
  afterAll(async () => s?.close());

  it('searches, describes and calls operations under the same rules', async () => {
    expect(s.client.getInstructions()).toMatch(/search_operations, then describe_operation and call_operation/);
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['call_operation', 'describe_operation', 'search_operations']);

    const found = await s.client.callTool({ name: 'search_operations', arguments: { query: 'datasource schema' } });
    expect(textOf(found)).toMatch(/^get_datasource_schema:/);

    const described = await s.client.callTool({ name: 'describe_operation', arguments: { name: 'run_execution' } });
    const schema = (JSON.parse(textOf(described)) as { input_schema: { required: string[] } }).input_schema;
    expect(schema.required).toEqual(['datasource_id', 'sql_query']);

    const call = (name: string, args: unknown) => s.client.callTool({ name: 'call_operation', arguments: { name, arguments: JSON.stringify(args) } });
    const listed = await call('list_datasources', { name: 'sample' });
    expect(listed.structuredContent).toBeUndefined();
    const id = listOf(listed).items[0]!.id!;
    const rows = await call('run_execution', { datasource_id: id, sql_query: 'SELECT 6*7 AS answer' });
    expect(rows.isError, textOf(rows)).toBeFalsy();
    // No structuredContent here, so the text is the answer: exactly the one-cell table.
    expect(textOf(rows)).toMatch(/^Execution [0-9a-f-]{36} succeeded: 1 row, 1 column; showing rows 1–1\.\n\| answer \(Integer\) \|\n\|---\|\n\| 42 \|$/);
    // call_operation declares no output schema: no structuredContent, even for run_execution.
    expect(rows.structuredContent).toBeUndefined();

    const bad = await call('run_execution', { datasource_id: id });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/sql_query: required/);
    const notJson = await s.client.callTool({ name: 'call_operation', arguments: { name: 'run_execution', arguments: '{datasource_id:' } });
    expect(notJson.isError).toBe(true);
    expect(textOf(notJson)).toMatch(/not JSON/);

    const hidden = await call('delete_datasource', { id });
    expect(hidden.isError).toBe(true);
    expect(textOf(hidden)).toMatch(/No operation "delete_datasource"/);
    const notFound = await s.client.callTool({ name: 'search_operations', arguments: { query: 'delete datasource' } });
    expect(textOf(notFound)).not.toMatch(/delete_datasource/);
  });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

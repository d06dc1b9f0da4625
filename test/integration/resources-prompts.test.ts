import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, connectStdio, objectOf, textOf, type Connected, waitUntil } from './harness.js';

/** Resources, templates, completions and prompts through MCP against the sandbox's seeded organisation. */
const SAMPLE = 'smpl-data-0001';
const PRODUCT = 'prod-anly-0002';
const OPS = 'dash-ops-0001';

const firstText = (r: { contents: Array<{ text?: unknown }> }): string => String(r.contents[0]?.text ?? '');

describe('resources and prompts', () => {
  let s: Connected;
  const listChanged: unknown[] = [];
  beforeAll(async () => {
    // Debug logs count the schema fetches (cache checks).
    s = await connectStdio(['--sandbox'], { CLUVIO_LOG_LEVEL: 'debug' });
    s.client.setNotificationHandler('notifications/resources/list_changed', (n) => void listChanged.push(n));
  });
  afterAll(async () => s?.close());
  const read = async (uri: string) => firstText(await s.client.readResource({ uri }));
  const complete = async (uri: string, name: string, value: string, args?: Record<string, string>) =>
    (await s.client.complete({ ref: { type: 'ref/resource', uri }, argument: { name, value }, ...(args ? { context: { arguments: args } } : {}) })).completion.values;
  const schemaFetches = () => s.stderr().split('\n').filter((l) => l.includes('resources: schema data fetched') && l.includes(SAMPLE)).length;

  it('lists the static resources and every template instance; lists the templates', async () => {
    const uris = (await s.client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(
      expect.arrayContaining([
        'cluvio://datasources',
        'cluvio://dashboards',
        `cluvio://datasources/${SAMPLE}/schema`,
        `cluvio://datasources/${PRODUCT}/schema`,
        `cluvio://datasources/${SAMPLE}/schemas/public`,
        `cluvio://dashboards/${OPS}`,
        'cluvio://dashboards/dash-growth-0002',
      ]),
    );
    const templates = (await s.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toEqual(expect.arrayContaining(['cluvio://datasources/{id}/schema', 'cluvio://datasources/{id}/schemas/{schema}', 'cluvio://dashboards/{id}']));
  });

  it('reads the datasources and dashboards lists', async () => {
    const ds = await read('cluvio://datasources');
    expect(ds).toContain(`- ${SAMPLE} | Cluvio Sample Data | postgres | default schema public`);
    expect(ds).toContain(PRODUCT);
    expect(ds).not.toMatch(/password|sbx-fake/);
    const dash = await read('cluvio://dashboards');
    expect(dash).toContain(`- ${OPS} | Flight Operations | Operations | 3 reports`);
    expect(dash).toContain('- dash-product-0003 | Product Analytics | Commercial | 1 report');
  });

  it("reads the sample datasource's schema: tables with typed columns; and one schema in full", async () => {
    const text = await read(`cluvio://datasources/${SAMPLE}/schema`);
    expect(text).toContain('schema public');
    for (const table of ['flights', 'airports', 'airlines', 'routes']) expect(text).toMatch(new RegExp(`^${table}\\(`, 'm'));
    expect(text).toMatch(/flights\(id bigint, .*departed_at timestamp with time zone.*cancelled boolean/);
    const one = await read(`cluvio://datasources/${SAMPLE}/schemas/public`);
    expect(one).toMatch(/^airports\(code text, name text/m);
    await expect(s.client.readResource({ uri: `cluvio://datasources/${SAMPLE}/schemas/nope` })).rejects.toThrow(/has no schema "nope"/);
  });

  it('reads a dashboard: refresh and time zone settings, filters with options, reports with SQL and visualisation', async () => {
    const text = await read(`cluvio://dashboards/${OPS}`);
    expect(text).toMatch(/^# Flight Operations \(dashboard dash-ops-0001\)/);
    expect(text).toMatch(/results older than 60 min are refreshed; daily anchor 06:00/);
    expect(text).toContain('Time zone: fixed, Europe/Berlin');
    expect(text).toMatch(/- origin_airport: "Origin airport", dropdown_multi, TEXT/);
    expect(text).toMatch(/- airline: "Airline", dropdown_manual, TEXT; options: "NA" \(Northwind Air/);
    expect(text).toContain('### Top airports (report rep-top-airports)');
    expect(text).toContain('visualisation: bar; datasource smpl-data-0001');
    expect(text).toContain('WHERE {departed_at=timerange} AND {airline_code=airline}');
    await expect(s.client.readResource({ uri: 'cluvio://dashboards/no-such-dashboard' })).rejects.toThrow(/not found/i);
  });

  it('completes template ids from live data by name or id prefix', async () => {
    expect(await complete('cluvio://datasources/{id}/schema', 'id', 'Cluv')).toEqual([SAMPLE]);
    expect(await complete('cluvio://datasources/{id}/schema', 'id', 'smpl')).toEqual([SAMPLE]);
    expect(await complete('cluvio://datasources/{id}/schema', 'id', 'prod')).toEqual([PRODUCT]);
    expect(await complete('cluvio://datasources/{id}/schemas/{schema}', 'schema', 'pub', { id: SAMPLE })).toEqual(['public']);
    expect(await complete('cluvio://dashboards/{id}', 'id', 'Flight')).toEqual([OPS]);
    expect(await complete('cluvio://dashboards/{id}', 'id', 'dash-g')).toEqual(['dash-growth-0002']);
    expect(await complete('cluvio://dashboards/{id}', 'id', 'zzz')).toEqual([]);
  });

  it('caches schema reads and fetches again after refresh_datasource', async () => {
    const text = await read(`cluvio://datasources/${SAMPLE}/schema`);
    await waitUntil('the schema is fetched', () => schemaFetches() > 0);
    const before = schemaFetches();
    expect(before).toBeGreaterThan(0);
    expect(await read(`cluvio://datasources/${SAMPLE}/schema`)).toBe(text);
    await new Promise((r) => setTimeout(r, 300));
    expect(schemaFetches()).toBe(before);
    const refreshed = await s.client.callTool({ name: 'refresh_datasource', arguments: { id: SAMPLE } });
    expect(refreshed.isError, textOf(refreshed)).toBeFalsy();
    expect(await read(`cluvio://datasources/${SAMPLE}/schema`)).toContain('flights(');
    await waitUntil('the schema is fetched once more', () => schemaFetches() === before + 1);
  });

  it('announces resources/list_changed after create_dashboard, not after reads; the new dashboard is listed and completes', async () => {
    listChanged.length = 0;
    await s.client.callTool({ name: 'list_dashboards', arguments: {} });
    await new Promise((r) => setTimeout(r, 200));
    expect(listChanged).toHaveLength(0);
    // Prime the completion list cache, so the create must invalidate it.
    expect(await complete('cluvio://dashboards/{id}', 'id', 'Resource test')).toEqual([]);
    const created = await s.client.callTool({ name: 'create_dashboard', arguments: { name: 'Resource test board' } });
    expect(created.isError, textOf(created)).toBeFalsy();
    const id = objectOf<{ id: string }>(created).id;
    await waitUntil('a list_changed notification', () => listChanged.length > 0);
    expect((await s.client.listResources()).resources.map((r) => r.uri)).toContain(`cluvio://dashboards/${id}`);
    expect(await complete('cluvio://dashboards/{id}', 'id', 'Resource test')).toEqual([id]);
  });

  it('caps a resource at 100 kB and says so', async () => {
    const created = await s.client.callTool({ name: 'create_dashboard', arguments: { name: 'Huge SQL board' } });
    const dashboardId = objectOf<{ id: string }>(created).id;
    const sql = `SELECT 1 AS one -- ${'padding '.repeat(16_000)}`;
    const report = await s.client.callTool({ name: 'create_report', arguments: { name: 'Long SQL', dashboard_id: dashboardId, datasource_id: SAMPLE, sql_query: sql } });
    expect(report.isError, textOf(report)).toBeFalsy();
    const text = await read(`cluvio://dashboards/${dashboardId}`);
    expect(text.length).toBeLessThanOrEqual(100_000);
    expect(text).toMatch(/\[Cut: showing 100,000 of [\d,]+ characters\. get_report returns one report in full\.\]$/);
  });

  it('lists the four prompts with completable id arguments', async () => {
    const prompts = (await s.client.listPrompts()).prompts;
    expect(prompts.map((p) => p.name)).toEqual(expect.arrayContaining(['explore_datasource', 'answer_with_sql', 'summarize_dashboard', 'question_to_report']));
    const c = async (name: string, argument: string, value: string) =>
      (await s.client.complete({ ref: { type: 'ref/prompt', name }, argument: { name: argument, value } })).completion.values;
    expect(await c('explore_datasource', 'datasource_id', 'Cluv')).toEqual([SAMPLE]);
    expect(await c('answer_with_sql', 'datasource_id', 'smpl')).toEqual([SAMPLE]);
    expect(await c('summarize_dashboard', 'dashboard_id', 'Flight')).toEqual([OPS]);
    expect(await c('question_to_report', 'dashboard_id', 'dash-ops')).toEqual([OPS]);
  });

  it('renders every prompt with arguments, naming the tools to use (all of them real tools)', async () => {
    const tools = new Set((await s.client.listTools()).tools.map((t) => t.name));
    const cases: Array<[string, Record<string, string>, string[], RegExp[]]> = [
      ['explore_datasource', { datasource_id: SAMPLE }, ['run_execution'], [/flights\(id bigint/, /questions/]],
      ['answer_with_sql', { datasource_id: SAMPLE, question: 'Which airline had the most delay minutes in 2025?' }, ['run_execution', 'get_execution_data'], [/airlines\(code text/, /\{created_at=timerange\}/, /\{created_at:aggregation\}/]],
      ['summarize_dashboard', { dashboard_id: OPS, filter_values: 'Q3 2026, weekly, airline NA' }, ['refresh_dashboard', 'get_report_data', 'poll_dashboard_status'], [/airline NA/, /variable_name, selected_values/, /origin_airport/]],
      ['question_to_report', { question: 'Cancelled flights per airline', datasource_id: SAMPLE, dashboard_id: OPS }, ['create_report', 'refresh_report', 'run_execution', 'update_report'], [/\{<time column>=timerange\}/, /its filters: origin_airport/]],
    ];
    for (const [name, args, mustName, patterns] of cases) {
      const res = await s.client.getPrompt({ name, arguments: args });
      const text = res.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');
      for (const tool of mustName) expect(text, `${name} names ${tool}`).toContain(tool);
      for (const p of patterns) expect(text, name).toMatch(p);
      // Every tool-like name in the text is a real tool.
      const named = [...text.matchAll(/\b((?:get|list|run|refresh|create|update|delete|poll|export|search)_[a-z_]+)\b/g)].map((m) => m[1]!);
      for (const n of named) expect(tools, `${name} mentions ${n}`).toContain(n);
      expect(text.length, name).toBeLessThan(40_000);
    }
    // question_to_report without a dashboard points at picking or creating one.
    const noBoard = await s.client.getPrompt({ name: 'question_to_report', arguments: { question: 'Sign-ups per plan', datasource_id: PRODUCT } });
    expect(JSON.stringify(noBoard)).toMatch(/create_dashboard/);
  });
});

describe('resources/list_changed on a 2026-07-28 connection', () => {
  it('reaches a subscriptions/listen stream after create_dashboard', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, '--sandbox'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, stderr: 'pipe' });
    (transport.stderr as PassThrough | null)?.resume();
    const client = new Client({ name: 'cluvio-mcp-tests', version: '0.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const got: unknown[] = [];
      client.setNotificationHandler('notifications/resources/list_changed', (n) => void got.push(n));
      const sub = await client.listen({ resourcesListChanged: true });
      expect(sub.honoredFilter.resourcesListChanged).toBe(true);
      const created = await client.callTool({ name: 'create_dashboard', arguments: { name: 'Modern era board' } });
      expect(created.isError, textOf(created)).toBeFalsy();
      await waitUntil('a notification', () => got.length > 0);
      await sub.close();
    } finally {
      await client.close();
    }
  });
});

describe('prompts follow the exposed tools', () => {
  it('read-only mode offers no prompt that creates a report; discovery mode says how tools are called', async () => {
    const ro = await connectStdio(['--sandbox', '--read-only']);
    try {
      const names = (await ro.client.listPrompts()).prompts.map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(['explore_datasource', 'answer_with_sql', 'summarize_dashboard']));
      expect(names).not.toContain('question_to_report');
      expect((await ro.client.listResources()).resources.map((r) => r.uri)).toContain('cluvio://datasources');
    } finally {
      await ro.close();
    }
    const disc = await connectStdio(['--sandbox', '--discovery']);
    try {
      const res = await disc.client.getPrompt({ name: 'answer_with_sql', arguments: { datasource_id: SAMPLE, question: 'How many flights?' } });
      expect(JSON.stringify(res.messages)).toContain('call_operation');
    } finally {
      await disc.close();
    }
  });
});

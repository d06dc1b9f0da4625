import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, objectOf, textOf, type Connected } from './harness.js';

/** search_account through MCP against the sandbox's seeded organisation (src/sandbox/org/seed.ts). */
const SAMPLE = 'smpl-data-0001';
const PRODUCT = 'prod-anly-0002';
const OPS = 'dash-ops-0001';

type Result = Awaited<ReturnType<Connected['client']['callTool']>>;

/** The numbered hits of an answer: kind and id, in order. */
function hits(result: Result): string[] {
  expect(result.isError, textOf(result)).toBeFalsy();
  return [...textOf(result).matchAll(/^\d+\. (report|dashboard|filter|SQL snippet|SQL alert) (\S+) /gm)].map((m) => `${m[1]} ${m[2]}`);
}

describe('search_account', () => {
  let s: Connected;
  let api: string;
  const search = (args: Record<string, unknown>, onprogress?: (p: { progress: number; total?: number; message?: string }) => void) =>
    s.client.callTool({ name: 'search_account', arguments: args }, onprogress ? { onprogress } : undefined);
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await s.client.callTool({ name, arguments: args });
    expect(r.isError, `${name}: ${textOf(r)}`).toBeFalsy();
    return r;
  };
  /** Requests that reached the sandbox since the last reset, by route. */
  const requests = async () => ((await (await fetch(`${api}/_sandbox/requests`)).json()) as { api: Record<string, number> }).api;
  const resetRequests = () => fetch(`${api}/_sandbox/requests`, { method: 'DELETE' });

  beforeAll(async () => {
    s = await connectStdio(['--sandbox']);
    await s.client.listTools();
    api = /"apiUrl":"([^"]+)"/.exec(s.stderr())![1]!;
  });
  afterAll(async () => s?.close());

  it('finds the report whose SQL mentions delay_minutes, with the line and the calls to go on; the first search reports progress', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    // The SDK client hands a notification to its handler a microtask late but drops a call's progress handler as soon
    // as the result is read: a last notification that arrives in the same read as the result is reported here instead.
    s.client.onerror = (e) => {
      const late = /progress notification for an unknown token: (.*)$/s.exec(e.message);
      if (late) progress.push((JSON.parse(late[1]!) as { params: (typeof progress)[number] }).params);
    };
    const res = await search({ query: 'delay_minutes' }, (p) => progress.push(p));
    s.client.onerror = undefined;
    expect(hits(res)).toEqual(['report rep-delay-by-airline', 'SQL alert alert-delay-spike']);
    const text = textOf(res);
    expect(text).toMatch(/^2 matches for "delay_minutes" \(all with every word: delay_minutes\); searched 5 reports, 3 dashboards, 2 filters, 1 SQL snippet, 2 SQL alerts; index just built\./);
    expect(text).toContain('   SQL line 2: ROUND(AVG(f.delay_minutes)::numeric, 1) AS avg_delay_minutes,');
    expect(text).toContain('   → get_report {"id":"rep-delay-by-airline"} (SQL) · refresh_report {"id":"rep-delay-by-airline"} (rows) · cluvio://dashboards/dash-ops-0001');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ progress: 5, total: 5, message: expect.stringMatching(/^Listed \d+ /) });
  });

  it('answers from the cached index: a second search sends nothing to Cluvio and reports no progress', async () => {
    await resetRequests();
    const progress: unknown[] = [];
    const res = await search({ query: 'busiest' }, (p) => progress.push(p));
    // A dashboard by a word in its description.
    expect(hits(res)).toEqual([`dashboard ${OPS}`]);
    expect(textOf(res)).toContain('   description: Daily operations: flight volumes, busiest airports, delays and cancellations per airline.');
    expect(textOf(res)).toContain(`   → cluvio://dashboards/${OPS} (reports with SQL, filters) · refresh_dashboard {"id":"${OPS}"} (rows)`);
    expect(Object.keys(await requests())).toEqual([]);
    expect(progress).toEqual([]);
  });

  it('ranks a name match before a description match before a SQL match, and every word before some; finds a report right after create_report', async () => {
    expect(hits(await search({ query: 'zebrafish' }))).toEqual([]);
    const board = objectOf<{ id: string }>(await call('create_dashboard', { name: 'Aquarium', description: 'Fish counts' })).id;
    const report = async (name: string, extra: Record<string, unknown>) =>
      objectOf<{ id: string }>(await call('create_report', { name, dashboard_id: board, datasource_id: SAMPLE, sql_query: 'SELECT 1', ...extra })).id;
    const inSql = await report('Counts', { sql_query: 'SELECT COUNT(*) AS zebrafish_tally FROM flights' });
    const inName = await report('Zebrafish tally', {});
    const some = await report('Zebrafish', {});
    const inDescription = await report('Tank report', { description: 'The zebrafish tally per tank' });
    // The index was built before these were created; the writes dropped it.
    await resetRequests();
    const res = await search({ query: 'zebrafish tally' });
    expect(hits(res)).toEqual([`report ${inName}`, `report ${inDescription}`, `report ${inSql}`, `report ${some}`]);
    expect(textOf(res)).toMatch(/^4 matches for "zebrafish tally" \(3 with every word: zebrafish, tally\)/);
    expect(textOf(res)).toContain(`4. report ${some} "Zebrafish" · dashboard ${board} · datasource ${SAMPLE} (without: tally)`);
    expect((await requests())['GET /reports']).toBe(1);
  });

  it('no longer finds a deleted report', async () => {
    const [first] = hits(await search({ query: 'zebrafish tally' }));
    const id = first!.split(' ')[1]!;
    await call('delete_report', { id });
    const after = hits(await search({ query: 'zebrafish tally' }));
    expect(after).toHaveLength(3);
    expect(after).not.toContain(`report ${id}`);
  });

  it('filters by kinds, datasource and dashboard', async () => {
    expect(hits(await search({ query: 'delay', kinds: ['sql_alert'] }))).toEqual(['SQL alert alert-delay-spike']);
    expect(hits(await search({ query: 'delay', kinds: ['dashboard', 'sql_alert'] }))).toEqual(['SQL alert alert-delay-spike', `dashboard ${OPS}`]);
    // The dashboard whose report queries that datasource, too.
    expect(hits(await search({ query: 'period', datasource_id: PRODUCT }))).toEqual(['report rep-signups', 'dashboard dash-product-0003']);
    const onOps = hits(await search({ query: 'airline', dashboard_id: OPS }));
    expect(onOps).toEqual(['report rep-delay-by-airline', 'filter flt-airline', 'report rep-top-airports', `dashboard ${OPS}`]);
    const none = await search({ query: 'airline', dashboard_id: 'dash-growth-0002' });
    expect(textOf(none)).toMatch(/^Nothing matches "airline" \(words: airline\) in .*; only dashboard dash-growth-0002; .*Try other or fewer words, or fewer filters\.$/);
  });

  it('refuses bad input with what it accepts', async () => {
    const empty = await search({ query: '' });
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toMatch(/query: needs a word to look for, e\.g\. "delay_minutes"/);
    const kind = await search({ query: 'delay', kinds: ['reports'] });
    expect(kind.isError).toBe(true);
    expect(textOf(kind)).toContain('kinds.0: "reports" is not an accepted value; accepted: "report", "dashboard", "filter", "sql_snippet", "sql_alert"');
    const board = await search({ query: 'delay', dashboard_id: 'no-such-board' });
    expect(board.isError).toBe(true);
    expect(textOf(board)).toBe('search_account: no dashboard "no-such-board" in this account; list_dashboards lists them.');
    const long = await search({ query: 'delay '.repeat(100) });
    expect(long.isError).toBe(true);
    expect(textOf(long)).toMatch(/query: at most 500 characters: a few words/);
    const limit = await search({ query: 'delay', limit: 51 });
    expect(textOf(limit)).toMatch(/limit: at most 50/);
  });

  it('serves the same search as the resource cluvio://search/{query}', async () => {
    const templates = (await s.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toContain('cluvio://search/{query}');
    const read = await s.client.readResource({ uri: 'cluvio://search/busiest%20airports' });
    const text = String(read.contents[0]?.text ?? '');
    expect(text).toMatch(/^\d+ match(es)? for "busiest airports"/);
    expect(text).toContain(`1. dashboard ${OPS} "Flight Operations"`);
    await expect(s.client.readResource({ uri: 'cluvio://search/%20' })).rejects.toThrow(/needs a word/);
    const completed = (await s.client.complete({ ref: { type: 'ref/resource', uri: 'cluvio://search/{query}' }, argument: { name: 'query', value: 'delay' } })).completion.values;
    expect(completed).toEqual(expect.arrayContaining(['Delay and cancellations by airline', 'Delay spike']));
  });

  it('the SQL-writing prompts and the instructions say to search first', async () => {
    for (const [name, args] of [
      ['answer_with_sql', { datasource_id: SAMPLE, question: 'Average delay per airline' }],
      ['question_to_report', { question: 'Average delay per airline', datasource_id: SAMPLE }],
    ] as const) {
      const text = JSON.stringify((await s.client.getPrompt({ name, arguments: args })).messages);
      expect(text, name).toContain(`1. Look for what exists first: search_account {\\"query\\":<2–4 key words of the question>,\\"datasource_id\\":\\"${SAMPLE}\\"}`);
      expect(text, name).toMatch(/2\. (Write|Try)/);
    }
    expect(s.client.getInstructions()).toContain('search_account');
  });

  it('leaves out what the key may not list and says so', async () => {
    await call('update_report', { id: 'rep-signups', description: 'New users per period, and how many chose a paid plan.' });
    const fault = await fetch(`${api}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'GET', path: '/sql_alerts', fault: '403' }) });
    expect(fault.ok).toBe(true);
    const res = await search({ query: 'delay_minutes' });
    expect(hits(res)).toEqual(['report rep-delay-by-airline']);
    expect(textOf(res)).toContain('(SQL alerts not searched: the API key lacks a permission to read sql alerts (the reference names Manage Alerts to change them))');
  });
});

describe('search_account in read-only and discovery mode', () => {
  it('is a read-only tool, and reachable through search_operations and call_operation', async () => {
    const ro = await connectStdio(['--sandbox', '--read-only']);
    try {
      const tool = (await ro.client.listTools()).tools.find((t) => t.name === 'search_account');
      expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(hits(await ro.client.callTool({ name: 'search_account', arguments: { query: 'delay_minutes' } }))[0]).toBe('report rep-delay-by-airline');
    } finally {
      await ro.close();
    }
    const disc = await connectStdio(['--sandbox', '--discovery']);
    try {
      const found = textOf(await disc.client.callTool({ name: 'search_operations', arguments: { query: 'search sql reports' } }));
      expect(found.split('\n')[0]).toMatch(/^search_account: /);
      const res = await disc.client.callTool({ name: 'call_operation', arguments: { name: 'search_account', arguments: JSON.stringify({ query: 'busiest' }) } });
      expect(hits(res)).toEqual([`dashboard ${OPS}`]);
      expect(disc.client.getInstructions()).toContain('search_account');
    } finally {
      await disc.close();
    }
    // Without the reports toolset there is no search_account, and neither prompts nor instructions name it.
    const dsOnly = await connectStdio(['--sandbox', '--toolsets', 'datasources,executions']);
    try {
      expect((await dsOnly.client.listTools()).tools.map((t) => t.name)).not.toContain('search_account');
      expect(dsOnly.client.getInstructions()).not.toContain('search_account');
      const prompt = JSON.stringify((await dsOnly.client.getPrompt({ name: 'answer_with_sql', arguments: { datasource_id: SAMPLE, question: 'How many flights?' } })).messages);
      expect(prompt).not.toContain('search_account');
      expect(prompt).toContain('1. Write one');
    } finally {
      await dsOnly.close();
    }
  });
});

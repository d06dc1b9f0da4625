import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStdio, objectOf, textOf, type Connected, waitUntil } from './harness.js';

/** Long-running work through MCP against the sandbox's seeded organisation (see src/sandbox/routes/resources.ts). */
const OPS = 'dash-ops-0001';
const TOP_AIRPORTS = 'rep-top-airports';
const Q3_2026 = `${Date.UTC(2026, 6, 1) / 1000}~${Date.UTC(2026, 8, 30, 23, 59, 59) / 1000}`;

type Report = { id: string; name?: string; status: string; rows?: unknown[][]; columns?: Array<{ name: string }>; error?: string };
/** The reports of the Flight Operations dashboard (src/sandbox/org/specs.ts). */
const OPS_REPORTS = ['rep-delay-by-airline', 'rep-flights-per-period', 'rep-top-airports'];
/** A column of a report's rows, by name. */
const column = (r: Report, name: string) => r.rows!.map((row) => row[r.columns!.findIndex((c) => c.name === name)]);

describe('long-running workflows', () => {
  let s: Connected;
  let sandboxApi: string;
  beforeAll(async () => {
    s = await connectStdio(['--sandbox']);
    sandboxApi = /"apiUrl":"([^"]+)"/.exec(s.stderr())![1]!;
  });
  afterAll(async () => s?.close());
  const call = (name: string, args: Record<string, unknown>, options?: Parameters<Connected['client']['callTool']>[1]) =>
    s.client.callTool({ name, arguments: args }, options);
  /** The download link an export names in its text. */
  const downloadUrl = (res: { content?: unknown }) => /https?:\/\/\S+/.exec(textOf(res))?.[0] ?? '';

  /** Sandbox test hooks (faults, see README "Failures, retries and concurrency"). */
  const control = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${sandboxApi}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(r.status, `${method} /_sandbox/${path}`).toBeLessThan(400);
  };

  it('refresh_dashboard returns rows for each report, with names, and reports progress', async () => {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    // The dashboard's queries stay running for a while (without holding the SQL engine), so the wait sees them
    // unfinished and has progress to report however fast the machine is.
    await control('POST', 'faults', { method: 'POST', path: `/dashboards/${OPS}/refresh`, fault: 'slow_query', delay_ms: 800, times: 100 });
    let res;
    try {
      res = await call('refresh_dashboard', { id: OPS, parameters: { timerange: Q3_2026, aggregation: 'month' } }, { onprogress: (p) => progress.push(p) });
    } finally {
      await control('DELETE', 'faults');
    }
    expect(res.isError, textOf(res)).toBeFalsy();
    const out = res.structuredContent as { done: boolean; reports: Report[] };
    expect(out.done).toBe(true);
    expect(out.reports.length).toBeGreaterThanOrEqual(3);
    for (const r of out.reports) {
      expect(r.status, `${r.id} ${r.error ?? ''}`).toBe('success');
      expect(r.rows!.length, r.id).toBeGreaterThan(0);
      expect(r.name, r.id).toBeTruthy();
    }
    const perPeriod = out.reports.find((r) => r.id === 'rep-flights-per-period')!;
    expect(perPeriod.rows).toHaveLength(3); // July, August, September
    expect(textOf(res)).toMatch(/## .+ \(id rep-top-airports\): success/);
    // Progress while the queries ran: "k of N reports and filters ready", N the same throughout, strictly increasing.
    expect(progress.length).toBeGreaterThanOrEqual(1);
    const total = progress[0]!.total!;
    expect(total).toBeGreaterThanOrEqual(out.reports.length);
    for (const p of progress) {
      expect(p.total).toBe(total);
      expect(p.message).toMatch(new RegExp(`^\\d+ of ${total} reports and filters ready$`));
      expect(p.progress).toBeLessThan(total);
    }
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
  });

  it('poll_dashboard_status reports status, or waits and returns rows', async () => {
    // Parameters no other test uses: nothing is cached for them yet.
    const params = { timerange: Q3_2026, aggregation: 'week', tz: 'UTC' };
    type Status = { dashboard_id: string; ready: number; total: number; reports: Array<{ id: string; status: string; running: boolean }> };
    const before = await call('poll_dashboard_status', { id: OPS, parameters: params });
    expect(before.isError, textOf(before)).toBeFalsy();
    expect(JSON.stringify(before)).not.toMatch(/data_access_token|data_key/);
    const idle = before.structuredContent as Status;
    expect(idle.dashboard_id).toBe(OPS);
    expect(idle.reports.map((r) => r.id).sort()).toEqual(OPS_REPORTS);
    expect(idle.reports.map((r) => [r.status, r.running])).toEqual(OPS_REPORTS.map(() => ['no-data', false]));

    const waited = await call('poll_dashboard_status', { id: OPS, refresh_data: true, wait: true, parameters: params });
    expect(waited.isError, textOf(waited)).toBeFalsy();
    const out = waited.structuredContent as { done: boolean; reports: Report[] };
    expect(out.done).toBe(true);
    expect(out.reports.map((r) => r.id).sort()).toEqual(OPS_REPORTS);
    for (const r of out.reports) expect(r.status, `${r.id} ${r.error ?? ''}`).toBe('success');
    // Weekly rows of Q3 2026: Monday 29 June (the week of 1 July) to Monday 28 September, 14 weeks.
    const perWeek = out.reports.find((r) => r.id === 'rep-flights-per-period')!;
    expect(column(perWeek, 'period')).toEqual(Array.from({ length: 14 }, (_, i) => new Date(Date.UTC(2026, 5, 29 + 7 * i)).toISOString().slice(0, 10)));
    expect(out.reports.find((r) => r.id === 'rep-top-airports')!.rows).toHaveLength(10);
    expect(out.reports.find((r) => r.id === 'rep-delay-by-airline')!.rows).toHaveLength(12); // the 12 airlines
    // The weeks add up to the quarter's flights, counted independently.
    const quarter = await call('run_execution', {
      datasource_id: 'smpl-data-0001',
      sql_query: `SELECT COUNT(*) AS n FROM flights WHERE departed_at >= to_timestamp(${Date.UTC(2026, 6, 1) / 1000}) AND departed_at <= to_timestamp(${Date.UTC(2026, 8, 30, 23, 59, 59) / 1000})`,
    });
    const flights = column(perWeek, 'flights').reduce((a: number, n) => a + Number(n), 0);
    expect(flights).toBe(Number((quarter.structuredContent as { rows: unknown[][] }).rows[0]![0]));

    // Now the status names them as ready.
    const after = (await call('poll_dashboard_status', { id: OPS, parameters: params })).structuredContent as Status;
    expect(after.ready).toBe(after.total);
    expect(after.reports.map((r) => [r.id, r.status, r.running]).sort()).toEqual(OPS_REPORTS.map((id) => [id, 'success', false]));
  });

  it('a budget that runs out returns what is known and the call that continues', async () => {
    const params = { timerange: `${Date.UTC(2025, 0, 1) / 1000}~${Date.UTC(2025, 2, 31) / 1000}`, aggregation: 'day' };
    const res = await call('refresh_dashboard', { id: OPS, parameters: params, max_wait_seconds: 0 });
    const out = res.structuredContent as { done: boolean; next: string; reports: Report[] };
    expect(out.done).toBe(false);
    expect(out.next).toMatch(/^poll_dashboard_status /);
    const args = JSON.parse(out.next.slice('poll_dashboard_status '.length)) as Record<string, unknown>;
    const resumed = await call('poll_dashboard_status', args);
    expect((resumed.structuredContent as { done: boolean }).done).toBe(true);
  });

  it('get_report_data says when nothing is cached, then returns rows and CSV after refresh_report', async () => {
    const params = { timerange: `${Date.UTC(2024, 4, 1) / 1000}~${Date.UTC(2024, 4, 31) / 1000}` };
    const none = await call('get_report_data', { id: TOP_AIRPORTS, parameters: params });
    expect(none.isError).toBeFalsy();
    expect(textOf(none)).toMatch(/no cached data.*refresh_report/);
    const refreshed = await call('refresh_report', { id: TOP_AIRPORTS, parameters: params });
    expect(refreshed.isError, textOf(refreshed)).toBeFalsy();
    const rows = (refreshed.structuredContent as { rows: unknown[][] }).rows;
    expect(rows.length).toBe(10);
    const json = await call('get_report_data', { id: TOP_AIRPORTS, parameters: params });
    expect((json.structuredContent as { rows: unknown[][] }).rows).toEqual(rows);
    const csv = await call('get_report_data', { id: TOP_AIRPORTS, parameters: params, data_format: 'csv', csv_column_separator: ';' });
    const lines = textOf(csv).trim().split('\n');
    expect(lines[0]).toMatch(/origin;flights;passengers/);
    expect(lines).toHaveLength(11);
    expect(JSON.stringify(csv)).not.toMatch(/data_access_token|data_key/);
  });

  it('export_dashboard_pdf returns a link whose download is a PDF', async () => {
    const res = await call('export_dashboard_pdf', { id: OPS, parameters: { timerange: Q3_2026 } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const url = downloadUrl(res);
    // The link in the text only: one text block, no structuredContent, no resource_link.
    expect(res.content).toEqual([{ type: 'text', text: expect.stringContaining(url) }]);
    expect(res.structuredContent).toBeUndefined();
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('%PDF');
  });

  it('export_dashboard_png returns the image itself', async () => {
    const res = await call('export_dashboard_png', { id: OPS, parameters: { timerange: Q3_2026 } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const content = res.content as Array<{ type: string; data?: string; mimeType?: string }>;
    const image = content.find((c) => c.type === 'image');
    expect(image?.mimeType).toBe('image/png');
    expect(Buffer.from(image!.data!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    // Text and image only: a resource_link beside an image makes the OpenAI Agents SDK send the whole array, base64 and all, as text.
    expect(content.map((c) => c.type)).toEqual(['text', 'image']);
    expect(Buffer.from(image!.data!, 'base64').length).toBeLessThanOrEqual(24_000);
    expect(Buffer.from(await (await fetch(downloadUrl(res))).arrayBuffer()).toString('base64')).toBe(image!.data);
  });

  it("export_report_csv returns a link whose download is the report's CSV", async () => {
    const res = await call('export_report_csv', { id: TOP_AIRPORTS, parameters: { timerange: Q3_2026 } });
    expect(res.isError, textOf(res)).toBeFalsy();
    const csv = await (await fetch(downloadUrl(res))).text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toMatch(/origin.*flights.*passengers/);
    expect(rows).toHaveLength(11);
  });

  it('run_sql_alert_query says whether the alert triggered', async () => {
    const res = await call('run_sql_alert_query', { id: 'alert-cancellations' });
    expect(res.isError, textOf(res)).toBeFalsy();
    const alert = objectOf<{ last_result_status: string }>(await call('get_sql_alert', { id: 'alert-cancellations' }));
    expect(['ok', 'alert_triggered']).toContain(alert.last_result_status);
    expect(textOf(res)).toMatch(alert.last_result_status === 'alert_triggered' ? /TRIGGERED/ : /did not trigger \(result ok\)/);
  });

  it('run_sql_alert_query reports a triggered alert', async () => {
    const created = await call('create_sql_alert', {
      name: 'Always fires',
      sql_query: 'SELECT origin, COUNT(*) FROM flights GROUP BY 1',
      run_schedule: 'disabled',
      email_condition: 'triggered',
      trigger_condition: 'has_results',
      datasource_id: 'smpl-data-0001',
    });
    const id = objectOf<{ id: string }>(created).id;
    const res = await call('run_sql_alert_query', { id });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toMatch(/^Alert "Always fires" TRIGGERED/);
    expect(objectOf<{ last_result_status: string }>(await call('get_sql_alert', { id })).last_result_status).toBe('alert_triggered');
    const failing = await call('create_sql_alert', { name: 'Broken', sql_query: 'SELECT * FROM nowhere', run_schedule: 'disabled', email_condition: 'triggered', datasource_id: 'smpl-data-0001' });
    const broken = await call('run_sql_alert_query', { id: objectOf<{ id: string }>(failing).id });
    expect(broken.isError).toBe(true);
    expect(textOf(broken)).toMatch(/query_error.*nowhere/);
  });

  it('drop-down filter options: manual values, and a SQL filter refreshed by running its query', async () => {
    const manual = await call('get_drop_down_filter_options', { id: 'flt-airline' });
    expect(textOf(manual)).toMatch(/^Filter flt-airline: 12 options\./);
    const refreshed = await call('refresh_drop_down_filter_options', { id: 'flt-origin-airport' });
    expect(refreshed.isError, textOf(refreshed)).toBeFalsy();
    // One option per airport of the sample data.
    expect(textOf(refreshed)).toMatch(/^Filter flt-origin-airport: 40 options/);
  });

  it('cancelling a long refresh_dashboard cancels its queries in the sandbox', async () => {
    const dash = objectOf<{ id: string }>(await call('create_dashboard', { name: 'Slow board' }));
    await call('create_report', { name: 'Slow report', dashboard_id: dash.id, datasource_id: 'smpl-data-0001', sql_query: "SELECT pg_sleep(4), 'slow-dashboard-marker' AS m" });
    const controller = new AbortController();
    const pending = call('refresh_dashboard', { id: dash.id }, { signal: controller.signal });
    await waitUntil('a slow report query runs', async () => (await executions(sandboxApi)).some((e) => e.sql_query.includes('slow-dashboard-marker') && e.status === 'running'));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitUntil('every slow report query is cancelled', async () => (await executions(sandboxApi)).filter((e) => e.sql_query.includes('slow-dashboard-marker')).every((e) => e.status === 'cancelled'));
  });

  it('cancelling an export cancels the export job in the sandbox', async () => {
    const dash = objectOf<{ id: string }>(await call('create_dashboard', { name: 'Slow export board' }));
    await call('create_report', { name: 'Slow export report', dashboard_id: dash.id, datasource_id: 'smpl-data-0001', sql_query: 'SELECT pg_sleep(4), 1 AS x' });
    const controller = new AbortController();
    const pending = call('export_dashboard_pdf', { id: dash.id }, { signal: controller.signal });
    await waitUntil('the export job exists', async () => (await exportJobs(sandboxApi)).some((j) => j.target === dash.id));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitUntil('the export job is cancelled', async () => (await exportJobs(sandboxApi)).filter((j) => j.target === dash.id).every((j) => j.status === 'cancelled' || j.status === 'error'));
  });
});

async function executions(api: string): Promise<Array<{ status: string; sql_query: string }>> {
  return (await (await fetch(`${api}/_sandbox/executions`)).json()) as Array<{ status: string; sql_query: string }>;
}
async function exportJobs(api: string): Promise<Array<{ id: string; target: string; status: string }>> {
  return (await (await fetch(`${api}/_sandbox/export_jobs`)).json()) as Array<{ id: string; target: string; status: string }>;
}

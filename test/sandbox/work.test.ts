/**
 * HTTP test of the sandbox's long-running work: report queries and their cache, dashboard
 * status/refresh, export jobs and their files, drop-down filter options, SQL alert runs.
 * The records it needs are put into the resource store through POST /_sandbox/records
 * (test ids, independent of the seeded organisation). Run `npm run build` first (engine worker).
 */
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { pngSize } from './png-size.js';

let sb: Sandbox;
const SAMPLE = 'smpl-data-0001';
const ds = { type: 'datasources', id: SAMPLE };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const YEAR_2025 = `${Date.UTC(2025, 0, 1) / 1000}~${Date.UTC(2025, 11, 31, 23, 59, 59) / 1000}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const api = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${sb.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Api ${sb.apiKey}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });

async function post(path: string, body: unknown = {}): Promise<{ status: number; body: Json | undefined }> {
  const r = await api(path, { method: 'POST', body: JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : (JSON.parse(text) as Json) };
}

async function get(path: string): Promise<Json> {
  const r = await api(path);
  expect(r.status).toBe(200);
  return (await r.json()) as Json;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitExecution(id: string): Promise<Json> {
  for (const until = Date.now() + 30_000; ; ) {
    const attrs = (await get(`/executions/${id}`))['data']['attributes'] as Json;
    if (!['starting', 'running', 'waiting'].includes(attrs['execution_status'])) return attrs;
    if (Date.now() > until) throw new Error(`execution ${id} still ${attrs['execution_status']}`);
    await sleep(50);
  }
}

async function waitJob(id: string): Promise<Json> {
  for (const until = Date.now() + 20_000; ; ) {
    const j = await get(`/export_jobs/${id}`);
    if (j['job_status'] === 'success' || j['job_status'] === 'error') return j;
    if (Date.now() > until) throw new Error(`export job ${id} still ${j['job_status']}`);
    await sleep(100);
  }
}

async function data(grant: Json): Promise<Response> {
  return fetch(`${sb.dataUrl}/${grant['data_key']}`, { headers: { authorization: `Data ${grant['data_access_token']}` } });
}

const rec = (type: string, id: string, attributes: Json, relationships: Json = {}): Json => ({ type, id, attributes, relationships });

beforeAll(async () => {
  sb = await startSandbox();
  const records = [
    rec('dashboards', 't-dash', { name: 'Test Operations', data_refresh_rate: 60, time_zone_config: { type: 'fixed', fixed_time_zone: 'UTC' } }, {
      filters: [
        { type: 'filters', id: 't-flt-origin' },
        { type: 'filters', id: 't-flt-airline' },
      ],
    }),
    rec('reports', 't-rep-period', {
      name: 'Flights per period',
      sql_query:
        'SELECT {departed_at:aggregation} AS period, COUNT(*) AS flights, SUM(passengers) AS passengers FROM flights WHERE {departed_at=timerange} AND {origin=origin_airport} GROUP BY 1 ORDER BY 1',
      row: 1,
      column: 1,
    }, { dashboard: { type: 'dashboards', id: 't-dash' }, datasource: ds }),
    rec('reports', 't-rep-top', {
      name: 'Top airports',
      unlimited_csv_export_enabled: true,
      sql_query:
        'SELECT origin, COUNT(*) AS flights, SUM(passengers) AS passengers, ROUND(AVG(delay_minutes), 2)::float8 AS avg_delay FROM flights WHERE {departed_at=timerange} AND {airline_code=airline} GROUP BY 1 ORDER BY 3 DESC LIMIT 10',
      row: 1,
      column: 7,
    }, { dashboard: { type: 'dashboards', id: 't-dash' }, datasource: ds }),
    rec('reports', 't-rep-broken', { name: 'Broken report', sql_query: 'SELECT nope FROM no_such_table', row: 2, column: 1 }, {
      dashboard: { type: 'dashboards', id: 't-dash' },
      datasource: ds,
    }),
    rec('reports', 't-rep-nods', { name: 'Report without datasource', sql_query: 'SELECT 1', row: 3, column: 1 }, {
      dashboard: { type: 'dashboards', id: 't-dash' },
      datasource: null,
    }),
    rec('dashboards', 't-dash-fast', { name: 'Fast refresh', data_refresh_rate: 0.01 }),
    rec('reports', 't-rep-fast', { name: 'Airline count', sql_query: 'SELECT COUNT(*) AS n FROM airlines' }, {
      dashboard: { type: 'dashboards', id: 't-dash-fast' },
      datasource: ds,
    }),
    rec('reports', 't-rep-big', { name: 'Big', sql_query: 'SELECT g AS n, g * 0.5 AS half FROM generate_series(1, 200000) g' }, { datasource: ds }),
    rec('filters', 't-flt-origin', {
      variable_name: 'origin_airport',
      control_type: 'dropdown_multi',
      value_type: 'TEXT',
      sql_query: 'SELECT code, name FROM airports ORDER BY code',
    }, { datasource: ds }),
    rec('filters', 't-flt-airline', {
      variable_name: 'airline',
      control_type: 'dropdown_manual',
      value_type: 'TEXT',
      values: ['NA', 'BL', 'AE'],
      value_names: ['Northwind Air', 'Bluejay Airlines'],
    }),
    rec('filters', 't-flt-dyn', {
      variable_name: 'dest',
      control_type: 'dropdown_dynamic',
      value_type: 'TEXT',
      sql_query: 'SELECT DISTINCT destination FROM flights WHERE {origin=origin_airport} ORDER BY 1',
    }, { datasource: ds }),
    rec('filters', 't-flt-date', { variable_name: 'day', control_type: 'date_range', value_type: 'DATE' }),
    rec('sql_alerts', 't-alert-has', { name: 'Has NA', sql_query: "SELECT code FROM airlines WHERE code = 'NA'", trigger_condition: 'has_results' }, { datasource: ds }),
    rec('sql_alerts', 't-alert-none', { name: 'No results', sql_query: "SELECT code FROM airlines WHERE code = 'NA'", trigger_condition: 'no_results' }, { datasource: ds }),
    rec('sql_alerts', 't-alert-gt', { name: 'Many airlines', sql_query: 'SELECT COUNT(*) FROM airlines', trigger_condition: 'greater_than', trigger_value: 100 }, { datasource: ds }),
    rec('sql_alerts', 't-alert-lt', { name: 'Few airlines', sql_query: 'SELECT COUNT(*) FROM airlines', trigger_condition: 'lower_than', trigger_value: 100 }, { datasource: ds }),
    rec('sql_alerts', 't-alert-broken', { name: 'Broken', sql_query: 'SELECT * FROM no_such_table', trigger_condition: 'has_results' }, { datasource: ds }),
  ];
  const r = await fetch(`${sb.apiUrl}/_sandbox/records`, { method: 'POST', body: JSON.stringify({ data: records }), headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(200);
  // Warm the engine (first start may build its databases).
  const w = await post(`/datasources/${SAMPLE}/executions`, { sql_query: 'SELECT 1' });
  await waitExecution(w.body?.['data']['id']);
});

afterAll(async () => {
  await sb?.close();
});

describe('report queries', () => {
  it('204 before any run; refresh → execution → data as JSON rows and as CSV', async () => {
    const parameters = { timerange: YEAR_2025, aggregation: 'month' };
    expect((await post('/reports/t-rep-period/data', { parameters })).status).toBe(204);

    const started = await post('/reports/t-rep-period/refresh', { parameters });
    expect(started.status).toBe(200);
    const exId = started.body?.['execution_id'] as string;
    const attrs = await waitExecution(exId);
    expect(attrs['execution_status']).toBe('success');
    expect(attrs['execution_type']).toBe('sql_query');
    expect(attrs['result_rows']).toBe(12);
    // Get Execution Data works on a report execution too
    expect((await api(`/executions/${exId}/data`)).status).toBe(200);

    const grant = await post('/reports/t-rep-period/data', { parameters });
    expect(grant.status).toBe(200);
    const json = (await (await data(grant.body ?? {})).json()) as Json;
    expect(json['fields'].map((f: Json) => f['name'])).toEqual(['period', 'flights', 'passengers']);
    expect(json['rows']).toHaveLength(12);
    expect(json['rows'][0][0]).toBe('2025-01-01');
    expect(json['execution_id']).toBe(exId);

    // Other parameters are another cache entry
    expect((await post('/reports/t-rep-period/data', { parameters: { ...parameters, aggregation: 'quarter' } })).status).toBe(204);

    const csvGrant = await post('/reports/t-rep-period/data', { parameters, data_format: 'csv', csv_column_separator: ';', csv_decimal_separator: ',' });
    const csvRes = await data(csvGrant.body ?? {});
    expect(csvRes.headers.get('content-type')).toContain('text/csv');
    const lines = (await csvRes.text()).trimEnd().split('\n');
    expect(lines[0]).toBe('period;flights;passengers');
    expect(lines).toHaveLength(13);
    expect(lines[1]).toBe(json['rows'][0].join(';'));

    const bad = await post('/reports/t-rep-period/data', { parameters, data_format: 'csv', csv_column_separator: '|' });
    expect(bad.status).toBe(422);
  });

  it('a second refresh cancels the running one for the same parameters', async () => {
    const parameters = { timerange: YEAR_2025, aggregation: 'day' };
    const a = (await post('/reports/t-rep-period/refresh', { parameters })).body?.['execution_id'] as string;
    const b = (await post('/reports/t-rep-period/refresh', { parameters })).body?.['execution_id'] as string;
    expect(a).not.toBe(b);
    expect((await waitExecution(a))['execution_status']).toBe('cancelled');
    expect((await waitExecution(b))['execution_status']).toBe('success');
  });

  it('CSV quoting and decimal separators', async () => {
    const parameters = { timerange: YEAR_2025, filters: [{ variable_name: 'airline', selected_values: ['NA'] }] };
    await waitExecution((await post('/reports/t-rep-top/refresh', { parameters })).body?.['execution_id']);
    const g = await post('/reports/t-rep-top/data', { parameters, data_format: 'csv', csv_decimal_separator: ',', csv_quote_style: 'necessary' });
    const lines = (await (await data(g.body ?? {})).text()).trimEnd().split('\n');
    expect(lines[0]).toBe('origin,flights,passengers,avg_delay');
    // decimals with a comma need quotes when the column separator is a comma
    expect(lines.slice(1).some((l) => /"\d+,\d+"$/.test(l))).toBe(true);
    const always = await post('/reports/t-rep-top/data', { parameters, data_format: 'csv', csv_quote_style: 'always', csv_column_separator: '\t' });
    const first = (await (await data(always.body ?? {})).text()).split('\n')[0];
    expect(first).toBe('"origin"\t"flights"\t"passengers"\t"avg_delay"');
  });

  it('large generated results stream as JSON and CSV', async () => {
    const exId = (await post('/reports/t-rep-big/refresh', {})).body?.['execution_id'] as string;
    expect((await waitExecution(exId))['result_rows']).toBe(200_000);
    const json = (await (await data((await post('/reports/t-rep-big/data', {})).body ?? {})).json()) as Json;
    expect(json['rows']).toHaveLength(200_000);
    expect(json['rows'][199_999]).toEqual([200_000, 100_000]);
    const csv = await (await data((await post('/reports/t-rep-big/data', { data_format: 'csv' })).body ?? {})).text();
    expect(csv.trimEnd().split('\n')).toHaveLength(200_001);
  });
});

describe('dashboards', () => {
  const parameters = { timerange: YEAR_2025, aggregation: 'month' };

  async function statusUntilDone(body: Json, id = 't-dash'): Promise<Json> {
    let s = (await post(`/dashboards/${id}/status`, body)).body as Json;
    for (const until = Date.now() + 30_000; Object.values(s['data_keys'] as Json).some((k: Json) => k['running']); ) {
      if (Date.now() > until) throw new Error('dashboard still running');
      await sleep(100);
      s = (await post(`/dashboards/${id}/status`, { parameters: body['parameters'] })).body as Json;
    }
    return s;
  }

  it('status without refresh_data runs nothing: no-data keys', async () => {
    const s = (await post('/dashboards/t-dash/status', { parameters: { timerange: '0~1' } })).body as Json;
    const key = s['reports']['t-rep-period']['data_key'] as string;
    expect(s['data_keys'][key]).toEqual({ result_status: 'no-data', running: false });
    expect(s['status_check_delay']).toBe(60);
  });

  it('status with refresh_data runs every stale report; a failing one does not fail the others; keys are fetchable', async () => {
    const s = await statusUntilDone({ refresh_data: true, parameters });
    expect(Object.keys(s).sort()).toEqual(['data_keys', 'filters', 'reports', 'status_check_delay', 'updated_at']);
    expect(Object.keys(s['reports']).sort()).toEqual(['t-rep-broken', 't-rep-nods', 't-rep-period', 't-rep-top']);
    expect(s['reports']['t-rep-nods']['error_message']).toMatch(/datasource/);
    expect(s['reports']['t-rep-nods']['data_key']).toBeUndefined();
    const broken = s['data_keys'][s['reports']['t-rep-broken']['data_key']];
    expect(broken['result_status']).toBe('query_error');
    expect(broken['data_access_token']).toBeUndefined();
    expect(broken['running']).toBe(false);
    // the report resource carries the error too
    const brokenRec = await get('/reports/t-rep-broken');
    expect(brokenRec['data']['attributes']['query_error']).toMatch(/no_such_table/);

    for (const id of ['t-rep-period', 't-rep-top']) {
      const key = s['reports'][id]['data_key'] as string;
      const k = s['data_keys'][key] as Json;
      expect(k['result_status']).toBe('success');
      expect(k['execution_status']).toBe('success');
      expect(k['data_current']).toBe(true);
      expect(typeof k['data_timestamp']).toBe('number');
      const r = await data({ data_key: key, data_access_token: k['data_access_token'] });
      expect(r.status).toBe(200);
      expect(((await r.json()) as Json)['rows'].length).toBeGreaterThan(0);
    }
    expect(s['filters']['t-flt-airline']).toEqual({ updated_at: expect.any(String) });
    expect(s['filters']['t-flt-origin']['updated_at']).toEqual(expect.any(String));

    // current data: polling again with refresh_data starts nothing new
    const again = (await post('/dashboards/t-dash/status', { refresh_data: true, parameters })).body as Json;
    const key = s['reports']['t-rep-period']['data_key'] as string;
    expect(again['data_keys'][key]['execution_id']).toBe(s['data_keys'][key]['execution_id']);
    expect(again['data_keys'][key]['running']).toBe(false);
  });

  it('refresh runs everything again (204), the status follows', async () => {
    const before = await statusUntilDone({ refresh_data: true, parameters });
    const r = await post('/dashboards/t-dash/refresh', { parameters });
    expect(r.status).toBe(204);
    const after = await statusUntilDone({ parameters });
    const key = before['reports']['t-rep-top']['data_key'] as string;
    expect(after['reports']['t-rep-top']['data_key']).toBe(key);
    expect(after['data_keys'][key]['execution_id']).not.toBe(before['data_keys'][key]['execution_id']);
    expect(after['data_keys'][key]['result_status']).toBe('success');
    // the SQL filter ran as part of the refresh
    const opts = (await post('/filters/t-flt-origin/options', {})).body as Json;
    expect(opts['options']['values']).toContain('JFK');
  });

  it('data older than the refresh rate is stale and rerun', async () => {
    const s1 = await statusUntilDone({ refresh_data: true }, 't-dash-fast');
    const key = s1['reports']['t-rep-fast']['data_key'] as string;
    const first = s1['data_keys'][key]['execution_id'];
    await sleep(700); // the rate is 0.01 min = 0.6 s
    const s2 = (await post('/dashboards/t-dash-fast/status', {})).body as Json;
    expect(s2['data_keys'][key]['data_current']).toBe(false);
    expect(s2['data_keys'][key]['execution_id']).toBe(first);
    const s3 = (await post('/dashboards/t-dash-fast/status', { refresh_data: true })).body as Json;
    expect(s3['data_keys'][key]['execution_id']).not.toBe(first);
  });

  it('404 for an unknown dashboard, 422 for bad parameters', async () => {
    expect((await post('/dashboards/nope/status', {})).status).toBe(404);
    expect((await post('/dashboards/t-dash/status', { parameters: { aggregation: 'fortnight' } })).status).toBe(422);
  });
});

describe('export jobs', () => {
  const parameters = { timerange: YEAR_2025, aggregation: 'month' };

  it('dashboard PDF: started → success, a real PDF of one page, titled; a repeat reuses the job', async () => {
    const started = await post('/dashboards/t-dash/export/pdf', { parameters });
    expect(started.status).toBe(200);
    const jobId = started.body?.['job_id'] as string;
    expect((await get(`/export_jobs/${jobId}`))['job_status']).toBe('started');
    const job = await waitJob(jobId);
    expect(job['job_status']).toBe('success');
    expect(job['file_url']).toMatch(/^http:\/\/.+\/export_files\/.+\.pdf$/);
    const r = await fetch(job['file_url']);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await r.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    // Its text (titles, values, the failed report's error) is read back by pdftotext in exports-readable.test.ts.
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toBe('Test Operations');
    expect(doc.getSubject()).toContain('2025-01-01');

    const again = await post('/dashboards/t-dash/export/pdf', { parameters });
    expect(again.body?.['job_id']).toBe(jobId);
    const other = await post('/dashboards/t-dash/export/pdf', { parameters: { ...parameters, aggregation: 'quarter' } });
    expect(other.body?.['job_id']).not.toBe(jobId);
  });

  it('dashboard and report PNG: a PNG as wide as the page (dashboard 1000 px, report 800 px), small', async () => {
    for (const [path, width] of [
      ['/dashboards/t-dash/export/png', 1000],
      ['/reports/t-rep-top/export/png', 800],
    ] as const) {
      const job = await waitJob((await post(path, { parameters })).body?.['job_id']);
      expect(job['job_status']).toBe('success');
      const png = Buffer.from(await (await fetch(job['file_url'])).arrayBuffer());
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(pngSize(png).width).toBe(width);
      expect(pngSize(png).height).toBeGreaterThan(100);
      expect(png.length).toBeLessThan(60_000);
      // An indexed-colour image (PNG colour type 3) with its palette.
      expect(png[25]).toBe(3);
      expect(png.includes(Buffer.from('PLTE'))).toBe(true);
    }
  });

  it('report CSV equals the report rows; needs unlimited_csv_export_enabled', async () => {
    const p = { timerange: YEAR_2025 };
    const jobId = (await post('/reports/t-rep-top/export/csv', { parameters: p })).body?.['job_id'] as string;
    const job = await waitJob(jobId);
    expect(job['job_status']).toBe('success');
    const r = await fetch(job['file_url']);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const csv = await r.text();
    await waitExecution((await post('/reports/t-rep-top/refresh', { parameters: p })).body?.['execution_id']);
    const json = (await (await data((await post('/reports/t-rep-top/data', { parameters: p })).body ?? {})).json()) as Json;
    const expected = ['origin,flights,passengers,avg_delay', ...json['rows'].map((row: unknown[]) => row.join(','))].join('\n') + '\n';
    expect(csv).toBe(expected);
    // The test hook lists this job (by its id: Get Export Job's answer carries none) with the one
    // export_query execution it ran over the complete result.
    const listed = ((await (await fetch(`${sb.apiUrl}/_sandbox/export_jobs`)).json()) as Json[]).filter((j) => j['id'] === jobId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'report_csv', target: 't-rep-top', target_type: 'reports', status: 'success', file_size: Buffer.byteLength(csv) });
    expect(listed[0]?.['execution_ids']).toHaveLength(1);
    const query = await waitExecution(listed[0]?.['execution_ids'][0]);
    expect(query).toMatchObject({ execution_type: 'export_query', execution_status: 'success', result_rows: json['rows'].length });

    const refused = await post('/reports/t-rep-period/export/csv', { parameters: p });
    expect(refused.status).toBe(422);
  });

  it('files expire', async () => {
    await fetch(`${sb.apiUrl}/_sandbox/export_settings`, { method: 'PUT', body: JSON.stringify({ file_ttl_seconds: 1 }) });
    try {
      const job = await waitJob((await post('/reports/t-rep-top/export/pdf', { parameters: { timerange: '~' } })).body?.['job_id']);
      expect((await fetch(job['file_url'])).status).toBe(200);
      await sleep(1100);
      expect((await fetch(job['file_url'])).status).toBe(404);
      // an expired export is not reused
      const next = await post('/reports/t-rep-top/export/pdf', { parameters: { timerange: '~' } });
      expect(next.body?.['job_id']).not.toBe(job['id']);
    } finally {
      await fetch(`${sb.apiUrl}/_sandbox/export_settings`, { method: 'PUT', body: JSON.stringify({ file_ttl_seconds: 600 }) });
    }
  });

  it('cancel: the job ends in error, its running query is cancelled; a finished job cannot be cancelled', async () => {
    // The export's query stays running for 20 s (a slow query that does not hold the engine), so the
    // job is certainly mid-way when it is cancelled: had the cancel not reached the query, it would
    // end in success.
    const fault = await fetch(`${sb.apiUrl}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/reports/t-rep-top/export/csv', fault: 'slow_query', delay_ms: 20_000 }),
    });
    expect(fault.status).toBe(201);
    try {
      const jobId = (await post('/reports/t-rep-top/export/csv', { parameters: { timerange: '1~2' } })).body?.['job_id'] as string;
      const listed = async (): Promise<Json | undefined> => ((await (await fetch(`${sb.apiUrl}/_sandbox/export_jobs`)).json()) as Json[]).find((j) => j['id'] === jobId);
      // Wait for the event, not a time: the job has started its query.
      let before = await listed();
      for (const until = Date.now() + 20_000; (before?.['execution_ids'] ?? []).length === 0; before = await listed()) {
        if (Date.now() > until) throw new Error(`export job ${jobId} started no query: ${JSON.stringify(before)}`);
        await sleep(20);
      }
      expect(before).toMatchObject({ kind: 'report_csv', status: 'running' });
      expect(before?.['execution_ids']).toHaveLength(1);
      const queryId = before?.['execution_ids'][0] as string;
      expect((await get(`/executions/${queryId}`))['data']['attributes']['execution_status']).toBe('running');

      expect((await post(`/export_jobs/${jobId}/cancel`)).status).toBe(204);
      const job = await get(`/export_jobs/${jobId}`);
      expect(job).toEqual({ job_status: 'error', error_message: 'export job cancelled' });
      expect((await post(`/export_jobs/${jobId}/cancel`)).status).toBe(422);
      expect(await waitExecution(queryId)).toMatchObject({ execution_type: 'export_query', execution_status: 'cancelled' });
      expect(await listed()).toMatchObject({ kind: 'report_csv', status: 'error', error_message: 'export job cancelled', execution_ids: [queryId], file_size: null, created_at: expect.any(String) });
    } finally {
      await fetch(`${sb.apiUrl}/_sandbox/faults`, { method: 'DELETE' });
    }
    expect((await api('/export_jobs/nope')).status).toBe(404);
  });
});

describe('drop-down filter options', () => {
  it('manual filters answer from their values; refresh is a 204', async () => {
    const r = await post('/filters/t-flt-airline/options', {});
    expect(r.body).toEqual({ options: { values: ['NA', 'BL', 'AE'], value_names: ['Northwind Air', 'Bluejay Airlines', 'AE'] } });
    expect((await post('/filters/t-flt-airline/options/refresh', {})).status).toBe(204);
  });

  it('SQL filters: empty until their query ran, then the values and names', async () => {
    const fresh = await post('/filters/t-flt-dyn/options', { dashboard_id: 't-dash', parameters: { filters: [{ variable_name: 'origin_airport', selected_values: ['JFK'] }] } });
    expect(fresh.body).toEqual({ options: { values: [], value_names: [] } });
    const started = await post('/filters/t-flt-dyn/options/refresh', { dashboard_id: 't-dash', parameters: { filters: [{ variable_name: 'origin_airport', selected_values: ['JFK'] }] } });
    const attrs = await waitExecution(started.body?.['execution_id']);
    expect(attrs['execution_type']).toBe('sql_filter');
    const after = (await post('/filters/t-flt-dyn/options', { dashboard_id: 't-dash', parameters: { filters: [{ variable_name: 'origin_airport', selected_values: ['JFK'] }] } })).body as Json;
    expect(after['options']['values'].length).toBeGreaterThan(0);
    expect(after['options']['values']).not.toContain('JFK');
    expect(typeof after['data_timestamp']).toBe('number');

    const s = await post('/filters/t-flt-origin/options/refresh', {});
    await waitExecution(s.body?.['execution_id']);
    const o = (await post('/filters/t-flt-origin/options', {})).body as Json;
    const i = o['options']['values'].indexOf('JFK');
    expect(o['options']['value_names'][i]).toBe('John F. Kennedy International');
  });

  it('errors: dynamic without dashboard, not a drop-down, unknown filter', async () => {
    expect((await post('/filters/t-flt-dyn/options/refresh', {})).status).toBe(422);
    expect((await post('/filters/t-flt-date/options', {})).status).toBe(422);
    expect((await post('/filters/nope/options', {})).status).toBe(404);
  });
});

describe('SQL alerts', () => {
  async function runAlert(id: string): Promise<Json> {
    const r = await post(`/sql_alerts/${id}/run`);
    expect(r.status).toBe(200);
    const attrs = await waitExecution(r.body?.['execution_id']);
    expect(attrs['execution_type']).toBe('sql_alert');
    return (await get(`/sql_alerts/${id}`))['data']['attributes'] as Json;
  }

  it('triggered and not triggered, per condition', async () => {
    expect((await runAlert('t-alert-has'))['last_result_status']).toBe('alert_triggered');
    expect((await runAlert('t-alert-none'))['last_result_status']).toBe('ok');
    expect((await runAlert('t-alert-gt'))['last_result_status']).toBe('ok');
    const lt = await runAlert('t-alert-lt');
    expect(lt).toMatchObject({ last_result_status: 'alert_triggered', last_error_message: null, last_query_error_message: null, running_execution_id: null });
    expect(typeof lt['last_query_run']).toBe('string');
    expect(typeof lt['last_query_success']).toBe('string');
  });

  it('a failing query: query_error with the message', async () => {
    const a = await runAlert('t-alert-broken');
    expect(a['last_result_status']).toBe('query_error');
    expect(a['last_query_error_message']).toMatch(/no_such_table/);
  });

  it('results: newest first, count, cursor and limit', async () => {
    await runAlert('t-alert-has');
    await runAlert('t-alert-has');
    const all = await get('/sql_alerts/t-alert-has/results');
    expect(all['count']).toBe(3);
    expect(all['cursor']).toBeUndefined();
    expect(all['items']).toHaveLength(3);
    const item = all['items'][0] as Json;
    expect(item).toMatchObject({ result_status: 'alert_triggered', sql_query: "SELECT code FROM airlines WHERE code = 'NA'" });
    expect(typeof item['sql_query_duration']).toBe('number');
    expect(item['created_at'] >= all['items'][1]['created_at']).toBe(true);
    const page1 = await get('/sql_alerts/t-alert-has/results?limit=2');
    expect(page1['items']).toHaveLength(2);
    expect(typeof page1['cursor']).toBe('string');
    const page2 = await get(`/sql_alerts/t-alert-has/results?limit=2&cursor=${page1['cursor']}`);
    expect(page2['items']).toEqual([all['items'][2]]);
    expect(page2['cursor']).toBeUndefined();
    expect((await api('/sql_alerts/t-alert-has/results?limit=5000')).status).toBe(400);
    const broken = await get('/sql_alerts/t-alert-broken/results');
    expect(broken['items'][0]).toMatchObject({ result_status: 'query_error', error_message: expect.stringMatching(/no_such_table/) });
  });
});

describe('the seeded organisation', () => {
  it('Flight Operations: every report runs with the dashboard defaults and its data is fetchable', async () => {
    let s = (await post('/dashboards/dash-ops-0001/status', { refresh_data: true })).body as Json;
    for (const until = Date.now() + 30_000; Object.values(s['data_keys'] as Json).some((k: Json) => k['running']); ) {
      if (Date.now() > until) throw new Error('dashboard still running');
      await sleep(100);
      s = (await post('/dashboards/dash-ops-0001/status', {})).body as Json;
    }
    expect(Object.keys(s['reports'])).toEqual(expect.arrayContaining(['rep-flights-per-period', 'rep-top-airports', 'rep-delay-by-airline']));
    expect(Object.keys(s['filters'])).toEqual(expect.arrayContaining(['flt-origin-airport', 'flt-airline']));
    for (const [id, r] of Object.entries(s['reports'] as Record<string, Json>)) {
      const k = s['data_keys'][r['data_key']] as Json;
      expect(k['result_status'], id).toBe('success');
      const rows = ((await (await data({ data_key: r['data_key'], data_access_token: k['data_access_token'] })).json()) as Json)['rows'];
      expect(rows.length, id).toBeGreaterThan(0);
    }
    const airline = (await post('/filters/flt-airline/options', {})).body as Json;
    expect(airline['options']['values']).toContain('NA');
  });

  it('the seeded alerts run and record a result', async () => {
    for (const id of ['alert-delay-spike', 'alert-cancellations']) {
      const exId = (await post(`/sql_alerts/${id}/run`)).body?.['execution_id'] as string;
      expect((await waitExecution(exId))['execution_status']).toBe('success');
      const attrs = (await get(`/sql_alerts/${id}`))['data']['attributes'] as Json;
      expect(['ok', 'alert_triggered']).toContain(attrs['last_result_status']);
      expect((await get(`/sql_alerts/${id}/results`))['count']).toBe(1);
    }
  });
});

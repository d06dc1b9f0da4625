/**
 * Exports a person, or a multimodal model, can read: tesseract reads the PNG of the seeded dashboards and
 * pdftotext their PDF, and each must find the dashboard's title, a report's title and values from the report's own
 * data; a failed query's error must be readable too. Also records each seeded dashboard's PNG size and render
 * time (test-artifacts/exports/, with the files). Needs Debian's tesseract-ocr and poppler-utils: under CI
 * (`CI` set) a missing tool fails the test, scripts/ci-ocr.sh installs them; elsewhere these tests are skipped
 * with a warning. Run `npm run build` first (engine worker).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { pageScene, type ExportPanel } from '../../src/sandbox/work/render/export-page.js';
import { renderPdf } from '../../src/sandbox/work/render/pdf.js';
import { renderPng } from '../../src/sandbox/work/render/png.js';
import { pngSize } from './png-size.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/exports/', import.meta.url));
const TOOLS = ['tesseract', 'pdftotext'] as const;
const missing = TOOLS.filter((t) => spawnSync(t, ['-v'], { stdio: 'ignore' }).error !== undefined);
const mustRun = Boolean(process.env.CI);
if (missing.length && mustRun) {
  describe('exports read by OCR and pdftotext', () => {
    it('needs tesseract and pdftotext under CI', () => {
      expect.fail(`${missing.join(' and ')} missing: CI must install them first (bash scripts/ci-ocr.sh).`);
    });
  });
} else if (missing.length) {
  console.warn(`[exports] SKIPPED the OCR and pdftotext tests of the exports: ${missing.join(' and ')} missing (apt-get install -y tesseract-ocr poppler-utils, see scripts/ci-ocr.sh).`);
}

/** The seeded dashboards, and the most inline image a model gets by default (CLUVIO_MAX_IMAGE_KB=24). */
const SEEDED = { 'dash-ops-0001': 'Flight Operations', 'dash-growth-0002': 'Airport Growth', 'dash-product-0003': 'Product Analytics' } as const;
const DEFAULT_IMAGE_BYTES = 24_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Asynchronous: the sandbox serves from this process, and must go on answering (and timing out idle sockets)
// while a tool runs.
const run = promisify(execFile);

/** Text from tesseract, with runs of spaces and line breaks as one space. */
async function ocr(png: Buffer, name: string): Promise<string> {
  const file = `${ARTIFACTS}${name}.png`;
  writeFileSync(file, png);
  const { stdout } = await run('tesseract', [file, 'stdout'], { encoding: 'utf8', timeout: 60_000 });
  return stdout.replace(/\s+/g, ' ');
}

async function pdfText(pdf: Buffer, name: string): Promise<string> {
  const file = `${ARTIFACTS}${name}.pdf`;
  writeFileSync(file, pdf);
  const { stdout } = await run('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', timeout: 60_000 });
  return stdout.replace(/\s+/g, ' ');
}

describe.skipIf(missing.length > 0)('exports read by OCR and pdftotext (seeded sandbox)', () => {
  let sb: Sandbox;
  const api = async (method: string, path: string, body?: unknown): Promise<Json | undefined> => {
    const r = await fetch(`${sb.apiUrl}${path}`, {
      method,
      headers: { authorization: `Api ${sb.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    expect(r.status, text).toBeLessThan(300);
    return text ? (JSON.parse(text) as Json) : undefined;
  };

  /** Runs an export job to its end and returns the file. */
  async function exportFile(path: string): Promise<{ file: Buffer }> {
    const jobId = (await api('POST', path, {}))?.['job_id'] as string;
    for (const until = Date.now() + 60_000; ; ) {
      const job = (await api('GET', `/export_jobs/${jobId}`))!;
      if (job['job_status'] === 'success') return { file: Buffer.from(await (await fetch(job['file_url'])).arrayBuffer()) };
      expect(job['job_status'], job['error_message']).not.toBe('error');
      if (Date.now() > until) throw new Error(`export ${path} still ${job['job_status']}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A report's current rows, after refreshing it (the export uses the same cached result). */
  async function reportRows(id: string): Promise<unknown[][]> {
    const run = await api('POST', `/reports/${id}/refresh`, {});
    for (const until = Date.now() + 60_000; ; ) {
      const ex = (await api('GET', `/executions/${run?.['execution_id']}`))!['data']['attributes'];
      if (ex['execution_status'] === 'success') break;
      expect(['starting', 'running', 'waiting']).toContain(ex['execution_status']);
      if (Date.now() > until) throw new Error(`report ${id} still running`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const grant = (await api('POST', `/reports/${id}/data`, {}))!;
    const data = (await (await fetch(`${sb.dataUrl}/${grant['data_key']}`, { headers: { authorization: `Data ${grant['data_access_token']}` } })).json()) as Json;
    return data['rows'] as unknown[][];
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sb = await startSandbox();
    await api('POST', '/_sandbox/records', {
      data: [
        { type: 'dashboards', id: 't-broken', attributes: { name: 'Broken Board' }, relationships: {} },
        {
          type: 'reports',
          id: 't-broken-sql',
          attributes: { name: 'Lost table', sql_query: 'SELECT nope FROM no_such_table', row: 1, column: 1, width: 6 },
          relationships: { dashboard: { type: 'dashboards', id: 't-broken' }, datasource: { type: 'datasources', id: 'smpl-data-0001' } },
        },
        {
          type: 'reports',
          id: 't-carrier-count',
          attributes: { name: 'Carriers in service', sql_query: 'SELECT COUNT(*) AS carriers FROM airlines', row: 1, column: 7, width: 6 },
          relationships: { dashboard: { type: 'dashboards', id: 't-broken' }, datasource: { type: 'datasources', id: 'smpl-data-0001' } },
        },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await sb?.close();
  });

  it('the PNG of "Airport Growth": OCR finds the dashboard, the report, airport codes and their growth', async () => {
    const rows = await reportRows('rep-airport-growth');
    const [top, second] = rows as Array<[string, number, number, number]>;
    const { file } = await exportFile('/dashboards/dash-growth-0002/export/png');
    expect(pngSize(file).width).toBe(1000);
    const text = await ocr(file, 'airport-growth');
    expect(text).toContain('Airport Growth');
    expect(text).toContain('Passenger growth by airport');
    expect(text).toContain('Growth (%)');
    expect(text).toMatch(new RegExp(`\\b${top![0]}\\b`));
    expect(text).toMatch(new RegExp(`\\b${second![0]}\\b`));
    expect(text).toContain(`${top![3]}%`);
  }, 120_000);

  it('the PDF of "Airport Growth": pdftotext finds the same, and every airport with its growth', async () => {
    const rows = (await reportRows('rep-airport-growth')) as Array<[string, number, number, number | null]>;
    const { file } = await exportFile('/dashboards/dash-growth-0002/export/pdf');
    const text = await pdfText(file, 'airport-growth');
    expect(text).toContain('Airport Growth');
    expect(text).toContain('Passenger growth by airport (last complete quarter)');
    expect(text).toMatch(/exported \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    for (const [airport, , , growth] of rows) {
      expect(text).toMatch(new RegExp(`\\b${airport}\\b`));
      if (growth !== null) expect(text).toContain(`${growth}%`);
    }
  }, 120_000);

  // Tesseract reads 12 px text reliably only in a simple layout (Airport Growth's bars, above); in Flight
  // Operations' three panels it finds the titles, and the values are checked in the PDF's text.
  it('"Flight Operations": OCR finds every report title; the PDF has every airport and airline with its numbers', async () => {
    const airports = (await reportRows('rep-top-airports')) as Array<[string, number, number]>;
    const delays = (await reportRows('rep-delay-by-airline')) as Array<[string, number, number, number]>;
    const png = await ocr((await exportFile('/dashboards/dash-ops-0001/export/png')).file, 'flight-operations');
    const pdf = await pdfText((await exportFile('/dashboards/dash-ops-0001/export/pdf')).file, 'flight-operations');
    for (const text of [png, pdf]) {
      expect(text).toContain('Flight Operations');
      for (const title of ['Flights per period', 'Top airports', 'Delay and cancellations by airline']) expect(text).toContain(title);
    }
    expect(pdf).toMatch(/Flights \(latest [\d,]+\)/);
    for (const [origin, , passengers] of airports) expect(pdf).toMatch(new RegExp(`${origin} .*${passengers.toLocaleString('en-US')}`));
    for (const [airline, delay, rate, flights] of delays) expect(pdf).toContain(`${airline} ${delay} ${rate} ${flights.toLocaleString('en-US')}`);
  }, 120_000);

  it("a failed query's panel shows its error, a one-value report a big number", async () => {
    const png = await ocr((await exportFile('/dashboards/t-broken/export/png')).file, 'broken-board');
    const pdf = await pdfText((await exportFile('/dashboards/t-broken/export/pdf')).file, 'broken-board');
    for (const text of [png, pdf]) {
      expect(text).toContain('Lost table');
      expect(text).toMatch(/Error: relation .no.such.table. does not exist/);
      expect(text).toMatch(/\b12 Carriers\b/);
    }
    expect(pdf).toContain('Carriers in service');
  }, 120_000);

  /** A dashboard's panels as the export builds them, from the API: reports, their layout and their data. */
  async function panelsOf(dashboardId: string): Promise<ExportPanel[]> {
    const dash = (await api('GET', `/dashboards/${dashboardId}`))!['data'];
    const panels: ExportPanel[] = [];
    for (const { id } of dash['relationships']['reports']['data'] as Array<{ id: string }>) {
      const a = (await api('GET', `/reports/${id}`))!['data']['attributes'];
      await reportRows(id);
      const grant = (await api('POST', `/reports/${id}/data`, { parameters: dash['attributes']['default_parameters'] ?? undefined }))!;
      const data = (await (await fetch(`${sb.dataUrl}/${grant['data_key']}`, { headers: { authorization: `Data ${grant['data_access_token']}` } })).json()) as Json;
      const columns = (data['fields'] as Json[]).map((f) => ({ name: f['name'] as string, type: f['data_type'] as string }));
      panels.push({ title: a['name'], row: a['row'], column: a['column'], width: a['width'], columns, rows: data['rows'], total: data['sql_rows'], visualisation: a['chart_configuration'], noDataMessage: a['no_data_message'] });
    }
    return panels;
  }

  it('figures: each seeded dashboard PNG is small enough to be shown inline by default, and renders in under 2 s', async () => {
    const figures: Array<{ dashboard: string; png_bytes: number; render_ms: number; pdf_bytes: number; pdf_ms: number; width: number; height: number }> = [];
    for (const [id, name] of Object.entries(SEEDED)) {
      const png = (await exportFile(`/dashboards/${id}/export/png`)).file;
      const pdf = (await exportFile(`/dashboards/${id}/export/pdf`)).file;
      writeFileSync(`${ARTIFACTS}${id}.png`, png);
      writeFileSync(`${ARTIFACTS}${id}.pdf`, pdf);
      expect(png.length, `${name}: ${png.length} bytes`).toBeLessThanOrEqual(DEFAULT_IMAGE_BYTES);
      // The render alone (layout, rasterising, encoding), timed in this process over the same data: the job's
      // own time is mostly its queries.
      const scene = pageScene({ title: name, subtitle: 'Dashboard · timing run', panels: await panelsOf(id), width: 1000 });
      const timed = async (f: () => Promise<Buffer>): Promise<{ ms: number; bytes: number }> => {
        const runs: Array<{ ms: number; bytes: number }> = [];
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          const bytes = (await f()).length;
          runs.push({ ms: performance.now() - t0, bytes });
        }
        return runs.sort((x, y) => x.ms - y.ms)[1]!;
      };
      const rendered = await timed(() => renderPng(scene));
      const drawn = await timed(() => renderPdf(scene, { title: name }));
      // The same picture as the job's (only the subtitle differs).
      expect(Math.abs(rendered.bytes - png.length) / png.length).toBeLessThan(0.1);
      expect(rendered.ms).toBeLessThan(2000);
      const { width, height } = pngSize(png);
      figures.push({ dashboard: name, png_bytes: png.length, render_ms: Math.round(rendered.ms), pdf_bytes: pdf.length, pdf_ms: Math.round(drawn.ms), width, height });
    }
    writeFileSync(`${ARTIFACTS}figures.json`, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(figures.map((f) => `${f.dashboard}: PNG ${f.width}×${f.height} ${(f.png_bytes / 1000).toFixed(1)} kB in ${f.render_ms} ms; PDF ${(f.pdf_bytes / 1000).toFixed(1)} kB in ${f.pdf_ms} ms`).join('\n'));
  }, 180_000);
});

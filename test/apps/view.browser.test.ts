// The results view in a real browser: Debian's Chromium (/usr/bin/chromium), driven by playwright-core, renders
// results of the real tools run through MCP against --sandbox. A tiny host page built on the SDK's AppBridge
// (test/apps/host.ts) hands the view its tool result the way an MCP Apps host does. Screenshots go to
// test-artifacts/apps/. Without /usr/bin/chromium: fails under CI (which installs it, scripts/ci-chromium.sh);
// elsewhere it is skipped with a warning, so `npm test` works on a machine without a browser.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_URI } from '../../src/apps/index.js';
import { connectStdio, textOf, type Connected } from '../integration/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/apps/', import.meta.url));
const DS = 'smpl-data-0001';
const hasChromium = existsSync(CHROMIUM);
const mustRun = Boolean(process.env.CI);
if (!hasChromium && mustRun) {
  describe('the results view in headless Chromium', () => {
    it('needs Chromium under CI', () => {
      expect.fail(`${CHROMIUM} is missing: CI must install it first (bash scripts/ci-chromium.sh).`);
    });
  });
} else if (!hasChromium) {
  console.warn(`[apps] SKIPPED the headless-browser tests of the results view: ${CHROMIUM} is missing (apt-get install -y chromium, see scripts/ci-chromium.sh).`);
}

type ToolResult = { content: unknown[]; structuredContent?: unknown; isError?: boolean };

const QUERIES = {
  monthly: "SELECT date_trunc('month', departed_at)::date AS month, COUNT(*) AS flights FROM flights GROUP BY 1 ORDER BY 1",
  airlines: 'SELECT a.name AS airline, COUNT(*) AS flights FROM flights f JOIN airlines a ON a.code = f.airline_code GROUP BY 1 ORDER BY 1',
  plain: 'SELECT code, name, country FROM airlines ORDER BY code',
  daily: "SELECT d::date AS day, (100 + 50 * sin(extract(doy FROM d) / 58.0))::int AS load FROM generate_series('2020-01-01'::date, '2033-09-07'::date, interval '1 day') d",
};

describe.skipIf(!hasChromium)('the results view in headless Chromium (sandbox data)', () => {
  let s: Connected;
  let context: BrowserContext;
  let profile: string;
  let html: string;
  let hostJs: string;
  const results: Record<string, ToolResult> = {};
  const requests: string[] = [];

  const run = async (sql: string): Promise<ToolResult> => {
    const r = (await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: sql } }, { timeout: 120_000 })) as ToolResult;
    expect(r.isError, textOf(r)).toBeFalsy();
    return r;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await connectStdio(['--sandbox', '--log-level', 'warn']);
    const read = await s.client.readResource({ uri: VIEW_URI });
    html = (read.contents[0] as { text: string }).text;
    for (const [k, sql] of Object.entries(QUERIES)) results[k] = await run(sql);
    results.dashboard = (await s.client.callTool({ name: 'refresh_dashboard', arguments: { id: 'dash-ops-0001' } }, { timeout: 120_000 })) as ToolResult;
    const bundled = await build({ entryPoints: [fileURLToPath(new URL('./host.ts', import.meta.url))], bundle: true, format: 'iife', write: false, platform: 'browser', logLevel: 'warning' });
    hostJs = bundled.outputFiles[0]!.text;
    profile = mkdtempSync(join(tmpdir(), 'cluvio-view-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 820, height: 900 },
      timeout: 60_000,
    });
    // The view must not fetch anything: every network request is refused and recorded.
    await context.route(/^(https?|wss?):/, (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await s?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A fresh page with the host shim, the view mounted in its iframe and the result delivered. */
  async function mount(result: ToolResult, theme: 'light' | 'dark' = 'light'): Promise<{ page: Page; view: Frame }> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent(`<!doctype html><html><body style="margin:16px"><script>${hostJs.replace(/<\/script/gi, '<\\/script')}</script></body></html>`);
    const mounted = page.evaluate((m) => window.mountView(m), { html, result, hostContext: { theme, locale: 'en-US', platform: 'web' as const }, width: 760 });
    await Promise.race([mounted, new Promise((_, reject) => setTimeout(() => reject(new Error('the view did not complete the MCP Apps handshake in 20 s')), 20_000).unref())]);
    const view = page.frames().find((f) => f !== page.mainFrame())!;
    await view.waitForSelector('#root[data-state="rendered"]');
    await page.waitForTimeout(100); // a size-changed round trip, so the iframe has its full height
    expect(errors).toEqual([]);
    return { page, view };
  }

  const shot = (page: Page, name: string) => page.locator('iframe').screenshot({ path: join(ARTIFACTS, name) });

  it('draws a time series (flights per month) as a line chart, and switches to area', async () => {
    const { page, view } = await mount(results.monthly!);
    const total = (results.monthly!.structuredContent as { total_rows: number }).total_rows;
    expect(await view.locator('section.panel').getAttribute('data-view')).toBe('line');
    const line = view.locator('svg.chart[data-kind="line"] path.series-line');
    await expect.poll(() => line.count()).toBe(1);
    expect(Number(await line.getAttribute('data-points'))).toBe(total);
    expect((await line.getAttribute('d'))!.match(/L/g)).toHaveLength(total - 1);
    expect(await view.locator('svg.chart .x-tick').count()).toBeGreaterThan(2);
    expect(await view.locator('.switch button').allTextContents()).toEqual(['Line', 'Area', 'Bar', 'Table']);
    expect(await view.locator('.caption').textContent()).toBe(`${total} rows`);
    await shot(page, 'line-light.png');

    await view.locator('.switch button[data-kind="area"]').click();
    expect(await view.locator('svg.chart[data-kind="area"] path.series-area').count()).toBe(1);
    await page.evaluate(() => window.setTheme('dark'));
    await expect.poll(() => view.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await view.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(21, 24, 29)');
    await shot(page, 'area-dark.png');
    expect(await page.evaluate(() => window.viewSizes.length)).toBeGreaterThan(0);
    await page.close();
  });

  it('draws a categorical result (flights per airline) as a bar chart, in the dark theme', async () => {
    const { page, view } = await mount(results.airlines!, 'dark');
    const rows = (results.airlines!.structuredContent as { rows: unknown[][] }).rows;
    expect(await view.locator('section.panel').getAttribute('data-view')).toBe('bar');
    expect(await view.locator('svg.chart[data-kind="bar"] rect.bar').count()).toBe(rows.length);
    expect(await view.locator('.switch button').allTextContents()).toEqual(['Bar', 'Table']);
    // Taller bar, bigger count.
    const heights = await view.locator('rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    const counts = rows.map((r) => Number(r[1]));
    const tallest = heights.indexOf(Math.max(...heights));
    expect(counts[tallest]).toBe(Math.max(...counts));
    expect(await view.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(21, 24, 29)');
    await shot(page, 'bar-dark.png');
    await page.close();
  });

  it('switches the bar chart to a table that sorts by a column, both ways', async () => {
    const { page, view } = await mount(results.airlines!);
    await view.locator('.switch button[data-kind="table"]').click();
    expect(await view.locator('svg.chart').count()).toBe(0);
    const table = view.locator('table.data-table');
    expect(await table.locator('thead th').allTextContents()).toEqual(['airline', 'flights']);
    const flights = async () => (await table.locator('tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
    const unsorted = await flights();
    expect(unsorted).toHaveLength(12);

    const header = table.locator('thead th').nth(1);
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(await flights()).toEqual([...unsorted].sort((a, b) => a - b));
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(await flights()).toEqual([...unsorted].sort((a, b) => b - a));
    await shot(page, 'table-sorted.png');

    const names = table.locator('thead th').nth(0);
    await names.locator('button').click();
    const airlines = await table.locator('tbody tr td:nth-child(1)').allTextContents();
    expect(airlines).toEqual([...airlines].sort((a, b) => a.localeCompare(b)));
    await page.close();
  });

  it('shows only the table when nothing can be charted (text columns)', async () => {
    const { page, view } = await mount(results.plain!);
    expect(await view.locator('section.panel').getAttribute('data-view')).toBe('table');
    expect(await view.locator('svg.chart').count()).toBe(0);
    expect(await view.locator('.switch').count()).toBe(0);
    expect(await view.locator('table.data-table tbody tr').count()).toBe(12);
    await page.close();
  });

  it('shows the capped page of a large result with the total', async () => {
    const { page, view } = await mount(results.daily!);
    const out = results.daily!.structuredContent as { total_rows: number; rows: unknown[]; truncated: boolean };
    expect(out.truncated).toBe(true);
    expect(await view.locator('.caption').textContent()).toBe(`Showing ${out.rows.length} of ${out.total_rows.toLocaleString('en-US')} rows`);
    expect(await view.locator('svg.chart[data-kind="line"] path.series-line').getAttribute('data-points')).toBe(String(out.rows.length));
    await shot(page, 'large-capped.png');
    await page.close();
  });

  it('draws one panel per report for refresh_dashboard', async () => {
    const out = results.dashboard!.structuredContent as { done: boolean; reports: Array<{ name?: string; status: string }> };
    expect(out.done).toBe(true);
    const { page, view } = await mount(results.dashboard!);
    expect(await view.locator('section.panel').count()).toBe(out.reports.length);
    expect(await view.locator('section.panel h2').allTextContents()).toEqual(out.reports.map((r) => r.name));
    expect(await view.locator('svg.chart').count()).toBeGreaterThan(0);
    await shot(page, 'dashboard.png');
    await page.close();
  });

  it('fetched nothing from the network while rendering', () => {
    expect(requests).toEqual([]);
  });
});

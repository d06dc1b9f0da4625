// MCP Apps over the real stdio server: the results view is listed and served as an MCP App, the data tools
// link to it in their _meta, and with views off (--no-views / CLUVIO_VIEWS=false) nothing of it exists while
// everything a model sees stays the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_URI_KEY, VIEW_MIME_TYPE, VIEW_URI } from '../../src/apps/index.js';
import { connectStdio, textOf, type Connected } from './harness.js';

const VIEW_TOOLS = ['get_execution_data', 'get_report_data', 'refresh_dashboard', 'refresh_report', 'run_execution'];
const SQL = "SELECT date_trunc('month', departed_at)::date AS month, COUNT(*) AS flights FROM flights GROUP BY 1 ORDER BY 1";

type Tool = { name: string; _meta?: Record<string, unknown> } & Record<string, unknown>;
const withoutMeta = (tools: Tool[]) => tools.map(({ _meta, ...rest }) => rest);

describe('MCP Apps: the results view', () => {
  let on: Connected;
  let off: Connected;
  let offEnv: Connected;
  beforeAll(async () => {
    [on, off, offEnv] = await Promise.all([
      connectStdio(['--sandbox', '--log-level', 'warn']),
      connectStdio(['--sandbox', '--log-level', 'warn', '--no-views']),
      connectStdio(['--sandbox', '--log-level', 'warn'], { CLUVIO_VIEWS: 'false' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([on?.close(), off?.close(), offEnv?.close()]);
  });

  it('lists the view as a resource with the MCP Apps MIME type', async () => {
    const { resources } = await on.client.listResources();
    const view = resources.find((r) => r.uri === VIEW_URI);
    expect(view).toMatchObject({ uri: 'ui://cluvio/results-view.html', mimeType: 'text/html;profile=mcp-app' });
  });

  it('serves one self-contained HTML document that fetches nothing', async () => {
    const { contents } = await on.client.readResource({ uri: VIEW_URI });
    expect(contents).toHaveLength(1);
    const c = contents[0] as { uri: string; mimeType: string; text: string; _meta?: Record<string, unknown> };
    expect(c.uri).toBe(VIEW_URI);
    expect(c.mimeType).toBe(VIEW_MIME_TYPE);
    expect(c._meta).toEqual({ ui: { prefersBorder: true } });
    expect(c.text).toMatch(/^<!doctype html>/i);
    expect(c.text).toContain('<main id="root"');
    // Inline script and style only: no external script, stylesheet, font, image or import (the browser test
    // also checks that rendering requests nothing).
    expect(/<script[^>]+src=/i.test(c.text), 'an external script').toBe(false);
    expect(/<link[^>]+href=/i.test(c.text), 'a linked stylesheet').toBe(false);
    expect(/<img[^>]+src=/i.test(c.text), 'an image').toBe(false);
    const css = [...c.text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
    expect(css.length).toBeGreaterThan(1000);
    expect(/@import|url\(/.test(css), 'a CSS import or url()').toBe(false);
    expect(Buffer.byteLength(c.text)).toBeLessThan(600 * 1024);
  });

  it('links exactly the data tools to the view in their _meta (current and legacy key)', async () => {
    const { tools } = (await on.client.listTools()) as { tools: Tool[] };
    const linked = tools.filter((t) => t._meta !== undefined);
    expect(linked.map((t) => t.name).sort()).toEqual(VIEW_TOOLS);
    for (const t of linked) expect(t._meta, t.name).toEqual({ ui: { resourceUri: VIEW_URI }, [LEGACY_URI_KEY]: VIEW_URI });
  });

  it('run_execution on the sandbox returns rows the view can chart, and the same text as with views off', async () => {
    const args = { name: 'run_execution', arguments: { datasource_id: 'smpl-data-0001', sql_query: SQL } };
    const [a, b] = await Promise.all([on.client.callTool(args, { timeout: 120_000 }), off.client.callTool(args, { timeout: 120_000 })]);
    const sa = a.structuredContent as { execution_id: string; columns: Array<{ type: string }>; rows: unknown[][] };
    const sb = b.structuredContent as { execution_id: string };
    expect(sa.columns.map((c) => c.type)).toEqual(['Date', 'BigInt']);
    // The sample data's 34 months (2024-01 to 2026-10) and its 230,172 flights (README, The sandbox).
    expect(sa.rows).toHaveLength(34);
    expect(sa.rows[0]![0]).toBe('2024-01-01');
    expect(sa.rows.at(-1)![0]).toBe('2026-10-01');
    expect(sa.rows.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(230_172);
    expect(textOf(a).replaceAll(sa.execution_id, 'ID')).toBe(textOf(b).replaceAll(sb.execution_id, 'ID'));
    expect(a.content).toHaveLength(1);
  });

  it('with --no-views or CLUVIO_VIEWS=false: no UI resource, no _meta, tools/list otherwise identical', async () => {
    const { tools: withViews } = (await on.client.listTools()) as { tools: Tool[] };
    for (const s of [off, offEnv]) {
      const { tools } = (await s.client.listTools()) as { tools: Tool[] };
      expect(tools.filter((t) => t._meta !== undefined).map((t) => t.name)).toEqual([]);
      expect(tools).toEqual(withoutMeta(withViews));
      const { resources } = await s.client.listResources();
      expect(resources.filter((r) => r.uri.startsWith('ui://'))).toEqual([]);
      await expect(s.client.readResource({ uri: VIEW_URI })).rejects.toThrow();
    }
    const other = async (s: Connected) => (await s.client.listResources()).resources.filter((r) => !r.uri.startsWith('ui://'));
    expect(await other(off)).toEqual(await other(on));
  });
});

describe('MCP Apps in discovery mode', () => {
  let s: Connected;
  beforeAll(async () => {
    s = await connectStdio(['--sandbox', '--log-level', 'warn', '--discovery']);
  });
  afterAll(async () => s?.close());

  it('registers no view: the three generic tools have no _meta and there is no UI resource', async () => {
    const { tools } = (await s.client.listTools()) as { tools: Tool[] };
    expect(tools.filter((t) => t._meta !== undefined)).toEqual([]);
    expect((await s.client.listResources()).resources.filter((r) => r.uri.startsWith('ui://'))).toEqual([]);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/context.js';
import { waitForExport } from '../../src/workflows/exports.js';

/** A PNG-like file of `size` bytes at /<size>.png. */
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const size = Number(/\/(\d+)\.png$/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(size, 7));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A call context whose Get Export Job answers at once with the finished job. */
function context(fileUrl: string, maxImageKb: number): CallContext {
  return {
    config: { maxImageKb },
    signal: new AbortController().signal,
    logger: { debug() {}, info() {}, warn() {} },
    progress() {},
    ops: { getExportJob: { id: 'getExportJob' }, cancelExportJob: { id: 'cancelExportJob' } },
    request: async () => ({ job_status: 'success', file_url: fileUrl }),
  } as unknown as CallContext;
}

describe('export results: the link in the text, an image only when small', () => {
  it('a PNG within the cap comes back as text + image', async () => {
    const url = `${base}/24000.png`;
    const out = await waitForExport('j1', 'png', 'PNG of report r1', 5, context(url, 24));
    expect(out.text).toContain(url);
    expect(out.extra?.map((c) => c.type)).toEqual(['image']);
    expect(Buffer.from((out.extra![0] as { data: string }).data, 'base64')).toHaveLength(24_000);
  });

  it('a PNG over the cap: the link only, and the text says why there is no picture', async () => {
    const url = `${base}/24001.png`;
    const out = await waitForExport('j2', 'png', 'PNG of report r1', 5, context(url, 24));
    expect(out.extra ?? []).toEqual([]);
    expect(out.text).toContain(url);
    expect(out.text).toContain('larger than 24 kB');
  });

  it('CLUVIO_MAX_IMAGE_KB=0: never an image, nothing said about it', async () => {
    const url = `${base}/100.png`;
    const out = await waitForExport('j3', 'png', 'PNG of report r1', 5, context(url, 0));
    expect(out.extra ?? []).toEqual([]);
    expect(out.text).not.toMatch(/larger than/);
  });

  it('a PDF: the link in the text, and no resource_link (LangChain turns one into a block ChatOpenAI refuses)', async () => {
    const url = `${base}/5.pdf`;
    const out = await waitForExport('j4', 'pdf', 'PDF of dashboard d1', 5, context(url, 24));
    expect(out.text).toContain(url);
    expect(out.extra ?? []).toEqual([]);
  });
});

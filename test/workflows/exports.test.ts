import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test, vi } from 'vitest';
import type { CallContext } from '../../src/context.js';
import { exportHandler, waitForExport } from '../../src/workflows/exports.js';
import { closedPort } from '../cluvio/http-server.js';
import { fakeContext, inTurn, run, settle } from './context.js';

/** A file of `size` bytes at /<size>.png or /<size>.pdf; /gone.png is 404; /stall.png never answers and calls onStall. */
let server: http.Server;
let base: string;
let requests = 0;
let onStall = () => {};
beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    if (req.url === '/gone.png') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('expired');
      return;
    }
    if (req.url === '/stall.png') return onStall();
    const size = Number(/\/(\d+)\.(png|pdf)$/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(size, 7));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

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
    expect(out.extra).toEqual([{ type: 'image', data: Buffer.alloc(24_000, 7).toString('base64'), mimeType: 'image/png' }]);
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
    // A small file: only a PNG comes back as an image.
    const url = `${base}/5.pdf`;
    const out = await waitForExport('j4', 'pdf', 'PDF of dashboard d1', 5, context(url, 24));
    expect(out.text).toContain(url);
    expect(out.extra ?? []).toEqual([]);
  });
});

describe('an image that cannot be fetched: the link only, and no claim that it is too large', () => {
  // The dropped 404 body must not raise an uncaught "Request aborted" (it would end the server; vitest fails the run on it).
  it('the file server answers 404', async () => {
    const url = `${base}/gone.png`;
    const { ctx } = fakeContext({ getExportJob: { job_status: 'success', file_url: url } });
    const out = await waitForExport('j5', 'png', 'PNG of report r1', 5, ctx);
    expect(out).toEqual({
      text: `The PNG of report r1 is ready (job j5): ${url}\nThe link is valid for a short time only.`,
      structured: { job_id: 'j5', job_status: 'success', file_url: url },
    });
  });

  it('a link that is not http(s) is not fetched', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://files.example.com/http://x.png']) {
      const { ctx, logs } = fakeContext({ getExportJob: { job_status: 'success', file_url: url } });
      const out = await waitForExport('j6', 'png', 'PNG of report r1', 5, ctx);
      expect(out.extra ?? []).toEqual([]);
      expect(out.text).toBe(`The PNG of report r1 is ready (job j6): ${url}\nThe link is valid for a short time only.`);
      // Not even tried (a try would have failed and been logged).
      expect(logs, url).toEqual([]);
    }
  });

  it('a file server that does not answer: the call ends when it is cancelled', async () => {
    const url = `${base}/stall.png`;
    const { ctx, controller, logs } = fakeContext({ getExportJob: { job_status: 'success', file_url: url } });
    const reason = new Error('client cancelled');
    onStall = () => controller.abort(reason);
    const out = await waitForExport('j8', 'png', 'PNG of report r1', 5, ctx);
    expect(out.extra ?? []).toEqual([]);
    expect(logs).toEqual([{ level: 'debug', fields: { error: 'client cancelled' }, message: 'could not fetch the exported image' }]);
  });

  it('the file server cannot be reached: logged at debug level', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/1.png`;
    const { ctx, logs } = fakeContext({ getExportJob: { job_status: 'success', file_url: url } });
    const out = await waitForExport('j7', 'png', 'PNG of report r1', 5, ctx);
    expect(out.text).toBe(`The PNG of report r1 is ready (job j7): ${url}\nThe link is valid for a short time only.`);
    expect(logs).toEqual([{ level: 'debug', fields: { error: expect.stringMatching(/ECONNREFUSED/) }, message: 'could not fetch the exported image' }]);
  });
});

describe('export jobs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const handler = exportHandler('pdf', 'dashboard');

  test('starts the export, polls the job until it has a file, and returns the link', async () => {
    const { ctx, sent, progress } = fakeContext({
      exportDashboardPdf: { job_id: 'j1' },
      getExportJob: inTurn({ job_status: 'running' }, { job_status: 'success', file_url: 'https://files.example.com/j1.pdf' }),
    }, { op: 'exportDashboardPdf' });
    const out = await run(handler({ id: 'd1', max_wait_seconds: 30 }, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['exportDashboardPdf', { id: 'd1', max_wait_seconds: 30 }],
      ['getExportJob', { id: 'j1' }],
      ['getExportJob', { id: 'j1' }],
    ]);
    expect(sent[0]!.queueSignal).toBe(ctx.signal);
    expect(sent[1]!.signal).toBe(ctx.signal);
    expect(progress).toEqual([[0, undefined, 'Export running (0.0 s)']]);
    expect(out.structured).toMatchObject({ job_status: 'success' });
    expect(out).toEqual({
      text: 'The PDF of dashboard d1 is ready (job j1): https://files.example.com/j1.pdf\nThe link is valid for a short time only.',
      structured: { job_id: 'j1', job_status: 'success', file_url: 'https://files.example.com/j1.pdf' },
    });
  });

  test('a numeric job id; a job without a status yet is "started"', async () => {
    const { ctx, sent, progress } = fakeContext({
      exportReportCsv: { job_id: 12 },
      getExportJob: inTurn(undefined, { job_status: 'success', file_url: 'https://files.example.com/12.csv' }),
    }, { op: 'exportReportCsv' });
    const out = await run(exportHandler('csv', 'report')({ id: 'r1' }, ctx));
    expect(sent[1]!.args).toEqual({ id: '12' });
    expect(progress[0]![2]).toBe('Export started (0.0 s)');
    expect(out.text.split('\n')[0]).toBe('The CSV of report r1 is ready (job 12): https://files.example.com/12.csv');
  });

  test('waits 45 s unless told otherwise', async () => {
    const { ctx } = fakeContext({ exportReportPdf: { job_id: 'j1' }, getExportJob: { job_status: 'running' } }, { op: 'exportReportPdf' });
    const started = performance.now();
    const out = await run(exportHandler('pdf', 'report')({ id: 'r1' }, ctx));
    expect(performance.now() - started).toBe(45_000);
    expect(out).toEqual({
      text: 'The PDF of report r1 is still being made (job j1, running). Check it with get_export_job {"id":"j1"}.',
      structured: { job_id: 'j1', job_status: 'running', next: 'get_export_job {"id":"j1"}' },
    });
  });

  test('no job id in the answer fails the call', async () => {
    for (const answer of [{}, undefined, { job_id: null }]) {
      const { ctx } = fakeContext({ exportDashboardPdf: answer }, { op: 'exportDashboardPdf' });
      expect((await settle(handler({ id: 'd1' }, ctx))).error).toEqual(new Error('Cluvio returned no export job id'));
    }
  });

  test('progress in seconds, to a tenth', async () => {
    const { ctx, progress } = fakeContext({ getExportJob: inTurn({ job_status: 'running' }, { job_status: 'running' }, { job_status: 'running' }, { job_status: 'error' }) });
    await run(waitForExport('j1', 'pdf', 'PDF', 10, ctx));
    // Polls at 0, 100 and 250 ms.
    expect(progress).toEqual([
      [0, undefined, 'Export running (0.0 s)'],
      [0.1, undefined, 'Export running (0.1 s)'],
      [0.3, undefined, 'Export running (0.3 s)'],
    ]);
  });

  test('out of budget before the job has a status', async () => {
    const { ctx } = fakeContext({ getExportJob: {} });
    expect((await run(waitForExport('j1', 'pdf', 'PDF of report r1', 1, ctx))).structured).toEqual({ job_id: 'j1', job_status: 'unknown', next: 'get_export_job {"id":"j1"}' });
  });

  test('a failed job is a failure even if it names a file', async () => {
    const { ctx } = fakeContext({ getExportJob: { job_status: 'error', file_url: 'https://files.example.com/partial.pdf', error_message: 'render failed' } });
    expect(await run(waitForExport('j1', 'pdf', 'PDF of dashboard d1', 10, ctx))).toMatchObject({ structured: { job_status: 'error', error_message: 'render failed' }, isError: true });
  });

  test('a failed job: an error result with its message', async () => {
    const { ctx } = fakeContext({ getExportJob: { job_status: 'error', error_message: 'dashboard has no reports' } });
    expect(await run(waitForExport('j1', 'pdf', 'PDF of dashboard d1', 10, ctx))).toEqual({
      text: 'The PDF of dashboard d1 failed (job j1): dashboard has no reports. Check the parameters and try again.',
      structured: { job_id: 'j1', job_status: 'error', error_message: 'dashboard has no reports' },
      isError: true,
    });
    const bare = fakeContext({ getExportJob: { job_status: 'error' } });
    expect(await run(waitForExport('j1', 'pdf', 'PDF of dashboard d1', 10, bare.ctx))).toEqual({
      text: 'The PDF of dashboard d1 failed (job j1). Check the parameters and try again.',
      structured: { job_id: 'j1', job_status: 'error' },
      isError: true,
    });
  });

  test('a finished job without a file is a failure too', async () => {
    const { ctx } = fakeContext({ getExportJob: { job_status: 'success' } });
    expect(await run(waitForExport('j1', 'csv', 'CSV of report r1', 10, ctx))).toMatchObject({ structured: { job_id: 'j1', job_status: 'success' }, isError: true });
  });

  test('cancelled while waiting: the job is cancelled in Cluvio too', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent, logs } = fakeContext({
      getExportJob: () => {
        controller.abort(reason);
        throw reason;
      },
      cancelExportJob: {},
    });
    expect((await settle(waitForExport('j1', 'pdf', 'PDF of dashboard d1', 10, ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['getExportJob', { id: 'j1' }],
      ['cancelExportJob', { id: 'j1' }],
    ]);
    expect(sent[1]!.signal?.aborted).toBe(false);
    expect(logs).toEqual([{ level: 'info', fields: { job: 'j1' }, message: 'cancelled export job after the client cancelled' }]);
  });

  test('a cancel that fails is logged; a poll that fails without a cancel cancels nothing', async () => {
    const reason = new Error('client cancelled');
    const failing = fakeContext({
      getExportJob: () => {
        failing.controller.abort(reason);
        throw reason;
      },
      cancelExportJob: () => {
        throw new Error('HTTP 404');
      },
    });
    expect((await settle(waitForExport('j1', 'pdf', 'PDF', 10, failing.ctx))).error).toBe(reason);
    expect(failing.logs).toEqual([{ level: 'warn', fields: { job: 'j1', error: 'HTTP 404' }, message: 'could not cancel export job' }]);

    const broken = fakeContext({
      getExportJob: () => {
        throw new Error('HTTP 500');
      },
    });
    expect((await settle(waitForExport('j1', 'pdf', 'PDF', 10, broken.ctx))).error).toEqual(new Error('HTTP 500'));
    expect(broken.ops()).toEqual(['getExportJob']);
  });

  test('cancelled during the start request: the job it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      exportDashboardPdf: () => {
        controller.abort(reason);
        return { job_id: 'j7' };
      },
      cancelExportJob: {},
    }, { op: 'exportDashboardPdf' });
    expect((await settle(handler({ id: 'd1' }, ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['exportDashboardPdf', { id: 'd1' }],
      ['cancelExportJob', { id: 'j7' }],
    ]);
    const nothing = fakeContext({
      exportDashboardPdf: () => {
        nothing.controller.abort(reason);
        return {};
      },
    }, { op: 'exportDashboardPdf' });
    expect((await settle(handler({ id: 'd1' }, nothing.ctx))).error).toBe(reason);
    expect(nothing.ops()).toEqual(['exportDashboardPdf']);
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
import { getReportData, refreshReport } from '../../src/workflows/reports.js';
import { execution, fakeContext, inTurn, page, run, settle } from './context.js';

const GRANT = { data_key: 'results/r1/data', data_access_token: 'tok' };
const FIELDS = [
  { name: 'day', data_type: 'Date' },
  { name: 'n', data_type: 'Integer' },
];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refreshReport', () => {
  test('refreshes, follows the execution it started, and returns its rows as run_execution does', async () => {
    const { ctx, sent, ops } = fakeContext(
      {
        refreshReport: { execution_id: 'e1' },
        getExecution: inTurn(execution('e1', { execution_status: 'running' }), execution('e1', { execution_status: 'success', result_rows: 1 })),
        getExecutionData: GRANT,
      },
      { data: { page: () => page([['2024-06-01', 3]], FIELDS) } },
    );
    const args = { id: 'r1', parameters: { aggregation: 'day' }, max_rows: 10, max_wait_seconds: 10 };
    const out = await run(refreshReport(args, ctx));
    expect(ops()).toEqual(['refreshReport', 'getExecution', 'getExecution', 'getExecutionData']);
    expect(sent[0]).toMatchObject({ args, queueSignal: ctx.signal });
    expect(sent[1]).toMatchObject({ args: { id: 'e1' }, signal: ctx.signal });
    expect(out.structured).toEqual({
      execution_id: 'e1',
      status: 'success',
      columns: [
        { name: 'day', type: 'Date' },
        { name: 'n', type: 'Integer' },
      ],
      rows: [['2024-06-01', 3]],
      total_rows: 1,
      offset: 0,
      truncated: false,
    });
  });

  test('a numeric execution id is followed too', async () => {
    const { ctx, sent } = fakeContext({ refreshReport: { execution_id: 42 }, getExecution: execution('42', { execution_status: 'cancelled' }) });
    const out = await run(refreshReport({ id: 'r1', max_rows: 10, max_wait_seconds: 10 }, ctx));
    expect(sent[1]!.args).toEqual({ id: '42' });
    expect(out.isError).toBe(true);
  });

  test('an answer without an execution id fails the call', async () => {
    for (const answer of [{}, undefined, { execution_id: null }]) {
      const { ctx } = fakeContext({ refreshReport: answer });
      expect((await settle(refreshReport({ id: 'r1', max_rows: 10, max_wait_seconds: 10 }, ctx))).error).toEqual(new Error('Cluvio returned no execution id for the report refresh'));
    }
  });

  test('cancelled while its execution is first read: the execution is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshReport: { execution_id: 'e1' },
      getExecution: () => {
        controller.abort(reason);
        throw reason;
      },
      cancelExecution: {},
    });
    expect((await settle(refreshReport({ id: 'r1', max_rows: 10, max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['refreshReport', { id: 'r1', max_rows: 10, max_wait_seconds: 10 }],
      ['getExecution', { id: 'e1' }],
      ['cancelExecution', { id: 'e1' }],
    ]);
  });

  test('a failed first read without a cancel cancels nothing', async () => {
    const { ctx, ops } = fakeContext({
      refreshReport: { execution_id: 'e1' },
      getExecution: () => {
        throw new Error('HTTP 404');
      },
    });
    expect((await settle(refreshReport({ id: 'r1', max_rows: 10, max_wait_seconds: 10 }, ctx))).error).toEqual(new Error('HTTP 404'));
    expect(ops()).toEqual(['refreshReport', 'getExecution']);
  });

  test('cancelled during the refresh request: the execution it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshReport: () => {
        controller.abort(reason);
        return { execution_id: 'e5' };
      },
      cancelExecution: {},
    });
    expect((await settle(refreshReport({ id: 'r1', max_rows: 10, max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.map((s) => s.op)).toEqual(['refreshReport', 'cancelExecution']);
    expect(sent[1]!.args).toEqual({ id: 'e5' });
  });
});

describe('getReportData', () => {
  test('rows (JSON): a page, the total, and where the next page starts', async () => {
    const { ctx, sent, reads } = fakeContext(
      { getReportData: GRANT },
      { data: { page: () => ({ meta: { fields: FIELDS, data_timestamp: 1_712_233_090 }, rows: [['2024-06-02', 4], ['2024-06-03', 5]], totalRows: 9, cutBySize: false }) } },
    );
    const args = { id: 'r1', offset: 3, max_rows: 2, parameters: { tz: 'UTC' } };
    const out = await run(getReportData(args, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([['getReportData', args]]);
    expect(reads.map((r) => [r.kind, r.grant, r.options, r.operation, r.signal])).toEqual([
      ['page', GRANT, { offset: 3, limit: 2, maxChars: 60_000 }, 'getResultData', ctx.signal],
    ]);
    expect(out).toEqual({
      text: [
        'Report r1: 9 rows, 2 columns; showing rows 4–5. Next page: get_report_data with offset=5.',
        '| day (Date) | n (Integer) |',
        '|---|---|',
        '| 2024-06-02 | 4 |',
        '| 2024-06-03 | 5 |',
      ].join('\n'),
      structured: {
        report_id: 'r1',
        status: 'success',
        columns: [
          { name: 'day', type: 'Date' },
          { name: 'n', type: 'Integer' },
        ],
        rows: [
          ['2024-06-02', 4],
          ['2024-06-03', 5],
        ],
        total_rows: 9,
        offset: 3,
        truncated: true,
        data_timestamp: 1_712_233_090,
      },
    });
  });

  test('the last page: no next page; no data timestamp unless it is a number', async () => {
    const { ctx } = fakeContext({ getReportData: GRANT }, { data: { page: () => ({ meta: { fields: FIELDS, data_timestamp: 'today' }, rows: [['2024-06-01', 1]], totalRows: 1, cutBySize: false }) } });
    const out = await run(getReportData({ id: 'r1', max_rows: 10 }, ctx));
    expect(out.text.split('\n')[0]).toBe('Report r1: 1 rows, 2 columns; showing rows 1–1.');
    expect(out.structured).toEqual({
      report_id: 'r1',
      status: 'success',
      columns: [
        { name: 'day', type: 'Date' },
        { name: 'n', type: 'Integer' },
      ],
      rows: [['2024-06-01', 1]],
      total_rows: 1,
      offset: 0,
      truncated: false,
    });
  });

  test('without a count, the total is the rows up to the end of this page', async () => {
    const { ctx } = fakeContext({ getReportData: GRANT }, { data: { page: () => ({ meta: { fields: FIELDS }, rows: [['2024-06-04', 1], ['2024-06-05', 2]], totalRows: undefined, cutBySize: false }) } });
    const out = await run(getReportData({ id: 'r1', offset: 3, max_rows: 2 }, ctx));
    expect(out.structured).toMatchObject({ total_rows: 5, offset: 3, truncated: false });
  });

  test('a data read that is retried is logged with the report it is for', async () => {
    let reads = 0;
    const { ctx, logs } = fakeContext(
      { getReportData: GRANT },
      {
        data: {
          page: () => {
            if (reads++ === 0) throw new CluvioApiError(503, ['busy'], 'getResultData');
            return page([['2024-06-01', 1]], FIELDS);
          },
        },
      },
    );
    await run(getReportData({ id: 'r1', max_rows: 2 }, ctx));
    expect(logs).toEqual([{ level: 'debug', fields: { what: 'report r1', error: 'getResultData: HTTP 503 — busy', attempt: 1 }, message: 'data server read failed; retrying' }]);
  });

  test('past the end: no rows, no table; without a count the total is what the offset implies', async () => {
    const { ctx } = fakeContext({ getReportData: GRANT }, { data: { page: () => ({ meta: { fields: FIELDS }, rows: [], totalRows: undefined, cutBySize: false }) } });
    const out = await run(getReportData({ id: 'r1', offset: 20, max_rows: 10 }, ctx));
    expect(out.text).toBe('Report r1: 20 rows, 2 columns.');
    expect(out.structured).toMatchObject({ rows: [], total_rows: 20, offset: 20, truncated: false });
  });

  test('nothing cached (204): says how to run the query', async () => {
    for (const data_format of [undefined, 'csv'] as const) {
      const { ctx, reads } = fakeContext({ getReportData: undefined });
      const out = await run(getReportData({ id: 'r1', max_rows: 10, data_format }, ctx));
      expect(reads).toEqual([]);
      expect(out).toEqual({
        text: 'Report r1 has no cached data for these parameters. Call refresh_report with the same parameters to run its query.',
        structured: { report_id: 'r1', status: 'no-data' },
      });
    }
  });

  test('CSV: the text, capped, and where the whole file is', async () => {
    const { ctx, reads } = fakeContext({ getReportData: GRANT }, { data: { text: () => ({ text: 'day,n\n2024-06-01,3', cut: false }) } });
    const out = await run(getReportData({ id: 'r1', max_rows: 10, data_format: 'csv' }, ctx));
    expect(reads.map((r) => [r.kind, r.grant, r.maxChars, r.operation, r.signal])).toEqual([['text', GRANT, 60_000, 'getResultData', ctx.signal]]);
    expect(out).toEqual({ text: 'day,n\n2024-06-01,3', structured: { report_id: 'r1', format: 'csv', csv: 'day,n\n2024-06-01,3', truncated: false } });

    const cut = fakeContext({ getReportData: GRANT }, { data: { text: () => ({ text: 'day,n\n2024-', cut: true }) } });
    const cutOut = await run(getReportData({ id: 'r1', max_rows: 10, data_format: 'csv' }, cut.ctx));
    expect(cutOut).toEqual({
      text: 'day,n\n2024-\n(CSV cut at 60 kB; export_report_csv gives the whole file as a download link.)',
      structured: { report_id: 'r1', format: 'csv', csv: 'day,n\n2024-', truncated: true },
    });
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
import type { DataGrant } from '../../src/cluvio/data-client.js';
import { REDACTED } from '../../src/results/redact.js';
import { pollDashboardStatus, refreshDashboard, type DashboardArgs } from '../../src/workflows/dashboards.js';
import { fakeContext, inTurn, page, run, settle } from './context.js';

const FIELDS = [{ name: 'n', data_type: 'Integer' }];
const args = (extra: Partial<DashboardArgs> & Record<string, unknown> = {}): DashboardArgs => ({ id: 'd1', max_rows_per_report: 5, max_wait_seconds: 10, ...extra });

/** Get Dashboard with its reports included, for the names. */
const DASHBOARD = {
  data: { id: 'd1', type: 'dashboards', attributes: { name: 'Sales' } },
  included: [
    { id: 'r1', type: 'reports', attributes: { name: 'Revenue' } },
    { id: 'r2', type: 'reports', attributes: { name: 'Orders' } },
  ],
};

/** A dashboard status: reports r1 (key k1) and r2 (key k2), SQL filter f1 (key kf), with these data key states. */
function status(keys: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return {
    reports: { r1: { data_key: 'k1' }, r2: { data_key: 'k2' } },
    filters: { f1: { data_key: 'kf', selected: ['DE'], data_access_token: 'tf' } },
    data_keys: keys,
    ...extra,
  };
}
const ok = (token: string, extra: Record<string, unknown> = {}) => ({ result_status: 'success', running: false, data_access_token: token, ...extra });
const running = (execution: string) => ({ result_status: 'running', running: true, execution_id: execution });
const DONE = status({ k1: ok('t1'), k2: ok('t2'), kf: ok('tf') });

/** Rows per data key. */
const rowsByKey = (rows: Record<string, unknown[][]>) => ({ page: (grant: DataGrant) => page(rows[grant.data_key] ?? [], FIELDS) });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refreshDashboard', () => {
  test('refreshes, waits for every report and SQL filter, then returns each report with its rows', async () => {
    const { ctx, sent, reads, progress, ops } = fakeContext(
      {
        refreshDashboard: {},
        pollDashboardStatus: inTurn(status({ k1: running('e1'), k2: ok('t2'), kf: ok('tf') }), DONE),
        getDashboard: DASHBOARD,
      },
      { data: rowsByKey({ k1: [[1], [2]], k2: [[3]] }) },
    );
    const parameters = { timerange: '~' };
    const out = await run(refreshDashboard(args({ parameters }), ctx));
    expect(ops()).toEqual(['refreshDashboard', 'pollDashboardStatus', 'pollDashboardStatus', 'getDashboard']);
    expect(sent[0]).toMatchObject({ args: { id: 'd1', parameters }, queueSignal: ctx.signal });
    // The status is read without refreshing again, with the same parameters.
    expect(sent[1]).toMatchObject({ args: { id: 'd1', refresh_data: false, parameters }, signal: ctx.signal });
    expect(sent[2]!.args).toEqual({ id: 'd1', refresh_data: false, parameters });
    expect(sent[3]!.args).toEqual({ id: 'd1', include: 'reports' });
    expect(reads.map((r) => [r.grant, r.options, r.operation, r.signal])).toEqual([
      [{ data_key: 'k1', data_access_token: 't1' }, { offset: 0, limit: 5, maxChars: 15_000 }, 'getResultData', ctx.signal],
      [{ data_key: 'k2', data_access_token: 't2' }, { offset: 0, limit: 5, maxChars: 15_000 }, 'getResultData', ctx.signal],
    ]);
    expect(out.structured).toEqual({
      dashboard_id: 'd1',
      done: true,
      reports: [
        { id: 'r1', name: 'Revenue', status: 'success', columns: [{ name: 'n', type: 'Integer' }], rows: [[1], [2]], total_rows: 2, truncated: false },
        { id: 'r2', name: 'Orders', status: 'success', columns: [{ name: 'n', type: 'Integer' }], rows: [[3]], total_rows: 1, truncated: false },
      ],
      // Filters without their data key or token.
      filters: { f1: { selected: ['DE'] } },
    });
    expect(out.text).toBe(
      [
        'Dashboard d1: 2 reports, all succeeded.',
        '## Revenue (id r1): success, 2 rows\n| n (Integer) |\n|---|\n| 1 |\n| 2 |',
        '## Orders (id r2): success, 1 rows\n| n (Integer) |\n|---|\n| 3 |',
      ].join('\n\n'),
    );
    // Readiness counts whole queries; the time between steps only adds a fraction.
    expect(progress).toEqual([[2, 3, '2 of 3 reports and filters ready']]);
  });

  test('cancelled during the start request: the queries the refresh started are cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshDashboard: () => controller.abort(reason),
      pollDashboardStatus: status({ k1: running('e1'), k2: running('e2'), kf: ok('tf') }),
      cancelExecution: {},
    });
    expect((await settle(refreshDashboard(args(), ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['refreshDashboard', { id: 'd1', parameters: undefined }],
      ['pollDashboardStatus', { id: 'd1', refresh_data: false, parameters: undefined }],
      ['cancelExecution', { id: 'e1' }],
      ['cancelExecution', { id: 'e2' }],
    ]);
    // Read with a signal of its own: the call's is aborted.
    expect(sent[1]!.signal?.aborted).toBe(false);
  });

  test('cancelled while waiting: the queries still running are cancelled, those done are not', async () => {
    const reason = new Error('client cancelled');
    let polls = 0;
    const { ctx, controller, sent } = fakeContext({
      refreshDashboard: {},
      pollDashboardStatus: () => {
        if (++polls === 2) controller.abort(reason);
        return {
          ...status({ k1: running('e1'), k2: ok('t2', { execution_id: 'e2' }), kf: { result_status: 'running', execution_id: 'ef' } }),
          // A running report whose execution is not known yet: nothing to cancel for it.
          reports: { r1: { data_key: 'k1' }, r2: { data_key: 'k2' }, r3: { data_key: 'k3' } },
        };
      },
      cancelExecution: {},
    });
    expect((await settle(refreshDashboard(args(), ctx))).error).toBe(reason);
    // No status read for the cancel: the last one seen says what runs.
    expect(sent.filter((s) => s.op === 'pollDashboardStatus')).toHaveLength(2);
    expect(sent.filter((s) => s.op === 'cancelExecution').map((s) => s.args.id)).toEqual(['e1', 'ef']);
  });

  test('cancelled before any status was seen, and the status cannot be read: logged, nothing cancelled', async () => {
    const reason = new Error('client cancelled');
    let polls = 0;
    const { ctx, controller, ops, logs } = fakeContext({
      refreshDashboard: {},
      // The first read is cut off by the cancel (the API client then rejects with its reason); the read for the cancel fails.
      pollDashboardStatus: () => {
        if (++polls > 1) throw new Error('HTTP 502');
        controller.abort(reason);
        throw reason;
      },
    });
    expect((await settle(refreshDashboard(args(), ctx))).error).toBe(reason);
    expect(ops()).toEqual(['refreshDashboard', 'pollDashboardStatus', 'pollDashboardStatus']);
    expect(logs).toEqual([{ level: 'warn', fields: { dashboard: 'd1', error: 'HTTP 502' }, message: 'could not read the dashboard status to cancel its queries' }]);
  });

  test('a failing status read without a cancel fails the call and cancels nothing', async () => {
    const { ctx, ops } = fakeContext({
      refreshDashboard: {},
      pollDashboardStatus: () => {
        throw new Error('HTTP 500');
      },
    });
    expect((await settle(refreshDashboard(args(), ctx))).error).toEqual(new Error('HTTP 500'));
    expect(ops()).toEqual(['refreshDashboard', 'pollDashboardStatus']);
  });
});

describe('waiting', () => {
  test('a query is done only when not running, by every sign: running flag, result status, execution status', async () => {
    const notDone = [
      { result_status: 'success', running: true, data_access_token: 't' },
      { result_status: 'running', running: false },
      { result_status: 'success', running: false, execution_status: 'waiting' },
    ];
    for (const k1 of notDone) {
      const { ctx } = fakeContext({ pollDashboardStatus: status({ k1, k2: ok('t2'), kf: ok('tf') }), getDashboard: DASHBOARD });
      const out = await run(pollDashboardStatus({ ...args(), wait: true, max_wait_seconds: 1 }, ctx));
      expect(out.structured, JSON.stringify(k1)).toMatchObject({ done: false, ready: 2, total: 3 });
    }
  });

  test('a data key the status does not list is not done', async () => {
    const { ctx } = fakeContext({ pollDashboardStatus: status({ k1: ok('t1'), kf: ok('tf') }), getDashboard: DASHBOARD });
    const out = await run(pollDashboardStatus({ ...args(), wait: true, max_wait_seconds: 1 }, ctx));
    expect(out.structured).toMatchObject({ done: false, ready: 2, total: 3 });
  });

  test('reports and filters without a data key are not waited for', async () => {
    const { ctx, ops } = fakeContext(
      {
        pollDashboardStatus: { reports: { r1: { data_key: 'k1' }, r3: {} }, filters: { f2: { data_key: 7 }, f3: {} }, data_keys: { k1: ok('t1') } },
        getDashboard: DASHBOARD,
      },
      { data: rowsByKey({ k1: [[1]] }) },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true }, ctx));
    expect(ops()).toEqual(['pollDashboardStatus', 'getDashboard']);
    expect(out.structured.done).toBe(true);
    expect((out.structured.reports as Array<{ id: string; status: string }>).map((r) => [r.id, r.status])).toEqual([
      ['r1', 'success'],
      ['r3', 'unknown'],
    ]);
  });

  test('the server hint shortens the waits (status_check_delay is in seconds)', async () => {
    const seen: number[] = [];
    const t0 = performance.now();
    const { ctx } = fakeContext({
      pollDashboardStatus: () => {
        seen.push(performance.now() - t0);
        return status({ k1: running('e1'), k2: ok('t2'), kf: ok('tf') }, { status_check_delay: 0.2 });
      },
      getDashboard: DASHBOARD,
    });
    await run(pollDashboardStatus({ ...args(), wait: true, max_wait_seconds: 1 }, ctx));
    // 100, 150, then 200 ms (the hint) instead of 225, 337.5, … ms.
    expect(seen).toEqual([0, 100, 250, 450, 650, 850, 1_000]);
  });

  test('progress grows between readiness steps, and never reaches the next whole step', async () => {
    const { ctx, progress } = fakeContext({ pollDashboardStatus: status({ k1: running('e1'), k2: ok('t2'), kf: ok('tf') }), getDashboard: DASHBOARD });
    await run(pollDashboardStatus({ ...args(), wait: true, max_wait_seconds: 1 }, ctx));
    // Polls at 0, 100, 250, 475 and 812 ms (the timer counts whole ms) add ms / 1001; at the end of the budget, at most 0.99.
    expect(progress.map(([p]) => p)).toEqual([0, 100, 250, 475, 812].map((ms) => 2 + ms / 1001).concat(2.99));
    expect(progress.every(([p, total]) => p < 3 && total === 3)).toBe(true);
  });

  test('out of budget: each report\'s state, and the call that keeps waiting (with the parameters)', async () => {
    const parameters = { aggregation: 'week' };
    const { ctx } = fakeContext({
      refreshDashboard: {},
      pollDashboardStatus: status({ k1: { ...running('e1'), execution_status: 'running' }, k2: ok('t2', { data_timestamp: 1_712_233_090 }), kf: ok('tf') }),
      getDashboard: DASHBOARD,
    });
    const out = await run(refreshDashboard(args({ parameters, max_wait_seconds: 2 }), ctx));
    const next = 'poll_dashboard_status {"id":"d1","wait":true,"parameters":{"aggregation":"week"}}';
    expect(out).toEqual({
      text: `Dashboard d1: 2 of 3 queries ready after 2 s. To keep waiting, call ${next}.\nRevenue: running\nOrders: success`,
      structured: {
        dashboard_id: 'd1',
        done: false,
        ready: 2,
        total: 3,
        reports: [
          { id: 'r1', name: 'Revenue', status: 'running', execution_status: 'running', running: true },
          { id: 'r2', name: 'Orders', status: 'success', running: false, data_timestamp: 1_712_233_090 },
        ],
        next,
      },
    });
  });

  test('out of budget without parameters: the next call has none; unnamed reports go by id', async () => {
    const { ctx } = fakeContext({
      pollDashboardStatus: status({ k1: running('e1'), k2: ok('t2'), kf: ok('tf') }),
      getDashboard: () => {
        throw new Error('HTTP 403');
      },
    });
    const out = await run(pollDashboardStatus({ ...args(), wait: true, max_wait_seconds: 1 }, ctx));
    expect(out.text).toBe('Dashboard d1: 2 of 3 queries ready after 1 s. To keep waiting, call poll_dashboard_status {"id":"d1","wait":true}.\nr1: running\nr2: success');
  });
});

describe('report outcomes', () => {
  test('failed, unknown and unreadable reports are named with their reason; the rest keep their rows', async () => {
    const { ctx } = fakeContext(
      {
        pollDashboardStatus: {
          reports: {
            r1: { data_key: 'k1', error: 'division by zero', data_access_token: 'x' },
            r2: { data_key: 'k2' },
            r3: { data_key: 'k3' },
            r4: { data_key: 'k4', error_message: 'report deleted' },
            r5: { data_key: 'k5' },
          },
          // A token does not make a failed query readable.
          data_keys: { k1: { result_status: 'error', running: false, data_access_token: 't1' }, k2: { result_status: 'query_error', running: false, data_access_token: 't2' }, k3: ok('t3'), k4: { result_status: 'success', running: false }, k5: ok('t5') },
        },
        getDashboard: { data: { id: 'd1', type: 'dashboards' }, included: [{ id: 'r5', type: 'reports', attributes: { name: 'Totals' } }] },
      },
      {
        data: {
          page: (grant) => {
            if (grant.data_key === 'k3') throw new Error('socket hang up');
            return page([[1], [2]], FIELDS, { totalRows: 40 });
          },
        },
      },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true, max_rows_per_report: 2 }, ctx));
    expect(out.structured.reports).toEqual([
      { id: 'r1', name: undefined, status: 'error', error: 'division by zero' },
      { id: 'r2', name: undefined, status: 'query_error' },
      { id: 'r3', name: undefined, status: 'error', error: 'could not read its data: socket hang up' },
      { id: 'r4', name: undefined, status: 'error', error: 'report deleted' },
      { id: 'r5', name: 'Totals', status: 'success', columns: [{ name: 'n', type: 'Integer' }], rows: [[1], [2]], total_rows: 40, truncated: true },
    ]);
    expect(out.text).toBe(
      [
        'Dashboard d1: 5 reports, 4 failed.',
        '## report r1 (id r1): error — division by zero',
        '## report r2 (id r2): query_error, no rows',
        '## report r3 (id r3): error — could not read its data: socket hang up',
        '## report r4 (id r4): error — report deleted',
        '## Totals (id r5): success, showing 2 of 40 rows (get_report_data pages further)\n| n (Integer) |\n|---|\n| 1 |\n| 2 |',
      ].join('\n\n'),
    );
  });

  test('a token that expired on the way is replaced by one from a fresh status read (without refreshing)', async () => {
    const { ctx, sent, reads } = fakeContext(
      { pollDashboardStatus: inTurn(DONE, status({ k1: ok('t1-new'), k2: ok('t2'), kf: ok('tf') })), getDashboard: DASHBOARD },
      {
        data: {
          page: (grant) => {
            if (grant.data_access_token === 't1') throw new CluvioApiError(401, ['token expired'], 'getResultData');
            return page([[1]], FIELDS);
          },
        },
      },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true, refresh_data: true }, ctx));
    expect(reads.map((r) => r.grant.data_access_token).sort()).toEqual(['t1', 't1-new', 't2']);
    // The first read refreshed (refresh_data: true); the one for the fresh token did not.
    expect(sent.filter((s) => s.op === 'pollDashboardStatus').map((s) => s.args.refresh_data)).toEqual([true, false]);
    expect((out.structured.reports as Array<{ status: string }>).map((r) => r.status)).toEqual(['success', 'success']);
  });

  test('no fresh token to be had: the report says to refresh again', async () => {
    const { ctx } = fakeContext(
      { pollDashboardStatus: inTurn(DONE, status({ k1: { result_status: 'success', running: false }, k2: ok('t2'), kf: ok('tf') })), getDashboard: DASHBOARD },
      {
        data: {
          page: (grant) => {
            if (grant.data_key === 'k1') throw new CluvioApiError(401, ['token expired'], 'getResultData');
            return page([[1]], FIELDS);
          },
        },
      },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true }, ctx));
    expect((out.structured.reports as unknown[])[0]).toEqual({ id: 'r1', name: 'Revenue', status: 'error', error: 'Cluvio granted no data for it; refresh the dashboard again' });
  });

  test('a fresh status that no longer lists the report grants nothing either', async () => {
    const { ctx } = fakeContext(
      { pollDashboardStatus: inTurn(DONE, { reports: {}, data_keys: {} }), getDashboard: DASHBOARD },
      {
        data: {
          page: (grant) => {
            if (grant.data_key === 'k1') throw new CluvioApiError(401, ['token expired'], 'getResultData');
            return page([[1]], FIELDS);
          },
        },
      },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true }, ctx));
    expect((out.structured.reports as Array<{ error?: string }>)[0]!.error).toBe('Cluvio granted no data for it; refresh the dashboard again');
  });

  test('cancelled while the rows are read: the call rejects with the reason', async () => {
    const reason = new Error('client cancelled');
    const controller = new AbortController();
    const { ctx } = fakeContext(
      { pollDashboardStatus: DONE, getDashboard: DASHBOARD },
      {
        signal: controller.signal,
        data: {
          page: () => {
            controller.abort(reason);
            throw reason;
          },
        },
      },
    );
    expect((await settle(pollDashboardStatus({ ...args(), wait: true }, ctx))).error).toBe(reason);
  });
});

describe('pollDashboardStatus without waiting', () => {
  test('one status read: readiness, each report, the filters without keys or tokens, and the hint', async () => {
    const { ctx, sent } = fakeContext({
      pollDashboardStatus: status(
        { k1: { ...running('e1'), execution_status: 'running' }, k2: ok('t2', { data_timestamp: 1_712_233_090 }), kf: ok('tf') },
        { status_check_delay: 2, filters: { f1: { data_key: 'kf', password: 'hunter2', values: [1] } } },
      ),
    });
    const out = await run(pollDashboardStatus({ ...args(), refresh_data: true }, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([['pollDashboardStatus', { id: 'd1', refresh_data: true, parameters: undefined }]]);
    expect(out).toEqual({
      text: '2 of 3 queries ready on dashboard d1.\nreport r1: running\nreport r2: success',
      structured: {
        dashboard_id: 'd1',
        ready: 2,
        total: 3,
        reports: [
          { id: 'r1', status: 'running', execution_status: 'running', running: true },
          { id: 'r2', status: 'success', running: false, data_timestamp: 1_712_233_090 },
        ],
        filters: { f1: { password: REDACTED, values: [1] } },
        status_check_delay: 2,
      },
    });
  });

  test('an empty answer is an empty dashboard', async () => {
    const { ctx } = fakeContext({ pollDashboardStatus: undefined });
    const out = await run(pollDashboardStatus(args(), ctx));
    expect(out).toEqual({
      text: '0 of 0 queries ready on dashboard d1.\n',
      structured: { dashboard_id: 'd1', ready: 0, total: 0, reports: [], filters: {}, status_check_delay: undefined },
    });
  });
});

describe('logs', () => {
  test('a report without a name in Get Dashboard goes by its id', async () => {
    const { ctx } = fakeContext(
      {
        pollDashboardStatus: DONE,
        getDashboard: { data: { id: 'd1', type: 'dashboards' }, included: [{ id: 'r1', type: 'reports', attributes: {} }, { id: 'r2', type: 'reports', attributes: { name: '' } }] },
      },
      { data: rowsByKey({ k1: [], k2: [] }) },
    );
    const out = await run(pollDashboardStatus({ ...args(), wait: true }, ctx));
    expect(out.text).toBe('Dashboard d1: 2 reports, all succeeded.\n\n## report r1 (id r1): success, no rows\n\n## report r2 (id r2): success, no rows');
    expect((out.structured.reports as Array<{ name?: string }>).map((r) => r.name)).toEqual([undefined, undefined]);
  });

  test('a data read that is retried is logged with the report it is for', async () => {
    let reads = 0;
    const { ctx, logs } = fakeContext(
      { pollDashboardStatus: DONE, getDashboard: DASHBOARD },
      {
        data: {
          page: (grant) => {
            if (grant.data_key === 'k1' && reads++ === 0) throw new CluvioApiError(503, ['busy'], 'getResultData');
            return page([[1]], FIELDS);
          },
        },
      },
    );
    await run(pollDashboardStatus({ ...args(), wait: true }, ctx));
    expect(logs).toEqual([{ level: 'debug', fields: { what: 'dashboard report r1', error: 'getResultData: HTTP 503 — busy', attempt: 1 }, message: 'data server read failed; retrying' }]);
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CluvioApiError } from '../../src/cluvio/errors.js';
import { Limiter } from '../../src/cluvio/limiter.js';
import { cancelStartedExecution, fieldsToColumns, getExecutionData, runExecution } from '../../src/workflows/executions.js';
import { execution, fakeContext, inTurn, page, run, settle } from './context.js';

const GRANT = { data_key: 'results/e1/data', data_access_token: 'tok' };
const FIELDS = [
  { name: 'n', data_type: 'Integer' },
  { name: 's', data_type: 'String' },
];
const args = (extra: Record<string, unknown> = {}) => ({ datasource_id: 'ds1', sql_query: 'select n, s from t', max_rows: 3, max_wait_seconds: 10, ...extra });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runExecution', () => {
  test('starts the query, waits for it, and returns the first page of rows', async () => {
    const queries = new Limiter(1);
    const { ctx, sent, reads, progress, ops } = fakeContext(
      {
        runExecution: execution('e1', { execution_status: 'running' }),
        getExecution: inTurn(execution('e1', { execution_status: 'running' }), execution('e1', { execution_status: 'success', result_rows: 2 })),
        getExecutionData: GRANT,
      },
      { queries, data: { page: () => page([[1, 'a'], [2, 'b']], FIELDS) } },
    );
    const work = runExecution(args(), ctx);
    // The query slot is held from the start …
    expect(queries.inFlight).toBe(1);
    const out = await run(work);
    // … until the wait has ended.
    expect(queries.inFlight).toBe(0);
    expect(ops()).toEqual(['runExecution', 'getExecution', 'getExecution', 'getExecutionData']);
    // The start request is not cut off by the client's signal once sent; only its wait for a slot is.
    expect(sent[0]!.args).toEqual(args());
    expect(sent[0]!.signal?.aborted).toBe(false);
    expect(sent[0]!.signal).not.toBe(ctx.signal);
    expect(sent[0]!.queueSignal).toBe(ctx.signal);
    expect(sent[1]!.args).toEqual({ id: 'e1' });
    expect(sent[3]!.args).toEqual({ id: 'e1' });
    // result_rows is known, so the read may stop as soon as the page is full.
    expect(reads).toEqual([{ kind: 'page', grant: GRANT, options: { offset: 0, limit: 3, maxChars: 60_000, stopWhenFull: true }, operation: 'getResultData', signal: ctx.signal }]);
    expect(out).toEqual({
      text: ['Execution e1 succeeded: 2 rows, 2 columns; showing rows 1–2.', '| n (Integer) | s (String) |', '|---|---|', '| 1 | a |', '| 2 | b |'].join('\n'),
      structured: {
        execution_id: 'e1',
        status: 'success',
        columns: [
          { name: 'n', type: 'Integer' },
          { name: 's', type: 'String' },
        ],
        rows: [
          [1, 'a'],
          [2, 'b'],
        ],
        total_rows: 2,
        offset: 0,
        truncated: false,
      },
    });
    // One report per running state seen: at 0 and 100 ms.
    expect(progress).toEqual([
      [0, undefined, 'Execution running (0.0 s)'],
      [0.1, undefined, 'Execution running (0.1 s)'],
    ]);
  });

  test('an execution that is done when it starts is not polled', async () => {
    const { ctx, ops } = fakeContext(
      { runExecution: execution('e1', { execution_status: 'success', result_rows: 0 }), getExecutionData: GRANT },
      { data: { page: () => page([], FIELDS) } },
    );
    const out = await run(runExecution(args(), ctx));
    expect(ops()).toEqual(['runExecution', 'getExecutionData']);
    expect(out.text).toBe('Execution e1 succeeded: 0 rows, 2 columns.');
    expect(out.structured).toMatchObject({ rows: [], total_rows: 0, truncated: false });
  });

  test('every running status keeps it waiting: starting, waiting, scheduled, running', async () => {
    const states = ['starting', 'waiting', 'scheduled', 'running', 'success'].map((s) => execution('e1', { execution_status: s, result_rows: 0 }));
    const { ctx, ops } = fakeContext({ runExecution: states[0], getExecution: inTurn(...states.slice(1)), getExecutionData: GRANT }, { data: { page: () => page([], FIELDS) } });
    const out = await run(runExecution(args(), ctx));
    expect(ops().filter((o) => o === 'getExecution')).toHaveLength(4);
    expect(out.structured.status).toBe('success');
  });

  test('more rows than max_rows: a page, and the call that reads the next one', async () => {
    const { ctx } = fakeContext(
      { runExecution: execution('e1', { execution_status: 'success', result_rows: 10 }), getExecutionData: GRANT },
      { data: { page: () => page([[1, 'a'], [2, 'b'], [3, 'c']], FIELDS, { totalRows: undefined }) } },
    );
    const out = await run(runExecution(args(), ctx));
    const next = 'get_execution_data {"id":"e1","offset":3}';
    expect(out.text.split('\n')[0]).toBe(`Execution e1 succeeded: 10 rows, 2 columns; showing rows 1–3. Next page: ${next}.`);
    expect(out.structured).toMatchObject({ total_rows: 10, offset: 0, truncated: true, next });
  });

  test('one row and one column are named in the singular', async () => {
    const { ctx } = fakeContext(
      { runExecution: execution('e1', { execution_status: 'success', result_rows: 1 }), getExecutionData: GRANT },
      { data: { page: () => page([[7]], [{ name: 'n', data_type: 'Integer' }]) } },
    );
    const out = await run(runExecution(args(), ctx));
    expect(out.text.split('\n')[0]).toBe('Execution e1 succeeded: 1 row, 1 column; showing rows 1–1.');
  });

  test('a page cut by size says so', async () => {
    const { ctx } = fakeContext(
      { runExecution: execution('e1', { execution_status: 'success', result_rows: 2 }), getExecutionData: GRANT },
      { data: { page: () => page([[1, 'a']], FIELDS, { cutBySize: true }) } },
    );
    const out = await run(runExecution(args(), ctx));
    expect(out.text.split('\n')[0]).toBe(
      'Execution e1 succeeded: 2 rows, 2 columns; showing rows 1–1 (cut at 60 kB). Next page: get_execution_data {"id":"e1","offset":1}.',
    );
  });

  test('without result_rows the body is read to the end and its row count is the total', async () => {
    const { ctx, reads } = fakeContext(
      { runExecution: execution('e1', { execution_status: 'success' }), getExecutionData: GRANT },
      { data: { page: () => page([[1, 'a']], FIELDS, { totalRows: 5 }) } },
    );
    const out = await run(runExecution(args(), ctx));
    expect(reads[0]!.options).toEqual({ offset: 0, limit: 3, maxChars: 60_000, stopWhenFull: false });
    expect(out.structured).toMatchObject({ total_rows: 5, truncated: true, next: 'get_execution_data {"id":"e1","offset":1}' });
  });

  test('Cluvio granting no data (results expired) is said in words', async () => {
    const { ctx, reads } = fakeContext({ runExecution: execution('e1', { execution_status: 'success', result_rows: 4 }), getExecutionData: undefined });
    const out = await run(runExecution(args(), ctx));
    expect(reads).toEqual([]);
    expect(out).toEqual({
      text: 'Execution e1 succeeded but Cluvio has no result data for it (results are kept 24 h).',
      structured: { execution_id: 'e1', status: 'success', rows: [], total_rows: 0 },
    });
  });

  test.each([
    ['query_error', { query_error: 'column "x" does not exist' }, 'Execution e1 ended with status query_error: column "x" does not exist. Fix the SQL and run it again.'],
    ['cancelled', {}, 'Execution e1 ended with status cancelled. It was cancelled; run it again if the result is still needed.'],
    ['timed_out', {}, 'Execution e1 ended with status timed_out. The database took too long; narrow the query (filters, LIMIT, aggregation) and run it again.'],
    ['internal_timeout', {}, 'Execution e1 ended with status internal_timeout. Cluvio timed out internally; try again, or narrow the query.'],
    ['internal_error', { error_message: 'worker lost' }, 'Execution e1 ended with status internal_error: worker lost. Cluvio failed internally; try again later.'],
    ['exploded', {}, 'Execution e1 ended with status exploded.'],
  ])('status %s: an error result with the reason and what to do', async (status, extra, text) => {
    const { ctx, ops } = fakeContext({ runExecution: execution('e1', { execution_status: status, ...extra }) });
    const out = await run(runExecution(args(), ctx));
    const error = (extra as { query_error?: string; error_message?: string }).query_error ?? (extra as { error_message?: string }).error_message;
    expect(out).toEqual({ text, structured: { execution_id: 'e1', status, ...(error ? { error } : {}) }, isError: true });
    expect(ops()).toEqual(['runExecution']);
  });

  test('query_error wins over error_message; a message that is not a string is left out', async () => {
    const both = fakeContext({ runExecution: execution('e1', { execution_status: 'query_error', query_error: 'bad SQL', error_message: 'other' }) });
    expect((await run(runExecution(args(), both.ctx))).structured).toEqual({ execution_id: 'e1', status: 'query_error', error: 'bad SQL' });
    const odd = fakeContext({ runExecution: execution('e1', { execution_status: 'query_error', query_error: 42, error_message: { x: 1 } }) });
    expect((await run(runExecution(args(), odd.ctx))).structured).toEqual({ execution_id: 'e1', status: 'query_error' });
  });

  test('out of budget: the state, and the call that keeps waiting', async () => {
    const { ctx, ops } = fakeContext({ runExecution: execution('e1', { execution_status: 'running' }), getExecution: execution('e1', { execution_status: 'running' }) });
    const out = await run(runExecution(args({ max_wait_seconds: 2 }), ctx));
    const next = 'get_execution_data {"id":"e1","offset":0}';
    expect(out).toEqual({
      text: `Execution e1 is still running after 2 s. To keep waiting and get the rows, call ${next}.`,
      structured: { execution_id: 'e1', status: 'running', next },
    });
    expect(ops()).not.toContain('getExecutionData');
  });

  test('a start answer without an execution id fails the call', async () => {
    const { ctx } = fakeContext({ runExecution: { data: { type: 'executions', attributes: {} } } });
    expect((await settle(runExecution(args(), ctx))).error).toEqual(new Error('Cluvio returned no execution id'));
    const numeric = fakeContext({ runExecution: { data: { id: 7, type: 'executions' } } });
    expect((await settle(runExecution(args(), numeric.ctx))).error).toEqual(new Error('Cluvio returned no execution id'));
  });

  test('the query slot is freed when the call fails', async () => {
    const queries = new Limiter(1);
    const { ctx } = fakeContext({ runExecution: () => Promise.reject(new Error('HTTP 500')) }, { queries });
    expect((await settle(runExecution(args(), ctx))).error).toEqual(new Error('HTTP 500'));
    expect(queries.inFlight).toBe(0);
  });

  test('a call cancelled while waiting for a query slot sends nothing', async () => {
    const queries = new Limiter(1);
    const held = await queries.acquire();
    const { ctx, controller, sent } = fakeContext({}, { queries });
    const work = settle(runExecution(args(), ctx));
    const reason = new Error('cancelled');
    controller.abort(reason);
    expect((await work).error).toBe(reason);
    held();
    expect(sent).toEqual([]);
    expect(queries.inFlight).toBe(0);
  });
});

describe('cancellation', () => {
  test('cancelled while waiting: the execution is cancelled in Cluvio too, and the call rejects with the reason', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent, logs } = fakeContext({
      runExecution: execution('e1', { execution_status: 'running' }),
      getExecution: () => {
        controller.abort(reason);
        return execution('e1', { execution_status: 'running' });
      },
      cancelExecution: {},
    });
    expect((await settle(runExecution(args(), ctx))).error).toBe(reason);
    expect(sent.map((s) => s.op)).toEqual(['runExecution', 'getExecution', 'cancelExecution']);
    const cancel = sent[2]!;
    expect(cancel.args).toEqual({ id: 'e1' });
    // Its own signal: the call's is aborted already.
    expect(cancel.signal).toBeInstanceOf(AbortSignal);
    expect(cancel.signal!.aborted).toBe(false);
    expect(logs).toEqual([{ level: 'info', fields: { execution: 'e1' }, message: 'cancelled upstream after the client cancelled' }]);
  });

  test('a failed cancel is logged; the call still rejects with the reason', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, logs } = fakeContext({
      runExecution: execution('e1', { execution_status: 'running' }),
      getExecution: () => {
        controller.abort(reason);
        return execution('e1', { execution_status: 'running' });
      },
      cancelExecution: () => {
        throw new Error('HTTP 404');
      },
    });
    expect((await settle(runExecution(args(), ctx))).error).toBe(reason);
    expect(logs).toEqual([{ level: 'warn', fields: { execution: 'e1', error: 'HTTP 404' }, message: 'could not cancel execution upstream' }]);
  });

  test('a poll that fails without a cancel does not cancel anything', async () => {
    const { ctx, ops } = fakeContext({
      runExecution: execution('e1', { execution_status: 'running' }),
      getExecution: () => {
        throw new Error('HTTP 500');
      },
    });
    expect((await settle(runExecution(args(), ctx))).error).toEqual(new Error('HTTP 500'));
    expect(ops()).toEqual(['runExecution', 'getExecution']);
  });

  test('cancelled while the start request was under way: what it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      runExecution: () => {
        controller.abort(reason);
        return execution('e9', { execution_status: 'running' });
      },
      cancelExecution: {},
    });
    expect((await settle(runExecution(args(), ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['runExecution', args()],
      ['cancelExecution', { id: 'e9' }],
    ]);
  });

  test('cancelled while the start request was under way, and it started nothing: nothing to cancel', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, ops } = fakeContext({
      runExecution: () => {
        controller.abort(reason);
        return { errors: [] };
      },
    });
    expect((await settle(runExecution(args(), ctx))).error).toBe(reason);
    expect(ops()).toEqual(['runExecution']);
  });
});

describe('cancelStartedExecution', () => {
  test('cancelStartedExecution cancels the execution an answer names (string or number id), and nothing otherwise', async () => {
    for (const [answer, cancelled] of [
      [{ execution_id: 'e1' }, [{ id: 'e1' }]],
      [{ execution_id: 12 }, [{ id: '12' }]],
      [{ execution_id: null }, []],
      [{}, []],
      [undefined, []],
    ] as const) {
      const { ctx, sent } = fakeContext({ cancelExecution: {} });
      await run(cancelStartedExecution(ctx)(answer));
      expect(
        sent.map((s) => s.args),
        JSON.stringify(answer),
      ).toEqual(cancelled);
    }
  });
});

describe('getExecutionData', () => {
  test('reads a later page of a finished execution', async () => {
    const { ctx, sent, reads } = fakeContext(
      { getExecution: execution('e1', { execution_status: 'success', result_rows: 8 }), getExecutionData: GRANT },
      { data: { page: () => page([[6, 'f'], [7, 'g']], FIELDS, { totalRows: undefined }) } },
    );
    const out = await run(getExecutionData({ id: 'e1', offset: 5, max_rows: 2, max_wait_seconds: 10 }, ctx));
    expect(sent[0]).toMatchObject({ op: 'getExecution', args: { id: 'e1' }, signal: ctx.signal });
    expect(reads[0]!.options).toEqual({ offset: 5, limit: 2, maxChars: 60_000, stopWhenFull: true });
    expect(out.text.split('\n')[0]).toBe('Execution e1 succeeded: 8 rows, 2 columns; showing rows 6–7. Next page: get_execution_data {"id":"e1","offset":7}.');
    expect(out.structured).toMatchObject({ offset: 5, total_rows: 8, truncated: true });
  });

  test('without any count, the total is the rows up to the end of this page', async () => {
    const { ctx } = fakeContext(
      { getExecution: execution('e1', { execution_status: 'success' }), getExecutionData: GRANT },
      { data: { page: () => page([[6, 'f'], [7, 'g']], FIELDS, { totalRows: undefined }) } },
    );
    const out = await run(getExecutionData({ id: 'e1', offset: 5, max_rows: 2, max_wait_seconds: 10 }, ctx));
    expect(out.structured).toMatchObject({ total_rows: 7, offset: 5, truncated: false });
  });

  test('a data read that is retried is logged with the execution it is for', async () => {
    let reads = 0;
    const { ctx, logs } = fakeContext(
      { getExecution: execution('e1', { execution_status: 'success' }), getExecutionData: GRANT },
      {
        data: {
          page: () => {
            if (reads++ === 0) throw new CluvioApiError(503, ['busy'], 'getResultData');
            return page([[1, 'a']], FIELDS);
          },
        },
      },
    );
    await run(getExecutionData({ id: 'e1', max_rows: 2, max_wait_seconds: 10 }, ctx));
    expect(logs).toEqual([{ level: 'debug', fields: { what: 'execution e1', error: 'getResultData: HTTP 503 — busy', attempt: 1 }, message: 'data server read failed; retrying' }]);
  });

  test('past the last row: no rows at that offset', async () => {
    const { ctx } = fakeContext(
      { getExecution: execution('e1', { execution_status: 'success' }), getExecutionData: GRANT },
      { data: { page: () => page([], FIELDS, { totalRows: undefined }) } },
    );
    const out = await run(getExecutionData({ id: 'e1', offset: 5, max_rows: 2, max_wait_seconds: 10 }, ctx));
    // Without a count, the total is what the offset implies.
    expect(out).toEqual({
      text: 'Execution e1 succeeded: 5 rows, 2 columns; no rows at offset 5.',
      structured: { execution_id: 'e1', status: 'success', columns: fieldsToColumns(FIELDS), rows: [], total_rows: 5, offset: 5, truncated: false },
    });
  });

  test('still running: waits, and out of budget names the same offset to come back to', async () => {
    const { ctx } = fakeContext({ getExecution: execution('e1', { execution_status: 'running' }) });
    const out = await run(getExecutionData({ id: 'e1', offset: 40, max_rows: 2, max_wait_seconds: 1 }, ctx));
    expect(out.structured).toEqual({ execution_id: 'e1', status: 'running', next: 'get_execution_data {"id":"e1","offset":40}' });
  });
});

describe('fieldsToColumns', () => {
  test('name and data type of each field; placeholders for what is missing', () => {
    expect(fieldsToColumns([{ name: 'a', data_type: 'Integer' }, { data_type: 'String' }, { name: 'c' }, null])).toEqual([
      { name: 'a', type: 'Integer' },
      { name: 'column_2', type: 'String' },
      { name: 'c', type: 'Other' },
      { name: 'column_4', type: 'Other' },
    ]);
  });

  test('no fields array: no columns', () => {
    expect(fieldsToColumns(undefined)).toEqual([]);
    expect(fieldsToColumns({ name: 'a' })).toEqual([]);
  });
});

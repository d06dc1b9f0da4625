import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { refreshDatasource } from '../../src/workflows/refresh-datasource.js';
import { execution, fakeContext, inTurn, run, settle } from './context.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refreshDatasource', () => {
  test('starts the metadata refresh and waits for its execution', async () => {
    const { ctx, sent, ops, progress } = fakeContext({
      refreshDatasource: { execution_id: 'e1' },
      getExecution: inTurn(execution('e1', { execution_status: 'running' }), execution('e1', { execution_status: 'success' })),
    });
    const out = await run(refreshDatasource({ id: 'ds1', max_wait_seconds: 10 }, ctx));
    expect(ops()).toEqual(['refreshDatasource', 'getExecution', 'getExecution']);
    expect(sent[0]).toMatchObject({ args: { id: 'ds1', max_wait_seconds: 10 }, queueSignal: ctx.signal });
    expect(progress.map(([, , message]) => message)).toEqual(['Metadata refresh running (0.0 s)']);
    expect(out).toEqual({
      text: 'Metadata of datasource ds1 refreshed; get_datasource_schema shows the current tables.',
      structured: { datasource_id: 'ds1', execution_id: 'e1', status: 'success' },
    });
  });

  test('no execution id in the answer: started, nothing to follow', async () => {
    for (const answer of [{}, undefined, { execution_id: 5 }]) {
      const { ctx, ops } = fakeContext({ refreshDatasource: answer });
      const out = await run(refreshDatasource({ id: 'ds1', max_wait_seconds: 10 }, ctx));
      expect(ops()).toEqual(['refreshDatasource']);
      expect(out).toEqual({ text: 'Refresh of datasource ds1 started.', structured: { datasource_id: 'ds1', status: 'started' } });
    }
  });

  test('a refresh that fails says to test the connection', async () => {
    const { ctx } = fakeContext({ refreshDatasource: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'query_error' }) });
    const out = await run(refreshDatasource({ id: 'ds1', max_wait_seconds: 10 }, ctx));
    expect(out).toEqual({
      text: 'Metadata refresh of datasource ds1 ended with status query_error. Check the connection with test_datasource_connection.',
      structured: { datasource_id: 'ds1', execution_id: 'e1', status: 'query_error' },
      isError: true,
    });
  });

  test('out of budget: how to check it later', async () => {
    const { ctx } = fakeContext({ refreshDatasource: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'running' }) });
    const out = await run(refreshDatasource({ id: 'ds1', max_wait_seconds: 1 }, ctx));
    expect(out).toEqual({
      text: 'Metadata refresh of datasource ds1 is still running; check it with get_execution {"id":"e1"}.',
      structured: { datasource_id: 'ds1', execution_id: 'e1', status: 'running' },
    });
  });

  test('cancelled while waiting: the refresh is cancelled too', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshDatasource: { execution_id: 'e1' },
      getExecution: () => {
        controller.abort(reason);
        throw reason;
      },
      cancelExecution: {},
    });
    expect((await settle(refreshDatasource({ id: 'ds1', max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.at(-1)).toMatchObject({ op: 'cancelExecution', args: { id: 'e1' } });
  });

  test('cancelled during the start request: what it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshDatasource: () => {
        controller.abort(reason);
        return { execution_id: 'e2' };
      },
      cancelExecution: {},
    });
    expect((await settle(refreshDatasource({ id: 'ds1', max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.map((s) => s.op)).toEqual(['refreshDatasource', 'cancelExecution']);
  });
});

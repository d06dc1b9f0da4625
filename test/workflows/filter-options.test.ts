import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { getDropDownFilterOptions, presentOptions, refreshDropDownFilterOptions } from '../../src/workflows/filter-options.js';
import { execution, fakeContext, inTurn, run, settle } from './context.js';

const OPTIONS = { options: { values: ['DE', 'FR', 3], value_names: ['Germany', 'FR', null] } };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('presentOptions', () => {
  test('each option as its JSON value, with its name when the name says more', () => {
    expect(presentOptions('f1', OPTIONS)).toEqual({
      text: 'Filter f1: 3 options.\n"DE" (Germany)\n"FR"\n3',
      structured: {
        filter_id: 'f1',
        options: [
          { value: 'DE', name: 'Germany' },
          { value: 'FR', name: 'FR' },
          { value: 3, name: null },
        ],
        total: 3,
        truncated: false,
      },
    });
  });

  test('values without names', () => {
    expect(presentOptions('f1', { options: { values: [true] } })).toEqual({
      text: 'Filter f1: 1 options.\ntrue',
      structured: { filter_id: 'f1', options: [{ value: true, name: undefined }], total: 1, truncated: false },
    });
  });

  test('at most 200 are listed, and the count says so', () => {
    const values = Array.from({ length: 201 }, (_, i) => i);
    const out = presentOptions('f1', { options: { values } });
    expect(out.structured).toMatchObject({ total: 201, truncated: true });
    expect((out.structured.options as unknown[]).length).toBe(200);
    const lines = out.text.split('\n');
    expect(lines[0]).toBe('Filter f1: 201 options, showing 200.');
    expect(lines.slice(1)).toEqual(values.slice(0, 200).map(String));
    expect(presentOptions('f1', { options: { values: values.slice(0, 200) } }).structured).toMatchObject({ total: 200, truncated: false });
  });

  test('no options (or no answer): says how to run the query', () => {
    for (const body of [undefined, {}, { options: {} }, { options: { values: 'DE', value_names: 'x' } }]) {
      expect(presentOptions('f1', body), JSON.stringify(body)).toEqual({
        text: 'Filter f1 has no options available; refresh_drop_down_filter_options runs its query.',
        structured: { filter_id: 'f1', options: [], total: 0, truncated: false },
      });
    }
  });
});

describe('getDropDownFilterOptions', () => {
  test('sends the arguments as they are and presents the answer', async () => {
    const { ctx, sent } = fakeContext({ getDropDownFilterOptions: OPTIONS });
    const args = { id: 'f1', dashboard_id: 'd1', parameters: { tz: 'UTC' } };
    const out = await run(getDropDownFilterOptions(args, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([['getDropDownFilterOptions', args]]);
    expect(out).toEqual(presentOptions('f1', OPTIONS));
  });
});

describe('refreshDropDownFilterOptions', () => {
  test('runs the filter query, waits for it, then reads the options (without the wait setting)', async () => {
    const { ctx, sent, progress } = fakeContext({
      refreshDropDownFilterOptions: { execution_id: 'e1' },
      getExecution: inTurn(execution('e1', { execution_status: 'running' }), execution('e1', { execution_status: 'success' })),
      getDropDownFilterOptions: OPTIONS,
    });
    const out = await run(refreshDropDownFilterOptions({ id: 'f1', dashboard_id: 'd1', max_wait_seconds: 10 }, ctx));
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['refreshDropDownFilterOptions', { id: 'f1', dashboard_id: 'd1', max_wait_seconds: 10 }],
      ['getExecution', { id: 'e1' }],
      ['getExecution', { id: 'e1' }],
      ['getDropDownFilterOptions', { id: 'f1', dashboard_id: 'd1' }],
    ]);
    expect(sent[0]!.queueSignal).toBe(ctx.signal);
    expect(progress).toEqual([[0, undefined, 'Filter query running (0.0 s)']]);
    expect(out).toEqual(presentOptions('f1', OPTIONS));
  });

  test('a numeric execution id is followed; no id: the options are read at once', async () => {
    const numeric = fakeContext({ refreshDropDownFilterOptions: { execution_id: 9 }, getExecution: execution('9', { execution_status: 'success' }), getDropDownFilterOptions: OPTIONS });
    await run(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 10 }, numeric.ctx));
    expect(numeric.sent.map((s) => [s.op, s.args.id])).toEqual([
      ['refreshDropDownFilterOptions', 'f1'],
      ['getExecution', '9'],
      ['getDropDownFilterOptions', 'f1'],
    ]);
    const none = fakeContext({ refreshDropDownFilterOptions: {}, getDropDownFilterOptions: OPTIONS });
    await run(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 10 }, none.ctx));
    expect(none.ops()).toEqual(['refreshDropDownFilterOptions', 'getDropDownFilterOptions']);
  });

  test('a failed query: an error result with its message', async () => {
    const { ctx, ops } = fakeContext({ refreshDropDownFilterOptions: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'query_error', query_error: 'no such table' }) });
    const out = await run(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 10 }, ctx));
    expect(ops()).not.toContain('getDropDownFilterOptions');
    expect(out).toEqual({ text: 'Filter f1 query ended query_error: no such table.', structured: { filter_id: 'f1', execution_id: 'e1', status: 'query_error' }, isError: true });
    const bare = fakeContext({ refreshDropDownFilterOptions: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'cancelled' }) });
    expect((await run(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 10 }, bare.ctx))).text).toBe('Filter f1 query ended cancelled.');
  });

  test('out of budget: come back later', async () => {
    const { ctx } = fakeContext({ refreshDropDownFilterOptions: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'running' }) });
    const out = await run(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 1 }, ctx));
    expect(out).toEqual({ text: 'Filter f1 query is still running; call get_drop_down_filter_options later.', structured: { filter_id: 'f1', execution_id: 'e1', status: 'running' } });
  });

  test('cancelled during the refresh request: the query it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      refreshDropDownFilterOptions: () => {
        controller.abort(reason);
        return { execution_id: 'e4' };
      },
      cancelExecution: {},
    });
    expect((await settle(refreshDropDownFilterOptions({ id: 'f1', max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['refreshDropDownFilterOptions', { id: 'f1', max_wait_seconds: 10 }],
      ['cancelExecution', { id: 'e4' }],
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runSqlAlertQuery } from '../../src/workflows/alerts.js';
import { execution, fakeContext, inTurn, run, settle } from './context.js';

/** Get SQL Alert (JSON:API) with these attributes. */
const alert = (attributes: Record<string, unknown>) => ({ data: { id: 'a1', type: 'sql_alerts', attributes: { name: 'Low stock', ...attributes } } });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runSqlAlertQuery', () => {
  test('runs the query, waits for its execution, then reads whether the alert triggered', async () => {
    const { ctx, sent, ops, progress } = fakeContext({
      runSqlAlertQuery: { execution_id: 'e1' },
      getExecution: inTurn(execution('e1', { execution_status: 'running' }), execution('e1', { execution_status: 'success' })),
      getSqlAlert: alert({ last_result_status: 'alert_triggered', trigger_condition: 'greater_than', trigger_value: 10, last_query_run: '2024-06-01T12:00:00Z' }),
    });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx));
    expect(ops()).toEqual(['runSqlAlertQuery', 'getExecution', 'getExecution', 'getSqlAlert']);
    expect(sent[0]).toMatchObject({ args: { id: 'a1' }, queueSignal: ctx.signal });
    expect(sent[3]!.args).toEqual({ id: 'a1' });
    expect(progress).toEqual([[0, undefined, 'Alert query running (0.0 s)']]);
    expect(out).toEqual({
      text: 'Alert "Low stock" TRIGGERED (condition greater_than 10); recipients are e-mailed per its settings.',
      structured: { alert_id: 'a1', execution_id: 'e1', triggered: true, last_result_status: 'alert_triggered', last_query_run: '2024-06-01T12:00:00Z' },
    });
  });

  test('triggered without a trigger value or a name', async () => {
    const { ctx } = fakeContext({
      runSqlAlertQuery: {},
      getSqlAlert: { data: { id: 'a1', type: 'sql_alerts', attributes: { last_result_status: 'alert_triggered', trigger_condition: 'has_results' } } },
    });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx));
    expect(out.text).toBe('Alert "a1" TRIGGERED (condition has_results); recipients are e-mailed per its settings.');
  });

  test('triggered without a trigger condition: the text names what is known and no empty "(condition )"', async () => {
    const triggered = (attributes: Record<string, unknown>) =>
      fakeContext({ runSqlAlertQuery: {}, getSqlAlert: alert({ last_result_status: 'alert_triggered', ...attributes }) }).ctx;
    const textFor = async (attributes: Record<string, unknown>) => (await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, triggered(attributes)))).text;
    expect(await textFor({})).toBe('Alert "Low stock" TRIGGERED; recipients are e-mailed per its settings.');
    expect(await textFor({ trigger_condition: null, trigger_value: null })).toBe('Alert "Low stock" TRIGGERED; recipients are e-mailed per its settings.');
    expect(await textFor({ trigger_condition: '', trigger_value: 0 })).toBe('Alert "Low stock" TRIGGERED (trigger value 0); recipients are e-mailed per its settings.');
    expect(await textFor({ trigger_condition: 'less_than', trigger_value: 0 })).toBe('Alert "Low stock" TRIGGERED (condition less_than 0); recipients are e-mailed per its settings.');
  });

  test('not triggered', async () => {
    const { ctx, ops } = fakeContext({ runSqlAlertQuery: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'success' }), getSqlAlert: alert({ last_result_status: 'ok' }) });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx));
    expect(ops()).toEqual(['runSqlAlertQuery', 'getExecution', 'getSqlAlert']);
    expect(out).toEqual({
      text: 'Alert "Low stock" did not trigger (result ok).',
      structured: { alert_id: 'a1', execution_id: 'e1', triggered: false, last_result_status: 'ok', last_query_run: undefined },
    });
  });

  test.each(['alert_error', 'query_error', 'internal_error', 'internal_timeout', 'cancelled'])('result %s: an error result with the message', async (result) => {
    const { ctx } = fakeContext({
      runSqlAlertQuery: {},
      getSqlAlert: alert({ last_result_status: result, last_query_error_message: '', last_error_message: 'relation "stock" does not exist' }),
    });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx));
    expect(out).toEqual({
      text: `Alert "Low stock" could not be evaluated: ${result} — relation "stock" does not exist.`,
      structured: { alert_id: 'a1', execution_id: undefined, triggered: false, last_result_status: result, error: 'relation "stock" does not exist', last_query_run: undefined },
      isError: true,
    });
  });

  test('the query error comes first; no message, no dash', async () => {
    const both = fakeContext({ runSqlAlertQuery: {}, getSqlAlert: alert({ last_result_status: 'query_error', last_query_error_message: 'syntax error', last_error_message: 'other' }) });
    expect((await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, both.ctx))).structured.error).toBe('syntax error');
    const none = fakeContext({ runSqlAlertQuery: {}, getSqlAlert: alert({ last_result_status: 'internal_error' }) });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, none.ctx));
    expect(out.text).toBe('Alert "Low stock" could not be evaluated: internal_error.');
    expect(out.structured).not.toHaveProperty('error');
  });

  test('no result status yet: unknown, not an error', async () => {
    const { ctx } = fakeContext({ runSqlAlertQuery: { execution_id: 7 }, getSqlAlert: alert({}) });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx));
    // A numeric execution id is not followed: the alert is read at once.
    expect(out).toEqual({
      text: 'Alert "Low stock" did not trigger (result unknown).',
      structured: { alert_id: 'a1', execution_id: undefined, triggered: false, last_result_status: 'unknown', last_query_run: undefined },
    });
  });

  test('out of budget: where to see the result later', async () => {
    const { ctx, ops } = fakeContext({ runSqlAlertQuery: { execution_id: 'e1' }, getExecution: execution('e1', { execution_status: 'running' }) });
    const out = await run(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 1 }, ctx));
    expect(ops()).not.toContain('getSqlAlert');
    expect(out).toEqual({
      text: 'Alert a1 query is still running; see its last_result_status later with get_sql_alert {"id":"a1"}.',
      structured: { alert_id: 'a1', execution_id: 'e1', status: 'running', next: 'get_sql_alert {"id":"a1"}' },
    });
  });

  test('cancelled during the run request: the execution it started is cancelled', async () => {
    const reason = new Error('client cancelled');
    const { ctx, controller, sent } = fakeContext({
      runSqlAlertQuery: () => {
        controller.abort(reason);
        return { execution_id: 'e3' };
      },
      cancelExecution: {},
    });
    expect((await settle(runSqlAlertQuery({ id: 'a1', max_wait_seconds: 10 }, ctx))).error).toBe(reason);
    expect(sent.map((s) => [s.op, s.args])).toEqual([
      ['runSqlAlertQuery', { id: 'a1' }],
      ['cancelExecution', { id: 'e3' }],
    ]);
  });
});

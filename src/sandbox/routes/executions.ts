/** Execution routes: Run Execution, Get / Cancel Execution, Get Execution Data (the lifecycle is ../work/runner.ts). */
import { notFound, type Route } from '../http.js';
import { PARAMETERS, queryParameters } from '../parameters.js';
import { dataTimestamp, type ExecutionRecord, type SandboxState } from '../state.js';
import type { ExecutionRunner } from '../work/runner.js';
import { getDatasource } from '../datasources.js';
import { plainBody, str, type Member } from '../validate.js';

function executionResource(ex: ExecutionRecord): unknown {
  const attributes: Record<string, unknown> = {
    execution_id: ex.id,
    execution_type: ex.type,
    execution_status: ex.status,
    result_columns: ex.columns?.length ?? 0,
    result_rows: ex.rowCount ?? 0,
    result_size: ex.sizeBytes ?? 0,
    created_at: ex.createdAt,
    updated_at: ex.updatedAt,
    started_at: ex.startedAt,
    completed_at: ex.completedAt,
  };
  // Sandbox addition (mirrors the Report resource's query_error): the database's message.
  if (ex.queryError !== null) attributes['query_error'] = ex.queryError;
  return { id: ex.id, type: 'executions', attributes };
}

/** Run Execution's body. */
const RUN: Record<string, Member> = {
  sql_query: { field: str({ nonEmpty: true }), required: true },
  r_query: { field: str(), nullable: true },
  parameters: PARAMETERS,
};

function getExecution(state: SandboxState, id: string): ExecutionRecord {
  const ex = state.executions.get(id);
  if (ex === undefined) throw notFound('execution', id);
  return ex;
}

export function executionRoutes(state: SandboxState, runner: ExecutionRunner): Route[] {
  return [
    {
      method: 'POST',
      path: '/datasources/:datasource_id/executions',
      handler: ({ params, body }) => {
        getDatasource(state, params['datasource_id'] ?? '');
        const b = plainBody(body, RUN);
        const ex = runner.create(params['datasource_id'] ?? '', b['sql_query'] as string, (b['r_query'] as string | null | undefined) ?? null, queryParameters(b['parameters']));
        return { status: 200, type: 'jsonapi', body: { data: executionResource(ex) } };
      },
    },
    {
      method: 'GET',
      path: '/executions/:id',
      handler: ({ params }) => ({
        status: 200,
        type: 'jsonapi',
        body: { data: executionResource(getExecution(state, params['id'] ?? '')) },
      }),
    },
    {
      method: 'POST',
      path: '/executions/:id/cancel',
      handler: ({ params }) => {
        runner.cancel(getExecution(state, params['id'] ?? ''));
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/executions/:id/data',
      handler: ({ params }) => {
        const ex = getExecution(state, params['id'] ?? '');
        if (ex.status !== 'success' || ex.store === null || ex.kind !== 'query') return { status: 204 };
        const grant = state.grant({ kind: 'result', executionId: ex.id }, `results/${ex.id}`);
        return {
          status: 200,
          type: 'json',
          body: { ...grant, data_timestamp: dataTimestamp(ex) },
        };
      },
    },
  ];
}

/** Execution routes: Run Execution, Get / Cancel Execution, Get Execution Data (the lifecycle is ../work/runner.ts). */
import { ApiError, notFound, unprocessable, type Route } from '../http.js';
import type { QueryParameters } from '../parameters.js';
import type { ExecutionRecord, SandboxState } from '../state.js';
import type { ExecutionRunner } from '../work/runner.js';
import { getDatasource } from './datasources.js';

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

const PARAM_KEYS = ['timerange', 'aggregation', 'tz', 'filters'];

function validateRunBody(body: unknown): { sql: string; r: string | null; parameters: QueryParameters | undefined } {
  if (body === undefined) throw new ApiError(400, 'request body is required');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unprocessable('request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['sql_query', 'r_query', 'parameters'].includes(k)) {
      throw unprocessable(`unknown attribute "${k}" (accepted: sql_query, r_query, parameters)`);
    }
  }
  if (typeof b['sql_query'] !== 'string' || b['sql_query'].trim() === '') throw unprocessable('attribute "sql_query" is required');
  if (b['r_query'] !== undefined && b['r_query'] !== null && typeof b['r_query'] !== 'string') {
    throw unprocessable('attribute "r_query" must be a string');
  }
  return { sql: b['sql_query'], r: typeof b['r_query'] === 'string' ? b['r_query'] : null, parameters: validateParameters(b['parameters']) };
}

/**
 * Validate an InputParameters object (`parameters` of executions, reports, dashboards, filters):
 * unknown keys, wrong types and bad aggregations are 422 errors. Null members are dropped.
 */
export function validateParameters(p: unknown): QueryParameters | undefined {
  if (p !== undefined && p !== null) {
    if (typeof p !== 'object' || Array.isArray(p)) throw unprocessable('attribute "parameters" must be an object');
    const po = p as Record<string, unknown>;
    for (const k of Object.keys(po)) {
      if (!PARAM_KEYS.includes(k)) throw unprocessable(`unknown attribute "parameters.${k}" (accepted: ${PARAM_KEYS.join(', ')})`);
    }
    for (const k of ['timerange', 'aggregation', 'tz']) {
      if (po[k] !== undefined && po[k] !== null && typeof po[k] !== 'string') throw unprocessable(`attribute "parameters.${k}" must be a string`);
    }
    const aggs = ['second', 'minute', 'hour', 'day', 'week', 'week_sunday', 'month', 'quarter', 'year', 'all_time'];
    if (typeof po['aggregation'] === 'string' && !aggs.includes(po['aggregation'])) {
      throw unprocessable(`attribute "parameters.aggregation" has invalid value "${po['aggregation']}" (accepted: ${aggs.join(', ')})`);
    }
    if (po['filters'] !== undefined && po['filters'] !== null) {
      if (!Array.isArray(po['filters'])) throw unprocessable('attribute "parameters.filters" must be an array');
      for (const f of po['filters'] as unknown[]) {
        const fo = f as Record<string, unknown> | null;
        if (fo === null || typeof fo !== 'object' || typeof fo['variable_name'] !== 'string') {
          throw unprocessable('each of "parameters.filters" needs a "variable_name" string');
        }
        const sv = fo['selected_values'];
        if (sv !== undefined && sv !== null) {
          if (!Array.isArray(sv)) throw unprocessable('"parameters.filters[].selected_values" must be an array');
          for (const v of sv as unknown[]) {
            if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) {
              throw unprocessable('"parameters.filters[].selected_values" items must be numbers, strings, booleans or null');
            }
          }
        }
      }
    }
  }
  return p === undefined || p === null
    ? undefined
    : (Object.fromEntries(Object.entries(p as Record<string, unknown>).filter(([, v]) => v !== null)) as QueryParameters);
}

export function getExecution(state: SandboxState, id: string): ExecutionRecord {
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
        const { sql, r, parameters } = validateRunBody(body);
        const ex = runner.create(params['datasource_id'] ?? '', sql, r, parameters);
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
          body: { ...grant, data_timestamp: Math.floor(Date.parse(ex.completedAt ?? ex.updatedAt) / 1000) },
        };
      },
    },
  ];
}

import { z } from 'zod';
import { executionResultSchema, getExecutionData, runExecution } from '../workflows/executions.js';
import { refuseUnlessRead } from './read-only-sql.js';
import { id, inputParameters, offset, rowArgs, waitArgs } from './shared.js';
import { defineOperation } from './types.js';

export const executionOperations = [
  defineOperation({
    id: 'runExecution',
    title: 'Run Execution',
    toolset: 'executions',
    route: 'POST /datasources/{datasource_id}/executions',
    candidates: ['POST /datasources/{datasource_id}/execute', 'POST /datasources/{datasource_id}/execution', 'POST /datasources/{datasource_id}/query', 'POST /datasources/{datasource_id}/run'],
    description:
      'Run SQL on a datasource and return the result rows. Supports Cluvio parameters such as {created_at=timerange} with values in `parameters`.',
    input: z.object({
      datasource_id: id,
      sql_query: z.string().min(1),
      r_query: z.string().optional().describe('R to post-process the SQL result'),
      parameters: inputParameters.optional(),
      ...rowArgs,
      ...waitArgs,
    }),
    access: 'run',
    destructive: true,
    request: { body: 'json' },
    output: executionResultSchema,
    readOnlyGuard: (args) => refuseUnlessRead(String(args.sql_query ?? '')),
    handler: runExecution,
    view: true,
  }),
  defineOperation({
    id: 'getExecution',
    title: 'Get Execution',
    toolset: 'executions',
    route: 'GET /executions/{id}',
    candidates: ['GET /executions/{id}/status'],
    description: "An execution's status and result size.",
    input: z.object({ id }),
    access: 'read',
  }),
  defineOperation({
    id: 'cancelExecution',
    title: 'Cancel Execution',
    toolset: 'executions',
    route: 'POST /executions/{id}/cancel',
    description: 'Cancel a running execution.',
    input: z.object({ id }),
    access: 'run',
    idempotent: true,
    present: { kind: 'done', message: (a) => `Cancel requested for execution ${a.id}.` },
  }),
  defineOperation({
    id: 'getExecutionData',
    title: 'Get Execution Data',
    toolset: 'executions',
    route: 'GET /executions/{id}/data',
    candidates: ['GET /executions/{id}/result', 'GET /executions/{id}/results', 'GET /executions/{id}/result_data'],
    description: "An execution's rows, a page at a time; waits while it runs.",
    input: z.object({ id, offset, ...rowArgs, ...waitArgs }),
    access: 'read',
    output: executionResultSchema,
    handler: getExecutionData,
    view: true,
  }),
];

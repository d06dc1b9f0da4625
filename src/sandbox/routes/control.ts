/**
 * Loopback test hooks under `/_sandbox/` (no auth). Later: `/_sandbox/faults` etc. — add entries here.
 */
import type { Route } from '../http.js';
import type { SandboxState } from '../state.js';

export function controlRoutes(state: SandboxState): Route[] {
  return [
    {
      method: 'GET',
      path: '/_sandbox/executions',
      public: true,
      handler: () => ({
        status: 200,
        type: 'json',
        body: [...state.executions.values()].map((e) => ({
          id: e.id,
          datasource_id: e.datasourceId,
          status: e.status,
          execution_type: e.type,
          kind: e.kind,
          sql_query: e.sqlQuery,
          rewritten_sql: e.rewrittenSql,
          query_error: e.queryError,
          created_at: e.createdAt,
          completed_at: e.completedAt,
        })),
      }),
    },
    {
      method: 'GET',
      path: '/_sandbox/health',
      public: true,
      handler: () => ({ status: 200, type: 'json', body: { ok: true } }),
    },
  ];
}

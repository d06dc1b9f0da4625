/**
 * Loopback test hooks under `/_sandbox/` (no auth): executions, health, fault rules
 * (`/_sandbox/faults`, see faults/index.ts), request counts (`/_sandbox/requests`) and routes served
 * elsewhere (`/_sandbox/routes`, see Router.move).
 */
import type { Route, Router } from '../http.js';
import type { SandboxState } from '../state.js';
import type { FaultInjector } from '../faults/index.js';

export function controlRoutes(state: SandboxState, faults: FaultInjector, router: Router): Route[] {
  return [
    {
      method: 'POST',
      path: '/_sandbox/routes',
      public: true,
      handler: ({ body }) => {
        const { from, to } = (body ?? {}) as { from?: unknown; to?: unknown };
        return { status: 201, type: 'json', body: router.move(String(from ?? ''), String(to ?? '')) };
      },
    },
    {
      method: 'GET',
      path: '/_sandbox/routes',
      public: true,
      handler: () => ({ status: 200, type: 'json', body: router.moves() }),
    },
    {
      method: 'DELETE',
      path: '/_sandbox/routes',
      public: true,
      handler: () => {
        router.restore();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/_sandbox/faults',
      public: true,
      handler: ({ body }) => {
        // One rule, or an array of rules added together.
        const rules = Array.isArray(body) ? body.map((b) => faults.add(b)) : faults.add(body);
        return { status: 201, type: 'json', body: rules };
      },
    },
    {
      method: 'GET',
      path: '/_sandbox/faults',
      public: true,
      handler: () => ({ status: 200, type: 'json', body: faults.list() }),
    },
    {
      method: 'DELETE',
      path: '/_sandbox/faults',
      public: true,
      handler: () => {
        faults.clear();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/_sandbox/requests',
      public: true,
      handler: () => ({ status: 200, type: 'json', body: faults.requestCounts() }),
    },
    {
      method: 'DELETE',
      path: '/_sandbox/requests',
      public: true,
      handler: () => {
        faults.resetCounts();
        return { status: 204 };
      },
    },
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

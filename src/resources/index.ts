import { ResourceNotFoundError, ResourceTemplate, type McpServer, type ReadResourceResult, type Variables } from '@modelcontextprotocol/server';
import type { ApiClient } from '../cluvio/api-client.js';
import { CluvioApiError } from '../cluvio/errors.js';
import type { Flat } from '../cluvio/jsonapi.js';
import type { Deps, Toolset } from '../operations/types.js';
import { Cluvio, invalidateDatasourceSchema, invalidateLists, matchIds } from './cluvio.js';
import { onOperationDone, type OperationDone } from './events.js';
import { cap, dashboardText, dashboardsText, datasourceSchemaText, datasourcesText, schemaText, uris } from './format.js';

/** Template listings stop here: a client's resource picker gains nothing from thousands of entries. */
const MAX_LISTED = 500;

/** Writes in these toolsets change what the resources list or show. */
const LIST_TOOLSETS = new Set<Toolset>(['datasources', 'dashboards', 'dashboard_groups', 'reports', 'filters']);
/** Operations after which a datasource's schema data must be fetched again. */
const SCHEMA_CHANGING = new Set(['refreshDatasource', 'updateDatasource', 'deleteDatasource']);

/** Resources a client can attach: datasources and their schemas, dashboards and how they are built. */
export function registerResources(server: McpServer, deps: Deps): void {
  const cluvio = new Cluvio(deps);
  track(server, deps.api);

  const text = (uri: URL | string, body: string, mimeType = 'text/plain'): ReadResourceResult => ({
    contents: [{ uri: String(uri), mimeType, text: body }],
  });
  const idCompleter = (load: () => Promise<Flat[]>) => async (value: string) => {
    try {
      return matchIds(await load(), value);
    } catch {
      return [];
    }
  };
  const completeDatasource = idCompleter(() => cluvio.datasources({ cached: true }));
  const completeDashboard = idCompleter(() => cluvio.dashboards({ cached: true }));
  const listed = async (what: string, build: () => Promise<Array<{ uri: string; name: string; title?: string; description?: string }>>) => {
    try {
      return { resources: (await build()).slice(0, MAX_LISTED) };
    } catch (err) {
      deps.logger.warn({ error: (err as Error).message }, `resources/list: could not list ${what}`);
      return { resources: [] };
    }
  };

  server.registerResource(
    'datasources',
    uris.datasources,
    { title: 'Cluvio datasources', description: 'Datasources with id, name, database type and default schema.', mimeType: 'text/plain' },
    async (uri, ctx) => text(uri, cap(datasourcesText(await cluvio.datasources({ signal: ctx.mcpReq.signal })))),
  );

  server.registerResource(
    'datasource-schema',
    new ResourceTemplate('cluvio://datasources/{id}/schema', {
      list: () =>
        listed('datasource schemas', async () =>
          (await cluvio.datasources({ cached: true })).map((d) => ({
            uri: uris.datasourceSchema(String(d.id)),
            name: `${String(d.name)} schema`,
            description: `Tables and columns of datasource ${String(d.id)} (${String(d.database_type ?? '')})`,
          })),
        ),
      complete: { id: completeDatasource },
    }),
    {
      title: 'Datasource schema',
      description: 'Schemas, tables and columns with types, compact for writing SQL; large schemas list tables with column counts.',
      mimeType: 'text/plain',
    },
    async (uri, vars, ctx) => {
      const id = variable(vars, 'id');
      return guard(uri, async () => {
        const [ds, schemas] = await Promise.all([cluvio.datasource(id, ctx.mcpReq.signal), cluvio.schema(id)]);
        return text(uri, cap(datasourceSchemaText(ds, id, schemas), undefined, `Read ${uris.schema(id, '{schema}')} for one schema.`));
      });
    },
  );

  server.registerResource(
    'datasource-schema-detail',
    new ResourceTemplate('cluvio://datasources/{id}/schemas/{schema}', {
      // The default schema of each datasource; the others are found by completion or in the datasource's schema resource.
      list: () =>
        listed('default schemas', async () =>
          (await cluvio.datasources({ cached: true }))
            .filter((d) => typeof d.default_schema_name === 'string' && d.default_schema_name)
            .map((d) => ({
              uri: uris.schema(String(d.id), String(d.default_schema_name)),
              name: `${String(d.name)}: ${String(d.default_schema_name)}`,
              description: `Every table and column of schema ${String(d.default_schema_name)} in datasource ${String(d.id)}`,
            })),
        ),
      complete: {
        id: completeDatasource,
        schema: async (value, context) => {
          const id = context?.arguments?.id;
          if (!id) return [];
          try {
            const names = (await cluvio.schema(id)).map((s) => s.name);
            return names.filter((n) => n.toLowerCase().startsWith(value.toLowerCase()));
          } catch {
            return [];
          }
        },
      },
    }),
    { title: 'Datasource schema (one schema)', description: 'One schema of a datasource in full: every table with its columns and types.', mimeType: 'text/plain' },
    async (uri, vars) => {
      const id = variable(vars, 'id');
      const name = variable(vars, 'schema');
      const missing = `No datasource ${id} or it has no schema "${name}" (see ${uris.datasources} and ${uris.datasourceSchema(id)}).`;
      return guard(
        uri,
        async () => {
          const found = (await cluvio.schema(id, name)).find((s) => s.name === name);
          if (!found) throw new ResourceNotFoundError(String(uri), missing);
          return text(uri, cap(schemaText(id, found), undefined, 'Use get_datasource_schema or run_execution on information_schema for the remaining tables.'));
        },
        missing,
      );
    },
  );

  server.registerResource(
    'dashboards',
    uris.dashboards,
    { title: 'Cluvio dashboards', description: 'Dashboards with id, name, group and number of reports.', mimeType: 'text/plain' },
    async (uri, ctx) => {
      const signal = ctx.mcpReq.signal;
      const [dashboards, groups] = await Promise.all([cluvio.dashboards({ signal }), cluvio.dashboardGroups(signal).catch(() => [] as Flat[])]);
      return text(uri, cap(dashboardsText(dashboards, groups)));
    },
  );

  server.registerResource(
    'dashboard',
    new ResourceTemplate('cluvio://dashboards/{id}', {
      list: () =>
        listed('dashboards', async () =>
          (await cluvio.dashboards({ cached: true })).map((d) => ({
            uri: uris.dashboard(String(d.id)),
            name: String(d.name),
            description: `Dashboard ${String(d.id)}: reports with SQL, filters, refresh and time zone settings`,
          })),
        ),
      complete: { id: completeDashboard },
    }),
    {
      title: 'Dashboard',
      description: 'One dashboard for a model: reports (name, SQL, visualisation), filters (variables, types, options), refresh rate, time zone.',
      mimeType: 'text/markdown',
    },
    async (uri, vars, ctx) => {
      const id = variable(vars, 'id');
      return guard(uri, async () => text(uri, cap(dashboardText(await cluvio.dashboard(id, ctx.mcpReq.signal)), undefined, 'get_report returns one report in full.'), 'text/markdown'));
    },
  );

  subscribeOnce(deps);
}

/** A template variable, percent-decoded (the SDK's matcher hands it over as written in the URI). */
function variable(vars: Variables, name: string): string {
  const raw = vars[name];
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Cluvio's 404 becomes MCP's resource-not-found; other failures keep their message. */
async function guard<T>(uri: URL, read: () => Promise<T>, notFound?: string): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof CluvioApiError && err.status === 404) throw new ResourceNotFoundError(String(uri), notFound);
    throw err;
  }
}

// ---- list-changed notifications -------------------------------------------------------------

interface Tracked {
  server: WeakRef<McpServer>;
  api: ApiClient;
}
const tracked = new Set<Tracked>();
let pruneAt = 64;

/** Remembers a server so that writes through the same Cluvio client announce resource list changes to it. */
function track(server: McpServer, api: ApiClient): void {
  if (tracked.size >= pruneAt) {
    for (const t of tracked) if (!t.server.deref()) tracked.delete(t);
    pruneAt = Math.max(64, 2 * tracked.size);
  }
  tracked.add({ server: new WeakRef(server), api });
}

type ListChangedPublisher = (event: OperationDone) => void;
const publishers = new Set<ListChangedPublisher>();

/**
 * For transports that serve 2026-07-28 `subscriptions/listen` streams themselves (createMcpHandler): their
 * per-request servers are gone by the time something changes, so publish on the handler, e.g.
 * `onResourcesListChanged(() => handler.notify.resourcesChanged())`. Returns the unsubscribe function.
 */
export function onResourcesListChanged(publish: ListChangedPublisher): () => void {
  publishers.add(publish);
  return () => publishers.delete(publish);
}

let subscribed = false;
function subscribeOnce(deps: Deps): void {
  if (subscribed) return;
  subscribed = true;
  onOperationDone((event) => {
    const { op, args } = event;
    if (SCHEMA_CHANGING.has(op.id) && typeof args.id === 'string') invalidateDatasourceSchema(args.id);
    if (op.access !== 'write' || !LIST_TOOLSETS.has(op.toolset)) return;
    invalidateLists();
    announce(event, deps);
  });
}

/**
 * `notifications/resources/list_changed` to every connected server of the same Cluvio client: stdio
 * (a 2025 connection sends it as is; a 2026 connection routes it to its open subscriptions/listen
 * streams) and 2025 HTTP sessions. Then to the registered publishers (2026 HTTP listen streams).
 */
function announce(event: OperationDone, deps: Deps): void {
  for (const t of tracked) {
    const server = t.server.deref();
    if (!server) {
      tracked.delete(t);
      continue;
    }
    if (t.api !== event.api || !server.isConnected()) continue;
    server.server.sendResourceListChanged().catch((err: unknown) => deps.logger.debug({ error: (err as Error).message }, 'resources/list_changed not sent'));
  }
  for (const publish of publishers) {
    try {
      publish(event);
    } catch (err) {
      deps.logger.debug({ error: (err as Error).message }, 'resources/list_changed publisher failed');
    }
  }
}

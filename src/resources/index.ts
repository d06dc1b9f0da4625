import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, ResourceTemplate, type McpServer, type ReadResourceResult, type Variables } from '@modelcontextprotocol/server';
import { CluvioApiError } from '../cluvio/errors.js';
import type { Flat } from '../cluvio/jsonapi.js';
import type { Deps } from '../context.js';
import type { Surface } from '../server.js';
import { schemaText } from '../results/schema-text.js';
import { queryWords, search } from '../search/index.js';
import { answer } from '../workflows/search.js';
import { cap, dashboardText, dashboardsText, datasourceSchemaText, datasourcesText, uris } from './format.js';
import { AccountReader, matchIds } from './reader.js';

/** Template listings stop here: a client's resource picker gains nothing from thousands of entries. */
const MAX_LISTED = 500;
/** Hits a search resource shows (search_account shows 10 unless told). */
const SEARCH_RESOURCE_HITS = 20;

type Listing = Array<{ uri: string; name: string; title?: string; description?: string }>;
type Read = (uri: URL, vars: Variables, signal: AbortSignal) => Promise<ReadResourceResult>;

/** One resource: a fixed URI, or a template with its listing and completions. */
interface ResourceEntry {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  /** Templates: the instances a client can pick from (capped at MAX_LISTED), and completions per variable. */
  list?: () => Promise<Listing>;
  complete?: Record<string, (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>>;
  read: Read;
}

const text = (uri: URL | string, body: string, mimeType = 'text/plain'): ReadResourceResult => ({ contents: [{ uri: String(uri), mimeType, text: body }] });

/** The resources: datasources and their schemas, dashboards and how they are built. */
function entries(cluvio: AccountReader): ResourceEntry[] {
  const completeIds = (load: () => Promise<Flat[]>) => async (value: string) => {
    try {
      return matchIds(await load(), value);
    } catch {
      return [];
    }
  };
  const datasourceIds = completeIds(() => cluvio.datasources({ cached: true }));
  return [
    {
      name: 'datasources',
      uri: uris.datasources,
      title: 'Cluvio datasources',
      description: 'Datasources with id, name, database type and default schema.',
      mimeType: 'text/plain',
      read: async (uri, _vars, signal) => text(uri, cap(datasourcesText(await cluvio.datasources({ signal })))),
    },
    {
      name: 'datasource-schema',
      uri: 'cluvio://datasources/{id}/schema',
      title: 'Datasource schema',
      description: 'Schemas, tables and columns with types, compact for writing SQL; large schemas list tables with column counts.',
      mimeType: 'text/plain',
      list: async () =>
        (await cluvio.datasources({ cached: true })).map((d) => ({
          uri: uris.datasourceSchema(String(d.id)),
          name: `${String(d.name)} schema`,
          description: `Tables and columns of datasource ${String(d.id)} (${String(d.database_type ?? '')})`,
        })),
      complete: { id: datasourceIds },
      read: async (uri, vars, signal) => {
        const id = variable(vars, 'id');
        return guard(uri, async () => {
          const [ds, schemas] = await Promise.all([cluvio.datasource(id, signal), cluvio.schema(id)]);
          return text(uri, cap(datasourceSchemaText(ds, id, schemas), undefined, `Read ${uris.schema(id, '{schema}')} for one schema.`));
        });
      },
    },
    {
      name: 'datasource-schema-detail',
      uri: 'cluvio://datasources/{id}/schemas/{schema}',
      title: 'Datasource schema (one schema)',
      description: 'One schema of a datasource in full: every table with its columns and types.',
      mimeType: 'text/plain',
      // The default schema of each datasource; the others are found by completion or in the datasource's schema resource.
      list: async () =>
        (await cluvio.datasources({ cached: true }))
          .filter((d) => typeof d.default_schema_name === 'string' && d.default_schema_name)
          .map((d) => ({
            uri: uris.schema(String(d.id), String(d.default_schema_name)),
            name: `${String(d.name)}: ${String(d.default_schema_name)}`,
            description: `Every table and column of schema ${String(d.default_schema_name)} in datasource ${String(d.id)}`,
          })),
      complete: {
        id: datasourceIds,
        schema: async (value, context) => {
          const id = context?.arguments?.id;
          if (!id) return [];
          try {
            return (await cluvio.schema(id)).map((s) => s.name).filter((n) => n.toLowerCase().startsWith(value.toLowerCase()));
          } catch {
            return [];
          }
        },
      },
      read: async (uri, vars) => {
        const id = variable(vars, 'id');
        const name = variable(vars, 'schema');
        const missing = `No datasource ${id} or it has no schema "${name}" (see ${uris.datasources} and ${uris.datasourceSchema(id)}).`;
        return guard(
          uri,
          async () => {
            const found = (await cluvio.schema(id, name)).find((s) => s.name === name);
            if (!found) throw new ResourceNotFoundError(String(uri), missing);
            return text(uri, cap(schemaText(found), undefined, 'Use get_datasource_schema or run_execution on information_schema for the remaining tables.'));
          },
          missing,
        );
      },
    },
    {
      name: 'dashboards',
      uri: uris.dashboards,
      title: 'Cluvio dashboards',
      description: 'Dashboards with id, name, group and number of reports.',
      mimeType: 'text/plain',
      read: async (uri, _vars, signal) => {
        const [dashboards, groups] = await Promise.all([cluvio.dashboards({ signal }), cluvio.dashboardGroups(signal).catch(() => [] as Flat[])]);
        return text(uri, cap(dashboardsText(dashboards, groups)));
      },
    },
    {
      name: 'dashboard',
      uri: 'cluvio://dashboards/{id}',
      title: 'Dashboard',
      description: 'One dashboard for a model: reports (name, SQL, visualisation), filters (variables, types, options), refresh rate, time zone.',
      mimeType: 'text/markdown',
      list: async () =>
        (await cluvio.dashboards({ cached: true })).map((d) => ({
          uri: uris.dashboard(String(d.id)),
          name: String(d.name),
          description: `Dashboard ${String(d.id)}: reports with SQL, filters, refresh and time zone settings`,
        })),
      complete: { id: completeIds(() => cluvio.dashboards({ cached: true })) },
      read: async (uri, vars, signal) => {
        const id = variable(vars, 'id');
        return guard(uri, async () => text(uri, cap(dashboardText(await cluvio.dashboard(id, signal)), undefined, 'get_report returns one report in full.'), 'text/markdown'));
      },
    },
    {
      name: 'search',
      uri: 'cluvio://search/{query}',
      title: 'Search the account',
      description: 'Reports, dashboards, filters, SQL snippets and SQL alerts whose names, descriptions, variables or SQL hold the words, ranked, as search_account.',
      mimeType: 'text/plain',
      // Nothing to list: any words make an instance. Completion offers the names of what the words find.
      list: async () => [],
      complete: {
        query: async (value) => {
          if (queryWords(value).length === 0) return [];
          try {
            return [...new Set(search(await cluvio.searchIndex(), { query: value }).map((h) => h.object.name))].slice(0, 20);
          } catch {
            return [];
          }
        },
      },
      read: async (uri, vars, signal) => {
        const query = variable(vars, 'query');
        if (queryWords(query).length === 0) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${String(uri)}: the query needs a word to look for, e.g. ${uris.search('delay_minutes')}`);
        const out = answer(await cluvio.searchIndex(signal), { query, limit: SEARCH_RESOURCE_HITS }, { more: 'search_account shows up to 50 and narrows by kind, datasource or dashboard' });
        if (out.isError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, out.text);
        return text(uri, cap(out.text));
      },
    },
  ];
}

/**
 * Every resource; and a server that lives on (a connection, a session) is told to the hub, so that writes
 * announce list changes to it. A per-request server is gone by then: its clients hear on their listen streams.
 */
export function resources(deps: Deps): Surface {
  const listed = (e: ResourceEntry, list: () => Promise<Listing>) => async () => {
    try {
      return { resources: (await list()).slice(0, MAX_LISTED) };
    } catch (err) {
      deps.logger.warn({ error: (err as Error).message }, `resources/list: could not list ${e.name}`);
      return { resources: [] };
    }
  };
  const registrations = entries(new AccountReader(deps)).map((e) => {
    const metadata = { title: e.title, description: e.description, mimeType: e.mimeType };
    if (!e.list) return (server: McpServer) => server.registerResource(e.name, e.uri, metadata, (uri, ctx) => e.read(uri, {}, ctx.mcpReq.signal));
    const template = new ResourceTemplate(e.uri, { list: listed(e, e.list), complete: e.complete });
    return (server: McpServer) => server.registerResource(e.name, template, metadata, (uri, vars, ctx) => e.read(uri, vars, ctx.mcpReq.signal));
  });
  return (server, { perRequest }) => {
    if (!perRequest) deps.hub.track(server, deps.api);
    for (const register of registrations) register(server);
  };
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

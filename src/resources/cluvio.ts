import type { ApiClient } from '../cluvio/api-client.js';
import type { DataGrant } from '../cluvio/data-client.js';
import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import { buildCatalog } from '../operations/index.js';
import { buildRequest } from '../operations/request.js';
import type { Deps, Operation } from '../operations/types.js';
import { TtlCache } from './cache.js';
import { withDataGrant } from '../workflows/data-grant.js';
import { normaliseSchemas, type SchemaInfo } from '../cluvio/schema-data.js';

/** Cluvio reads for resources, prompts and completions: catalog operations, flattened answers, caches. */


export type { SchemaInfo };

export interface DashboardDetail {
  dashboard: Flat;
  reports: Flat[];
  filters: Flat[];
  /** Drop-down options by filter id, where Cluvio has them (first few only). */
  options: Map<string, { values: Array<{ value: unknown; name?: unknown }>; total: number }>;
}

/** Schema data per API key, datasource and schema name; dropped by refresh/update/delete of the datasource. */
export const SCHEMA_TTL_MS = 60_000;
/** Lists behind completions and template listings, which clients may ask for on every keystroke. */
const LIST_TTL_MS = 10_000;
const OPTIONS_SHOWN = 25;

const schemaCache = new TtlCache<SchemaInfo[]>(SCHEMA_TTL_MS);
const listCache = new TtlCache<Flat[]>(LIST_TTL_MS);

/**
 * One number per ApiClient: a cache key that stands for the API key without holding the secret. Per-user
 * keys get their own client per session, so their entries never mix (same key, other session: a miss).
 */
const apiIds = new WeakMap<ApiClient, number>();
let nextApiId = 1;
function apiKeyOf(api: ApiClient): string {
  let n = apiIds.get(api);
  if (n === undefined) apiIds.set(api, (n = nextApiId++));
  return String(n);
}

/** Forget a datasource's schema data, for every API key: after a metadata refresh, an update or a delete. */
export function invalidateDatasourceSchema(datasourceId: string): void {
  schemaCache.invalidate((key) => key.split('\u0000')[1] === datasourceId);
}

/** Forget the cached datasource and dashboard lists (something was created, renamed or deleted). */
export function invalidateLists(): void {
  listCache.invalidate(() => true);
}

const catalogs = new WeakMap<object, Map<string, Operation>>();
function catalogFor(deps: Deps): Map<string, Operation> {
  const overrides = deps.config.routeOverrides ?? {};
  let byId = catalogs.get(overrides);
  if (!byId) catalogs.set(overrides, (byId = new Map(buildCatalog(overrides).map((op) => [op.id, op]))));
  return byId;
}

export class Cluvio {
  constructor(private readonly deps: Deps) {}

  private op(id: string): Operation {
    const op = catalogFor(this.deps).get(id);
    if (!op) throw new Error(`operation ${id} is not in the catalog`);
    return op;
  }

  /** One catalog operation's request (routes as configured, overrides included); the parsed body. */
  async request(opId: string, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<unknown> {
    return (await this.deps.api.send(buildRequest(this.op(opId), args, { signal }))).body;
  }

  private async list(opId: string, signal?: AbortSignal): Promise<Flat[]> {
    const { data } = flattenDocument(await this.request(opId, {}, signal));
    return Array.isArray(data) ? data : [];
  }

  private cachedList(opId: string): Promise<Flat[]> {
    return listCache.get(`${apiKeyOf(this.deps.api)}\u0000${opId}`, () => this.list(opId));
  }

  /** `cached`: may be up to 10 s old (completions, template listings); otherwise fresh. */
  datasources(opts: { cached?: boolean; signal?: AbortSignal } = {}): Promise<Flat[]> {
    return opts.cached ? this.cachedList('listDatasources') : this.list('listDatasources', opts.signal);
  }

  dashboards(opts: { cached?: boolean; signal?: AbortSignal } = {}): Promise<Flat[]> {
    return opts.cached ? this.cachedList('listDashboards') : this.list('listDashboards', opts.signal);
  }

  dashboardGroups(signal?: AbortSignal): Promise<Flat[]> {
    return this.list('listDashboardGroups', signal);
  }

  async datasource(id: string, signal?: AbortSignal): Promise<Flat> {
    return flattenDocument(await this.request('getDatasource', { id }, signal)).data as Flat;
  }

  /** A dashboard with its reports and filters (two includes: the reference documents one include value at a time). */
  async dashboard(id: string, signal?: AbortSignal): Promise<DashboardDetail> {
    const [withReports, withFilters] = await Promise.all([
      this.request('getDashboard', { id, include: 'reports' }, signal),
      this.request('getDashboard', { id, include: 'filters' }, signal),
    ]);
    const a = flattenDocument(withReports);
    const b = flattenDocument(withFilters);
    const dashboard = a.data as Flat;
    const reports = a.included?.reports ?? [];
    const filters = b.included?.filters ?? [];
    const options: DashboardDetail['options'] = new Map();
    await Promise.all(
      filters
        .filter((f) => String(f.control_type ?? '').startsWith('dropdown'))
        .map(async (f) => {
          try {
            const body = (await this.request('getDropDownFilterOptions', { id: f.id, dashboard_id: id }, signal)) as {
              options?: { values?: unknown; value_names?: unknown };
            };
            const values = Array.isArray(body?.options?.values) ? body.options.values : [];
            const names = Array.isArray(body?.options?.value_names) ? body.options.value_names : [];
            if (values.length) {
              options.set(String(f.id), { values: values.slice(0, OPTIONS_SHOWN).map((value, i) => ({ value, name: names[i] })), total: values.length });
            }
          } catch {
            // Options are a nicety: a filter without them still shows its SQL or type.
          }
        }),
    );
    return { dashboard, reports, filters, options };
  }

  /** Schema data via a data grant (as get_datasource_schema), cached 60 s per API key, datasource and schema. */
  schema(datasourceId: string, name?: string): Promise<SchemaInfo[]> {
    const key = [apiKeyOf(this.deps.api), datasourceId, name ?? ''].join('\u0000');
    return schemaCache.get(key, async () => {
      const args: Record<string, unknown> = { id: datasourceId, ...(name !== undefined ? { name } : {}) };
      const raw = await withDataGrant(
        this.deps,
        `schema of datasource ${datasourceId}`,
        () => this.request('getDatasourceSchema', args) as Promise<DataGrant | undefined>,
        (grant) => this.deps.data.getJson(grant, 'getSchemaData'),
      );
      this.deps.logger.debug({ datasource: datasourceId, schema: name }, 'resources: schema data fetched');
      return normaliseSchemas(raw);
    });
  }
}

/**
 * Completion by id or name: ids starting with `value` first, then names starting with it, then names
 * with a word starting with it (all case-insensitive). Empty input: every id.
 */
export function matchIds(items: readonly Flat[], value: string): string[] {
  const v = value.trim().toLowerCase();
  const rows = items.map((i) => ({ id: String(i.id ?? ''), name: String(i.name ?? '').toLowerCase() })).filter((r) => r.id);
  if (!v) return rows.map((r) => r.id);
  const out: string[] = [];
  const add = (ids: string[]) => {
    for (const id of ids) if (!out.includes(id)) out.push(id);
  };
  add(rows.filter((r) => r.id.toLowerCase().startsWith(v)).map((r) => r.id));
  add(rows.filter((r) => r.name.startsWith(v)).map((r) => r.id));
  add(rows.filter((r) => r.name.split(/[^a-z0-9]+/).some((w) => w && w.startsWith(v))).map((r) => r.id));
  return out;
}

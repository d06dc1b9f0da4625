import type { DataGrant } from '../cluvio/data-client.js';
import { parseFilterOptions } from '../cluvio/filter-options.js';
import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import { normaliseSchemas, type SchemaInfo } from '../cluvio/schema-data.js';
import type { Deps } from '../context.js';
import { buildRequest } from '../operations/request.js';
import type { Operation } from '../operations/types.js';
import type { SearchIndex } from '../search/index.js';
import { withDataGrant } from '../workflows/data-grant.js';
import { loadIndex } from '../workflows/search.js';

export type { SchemaInfo };

export interface DashboardDetail {
  dashboard: Flat;
  reports: Flat[];
  filters: Flat[];
  /** Drop-down options by filter id, where Cluvio has them (first few only). */
  options: Map<string, { values: Array<{ value: unknown; name?: unknown }>; total: number }>;
}

const OPTIONS_SHOWN = 25;

/**
 * Reads the Cluvio account for resources, prompts and completions: catalog operations (routes as configured),
 * flattened answers, and the process's caches (deps.hub).
 */
export class AccountReader {
  constructor(private readonly deps: Deps) {}

  /** One catalog operation's request; the parsed body. */
  private async request(op: Operation, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<unknown> {
    return (await this.deps.api.send(buildRequest(op, args, { signal }))).body;
  }

  private async list(op: Operation, signal?: AbortSignal): Promise<Flat[]> {
    const { data } = flattenDocument(await this.request(op, {}, signal));
    return Array.isArray(data) ? data : [];
  }

  private cachedList(op: Operation): Promise<Flat[]> {
    return this.deps.hub.lists.get(`${this.deps.hub.keyOf(this.deps.api)}\u0000${op.id}`, () => this.list(op));
  }

  private get ops() {
    return this.deps.inventory.ops;
  }

  /** `cached`: may be up to 10 s old (completions, template listings); otherwise fresh. */
  datasources(opts: { cached?: boolean; signal?: AbortSignal } = {}): Promise<Flat[]> {
    return opts.cached ? this.cachedList(this.ops.listDatasources) : this.list(this.ops.listDatasources, opts.signal);
  }

  dashboards(opts: { cached?: boolean; signal?: AbortSignal } = {}): Promise<Flat[]> {
    return opts.cached ? this.cachedList(this.ops.listDashboards) : this.list(this.ops.listDashboards, opts.signal);
  }

  dashboardGroups(signal?: AbortSignal): Promise<Flat[]> {
    return this.list(this.ops.listDashboardGroups, signal);
  }

  async datasource(id: string, signal?: AbortSignal): Promise<Flat> {
    return flattenDocument(await this.request(this.ops.getDatasource, { id }, signal)).data as Flat;
  }

  /** A dashboard with its reports and filters (two includes: the reference documents one include value at a time). */
  async dashboard(id: string, signal?: AbortSignal): Promise<DashboardDetail> {
    const [withReports, withFilters] = await Promise.all([
      this.request(this.ops.getDashboard, { id, include: 'reports' }, signal),
      this.request(this.ops.getDashboard, { id, include: 'filters' }, signal),
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
            const values = parseFilterOptions(await this.request(this.ops.getDropDownFilterOptions, { id: f.id, dashboard_id: id }, signal));
            if (values.length) options.set(String(f.id), { values: values.slice(0, OPTIONS_SHOWN), total: values.length });
          } catch {
            // Options are a nicety: a filter without them still shows its SQL or type.
          }
        }),
    );
    return { dashboard, reports, filters, options };
  }

  /** search_account's index of the account: the same cache, by the same key. */
  searchIndex(signal?: AbortSignal): Promise<SearchIndex> {
    const { hub, api } = this.deps;
    return loadIndex({ ops: this.ops, send: (op) => this.request(op), cache: hub.search, key: hub.keyOf(api), signal });
  }

  /** Schema data via a data grant (as get_datasource_schema), cached 60 s per API key, datasource and schema. */
  schema(datasourceId: string, name?: string): Promise<SchemaInfo[]> {
    const key = [this.deps.hub.keyOf(this.deps.api), datasourceId, name ?? ''].join('\u0000');
    return this.deps.hub.schemas.get(key, async () => {
      const args: Record<string, unknown> = { id: datasourceId, ...(name !== undefined ? { name } : {}) };
      const raw = await withDataGrant(
        this.deps,
        `schema of datasource ${datasourceId}`,
        () => this.request(this.ops.getDatasourceSchema, args) as Promise<DataGrant | undefined>,
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

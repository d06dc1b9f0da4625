import type { DataGrant } from '../cluvio/data-client.js';
import type { CallContext } from '../operations/types.js';
import type { ToolOutput } from '../results/output.js';

interface SchemaColumn { name: string; db_type?: string; data_type?: string }
interface SchemaTable { name: string; columns?: SchemaColumn[] }
interface SchemaData { name: string; tables?: SchemaTable[] }

/** Above this many characters the text lists tables with column counts and points at `name`. */
const FULL_TEXT_LIMIT = 40_000;

export async function getDatasourceSchema(args: { id: string; name?: string }, ctx: CallContext): Promise<ToolOutput> {
  const grant = (await ctx.request(ctx.operation('getDatasourceSchema'), args)) as DataGrant;
  const raw = await ctx.data.getJson(grant, 'getSchemaData', ctx.signal);
  const schemas = normaliseSchemas(raw);
  const structured = {
    datasource_id: args.id,
    schemas: schemas.map((s) => ({
      name: s.name,
      tables: (s.tables ?? []).map((t) => ({ name: t.name, columns: (t.columns ?? []).map((c) => ({ name: c.name, type: c.db_type ?? c.data_type ?? '' })) })),
    })),
  };
  if (structured.schemas.length === 0) {
    return { text: `Datasource ${args.id} has no schema data${args.name ? ` for schema "${args.name}"` : ''}. Try refresh_datasource.`, structured };
  }
  const full = structured.schemas
    .map((s) => [`schema ${s.name} (${s.tables.length} tables)`, ...s.tables.map((t) => `${t.name}(${t.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`)].join('\n'))
    .join('\n\n');
  if (full.length <= FULL_TEXT_LIMIT) return { text: full, structured };
  const summary = structured.schemas
    .map((s) => [`schema ${s.name} (${s.tables.length} tables)`, ...s.tables.map((t) => `${t.name}: ${t.columns.length} columns`)].join('\n'))
    .join('\n\n');
  return { text: `${summary}\n\nToo large to show every column; call get_datasource_schema with name=<schema> for one schema's columns.`, structured };
}

/** The data server answers `{schemas: [...]}` for all schemas, or a single schema object when `name` was given. */
function normaliseSchemas(raw: unknown): SchemaData[] {
  if (raw && typeof raw === 'object') {
    const r = raw as { schemas?: unknown; name?: unknown };
    if (Array.isArray(r.schemas)) return r.schemas as SchemaData[];
    if (typeof r.name === 'string') return [raw as SchemaData];
  }
  if (Array.isArray(raw)) return raw as SchemaData[];
  return [];
}

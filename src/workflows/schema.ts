import type { DataGrant } from '../cluvio/data-client.js';
import type { CallContext } from '../operations/types.js';
import { withDataGrant } from './data-grant.js';
import { normaliseSchemas } from '../cluvio/schema-data.js';
import type { ToolOutput } from '../results/output.js';

/** Above this many characters the text lists tables with column counts and points at `name`. */
const FULL_TEXT_LIMIT = 40_000;

export async function getDatasourceSchema(args: { id: string; name?: string }, ctx: CallContext): Promise<ToolOutput> {
  const raw = await withDataGrant(
    ctx,
    `schema of datasource ${args.id}`,
    () => ctx.request(ctx.operation('getDatasourceSchema'), args) as Promise<DataGrant | undefined>,
    (grant) => ctx.data.getJson(grant, 'getSchemaData', ctx.signal),
  );
  const structured = { datasource_id: args.id, schemas: normaliseSchemas(raw) };
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

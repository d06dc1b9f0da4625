import type { DataGrant } from '../cluvio/data-client.js';
import type { CallContext } from '../context.js';
import { withDataGrant } from './data-grant.js';
import { normaliseSchemas } from '../cluvio/schema-data.js';
import type { ToolOutput } from '../results/output.js';
import { schemasText } from '../results/schema-text.js';

export async function getDatasourceSchema(args: { id: string; name?: string }, ctx: CallContext): Promise<ToolOutput> {
  const raw = await withDataGrant(
    ctx,
    `schema of datasource ${args.id}`,
    () => ctx.request(ctx.ops.getDatasourceSchema, args) as Promise<DataGrant | undefined>,
    (grant) => ctx.data.getJson(grant, 'getSchemaData', ctx.signal),
  );
  const structured = { datasource_id: args.id, schemas: normaliseSchemas(raw) };
  if (structured.schemas.length === 0) {
    return { text: `Datasource ${args.id} has no schema data${args.name ? ` for schema "${args.name}"` : ''}. Try refresh_datasource.`, structured };
  }
  const { text, full } = schemasText(structured.schemas);
  return {
    text: full ? text : `${text}\n\nToo large to show every column; call get_datasource_schema with name=<schema> for one schema's columns.`,
    structured,
  };
}

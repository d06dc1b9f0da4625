import type { SchemaInfo } from '../cluvio/schema-data.js';

/**
 * Datasource schemas as text for a model — the same for get_datasource_schema, the schema resources and the
 * prompts: `table(column type, …)` per line, under a `schema name (n tables)` heading.
 */

/** Above this many characters a datasource's schemas are summarised: each table with its column count. */
export const FULL_SCHEMA_CHARS = 40_000;

function tableLine(t: SchemaInfo['tables'][number]): string {
  return `${t.name}(${t.columns.map((c) => (c.type ? `${c.name} ${c.type}` : c.name)).join(', ')})`;
}

/** One schema in full. */
export function schemaText(s: SchemaInfo): string {
  return [`schema ${s.name} (${s.tables.length} tables)`, ...s.tables.map(tableLine)].join('\n');
}

/**
 * Every schema in full, or, beyond `limit` characters, every table with its column count (`more` adds to each
 * schema's heading where to read its columns).
 */
export function schemasText(
  schemas: readonly SchemaInfo[],
  { limit = FULL_SCHEMA_CHARS, more = (): string => '' }: { limit?: number; more?: (s: SchemaInfo) => string } = {},
): { text: string; full: boolean } {
  const full = schemas.map(schemaText).join('\n\n');
  if (full.length <= limit) return { text: full, full: true };
  const summary = schemas.map((s) => [`schema ${s.name} (${s.tables.length} tables)${more(s)}`, ...s.tables.map((t) => `${t.name}: ${t.columns.length} columns`)].join('\n'));
  return { text: summary.join('\n\n'), full: false };
}

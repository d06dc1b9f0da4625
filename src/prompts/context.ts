import type { Flat } from '../cluvio/jsonapi.js';
import type { SchemaInfo } from '../cluvio/schema-data.js';
import { cap } from '../resources/format.js';
import { schemaText } from '../results/schema-text.js';

/** Prompt building blocks: the schema (or the part a question needs) and Cluvio's parameter syntax. */

/** Schema text in a prompt stays below this; beyond it only the tables a question names are shown in full. */
export const PROMPT_SCHEMA_CHARS = 30_000;

export const PARAMETER_SYNTAX = [
  "Cluvio query parameters (optional; plain SQL runs unchanged). Cluvio rewrites {…} expressions into SQL before the database sees the query; the values come from the `parameters` argument of run_execution, refresh_report and refresh_dashboard:",
  '- Condition `{[expr]=variable}` (brackets optional for a column):',
  '  - `{created_at=timerange}` keeps rows inside parameters.timerange "<unix-start>~<unix-end>" (inclusive, either side optional, "~" = all time).',
  '  - `{category=my_filter}` becomes `category IN (…)` for the values selected in a dashboard filter (parameters.filters: [{variable_name, selected_values}]); nothing selected = always true.',
  '- Transformation `{created_at:aggregation}` truncates to parameters.aggregation (second, minute, hour, day, week, week_sunday, month, quarter, year, all_time).',
  '- Value `{variable.selector}`, e.g. `{my_range.start}`.',
  'Example: SELECT {created_at:aggregation} AS period, COUNT(*) FROM orders WHERE {created_at=timerange} AND {category=product_categories} GROUP BY 1 ORDER BY 1',
].join('\n');

function words(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3)
    .map((w) => w.replace(/(ies|es|s)$/, (m) => (m === 'ies' ? 'y' : '')));
}

/**
 * The schema for a prompt: in full when it fits, otherwise the tables whose names or columns share
 * words with the question in full and every other table by name only.
 */
export function relevantSchemaText(datasourceId: string, schemas: readonly SchemaInfo[], question: string, limit = PROMPT_SCHEMA_CHARS): string {
  if (schemas.length === 0) return 'No schema data yet: call refresh_datasource, then get_datasource_schema.';
  const full = schemas.map(schemaText).join('\n\n');
  if (full.length <= limit) return full;
  const q = new Set(words(question));
  const scored = schemas.flatMap((s) =>
    s.tables.map((t) => {
      const score = words(t.name).filter((w) => q.has(w)).length * 3 + t.columns.flatMap((c) => words(c.name)).filter((w) => q.has(w)).length;
      return { schema: s.name, table: t, score };
    }),
  );
  const ranked = scored.filter((x) => x.score > 0).sort((a, b) => b.score - a.score);
  const shown: string[] = [];
  let used = 0;
  const inFull = new Set<(typeof scored)[number]>();
  for (const x of ranked) {
    const line = `${x.schema}.${x.table.name}(${x.table.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`;
    if (used + line.length > limit * 0.7) break;
    shown.push(line);
    used += line.length;
    inFull.add(x);
  }
  const others = scored.filter((x) => !inFull.has(x)).map((x) => `${x.schema}.${x.table.name} (${x.table.columns.length} cols)`);
  const head = shown.length ? `Tables that match the question, with columns:\n${shown.join('\n')}` : 'No table name matches the question.';
  return cap(`${head}\n\nOther tables (get_datasource_schema with name=<schema> shows their columns):\n${others.join(', ')}`, limit);
}

export function datasourceLine(ds: Flat | undefined, id: string): string {
  if (!ds) return `datasource ${id}`;
  return `datasource ${id} "${String(ds.name ?? '')}" (${String(ds.database_type ?? 'unknown')} SQL${ds.default_schema_name ? `, default schema ${String(ds.default_schema_name)}` : ''})`;
}

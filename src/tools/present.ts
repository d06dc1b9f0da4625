import { flattenDocument, type Flat } from '../cluvio/jsonapi.js';
import type { Operation } from '../operations/types.js';
import { compactJson, type ToolOutput } from '../results/output.js';
import { redactSecrets } from '../results/redact.js';
import { renderTable } from '../results/table.js';

/** Shapes what the API returned, per the operation's presentation, for a model to read. */
export function present(op: Operation, args: Record<string, unknown>, body: unknown, reveal: boolean): ToolOutput {
  const p = op.present ?? { kind: isJsonApi(body) ? 'object' : 'json' };
  switch (p.kind) {
    case 'done':
      return { text: p.message(args), structured: { ok: true } };
    case 'list':
      return presentList(flatList(body), p.columns, args, reveal);
    case 'object': {
      if (body === undefined) return { text: 'Done (no content).', structured: { ok: true } };
      const { data, included } = flattenDocument(body);
      const item = redactSecrets(data, reveal);
      const structured: Record<string, unknown> = included ? { ...(item as Flat), included: redactSecrets(included, reveal) } : { ...(item as Flat) };
      return { text: compactJson(structured), structured };
    }
    case 'json': {
      if (body === undefined) return { text: 'Done (no content).', structured: { ok: true } };
      const clean = redactSecrets(body, reveal);
      return { text: compactJson(clean), structured: clean && typeof clean === 'object' && !Array.isArray(clean) ? (clean as Record<string, unknown>) : { value: clean } };
    }
  }
}

function isJsonApi(body: unknown): boolean {
  return !!body && typeof body === 'object' && 'data' in body;
}

function flatList(body: unknown): Flat[] {
  const { data } = flattenDocument(body);
  return Array.isArray(data) ? data : data ? [data] : [];
}

/** The API does not paginate, so lists are filtered by name and paged here, with compact columns. */
function presentList(all: Flat[], columns: readonly string[], args: Record<string, unknown>, reveal: boolean): ToolOutput {
  const needle = typeof args.name === 'string' ? args.name.toLowerCase() : undefined;
  const label = (x: Flat) => [x.name, x.display_name, x.variable_name, x.email].filter((v) => typeof v === 'string').join(' ').toLowerCase();
  const matching = needle ? all.filter((x) => label(x).includes(needle)) : all;
  const offset = typeof args.offset === 'number' ? args.offset : 0;
  const limit = typeof args.limit === 'number' ? args.limit : 50;
  const page = matching.slice(offset, offset + limit).map((x) => redactSecrets(pick(x, columns), reveal));
  const total = matching.length;
  const structured: Record<string, unknown> = { items: page, total, offset };
  if (total === 0) {
    return { text: needle ? `Nothing matches name "${args.name}" (${all.length} in all).` : 'The list is empty.', structured };
  }
  let head = `Showing ${page.length} of ${total}${needle ? ` matching "${args.name}"` : ''}`;
  if (offset + page.length < total) head += `; next page: offset=${offset + page.length}`;
  else if (page.length === 0) head += `; offset ${offset} is past the end`;
  const table = renderTable(
    columns.map((name) => ({ name })),
    page.map((x) => columns.map((c) => x[c])),
  );
  return { text: `${head}.\n${table}`, structured };
}

function pick(x: Flat, columns: readonly string[]): Flat {
  const out: Flat = {};
  for (const c of columns) if (x[c] !== undefined) out[c] = x[c];
  return out;
}

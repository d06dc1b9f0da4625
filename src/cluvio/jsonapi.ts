/** JSON:API in and out: tools take and give flat objects; only this module knows the envelope. */

export interface Relationship {
  /** JSON:API type of the related resource, e.g. "datasource_agents". */
  type: string;
  many: boolean;
}

/** Builds `{data: {type, id?, attributes, relationships}}` from flat attribute values and relationship ids. */
export function toDocument(
  type: string,
  attributes: Record<string, unknown>,
  relationships: Record<string, { rel: Relationship; ids: string | string[] | null }> = {},
  id?: string,
): Record<string, unknown> {
  const data: Record<string, unknown> = { type };
  if (id !== undefined) data.id = id;
  data.attributes = attributes;
  const rels: Record<string, unknown> = {};
  for (const [name, { rel, ids }] of Object.entries(relationships)) {
    if (rel.many) {
      const list = ids === null ? [] : Array.isArray(ids) ? ids : [ids];
      rels[name] = { data: list.map((i) => ({ id: i, type: rel.type })) };
    } else {
      const one = Array.isArray(ids) ? ids[0] : ids;
      rels[name] = { data: one === null || one === undefined ? null : { id: one, type: rel.type } };
    }
  }
  if (Object.keys(rels).length) data.relationships = rels;
  return { data };
}

export type Flat = Record<string, unknown>;

interface ResourceObject {
  id?: unknown;
  type?: unknown;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { data?: unknown }>;
}

/**
 * `{id, type, attributes, relationships}` → `{id, ...attributes, <rel>_id | <rel>_ids}`.
 * A to-one relationship "dashboard" becomes `dashboard_id`; a to-many "user_groups" becomes `user_group_ids`.
 */
export function flattenResource(resource: ResourceObject): Flat {
  const out: Flat = { id: resource.id };
  Object.assign(out, resource.attributes ?? {});
  for (const [name, rel] of Object.entries(resource.relationships ?? {})) {
    const data = rel?.data;
    if (Array.isArray(data)) out[`${singular(name)}_ids`] = data.map((d) => (d as { id?: unknown }).id);
    else if (data && typeof data === 'object') out[`${name}_id`] = (data as { id?: unknown }).id;
    else if (data === null) out[`${name}_id`] = null;
  }
  return out;
}

/** Flattens a whole document: `data` (one or many) plus `included` grouped by type. */
export function flattenDocument(doc: unknown): { data: Flat | Flat[] | null; included?: Record<string, Flat[]> } {
  if (!doc || typeof doc !== 'object' || !('data' in doc)) return { data: doc as Flat };
  const { data, included } = doc as { data: unknown; included?: unknown };
  const flat = Array.isArray(data)
    ? data.map((r) => flattenResource(r as ResourceObject))
    : data && typeof data === 'object'
      ? flattenResource(data as ResourceObject)
      : null;
  if (!Array.isArray(included) || included.length === 0) return { data: flat };
  const groups: Record<string, Flat[]> = {};
  for (const r of included as ResourceObject[]) {
    const type = typeof r.type === 'string' ? r.type : 'other';
    (groups[type] ??= []).push(flattenResource(r));
  }
  return { data: flat, included: groups };
}

function singular(name: string): string {
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('s')) return name.slice(0, -1);
  return name;
}

/**
 * The organisation's records: every JSON:API resource other than datasources and executions
 * (dashboards, reports, filters, schedules, snippets, alerts, users, groups, agents), stored
 * generically as JSON:API resource objects so routes and work share one model; and the helpers
 * that read and write their links.
 */
import { notFound } from '../http.js';

export type Linkage = { type: string; id: string };

export interface ResourceRecord {
  id: string;
  /** JSON:API type, e.g. "reports". */
  type: string;
  attributes: Record<string, unknown>;
  /** Relationship name → linkage (to-one: one or null; to-many: an array). */
  relationships: Record<string, Linkage | Linkage[] | null>;
}

export class RecordStore {
  private readonly byType = new Map<string, Map<string, ResourceRecord>>();

  list(type: string): ResourceRecord[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  get(type: string, id: string): ResourceRecord | undefined {
    return this.byType.get(type)?.get(id);
  }

  /** The record, or a 404 ApiError naming it (`what` e.g. "Report"). */
  require(type: string, id: string, what: string): ResourceRecord {
    const rec = this.get(type, id);
    if (!rec) throw notFound(what, id);
    return rec;
  }

  put(rec: ResourceRecord): ResourceRecord {
    let m = this.byType.get(rec.type);
    if (!m) this.byType.set(rec.type, (m = new Map()));
    m.set(rec.id, rec);
    return rec;
  }

  delete(type: string, id: string): boolean {
    return this.byType.get(type)?.delete(id) ?? false;
  }
}

export const ref = (type: string, id: string): Linkage => ({ id, type });
export const refs = (type: string, recs: ReadonlyArray<{ id: string }>): Linkage[] => recs.map((r) => ref(type, r.id));

/** A to-one or to-many relationship value as a list. */
export function linkages(v: Linkage | Linkage[] | null | undefined): Linkage[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Ids of a to-one or to-many relationship. */
export const linkedIds = (rec: ResourceRecord, name: string): string[] => linkages(rec.relationships[name]).map((l) => l.id);

export const linksTo = (rec: ResourceRecord, name: string, id: string): boolean => linkages(rec.relationships[name]).some((l) => l.id === id);

/** Adds `target` to (or removes it from) a to-many relationship. */
export function setLink(rec: ResourceRecord, name: string, target: Linkage, linked: boolean): void {
  const has = linksTo(rec, name, target.id);
  if (has && !linked) rec.relationships[name] = linkages(rec.relationships[name]).filter((l) => l.id !== target.id);
  if (!has && linked) rec.relationships[name] = [...linkages(rec.relationships[name]), target];
}

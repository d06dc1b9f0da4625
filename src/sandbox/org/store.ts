/**
 * The sandbox's organisation: every JSON:API resource other than datasources and executions
 * (dashboards, reports, filters, schedules, snippets, alerts, users, groups, agents), stored
 * generically as JSON:API resource objects so routes and workflows share one model.
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

  /** Ids of a to-one or to-many relationship. */
  static ids(rec: ResourceRecord, name: string): string[] {
    const l = rec.relationships[name];
    if (!l) return [];
    return Array.isArray(l) ? l.map((x) => x.id) : [l.id];
  }
}

/**
 * The declarative resource spec behind the sandbox's generic JSON:API CRUD, and the engine that
 * reads it: request validation (attributes and relationships), defaults, derived values,
 * serialisation, `include`, and delete cascades.
 *
 * One `ResourceSpec` per JSON:API type (see specs/). Attributes are listed in the reference's
 * response order; an attribute with a `field` is writable (`access` says when), one without is
 * read-only. Relationships are either stored on this side (the owning side: written by requests,
 * unlinked or cascaded when the target goes away) or `derive`d from other records (the inverse
 * side, recomputed after every change so the store always holds both directions).
 */
import { ApiError, isoNow, unprocessable } from '../http.js';
import { linkages, type Linkage, type ResourceRecord } from './store.js';
import type { SandboxState } from '../state.js';
import { datasourceResource } from '../datasources.js';
import { checkMembers, list, requireMembers, type Field, type Member } from '../validate.js';

export type Access = 'rw' | 'create' | 'update';

export interface AttrDef {
  /** Present = writable (per `access`); absent = read-only. */
  field?: Field;
  /** Default 'rw'. */
  access?: Access;
  /** Required on create. */
  required?: boolean;
  /** Applied on create when not given (a function is called per record). */
  default?: unknown;
  /** Stored on the record (other routes read it) but not part of the documented response. */
  hidden?: boolean;
  /** Computed from other records on every change and read. */
  derive?: (state: SandboxState, rec: ResourceRecord) => unknown;
  /** Why a read-only attribute cannot be written, e.g. "use Update Dashboard Layout". */
  readOnlyHint?: string;
}

export interface RelDef {
  /** JSON:API type of the related resources ("datasources" lives in state.datasources). */
  target: string;
  many: boolean;
  /** Writable when given; default: writable unless `derive` is set and `assign` is not. */
  access?: Access;
  /** Stored but never written by requests (e.g. a dashboard's owner). */
  readOnly?: boolean;
  required?: boolean;
  /** The inverse side: computed from the owning records. */
  derive?: (state: SandboxState, rec: ResourceRecord) => Linkage | Linkage[] | null | undefined;
  /** Writing a derived relationship: edit the owning side instead. */
  assign?: (state: SandboxState, rec: ResourceRecord, ids: string[]) => void;
  /** When the target is deleted: delete this record too, or drop the link (default). */
  onTargetDelete?: 'cascade' | 'unlink';
  /** Extra check of one related record; returns the reason it is not acceptable. */
  accept?: (state: SandboxState, target: { id: string; rec?: ResourceRecord }) => string | null;
}

export type Operation = 'create' | 'list' | 'get' | 'update' | 'delete';

export interface WriteContext {
  state: SandboxState;
  /** The record as it would be after the write (attributes and relationships merged). */
  rec: ResourceRecord;
  /** The record before an update; undefined on create. */
  before?: ResourceRecord;
  /** Attributes and relationships the request gave. */
  given: { attributes: Record<string, unknown>; relationships: Record<string, Linkage | Linkage[] | null> };
  /** Create-only attributes that are not stored as given (e.g. a report's width on create). */
  extra: Record<string, unknown>;
}

export interface ResourceSpec {
  type: string;
  /** For messages: "dashboard", "SQL alert". */
  what: string;
  ops: readonly Operation[];
  attributes: Record<string, AttrDef>;
  relationships: Record<string, RelDef>;
  /** Accepted `include` values on get (and on list where `listInclude`). */
  include?: readonly string[];
  listInclude?: readonly string[];
  /** Cross-field rules; throw an ApiError. Runs on create and update after the merge. */
  check?: (ctx: WriteContext) => void;
  /** Runs after validation, before the record is stored (layout placement, locks). */
  beforeWrite?: (ctx: WriteContext) => void;
  /** Why a record cannot be deleted, or null. */
  deleteBlocker?: (state: SandboxState, rec: ResourceRecord) => string | null;
  /** List order; default: store (creation) order. */
  order?: (state: SandboxState, a: ResourceRecord, b: ResourceRecord) => number;
  newId?: () => string;
}

export const ro = (o: Omit<AttrDef, 'field'> = {}): AttrDef => o;
export const rw = (field: Field, o: Omit<AttrDef, 'field'> = {}): AttrDef => ({ field, ...o });
export const timestamps = { created_at: ro(), updated_at: ro() };

// ---------------------------------------------------------------------------------------------
// The registry and record access

export class Registry {
  readonly specs = new Map<string, ResourceSpec>();

  constructor(specs: readonly ResourceSpec[]) {
    for (const s of specs) this.specs.set(s.type, s);
  }

  spec(type: string): ResourceSpec {
    const s = this.specs.get(type);
    if (s === undefined) throw new Error(`no resource spec for ${type}`);
    return s;
  }
}

export function exists(state: SandboxState, type: string, id: string): boolean {
  return type === 'datasources' ? state.datasources.has(id) : state.records.get(type, id) !== undefined;
}

export function requireRecord(state: SandboxState, spec: ResourceSpec, id: string): ResourceRecord {
  return state.records.require(spec.type, id, spec.what.charAt(0).toUpperCase() + spec.what.slice(1));
}

// ---------------------------------------------------------------------------------------------
// Derived values

/** Recomputes the derived attributes and relationships of one record (written into the store). */
function refreshRecord(state: SandboxState, spec: ResourceSpec, rec: ResourceRecord): void {
  for (const [name, a] of Object.entries(spec.attributes)) if (a.derive) rec.attributes[name] = a.derive(state, rec);
  for (const [name, r] of Object.entries(spec.relationships)) {
    if (!r.derive) continue;
    const v = r.derive(state, rec);
    if (v !== undefined) rec.relationships[name] = v;
  }
}

/** Recomputes every derived value: run after each change so both sides of every link agree. */
export function refreshAll(state: SandboxState, reg: Registry): void {
  for (const spec of reg.specs.values()) for (const rec of state.records.list(spec.type)) refreshRecord(state, spec, rec);
}

// ---------------------------------------------------------------------------------------------
// Serialisation and include

export function serialize(state: SandboxState, reg: Registry, rec: ResourceRecord): Record<string, unknown> {
  const spec = reg.spec(rec.type);
  refreshRecord(state, spec, rec);
  const attributes: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(spec.attributes)) {
    if (a.hidden === true) continue;
    const v = rec.attributes[name];
    attributes[name] = v === undefined ? null : structuredClone(v);
  }
  const relationships: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(spec.relationships)) {
    const v = rec.relationships[name];
    relationships[name] = { data: v === undefined ? (r.many ? [] : null) : structuredClone(v) };
  }
  return { id: rec.id, type: rec.type, attributes, relationships };
}

/** Parses `include` (comma-separated) against the accepted names; unknown → 400 naming them. */
export function parseInclude(query: URLSearchParams, accepted: readonly string[]): string[] {
  const raw = query.get('include');
  if (raw === null || raw.trim() === '') return [];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!accepted.includes(n)) {
      throw new ApiError(400, `invalid include "${n}" (accepted: ${accepted.length > 0 ? list(accepted) : 'none'})`);
    }
  }
  return names;
}

export function included(state: SandboxState, reg: Registry, recs: ResourceRecord[], names: string[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const rec of recs) {
    for (const name of names) {
      for (const ref of linkages(rec.relationships[name])) {
        const key = `${ref.type}/${ref.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (ref.type === 'datasources') {
          const ds = state.datasources.get(ref.id);
          if (ds) out.push(datasourceResource(ds));
        } else {
          const r = state.records.get(ref.type, ref.id);
          if (r) out.push(serialize(state, reg, r));
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writes

/** One relationship of a request (`{data: …}`): its linkages, each checked to exist and be acceptable. */
export function parseRelationship(state: SandboxState, name: string, def: Pick<RelDef, 'target' | 'many' | 'required' | 'accept'>, value: unknown): Linkage | Linkage[] | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('data' in value)) {
    throw unprocessable(`relationship "${name}" must be an object with "data"`);
  }
  const data = (value as { data: unknown }).data;
  const one = (ref: unknown, where: string): Linkage => {
    const r = ref as { id?: unknown; type?: unknown } | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof r.id !== 'string' || r.id === '') {
      throw unprocessable(`${where} needs an "id" string`);
    }
    if (r.type !== undefined && r.type !== def.target) {
      throw unprocessable(`${where} has type ${JSON.stringify(r.type)} (accepted: ${def.target})`);
    }
    if (!exists(state, def.target, r.id)) throw unprocessable(`relationship "${name}": ${def.target} ${r.id} not found`);
    if (def.accept) {
      const why = def.accept(state, { id: r.id, rec: state.records.get(def.target, r.id) });
      if (why !== null) throw unprocessable(`relationship "${name}": ${why}`);
    }
    return { id: r.id, type: def.target };
  };
  if (def.many) {
    if (!Array.isArray(data)) throw unprocessable(`relationship "${name}" is to-many: "data" must be an array`);
    const refs = data.map((d, i) => one(d, `relationship "${name}" data[${i}]`));
    const ids = new Set<string>();
    for (const r of refs) {
      if (ids.has(r.id)) throw unprocessable(`relationship "${name}" lists ${r.id} twice`);
      ids.add(r.id);
    }
    return refs;
  }
  if (Array.isArray(data)) throw unprocessable(`relationship "${name}" is to-one: "data" must be an object or null`);
  if (data === null) {
    if (def.required === true) throw unprocessable(`relationship "${name}" is required and cannot be null`);
    return null;
  }
  return one(data, `relationship "${name}" data`);
}

function writable(access: Access | undefined, creating: boolean): boolean {
  const a = access ?? 'rw';
  return a === 'rw' || (creating ? a === 'create' : a === 'update');
}

/**
 * Validates a JSON:API request's attributes and relationships against the spec. Unknown or
 * read-only members, wrong types and bad enum values are 422s naming the member (and what it accepts).
 */
export function parseWrite(
  state: SandboxState,
  spec: ResourceSpec,
  attributes: Record<string, unknown>,
  relationships: Record<string, unknown> | undefined,
  creating: boolean,
): WriteContext['given'] {
  const members: Record<string, Member> = {};
  for (const [k, a] of Object.entries(spec.attributes)) {
    if (a.field !== undefined && writable(a.access, creating)) {
      members[k] = { field: a.field, required: a.required, nullable: a.required !== true && a.default === undefined };
    }
  }
  const accepted = list(Object.keys(members));
  const attrs = checkMembers(attributes, members, {
    partial: true,
    unknown: (k) => {
      const a = spec.attributes[k];
      if (a === undefined || (a.hidden === true && a.field === undefined)) return unprocessable(`unknown attribute "${k}" (accepted: ${accepted})`);
      if (a.field === undefined) return unprocessable(`attribute "${k}" is read-only${a.readOnlyHint ? `: ${a.readOnlyHint}` : ''} (accepted: ${accepted})`);
      return unprocessable(`attribute "${k}" can only be set when ${creating ? 'updating' : 'creating'} a ${spec.what} (accepted: ${accepted})`);
    },
  });
  const rels: Record<string, Linkage | Linkage[] | null> = {};
  const acceptedRels = Object.entries(spec.relationships)
    .filter(([, r]) => relWritable(r, creating))
    .map(([k]) => k);
  for (const [k, v] of Object.entries(relationships ?? {})) {
    const r = spec.relationships[k];
    if (r === undefined) throw unprocessable(`unknown relationship "${k}" (accepted: ${acceptedRels.length ? list(acceptedRels) : 'none'})`);
    if (!relWritable(r, creating)) throw unprocessable(`relationship "${k}" is read-only (accepted: ${acceptedRels.length ? list(acceptedRels) : 'none'})`);
    rels[k] = parseRelationship(state, k, r, v);
  }
  if (creating) {
    requireMembers(attrs, members);
    for (const [k, r] of Object.entries(spec.relationships)) {
      if (r.required === true && (rels[k] === undefined || rels[k] === null)) throw unprocessable(`relationship "${k}" is required`);
    }
  }
  return { attributes: attrs, relationships: rels };
}

function relWritable(r: RelDef, creating: boolean): boolean {
  if (r.readOnly === true) return false;
  if (r.access !== undefined) return writable(r.access, creating);
  return r.derive === undefined || r.assign !== undefined;
}

function defaultValue(a: AttrDef): unknown {
  return typeof a.default === 'function' ? (a.default as () => unknown)() : structuredClone(a.default);
}

/** Builds, checks and stores a new record. Create-only attributes that are not response attributes land in `extra`. */
export function createRecord(
  state: SandboxState,
  reg: Registry,
  spec: ResourceSpec,
  given: WriteContext['given'],
  id: string,
): ResourceRecord {
  const now = isoNow();
  const rec: ResourceRecord = { id, type: spec.type, attributes: {}, relationships: {} };
  const extra: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(spec.attributes)) {
    if (a.derive) continue;
    if (given.attributes[k] !== undefined) rec.attributes[k] = given.attributes[k];
    else if (a.default !== undefined) rec.attributes[k] = defaultValue(a);
    else rec.attributes[k] = null;
  }
  if ('created_at' in spec.attributes) rec.attributes['created_at'] = now;
  if ('updated_at' in spec.attributes) rec.attributes['updated_at'] = now;
  const assigns: Array<() => void> = [];
  for (const [k, r] of Object.entries(spec.relationships)) {
    const v = given.relationships[k];
    if (r.assign && v !== undefined) assigns.push(() => r.assign?.(state, rec, linkages(v).map((l) => l.id)));
    else if (v !== undefined) rec.relationships[k] = v;
    else rec.relationships[k] = r.many ? [] : null;
  }
  const ctx: WriteContext = { state, rec, given, extra };
  spec.check?.(ctx);
  spec.beforeWrite?.(ctx);
  state.records.put(rec);
  for (const a of assigns) a();
  refreshAll(state, reg);
  return rec;
}

/** Applies an update: only the given attributes and relationships change. */
export function updateRecord(state: SandboxState, reg: Registry, spec: ResourceSpec, rec: ResourceRecord, given: WriteContext['given']): ResourceRecord {
  const next: ResourceRecord = structuredClone(rec);
  Object.assign(next.attributes, given.attributes);
  const assigns: Array<() => void> = [];
  for (const [k, v] of Object.entries(given.relationships)) {
    const r = spec.relationships[k];
    if (r?.assign) assigns.push(() => r.assign?.(state, rec, linkages(v).map((l) => l.id)));
    else next.relationships[k] = v;
  }
  const ctx: WriteContext = { state, rec: next, before: rec, given, extra: {} };
  spec.check?.(ctx);
  spec.beforeWrite?.(ctx);
  if ('updated_at' in spec.attributes) next.attributes['updated_at'] = isoNow();
  // Keep the stored object's identity: other modules may hold it.
  rec.attributes = next.attributes;
  rec.relationships = next.relationships;
  for (const a of assigns) a();
  refreshAll(state, reg);
  return rec;
}

/** Deletes a record; stored links to it are dropped, or their records deleted too where the spec says cascade. */
export function deleteRecord(state: SandboxState, reg: Registry, rec: ResourceRecord): void {
  const queue: ResourceRecord[] = [rec];
  const gone = new Set<string>();
  while (queue.length > 0) {
    const r = queue.shift() as ResourceRecord;
    const key = `${r.type}/${r.id}`;
    if (gone.has(key)) continue;
    gone.add(key);
    state.records.delete(r.type, r.id);
    for (const spec of reg.specs.values()) {
      for (const [name, def] of Object.entries(spec.relationships)) {
        // Purely derived sides hold nothing of their own; stored ones (even if derived for some records) are cleaned.
        if ((def.derive && def.access === undefined) || def.target !== r.type) continue;
        for (const other of state.records.list(spec.type)) {
          const v = other.relationships[name];
          if (Array.isArray(v)) {
            if (v.some((l) => l.id === r.id)) other.relationships[name] = v.filter((l) => l.id !== r.id);
          } else if (v && v.id === r.id) {
            if (def.onTargetDelete === 'cascade') queue.push(other);
            else other.relationships[name] = null;
          }
        }
      }
    }
  }
  refreshAll(state, reg);
}


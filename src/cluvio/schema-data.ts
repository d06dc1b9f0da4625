/** Cluvio's schema data (Get Schema Data) in one normalised shape: schemas → tables → columns with a type. */

export interface SchemaColumn {
  name: string;
  type: string;
}
export interface SchemaTable {
  name: string;
  columns: SchemaColumn[];
}
export interface SchemaInfo {
  name: string;
  tables: SchemaTable[];
}

/** The data server answers `{schemas: [...]}` for all schemas, or one schema object when `name` was given. */
export function normaliseSchemas(raw: unknown): SchemaInfo[] {
  let list: unknown[] = [];
  if (Array.isArray(raw)) list = raw;
  else if (raw && typeof raw === 'object') {
    const r = raw as { schemas?: unknown; name?: unknown };
    if (Array.isArray(r.schemas)) list = r.schemas;
    else if (typeof r.name === 'string') list = [raw];
  }
  return list
    .filter((s): s is { name: string; tables?: unknown } => !!s && typeof (s as { name?: unknown }).name === 'string')
    .map((s) => ({
      name: s.name,
      tables: (Array.isArray(s.tables) ? s.tables : [])
        .filter((t): t is { name: string; columns?: unknown } => !!t && typeof (t as { name?: unknown }).name === 'string')
        .map((t) => ({
          name: t.name,
          columns: (Array.isArray(t.columns) ? t.columns : [])
            .filter((c): c is { name: string; db_type?: unknown; data_type?: unknown } => !!c && typeof (c as { name?: unknown }).name === 'string')
            .map((c) => ({ name: c.name, type: String(c.db_type ?? c.data_type ?? '') })),
        })),
    }));
}


/**
 * What each operation's answer is documented to look like: src/check/reference.json, derived from Cluvio's API
 * reference by scripts/reference-shapes.mjs (keyed by the reference's operation titles).
 */
import reference from './reference.json' with { type: 'json' };

export interface Documented {
  /** How many alternative permissions the operation's "Authorizations" section lists. */
  authorizations: number;
  /** The documented Content-Type of a successful answer; null when the answer has no body. */
  content_type: string | null;
  /** The reference says the operation may answer 204 (no content). */
  no_content?: boolean;
  /** The data-server operation whose data key and token this operation hands out ("Get Schema Data"). */
  grants?: string;
  /** A JSON:API answer: the resource type, one or many, attribute names and relationship names → linked type. */
  jsonapi?: { type: string; many: boolean; attributes: string[]; relationships: Record<string, string | null> };
  /** A plain JSON answer: its top-level keys. */
  keys?: string[];
}

const OPERATIONS = reference.operations as Record<string, Documented>;

/** The reference's version, as in the file name of the text it was derived from. */
export const REFERENCE_VERSION = /v(\d{4}-\d{2}-\d{2})/.exec(reference.source)?.[1] ?? 'unknown';

export function documented(title: string): Documented | undefined {
  return OPERATIONS[title];
}

/** "Get Schema Data" → "getSchemaData": how the reference's data-server operations are named in check's output. */
export function operationIdOf(title: string): string {
  return title.replace(/[^A-Za-z]+/g, ' ').trim().split(' ').map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))).join('');
}

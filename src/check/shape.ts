/**
 * One answer against what the reference documents for it. Problems make the answer fail (it is not what the
 * catalog and the tools rely on: no answer, another JSON:API type, one object where a list is documented);
 * differences are reported and never fatal (attributes the reference documents and the answer leaves out —
 * some only appear with certain permissions — and attributes it carries that the reference does not document;
 * the same for relationships and plain JSON keys; another Content-Type).
 */
import type { Documented } from './reference.js';

export interface Answer {
  status: number;
  contentType?: string;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export interface Differences {
  /** What makes the answer fail. Empty: answered as documented. */
  problems: string[];
  /** The Content-Type that came, when it is not the documented one. */
  contentType?: string;
  /** Documented, absent from the answer: attribute or key names, relationships as `relationships.<name>`. */
  missing: string[];
  /** In the answer, not documented. */
  undocumented: string[];
}

/** "application/vnd.api+json; charset=utf-8" → "application/vnd.api+json". */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

export function compare(doc: Documented, answer: Answer): Differences {
  const out: Differences = { problems: [], missing: [], undocumented: [] };
  if (answer.status < 200 || answer.status > 299) {
    out.problems.push(`HTTP ${answer.status}`);
    return out;
  }
  if (answer.body === undefined) {
    if (doc.content_type && !doc.no_content) out.problems.push(`HTTP ${answer.status} without a body; documented: ${doc.content_type}`);
    return out;
  }
  if (doc.content_type && mediaType(answer.contentType) !== doc.content_type) out.contentType = mediaType(answer.contentType) ?? 'none';
  if (doc.jsonapi) jsonApi(doc.jsonapi, answer.body, out);
  else if (doc.keys) plain(doc.keys, answer.body, out);
  return out;
}

function jsonApi(doc: NonNullable<Documented['jsonapi']>, body: unknown, out: Differences): void {
  const data = isObject(body) ? body.data : undefined;
  if (data === undefined) {
    out.problems.push('no JSON:API "data" member');
    return;
  }
  if (Array.isArray(data) !== doc.many) {
    out.problems.push(doc.many ? 'one object where a list is documented' : 'a list where one object is documented');
    return;
  }
  const items = (Array.isArray(data) ? data : [data]).filter(isObject);
  for (const item of items) {
    if (item.type !== doc.type) {
      out.problems.push(`type "${String(item.type)}", documented "${doc.type}"`);
      return;
    }
  }
  if (items.length === 0) return;
  const attributes = new Set(items.flatMap((item) => Object.keys(isObject(item.attributes) ? item.attributes : {})));
  const relationships = new Map<string, unknown>();
  for (const item of items) for (const [name, rel] of Object.entries(isObject(item.relationships) ? item.relationships : {})) relationships.set(name, rel);
  out.missing.push(...doc.attributes.filter((a) => !attributes.has(a)));
  out.undocumented.push(...[...attributes].filter((a) => !doc.attributes.includes(a)));
  for (const name of Object.keys(doc.relationships)) if (!relationships.has(name)) out.missing.push(`relationships.${name}`);
  for (const [name, rel] of relationships) {
    if (!(name in doc.relationships)) {
      out.undocumented.push(`relationships.${name}`);
      continue;
    }
    const documentedType = doc.relationships[name];
    const linked = isObject(rel) ? rel.data : undefined;
    for (const linkage of (Array.isArray(linked) ? linked : [linked]).filter(isObject)) {
      if (documentedType && linkage.type !== documentedType) {
        out.problems.push(`relationship ${name} links type "${String(linkage.type)}", documented "${documentedType}"`);
        return;
      }
    }
  }
}

function plain(keys: string[], body: unknown, out: Differences): void {
  if (!isObject(body)) {
    out.problems.push(`${Array.isArray(body) ? 'a list' : typeof body} where a JSON object is documented`);
    return;
  }
  out.missing.push(...keys.filter((k) => !(k in body)));
  out.undocumented.push(...Object.keys(body).filter((k) => !keys.includes(k)));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Recordings: what check saw, with every value replaced by its type, so a user can attach one to a bug report
 * without sending anything of the account. Strings become `<string>`, `<date-time>` or `<date>`; ids keep only
 * their shape (`<id:aaaa-aaa-9999>`: letters, digits and separators); credentials and data keys `<secret>`;
 * numbers `<integer>` or `<number>`; booleans `<boolean>`; null stays null. Object keys are the API's own names
 * and stay, unless they do not look like one (`<key>`); the only literal values kept are JSON:API type names
 * ("datasources") of objects with an id. A list keeps one element: the merged type of all of them.
 * `shapeDifferences` compares two such shapes: scripts/recording-to-fixture.mjs turns a recording into a
 * contract fixture under test/contract/, which test/contract/contract.test.ts checks against the sandbox.
 */
import type { Checker, Probe } from './runner.js';
import { mediaType } from './shape.js';

export type Typed = null | string | Typed[] | { [key: string]: Typed };

const API_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const TYPE_NAME = /^[a-z][a-z_]{0,39}$/;
const SECRET = /password|secret|token|service_key|data_key|api_key|authorization/i;
const ID = /^(id|.+_id)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A JSON value → its type, as described above. `key` is the member it is the value of. */
export function typeOf(value: unknown, key = ''): Typed {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return '<boolean>';
  if (typeof value === 'number') return Number.isInteger(value) ? '<integer>' : '<number>';
  if (typeof value === 'string') {
    if (SECRET.test(key)) return '<secret>';
    if (ID.test(key)) return `<id:${value.replace(/[a-z]/g, 'a').replace(/[A-Z]/g, 'A').replace(/[0-9]/g, '9').replace(/[^aA9\-_.:]/g, '?')}>`;
    if (DATE_TIME.test(value)) return '<date-time>';
    if (DATE.test(value)) return '<date>';
    return '<string>';
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => typeOf(v, key));
    return items.length === 0 ? [] : [items.reduce((a, b) => merge(a, b))];
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const out: Record<string, Typed> = {};
    for (const [k, v] of Object.entries(object)) {
      const name = API_NAME.test(k) ? k : '<key>';
      const typed = k === 'type' && 'id' in object && typeof v === 'string' && TYPE_NAME.test(v) ? v : typeOf(v, name === '<key>' ? '' : k);
      out[name] = name in out ? merge(out[name]!, typed) : typed;
    }
    return out;
  }
  return '<string>';
}

/** One type for two values of the same place (list items): objects merge by key, null gives way, others join with "|". */
export function merge(a: Typed, b: Typed): Typed {
  if (a === null) return b;
  if (b === null || a === b) return a;
  if (Array.isArray(a) && Array.isArray(b)) {
    const all = [...a, ...b];
    return all.length === 0 ? [] : [all.reduce((x, y) => merge(x, y))];
  }
  if (isTypedObject(a) && isTypedObject(b)) {
    const out: Record<string, Typed> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k]!, v) : v;
    return out;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.startsWith('<id') && b.startsWith('<id')) return '<id>';
    return [...new Set([...a.split('|'), ...b.split('|')])].sort().join('|');
  }
  return typeof a === 'string' ? b : a;
}

/**
 * Where `actual` contradicts `expected` (both typed): a member `expected` has that `actual` lacks, another type, or
 * another JSON:API type name. What `expected` does not show (null, an empty list, members it lacks) is not compared;
 * ids match ids of any shape, and null in `actual` matches any type.
 */
export function shapeDifferences(expected: Typed, actual: Typed | undefined, path = '$'): string[] {
  if (expected === null || actual === null) return [];
  if (actual === undefined) return [`${path}: missing`];
  if (typeof expected === 'string') {
    if (typeof actual !== 'string') return [`${path}: ${describe(actual)}, expected ${expected}`];
    if (expected.startsWith('<id') && actual.startsWith('<id')) return [];
    const want = expected.split('|');
    return actual.split('|').some((t) => want.includes(t)) ? [] : [`${path}: ${actual}, expected ${expected}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: ${describe(actual)}, expected a list`];
    return expected.length === 0 || actual.length === 0 ? [] : shapeDifferences(expected[0]!, actual[0], `${path}[]`);
  }
  if (!isTypedObject(actual)) return [`${path}: ${describe(actual)}, expected an object`];
  return Object.entries(expected)
    .filter(([k]) => k !== '<key>')
    .flatMap(([k, v]) => shapeDifferences(v, actual[k], `${path}.${k}`));
}

function isTypedObject(t: Typed | undefined): t is { [key: string]: Typed } {
  return !!t && typeof t === 'object' && !Array.isArray(t);
}

function describe(t: Typed): string {
  return Array.isArray(t) ? 'a list' : typeof t === 'string' ? t : 'an object';
}

/** A text of ours that may quote something the account sent (a type name): anything quoted that is not a name goes. */
export function sanitised(text: string): string {
  return text.replace(/"([^"]*)"/g, (all, inner: string) => (TYPE_NAME.test(inner) ? all : '"<string>"'));
}

/** A recording: what check saw, keyed by operation, with every value replaced by its type. */
export interface Recording {
  cluvio_mcp_check: 1;
  /** The version of cluvio-mcp that recorded it, and the reference it compared with. */
  cluvio_mcp: string;
  reference: string;
  /** Which Cluvio servers: a region, or "custom" (a private deployment's URL is not recorded). */
  server: string;
  /** How the server answered a route that cannot exist and an id that cannot exist (see not-found.ts). */
  not_found: { route: RecordedProbe | null; object: RecordedProbe | null; distinguishable: boolean };
  operations: Record<string, RecordedOperation>;
}

export interface RecordedProbe {
  status: number | null;
  content_type: string | null;
  /** The error texts, typed: they may quote the path or id. */
  details: Typed;
}

export interface RecordedOperation {
  /** The configured route, and the one that answered when it was found elsewhere. */
  route: string;
  found_route?: string;
  verdict: string;
  /** check's own words when it did not send the request (never Cluvio's, which may quote the account). */
  reason?: string;
  /** The status of the configured route. */
  status: number | null;
  /** What answered (at found_route when there is one): its status, media type and body, typed. */
  answer?: { status: number; content_type: string | null; body?: Typed };
  problems?: string[];
  missing?: string[];
  undocumented?: string[];
  tried?: Array<{ route: string; status?: number; ms: number }>;
}

/** The parts of a check run a recording keeps → the recording. */
export function recordingOf(seen: Pick<Checker, 'rows' | 'probes'>, meta: { version: string; reference: string; server: string }): Recording {
  const name = (n: string) => (API_NAME.test(n.replace(/^relationships\./, '')) ? n : '<key>');
  const probe = (p?: Probe): RecordedProbe | null =>
    p ? { status: p.status ?? null, content_type: mediaType(p.contentType) ?? null, details: typeOf(p.details ?? []) } : null;
  const operations: Record<string, RecordedOperation> = {};
  for (const r of seen.rows) {
    const d = r.differences;
    operations[r.operation] = {
      route: r.route,
      ...(r.found ? { found_route: r.found } : {}),
      verdict: r.verdict,
      ...(r.verdict === 'not checked' && r.reason ? { reason: r.reason } : {}),
      status: r.status ?? null,
      ...(r.answer
        ? {
            answer: {
              status: r.answer.status,
              content_type: mediaType(r.answer.contentType) ?? null,
              ...(r.answer.body !== undefined ? { body: typeOf(r.answer.body) } : {}),
            },
          }
        : {}),
      ...(d?.problems.length ? { problems: d.problems.map(sanitised) } : {}),
      ...(d?.missing.length ? { missing: d.missing.map(name) } : {}),
      ...(d?.undocumented.length ? { undocumented: d.undocumented.map(name) } : {}),
      ...(r.tried?.length ? { tried: r.tried } : {}),
    };
  }
  const { probes } = seen;
  return {
    cluvio_mcp_check: 1,
    cluvio_mcp: meta.version,
    reference: meta.reference,
    server: meta.server,
    not_found: {
      route: probe(probes.routeAnswer),
      object: probe(probes.objectAnswer),
      distinguishable: probes.route !== undefined && probes.object !== undefined && probes.route !== probes.object,
    },
    operations,
  };
}

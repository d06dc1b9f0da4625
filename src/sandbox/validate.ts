/**
 * The one validator of what requests send: JSON:API attributes (datasources and the organisation's
 * records), the plain JSON bodies of actions and work routes, InputParameters. A `Field` says what a
 * value may be — type, enum, format, range, transcribed from the reference — and every refusal is a
 * 422 naming the member and what it accepts.
 */
import { ApiError, unprocessable } from './http.js';

export interface Format {
  /** e.g. "a comma-separated list of e-mail addresses" */
  hint: string;
  test: (s: string) => boolean;
}

export type Field =
  | { kind: 'string'; enum?: readonly string[]; format?: Format; nonEmpty?: boolean }
  | { kind: 'integer' | 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  /** string | number | boolean | null */
  | { kind: 'scalar' }
  | { kind: 'array'; items: Field }
  | { kind: 'object'; fields: Record<string, Field>; required?: readonly string[] }
  | { kind: 'any' };

export const str = (o: Omit<Extract<Field, { kind: 'string' }>, 'kind'> = {}): Field => ({ kind: 'string', ...o });
export const int = (o: { min?: number; max?: number } = {}): Field => ({ kind: 'integer', ...o });
export const num = (o: { min?: number; max?: number } = {}): Field => ({ kind: 'number', ...o });
export const bool: Field = { kind: 'boolean' };
export const scalar: Field = { kind: 'scalar' };
export const any: Field = { kind: 'any' };
export const arr = (items: Field): Field => ({ kind: 'array', items });
export const obj = (fields: Record<string, Field>, required: readonly string[] = []): Field => ({ kind: 'object', fields, required });

/** The word errors use: 'attribute' (JSON:API attributes, work bodies) or 'parameter' (the bodies of actions). */
export type Noun = 'attribute' | 'parameter';

export const list = (xs: readonly string[]): string => xs.join(', ');
/** Accepted enum values: quoted when one of them is not a plain word (e.g. CSV separators). */
const accepted = (xs: readonly string[]): string => (xs.every((x) => /^\w+$/.test(x)) ? list(xs) : xs.map((x) => JSON.stringify(x)).join(', '));

function typeName(f: Field): string {
  switch (f.kind) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'scalar':
      return 'a string, number, boolean or null';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'any':
      return 'any value';
  }
}

/** Validates one value against a field; `name` is the member's path for messages (e.g. `time_zone_config.type`). */
export function checkField(name: string, value: unknown, f: Field, what: Noun = 'attribute'): void {
  const bad = (why: string): never => {
    throw unprocessable(`${what} "${name}" ${why}`);
  };
  switch (f.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') bad(`must be ${typeName(f)}`);
      if (f.enum !== undefined && !f.enum.includes(value as string)) {
        bad(`has invalid value ${JSON.stringify(value)} (accepted: ${accepted(f.enum)})`);
      }
      if (f.nonEmpty === true && (value as string).trim() === '') bad('must not be empty');
      if (f.format !== undefined && !f.format.test(value as string)) bad(`has invalid value ${JSON.stringify(value)} (expected ${f.format.hint})`);
      return;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) bad(`must be ${typeName(f)}`);
      if (f.kind === 'integer' && !Number.isInteger(value)) bad('must be an integer');
      if (f.min !== undefined && (value as number) < f.min) bad(`must be at least ${f.min}`);
      if (f.max !== undefined && (value as number) > f.max) bad(`must be at most ${f.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') bad('must be a boolean');
      return;
    case 'scalar':
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) bad(`must be ${typeName(f)}`);
      return;
    case 'array':
      if (!Array.isArray(value)) bad(`must be an array`);
      (value as unknown[]).forEach((v, i) => checkField(`${name}[${i}]`, v, f.items, what));
      return;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('must be an object');
      const o = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(o)) {
        const sub = f.fields[k];
        if (sub === undefined) throw unprocessable(`unknown ${what} "${name}.${k}" (accepted: ${list(Object.keys(f.fields))})`);
        if (v === null && !(f.required ?? []).includes(k)) continue;
        checkField(`${name}.${k}`, v, sub, what);
      }
      for (const k of f.required ?? []) if (o[k] === undefined || o[k] === null) bad(`needs "${k}"`);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Formats the reference describes in words

const TIME = String.raw`(?:(?:[01]?\d|2[0-3]):[0-5]\d|(?:0?[1-9]|1[0-2]):[0-5]\d(?:am|pm|AM|PM))`;
const TIMES = `${TIME}(?:,${TIME})*`;
const DAY_OF_MONTH = '(?:[1-9]|[12]\\d|3[01])';
const SCHEDULE = new RegExp(`^(?:disabled|daily;${TIMES}|weekly;[0-6](?:,[0-6])*;${TIMES}|monthly;${DAY_OF_MONTH}(?:,${DAY_OF_MONTH})*;${TIMES})$`);
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

const items = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export const FORMATS = {
  emails: { hint: 'a comma-separated list of e-mail addresses', test: (s: string) => items(s).every((x) => EMAIL.test(x)) },
  email: { hint: 'an e-mail address', test: (s: string) => EMAIL.test(s.trim()) },
  times: { hint: 'comma-separated times of day, e.g. 06:00,9:00pm', test: (s: string) => new RegExp(`^${TIMES}$`).test(s.replace(/\s+/g, '')) },
  time: { hint: 'a time of day HH:MM', test: (s: string) => /^(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$/.test(s) },
  schedule: {
    hint: 'disabled, daily;<times>, weekly;<days 0-6>;<times> or monthly;<days 1-31>;<times>, e.g. weekly;0,2,4;06:00',
    test: (s: string) => SCHEDULE.test(s),
  },
  timerange: { hint: '<unix-start>~<unix-end>, either side optional', test: (s: string) => /^\s*\d*\s*~\s*\d*\s*$/.test(s) },
  timeZone: {
    hint: 'an IANA time zone such as Europe/Berlin',
    test: (s: string) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: s });
        return true;
      } catch {
        return false;
      }
    },
  },
  uri: { hint: 'a URL', test: (s: string) => URL.canParse(s) },
} satisfies Record<string, Format>;

/** A comma-separated list whose items come from a fixed set. */
export function commaListOf(values: readonly string[]): Format {
  return {
    hint: `a comma-separated list of ${list(values)}`,
    test: (s) => items(s).length > 0 && items(s).every((x) => values.includes(x)),
  };
}

// ---------------------------------------------------------------------------------------------
// Sets of members: attributes, bodies

/** A member of an attribute set or a body. Null is refused unless `nullable`. */
export interface Member {
  field: Field;
  /** Must be given (on create, for attributes). */
  required?: boolean;
  nullable?: boolean;
}

export interface MemberOptions {
  what?: Noun;
  /** Required members may be left out (an update; or the caller checks them later with requireMembers). */
  partial?: boolean;
  /** The error for a member that is not in the set (default: unknown, naming the accepted ones). */
  unknown?: (key: string) => ApiError;
}

/**
 * Checks each given member in order (unknown, null, then its field), then that the required ones are
 * there. Returns the members given.
 */
export function checkMembers(values: Record<string, unknown>, members: Record<string, Member>, opts: MemberOptions = {}): Record<string, unknown> {
  const what = opts.what ?? 'attribute';
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const m = members[key];
    if (m === undefined) throw opts.unknown?.(key) ?? unprocessable(`unknown ${what} "${key}" (accepted: ${list(Object.keys(members))})`);
    if (value === null) {
      if (m.nullable !== true) throw unprocessable(`${what} "${key}" must not be null`);
    } else checkField(key, value, m.field, what);
    out[key] = value;
  }
  if (opts.partial !== true) requireMembers(out, members, what);
  return out;
}

export function requireMembers(given: Record<string, unknown>, members: Record<string, Member>, what: Noun = 'attribute'): void {
  for (const [key, m] of Object.entries(members)) {
    if (m.required === true && given[key] === undefined) throw unprocessable(`${what} "${key}" is required`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A plain JSON body checked against its members; no body is `{}`, or 400 when a member is required. */
export function plainBody(body: unknown, members: Record<string, Member>, what: Noun = 'attribute'): Record<string, unknown> {
  if (body === undefined) {
    if (Object.values(members).some((m) => m.required === true)) throw new ApiError(400, 'request body is required');
    return {};
  }
  if (!isObject(body)) throw unprocessable('request body must be a JSON object');
  return checkMembers(body, members, { what });
}

/** `{data:{type?, id?, attributes, relationships?}}` → its parts, checking the resource type. */
export function jsonApiData(
  body: unknown,
  type: string,
  opts: { attributesRequired?: boolean } = {},
): { attributes: Record<string, unknown>; relationships: Record<string, unknown> | undefined } {
  if (body === undefined) throw new ApiError(400, 'request body is required');
  if (!isObject(body)) throw unprocessable('request body must be a JSON object');
  const d = body['data'];
  if (!isObject(d)) throw unprocessable('"data" is required and must be an object');
  for (const k of Object.keys(d)) {
    if (!['type', 'id', 'attributes', 'relationships'].includes(k)) {
      throw unprocessable(`unknown member "data.${k}" (accepted: type, id, attributes, relationships)`);
    }
  }
  if (d['type'] !== undefined && d['type'] !== type) throw unprocessable(`"data.type" must be "${type}"`);
  if (d['attributes'] === undefined && opts.attributesRequired !== false) throw unprocessable('"data.attributes" is required');
  const rel = d['relationships'];
  if (rel !== undefined && !isObject(rel)) throw unprocessable('"data.relationships" must be an object');
  const attributes = d['attributes'] ?? {};
  if (!isObject(attributes)) throw unprocessable('"data.attributes" must be an object');
  return { attributes, relationships: rel };
}

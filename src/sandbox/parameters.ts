/**
 * Cluvio query parameters: what requests may give (InputParameters) and their rewriting into the
 * SQL (PostgreSQL flavour), a pure function.
 *
 * Forms (see shared/cluvio-query-parameters.md):
 *   condition       {col=timerange} {[expr]=timerange} {col=timerange.next|previous} {col=my_filter}
 *   transformation  {col:aggregation} {[expr]:aggregation}
 *   value           {timerange.start} {timerange.end}
 *
 * Braces inside string literals, quoted identifiers, dollar-quoted strings and comments are left
 * alone, as is any brace group that matches none of the forms (e.g. `{}` or `{1,2}`).
 * Parameter values never reach the SQL unescaped: strings are quoted with doubled quotes,
 * numbers must be finite, booleans become TRUE/FALSE, timestamps are formatted by us.
 */

import { FORMATS, arr, checkField, obj, scalar, str, type Field, type Member } from './validate.js';

export type FilterValue = number | string | boolean | null;

export interface QueryParameters {
  timerange?: string;
  aggregation?: string;
  tz?: string;
  filters?: Array<{ variable_name: string; selected_values?: FilterValue[] | null }>;
}

export interface RewriteOptions {
  /** Time zone for timestamp literals when parameters.tz is absent (the datasource's). Default UTC. */
  defaultTimeZone?: string;
}

export class ParameterError extends Error {
  override name = 'ParameterError';
}

export const AGGREGATIONS = [
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'week_sunday',
  'month',
  'quarter',
  'year',
  'all_time',
] as const;

/** InputParameters (FilterInput: variable_name, selected_values); `stored` checks the formats the reference describes too. */
function inputParameters(stored: boolean): Field {
  return obj({
    timerange: str(stored ? { format: FORMATS.timerange } : {}),
    aggregation: str({ enum: AGGREGATIONS }),
    tz: str(stored ? { format: FORMATS.timeZone } : {}),
    filters: arr(obj({ variable_name: str(stored ? { nonEmpty: true } : {}), selected_values: arr(scalar) }, ['variable_name'])),
  });
}

/** InputParameters in a request: a malformed timerange or time zone is the query's parameter error, not the request's. */
const INPUT_PARAMETERS = inputParameters(false);
/** InputParameters stored with a dashboard or schedule: checked in full when written. */
export const STORED_INPUT_PARAMETERS = inputParameters(true);
/** The `parameters` member of a request body (null = none). */
export const PARAMETERS: Member = { field: INPUT_PARAMETERS, nullable: true };

/** Checked InputParameters as the rewriter takes them: null members dropped, undefined for none. */
export function queryParameters(p: unknown): QueryParameters | undefined {
  if (p === undefined || p === null) return undefined;
  return Object.fromEntries(Object.entries(p as Record<string, unknown>).filter(([, v]) => v !== null)) as QueryParameters;
}

/** Checks InputParameters (422 naming the member) → queryParameters. */
export function parseInputParameters(p: unknown): QueryParameters | undefined {
  if (p !== undefined && p !== null) checkField('parameters', p, INPUT_PARAMETERS);
  return queryParameters(p);
}

const TRUE_SQL = '(1=1)';

const IDENT = String.raw`(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")`;
const COLUMN_RE = new RegExp(String.raw`^\s*(${IDENT}(?:\s*\.\s*${IDENT})*)\s*$`);
const VAR_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*$/;

interface Range {
  start: number | null;
  end: number | null;
}

export function parseTimerange(input: string | undefined): Range {
  if (input === undefined || input.trim() === '') return { start: null, end: null };
  const m = /^\s*(-?\d+(?:\.\d+)?)?\s*~\s*(-?\d+(?:\.\d+)?)?\s*$/.exec(input);
  if (m === null) {
    throw new ParameterError(`invalid timerange "${input}": expected "<unix-start>~<unix-end>" (both optional)`);
  }
  const start = m[1] === undefined ? null : Number(m[1]);
  const end = m[2] === undefined ? null : Number(m[2]);
  if (start !== null && end !== null && start > end) {
    throw new ParameterError(`invalid timerange "${input}": start is after end`);
  }
  return { start, end };
}

function shiftRange(r: Range, selector: string): Range {
  if (selector === 'next' || selector === 'previous') {
    if (r.start === null || r.end === null) return { start: null, end: null };
    const len = r.end - r.start + 1;
    return selector === 'next' ? { start: r.end + 1, end: r.end + len } : { start: r.start - len, end: r.start - 1 };
  }
  throw new ParameterError(`unknown timerange selector "${selector}" (accepted: next, previous, start, end)`);
}

function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new ParameterError(`unknown time zone "${tz}"`);
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Unix seconds → wall time in tz with its UTC offset, e.g. 2024-03-16T00:00:00+01:00. */
export function formatTimestamp(unixSeconds: number, tz: string, endOfSecond = false): string {
  const ms = Math.floor(unixSeconds) * 1000;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
  const y = get('year');
  const wall = Date.UTC(y, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offsetMin = Math.round((wall - ms) / 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const frac = endOfSecond ? '.999999' : '';
  return (
    `${pad(y, 4)}-${pad(get('month'))}-${pad(get('day'))}T${pad(get('hour'))}:${pad(get('minute'))}:${pad(get('second'))}` +
    `${frac}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

export function quoteLiteral(s: string): string {
  if (s.includes('\0')) throw new ParameterError('parameter values must not contain NUL characters');
  return `'${s.replace(/'/g, "''")}'`;
}

export function sqlValue(v: unknown, variable: string): string {
  if (typeof v === 'string') return quoteLiteral(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ParameterError(`filter "${variable}": numbers must be finite`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  throw new ParameterError(`filter "${variable}": values must be numbers, strings, booleans or null`);
}

function timerangeCondition(expr: string, r: Range, tz: string): string {
  const parts: string[] = [];
  if (r.start !== null) parts.push(`(${expr}) >= ${quoteLiteral(formatTimestamp(r.start, tz))}`);
  if (r.end !== null) parts.push(`(${expr}) <= ${quoteLiteral(formatTimestamp(r.end, tz, true))}`);
  return parts.length === 0 ? TRUE_SQL : `(${parts.join(' AND ')})`;
}

function filterCondition(expr: string, variable: string, values: FilterValue[] | null | undefined): string {
  if (values === undefined || values === null || values.length === 0) return TRUE_SQL;
  if (!Array.isArray(values)) throw new ParameterError(`filter "${variable}": selected_values must be an array`);
  const nonNull = values.filter((v) => v !== null);
  const hasNull = nonNull.length < values.length;
  const conds: string[] = [];
  if (nonNull.length === 1) conds.push(`(${expr}) = ${sqlValue(nonNull[0], variable)}`);
  else if (nonNull.length > 1) conds.push(`(${expr}) IN (${nonNull.map((v) => sqlValue(v, variable)).join(', ')})`);
  if (hasNull) conds.push(`(${expr}) IS NULL`);
  return conds.length === 1 ? `(${conds[0]})` : `(${conds.join(' OR ')})`;
}

export function aggregationExpr(expr: string, agg: string): string {
  const e = `(${expr})::timestamp`;
  switch (agg) {
    case 'second':
    case 'minute':
    case 'hour':
      return `DATE_TRUNC('${agg}', ${e})`;
    case 'day':
    case 'week':
    case 'month':
    case 'quarter':
    case 'year':
      return `DATE_TRUNC('${agg}', ${e})::date`;
    case 'week_sunday':
      return `(DATE_TRUNC('week', ${e} + INTERVAL '1 day') - INTERVAL '1 day')::date`;
    case 'all_time':
      return 'NULL::date';
    default:
      throw new ParameterError(`invalid aggregation "${agg}" (accepted: ${AGGREGATIONS.join(', ')})`);
  }
}

/** Parse the inside of `{…}` into its expression (or null for value form), operator and variable. */
function parseGroup(inner: string): { expr: string | null; op: '=' | ':' | null; variable: string; selector: string | null } | null {
  let expr: string | null = null;
  let rest = inner;
  const trimmed = inner.trimStart();
  if (trimmed.startsWith('[')) {
    let depth = 0;
    let close = -1;
    for (let i = 0; i < trimmed.length; i++) {
      const c = trimmed[i];
      if (c === '[') depth++;
      else if (c === ']') {
        depth--;
        if (depth === 0) {
          close = i;
          break;
        }
      }
    }
    if (close < 0) return null;
    expr = trimmed.slice(1, close).trim();
    rest = trimmed.slice(close + 1);
    if (expr === '') return null;
    const m = /^\s*([=:])(.*)$/s.exec(rest);
    if (m === null) return null;
    const v = VAR_RE.exec(m[2] ?? '');
    if (v === null) return null;
    return { expr, op: m[1] as '=' | ':', variable: v[1] ?? '', selector: v[2] ?? null };
  }
  const opIdx = inner.search(/[=:]/);
  if (opIdx >= 0) {
    const col = COLUMN_RE.exec(inner.slice(0, opIdx));
    const v = VAR_RE.exec(inner.slice(opIdx + 1));
    if (col === null || v === null) return null;
    return { expr: (col[1] ?? '').trim(), op: inner[opIdx] as '=' | ':', variable: v[1] ?? '', selector: v[2] ?? null };
  }
  const v = VAR_RE.exec(inner);
  if (v === null || v[2] === undefined) return null;
  return { expr: null, op: null, variable: v[1] ?? '', selector: v[2] };
}

/**
 * Rewrite every Cluvio parameter expression in `sql` into plain PostgreSQL.
 * Throws ParameterError (message meant for the user) for bad inputs or unknown variables.
 */
export function rewriteParameters(sql: string, params: QueryParameters | undefined, opts: RewriteOptions = {}): string {
  const p = params ?? {};
  const tz = checkTimeZone(p.tz ?? opts.defaultTimeZone ?? 'UTC');
  let range: Range | undefined;
  const getRange = (): Range => (range ??= parseTimerange(p.timerange));
  const agg = p.aggregation ?? 'day';
  const filters = new Map<string, FilterValue[] | null | undefined>();
  for (const f of p.filters ?? []) {
    if (f === null || typeof f !== 'object' || typeof f.variable_name !== 'string') {
      throw new ParameterError('each filter input needs a variable_name');
    }
    filters.set(f.variable_name, f.selected_values);
  }

  const replace = (inner: string): string | null => {
    const g = parseGroup(inner);
    if (g === null) return null;
    if (g.op === null) {
      // value form
      if (g.variable === 'timerange' && (g.selector === 'start' || g.selector === 'end')) {
        const r = getRange();
        const v = g.selector === 'start' ? r.start : r.end;
        return v === null ? 'NULL' : quoteLiteral(formatTimestamp(v, tz, g.selector === 'end'));
      }
      throw new ParameterError(
        `unknown parameter value {${g.variable}.${g.selector ?? ''}} (the sandbox supports {timerange.start} and {timerange.end})`,
      );
    }
    const expr = g.expr ?? '';
    if (g.op === ':') {
      if (g.variable !== 'aggregation' || g.selector !== null) {
        throw new ParameterError(`unknown transformation variable "${g.variable}" (the sandbox supports {column:aggregation})`);
      }
      return aggregationExpr(expr, agg);
    }
    if (g.variable === 'timerange') {
      const r = g.selector === null ? getRange() : shiftRange(getRange(), g.selector);
      return timerangeCondition(expr, r, tz);
    }
    if (g.variable === 'aggregation') throw new ParameterError('aggregation is a transformation: use {column:aggregation}');
    if (g.selector !== null) throw new ParameterError(`unknown selector "${g.selector}" on filter "${g.variable}"`);
    return filterCondition(expr, g.variable, filters.get(g.variable));
  };

  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    // skip literals and comments verbatim
    let end = -1;
    if (c === "'" || c === '"') {
      end = i + 1;
      while (end < n) {
        if (sql[end] === c) {
          if (sql[end + 1] === c) end += 2;
          else break;
        } else if (c === "'" && sql[end] === '\\' && /[eE]/.test(sql[i - 1] ?? '')) end += 2;
        else end++;
      }
      end = Math.min(end + 1, n);
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      end = nl < 0 ? n : nl;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m !== null && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const tag = m[0];
        const close = sql.indexOf(tag, i + tag.length);
        end = close < 0 ? n : close + tag.length;
      }
    }
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '{') {
      const close = sql.indexOf('}', i + 1);
      if (close > i) {
        const replaced = replace(sql.slice(i + 1, close));
        if (replaced !== null) {
          out += replaced;
          i = close + 1;
          continue;
        }
      }
    }
    out += c;
    i++;
  }
  return out;
}

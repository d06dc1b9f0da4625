// Cells and column types of a query result, as charts read them. Pure functions: shared by the MCP Apps view (ui/)
// and the sandbox's exports, so both see the same numbers, times and labels.

export interface Column {
  name: string;
  type: string;
}

const TIME_TYPES = new Set(['DateTime', 'Date', 'Timestamp', 'TimestampTz']);
const NUMERIC_TYPES = new Set(['Integer', 'BigInt', 'Float', 'Number', 'Numeric', 'Decimal', 'Double', 'Int', 'Long']);
const CATEGORY_TYPES = new Set(['String', 'Text', 'Boolean']);

export const isTimeType = (t: string): boolean => TIME_TYPES.has(t);
export const isNumericType = (t: string): boolean => NUMERIC_TYPES.has(t);
export const isCategoryType = (t: string): boolean => CATEGORY_TYPES.has(t);

/** A number from a cell: numbers, numeric strings (BigInt/Decimal often arrive as text); else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/** Milliseconds since the epoch from a Date/DateTime cell; null when it does not parse. */
export function toTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v.trim() === '') return null;
  const s = v.trim();
  // "2024-01-01" is a calendar date: read it as UTC midnight so it does not shift with the viewer's zone.
  // PostgreSQL text output ("2024-01-01 12:00:00+00") gets the ISO separator and a full offset.
  const iso = s.replace(' ', 'T').replace(/(:\d{2}(?:\.\d+)?)([+-]\d{2})(\d{2})?$/, (_, t: string, h: string, m?: string) => `${t}${h}:${m ?? '00'}`);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** A cell as a category label: text as is, null as "(null)", anything else as JSON. */
export function cellLabel(v: unknown): string {
  if (v === null || v === undefined) return '(null)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A column name for a person, and its unit when the name says it: "growth_pct" → "Growth" in "%". */
export function describeColumn(name: string): { title: string; unit: string } {
  const units: Array<[RegExp, string]> = [
    [/[_ ](pct|percent|percentage)$/i, '%'],
    [/[_ ](minutes|mins)$/i, 'min'],
    [/[_ ](hours|hrs)$/i, 'h'],
    [/[_ ](seconds|secs)$/i, 's'],
    [/[_ ]days$/i, 'days'],
  ];
  let base = name;
  let unit = '';
  for (const [re, u] of units) {
    if (re.test(base)) {
      base = base.replace(re, '');
      unit = u;
      break;
    }
  }
  const words = base.replace(/_+/g, ' ').trim();
  return { title: words ? words.charAt(0).toUpperCase() + words.slice(1) : name, unit };
}

/** "Growth (%)", "Avg delay (min)", "Passengers". */
export function columnTitle(name: string): string {
  const { title, unit } = describeColumn(name);
  return unit ? `${title} (${unit})` : title;
}

/** Result rows as a compact pipe table for the model. */

export interface Column {
  name: string;
  /** Cluvio's data type, shown in the header when given. */
  type?: string;
}

const MAX_CELL = 200;

export function cell(value: unknown): string {
  let s: string;
  if (value === null || value === undefined) s = 'NULL';
  else if (typeof value === 'string') s = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') s = String(value);
  else s = JSON.stringify(value);
  s = s.replace(/\r?\n/g, '\\n').replace(/\|/g, '\\|');
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
}

export function renderTable(columns: readonly Column[], rows: readonly unknown[][]): string {
  const header = `| ${columns.map((c) => (c.type ? `${cell(c.name)} (${c.type})` : cell(c.name))).join(' | ')} |`;
  const rule = `|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${columns.map((_, i) => cell(r[i])).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

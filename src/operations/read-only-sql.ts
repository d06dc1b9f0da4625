/**
 * Defence in depth for read-only mode: run_execution accepts one read statement only. The real
 * guarantee is a read-only database user; this check is deliberately conservative.
 */
const READ_START = /^(select|with|explain|show|values|table)\b/i;
/** Words that make an otherwise read-looking statement write: data-modifying CTEs, SELECT INTO, side-effect functions. */
const WRITE_WORD =
  /\b(insert|update|delete|merge|upsert|into|truncate|drop|alter|create|grant|revoke|copy|call|nextval|setval|set_config|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_file_write|pg_write_\w*|dblink\w*|lo_\w+)\b/i;

/** Strips comments, string literals and quoted identifiers, which may contain any word. */
function code(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, "''")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/`[^`]*`/g, '""');
}

/** undefined when `sql` is a single read statement; otherwise the reason it is refused. */
export function refuseUnlessRead(sql: string): string | undefined {
  const body = code(sql).trim().replace(/;\s*$/, '');
  if (body.includes(';')) return 'only a single statement is allowed in read-only mode';
  if (!READ_START.test(body)) return 'read-only mode accepts only SELECT, WITH … SELECT, EXPLAIN, SHOW, VALUES or TABLE';
  const word = WRITE_WORD.exec(body);
  if (word) return `read-only mode refuses statements containing ${word[1]!.toUpperCase()}`;
  return undefined;
}

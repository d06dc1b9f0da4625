/**
 * Defence in depth for read-only mode: run_execution accepts one read statement only. The real
 * guarantee is a read-only database user; this check is deliberately conservative.
 *
 * Comments, string literals and quoted identifiers may hold any word, so only the code around them is
 * checked. Where they start and end differs between databases, and the check does not know which one is
 * behind a datasource: PostgreSQL nests comments, has E'…' strings with backslash escapes and
 * $tag$…$tag$ strings, and ends a -- comment at a carriage return; MySQL and BigQuery escape quotes with
 * backslashes and start comments with #, MySQL needs a space after -- and runs what is inside /*! … *\/;
 * BigQuery has '''…''' strings; SQL Server quotes [names]; Snowflake starts comments with //; Oracle
 * has q'[…]' strings. So the SQL is read in every way these conventions allow, choosing afresh at each
 * quote or comment marker. Every reading must start with a read keyword, and a character counts as code
 * if any reading puts it outside comments, strings and quoted names: a write that one database would
 * run cannot hide in what another reads as a string or a comment.
 */
const READ_START_AT = /(select|with|explain|show|values|table)\b/iy;
/**
 * Words that make an otherwise read-looking statement write: data-modifying CTEs, SELECT INTO, row locks,
 * side-effect functions, and statements SQL Server runs after a SELECT without a semicolon between them.
 */
const WRITE_WORD =
  /\b(insert|update|delete|merge|upsert|into|truncate|drop|alter|create|grant|revoke|deny|copy|call|exec|execute|backup|restore|dbcc|kill|shutdown|reconfigure|writetext|updatetext|openquery|openrowset|opendatasource|for\s+(?:key\s+)?share|nextval|setval|set_config|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_file_write|pg_write_\w*|dblink\w*|lo_\w+)\b/i;

const NOT_A_READ = 'read-only mode accepts only SELECT, WITH … SELECT, EXPLAIN, SHOW, VALUES or TABLE';
const TOO_INTRICATE = 'read-only mode cannot check SQL with this many nested comments or open quotes';

/** $$ or $tag$ (PostgreSQL, Snowflake): a tag is an unquoted identifier without $. */
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
/** Oracle's q'X…X' closes with the matching bracket, or with X itself. */
const Q_CLOSE: Record<string, string> = { '[': ']', '{': '}', '(': ')', '<': '>' };
/** MySQL: "--" starts a comment only before a space or a control character (or at the end). */
const MYSQL_COMMENT_AFTER_DASHES = /^[\s\x00-\x1f]?$/;
/**
 * Leading "--" lines: comments, or (MySQL, no space after "--") minus signs, which start no statement. A
 * lone carriage return ends the stripping: PostgreSQL ends a comment there, others do not.
 */
const LEADING_DASH_LINES = /^\s*(?:--[^\r\n]*(?:\r?\n\s*|$))*/;
/** Bounds that keep the check linear in the length of the SQL; no real query comes near them. */
const MAX_NESTING = 32;
const MAX_READINGS = 16;
/** The characters at which code could turn into something else. */
const CODE_EVENT = /[-/'"`#[$qQ]/g;

/**
 * What the readings of `sql` make of it: the code (what any reading takes for code, with each stretch that
 * no reading does replaced by a space), or the reason to refuse it straight away.
 *
 * A reading is one of: `start` (before the first word); `code`; `line` (a comment to the end of the line);
 * `block` (a comment to the next *\/); `nest<depth>` (a nesting comment); `quote<b><close>` (a string or
 * quoted name up to `close`; b = 1: a backslash escapes the next character). A comment before the first
 * word ends in ^ and returns to `start`. The readings at each position are kept once each, which keeps
 * the work linear in the length of the SQL.
 */
function read(sql: string): { code: string } | { refusal: string } {
  const isCode = new Uint8Array(sql.length);
  const pending: (string[] | undefined)[] = [['start']];
  let last = 0; // the furthest position with pending readings
  const at = (i: number, reading: string) => {
    const readings = pending[i];
    if (readings === undefined) pending[i] = [reading];
    else if (!readings.includes(reading)) readings.push(reading);
    if (i > last) last = i;
  };
  for (let i = 0; i < sql.length; i++) {
    const readings = pending[i];
    if (readings === undefined) continue;
    pending[i] = undefined;
    if (readings.length > MAX_READINGS) return { refusal: TOO_INTRICATE };
    if (readings.length === 1 && readings[0] === 'code' && last === i) {
      // Only code here and nothing ahead: skip to the next character that could start something else.
      CODE_EVENT.lastIndex = i;
      const skip = CODE_EVENT.exec(sql)?.index ?? sql.length;
      if (skip > i) {
        isCode.fill(1, i, skip);
        pending[skip] = readings;
        last = skip;
        i = skip - 1;
        continue;
      }
    }
    const c = sql[i]!;
    const next = sql[i + 1];
    for (const reading of readings) {
      const comment = reading.endsWith('^') ? '^' : '';
      const after = comment ? 'start' : 'code';
      if (reading === 'code' || reading === 'start') {
        // Before the first word, a comment returns to `start` (its readings end in ^), and anything but a
        // comment or a space must be a read keyword.
        const started = reading === 'code';
        const opened = started ? '' : '^';
        let code = true;
        if (c === '-' && next === '-') {
          at(i + 2, `line${opened}`);
          code = !MYSQL_COMMENT_AFTER_DASHES.test(sql[i + 2] ?? '');
        } else if (c === '/' && next === '*') {
          at(i + 2, `block${opened}`);
          at(i + 2, `nest1${opened}`);
          // MySQL and MariaDB run what is inside /*! … */ and /*M! … */.
          if (sql.startsWith('/*!', i)) at(i + 3, reading);
          if (sql.startsWith('/*M!', i)) at(i + 4, reading);
          code = false;
        } else if (c === "'" || c === '"' || c === '`') {
          if (!started) return { refusal: NOT_A_READ };
          at(i + 1, `quote0${c}`);
          at(i + 1, `quote1${c}`);
          const triple = c.repeat(3);
          // BigQuery: '''…''' and """…""", with backslash escapes.
          if (c !== '`' && sql.startsWith(triple, i)) at(i + 3, `quote1${triple}`);
          code = false;
        } else if (c === '#' || (c === '/' && next === '/')) {
          at(i + (c === '#' ? 1 : 2), 'line');
        } else if (c === '[') {
          at(i + 1, 'quote0]');
        } else if (c === '$') {
          DOLLAR_TAG.lastIndex = i;
          const tag = DOLLAR_TAG.exec(sql)?.[0];
          if (tag) at(i + tag.length, `quote0${tag}`);
        } else if ((c === 'q' || c === 'Q') && next === "'") {
          const open = sql[i + 2]!;
          at(i + 3, `quote0${Q_CLOSE[open] ?? open}'`);
        }
        if (code && !started) {
          if (/\s/.test(c)) {
            at(i + 1, 'start');
            continue;
          }
          READ_START_AT.lastIndex = i;
          if (!READ_START_AT.test(sql)) return { refusal: NOT_A_READ };
        }
        if (code) {
          isCode[i] = 1;
          at(i + 1, 'code');
        }
      } else if (reading.startsWith('line')) {
        if (c === '\n') at(i + 1, after);
        else if (c === '\r') {
          // PostgreSQL ends the comment here; others only at a line feed.
          at(i + 1, after);
          at(i + 1, reading);
        } else at(i + 1, reading);
      } else if (reading.startsWith('block')) {
        if (c === '*' && next === '/') at(i + 2, after);
        else at(i + 1, reading);
      } else if (reading.startsWith('nest')) {
        const depth = parseInt(reading.slice(4), 10);
        if (c === '*' && next === '/') at(i + 2, depth === 1 ? after : `nest${depth - 1}${comment}`);
        else if (c === '/' && next === '*') {
          if (depth === MAX_NESTING) return { refusal: TOO_INTRICATE };
          at(i + 2, `nest${depth + 1}${comment}`);
        } else at(i + 1, reading);
      } else {
        const backslash = reading[5] === '1';
        const close = reading.slice(6);
        if (backslash && c === '\\') at(i + 2, reading);
        else if (sql.startsWith(close, i)) {
          // A doubled quote character stands for itself.
          if (close.length === 1 && next === close) at(i + 2, reading);
          else at(i + close.length, 'code');
        } else at(i + 1, reading);
      }
    }
  }
  let code = '';
  for (let i = 0; i < sql.length; ) {
    let j = i + 1;
    while (j < sql.length && isCode[j] === isCode[i]) j++;
    code += isCode[i] ? sql.slice(i, j) : ' ';
    i = j;
  }
  return { code };
}

/** undefined when `sql` is a single read statement; otherwise the reason it is refused. */
export function refuseUnlessRead(sql: string): string | undefined {
  const result = read(sql.replace(LEADING_DASH_LINES, ''));
  if ('refusal' in result) return result.refusal;
  const body = result.code.trim().replace(/;\s*$/, '');
  if (body.includes(';')) return 'only a single statement is allowed in read-only mode';
  // Every reading's first word was checked: only no word at all is left to refuse here.
  if (body === '') return NOT_A_READ;
  const word = WRITE_WORD.exec(body);
  if (word) return `read-only mode refuses statements containing ${word[1]!.replace(/\s+/g, ' ').toUpperCase()}`;
  return undefined;
}

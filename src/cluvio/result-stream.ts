/**
 * Reads a Result Data body (`{"fields": [...], "rows": [[...], ...], ...}`) as it streams in, keeping
 * only one page of rows: a million-row result never becomes a million JavaScript arrays.
 * Every top-level member other than `rows` is parsed whole (they are small).
 */

export interface ResultPageOptions {
  offset: number;
  limit: number;
  /** Stop keeping rows once their JSON reaches this many characters (the page is then cut short). */
  maxChars?: number;
  /**
   * Stop reading as soon as the page is full. Members after `rows` (and the row count) are then
   * unknown; use it when the caller already knows the total, e.g. from the execution's `result_rows`.
   */
  stopWhenFull?: boolean;
}

export interface ResultPage {
  /** Top-level members other than `rows`: fields, execution_id, sql_rows, time_zone, … */
  meta: Record<string, unknown>;
  rows: unknown[];
  /** Rows seen in the body; undefined when reading stopped early. */
  totalRows: number | undefined;
  /** True when maxChars cut the page short. */
  cutBySize: boolean;
}

export class MalformedResultError extends Error {
  override name = 'MalformedResultError';
}

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58;
const OPEN_OBJ = 123, CLOSE_OBJ = 125, OPEN_ARR = 91, CLOSE_ARR = 93;

export async function readResultPage(
  chunks: AsyncIterable<Uint8Array | string>,
  opts: ResultPageOptions,
): Promise<ResultPage> {
  const { offset, limit } = opts;
  const maxChars = opts.maxChars ?? Number.POSITIVE_INFINITY;
  const decoder = new TextDecoder();
  const meta: Record<string, unknown> = {};
  const rows: unknown[] = [];
  let keptChars = 0;
  let cutBySize = false;

  let buf = '';
  let depth = 0;
  let inStr = false;
  let esc = false;
  let atKey = false; // depth 1, a member name may start
  let atValue = false; // depth 1, after ':'
  let keyStart = -1;
  let key: string | null = null;
  let capStart = -1; // start of a captured value (top-level member or kept row)
  let inRows = false;
  let rowStarted = false;
  let rowIndex = 0;
  let done = false;
  let stoppedEarly = false;
  let scanFrom = 0; // first character of `buf` not yet scanned (kept text of an open capture was scanned already)

  const finishMember = (end: number) => {
    if (capStart >= 0 && key !== null) meta[key] = parse(buf.slice(capStart, end), key);
    capStart = -1;
    key = null;
  };
  const finishRow = (end: number) => {
    if (rowStarted) {
      if (capStart >= 0) {
        const text = buf.slice(capStart, end);
        keptChars += text.length;
        if (keptChars > maxChars && rows.length > 0) cutBySize = true;
        else rows.push(parse(text, 'rows'));
      }
      rowIndex++;
    }
    capStart = -1;
    rowStarted = false;
  };
  const wantRow = () => !cutBySize && rowIndex >= offset && rowIndex < offset + limit;

  for await (const chunk of chunks) {
    buf += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const n = buf.length;
    for (let i = scanFrom; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (inStr) {
        if (esc) esc = false;
        else if (c === BACKSLASH) esc = true;
        else if (c === QUOTE) {
          inStr = false;
          if (keyStart >= 0) {
            key = parse(buf.slice(keyStart, i + 1), 'member name') as string;
            keyStart = -1;
          }
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;

      // A value begins here?
      if (depth === 1 && atValue && c !== COMMA && c !== CLOSE_OBJ) {
        atValue = false;
        if (key === 'rows') {
          if (c !== OPEN_ARR) throw new MalformedResultError('"rows" is not an array');
          inRows = true;
          depth = 2;
          continue;
        }
        capStart = i;
      } else if (inRows && depth === 2 && !rowStarted && c !== COMMA && c !== CLOSE_ARR) {
        rowStarted = true;
        if (wantRow()) capStart = i;
      }

      if (c === QUOTE) {
        inStr = true;
        if (depth === 1 && atKey) {
          keyStart = i;
          atKey = false;
        }
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        depth++;
        if (depth === 1) {
          if (c !== OPEN_OBJ) throw new MalformedResultError('result data is not a JSON object');
          atKey = true;
        }
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if (inRows && depth === 2) {
          finishRow(i);
          inRows = false;
          key = null;
        } else if (depth === 1) {
          finishMember(i);
          done = true;
        }
        depth--;
      } else if (c === COMMA) {
        if (depth === 1) {
          finishMember(i);
          atKey = true;
        } else if (inRows && depth === 2) {
          finishRow(i);
          if (opts.stopWhenFull && (rowIndex >= offset + limit || cutBySize)) {
            stoppedEarly = true;
            break;
          }
        }
      } else if (c === COLON && depth === 1) {
        atValue = true;
      }
    }
    if (stoppedEarly || done) break;
    // Keep only what an unfinished capture still needs.
    const keepFrom = Math.min(capStart < 0 ? n : capStart, keyStart < 0 ? n : keyStart);
    buf = buf.slice(keepFrom);
    scanFrom = n - keepFrom;
    if (capStart >= 0) capStart -= keepFrom;
    if (keyStart >= 0) keyStart -= keepFrom;
  }
  if (!done && !stoppedEarly) throw new MalformedResultError('result data ended before its closing brace (truncated body)');
  return { meta, rows, totalRows: stoppedEarly ? undefined : rowIndex, cutBySize };
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResultError(`result data has malformed JSON in ${what}`);
  }
}

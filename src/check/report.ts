/** What check prints: a table a person can read, or JSON for machines, with the summary and what to do next. */
import { TOOLSETS, type Toolset } from '../operations/types.js';
import type { Row, Verdict } from './runner.js';

export interface Summary {
  operations: number;
  passed: number;
  not_checked: number;
  forbidden: number;
  routes_found: number;
  routes_not_found: number;
  failed: number;
  /** Nothing failed: every route answered where configured, as documented (or was not checked / forbidden). */
  ok: boolean;
}

export interface Outcome {
  apiUrl: string;
  reference: string;
  rows: Row[];
  /** Read operations that are not GET: never called. */
  notGet: string[];
  /** The routes file written, if any. */
  routesFile?: string;
  /** The recording written, if any. */
  recordFile?: string;
  /** What --run-query left behind. */
  cleanup?: string;
}

const count = (rows: Row[], verdict: Verdict) => rows.filter((r) => r.verdict === verdict).length;

export function summarise(rows: Row[]): Summary {
  const s = {
    operations: rows.length,
    passed: count(rows, 'passed'),
    not_checked: count(rows, 'not checked'),
    forbidden: count(rows, 'forbidden'),
    routes_found: count(rows, 'found elsewhere'),
    routes_not_found: count(rows, 'route not found'),
    failed: count(rows, 'failed'),
  };
  return { ...s, ok: s.failed + s.routes_found + s.routes_not_found === 0 };
}

/** "27 of 30 operations answered as documented; 2 not checked; 1 route not found". */
export function summaryLine(s: Summary): string {
  const parts = [`${s.passed} of ${s.operations} operations answered as documented`];
  const add = (n: number, one: string, many = `${one}s`) => n > 0 && parts.push(`${n} ${n === 1 ? one : many}`);
  add(s.not_checked, 'not checked', 'not checked');
  add(s.forbidden, 'forbidden', 'forbidden');
  add(s.routes_found, 'route found elsewhere', 'routes found elsewhere');
  add(s.routes_not_found, 'route not found', 'routes not found');
  add(s.failed, 'failed', 'failed');
  return parts.join('; ');
}

/** Toolsets whose checked operations all answered, when some other toolset was forbidden: what --toolsets should say. */
export function readableToolsets(rows: Row[]): { forbidden: Toolset[]; readable: Toolset[] } {
  const forbidden = TOOLSETS.filter((t) => rows.some((r) => r.toolset === t && r.verdict === 'forbidden'));
  const readable = TOOLSETS.filter((t) => !forbidden.includes(t) && rows.some((r) => r.toolset === t && (r.verdict === 'passed' || r.verdict === 'found elsewhere')));
  return { forbidden, readable };
}

/** What to do next, one line each. */
export function advice(outcome: Outcome, s: Summary): string[] {
  const lines: string[] = [];
  if (s.routes_found > 0) {
    lines.push(
      outcome.routesFile
        ? `Routes found elsewhere are written to ${outcome.routesFile}: start the server with CLUVIO_ROUTES_FILE=${outcome.routesFile} (or --routes-file ${outcome.routesFile}).`
        : 'Run again with --write-routes FILE to write the routes found elsewhere to a file for CLUVIO_ROUTES_FILE.',
    );
  }
  const { forbidden, readable } = readableToolsets(outcome.rows);
  if (forbidden.length > 0) {
    lines.push(
      `The key may not read ${forbidden.join(', ')} (403). Offer the assistant only what it can use: --toolsets ${readable.join(',')}${readable.length ? '' : '<none answered>'}; with a View key, also --read-only (it can change nothing).`,
    );
  }
  const attach = outcome.recordFile ? `attach ${outcome.recordFile}` : 'run again with --record FILE and attach the file';
  if (s.failed + s.routes_found + s.routes_not_found > 0) {
    lines.push(`Something does not work as the catalog expects: please ${attach} to an issue (it holds no value of the account), so it can be fixed for everyone.`);
  } else if (differing(outcome.rows).length > 0) {
    lines.push(`Some answers differ from the reference (above): if a tool misbehaves, please ${attach} to an issue (it holds no value of the account).`);
  } else if (outcome.recordFile) {
    lines.push(`Recording written to ${outcome.recordFile} (every value replaced by its type).`);
  }
  if (outcome.cleanup) lines.push(outcome.cleanup);
  return lines;
}

export function renderTable(outcome: Outcome): string {
  const s = summarise(outcome.rows);
  const head = ['operation', 'route', 'status', 'verdict', 'ms'];
  const cells = outcome.rows.map((r) => [r.operation, r.route, r.status === undefined ? '-' : String(r.status), r.verdict, r.ms === undefined ? '-' : String(r.ms)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 2 || i === 4 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [`cluvio-mcp check: ${outcome.apiUrl} (reference v${outcome.reference})`, '', line(head)];
  outcome.rows.forEach((r, i) => {
    out.push(line(cells[i]!));
    const found = r.tried?.find((t) => t.route === r.found);
    const note = found ? `answers at ${found.route} (${found.status}, ${found.ms} ms)` : r.reason;
    if (note && r.verdict !== 'passed') out.push(`    ${note}`);
    const tried = r.tried?.filter((t) => t !== found);
    if (tried?.length) out.push(`    tried: ${tried.map((t) => `${t.route} (${t.status ?? 'no answer'})`).join(', ')}`);
  });
  const differences = differing(outcome.rows);
  if (differences.length) {
    out.push('', 'Differences from the reference (reported, not failures):');
    for (const r of differences) {
      const d = r.differences!;
      const parts = [
        d.contentType ? `answered as ${d.contentType}` : '',
        d.missing.length ? `documented, not in the answer: ${d.missing.join(', ')}` : '',
        d.undocumented.length ? `in the answer, not documented: ${d.undocumented.join(', ')}` : '',
      ].filter(Boolean);
      out.push(`  ${r.operation}: ${parts.join('; ')}`);
    }
  }
  if (outcome.notGet.length) out.push('', `Not called (read operations that are not GET; check sends only GET): ${outcome.notGet.join(', ')}.`);
  out.push('', summaryLine(s), ...advice(outcome, s));
  return `${out.join('\n')}\n`;
}

/** Rows whose answer differs from the reference without failing. */
function differing(rows: Row[]): Row[] {
  return rows.filter((r) => r.differences && (r.differences.missing.length || r.differences.undocumented.length || r.differences.contentType));
}

export function renderJson(outcome: Outcome): string {
  const s = summarise(outcome.rows);
  return `${JSON.stringify(
    {
      api_url: outcome.apiUrl,
      reference: outcome.reference,
      summary: s,
      operations: outcome.rows.map(({ answer: _answer, ...r }) => ({
        operation: r.operation,
        route: r.route,
        toolset: r.toolset,
        status: r.status ?? null,
        verdict: r.verdict,
        ms: r.ms ?? null,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.found ? { found_route: r.found } : {}),
        ...(r.tried?.length ? { tried: r.tried } : {}),
        ...(r.differences ? { differences: r.differences } : {}),
      })),
      not_called: outcome.notGet,
      ...(outcome.routesFile ? { routes_file: outcome.routesFile } : {}),
      ...(outcome.recordFile ? { recording: outcome.recordFile } : {}),
      advice: advice(outcome, s),
    },
    null,
    2,
  )}\n`;
}

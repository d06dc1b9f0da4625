/**
 * `cluvio-mcp check` through the real thing: the built CLI against a standalone sandbox process (`cluvio-mcp
 * sandbox`), whose `/_sandbox/requests` shows what reached it, `/_sandbox/routes` serves routes elsewhere and
 * `/_sandbox/faults` answers 403. The routes file check writes is then given to the MCP server, which must work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shapeDifferences, type Recording, type Typed } from '../../src/check/recording.js';
import { OPERATIONS } from '../../src/operations/index.js';
import { routeParts } from '../../src/operations/request.js';
import { CLI, connectStdio, textOf } from './harness.js';

const DS = 'smpl-data-0001';
const TIMEOUT = 180_000;
const FIXTURE_SCRIPT = fileURLToPath(new URL('../../scripts/recording-to-fixture.mjs', import.meta.url));

let sandbox: ChildProcess;
let info: { api_url: string; data_url: string; api_key: string };
const dir = mkdtempSync(join(tmpdir(), 'cluvio-check-test-'));
const env = (extra: Record<string, string> = {}) => ({
  CLUVIO_API_URL: info.api_url,
  CLUVIO_DATA_URL: info.data_url,
  CLUVIO_API_KEY: info.api_key,
  CLUVIO_LOG_LEVEL: 'warn',
  ...extra,
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], environment: Record<string, string>, command = [CLI, ...args]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { env: { PATH: process.env.PATH ?? '', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const check = (args: string[], extra: Record<string, string> = {}) => run(['check', ...args], env(extra));

interface JsonOperation {
  operation: string;
  route: string;
  toolset: string;
  status: number | null;
  verdict: string;
  ms: number | null;
  reason?: string;
  found_route?: string;
  tried?: Array<{ route: string; status?: number }>;
}
interface JsonReport {
  summary: { operations: number; passed: number; not_checked: number; forbidden: number; routes_found: number; ok: boolean };
  operations: JsonOperation[];
  advice: string[];
  routes_file?: string;
}
const report = (r: Run) => JSON.parse(r.stdout) as JsonReport;
const row = (rep: JsonReport, id: string) => rep.operations.find((o) => o.operation === id)!;

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${info.api_url}/_sandbox/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status >= 400) throw new Error(`${method} /_sandbox/${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? undefined : r.json();
}

/** The catalog's read operations whose route is GET: what check must call. */
const READ_GETS = OPERATIONS.filter((op) => op.access === 'read' && routeParts(op.route).method === 'GET').map((op) => op.id);

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
});
afterAll(() => {
  sandbox?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await control('DELETE', 'routes');
  await control('DELETE', 'faults');
});

describe('cluvio-mcp check against the sandbox', () => {
  let full: JsonReport;
  let recording: Recording;
  const recordFile = join(dir, 'sandbox-recording.json');

  it(
    'check --run-query: every read operation passes (status and timing in --json), the data server and the query path too; exit 0',
    async () => {
      const r = await check(['--run-query', '--json', '--record', recordFile]);
      expect(r.code, r.stderr).toBe(0);
      full = report(r);
      recording = JSON.parse(readFileSync(recordFile, 'utf8')) as Recording;
      expect(full.summary.ok).toBe(true);
      for (const id of READ_GETS) {
        const o = row(full, id);
        expect(o, id).toBeDefined();
        if (id === 'getExportJob') {
          // Nothing lists export jobs and check starts none: said so, never passed.
          expect(o).toMatchObject({ verdict: 'not checked', status: null, ms: null, reason: 'no export job: nothing lists them, and check starts none' });
          continue;
        }
        expect(o.verdict, `${id}: ${o.reason}`).toBe('passed');
        expect(o.status, id).toBe(200);
        expect(o.ms, id).toEqual(expect.any(Number));
      }
      for (const id of ['runExecution', 'getSchemaData', 'getResultData']) expect(row(full, id), id).toMatchObject({ verdict: 'passed', status: 200, ms: expect.any(Number) });
      expect(full.summary).toMatchObject({ operations: READ_GETS.length + 3, passed: READ_GETS.length + 2, not_checked: 1, forbidden: 0, routes_found: 0 });
      expect(full.advice).toContain('The execution it started (SELECT 1) ended with status success: nothing to cancel.');
      expect(r.stdout + r.stderr).not.toContain(info.api_key);
    },
    TIMEOUT,
  );

  it(
    'check without --run-query sends nothing but GET (the request log), starts no execution, and prints the table and the summary',
    async () => {
      const executions = ((await control('GET', 'executions')) as unknown[]).length;
      await control('DELETE', 'requests');
      const r = await check([]);
      expect(r.code, r.stderr).toBe(0);
      const log = (await control('GET', 'requests')) as { api: Record<string, number>; data: Record<string, number> };
      const sent = [...Object.keys(log.api), ...Object.keys(log.data)];
      // Every read GET but the three that need an execution or an export job, the data server and the probes.
      expect(sent.length).toBeGreaterThanOrEqual(READ_GETS.length - 3 + 1);
      expect(sent.filter((route) => !route.startsWith('GET '))).toEqual([]);
      expect(((await control('GET', 'executions')) as unknown[]).length).toBe(executions);

      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`cluvio-mcp check: ${info.api_url} (reference v2024-06-01)`);
      expect(lines[2]).toMatch(/^operation +route +status {2}verdict +ms$/);
      for (const id of READ_GETS.filter((i) => !['getExecution', 'getExecutionData', 'getExportJob'].includes(i))) {
        expect(lines.find((l) => l.startsWith(`${id} `)), id).toMatch(/ 200  passed +\d+$/);
      }
      expect(lines.find((l) => l.startsWith('getExecution '))).toMatch(/ -  not checked +-$/);
      expect(r.stdout).toContain('    no execution: --run-query starts one\n');
      const passed = READ_GETS.length - 3 + 1; // getSchemaData; not getExecution, getExecutionData, getExportJob
      const total = READ_GETS.length + 2; // getSchemaData and getResultData
      expect(r.stdout).toContain(`\n${passed} of ${total} operations answered as documented; 4 not checked\n`);
    },
    TIMEOUT,
  );

  it('a wrong key: one clear sentence, no table, exit 2, and the key is not echoed', async () => {
    const r = await check([], { CLUVIO_API_KEY: 'wrong-key-4242' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `cluvio-mcp check: The API key was refused (HTTP 401 from ${info.api_url}): check CLUVIO_API_KEY, and that ${info.api_url} is the account's API server (CLUVIO_API_URL).\n`,
    );
    const json = await check(['--json'], { CLUVIO_API_KEY: 'wrong-key-4242' });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ api_url: info.api_url, error: expect.stringMatching(/^The API key was refused \(HTTP 401/) });
    expect(json.stdout + json.stderr).not.toContain('wrong-key-4242');
  });

  it('a recording holds no value of the account: names, ids, the key, tokens, data keys — only types and API names', async () => {
    expect(recording).toBeDefined();
    const text = readFileSync(recordFile, 'utf8');
    const executions = (await control('GET', 'executions')) as Array<{ id: string }>;
    const values = [
      info.api_key,
      info.api_url,
      String(new URL(info.api_url).port),
      DS,
      'prod-anly-0002',
      'Cluvio Sample Data',
      'Flight Operations',
      'dash-ops-0001',
      'rep-flights-per-period',
      'usr-admin',
      'Lovelace',
      'example.com',
      'sandbox.local',
      'sbx-fake-password',
      'SELECT',
      'schemas/',
      'results/',
      ...executions.map((e) => e.id),
    ];
    for (const value of values) expect(text, value).not.toContain(value);
    // Every string in every recorded body is a type, or a JSON:API type name.
    const strings = (t: Typed | undefined): string[] =>
      t === null || t === undefined ? [] : typeof t === 'string' ? [t] : Array.isArray(t) ? t.flatMap(strings) : Object.values(t).flatMap(strings);
    const bodies = Object.values(recording.operations).flatMap((o) => strings(o.answer?.body));
    expect(bodies.length).toBeGreaterThan(200);
    expect(bodies.filter((s) => !/^(<[a-z-]+(:[aA9\-_.:?]*)?>(\|<[a-z-]+>|\|null)*|[a-z_]+)$/.test(s))).toEqual([]);
    expect(recording).toMatchObject({ cluvio_mcp_check: 1, reference: '2024-06-01', server: 'custom', not_found: { distinguishable: true } });
  });

  it('scripts/recording-to-fixture.mjs turns the recording into a contract fixture that matches it', async () => {
    const fixtureFile = join(dir, 'fixture.json');
    const r = await run([], {}, [FIXTURE_SCRIPT, recordFile, '--out', fixtureFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^recording-to-fixture: \d+ operations → /);
    const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { operations: Record<string, { route: string; status: number; content_type: string; body: Typed }> };
    expect(Object.keys(fixture.operations)).toEqual(expect.arrayContaining([...READ_GETS.filter((i) => i !== 'getExportJob'), 'getSchemaData', 'getResultData']));
    for (const [id, expected] of Object.entries(fixture.operations)) {
      const seen = recording.operations[id]!;
      expect(expected.route, id).toBe(seen.found_route ?? seen.route);
      expect(shapeDifferences(expected.body, seen.answer?.body), id).toEqual([]);
    }
  });

  it(
    'a 403 names the permission the key lacks, is not a failure, and check suggests the --toolsets the key can use',
    async () => {
      await control('POST', 'faults', { method: 'GET', path: '/users', fault: '403' });
      const r = await check(['--json']);
      expect(r.code, r.stderr).toBe(0);
      const rep = report(r);
      expect(row(rep, 'listUsers')).toMatchObject({ verdict: 'forbidden', status: 403, reason: expect.stringMatching(/^the key lacks View Users or Manage Users/) });
      expect(rep.advice.find((a) => a.startsWith('The key may not read users (403).'))).toMatch(
        /--toolsets datasources,datasource_agents,dashboards,dashboard_groups,dashboard_schedules,reports,filters,sql_snippets,sql_alerts,user_groups; with a View key, also --read-only/,
      );
    },
    TIMEOUT,
  );
});

describe('routes served elsewhere: check finds them through the candidates, and the routes file it writes makes the server work', () => {
  it(
    'Get Datasource Schema and the execution start moved: found, written, and get_datasource_schema and run_execution work with the file',
    async () => {
      await control('POST', 'routes', { from: 'GET /datasources/:id/schema', to: 'GET /datasources/:id/schema_data' });
      await control('POST', 'routes', { from: 'POST /datasources/:datasource_id/executions', to: 'POST /datasources/:datasource_id/query' });
      const routesFile = join(dir, 'routes.json');

      const r = await check(['--run-query', '--json', '--write-routes', routesFile]);
      expect(r.code, r.stderr).toBe(1);
      const rep = report(r);
      expect(row(rep, 'getDatasourceSchema')).toMatchObject({
        verdict: 'found elsewhere',
        status: 404,
        found_route: 'GET /datasources/{id}/schema_data',
        tried: [
          { route: 'GET /datasources/{id}/schemas', status: 404 },
          { route: 'GET /datasources/{id}/schema_data', status: 200 },
        ],
      });
      expect(row(rep, 'runExecution')).toMatchObject({ verdict: 'found elsewhere', status: 404, found_route: 'POST /datasources/{datasource_id}/query' });
      expect(row(rep, 'runExecution').reason).toBe('HTTP 404, as for a route that does not exist');
      // What the moved routes hand out was checked too.
      for (const id of ['getSchemaData', 'getExecution', 'getExecutionData', 'getResultData']) expect(row(rep, id).verdict, id).toBe('passed');
      expect(rep.summary).toMatchObject({ routes_found: 2, ok: false });
      expect(rep.routes_file).toBe(routesFile);
      expect(JSON.parse(readFileSync(routesFile, 'utf8'))).toEqual({
        runExecution: 'POST /datasources/{datasource_id}/query',
        getDatasourceSchema: 'GET /datasources/{id}/schema_data',
      });

      // The server without the file: the moved routes are not found.
      const plain = await connectStdio([], env());
      try {
        const schema = await plain.client.callTool({ name: 'get_datasource_schema', arguments: { id: DS } });
        expect(schema.isError).toBe(true);
        expect(textOf(schema)).toContain('HTTP 404');
      } finally {
        await plain.close();
      }
      // With the file: both work.
      const fixed = await connectStdio([], env({ CLUVIO_ROUTES_FILE: routesFile }));
      try {
        const schema = await fixed.client.callTool({ name: 'get_datasource_schema', arguments: { id: DS } });
        expect(schema.isError, textOf(schema)).toBeFalsy();
        expect(textOf(schema)).toContain('flights');
        const rows = await fixed.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: 'SELECT 41 + 1 AS answer' } });
        expect(rows.isError, textOf(rows)).toBeFalsy();
        expect(textOf(rows)).toMatch(/succeeded: 1 row[\s\S]*\| 42 \|/);
      } finally {
        await fixed.close();
      }
      // And check with the file: everything answers where configured.
      const again = await check(['--run-query', '--json', '--routes-file', routesFile]);
      expect(again.code, again.stderr).toBe(0);
      expect(report(again).summary).toMatchObject({ routes_found: 0, ok: true });
    },
    TIMEOUT,
  );

  it(
    'a list not found: the operations that need its ids take one seen in another answer (a dashboard\'s reports)',
    async () => {
      await control('POST', 'routes', { from: 'GET /reports', to: 'GET /all_reports' });
      const rep = report(await check(['--json']));
      // POST /reports is still served there: the sandbox answers 405, which is never an unknown object.
      expect(row(rep, 'listReports')).toMatchObject({ verdict: 'route not found', status: 405, reason: 'HTTP 405, as for a route that does not exist; the catalog has no other route to try' });
      expect(row(rep, 'getReport')).toMatchObject({ verdict: 'passed', status: 200 });
    },
    TIMEOUT,
  );

  it(
    'a route moved where no candidate is: "route not found", exit 1, nothing written, and a request for a recording',
    async () => {
      await control('POST', 'routes', { from: 'GET /sql_alerts/:id/results', to: 'GET /sql_alerts/:id/history' });
      const routesFile = join(dir, 'none.json');
      const r = await check(['--write-routes', routesFile]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\nlistSqlAlertResults +GET \/sql_alerts\/\{id\}\/results +404  route not found +\d+\n {4}HTTP 404, as for a route that does not exist\n {4}tried: GET \/sql_alerts\/\{id\}\/alert_results \(404\), GET \/sql_alerts\/\{id\}\/result \(404\)\n/);
      expect(r.stdout).toContain('; 1 route not found\n');
      expect(r.stdout).toContain('please run again with --record FILE and attach the file to an issue');
      expect(() => readFileSync(routesFile)).toThrow();
    },
    TIMEOUT,
  );
});

describe('an account without some kind of object', () => {
  it(
    'what needs one is "not checked (no … in this account)", never passed, and not a failure',
    async () => {
      const api = (path: string, method = 'GET') => fetch(`${info.api_url}${path}`, { method, headers: { authorization: `Api ${info.api_key}` } });
      const alerts = ((await (await api('/sql_alerts')).json()) as { data: Array<{ id: string }> }).data;
      for (const alert of alerts) expect((await api(`/sql_alerts/${alert.id}`, 'DELETE')).status).toBeLessThan(300);
      const r = await check(['--json']);
      expect(r.code, r.stderr).toBe(0);
      const rep = report(r);
      expect(row(rep, 'listSqlAlerts')).toMatchObject({ verdict: 'passed', status: 200 });
      for (const id of ['getSqlAlert', 'listSqlAlertResults']) expect(row(rep, id), id).toMatchObject({ verdict: 'not checked', status: null, reason: 'no sql alert in this account' });
    },
    TIMEOUT,
  );
});

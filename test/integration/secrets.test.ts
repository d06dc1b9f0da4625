import type { Client } from '@modelcontextprotocol/client';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { connectStdio, objectOf, textOf, type Connected } from './harness.js';

/**
 * No secret reaches the model, the protocol stream or the logs — with logging at its most verbose.
 *
 * The sandbox runs in this process with a marker API key; the server reaches it through recording
 * proxies, which collect every credential that crosses the wire (the API key and data tokens in
 * Authorization headers, data keys and tokens, agent secret keys and passwords in API answers).
 * Each of those, plus the passwords the test itself gives to tools, must never appear in what the
 * server wrote: every JSON-RPC message it sent (its stdout, as the client transport parsed it),
 * its stderr (the logs), or any tool result.
 */

const MARKER_KEY = `sec-marker-api-key-${process.pid}-0f3a9c`;
const WRONG_KEY = `sec-wrong-api-key-${process.pid}-77d1e2`;
const SAMPLE_PASSWORD = 'sbx-fake-password-do-not-use';
const CREATE_PASSWORD = `pw-create-marker-${process.pid}`;
const UPDATE_PASSWORD = `pw-update-marker-${process.pid}`;
const SERVICE_KEY = `{"private_key":"svc-key-marker-${process.pid}"}`;
const DS = 'smpl-data-0001';
const Q3_2026 = `${Date.UTC(2026, 6, 1) / 1000}~${Date.UTC(2026, 8, 30, 23, 59, 59) / 1000}`;

type Session = Connected & { /** Every JSON-RPC message the server sent, serialised. */ received: string[] };

async function connect(args: string[], env: Record<string, string>): Promise<Session> {
  const received: string[] = [];
  return { ...(await connectStdio(args, env, { record: received })), received };
}

/** Credentials seen on the wire between the server and the sandbox. */
const seen = {
  apiKeys: new Set<string>(),
  dataTokens: new Set<string>(),
  dataKeys: new Set<string>(),
  agentSecrets: new Set<string>(),
  passwords: new Set<string>(),
};

function collect(body: string): void {
  const grab = (key: string, into: Set<string>) => {
    // A JSON string value, escapes included (a service key is JSON inside a string).
    for (const m of body.matchAll(new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)+")`, 'g'))) {
      try {
        into.add(JSON.parse(m[1]!) as string);
      } catch {
        into.add(m[1]!.slice(1, -1));
      }
    }
  };
  grab('data_access_token', seen.dataTokens);
  grab('data_key', seen.dataKeys);
  grab('secret_key', seen.agentSecrets);
  grab('password', seen.passwords);
  grab('bigquery_service_key', seen.passwords);
}

function collectAuth(headers: IncomingHttpHeaders): void {
  const auth = headers.authorization ?? '';
  const m = /^(Api|Data)\s+(\S+)$/.exec(auth);
  if (m?.[1] === 'Api') seen.apiKeys.add(m[2]!);
  if (m?.[1] === 'Data') seen.dataTokens.add(m[2]!);
}

/** Forwards to `target`, recording the credentials in requests and answers. */
async function recordingProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    collectAuth(req.headers);
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => {
          parts.push(c);
          res.write(c);
        });
        upRes.on('end', () => {
          const type = String(upRes.headers['content-type'] ?? '');
          if (type.includes('json')) collect(Buffer.concat(parts).toString('utf8'));
          res.end();
        });
      },
    );
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let sandbox: Sandbox;
const proxies: Server[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: MARKER_KEY });
  const api = await recordingProxy(sandbox.apiUrl);
  const data = await recordingProxy(sandbox.dataUrl);
  proxies.push(api.server, data.server);
  env = { CLUVIO_API_URL: api.url, CLUVIO_DATA_URL: data.url, CLUVIO_API_KEY: MARKER_KEY };
});

afterAll(async () => {
  for (const p of proxies) {
    p.closeAllConnections();
    p.close();
  }
  await sandbox?.close();
});

type Result = Awaited<ReturnType<Client['callTool']>>;

/** Every way a secret could show: its exact text, and the text as JSON would escape it. */
function leaks(haystack: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    if (s.length < 8) continue; // nothing that short is a credential here; avoids matching ordinary words
    if (haystack.includes(s) || haystack.includes(JSON.stringify(s).slice(1, -1))) found.push(s);
  }
  return found;
}

describe('secrets never reach the model, the protocol stream or the logs', () => {
  const results: Array<{ tool: string; res: Result }> = [];
  let s: Session;
  let wrong: Session;

  beforeAll(async () => {
    s = await connect(['--log-level', 'trace'], env);
  });
  afterAll(async () => {
    await s?.close();
    await wrong?.close();
  });

  const call = async (tool: string, args: Record<string, unknown>, expectError = false): Promise<Result> => {
    const res = await s.client.callTool({ name: tool, arguments: args }, { timeout: 120_000 });
    results.push({ tool, res });
    expect(!!res.isError, `${tool}: ${textOf(res)}`).toBe(expectError);
    return res;
  };
  /** structuredContent for the tools that declare an output schema; the object for the others (their text is its JSON). */
  const structured = <T>(res: Result) => (res.structuredContent ?? objectOf(res)) as T;

  it('drives every kind of tool with trace logging on', async () => {
    // list / get (a datasource with a password on record)
    await call('list_datasources', {});
    const sample = structured<{ password?: string }>(await call('get_datasource', { id: DS }));
    expect(sample.password).toMatch(/^\[redacted/);
    await call('list_datasource_agents', {});
    await call('get_datasource_agent', { id: 'agent-0001' });

    // create / update / delete with credentials given by the caller
    const ds = structured<{ id: string }>(
      await call('create_datasource', { name: 'Secret DS', database_type: 'postgres', connection_mode: 'direct', host: 'db.example', port: 5432, username: 'bi', password: CREATE_PASSWORD, database: 'dw' }),
    );
    await call('get_datasource', { id: ds.id });
    await call('update_datasource', { id: ds.id, password: UPDATE_PASSWORD });
    await call('get_datasource', { id: ds.id });
    await call('test_datasource_connection', { id: ds.id });
    const bq = structured<{ id: string }>(
      await call('create_datasource', { name: 'Secret BQ', database_type: 'bigquery', connection_mode: 'direct', bigquery_service_key: SERVICE_KEY }),
    );
    await call('get_datasource', { id: bq.id });
    await call('delete_datasource', { id: bq.id });
    await call('delete_datasource', { id: ds.id });

    // an agent: its secret key is returned once, at creation
    const agent = structured<{ id: string; secret_key?: string }>(await call('create_datasource_agent', { name: 'Secret agent' }));
    expect(agent.secret_key).toMatch(/^\[redacted/);
    await call('update_datasource_agent', { id: agent.id, name: 'Secret agent 2' });
    await call('delete_datasource_agent', { id: agent.id });

    // data through data keys and tokens: rows, a second page, the schema, reports, dashboards
    const run = structured<{ execution_id: string; rows: unknown[][] }>(
      await call('run_execution', { datasource_id: DS, sql_query: 'SELECT code, name FROM airports ORDER BY code LIMIT 30', max_rows: 10 }),
    );
    expect(run.rows.length).toBeGreaterThan(0);
    await call('get_execution', { id: run.execution_id });
    await call('get_execution_data', { id: run.execution_id, offset: 10, max_rows: 10 });
    await call('get_datasource_schema', { id: DS });
    await call('refresh_dashboard', { id: 'dash-ops-0001', parameters: { timerange: Q3_2026, aggregation: 'month' } });
    await call('poll_dashboard_status', { id: 'dash-ops-0001', parameters: { timerange: Q3_2026, aggregation: 'month' } });
    await call('refresh_report', { id: 'rep-top-airports', parameters: { timerange: Q3_2026 } });
    await call('get_report_data', { id: 'rep-top-airports', parameters: { timerange: Q3_2026 } });
    await call('get_report_data', { id: 'rep-top-airports', parameters: { timerange: Q3_2026 }, data_format: 'csv' });
    await call('get_drop_down_filter_options', { id: 'flt-airline' });
    await call('run_sql_alert_query', { id: 'alert-cancellations' });

    // exports
    await call('export_report_csv', { id: 'rep-top-airports', parameters: { timerange: Q3_2026 } });
    await call('export_dashboard_png', { id: 'dash-ops-0001', parameters: { timerange: Q3_2026 } });
    await call('export_dashboard_pdf', { id: 'dash-ops-0001', parameters: { timerange: Q3_2026 } });

    // errors: 404, 422, a failing query, a bad argument
    expect(textOf(await call('get_datasource', { id: 'nope' }, true))).toMatch(/HTTP 404/);
    expect(textOf(await call('delete_datasource', { id: DS }, true))).toMatch(/HTTP 422/);
    const failed = await s.client.callTool({ name: 'run_execution', arguments: { datasource_id: DS, sql_query: 'SELECT * FROM no_such_table' } });
    results.push({ tool: 'run_execution (query error)', res: failed });
    expect(JSON.stringify(failed)).toMatch(/no_such_table/);
    await call('run_execution', { datasource_id: DS }, true);
  });

  it('a second server with a wrong key gets 401s as tool errors', async () => {
    wrong = await connect(['--log-level', 'trace'], { ...env, CLUVIO_API_KEY: WRONG_KEY });
    for (const [tool, args] of [
      ['list_datasources', {}],
      ['get_datasource', { id: DS }],
      ['run_execution', { datasource_id: DS, sql_query: 'SELECT 1' }],
    ] as const) {
      const res = await wrong.client.callTool({ name: tool, arguments: args });
      results.push({ tool: `${tool} (wrong key)`, res });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/HTTP 401/);
    }
  });

  it('the recording proxies saw the credentials, so the checks below are not vacuous', () => {
    expect([...seen.apiKeys].sort()).toEqual([MARKER_KEY, WRONG_KEY].sort());
    expect(seen.dataTokens.size).toBeGreaterThanOrEqual(5);
    expect(seen.dataKeys.size).toBeGreaterThanOrEqual(3);
    expect(seen.agentSecrets.size).toBeGreaterThanOrEqual(1);
    expect(seen.passwords).toContain(SAMPLE_PASSWORD);
    expect(seen.passwords).toContain(CREATE_PASSWORD);
    expect(seen.passwords).toContain(SERVICE_KEY);
    // Trace logging was really on: API calls were logged.
    expect(s.stderr()).toContain('cluvio api');
    expect(s.stderr()).toContain('cluvio data');
    console.log(
      `[secrets] ${results.length} tool calls; watched ${seen.dataTokens.size} data tokens, ${seen.dataKeys.size} data keys, ${seen.agentSecrets.size} agent secrets, ${seen.passwords.size} passwords, 2 API keys; stderr ${s.stderr().length + wrong.stderr().length} chars, ${s.received.length + wrong.received.length} protocol messages`,
    );
  });

  it('none of them appears on stdout (the JSON-RPC stream), stderr (logs) or in any tool result', () => {
    const secrets = new Set([
      MARKER_KEY,
      WRONG_KEY,
      SAMPLE_PASSWORD,
      CREATE_PASSWORD,
      UPDATE_PASSWORD,
      SERVICE_KEY,
      `svc-key-marker-${process.pid}`,
      ...seen.apiKeys,
      ...seen.dataTokens,
      ...seen.dataKeys,
      ...seen.agentSecrets,
      ...[...seen.passwords].filter((p) => p !== ''),
    ]);
    const places: Record<string, string> = {
      'stdout (protocol), first server': s.received.join('\n'),
      'stdout (protocol), wrong-key server': wrong.received.join('\n'),
      'stderr (logs), first server': s.stderr(),
      'stderr (logs), wrong-key server': wrong.stderr(),
      'tool results': JSON.stringify(results),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(leaks(text, secrets), where).toEqual([]);
      // Nothing shaped like a data credential either, whatever its value.
      expect(text, where).not.toMatch(/\bData [A-Za-z0-9_-]{16,}/);
      expect(text, where).not.toMatch(/\bApi [A-Za-z0-9_-]{16,}/);
      expect(text, where).not.toMatch(/data_access_token"\s*:\s*"[^"[]/);
    }
  });
});

describe('--sandbox with a marker key, and CLUVIO_REVEAL_SECRETS', () => {
  const SANDBOX_MARKER = `sec-embedded-key-${process.pid}-4b8e01`;

  it('the embedded sandbox takes the marker key, which never shows; agent secrets and the password stay hidden', async () => {
    const s = await connect(['--sandbox', '--log-level', 'trace'], { CLUVIO_API_KEY: SANDBOX_MARKER });
    try {
      const results: Result[] = [];
      const call = async (name: string, args: Record<string, unknown>) => {
        const res = await s.client.callTool({ name, arguments: args }, { timeout: 120_000 });
        results.push(res);
        return res;
      };
      expect((await call('get_datasource', { id: DS })).isError).toBeFalsy();
      expect((await call('create_datasource_agent', { name: 'Embedded agent' })).isError).toBeFalsy();
      expect(textOf(await call('run_execution', { datasource_id: DS, sql_query: "SELECT 'embedded-ok' AS m" }))).toContain('embedded-ok');
      expect((await call('get_datasource_schema', { id: DS })).isError).toBeFalsy();
      for (const text of [s.received.join('\n'), s.stderr(), JSON.stringify(results)]) {
        expect(text).not.toContain(SANDBOX_MARKER);
        expect(text).not.toContain(SAMPLE_PASSWORD);
        expect(text).not.toMatch(/cluvio-agent-[a-z0-9]{4}-/); // the sandbox's agent secret format
        expect(text).not.toMatch(/\bData [A-Za-z0-9_-]{16,}/);
      }
    } finally {
      await s.close();
    }
  });

  it('with CLUVIO_REVEAL_SECRETS=true, get_datasource shows the password (the setting works)', async () => {
    const s = await connect([], { ...env, CLUVIO_REVEAL_SECRETS: 'true' });
    try {
      const res = await s.client.callTool({ name: 'get_datasource', arguments: { id: DS } });
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(objectOf<{ password?: string }>(res).password).toBe(SAMPLE_PASSWORD);
      // Revealing credentials is for the model's output only: the logs still leave them out.
      expect(s.stderr()).not.toContain(SAMPLE_PASSWORD);
      expect(s.stderr()).not.toContain(MARKER_KEY);
    } finally {
      await s.close();
    }
  });
});

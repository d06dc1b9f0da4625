import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import type { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, logLines, spawnHttpServer, textOf, waitUntil, type RunningHttp } from './harness.js';

/**
 * A person confirms before anything is destroyed (CLUVIO_CONFIRM, default `destructive`), in every kind of client:
 * the v2 SDK client with an elicitation handler over stdio and HTTP in both protocol eras, the v1 SDK client with
 * and without one, and clients that cannot ask (the preview and its confirm token). Every case asserts on the
 * sandbox itself: the dashboard is still there unless the person confirmed.
 */

type Answer = { action: 'accept'; content: Record<string, unknown> } | { action: 'decline' } | { action: 'cancel' };
type Asked = { message: string; requestedSchema: { properties: Record<string, unknown>; required?: string[] } };

let sandbox: ChildProcess;
let env: Record<string, string>;
let apiUrl: string;
let apiKey: string;
const servers: RunningHttp[] = [];

beforeAll(async () => {
  sandbox = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise<string>((resolve) => sandbox.stdout!.once('data', (d: Buffer) => resolve(d.toString())))) as Record<string, string>;
  apiUrl = info.api_url!;
  apiKey = info.api_key!;
  env = { CLUVIO_API_URL: apiUrl, CLUVIO_DATA_URL: info.data_url!, CLUVIO_API_KEY: apiKey, CLUVIO_LOG_LEVEL: 'info' };
});

afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  sandbox?.kill('SIGTERM');
});

/** Straight to the sandbox's API, past the MCP server: what exists is the sandbox's word, not the tool's. */
async function cluvio(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Api ${apiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}
async function exists(kind: 'dashboards' | 'datasources', id: string): Promise<boolean> {
  const res = await cluvio('GET', `/${kind}/${id}`);
  await res.text();
  if (res.status !== 200 && res.status !== 404) throw new Error(`GET /${kind}/${id}: ${res.status}`);
  return res.status === 200;
}
let made = 0;
/** A fresh empty dashboard to delete. */
async function newDashboard(): Promise<{ id: string; name: string }> {
  const name = `Confirm test ${++made}`;
  const res = await cluvio('POST', '/dashboards', { data: { type: 'dashboards', attributes: { name } } });
  const doc = (await res.json()) as { data: { id: string } };
  expect(res.status, JSON.stringify(doc)).toBe(201);
  return { id: doc.data.id, name };
}

/** A v2 SDK client whose elicitation handler answers with `answer` and records what it was asked. */
function v2Client(opts: { modern?: boolean; answer?: (asked: Asked) => Answer } = {}): { client: Client; asked: Asked[] } {
  const asked: Asked[] = [];
  const client = new Client(
    { name: 'confirm-test', version: '0' },
    {
      ...(opts.answer ? { capabilities: { elicitation: { form: {} } } } : {}),
      ...(opts.modern ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  const answer = opts.answer;
  if (answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as unknown as Asked;
      asked.push(params);
      return answer(params);
    });
  }
  return { client, asked };
}

function stdio(extraEnv: Record<string, string> = {}, args: string[] = []): StdioClientTransport {
  return new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv }, stderr: 'pipe' });
}

async function httpServer(extraEnv: Record<string, string> = {}, args: string[] = []): Promise<RunningHttp> {
  const s = await spawnHttpServer(['--transport', 'http', '--port', '0', ...args], { ...env, ...extraEnv });
  servers.push(s);
  return s;
}

const accept: () => Answer = () => ({ action: 'accept', content: { confirm: true } });

/**
 * The three answers a person can give, through one kind of client: accept deletes, decline and cancel change
 * nothing and say so. The seeded dashboard is never deleted here: its question shows what hangs off it.
 */
async function threeAnswers(connect: (answer: (a: Asked) => Answer) => Promise<{ client: Client; asked: Asked[] }>): Promise<void> {
  // Decline, on the seeded dashboard: the question names it, its reports and its schedule.
  const declining = await connect(() => ({ action: 'decline' }));
  try {
    const r = await declining.client.callTool({ name: 'delete_dashboard', arguments: { id: 'dash-ops-0001' } });
    expect(declining.asked.map((a) => a.message)).toEqual(["Delete dashboard 'Flight Operations' (dash-ops-0001) with 3 reports and 1 schedule?"]);
    expect(declining.asked[0]!.requestedSchema.properties).toHaveProperty('confirm');
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe('delete_dashboard not confirmed (the person declined); nothing changed.');
    expect(await exists('dashboards', 'dash-ops-0001')).toBe(true);
  } finally {
    await declining.client.close();
  }
  // Cancel.
  const cancelled = await newDashboard();
  const cancelling = await connect(() => ({ action: 'cancel' }));
  try {
    const r = await cancelling.client.callTool({ name: 'delete_dashboard', arguments: { id: cancelled.id } });
    expect(cancelling.asked.map((a) => a.message)).toEqual([`Delete dashboard '${cancelled.name}' (${cancelled.id})?`]);
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe('delete_dashboard not confirmed (the person dismissed the question); nothing changed.');
    expect(await exists('dashboards', cancelled.id)).toBe(true);
    // Accept without ticking the box is no confirmation either.
    const unticked = await connect(() => ({ action: 'accept', content: { confirm: false } }));
    const u = await unticked.client.callTool({ name: 'delete_dashboard', arguments: { id: cancelled.id } });
    await unticked.client.close();
    expect(textOf(u)).toBe('delete_dashboard not confirmed (the box was left unticked); nothing changed.');
    expect(await exists('dashboards', cancelled.id)).toBe(true);
  } finally {
    await cancelling.client.close();
  }
  // Accept: deleted.
  const doomed = await newDashboard();
  const accepting = await connect(accept);
  try {
    const r = await accepting.client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
    expect(accepting.asked).toHaveLength(1);
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(textOf(r)).toBe(`Dashboard ${doomed.id} deleted.`);
    expect(await exists('dashboards', doomed.id)).toBe(false);
    // An object that does not exist fails as it always did, without asking anyone.
    const gone = await accepting.client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
    expect(accepting.asked).toHaveLength(1);
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/HTTP 404/);
  } finally {
    await accepting.client.close();
  }
}

describe('v2 SDK client with an elicitation handler', () => {
  it('over stdio, 2025 era: accept deletes; decline, cancel and an unticked box delete nothing', async () => {
    await threeAnswers(async (answer) => {
      const c = v2Client({ answer });
      await c.client.connect(stdio());
      expect(c.client.getProtocolEra()).toBe('legacy');
      return c;
    });
  });

  it('over stdio, 2026-07-28 (input_required): the same', async () => {
    await threeAnswers(async (answer) => {
      const c = v2Client({ answer, modern: true });
      await c.client.connect(stdio());
      expect(c.client.getProtocolEra()).toBe('modern');
      return c;
    });
  });

  it('over HTTP, 2025-era session: the same', async () => {
    const server = await httpServer();
    await threeAnswers(async (answer) => {
      const c = v2Client({ answer });
      await c.client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      expect(c.client.getProtocolEra()).toBe('legacy');
      return c;
    });
  });

  it('over HTTP, 2026-07-28 (stateless, input_required): the same', async () => {
    const server = await httpServer();
    await threeAnswers(async (answer) => {
      const c = v2Client({ answer, modern: true });
      await c.client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      expect(c.client.getProtocolEra()).toBe('modern');
      return c;
    });
  });

  it('2026-07-28 over HTTP: the answer may reach another replica, which resumes with the signed request state when it shares CLUVIO_CONFIRM_SECRET, and refuses it otherwise', async () => {
    const secret = { CLUVIO_CONFIRM_SECRET: 'a-secret-shared-by-every-replica-0123456789' };
    const [a, b, stranger] = await Promise.all([httpServer(secret), httpServer(secret), httpServer()]);
    for (const [other, shared] of [
      [b, true],
      [stranger, false],
    ] as const) {
      const doomed = await newDashboard();
      // The load balancer: the first tools/call goes to replica a, the retry with the answer to the other one.
      let calls = 0;
      const balanced: typeof fetch = async (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        const target = body.includes('"tools/call"') && ++calls > 1 ? other.url : a.url;
        return fetch(target, init);
      };
      const c = v2Client({ answer: accept, modern: true });
      await c.client.connect(new StreamableHTTPClientTransport(new URL(a.url), { fetch: balanced }));
      const before = other.stderr().length;
      const r = await c.client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      await c.client.close();
      expect(calls).toBe(2);
      expect(c.asked).toHaveLength(1);
      if (shared) {
        expect(r.isError, textOf(r)).toBeFalsy();
        expect(logLines(other.stderr(), before).some((l) => l.msg === 'confirmed by a person')).toBe(true);
        expect(await exists('dashboards', doomed.id)).toBe(false);
      } else {
        expect(r.isError).toBe(true);
        expect(textOf(r)).toMatch(/^delete_dashboard refused: the confirmation is not one this server issued for this call\. Nothing was changed\./);
        expect(await exists('dashboards', doomed.id)).toBe(true);
      }
    }
  });

  it('deleting a datasource asks to type its name: a wrong name deletes nothing, the right one deletes it', async () => {
    const res = await cluvio('POST', '/datasources', { data: { type: 'datasources', attributes: { name: 'Scratch Warehouse', database_type: 'postgres', connection_mode: 'direct', host: 'db.example', port: 5432, database: 'scratch' } } });
    const id = ((await res.json()) as { data: { id: string } }).data.id;
    expect(res.status).toBe(201);
    let typed = 'Scratch warehouse';
    const c = v2Client({ answer: () => ({ action: 'accept', content: { confirm: true, name: typed } }) });
    await c.client.connect(stdio());
    try {
      const wrong = await c.client.callTool({ name: 'delete_datasource', arguments: { id } });
      expect(c.asked[0]!.message).toBe(`Delete datasource 'Scratch Warehouse' (${id})? Reports and alerts that query it stop working. Type its name to confirm.`);
      expect(c.asked[0]!.requestedSchema.required).toEqual(['confirm', 'name']);
      expect(textOf(wrong)).toBe('delete_datasource not confirmed (the name typed ("Scratch warehouse") is not "Scratch Warehouse"); nothing changed.');
      expect(await exists('datasources', id)).toBe(true);
      typed = ' Scratch Warehouse ';
      const right = await c.client.callTool({ name: 'delete_datasource', arguments: { id } });
      expect(right.isError, textOf(right)).toBeFalsy();
      expect(await exists('datasources', id)).toBe(false);
    } finally {
      await c.client.close();
    }
  });

  it('asks about role changes and schedule triggers in their own words', async () => {
    const c = v2Client({ answer: () => ({ action: 'decline' }) });
    await c.client.connect(stdio());
    try {
      await c.client.callTool({ name: 'update_user', arguments: { id: 'usr-analyst', role: 'viewer' } });
      await c.client.callTool({ name: 'trigger_dashboard_schedule', arguments: { id: 'sched-weekly-ops' } });
      await c.client.callTool({ name: 'update_report', arguments: { id: 'rep-top-airports', name: 'Busiest airports' } });
      expect(c.asked.map((a) => a.message)).toEqual([
        'Change the role of alan.analyst@example.com (usr-analyst) from analyst to viewer?',
        "Send dashboard schedule 'Weekly operations PDF' (sched-weekly-ops) to 2 recipients now?",
        "Update report 'Top airports' (rep-top-airports), changing name?",
      ]);
      const user = (await (await cluvio('GET', '/users/usr-analyst')).json()) as { data: { attributes: { role: string } } };
      expect(user.data.attributes.role).toBe('analyst');
    } finally {
      await c.client.close();
    }
  });

  it('discovery mode: call_operation asks the same question', async () => {
    const doomed = await newDashboard();
    const c = v2Client({ answer: () => ({ action: 'decline' }) });
    await c.client.connect(stdio({}, ['--discovery']));
    try {
      const r = await c.client.callTool({ name: 'call_operation', arguments: { name: 'delete_dashboard', arguments: JSON.stringify({ id: doomed.id }) } });
      expect(c.asked.map((a) => a.message)).toEqual([`Delete dashboard '${doomed.name}' (${doomed.id})?`]);
      expect(textOf(r)).toBe('delete_dashboard not confirmed (the person declined); nothing changed.');
      expect(await exists('dashboards', doomed.id)).toBe(true);
    } finally {
      await c.client.close();
    }
  });
});

describe('v1 SDK client (@modelcontextprotocol/sdk, 2025 protocol)', () => {
  function v1(answer?: Answer): { client: V1Client; asked: Asked[] } {
    const asked: Asked[] = [];
    const client = new V1Client({ name: 'confirm-test-v1', version: '0' }, answer ? { capabilities: { elicitation: {} } } : {});
    if (answer) {
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        asked.push(request.params as unknown as Asked);
        return answer;
      });
    }
    return { client, asked };
  }
  const transport = () => new V1StdioClientTransport({ command: process.execPath, args: [CLI], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe' });

  it('with an elicitation handler: decline keeps the dashboard, accept deletes it', async () => {
    const doomed = await newDashboard();
    const declining = v1({ action: 'decline' });
    await declining.client.connect(transport());
    const no = await declining.client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
    await declining.client.close();
    expect(declining.asked.map((a) => a.message)).toEqual([`Delete dashboard '${doomed.name}' (${doomed.id})?`]);
    expect(textOf(no)).toBe('delete_dashboard not confirmed (the person declined); nothing changed.');
    expect(await exists('dashboards', doomed.id)).toBe(true);

    const accepting = v1({ action: 'accept', content: { confirm: true } });
    await accepting.client.connect(transport());
    const yes = await accepting.client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
    await accepting.client.close();
    expect(yes.isError, textOf(yes)).toBeFalsy();
    expect(await exists('dashboards', doomed.id)).toBe(false);
  });

  it('without one: a preview and a token, nothing deleted; the same call with the token deletes', async () => {
    const doomed = await newDashboard();
    const { client } = v1();
    await client.connect(transport());
    try {
      const preview = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      expect(preview.isError).toBeFalsy();
      expect(textOf(preview)).toContain(`Ask them: "Delete dashboard '${doomed.name}' (${doomed.id})?"`);
      expect(await exists('dashboards', doomed.id)).toBe(true);
      const done = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: tokenOf(preview) } });
      expect(textOf(done)).toBe(`Dashboard ${doomed.id} deleted.`);
      expect(await exists('dashboards', doomed.id)).toBe(false);
    } finally {
      await client.close();
    }
  });
});

/** The confirm token a preview hands out. */
function tokenOf(preview: { content?: unknown }): string {
  const m = /confirm: "([^"]+)"/.exec(textOf(preview));
  if (!m) throw new Error(`no token in: ${textOf(preview)}`);
  return m[1]!;
}

describe('clients that cannot ask: the preview and its confirm token', () => {
  let client: Client;
  beforeAll(async () => {
    client = v2Client().client;
    await client.connect(stdio());
  });
  afterAll(() => client?.close());

  it('the first call changes nothing and says what would happen; a changed argument, a replay or a made-up token is refused', async () => {
    const [doomed, other] = [await newDashboard(), await newDashboard()];
    const preview = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
    const token = tokenOf(preview);
    expect(textOf(preview)).toBe(
      `Not done yet, nothing changed: delete_dashboard needs the person's confirmation. Ask them: "Delete dashboard '${doomed.name}' (${doomed.id})?" ` +
        `If they agree, call delete_dashboard again with the same arguments and confirm: "${token}" (valid 5 minutes, once).`,
    );
    expect(await exists('dashboards', doomed.id)).toBe(true);

    const changed = await client.callTool({ name: 'delete_dashboard', arguments: { id: other.id, confirm: token } });
    expect(changed.isError).toBe(true);
    expect(textOf(changed)).toBe(
      'delete_dashboard refused: the arguments differ from the ones the confirmation was issued for (or it was issued for another tool). Nothing was changed. Call delete_dashboard without confirm for a new preview, and ask the person again.',
    );
    const forged = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: `${token.slice(0, -2)}AA` } });
    expect(textOf(forged)).toMatch(/^delete_dashboard refused: the confirmation is not one this server issued for this call\./);
    const otherTool = await client.callTool({ name: 'delete_dashboard_group', arguments: { id: doomed.id, confirm: token } });
    expect(textOf(otherTool)).toMatch(/^delete_dashboard_group refused: the arguments differ/);
    expect(await exists('dashboards', doomed.id)).toBe(true);
    expect(await exists('dashboards', other.id)).toBe(true);

    const done = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: token } });
    expect(textOf(done)).toBe(`Dashboard ${doomed.id} deleted.`);
    expect(await exists('dashboards', doomed.id)).toBe(false);

    const replay = await client.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: token } });
    expect(replay.isError).toBe(true);
    expect(textOf(replay)).toMatch(/^delete_dashboard refused: the confirmation was already used \(each is good for one call\)\. Nothing was changed\./);
  });

  it('discovery mode: call_operation hands out the same preview and takes confirm among the arguments', async () => {
    const doomed = await newDashboard();
    const disc = v2Client().client;
    await disc.connect(stdio({}, ['--discovery']));
    try {
      const call = (args: Record<string, unknown>) => disc.callTool({ name: 'call_operation', arguments: { name: 'delete_dashboard', arguments: JSON.stringify(args) } });
      const described = await disc.callTool({ name: 'describe_operation', arguments: { name: 'delete_dashboard' } });
      expect(JSON.parse(textOf(described)).input_schema.properties).toHaveProperty('confirm');
      const preview = await call({ id: doomed.id });
      expect(textOf(preview)).toContain(`Ask them: "Delete dashboard '${doomed.name}' (${doomed.id})?"`);
      expect(await exists('dashboards', doomed.id)).toBe(true);
      const done = await call({ id: doomed.id, confirm: tokenOf(preview) });
      expect(textOf(done)).toBe(`Dashboard ${doomed.id} deleted.`);
      expect(await exists('dashboards', doomed.id)).toBe(false);
    } finally {
      await disc.close();
    }
  });

  it('a token is good for the API key it was issued to only (per-user keys over HTTP)', async () => {
    const doomed = await newDashboard();
    const server = await httpServer({ CLUVIO_MCP_PER_USER_KEYS: 'true' });
    const mine = v2Client().client;
    await mine.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const theirs = v2Client().client;
    await theirs.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { 'x-cluvio-api-key': 'another-teams-cluvio-key' } } }));
    try {
      const preview = await mine.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      const stolen = await theirs.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: tokenOf(preview) } });
      expect(stolen.isError).toBe(true);
      expect(textOf(stolen)).toMatch(/^delete_dashboard refused: the confirmation was issued for another Cluvio API key\. Nothing was changed\./);
      expect(await exists('dashboards', doomed.id)).toBe(true);
      // Refused before any request: the other key never reached Cluvio, and the token is still good for its own key.
      const done = await mine.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: tokenOf(preview) } });
      expect(textOf(done)).toBe(`Dashboard ${doomed.id} deleted.`);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('a token expires after 5 minutes (the server runs on a clock the test moves)', async () => {
    const FAKE_CLOCK = pathToFileURL(fileURLToPath(new URL('./fake-clock.mjs', import.meta.url))).href;
    const doomed = await newDashboard();
    const transport = stdio({ NODE_OPTIONS: `--import=${FAKE_CLOCK}`, FAKE_CLOCK_STEP_MS: String(5 * 60_000 + 1_000) });
    let stderr = '';
    (transport.stderr as PassThrough | null)?.on('data', (d: Buffer) => (stderr += d.toString()));
    const c = v2Client().client;
    await c.connect(transport);
    try {
      const preview = await c.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      process.kill(transport.pid!, 'SIGUSR2');
      await waitUntil('the clock moved', () => logLines(stderr).some((l) => l.msg === 'fake clock advanced'));
      const late = await c.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: tokenOf(preview) } });
      expect(late.isError).toBe(true);
      expect(textOf(late)).toMatch(/^delete_dashboard refused: the confirmation expired \(each is valid 5 minutes\)\. Nothing was changed\./);
      expect(await exists('dashboards', doomed.id)).toBe(true);
      // A new preview on the moved clock is good again.
      const again = await c.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      const done = await c.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id, confirm: tokenOf(again) } });
      expect(textOf(done)).toBe(`Dashboard ${doomed.id} deleted.`);
    } finally {
      await c.close();
    }
  });
});

describe('policies', () => {
  it('CLUVIO_CONFIRM=off: deletes at once, as before; read-only mode has nothing to confirm', async () => {
    const doomed = await newDashboard();
    const c = v2Client().client;
    await c.connect(stdio({ CLUVIO_CONFIRM: 'off' }));
    try {
      const r = await c.callTool({ name: 'delete_dashboard', arguments: { id: doomed.id } });
      expect(textOf(r)).toBe(`Dashboard ${doomed.id} deleted.`);
      expect(await exists('dashboards', doomed.id)).toBe(false);
      expect(c.getInstructions()).not.toMatch(/confirm/);
    } finally {
      await c.close();
    }
    const ro = v2Client().client;
    await ro.connect(stdio({}, ['--read-only']));
    try {
      const tools = (await ro.listTools()).tools;
      expect(tools.filter((t) => 'confirm' in (t.inputSchema.properties ?? {}))).toEqual([]);
      expect(ro.getInstructions()).not.toMatch(/confirm/);
    } finally {
      await ro.close();
    }
  });

  it('destructive (default) asks before updates and e-mails but not before creating; writes asks before every write', async () => {
    const created = (c: { content?: unknown }) => /"id":"([^"]+)"/.exec(textOf(c))?.[1];
    const byDefault = v2Client().client;
    await byDefault.connect(stdio());
    try {
      expect(byDefault.getInstructions()).toMatch(/delete, overwrite, e-mail people or grant access first ask the user to confirm/);
      const made = await byDefault.callTool({ name: 'create_dashboard', arguments: { name: 'Made without asking' } });
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(await exists('dashboards', created(made)!)).toBe(true);
      const invite = await byDefault.callTool({ name: 'invite_user', arguments: { email: 'new.person@example.com', role: 'analyst' } });
      expect(textOf(invite)).toContain('Ask them: "Invite new.person@example.com as analyst? Cluvio e-mails them an invitation."');
    } finally {
      await byDefault.close();
    }
    const writes = v2Client().client;
    await writes.connect(stdio({ CLUVIO_CONFIRM: 'writes' }));
    try {
      expect(writes.getInstructions()).toMatch(/Tools that change anything first ask the user to confirm/);
      const preview = await writes.callTool({ name: 'create_dashboard', arguments: { name: 'Asked first' } });
      expect(textOf(preview)).toContain(`Ask them: "Create dashboard 'Asked first'?"`);
      const list = await cluvio('GET', '/dashboards');
      expect(JSON.stringify(await list.json())).not.toContain('Asked first');
    } finally {
      await writes.close();
    }
  });
});

/**
 * docker-compose.yml (Docker does not run here, so the file is read, not run) and deploy/haproxy/haproxy.cfg: the
 * services, ports, env names and health checks agree with the server (src/config.ts) and with each other; the
 * sandbox script compose runs is started for real.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAX_CONCURRENCY, SETTINGS } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; ports?: string[]; volumes?: string[]; healthcheck?: { test: string[] }; depends_on?: unknown; stop_grace_period?: string; read_only?: boolean }>;
};
const haproxyCfg = readFileSync(`${ROOT}deploy/haproxy/haproxy.cfg`, 'utf8');
const ENV_NAMES = new Set(SETTINGS.flatMap((s) => ('env' in s && s.env ? [s.env] : [])));
const defaultOf = (env: string) => SETTINGS.find((s) => 'env' in s && s.env === env)!.default;
const PORT = defaultOf('CLUVIO_MCP_PORT') as number;
const REPLICAS = ['replica-1', 'replica-2', 'replica-3'];
/** The haproxy.cfg lines of a section (`backend cluvio_mcp`), without comments. */
function section(header: string): string[] {
  const lines = haproxyCfg.split('\n');
  const start = lines.indexOf(header);
  expect(start, header).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^\S/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe('deploy/haproxy/haproxy.cfg', () => {
  const backend = section('backend cluvio_mcp');

  it('balances round robin with health checks on /readyz expecting 200, one server line per replica', () => {
    expect(backend).toContain('balance roundrobin');
    expect(backend).toContain('option httpchk GET /readyz');
    expect(backend).toContain('http-check expect status 200');
    const servers = backend.filter((l) => l.startsWith('server '));
    expect(servers).toEqual(['server mcp1 "${MCP_REPLICA_1}" check', 'server mcp2 "${MCP_REPLICA_2}" check', 'server mcp3 "${MCP_REPLICA_3}" check']);
  });

  it('retries only requests no replica ran: a failed connection or a draining replica’s 503', () => {
    expect(backend.filter((l) => l.startsWith('retry-on'))).toEqual(['retry-on conn-failure 503']);
    expect(backend).toContain('option redispatch 1');
  });

  it('passes a client’s cancellation on: a closed client request closes the replica’s', () => {
    // In defaults: in the backend section alone, HAProxy 2.6 kept the replica's request open.
    expect(section('defaults')).toContain('option abortonclose');
  });

  it('keeps quiet tool calls and listen streams open longer than the longest wait a tool may take', () => {
    const defaults = section('defaults');
    const minutes = (name: string) => Number(/(\d+)m$/.exec(defaults.find((l) => l.startsWith(`timeout ${name} `)) ?? '')?.[1]);
    const maxWaitCeiling = 600; // CLUVIO_MAX_WAIT_SECONDS's upper bound
    expect(minutes('server') * 60).toBeGreaterThan(maxWaitCeiling);
    expect(minutes('client') * 60).toBeGreaterThan(maxWaitCeiling);
  });
});

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('has HAProxy, three replicas of the Dockerfile’s image and the sandbox', () => {
    expect(Object.keys(services).sort()).toEqual(['haproxy', 'replica-1', 'replica-2', 'replica-3', 'sandbox']);
    for (const name of [...REPLICAS, 'sandbox']) expect([services[name]!.image, services[name]!.build], name).toEqual(['cluvio-mcp:local', '.']);
  });

  it('runs every replica stateless, with env names the server reads and a shared confirmation secret', () => {
    for (const name of REPLICAS) {
      const r = services[name]!;
      expect(r.command, name).toEqual(['--stateless']);
      const env = Object.keys(r.environment ?? {});
      expect(env.filter((e) => !ENV_NAMES.has(e)), name).toEqual([]);
      expect(env, name).toEqual(expect.arrayContaining(['CLUVIO_API_KEY', 'CLUVIO_MCP_AUTH_TOKEN', 'CLUVIO_CONFIRM_SECRET']));
      // Required, not defaulted: compose refuses to start without them.
      expect(r.environment!.CLUVIO_MCP_AUTH_TOKEN, name).toMatch(/^\$\{CLUVIO_MCP_AUTH_TOKEN:\?/);
      expect(r.environment!.CLUVIO_CONFIRM_SECRET, name).toMatch(/^\$\{CLUVIO_CONFIRM_SECRET:\?/);
      expect(r.read_only, name).toBe(true);
    }
  });

  it('keeps the replicas together within Cluvio’s 20 queries per datasource', () => {
    const total = REPLICAS.reduce((sum, name) => sum + Number(services[name]!.environment?.CLUVIO_MAX_CONCURRENCY ?? defaultOf('CLUVIO_MAX_CONCURRENCY')), 0);
    expect(total).toBe(18);
    expect(total).toBeLessThanOrEqual(MAX_CONCURRENCY);
  });

  it('checks each replica on /readyz at the default port, and stops it only after its shutdown grace', () => {
    for (const name of REPLICAS) {
      const r = services[name]!;
      expect(r.healthcheck?.test.join(' '), name).toContain(`http://127.0.0.1:${PORT}/readyz`);
      const grace = Number(r.environment?.CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS ?? (defaultOf('CLUVIO_MCP_SHUTDOWN_GRACE_SECONDS') as number) / 1000);
      expect(Number(/^(\d+)s$/.exec(r.stop_grace_period ?? '')?.[1]), name).toBeGreaterThan(grace);
    }
  });

  it('gives HAProxy the committed config and every address it needs, and publishes it on loopback only', () => {
    const h = services.haproxy!;
    expect(h.volumes).toEqual(['./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro']);
    const config = haproxyCfg.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    const required = [...config.matchAll(/"\$\{([A-Z0-9_]+)\}"/g)].map((m) => m[1]!);
    expect(required).toEqual(['MCP_REPLICA_1', 'MCP_REPLICA_2', 'MCP_REPLICA_3']);
    expect(required.map((v) => h.environment?.[v])).toEqual(REPLICAS.map((r) => `${r}:${PORT}`));
    const bindPort = /:(\d+)$/.exec(h.environment?.MCP_BIND ?? '')?.[1];
    expect(h.ports).toEqual([`127.0.0.1:8080:${bindPort}`]);
  });

  it('points the replicas at the sandbox service with the key it serves', () => {
    const s = services.sandbox!;
    expect(s.entrypoint).toEqual(['node', 'deploy/compose/sandbox.mjs']);
    expect(s.volumes).toEqual(['./deploy/compose/sandbox.mjs:/app/deploy/compose/sandbox.mjs:ro']);
    expect(existsSync(`${ROOT}deploy/compose/sandbox.mjs`)).toBe(true);
    const port = Number(s.environment?.SANDBOX_PORT);
    const env = services['replica-1']!.environment!;
    expect(env.CLUVIO_API_URL).toBe(`\${CLUVIO_API_URL:-http://sandbox:${port}}`);
    expect(env.CLUVIO_DATA_URL).toBe(`\${CLUVIO_DATA_URL:-http://sandbox:${port + 1}}`);
    expect(env.CLUVIO_API_KEY).toBe(`\${CLUVIO_API_KEY:-${s.environment?.SANDBOX_API_KEY}}`);
    expect(s.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/datasources`);
  });
});

describe('deploy/compose/sandbox.mjs', () => {
  function run(env: Record<string, string>): { line: Promise<string>; exited: Promise<number | null>; stderr: () => string; kill: () => void } {
    const child = spawn(process.execPath, [`${ROOT}deploy/compose/sandbox.mjs`], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
      void exited.then(() => reject(new Error(`exited: ${err}`)));
    });
    line.catch(() => undefined); // awaited only by the test that expects the line
    return { line, exited, stderr: () => err, kill: () => child.kill('SIGTERM') };
  }

  it('serves the sandbox with the key it is given, on the host it is given', async () => {
    const key = 'sbx_compose_test_key';
    const sandbox = run({ SANDBOX_API_KEY: key, SANDBOX_HOST: '127.0.0.1', SANDBOX_PORT: '0' });
    try {
      const info = JSON.parse(await sandbox.line) as { api_url: string; data_url: string };
      expect(info.api_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const ok = await fetch(`${info.api_url}/datasources`, { headers: { authorization: `Api ${key}` } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { data: Array<{ id: string }> }).data.map((d) => d.id)).toEqual(['smpl-data-0001', 'prod-anly-0002']);
      expect((await fetch(`${info.api_url}/datasources`, { headers: { authorization: 'Api another-key' } })).status).toBe(401);
    } finally {
      sandbox.kill();
      expect(await sandbox.exited).toBe(0);
    }
  });

  it('refuses to start without a key, saying which variable to set', async () => {
    const sandbox = run({ SANDBOX_HOST: '127.0.0.1', SANDBOX_PORT: '0' });
    expect(await sandbox.exited).toBe(2);
    expect(sandbox.stderr()).toMatch(/set SANDBOX_API_KEY/);
  });
});

// The Dockerfile cannot be built here (no Docker engine), so its text is parsed and checked, and what can be
// run without Docker is run: the image's environment against the real config parser, and its HEALTHCHECK
// command against the built server.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError, parseCommand } from '../../src/config.js';
import { spawnHttpServer } from '../integration/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}dist/cli.js`;

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile → global ARG defaults and stages, with line continuations joined and comments dropped. */
function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue; // comments, also inside a continued instruction
    if (line === '' && pending === '') continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) logical.push(full);
  }
  if (pending.trim()) logical.push(pending.trim());

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/s.exec(line)!;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`unparsable FROM: ${args}`);
      const image = from[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs[(a ?? b)!] ?? '');
      stages.push({ image, name: from[2], instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === 'ARG') {
        const [k, v] = args.split('=');
        globalArgs[k!.trim()] = (v ?? '').trim();
      }
    } else {
      stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    if (!i.args.includes('=') || /^\S+\s+[^=]*$/.test(i.args)) {
      const [k, ...rest] = i.args.split(/\s+/);
      env[k!] = rest.join(' ');
      continue;
    }
    for (const m of i.args.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S*)/g)) env[m[1]!] = m[3] ?? m[4] ?? m[2]!;
  }
  return env;
}

function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
}

function execForm(args: string, what: string): string[] {
  expect(args.startsWith('['), `${what} should use the exec (JSON array) form so signals reach node directly`).toBe(true);
  return JSON.parse(args) as string[];
}

const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
const { stages } = parseDockerfile(text);
const build = stages[0]!;
const runtime = stages.at(-1)!;
const runtimeEnv = envOf(runtime);

describe('Dockerfile', () => {
  test('is multi-stage on a current Node LTS slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.name, 'the build stage needs a name for COPY --from').toBeTruthy();
    for (const s of [build, runtime]) expect(s.image).toMatch(/^node:(22|24)(\.\d+){0,2}-(bookworm-|trixie-)?slim$/);
  });

  test('the build stage installs everything from the lockfile and compiles', () => {
    const r = runs(build).join('\n');
    expect(r).toMatch(/\bnpm ci\b/);
    expect(r).not.toMatch(/--omit=dev/);
    expect(r).toMatch(/\bnpm run build\b/);
  });

  test('the build stage copies every file and directory `npm run build` reads', () => {
    const script = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { build: string } }).scripts.build;
    // tsc -p <config> and node <script>: their top-level path, plus what tsconfig.json includes (src).
    const used = new Set([...script.matchAll(/(?:-p|node)\s+(\S+)/g)].map((m) => m[1]!.replace(/^\.\//, '').split('/')[0]!));
    used.add('src');
    expect(used).toContain('scripts');
    const copied = build.instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const u of used) expect(copied, `the build stage must COPY ${u}`).toContain(u);
  });

  test('the runtime stage has production dependencies only, the compiled dist/ and package.json', () => {
    const r = runs(runtime);
    expect(r.some((x) => /\bnpm ci\b/.test(x) && /--omit=dev\b/.test(x))).toBe(true);
    expect(r.join('\n')).not.toMatch(/\bnpm (install|i|run build)\b/);
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies.some((c) => new RegExp(`^--from=${build.name}\\s+\\S*dist\\S*\\s+\\S*dist`).test(c))).toBe(true);
    // dist/version.js reads ../package.json for the version it reports.
    expect(copies.some((c) => !c.startsWith('--from') && /\bpackage\.json\b/.test(c) && /\bpackage-lock\.json\b/.test(c))).toBe(true);
    expect(copies.some((c) => !c.startsWith('--from') && /\b(src|test)\b/.test(c))).toBe(false);
  });

  test('runs as the unprivileged node user', () => {
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
    expect(users.at(-1)).toBe('node');
    const userAt = runtime.instructions.findLastIndex((i) => i.keyword === 'USER');
    const entryAt = runtime.instructions.findIndex((i) => i.keyword === 'ENTRYPOINT');
    expect(userAt).toBeLessThan(entryAt);
  });

  test('serves streamable HTTP on 0.0.0.0:8765 by default, and exposes that port', () => {
    expect(runtimeEnv).toMatchObject({ CLUVIO_MCP_TRANSPORT: 'http', CLUVIO_MCP_HOST: '0.0.0.0', CLUVIO_MCP_PORT: '8765' });
    const exposed = runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed.map((p) => p.replace(/\/tcp$/, ''))).toContain(runtimeEnv.CLUVIO_MCP_PORT);
    const entry = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
    expect(entry).toHaveLength(1);
    expect(execForm(entry[0]!.args, 'ENTRYPOINT')).toEqual(['node', 'dist/cli.js']);
    expect(runtime.instructions.some((i) => i.keyword === 'CMD'), 'a CMD would be replaced by any flags given to docker run').toBe(false);
  });

  test("the image's environment makes the server demand CLUVIO_MCP_AUTH_TOKEN, and serve HTTP once it is set", () => {
    const env = { ...runtimeEnv, CLUVIO_API_KEY: 'some-key' };
    let error: unknown;
    try {
      parseCommand([], env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('CLUVIO_MCP_AUTH_TOKEN');

    const cmd = parseCommand([], { ...env, CLUVIO_MCP_AUTH_TOKEN: 'a'.repeat(32) });
    expect(cmd.kind).toBe('serve');
    if (cmd.kind !== 'serve') return;
    expect(cmd.config.transport).toBe('http');
    expect(cmd.config.http).toMatchObject({ host: '0.0.0.0', port: 8765 });
    // Flags appended to `docker run IMAGE ...` still win over the image's environment.
    const stdio = parseCommand(['--transport', 'stdio'], env);
    expect(stdio.kind === 'serve' && stdio.config.transport).toBe('stdio');
  });

  test('.dockerignore keeps local builds, dependencies and secrets out, but not what the build copies', () => {
    const ignored = readFileSync(`${ROOT}.dockerignore`, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git', '.env']) expect(ignored).toContain(p);
    const copied = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copied.length).toBeGreaterThan(0);
    for (const src of copied) expect(ignored, `${src} is copied by the Dockerfile`).not.toContain(src.replace(/^\.\//, '').replace(/\/$/, ''));
  });
});

describe('Dockerfile HEALTHCHECK', () => {
  const checks = runtime.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
  const check = checks[0]?.args ?? '';
  const command = (() => {
    const m = /\bCMD\s+(.*)$/s.exec(check);
    return m ? execForm(m[1]!, 'HEALTHCHECK CMD') : [];
  })();

  test('asks /healthz with node (slim images have no curl or wget)', () => {
    expect(checks).toHaveLength(1);
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/healthz');
    expect(check).not.toMatch(/\b(curl|wget)\b/);
    expect(check).toMatch(/--interval=\d+s/);
    expect(check).toMatch(/--timeout=\d+s/);
  });

  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  test('passes against the built server started with the image environment, and fails once it is gone', async () => {
    expect(existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first').toBe(true);
    // The image's environment, but on loopback and a free port; Cluvio itself is never called.
    const env = {
      PATH: process.env.PATH ?? '',
      ...runtimeEnv,
      CLUVIO_MCP_HOST: '127.0.0.1',
      CLUVIO_MCP_PORT: '0',
      CLUVIO_MCP_AUTH_TOKEN: 'healthcheck-test-token-0123456789',
      CLUVIO_API_KEY: 'unused-key',
      CLUVIO_API_URL: 'http://127.0.0.1:9',
      CLUVIO_DATA_URL: 'http://127.0.0.1:9',
    };
    const running = await spawnHttpServer([], env, ROOT);
    server = running.child;
    const port = new URL(running.url).port;

    // As Docker runs it: the exec-form command, with the container's environment (here: the chosen port).
    const healthcheck = () =>
      spawnSync(process.execPath, command.slice(1), { env: { PATH: env.PATH, CLUVIO_MCP_PORT: port }, timeout: 10_000 }).status;
    expect(healthcheck()).toBe(0);

    running.child.kill('SIGTERM');
    await running.exited;
    server = undefined;
    expect(healthcheck()).not.toBe(0);
  });
});

// The distribution metadata next to package.json: the MCP Bundle manifest (Claude Desktop), its
// .mcpbignore, the MCP registry's server.json and the client config examples. Each is checked against the
// code it describes, so a renamed setting, a new tool or a version bump that misses one of them fails here.
//
// After adding, removing or re-describing a tool, regenerate manifest.json's tool list with
//   UPDATE_MANIFEST_TOOLS=1 npx vitest run test/packaging/manifest.test.ts
// (it writes the list one server start gives, then checks the file as written against another
// server start's list and `mcpb validate`: the switch cannot make a wrong manifest pass).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { getAllFilesWithCount, readMcpbIgnorePatterns } from '@anthropic-ai/mcpb/node';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { HELP, parseCommand, REGIONS } from '../../src/config.js';
import { TOOLSETS } from '../../src/operations/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

interface UserConfigOption {
  type: string;
  title: string;
  description: string;
  required?: boolean;
  default?: string | number | boolean;
  sensitive?: boolean;
}
interface Manifest {
  manifest_version: string;
  name: string;
  version: string;
  description: string;
  server: { type: string; entry_point: string; mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  user_config: Record<string, UserConfigOption>;
  compatibility: { runtimes: { node: string } };
  tools: { name: string; description: string }[];
  tools_generated?: boolean;
  prompts?: unknown[];
  prompts_generated?: boolean;
}

const pkg = json('package.json') as { name: string; version: string; mcpName: string; bin: Record<string, string>; engines: { node: string } };
const manifest = json('manifest.json') as Manifest;

/** What Claude Desktop does to mcp_config: ${__dirname} → the unpacked bundle, ${user_config.x} → the user's value. */
function substitute(value: string, userConfig: Record<string, string | number | boolean>): string {
  return value.replace(/\$\{__dirname\}/g, ROOT.replace(/\/$/, '')).replace(/\$\{user_config\.(\w+)\}/g, (_, key: string) => {
    if (!(key in userConfig)) throw new Error(`mcp_config uses user_config.${key}, which has no value`);
    return String(userConfig[key]);
  });
}

/** The values a user who only enters an API key ends up with. */
function defaults(overrides: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const [key, option] of Object.entries(manifest.user_config)) if (option.default !== undefined) values[key] = option.default;
  return { ...values, api_key: 'user-entered-key', ...overrides };
}

function envFor(userConfig: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(manifest.server.mcp_config.env).map(([k, v]) => [k, substitute(v, userConfig)]));
}

/** `mcpb validate manifest.json`, on the file as it is on disk now. */
function expectValidManifest(): void {
  const bin = `${ROOT}node_modules/.bin/mcpb`;
  expect(existsSync(bin), 'node_modules/.bin/mcpb is missing: npm ci').toBe(true);
  const result = spawnSync(bin, ['validate', 'manifest.json'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(result.stderr + result.stdout).toContain('validation passes');
  expect(result.status).toBe(0);
}

/** The tools and prompts the built server lists when Claude Desktop starts it with the defaults. */
async function servedByTheBundle(): Promise<{ tools: { name: string; description: string }[]; prompts: string[] }> {
  const cli = `${ROOT}${manifest.server.entry_point}`;
  expect(existsSync(cli), `${manifest.server.entry_point} is missing: run \`npm run build\` first`).toBe(true);
  const userConfig = defaults();
  const transport = new StdioClientTransport({
    command: process.execPath, // "node", as the host resolves it
    args: manifest.server.mcp_config.args.map((a) => substitute(a, userConfig)),
    // Cluvio is not called for tools/list; point it at a closed local port all the same.
    env: { PATH: process.env.PATH ?? '', ...envFor(userConfig), CLUVIO_LOG_LEVEL: 'silent', CLUVIO_API_URL: 'http://127.0.0.1:9', CLUVIO_DATA_URL: 'http://127.0.0.1:9' },
  });
  const client = new Client({ name: 'manifest-test', version: '0' });
  await client.connect(transport);
  try {
    const tools = (await client.listTools()).tools.map((t) => ({ name: t.name, description: t.description ?? '' }));
    const prompts = client.getServerCapabilities()?.prompts ? (await client.listPrompts()).prompts.map((p) => p.name) : [];
    return { tools, prompts };
  } finally {
    await client.close();
  }
}

describe('manifest.json (MCP Bundle)', () => {
  test('passes `mcpb validate`', () => {
    expectValidManifest();
  });

  test('has the name and version of package.json, and its Node requirement', () => {
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.compatibility.runtimes.node).toBe(pkg.engines.node);
  });

  test('starts the same entry point as the npm bin, with node, relative to the bundle', () => {
    expect(manifest.server.type).toBe('node');
    expect(manifest.server.entry_point).toBe(pkg.bin[pkg.name]);
    expect(manifest.server.mcp_config.command).toBe('node');
    expect(manifest.server.mcp_config.args).toEqual([`\${__dirname}/${manifest.server.entry_point}`]);
  });

  test('every user_config option is used, and every env variable is one the server reads', () => {
    const used = new Set(Object.values(manifest.server.mcp_config.env).flatMap((v) => [...v.matchAll(/\$\{user_config\.(\w+)\}/g)].map((m) => m[1])));
    expect([...used].sort()).toEqual(Object.keys(manifest.user_config).sort());
    for (const name of Object.keys(manifest.server.mcp_config.env)) expect(HELP, `${name} is not a setting of the server`).toContain(name);
    expect(manifest.server.mcp_config.env.CLUVIO_API_KEY).toBe('${user_config.api_key}');
    expect(manifest.server.mcp_config.env.CLUVIO_REGION).toBe('${user_config.region}');
    expect(manifest.user_config.api_key).toMatchObject({ type: 'string', sensitive: true, required: true });
    expect(manifest.user_config.region).toMatchObject({ type: 'string', default: 'eu' });
  });

  test('the substituted environment is a valid configuration, with the defaults and with every option set', () => {
    const plain = parseCommand([], envFor(defaults()));
    expect(plain.kind).toBe('serve');
    if (plain.kind !== 'serve') return;
    // Claude Desktop shows an image as an image: PNG exports up to 1 MB come back inline.
    expect(plain.config).toMatchObject({ apiKey: 'user-entered-key', region: 'eu', readOnly: false, toolsets: [], transport: 'stdio', maxImageKb: 1024 });

    const custom = parseCommand([], envFor(defaults({ region: 'us', read_only: true, toolsets: 'datasources, executions' })));
    expect(custom.kind === 'serve' && custom.config).toMatchObject({ region: 'us', readOnly: true, toolsets: ['datasources', 'executions'] });
  });

  test('the region and toolsets options name exactly the values the server accepts', () => {
    for (const region of Object.keys(REGIONS)) expect(manifest.user_config.region!.description).toContain(region);
    const listed = /Accepted: (.*)\.$/.exec(manifest.user_config.toolsets!.description)?.[1]?.split(', ');
    expect(listed).toEqual([...TOOLSETS]);
  });

  test("lists the built server's tools as Claude Desktop would start it", async () => {
    let served = await servedByTheBundle();
    let listed = manifest;
    if (process.env.UPDATE_MANIFEST_TOOLS) {
      // Regenerate, then check the file as written — read back from disk, validated again — against
      // a second start of the server, never against the list it was written from.
      writeFileSync(`${ROOT}manifest.json`, `${JSON.stringify({ ...manifest, tools: served.tools }, null, 2)}\n`);
      listed = json('manifest.json') as Manifest;
      expectValidManifest();
      served = await servedByTheBundle();
    }
    // The defaults expose every tool; read_only and toolsets only narrow this list, never extend it.
    expect(listed.tools_generated ?? false).toBe(false);
    // Prompt texts are built from live data (schemas, dashboards), so they cannot be listed statically.
    expect(listed.prompts ?? []).toEqual([]);
    expect(listed.prompts_generated ?? false).toBe(served.prompts.length > 0);
    expect(listed.tools, 'manifest.json tools differ from the server: UPDATE_MANIFEST_TOOLS=1 npx vitest run test/packaging/manifest.test.ts').toEqual(served.tools);
  });
});

describe('.mcpbignore', () => {
  const patterns = readMcpbIgnorePatterns(ROOT);

  test('re-includes exactly the production dependency closure of package-lock.json', () => {
    const lock = json('package-lock.json') as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const production = Object.entries(lock.packages)
      .filter(([path, info]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !info.dev && !info.devOptional)
      .map(([path]) => path)
      .sort();
    // A production package nested under another one ships with it; one nested under a dev package would not.
    for (const [path, info] of Object.entries(lock.packages)) {
      if (!path.startsWith('node_modules/') || production.includes(path) || info.dev || info.devOptional) continue;
      expect(production.some((top) => path.startsWith(`${top}/`)), `${path} is needed at run time`).toBe(true);
    }
    const listed = patterns
      .filter((p) => p.startsWith('!node_modules/') && /^!node_modules\/(@[^/]+\/)?[^@/][^/]*$/.test(p))
      .map((p) => p.slice(1))
      .sort();
    expect(listed, 'update the node_modules allowlist in .mcpbignore').toEqual(production);
  });

  test('what `mcpb pack .` would put in the bundle: the runtime, and nothing from development', () => {
    expect(existsSync(`${ROOT}dist/cli.js`), 'run `npm run build` first').toBe(true);
    const { files } = getAllFilesWithCount(ROOT, ROOT, {}, patterns);
    const paths = Object.keys(files);
    const sandboxExports = ['node_modules/@resvg/resvg-js/index.js', 'node_modules/pdf-lib/cjs/index.js', 'node_modules/@pdf-lib/fontkit/package.json', 'node_modules/@pdf-lib/upng/cjs/UPNG.js', 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf', 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'];
    for (const needed of ['manifest.json', 'package.json', 'dist/cli.js', 'node_modules/pino/package.json', 'node_modules/@modelcontextprotocol/server/package.json', 'node_modules/@electric-sql/pglite/package.json', ...sandboxExports]) {
      expect(paths).toContain(needed);
    }
    // pdf-lib's browser and ES builds, and the DejaVu faces the exports do not use, stay out (~30 MB).
    expect(paths.filter((p) => /^node_modules\/pdf-lib\/(dist|es|src|ts3\.4)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('node_modules/dejavu-fonts-ttf/ttf/')).sort()).toEqual(sandboxExports.filter((p) => p.includes('/ttf/')).sort());
    const unwanted = paths.filter(
      (p) =>
        /^(src|test|scripts|examples|\.ci|coverage)\//.test(p) ||
        /\.map$/.test(p) ||
        /^node_modules\/(typescript|vitest|vite|gpt-tokenizer|@anthropic-ai|@modelcontextprotocol\/client|@types)\//.test(p) ||
        ['Dockerfile', 'server.json', 'package-lock.json', 'tsconfig.json', 'vitest.config.ts'].includes(p),
    );
    expect(unwanted).toEqual([]);
  });
});

describe('server.json (MCP registry)', () => {
  const server = json('server.json') as {
    $schema: string;
    name: string;
    description: string;
    version: string;
    packages: {
      registryType: string;
      identifier: string;
      version: string;
      transport: { type: string };
      environmentVariables: { name: string; isRequired?: boolean; isSecret?: boolean; default?: string; choices?: string[] }[];
    }[];
  };

  test("has package.json's mcpName and version, and names the npm package at that version", () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toHaveLength(1);
    expect(server.packages[0]).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
  });

  test("keeps to the registry schema's constraints", () => {
    expect(server.$schema).toMatch(/^https:\/\/static\.modelcontextprotocol\.io\/schemas\/\d{4}-\d{2}-\d{2}\/server\.schema\.json$/);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.description.length).toBeGreaterThan(0);
    expect(server.description.length).toBeLessThanOrEqual(100);
    for (const v of [server.version, server.packages[0]!.version]) expect(v).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  test('declares the API key as a required secret and only variables the server reads', () => {
    const vars = server.packages[0]!.environmentVariables;
    expect(vars.find((v) => v.name === 'CLUVIO_API_KEY')).toMatchObject({ isRequired: true, isSecret: true });
    expect(vars.find((v) => v.name === 'CLUVIO_REGION')).toMatchObject({ default: 'eu', choices: Object.keys(REGIONS) });
    for (const v of vars) expect(HELP, `${v.name} is not a setting of the server`).toContain(v.name);
    for (const v of vars.filter((x) => x.name !== 'CLUVIO_API_KEY')) expect(v.isSecret ?? false).toBe(false);
  });
});

describe('client config examples', () => {
  /** The arguments the server itself gets from a client entry's command line. */
  function serverArgs(entry: { command: string; args: string[] }): string[] {
    if (entry.command === 'npx') {
      const at = entry.args.findIndex((a) => a === pkg.name || a.startsWith(`${pkg.name}@`));
      expect(at, 'npx entries run the published package').toBeGreaterThanOrEqual(0);
      return entry.args.slice(at + 1);
    }
    expect(entry.command).toBe('node');
    expect(entry.args[0]).toMatch(/\/dist\/cli\.js$/);
    return entry.args.slice(1);
  }

  /** Every stdio entry is for a host that shows images as images (Claude Desktop, Cursor, VS Code): PNG exports up to 1 MB come back inline. */
  function checkStdio(entry: { command: string; args: string[]; env?: Record<string, string> }): void {
    const env = { ...entry.env, CLUVIO_API_KEY: 'k' };
    const cmd = parseCommand(serverArgs(entry), env);
    expect(cmd.kind).toBe('serve');
    expect(cmd.kind === 'serve' && cmd.config.maxImageKb).toBe(1024);
    for (const name of Object.keys(entry.env ?? {})) expect(HELP).toContain(name);
  }

  function checkHttp(entry: { url: string; headers: Record<string, string> }): void {
    const url = new URL(entry.url);
    expect(url.pathname).toBe('/mcp');
    expect(url.port).toBe('8765');
    expect(entry.headers.Authorization).toMatch(/^Bearer \S+/);
  }

  test('Claude Desktop (mcp.json.example): npx, a local build and the sandbox, all over stdio', () => {
    const servers = json('mcp.json.example').mcpServers as Record<string, { command: string; args: string[]; env?: Record<string, string> }>;
    const entries = Object.values(servers);
    expect(entries.some((e) => e.command === 'npx')).toBe(true);
    expect(entries.some((e) => e.command === 'node')).toBe(true);
    expect(entries.some((e) => e.args.includes('--sandbox'))).toBe(true);
    for (const e of entries) checkStdio(e);
  });

  test('Cursor (examples/cursor.mcp.json): stdio and HTTP entries under mcpServers', () => {
    const servers = Object.values(json('examples/cursor.mcp.json').mcpServers as Record<string, Record<string, never>>);
    const http = servers.filter((e) => 'url' in e);
    expect(http.length).toBeGreaterThan(0);
    for (const e of http) checkHttp(e);
    for (const e of servers.filter((x) => 'command' in x)) checkStdio(e);
  });

  test('VS Code (examples/vscode.mcp.json): typed stdio and http entries under servers, secrets from inputs', () => {
    const config = json('examples/vscode.mcp.json') as { inputs: { id: string; password?: boolean }[]; servers: Record<string, Record<string, never>> };
    const servers = Object.values(config.servers);
    expect(new Set(servers.map((e) => (e as { type: string }).type))).toEqual(new Set(['stdio', 'http']));
    for (const e of servers) ((e as { type: string }).type === 'http' ? checkHttp(e) : checkStdio(e));
    const referenced = JSON.stringify(config.servers).match(/\$\{input:([\w-]+)\}/g)?.map((r) => r.slice(8, -1)) ?? [];
    for (const id of referenced) expect(config.inputs.find((i) => i.id === id)).toMatchObject({ password: true });
  });
});

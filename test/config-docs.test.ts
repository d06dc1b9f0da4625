// The settings are written once, in the table of src/config.ts. What describes them elsewhere — the README's
// configuration table, manifest.json (Claude Desktop's bundle) and server.json (the MCP registry) — is checked
// against that table here: a setting added, renamed or re-ranged in one place and not the other fails.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { HELP, SETTINGS, shownDefault, type Setting } from '../src/config.js';

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

const TABLE: readonly Setting[] = SETTINGS;
const byEnv = new Map(TABLE.flatMap((s) => (s.env === undefined ? [] : [[s.env, s] as const])));
const envs = [...byEnv.keys()].sort();
const flags = [...new Set(TABLE.flatMap((s) => (s.flag === undefined ? [] : [s.flag])))].sort();
const isSwitch = (s: Setting) => s.kind.arg === undefined;
const isInt = (s: Setting) => s.kind.max !== undefined;

/** Whether `stated`, a default as a document writes it ("eu", "30", "false", "on", "all"), is the setting's default. */
function isDefault(s: Setting, stated: string): boolean {
  if (stated === shownDefault(s)) return true;
  if (typeof s.default === 'function') return false;
  try {
    return isDeepStrictEqual(s.kind.parse(stated, s.env ?? `--${s.flag}`), s.default);
  } catch {
    return false;
  }
}

/** The defaults a sentence states: "default 8", "default: all", "(default on)", "`info` (default)". */
function statedDefaults(text: string): string[] {
  return [...text.matchAll(/\bdefault:?\s+`?([^\s`,;)]+)`?/gi), ...text.matchAll(/`([^`]+)`\s+\(default\)/g)].map((m) => m[1]!);
}

/** The ranges a sentence states: "at most 20", "from 100 to 600000". */
function statedRanges(text: string): { min?: number; max: number }[] {
  return [
    ...[...text.matchAll(/\bat most (\d+)/g)].map((m) => ({ max: Number(m[1]) })),
    ...[...text.matchAll(/\bfrom (\d+) to (\d+)/g)].map((m) => ({ min: Number(m[1]), max: Number(m[2]) })),
  ];
}

interface Row {
  line: string;
  env: string[];
  flag: string[];
  meaning: string;
}

/** The rows of the first table in the README's "## Configuration" section. */
function configurationRows(readme: string): Row[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Configuration\n'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const lines = section.split('\n');
  const header = lines.findIndex((l) => /^\| environment \| flag \| meaning \|$/.test(l));
  if (header < 0) throw new Error('the Configuration section has no "| environment | flag | meaning |" table');
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [env = '', flag = '', ...meaning] = line.replace(/^\|\s*|\s*\|$/g, '').split(/\s+\|\s+/);
    rows.push({
      line,
      env: [...env.matchAll(/`(CLUVIO_[A-Z0-9_]+)`/g)].map((m) => m[1]!),
      flag: [...flag.matchAll(/`--([a-z][a-z-]*)/g)].map((m) => m[1]!),
      meaning: meaning.join(' | '),
    });
  }
  return rows;
}

/** The setting a README row describes: by its variable, else by its flag among the settings without one. */
function settingOf(row: Row): Setting | undefined {
  if (row.env[0] !== undefined) return byEnv.get(row.env[0]);
  return TABLE.find((s) => s.env === undefined && s.flag === row.flag[0]);
}

describe('README.md "## Configuration" table', () => {
  const rows = configurationRows(read('README.md'));

  test('each row names one setting: at most one variable and one flag', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.env.length + row.flag.length, row.line).toBeGreaterThan(0);
      expect(row.env.length, row.line).toBeLessThanOrEqual(1);
      expect(row.flag.length, row.line).toBeLessThanOrEqual(1);
    }
  });

  test('lists every variable of the table, and none the table lacks', () => {
    expect(rows.flatMap((r) => r.env).sort()).toEqual(envs);
  });

  test('lists every flag of the table, and none the table lacks', () => {
    expect([...new Set(rows.flatMap((r) => r.flag))].sort()).toEqual(flags);
  });

  test("pairs each variable with its own setting's flag", () => {
    for (const row of rows) {
      const setting = settingOf(row);
      expect(setting, `${row.line}\nnames no setting of src/config.ts`).toBeDefined();
      expect(setting!.flag, row.line).toBe(row.flag[0]);
    }
  });

  test("states the setting's default and range where it states one", () => {
    let stated = 0;
    for (const row of rows) {
      const setting = settingOf(row)!;
      for (const value of statedDefaults(row.meaning)) {
        stated++;
        expect(isDefault(setting, value), `${row.line}\nstates default ${value}; the table's is ${shownDefault(setting) ?? JSON.stringify(setting.default)}`).toBe(true);
      }
      for (const range of statedRanges(row.meaning)) {
        stated++;
        expect({ ...range, min: range.min ?? setting.kind.min }, row.line).toEqual({ min: setting.kind.min, max: setting.kind.max });
      }
    }
    expect(stated).toBeGreaterThan(10);
  });

  test('says "`check` only" for the flags only `check` takes', () => {
    for (const row of rows) {
      const checkOnly = isDeepStrictEqual(settingOf(row)!.commands, ['check']);
      expect(row.meaning.startsWith('`check` only'), row.line).toBe(checkOnly);
    }
  });
});

describe('--help', () => {
  test('shows every setting: its flag with its argument, its variable, its default, range and choices', () => {
    for (const s of TABLE) {
      const line = HELP.split('\n').find((l) => (s.flag === undefined ? l.trimStart().startsWith(s.env!) : l.includes(`--${s.flag}${s.kind.arg ? ` ${s.kind.arg}` : ''} `) && l.includes(s.help)));
      expect(line, `--help has no line for ${s.env ?? `--${s.flag}`}`).toBeDefined();
      if (s.env !== undefined) expect(line).toContain(s.env);
      const shown = shownDefault(s);
      const block = HELP.slice(HELP.indexOf(line!), HELP.indexOf(line!) + line!.length + 200).split('\n').slice(0, 2).join(' ');
      if (shown !== undefined) expect(block).toContain(`default ${shown}`);
      if (isInt(s)) expect(block).toContain(`${s.kind.min}-${s.kind.max}`);
      for (const choice of s.kind.choices ?? []) expect(block, `--help for ${s.env ?? s.flag} names ${choice}`).toContain(choice);
    }
  });

  test('settings that share a flag read it the same way', () => {
    for (const flag of flags) expect(new Set(TABLE.filter((s) => s.flag === flag).map(isSwitch)).size, `--${flag}`).toBe(1);
  });
});

interface UserConfigOption {
  type: 'string' | 'number' | 'boolean' | 'directory' | 'file';
  description: string;
  default?: string | number | boolean;
  sensitive?: boolean;
  min?: number;
  max?: number;
}

describe('manifest.json', () => {
  const manifest = JSON.parse(read('manifest.json')) as { server: { mcp_config: { env: Record<string, string> } }; user_config: Record<string, UserConfigOption> };
  const env = Object.entries(manifest.server.mcp_config.env);

  test('sets only variables of the table', () => {
    expect(env.length).toBeGreaterThan(0);
    for (const [name] of env) expect(byEnv.has(name), `${name} is not a setting of src/config.ts`).toBe(true);
  });

  test('a fixed value is one the setting accepts', () => {
    for (const [name, value] of env.filter(([, v]) => !v.includes('${'))) {
      const s = byEnv.get(name)!;
      expect(() => s.kind.parse(value, name), `${name}=${value}`).not.toThrow();
    }
  });

  test("a user_config option has the setting's type, secrecy, default and range", () => {
    for (const [name, value] of env.filter(([, v]) => v.includes('${'))) {
      const s = byEnv.get(name)!;
      const key = /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1];
      expect(key, `${name}: a whole \${user_config.x}`).toBeDefined();
      const option = manifest.user_config[key!]!;
      expect(option, `user_config.${key}`).toBeDefined();
      expect(option.type, name).toBe(isSwitch(s) ? 'boolean' : isInt(s) ? 'number' : 'string');
      expect(option.sensitive ?? false, name).toBe(s.secret ?? false);
      if (option.default !== undefined) expect(isDefault(s, String(option.default)), `${name}: default ${option.default}`).toBe(true);
      if (option.min !== undefined) expect(option.min, name).toBeGreaterThanOrEqual(s.kind.min!);
      if (option.max !== undefined) expect(option.max, name).toBeLessThanOrEqual(s.kind.max!);
      for (const choice of s.kind.choices ?? []) expect(option.description, name).toContain(choice);
      for (const stated of statedDefaults(option.description)) expect(isDefault(s, stated), `${name}: "${option.description}"`).toBe(true);
    }
  });
});

describe('server.json', () => {
  const server = JSON.parse(read('server.json')) as {
    packages: { environmentVariables: { name: string; description: string; format?: string; isSecret?: boolean; default?: string; choices?: string[] }[] }[];
  };
  const vars = server.packages.flatMap((p) => p.environmentVariables);

  test('names only variables of the table', () => {
    expect(vars.length).toBeGreaterThan(0);
    for (const v of vars) expect(byEnv.has(v.name), `${v.name} is not a setting of src/config.ts`).toBe(true);
  });

  test("each variable has the setting's secrecy, format, default and choices", () => {
    for (const v of vars) {
      const s = byEnv.get(v.name)!;
      expect(v.isSecret ?? false, v.name).toBe(s.secret ?? false);
      expect(v.format ?? 'string', v.name).toBe(isSwitch(s) ? 'boolean' : isInt(s) ? 'number' : 'string');
      if (v.default !== undefined) expect(isDefault(s, v.default), `${v.name}: default ${v.default}`).toBe(true);
      if (v.choices !== undefined) expect(v.choices, v.name).toEqual(s.kind.choices);
    }
  });

  test('no description contradicts the default it states', () => {
    for (const v of vars) {
      const s = byEnv.get(v.name)!;
      for (const stated of statedDefaults(v.description)) expect(isDefault(s, stated), `${v.name}: "${v.description}"`).toBe(true);
    }
  });
});

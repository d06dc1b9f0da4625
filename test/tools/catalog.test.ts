import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourceFiles } from '../source-files.js';
import { describe, expect, it } from 'vitest';
import { buildCatalog, hasOriginalInput, OPERATIONS, toolName } from '../../src/operations/index.js';
import { TOOL_ONLY, WAIT_CEILING_SECONDS } from '../../src/operations/shared.js';
import { modelJsonSchema } from '../../src/tools/schema.js';
import { routeParts } from '../../src/operations/request.js';
import { ConfigError } from '../../src/config.js';
import { Inventory } from '../../src/inventory.js';
import { readPlan } from '../../src/check/plan.js';
import { buildRequest } from '../../src/operations/request.js';
import { confirmClass, isLocal, LOCAL, policyAsks, requiredPermission, TOOLSETS, type Operation } from '../../src/operations/types.js';
import { annotationsFor } from '../../src/tools/register.js';

describe('the operation catalog', () => {
  it("has every one of the 89 API-server operations, once, and this server's own search_account", () => {
    expect(OPERATIONS.filter((o) => !isLocal(o))).toHaveLength(89);
    expect(OPERATIONS.filter(isLocal).map(toolName)).toEqual(['search_account']);
    expect(new Set(OPERATIONS.map((o) => o.id)).size).toBe(90);
    expect(new Set(OPERATIONS.map(toolName)).size).toBe(90);
  });

  it("keeps this server's own operations out of everything that talks to Cluvio by route: requests, routes files, check", () => {
    const local = OPERATIONS.filter(isLocal);
    const inventory = new Inventory({ routeOverrides: {}, maxWaitSeconds: 50, toolsets: [], tools: [], readOnly: false });
    const plan = readPlan(inventory);
    for (const op of local) {
      expect(op.route, op.id).toBe(LOCAL);
      // A read whose handler does the work, with arguments of its own only: nothing is sent as given.
      expect(op.access, op.id).toBe('read');
      expect(typeof op.handler, op.id).toBe('function');
      for (const [name, schema] of Object.entries(op.input.shape)) expect(TOOL_ONLY.has(schema as never), `${op.id}.${name}`).toBe(true);
      expect(() => buildRequest(op, {}), op.id).toThrow(/this server's own operation/);
      expect(() => buildCatalog({ [op.id]: 'GET /search' }), op.id).toThrow(ConfigError);
      expect(() => buildCatalog({ [op.id]: 'GET /search' }), op.id).toThrow(/this server's own operation: it has no Cluvio route/);
      expect([...plan.collections, ...plan.byId.map((b) => b.op), ...plan.notGet].map((o) => o.id), op.id).not.toContain(op.id);
    }
  });

  it('drops the search index on every write that creates, changes or deletes what search_account finds, and on no other', () => {
    const searched = new Set(['reports', 'dashboards', 'filters', 'sql_snippets', 'sql_alerts']);
    // Creates (a collection route), updates, deletes and copies in a searched toolset; not locks, sharing, layout, runs.
    const changesContent = (op: Operation) => {
      const { method, params } = routeParts(op.route);
      return op.access === 'write' && searched.has(op.toolset) && (params.length === 0 || method === 'PATCH' || method === 'DELETE' || op.route.endsWith('/duplicate'));
    };
    const declared = OPERATIONS.filter((op) => op.invalidates?.includes('search-index')).map((op) => op.id);
    expect(declared.sort()).toEqual(OPERATIONS.filter(changesContent).map((op) => op.id).sort());
    expect(declared).toHaveLength(17);
  });

  it('names each tool after the reference title in snake_case', () => {
    expect(toolName({ title: 'Get Drop-Down Filter Options' })).toBe('get_drop_down_filter_options');
    expect(toolName({ title: 'Export Dashboard PDF' })).toBe('export_dashboard_pdf');
    for (const op of OPERATIONS) expect(toolName(op)).toMatch(/^[a-z]+(_[a-z0-9]+)+$/);
  });

  it('puts every operation in a known toolset, with a route and a description', () => {
    for (const op of OPERATIONS.filter((o) => !isLocal(o))) {
      expect(TOOLSETS, op.id).toContain(op.toolset);
      expect(routeParts(op.route).method, op.id).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
      expect(routeParts(op.route).path, op.id).toMatch(/^\/[a-z_/{}]+$/);
      expect(op.description.length, op.id).toBeGreaterThan(10);
      for (const p of routeParts(op.route).params) expect(Object.keys(op.input.shape), `${op.id} path param ${p}`).toContain(p);
    }
    for (const set of TOOLSETS) expect(OPERATIONS.some((o) => o.toolset === set), set).toBe(true);
  });

  it('annotates every tool fully and honestly', () => {
    for (const op of OPERATIONS) {
      const a = annotationsFor(op, false);
      expect(a.title, op.id).toBe(op.title);
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) expect(typeof a[hint], `${op.id} ${hint}`).toBe('boolean');
      if (op.access === 'read') expect(a.destructiveHint, op.id).toBe(false);
      if (routeParts(op.route).method === 'DELETE') expect(a.destructiveHint, op.id).toBe(true);
      if (op.access !== 'read') expect(a.readOnlyHint, op.id).toBe(false);
    }
  });

  it('caps max_wait_seconds at 50 (what clients wait for), or at the operator\'s ceiling', () => {
    const waiting = OPERATIONS.filter((op) => 'max_wait_seconds' in op.input.shape);
    expect(waiting.length).toBeGreaterThanOrEqual(13);
    const wait = (op: (typeof OPERATIONS)[number]) => (modelJsonSchema(op.input, 'input').properties as Record<string, Record<string, unknown>>).max_wait_seconds;
    expect(WAIT_CEILING_SECONDS).toBe(50);
    // The default (45) is applied but not advertised: the answer says how long it waited and how to go on.
    const defaultOf = (op: (typeof OPERATIONS)[number]) => (op.input.parse({ ...required(op) }) as { max_wait_seconds: number }).max_wait_seconds;
    for (const op of waiting) {
      expect(wait(op), op.id).toEqual({ type: 'integer', maximum: 50 });
      expect(defaultOf(op), op.id).toBe(45);
      expect(op.input.safeParse({ ...required(op), max_wait_seconds: 51 }).success, op.id).toBe(false);
    }
    for (const op of buildCatalog({}, { maxWaitSeconds: 600 }).filter((o) => 'max_wait_seconds' in o.input.shape)) {
      expect(wait(op), op.id).toEqual({ type: 'integer', maximum: 600 });
      expect(defaultOf(op), op.id).toBe(45);
      expect(hasOriginalInput(op), op.id).toBe(false);
      expect(op.input.safeParse({ ...required(op), max_wait_seconds: 600 }).success, op.id).toBe(true);
    }
    for (const op of buildCatalog({}, { maxWaitSeconds: 20 }).filter((o) => 'max_wait_seconds' in o.input.shape)) {
      expect(wait(op), op.id).toEqual({ type: 'integer', maximum: 20 });
      expect(defaultOf(op), op.id).toBe(20);
    }
    expect(buildCatalog().every(hasOriginalInput)).toBe(true);
  });

  it('advertises strict-compatible schemas: every object lists its properties, every value has a type, unions are anyOf', () => {
    const problems: string[] = [];
    const check = (schema: Record<string, unknown>, where: string): void => {
      if (!('type' in schema || 'anyOf' in schema || 'enum' in schema)) problems.push(`${where} has no type`);
      // Gemini CLI's validator and Gemini's API accept a type array only as [T, "null"].
      if (Array.isArray(schema.type) && !(schema.type.length === 2 && schema.type.includes('null'))) problems.push(`${where} has type ${JSON.stringify(schema.type)}`);
      // Not a field of Gemini's Schema: LangChain passes it on and the API refuses the request.
      if ('exclusiveMinimum' in schema || 'exclusiveMaximum' in schema) problems.push(`${where} has an exclusive bound`);
      if (schema.type === 'object') {
        const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
        if (Object.keys(props).length === 0) problems.push(`${where} lists no properties`);
        for (const [k, v] of Object.entries(props)) check(v, `${where}.${k}`);
      }
      if (schema.items) check(schema.items as Record<string, unknown>, `${where}[]`);
      for (const v of (schema.anyOf ?? []) as Record<string, unknown>[]) check(v, `${where}|`);
    };
    for (const op of OPERATIONS) check(modelJsonSchema(op.input, 'input'), op.id);
    expect(problems).toEqual([]);
  });

  it('keeps route candidates usable by a routes file: same method and path parameters, never another operation\'s route', () => {
    const shape = (route: string) => route.replace(/\{[a-z_]+\}/g, '{}');
    const routes = new Set(OPERATIONS.map((op) => shape(op.route)));
    const withCandidates = OPERATIONS.filter((op) => op.candidates?.length);
    expect(withCandidates.length).toBeGreaterThan(0);
    for (const op of withCandidates) {
      const { method, params } = routeParts(op.route);
      expect(op.candidates!.length, op.id).toBeLessThanOrEqual(4);
      for (const candidate of op.candidates!) {
        expect(routeParts(candidate).method, `${op.id} ${candidate}`).toBe(method);
        expect(routeParts(candidate).params.sort(), `${op.id} ${candidate}`).toEqual([...params].sort());
        expect(routes.has(shape(candidate)), `${op.id} ${candidate} is another operation's route`).toBe(false);
        expect(() => buildCatalog({ [op.id]: candidate }), `${op.id} ${candidate}`).not.toThrow();
      }
    }
  });

  it("names permissions only in the reference's words", () => {
    const reference = readFileSync(fileURLToPath(new URL('../../reference/cluvio-api-v2024-06-01.txt', import.meta.url)), 'utf8');
    for (const op of OPERATIONS) {
      const names = [...requiredPermission(op).matchAll(/\b(?:View|Manage) [A-Z][a-z]+/g)].map((m) => m[0]);
      expect(names.length, op.id).toBeGreaterThan(0);
      for (const name of names) expect(reference.includes(name), `${op.id}: ${name}`).toBe(true);
    }
    expect(requiredPermission({ toolset: 'users', access: 'read' })).toBe('View Users or Manage Users');
    expect(requiredPermission({ toolset: 'dashboards', access: 'write' })).toBe('Manage Dashboards');
    expect(requiredPermission({ toolset: 'dashboards', access: 'read' })).toBe('a permission to read dashboards (the reference names Manage Dashboards to change them)');
  });

  it('puts every write, and only writes, in a confirmation class: destructive ones and those that e-mail people in the default class', () => {
    for (const op of OPERATIONS) {
      const cls = confirmClass(op);
      if (op.access !== 'write') expect(cls, op.id).toBeUndefined();
      else expect(['destructive', 'writes'], op.id).toContain(cls);
      if (op.access === 'write' && annotationsFor(op, false).destructiveHint) expect(cls, op.id).toBe('destructive');
      // What a tool says it does: a write that e-mails someone is asked by default.
      if (op.access === 'write' && /e-mail/i.test(op.description)) expect(cls, `${op.id}: ${op.description}`).toBe('destructive');
      // Every question about an existing object can fetch it first, to name it.
      if (op.access === 'write' && op.route.includes('{id}')) {
        const objectPath = op.route.split(' ')[1]!.replace(/(\{id\}).*$/, '$1');
        expect(OPERATIONS.some((o) => o.access === 'read' && o.route === `GET ${objectPath}`), op.id).toBe(true);
      }
    }
    expect(policyAsks('destructive', 'writes')).toBe(false);
    expect(policyAsks('writes', 'writes')).toBe(true);
    expect(policyAsks('off', 'destructive')).toBe(false);
    expect(policyAsks('writes', undefined)).toBe(false);
  });

  it('lists in the README exactly the tools of each confirmation class', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const listed = (label: string) => {
      const start = readme.indexOf(`- **${label}**`);
      expect(start, label).toBeGreaterThan(0);
      const item = readme.slice(start, readme.indexOf('\n- ', start + 1));
      return [...item.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter((n) => n !== 'destructive' && n !== 'writes');
    };
    const of = (cls: string) => OPERATIONS.filter((o) => confirmClass(o) === cls).map(toolName);
    expect(listed('Asked by default')).toEqual(of('destructive'));
    expect(listed('Asked with `writes`')).toEqual(of('writes'));
    expect(readme).toContain(`(\`destructive\`, ${of('destructive').length})`);
    expect(readme).toContain(`(${of('writes').length} more)`);
  });

  it('keeps no list of tool names or operation ids by hand anywhere in src/: such facts live on the catalog entry', () => {
    const names = new Set<string>([...OPERATIONS.map(toolName), ...OPERATIONS.map((o) => o.id)]);
    const offenders: string[] = [];
    const catalog = fileURLToPath(new URL('../../src/operations/', import.meta.url));
    for (const file of sourceFiles(fileURLToPath(new URL('../../src', import.meta.url))).filter((f) => !f.startsWith(catalog))) {
      const text = readFileSync(file, 'utf8');
      for (const list of text.matchAll(/\[([^\][]{0,4000})\]/g)) {
        const literals = [...list[1]!.matchAll(/['"]([A-Za-z_]+)['"]/g)].map((m) => m[1]!);
        if (literals.filter((l) => names.has(l)).length >= 3) offenders.push(`${file}: [${list[1]!.slice(0, 80)}…]`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('layers without upward imports: the catalog imports nothing at runtime from tools/, resources/ or transports/', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(fileURLToPath(new URL('../../src/operations', import.meta.url)))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*from '(\.\.\/(?:tools|resources|transports)\/[^']+)'/gm)) upward.push(`${file}: ${m[1]}`);
    }
    expect(upward).toEqual([]);
  });
});

/** Placeholder values for an operation's required string arguments. */
function required(op: (typeof OPERATIONS)[number]): Record<string, string> {
  const json = modelJsonSchema(op.input, 'input') as { required?: string[] };
  return Object.fromEntries((json.required ?? []).map((k) => [k, 'x']));
}


/**
 * Contract fixtures: what an account answered, as scripts/recording-to-fixture.mjs makes them from a recording of
 * `cluvio-mcp check --record FILE` (every value replaced by its type). Each fixture in fixtures/ is checked against
 * the sandbox, recorded the same way: the route each operation answered at, its status, its media type and the
 * shape of its body. A correction found on a real account — a route elsewhere, an attribute the sandbox lacks —
 * thus fails here until the catalog and the sandbox follow. fixtures/sandbox.json is the sandbox's own recording.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapeDifferences, type Recording, type Typed } from '../../src/check/recording.js';
import { CLI } from '../integration/harness.js';

interface Fixture {
  from: string;
  operations: Record<string, { route: string; status: number; content_type: string | null; body?: Typed }>;
}

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
const dir = mkdtempSync(join(tmpdir(), 'cluvio-contract-'));
let sandbox: Recording;

beforeAll(async () => {
  const file = join(dir, 'sandbox.json');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'check', '--sandbox', '--run-query', '--record', file], {
      env: { PATH: process.env.PATH ?? '', CLUVIO_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('close', resolve);
  });
  expect(code).toBe(0);
  sandbox = JSON.parse(readFileSync(file, 'utf8')) as Recording;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('contract fixtures against the sandbox', () => {
  it('has fixtures', () => {
    expect(fixtures).toContain('sandbox.json');
  });

  it.each(fixtures)('%s: the sandbox answers every operation at the same route, with the same status, media type and shape', (name) => {
    const fixture = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Fixture;
    const differences: string[] = [];
    for (const [id, expected] of Object.entries(fixture.operations)) {
      const seen = sandbox.operations[id];
      const answer = seen?.answer;
      if (!seen || !answer) {
        differences.push(`${id}: the sandbox did not answer (${seen?.verdict ?? 'not called'})`);
        continue;
      }
      const route = seen.found_route ?? seen.route;
      if (route !== expected.route) differences.push(`${id}: answers at ${route}, the account at ${expected.route}`);
      if (answer.status !== expected.status) differences.push(`${id}: HTTP ${answer.status}, the account ${expected.status}`);
      if (answer.content_type !== expected.content_type) differences.push(`${id}: ${answer.content_type}, the account ${expected.content_type}`);
      if (expected.body !== undefined) differences.push(...shapeDifferences(expected.body, answer.body, id));
    }
    expect(differences).toEqual([]);
  });
});

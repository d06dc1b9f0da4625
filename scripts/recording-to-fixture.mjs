// Turns a recording of `cluvio-mcp check --record FILE` (what a real account answered, every value replaced by its
// type) into a contract fixture: for each operation that answered, the route it answered at, its status, media type
// and the shape of its body. test/contract/contract.test.ts checks every fixture in test/contract/fixtures/ against
// the sandbox (routes included), so a difference found on a real account becomes a failing test here.
//
//   node scripts/recording-to-fixture.mjs RECORDING.json [NAME]     writes test/contract/fixtures/NAME.json
//   node scripts/recording-to-fixture.mjs RECORDING.json --out FILE
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A recording → a fixture. Refuses anything that is not a recording. */
export function fixtureOf(recording, source = 'a recording') {
  if (!recording || recording.cluvio_mcp_check !== 1 || typeof recording.operations !== 'object') {
    throw new Error(`${source} is not a recording of cluvio-mcp check (--record FILE)`);
  }
  const operations = {};
  for (const [id, op] of Object.entries(recording.operations)) {
    const answer = op.answer;
    if (!answer || answer.status < 200 || answer.status > 299) continue;
    operations[id] = {
      route: op.found_route ?? op.route,
      status: answer.status,
      content_type: answer.content_type,
      ...(answer.body !== undefined ? { body: answer.body } : {}),
    };
  }
  return {
    from: `cluvio-mcp check --record (cluvio-mcp ${recording.cluvio_mcp}, reference ${recording.reference}, server ${recording.server})`,
    operations,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/recording-to-fixture.mjs RECORDING.json [NAME | --out FILE]');
    process.exit(2);
  }
  const at = rest.indexOf('--out');
  const name = rest.find((a, i) => a !== '--out' && rest[i - 1] !== '--out') ?? basename(file, '.json');
  const out = at >= 0 ? rest[at + 1] : fileURLToPath(new URL(`../test/contract/fixtures/${name}.json`, import.meta.url));
  const fixture = fixtureOf(JSON.parse(readFileSync(file, 'utf8')), file);
  writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`recording-to-fixture: ${Object.keys(fixture.operations).length} operations → ${out}`);
}

#!/usr/bin/env bash
# A real third-party client against our stdio server: the MCP Inspector's CLI mode
# (@modelcontextprotocol/inspector-cli, a devDependency) starts `node dist/cli.js --sandbox`,
# lists the tools, calls list_datasources and run_execution, and we check what it printed.
# Needs a built dist/ (npm test or npm run build) and installed node_modules. Exits non-zero,
# with a line starting "ci-inspector: FAILED", when an expectation does not hold.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
EXPECTED_TOOLS=90
pkg="$root/node_modules/@modelcontextprotocol/inspector-cli"
server="$root/dist/cli.js"

fail() {
  echo "ci-inspector: FAILED: $*" >&2
  exit 1
}

[[ -f "$pkg/build/cli.js" ]] || fail "$pkg/build/cli.js is missing; run npm ci"
[[ -f "$server" ]] || fail "$server is missing; run npm run build (npm test builds it)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# inspector-cli 1.0.3 decides where its own package.json is from the *working directory*
# (fs.existsSync('../package.json')) but imports it relative to its module, so from most
# directories it fails with ERR_MODULE_NOT_FOUND (modelcontextprotocol/inspector#1503). Running it
# from its own build/ directory makes both resolve to node_modules/.../inspector-cli/package.json.
# The server it spawns does not depend on the working directory.
inspector() {
  local name="$1"
  shift
  local rc=0
  (cd "$pkg/build" && timeout 120 node cli.js --cli node "$server" --sandbox "$@") \
    >"$work/$name.json" 2>"$work/$name.err" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "--- inspector stderr ($name) ---" >&2
    cat "$work/$name.err" >&2
    echo "--- inspector stdout ($name) ---" >&2
    head -c 2000 "$work/$name.json" >&2
    echo >&2
    fail "inspector --cli $* exited with $rc"
  fi
}

# check NAME JS: evaluates JS with `r` = the parsed JSON the inspector printed; JS returns an
# error message (string) when the expectation fails, or nothing when it holds.
check() {
  local name="$1" js="$2" msg
  if ! msg="$(node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    let r;
    try { r = JSON.parse(readFileSync(process.argv[1], 'utf8')); }
    catch (e) { console.log('the inspector did not print JSON: ' + e.message); process.exit(1); }
    const text = (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    const problem = ((r, text) => { $js })(r, text);
    if (problem) { console.log(problem); process.exit(1); }
  " "$work/$name.json" 2>&1)"; then
    echo "--- inspector stdout ($name) ---" >&2
    head -c 2000 "$work/$name.json" >&2
    echo >&2
    fail "$name: $msg"
  fi
}

t0=$SECONDS

inspector tools-list --method tools/list
check tools-list "
  if (!Array.isArray(r.tools)) return 'tools/list returned no tools array';
  const names = r.tools.map((t) => t.name);
  if (names.length !== $EXPECTED_TOOLS) return 'tools/list returned ' + names.length + ' tools, expected $EXPECTED_TOOLS';
  for (const want of ['list_datasources', 'run_execution'])
    if (!names.includes(want)) return 'tools/list has no ' + want;
"
echo "ci-inspector: tools/list: $EXPECTED_TOOLS tools"

inspector list-datasources --method tools/call --tool-name list_datasources
check list-datasources "
  if (r.isError) return 'list_datasources returned isError: ' + text;
  if (!text.includes('Cluvio Sample Data')) return 'list_datasources text does not mention \"Cluvio Sample Data\": ' + text.slice(0, 500);
  if (!/^\\| smpl-data-0001 \\| Cluvio Sample Data \\|/m.test(text)) return 'the list has no row for smpl-data-0001, Cluvio Sample Data: ' + text.slice(0, 500);
  // A list tool declares no output schema, so it sends no structuredContent (README: Answers).
  if (r.structuredContent !== undefined) return 'list_datasources sent structuredContent without an output schema';
"
echo "ci-inspector: tools/call list_datasources: Cluvio Sample Data"

inspector run-execution --method tools/call --tool-name run_execution \
  --tool-arg datasource_id=smpl-data-0001 'sql_query=SELECT 41+1 AS answer'
check run-execution "
  if (r.isError) return 'run_execution returned isError: ' + text;
  const s = r.structuredContent;
  if (s?.status !== 'success') return 'run_execution status is ' + JSON.stringify(s?.status) + ', expected success';
  if (JSON.stringify(s.rows) !== '[[42]]') return 'run_execution rows are ' + JSON.stringify(s.rows) + ', expected [[42]]';
  if (!/\\b42\\b/.test(text)) return 'run_execution text does not show 42: ' + text.slice(0, 500);
"
echo "ci-inspector: tools/call run_execution: SELECT 41+1 -> 42"

echo "ci-inspector: OK (3 calls through @modelcontextprotocol/inspector-cli over stdio, $((SECONDS - t0))s)"

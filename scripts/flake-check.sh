#!/usr/bin/env bash
# Flake check: the whole suite N times in a row (default 5) while stress-ng loads every core (FLAKE_LOAD %,
# default 60), each run's log in test-artifacts/flake/; FLAKE_ARGS narrows it (vitest filters). Exits 1 if any run
# failed. Not part of .ci/run (~25 min on two cores).
set -u
cd "$(dirname "$0")/.."
runs=${1:-5}
load=${FLAKE_LOAD:-60}
command -v stress-ng >/dev/null || { echo "flake-check: stress-ng is missing (apt-get install -y stress-ng)" >&2; exit 2; }
npm run build >/dev/null || { echo "flake-check: npm run build failed" >&2; exit 2; }
dir=test-artifacts/flake
mkdir -p "$dir"
stress-ng --cpu 0 --cpu-load "$load" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null' EXIT
failed=0
for i in $(seq 1 "$runs"); do
  start=$SECONDS
  # shellcheck disable=SC2086 # FLAKE_ARGS is a list of vitest arguments
  npx vitest run ${FLAKE_ARGS:-} > "$dir/run$i.log" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || failed=$((failed + 1))
  tally=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/run$i.log" | grep -E '^ *Tests ' | tail -1 | sed 's/^ *//')
  echo "run $i of $runs: exit $rc, $((SECONDS - start)) s, load $(cut -d' ' -f1 /proc/loadavg), $tally"
  [ "$rc" -eq 0 ] || sed 's/\x1b\[[0-9;]*m//g' "$dir/run$i.log" | grep -E '^ *FAIL ' | sed 's/^/    /'
done
echo "flake check: $((runs - failed)) of $runs runs passed under ${load}% load on $(nproc) cores"
[ "$failed" -eq 0 ]

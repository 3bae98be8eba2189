#!/usr/bin/env bash
# npm run bench: runs every "bench:*" npm script in turn (each prints its own table and saves
# bench/results/<name>.json). Adding a benchmark = adding a bench:<name> script.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts=$(node -e 'const s=require("./package.json").scripts; console.log(Object.keys(s).filter((k) => k.startsWith("bench:")).join(" "))')
status=0
for script in $scripts; do
  echo "== npm run $script" >&2
  npm run --silent "$script" || status=1
done
exit $status

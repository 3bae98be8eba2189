#!/usr/bin/env bash
# Starts the whole system on one machine: database + migrations, then every app, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
npm run --silent db:ensure
npm run --silent migration:run >/dev/null
echo "migrations applied" >&2

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

start_app() {
  local name=$1; shift
  echo "starting $name" >&2
  "$@" &
  pids+=($!)
}

start_app registry npm run --silent start:registry

registry_port=${REGISTRY_PORT:-5100}
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:${registry_port}/health/ready" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
cat >&2 <<MSG

expert-agents is up:
  Agent Registry  http://127.0.0.1:${registry_port}   Swagger UI: http://127.0.0.1:${registry_port}/docs
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"

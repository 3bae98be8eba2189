#!/usr/bin/env bash
# Starts the whole system on one machine: database + migrations, the registry, the orchestrator and
# agent hosts for all 46 agents (one host per role), until Ctrl-C. Agents use the scripted model
# provider unless MODEL_PROVIDER (and its MODEL_* settings) say otherwise.
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

wait_ready() {
  local name=$1 url=$2
  for _ in $(seq 1 120); do
    if curl -fsS "$url/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "$name did not become ready at $url" >&2
  return 1
}

registry_port=${REGISTRY_PORT:-5100}
orchestrator_port=${ORCHESTRATOR_PORT:-5200}
host_port=${AGENT_HOST_PORT:-6000}
export REGISTRY_URL=${REGISTRY_URL:-http://127.0.0.1:${registry_port}}

start_app registry npm run --silent start:registry
wait_ready registry "http://127.0.0.1:${registry_port}"

start_app orchestrator npm run --silent start:orchestrator
wait_ready orchestrator "http://127.0.0.1:${orchestrator_port}"

# One agent host per role: 46 agents in 10 processes, each on its own port.
roles=(project_manager backend_dev frontend_dev mobile_dev data_engineer security_engineer ai_engineer devops_engineer qa_engineer medical_expert)
host_lines=""
for i in "${!roles[@]}"; do
  role=${roles[$i]}
  port=$((host_port + i))
  AGENT_IDS="role:${role}" AGENT_HOST_PORT=$port AGENT_HOST_INSTANCE_ID="agent-host-${role}" \
    start_app "agent host (${role})" npm run --silent start:agent-host
  host_lines+="  Agent host ${role}$(printf '%*s' $((18 - ${#role})) '') http://127.0.0.1:${port}   Swagger UI: http://127.0.0.1:${port}/docs"$'\n'
done
for i in "${!roles[@]}"; do wait_ready "agent host ${roles[$i]}" "http://127.0.0.1:$((host_port + i))"; done

cat >&2 <<MSG

expert-agents is up (model provider: ${MODEL_PROVIDER:-scripted}):
  Agent Registry             http://127.0.0.1:${registry_port}   Swagger UI: http://127.0.0.1:${registry_port}/docs
  Orchestrator (PM-001)      http://127.0.0.1:${orchestrator_port}   Swagger UI: http://127.0.0.1:${orchestrator_port}/docs
${host_lines}
Run a workflow end to end:   npm run demo
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"

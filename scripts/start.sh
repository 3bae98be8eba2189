#!/usr/bin/env bash
# Starts the whole system on one machine: database + migrations, the registry, the orchestrator and
# one agent host for all 46 agents (START_HOSTS=per-role: one per role), until Ctrl-C. Agents use the scripted model
# provider unless MODEL_PROVIDER (and its MODEL_* settings) say otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
npm run --silent db:ensure
npm run --silent migration:run >/dev/null
echo "migrations applied" >&2

# Each app runs in its own session so Ctrl-C reaches only this script, which then stops them in order:
# agent hosts first (they drain and mark their agents offline at the registry), then the orchestrator,
# then the registry.
host_pids=()
core_pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping: agent hosts, then orchestrator, then registry" >&2
  for pid in "${host_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${host_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for (( i=${#core_pids[@]}-1; i>=0; i-- )); do
    kill -TERM "${core_pids[$i]}" 2>/dev/null || true
    wait "${core_pids[$i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

start_app() { # kind name command...
  local kind=$1 name=$2; shift 2
  echo "starting $name" >&2
  setsid "$@" &
  if [ "$kind" = host ]; then host_pids+=($!); else core_pids+=($!); fi
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

# Local credentials (created on first start, printed once): registry and orchestrator provision them,
# each agent host gets the key bound to its agents. Set AUTH_KEYS_FILE to use your own file instead.
roles=(project_manager backend_dev frontend_dev mobile_dev data_engineer security_engineer ai_engineer devops_engineer qa_engineer medical_expert)
ts_node=(node -r ts-node/register/transpile-only -r tsconfig-paths/register)
export AUTH_KEYS_FILE=${AUTH_KEYS_FILE:-$PWD/.expert-agents/credentials.json}
"${ts_node[@]}" scripts/dev-credentials.ts "$AUTH_KEYS_FILE" "${roles[@]}"
credential() { "${ts_node[@]}" scripts/credential.ts "$AUTH_KEYS_FILE" "$1"; }

registry_port=${REGISTRY_PORT:-5100}
orchestrator_port=${ORCHESTRATOR_PORT:-5200}
host_port=${AGENT_HOST_PORT:-6000}
export REGISTRY_URL=${REGISTRY_URL:-http://127.0.0.1:${registry_port}}

start_app core registry node dist/apps/registry/apps/registry/src/main.js
wait_ready registry "http://127.0.0.1:${registry_port}"

REGISTRY_API_KEY=$(credential orchestrator) \
  start_app core orchestrator node dist/apps/orchestrator/apps/orchestrator/src/main.js
wait_ready orchestrator "http://127.0.0.1:${orchestrator_port}"

# One agent host process for all 46 agents (about 150 MB); START_HOSTS=per-role runs one per role
# instead (10 processes, as the chart's agent-host groups do). Each host holds a credential bound to its agents.
host_lines=""
host_urls=()
case "${START_HOSTS:-one}" in
  one)
    AGENT_IDS=all AGENT_HOST_PORT=$host_port AGENT_HOST_INSTANCE_ID="agent-host-all" \
      AGENT_HOST_API_KEY="$(credential agent-host-all)" AUTH_KEYS_FILE= \
      start_app host "agent host (all 46 agents)" node dist/apps/agent-host/apps/agent-host/src/main.js
    host_urls+=("http://127.0.0.1:${host_port}")
    host_lines="  Agent host (46 agents)     http://127.0.0.1:${host_port}   Swagger UI: http://127.0.0.1:${host_port}/docs"$'\n'
    ;;
  per-role)
    for i in "${!roles[@]}"; do
      role=${roles[$i]}
      port=$((host_port + i))
      AGENT_IDS="role:${role}" AGENT_HOST_PORT=$port AGENT_HOST_INSTANCE_ID="agent-host-${role}" \
        AGENT_HOST_API_KEY="$(credential "agent-host-${role}")" AUTH_KEYS_FILE= \
        start_app host "agent host (${role})" node dist/apps/agent-host/apps/agent-host/src/main.js
      host_urls+=("http://127.0.0.1:${port}")
      host_lines+="  Agent host ${role}$(printf '%*s' $((18 - ${#role})) '') http://127.0.0.1:${port}   Swagger UI: http://127.0.0.1:${port}/docs"$'\n'
    done
    ;;
  *) echo "START_HOSTS must be one or per-role (got \"${START_HOSTS}\")" >&2; exit 78 ;;
esac
for url in "${host_urls[@]}"; do wait_ready "agent host at ${url}" "$url"; done

cat >&2 <<MSG

expert-agents is up (model provider: ${MODEL_PROVIDER:-scripted}):
  Agent Registry             http://127.0.0.1:${registry_port}   Swagger UI: http://127.0.0.1:${registry_port}/docs
  Orchestrator (PM-001)      http://127.0.0.1:${orchestrator_port}   Swagger UI: http://127.0.0.1:${orchestrator_port}/docs
${host_lines}
Operator console:            http://127.0.0.1:${orchestrator_port}/console
Credentials: ${AUTH_KEYS_FILE} (the operator key: "Authorization: Bearer <key>")
Run a workflow end to end:   npm run demo
Press Ctrl-C to stop.
MSG
wait -n "${core_pids[@]}" "${host_pids[@]}"

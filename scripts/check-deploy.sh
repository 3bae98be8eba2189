#!/usr/bin/env bash
# Validates the monitoring and deployment files with the tools that really run here: promtool (installed from
# Debian's `prometheus` package when missing), the compose client, ajv/yaml checks of the chart, and the test that
# runs a real Prometheus against the built apps. A check that cannot run here is printed as SKIPPED with the
# reason and never counted as passed.
#
#   bash scripts/check-deploy.sh               everything (the Prometheus test needs `npm run build` first)
#   bash scripts/check-deploy.sh --static-only  without the Prometheus test (e.g. when `npm test` runs it anyway)
set -uo pipefail
cd "$(dirname "$0")/.."

static_only=false
[ "${1:-}" = "--static-only" ] && static_only=true

passed=0 failed=0 skipped=0
results=()
record() { # status name [detail]
  results+=("$(printf '%-8s %s%s' "$1" "$2" "${3:+ — $3}")")
  case $1 in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; SKIPPED) skipped=$((skipped + 1)) ;; esac
  printf '%-8s %s%s\n' "$1" "$2" "${3:+ — $3}" >&2
}
run() { # name command...: PASS when it exits 0, FAIL with its output otherwise
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then
    record PASS "$name"
  else
    printf '%s\n' "$out" >&2
    record FAIL "$name"
  fi
}
ts() { node -r ts-node/register/transpile-only -r tsconfig-paths/register "$@"; }

# Debian's package; policy-rc.d keeps its postinst from starting a Prometheus daemon on :9090.
ensure_prometheus() {
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "installing Debian's prometheus package (promtool, prometheus)" >&2
  local policy_created=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_created=true
  fi
  { apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; }; }
  local rc=$?
  $policy_created && rm -f /usr/sbin/policy-rc.d
  return $rc
}

echo "== monitoring: Prometheus config, alert rules and their unit tests" >&2
if ensure_prometheus; then
  run "promtool check config docker/prometheus/prometheus.yml" promtool check config docker/prometheus/prometheus.yml
  run "promtool check rules docker/prometheus/alerts.yml" promtool check rules docker/prometheus/alerts.yml
  run "promtool test rules docker/prometheus/alerts.test.yml" promtool test rules docker/prometheus/alerts.test.yml
else
  for c in "promtool check config" "promtool check rules" "promtool test rules"; do
    record SKIPPED "$c" "promtool missing and the prometheus package could not be installed"
  done
fi

echo "== files: YAML, dashboards, compose/prometheus/Dockerfile consistency, chart copies" >&2
if out=$(ts scripts/deploy/check-files.ts 2>&1); then record PASS "deployment files (scripts/deploy/check-files.ts)"; else record FAIL "deployment files (scripts/deploy/check-files.ts)"; fi
printf '%s\n' "$out" | sed 's/^/    /' >&2

echo "== chart: values vs schema vs templates" >&2
if out=$(ts scripts/deploy/check-chart.ts 2>&1); then record PASS "Helm chart values (scripts/deploy/check-chart.ts)"; else record FAIL "Helm chart values (scripts/deploy/check-chart.ts)"; fi
printf '%s\n' "$out" | sed 's/^/    /' >&2

# The renderer of ../shared/tools/chart-check (helm template without helm, strict Kubernetes validation), when this
# checkout has it; then every rendered workload's environment through the apps' own loadConfig.
chart_check=${CHART_CHECK:-../shared/tools/chart-check/check.sh}
if [ -f "$chart_check" ]; then
  if out=$(bash "$chart_check" 2>&1); then record PASS "chart rendered and validated ($chart_check)"; else record FAIL "chart rendered and validated ($chart_check)"; fi
  printf '%s\n' "$out" | grep -E '^(case|  ERROR|  WARN|helm-render)' | sed 's/^/    /' >&2
  rendered=$(printf '%s\n' "$out" | sed -n 's/^outputs: //p')
  if [ -n "$rendered" ] && out=$(ts scripts/deploy/check-rendered.ts "$rendered"/*.yaml 2>&1); then
    record PASS "rendered workloads: loadConfig accepts each environment, least privilege (scripts/deploy/check-rendered.ts)"
  else
    record FAIL "rendered workloads (scripts/deploy/check-rendered.ts)"
  fi
  printf '%s\n' "$out" | grep -v '^PASS' | sed 's/^/    /' >&2
else
  record SKIPPED "chart rendering (chart-check)" "$chart_check not found (set CHART_CHECK)"
fi

if command -v helm >/dev/null 2>&1; then
  run "helm lint charts/expert-agents (defaults and production values)" sh -c \
    'helm lint charts/expert-agents && helm lint charts/expert-agents -f charts/expert-agents/values-production.yaml'
  if command -v kubeconform >/dev/null 2>&1; then
    run "helm template | kubeconform (defaults and production values)" sh -c \
      'helm template t charts/expert-agents | kubeconform -strict -summary -ignore-missing-schemas &&
       helm template t charts/expert-agents -f charts/expert-agents/values-production.yaml --api-versions monitoring.coreos.com/v1 |
         kubeconform -strict -summary -ignore-missing-schemas'
  else
    record SKIPPED "helm template | kubeconform" "kubeconform is not installed (it is in neither Debian's nor npm's registry)"
  fi
else
  record SKIPPED "helm lint" "helm is not installed (it is in neither Debian's nor npm's registry)"
  record SKIPPED "helm template | kubeconform" "helm and kubeconform are not installed (neither is in Debian's or npm's registry)"
fi

echo "== containers" >&2
if docker compose version >/dev/null 2>&1; then
  run "docker compose config (docker-compose.yml)" docker compose -f docker-compose.yml config -q
else
  if ! command -v docker-compose >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's docker-compose (the compose client; no engine needed for 'config')" >&2
    apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1; }
  fi
  if command -v docker-compose >/dev/null 2>&1; then
    run "docker-compose config (docker-compose.yml, Debian's compose client)" docker-compose -f docker-compose.yml config -q
  else
    record SKIPPED "docker compose config" "no compose client (docker compose plugin or docker-compose) could be found or installed"
  fi
fi
if docker info >/dev/null 2>&1; then
  run "docker build -f docker/Dockerfile ." docker build -q -f docker/Dockerfile -t expert-agents:check .
else
  record SKIPPED "docker build -f docker/Dockerfile" "no Docker engine on this machine (the Dockerfile is checked statically above)"
fi
run "sh -n docker/entrypoint.sh docker/redis/start.sh; node --check docker/healthcheck.js" sh -c 'sh -n docker/entrypoint.sh && sh -n docker/redis/start.sh && node --check docker/healthcheck.js'

echo "== a real Prometheus against the running apps" >&2
if $static_only; then
  record SKIPPED "test/monitoring/prometheus.e2e-spec.ts" "--static-only (npm test runs it)"
elif ! command -v prometheus >/dev/null 2>&1; then
  record SKIPPED "test/monitoring/prometheus.e2e-spec.ts" "no prometheus binary"
else
  export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ea_test_monitoring}
  if npx jest test/monitoring --selectProjects e2e --runInBand >&2; then
    record PASS "test/monitoring/prometheus.e2e-spec.ts (every dashboard query and alert expression returns series)"
  else
    record FAIL "test/monitoring/prometheus.e2e-spec.ts"
  fi
fi

echo >&2
echo "== deployment checks" >&2
printf '%s\n' "${results[@]}" >&2
echo "deploy: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]

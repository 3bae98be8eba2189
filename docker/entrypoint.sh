#!/bin/sh
# Picks the app from the first argument; `exec` so the app is the process that receives SIGTERM and drains.
set -eu
cmd="${1:-registry}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  registry | orchestrator | agent-host)
    exec node "dist/apps/$cmd/apps/$cmd/src/main.js" "$@"
    ;;
  cli)
    # The command-line client (apps/cli), e.g. `expert-agents cli keys create --name ci --scopes tasks:read`.
    exec node dist/apps/cli/apps/cli/src/main.js "$@"
    ;;
  migrate)
    # The compiled TypeORM DataSource (built with the registry, which compiles every lib): no ts-node at runtime.
    exec node node_modules/typeorm/cli.js migration:run -d dist/apps/registry/libs/persistence/src/data-source.js "$@"
    ;;
  *)
    exec "$cmd" "$@"
    ;;
esac

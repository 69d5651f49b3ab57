#!/usr/bin/env bash
# The product's main job on one machine: `make demo` (after scripts/setup.sh).
#   scripts/demo.sh          start the twin (idempotent), deploy the connectors, run the pipeline once
#   scripts/demo.sh stop     stop every twin process it started (by pid); state stays on disk
#   scripts/demo.sh clean    stop, then delete the twin's state (.local/twin or TWIN_HOME)
# DEMO_COUNT (default 100000) and DEMO_SEED (default 42) size and seed the generated transactions.
set -euo pipefail
cd "$(dirname "$0")/.."
TWIN_CLI=(python3 local/twin.py)

stage() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

case "${1:-run}" in
  stop) exec "${TWIN_CLI[@]}" stop ;;
  clean) exec "${TWIN_CLI[@]}" clean ;;
  run) ;;
  *)
    echo "usage: scripts/demo.sh [run|stop|clean]" >&2
    exit 2
    ;;
esac

stage "Local twin: starting services (s3proxy, PostgreSQL 15, sftp, Kafka 3.9.1 KRaft, Kafka Connect)"
started=$(date +%s)
"${TWIN_CLI[@]}" start
stage "Local twin: topic and connectors (configs rendered from connectors/connector-config.ts)"
# One partition: the live fraud alerts equal the batch's only when each card's records are read in
# order (docs/local-twin.md, live fraud alerts). A topic created earlier keeps its partitions.
"${TWIN_CLI[@]}" connectors --partitions 1
echo "    services ready in $(($(date +%s) - started))s; stop them with: make stop"

# Endpoints and demo credentials of this twin (ports may come from TWIN_*_PORT).
eval "$("${TWIN_CLI[@]}" env)"
# The AWS SDK warns about the Node.js version on every start; it is noise in a demo.
NODE_NO_WARNINGS=1 exec node_modules/.bin/tsx local/pipeline/run-pipeline.ts "$@"

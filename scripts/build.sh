#!/usr/bin/env bash
# Builds the client package (client-wasm/pkg), the web pages (web/dist) and the worker
# (edge-worker/build). Assumes scripts/setup.sh has run.
#   scripts/build.sh               everything
#   scripts/build.sh --no-worker   not the worker: for callers that go on to a wrangler command,
#                                  which builds it through wrangler.toml's [build] command anyway
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step "client-wasm: npm package"
bash client-wasm/scripts/build.sh

step "web: pages"
bash web/build.sh

if [ "${1:-}" != "--no-worker" ]; then
  step "edge-worker: worker-build --profile worker"
  bash edge-worker/build.sh
fi

#!/usr/bin/env bash
# Builds the client package (client-wasm/pkg), the web pages (web/dist) and the worker
# (edge-worker/build). Assumes scripts/setup.sh has run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

step "client-wasm: npm package"
bash client-wasm/scripts/build.sh

step "web: pages"
bash web/build.sh

step "edge-worker: worker-build --release"
bash edge-worker/build.sh

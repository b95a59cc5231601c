#!/usr/bin/env bash
# Builds the worker with worker-build into edge-worker/build/: index.js (the module wrangler's `main`
# names) and index_bg.wasm. The cargo profile is `worker` (Cargo.toml: release optimised for size),
# then worker-build's wasm-opt -O. scripts/env.sh points worker-build at the installed wasm-bindgen,
# npm's wasm-opt and esbuild, so nothing is downloaded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../scripts/env.sh"
cd "$here"
worker-build --profile worker

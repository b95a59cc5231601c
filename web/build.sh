#!/usr/bin/env bash
# Assembles web/dist (served by the worker as static assets) from web/src and the browser files of the
# client package (client-wasm/pkg, built first by client-wasm/scripts/build.sh). Everything the pages
# load is vendored into web/dist, so no outside host is ever contacted. See web/README.md.
set -euo pipefail
cd "$(dirname "$0")"
exec node build.mjs "$@"

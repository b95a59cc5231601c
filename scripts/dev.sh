#!/usr/bin/env bash
# `npm run dev`: builds everything, applies the D1 migrations to the local database, and starts the
# worker under `wrangler dev` on http://127.0.0.1:8787 (API and pages) with the development mailbox on
# http://127.0.0.1:8025, which prints each confirmation link and lists them on its page.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh --no-browser
# wrangler dev builds the worker itself ([build] command in wrangler.toml).
bash scripts/build.sh --no-worker

[ -f .dev.vars ] || { cp .dev.vars.example .dev.vars; echo "created .dev.vars from .dev.vars.example"; }

step "D1 migrations (local)"
wrangler d1 migrations apply DB --local

mailbox_port="${MAILBOX_PORT:-8025}"
worker_port="${PORT:-8787}"
confirmation_secret="$(grep -E '^CONFIRMATION_SECRET=' .dev.vars | cut -d= -f2- | tr -d '"')"

step "development mailbox on http://127.0.0.1:$mailbox_port"
node tools/mailbox.mjs --port "$mailbox_port" --secret "$confirmation_secret" &
mailbox_pid=$!
trap 'kill "$mailbox_pid" 2>/dev/null || true' EXIT INT TERM

step "worker on http://127.0.0.1:$worker_port (Ctrl-C stops both)"
wrangler dev --local --ip 127.0.0.1 --port "$worker_port" \
  --var "PUBLIC_URI:http://127.0.0.1:$worker_port" \
  --var "CONFIRMATION_URI:http://127.0.0.1:$mailbox_port/messages"

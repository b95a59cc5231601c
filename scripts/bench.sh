#!/usr/bin/env bash
# `npm run bench`: the benchmarks, run on demand (never part of `npm test`).
#   npm run bench            client (Argon2id, signing, sizes) and worker (throughput, mixed load)
#   npm run bench client     only the client
#   npm run bench worker     only the worker (throughput, the JS peer side by side, timing by address
#                            state, the mixed load with reconciliation)
#   npm run bench peer       only Notary against the JS peer (bench/peer.mjs)
#   npm run bench timing     only the timing by address state (bench/timing.mjs)
#   npm run bench load       only the mixed load with reconciliation (bench/load.mjs)
# Options after the first argument go to the script(s) it runs, each ignoring the others':
# `npm run bench peer -- --duration 3 --rounds 4`, `npm run bench load -- --requests 2000`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

which="${1:-all}"
[ $# -gt 0 ] && shift
bash scripts/setup.sh
bash scripts/build.sh
if [ "$which" = all ] || [ "$which" = client ]; then
  step "client: Argon2id and signing"
  bash bench/client.sh
fi
if [ "$which" = all ] || [ "$which" = worker ]; then
  step "worker: bounded load on loopback against wrangler dev"
  node bench/worker.mjs
  step "worker: the Rust work of a request, natively and in WebAssembly under Node"
  cargo run --locked --release -q -p notary-edge-worker --example compute_cost
  cargo test --locked --profile worker -p notary-edge-worker --target wasm32-unknown-unknown --test compute_cost \
    -- --include-ignored --nocapture 2>&1 | grep -E 'per call|test result'
fi
if [ "$which" = all ] || [ "$which" = worker ] || [ "$which" = peer ]; then
  step "worker: side by side with the JS peer (bench/peer), and storage round trips per request"
  node bench/peer.mjs "$@"
fi
if [ "$which" = all ] || [ "$which" = worker ] || [ "$which" = timing ]; then
  step "worker: answer times by address state (interleaved samples, Kolmogorov-Smirnov)"
  node bench/timing.mjs "$@"
fi
if [ "$which" = all ] || [ "$which" = worker ] || [ "$which" = load ]; then
  step "worker: mixed load on loopback in workerd, reconciled against D1 and the mailbox"
  node bench/load.mjs "$@"
fi

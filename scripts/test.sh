#!/usr/bin/env bash
# Every suite: formatting and lints, native Rust tests, wasm-bindgen tests under Node and in headless
# Chromium, the built worker in workerd (Miniflare), the npm package as a consumer uses it, and the
# browser end-to-end test. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh

step "cargo fmt"
cargo fmt --all --check

step "cargo clippy (native, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy (wasm32, -D warnings)"
cargo clippy -p notary-client-wasm -p notary-edge-worker --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "cargo clippy (wasm32 with simd128: the protocol's SIMD Argon2id kernel and the client, -D warnings)"
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$ROOT/target/client-wasm/simd-test" \
  cargo clippy -p notary-protocol -p notary-client-wasm --target wasm32-unknown-unknown --lib --locked -- -D warnings

step "cargo test (native)"
cargo test --workspace --locked

# The protocol's unit tests of the key derivation and the key pair run in WebAssembly too (its lib
# target only: the property tests need a native getrandom): the scalar Argon2id against the argon2
# crate in the plain build, the SIMD kernel in the simd128 build, the signer on 32-bit arithmetic.
step "wasm-bindgen tests under Node (the protocol's unit tests, then the client)"
cargo test -p notary-protocol --lib --target wasm32-unknown-unknown --locked
cargo test -p notary-client-wasm --target wasm32-unknown-unknown --locked

step "wasm-bindgen tests under Node, SIMD build (the SIMD Argon2id kernel against the argon2 crate)"
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$ROOT/target/client-wasm/simd-test" \
  cargo test --release -p notary-protocol --lib --target wasm32-unknown-unknown --locked
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$ROOT/target/client-wasm/simd-test" \
  cargo test --release -p notary-client-wasm --target wasm32-unknown-unknown --locked

step "wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/support/webdriver.json" \
  cargo test -p notary-protocol --lib --target wasm32-unknown-unknown --locked
WASM_BINDGEN_USE_BROWSER=1 WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/tests/support/webdriver.json" \
  cargo test -p notary-client-wasm --target wasm32-unknown-unknown --locked

bash scripts/build.sh --no-worker

step "wrangler deploy --dry-run: builds the worker ([build] command) and prints the bundle size"
wrangler deploy --dry-run --outdir "$ROOT/target/deploy-dry-run" 2>&1 | grep -Ev '^\s*$'

step "node --test: worker in workerd, npm package, browser end to end"
mapfile -t suites < <(find tests -name '*.test.mjs' -not -path '*/node_modules/*' | sort)
node --test --test-concurrency=1 "${suites[@]}"

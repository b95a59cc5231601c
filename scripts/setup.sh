#!/usr/bin/env bash
# Installs everything the build and the tests need, at pinned versions, and skips what is already
# there. Used by `npm run dev`, `npm test` and CI. Downloads only from the package registries.
#   scripts/setup.sh            everything
#   scripts/setup.sh --no-browser   without Chromium (enough for `npm run dev`)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

want_browser=1
[ "${1:-}" = "--no-browser" ] && want_browser=0

step "Rust toolchain (rust-toolchain.toml) and the wasm32 target"
rustup toolchain install >/dev/null 2>&1 || rustup show active-toolchain
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustc --version

step "wasm-bindgen CLI matching Cargo.lock"
wbg="$(wasm_bindgen_version)"
if [ "$("$WASM_BINDGEN_BIN" --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
  # Not --locked: the CLI's own lock pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "=$wbg" --force
fi
"$WASM_BINDGEN_BIN" --version

step "worker-build $WORKER_BUILD_VERSION"
# `worker-build --version` prints the bare version number.
if [ "$("$CARGO_HOME/bin/worker-build" --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]; then
  cargo install --locked worker-build --version "=$WORKER_BUILD_VERSION" --force
fi
"$CARGO_HOME/bin/worker-build" --version

step "npm packages from package-lock.json"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.notary-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.notary-lock-hash
fi
node --version
"$ROOT/node_modules/.bin/wrangler" --version

if [ "$want_browser" = 1 ]; then
  step "Chromium and ChromeDriver (Debian)"
  if [ ! -x "$CHROME_BIN" ] || [ ! -x "$CHROMEDRIVER" ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  fi
  "$CHROME_BIN" --version
fi

#!/usr/bin/env bash
# Builds the npm package `notary-client` into client-wasm/pkg (gitignored) from the crate and the
# committed sources in client-wasm/js. Called by scripts/build.sh; runs alone too.
#
# Two WebAssembly builds of the same crate, chosen at load time with WebAssembly.validate:
#   wasm/notary_client_bg.wasm           -C target-feature=+simd128 (Argon2id with protocol/src/kdf/backends/simd.rs)
#   wasm/notary_client_baseline_bg.wasm  no SIMD (protocol/src/kdf/backends/scalar.rs), for older engines
# Each build has its own target directory, so neither set of flags touches the worker's build or
# the default target directory. wasm-bindgen generates the same JavaScript glue for both (checked
# below); wasm-opt -Oz then shrinks them. The sizes are printed at the end.
set -euo pipefail
source "$(dirname "$0")/../../scripts/env.sh"
cd "$ROOT"

crate=client-wasm
pkg="$crate/pkg"
work="$ROOT/target/client-wasm"
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd)

# The version of the npm package is the crate's.
version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
grep -q "\"version\": \"$version\"" "$crate/js/package.json" || {
  echo "client-wasm/js/package.json must carry the workspace version $version" >&2
  exit 1
}

# Paths of this machine (panic locations in dependencies) would otherwise end up in the .wasm files,
# making their contents and sizes depend on where the crates were unpacked.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
remap=(--remap-path-prefix="$cargo_home=/cargo" --remap-path-prefix="$ROOT=/notary")

build_variant() { # name rustflags...
  local name=$1 dir="$work/$1"
  shift
  local flags
  flags="$(printf '%s\x1f' "$@" "${remap[@]}")"
  step "client-wasm: cargo build ($name)"
  # strip = false keeps the target_features section that tells wasm-bindgen which features are on;
  # wasm-opt strips everything afterwards.
  CARGO_ENCODED_RUSTFLAGS="${flags%$'\x1f'}" CARGO_TARGET_DIR="$dir" CARGO_PROFILE_CLIENT_STRIP=false \
    cargo build --locked --profile client --target wasm32-unknown-unknown -p notary-client-wasm
  rm -rf "$dir/bindgen"
  "$WASM_BINDGEN_BIN" --target web --out-dir "$dir/bindgen" --out-name notary_client \
    "$dir/wasm32-unknown-unknown/client/notary_client.wasm"
}

build_variant simd -C target-feature=+simd128
build_variant baseline

cmp -s "$work/simd/bindgen/notary_client.js" "$work/baseline/bindgen/notary_client.js" || {
  echo "wasm-bindgen generated different glue for the SIMD and the baseline builds" >&2
  exit 1
}

step "client-wasm: assemble $pkg"
rm -rf "$pkg"
mkdir -p "$pkg/wasm"
cp "$crate"/js/*.js "$crate"/js/*.d.ts "$crate/js/package.json" "$crate/README.md" "$pkg/"
cp "$work/simd/bindgen/notary_client.js" "$pkg/wasm/"
# The glue's classes also answer to Symbol.dispose where the engine has it, but declaring that member
# needs TypeScript's esnext.disposable lib: consumers on an ES2022 lib would fail to type-check.
grep -v '^\s*\[Symbol\.dispose\]()' "$work/simd/bindgen/notary_client.d.ts" >"$pkg/wasm/notary_client.d.ts"
# --converge repeats -Oz while it still shrinks the module (about 300 bytes of gzip on each build).
"$WASM_OPT_BIN" -Oz --converge "${features[@]}" --strip-debug --strip-producers --strip-target-features \
  "$work/simd/bindgen/notary_client_bg.wasm" -o "$pkg/wasm/notary_client_bg.wasm"
"$WASM_OPT_BIN" -Oz --converge "${features[@]}" --strip-debug --strip-producers --strip-target-features \
  "$work/baseline/bindgen/notary_client_bg.wasm" -o "$pkg/wasm/notary_client_baseline_bg.wasm"

step "client-wasm: sizes"
for wasm in "$pkg"/wasm/*.wasm; do
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  awk -v name="$(basename "$wasm")" -v raw="$raw" -v gz="$gz" 'BEGIN {
    printf "%-36s %7d bytes raw (%5.1f KiB), %6d bytes gzip -9 (%4.1f KiB)\n", name, raw, raw / 1024, gz, gz / 1024
  }'
done

#!/usr/bin/env node
// Argon2id with the protocol's parameters (m = 64 MiB, t = 3, p = 1) and token signing, in Node:
// the package's SIMD and baseline WebAssembly builds (client-wasm/pkg) against hash-wasm. Run on
// demand, usually through bench/client.sh, which adds the native and Chromium figures. The package
// derives from an evaluation (protocol version 2): one is asked of a local fake server with a real
// OPRF (tests/client/support.mjs) before timing, and each run is `evaluation.deriveKey()` (Argon2id
// over the 64-byte OPRF output, then HKDF).
//
//   node bench/argon2.mjs [--runs 7] [--only simd|baseline|hash-wasm|sign]
//
// Prints one JSON line per measurement: { engine, impl, runs_ms } or { engine, impl, tokens_per_s }.
// Each derivation reuses the implementation's memory as a client would; the first run (which
// allocates) is a warm-up and is not reported.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { argon2id } from "hash-wasm";
import { startFakeNotary } from "../tests/client/support.mjs";
import { signingRate } from "./signing.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PKG = join(ROOT, "client-wasm/pkg");
export const KDF = { algorithm: "argon2id", version: 19, memory_kib: 65536, iterations: 3, parallelism: 1 };
export const SALT = "Na_mKGw0GDhz3GNYQigbhw";
export const PASSWORD = "correct horse battery staple";

/** An evaluation of PASSWORD for alice@example.com at the protocol's parameters, from a fake server. */
async function evaluationOf(notary) {
  const server = await startFakeNotary(null, { kdf: KDF, salt: SALT });
  try {
    return await new notary.NotaryClient(server.url).evaluate("alice@example.com", PASSWORD);
  } finally {
    await server.close();
  }
}

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}

function timeRuns(runs, derive) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    derive();
    times.push(performance.now() - started);
  }
  return times.slice(1).map((ms) => Math.round(ms * 10) / 10);
}

async function timeRunsAsync(runs, derive) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await derive();
    times.push(performance.now() - started);
  }
  return times.slice(1).map((ms) => Math.round(ms * 10) / 10);
}

async function main() {
  if (!existsSync(join(PKG, "package.json"))) {
    throw new Error("client-wasm/pkg is missing: run bash client-wasm/scripts/build.sh");
  }
  const runs = Number(option("runs", "7"));
  const only = option("only", null);
  const emit = (record) => console.log(JSON.stringify({ engine: "node", ...record }));

  if (only === "baseline-child") {
    // In a process of its own: the glue holds one instance, and this one is the baseline build.
    const notary = await import(pathToFileURL(join(PKG, "index.js")).href);
    await notary.ready({ module: readFileSync(join(PKG, "wasm/notary_client_baseline_bg.wasm")) });
    const evaluation = await evaluationOf(notary);
    emit({ impl: "wasm-baseline", runs_ms: timeRuns(runs, () => evaluation.deriveKey().free()) });
    return;
  }
  if (!only || only === "simd" || only === "sign") {
    const notary = await import(pathToFileURL(join(PKG, "node.js")).href);
    const { simd } = await notary.ready();
    if (!simd) throw new Error("this Node does not run the SIMD build");
    const evaluation = await evaluationOf(notary);
    if (!only || only === "simd") {
      emit({ impl: "wasm-simd", runs_ms: timeRuns(runs, () => evaluation.deriveKey().free()) });
    }
    if (!only || only === "sign") {
      const key = evaluation.deriveKey();
      emit({ impl: "sign", tokens_per_s: signingRate(key) });
      key.free();
    }
  }
  if (!only || only === "baseline") {
    const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--runs", String(runs), "--only", "baseline-child"], {
      encoding: "utf8",
    });
    process.stdout.write(output);
  }
  if (!only || only === "hash-wasm") {
    const salt = Buffer.from(SALT, "base64url");
    const derive = () =>
      argon2id({
        password: PASSWORD,
        salt,
        parallelism: KDF.parallelism,
        iterations: KDF.iterations,
        memorySize: KDF.memory_kib,
        hashLength: 32,
        outputType: "binary",
      });
    emit({ impl: "hash-wasm", runs_ms: await timeRunsAsync(runs, derive) });
  }
}

// Run only when executed, not when bench/chromium-argon2.mjs imports the parameters.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

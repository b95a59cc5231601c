#!/usr/bin/env node
// Argon2id with the protocol's parameters (m = 64 MiB, t = 3, p = 1), native against the package's
// SIMD build under Node and in headless Chromium, timed side by side: each "triple" runs one native
// derivation (a warm `argon2_native --serve` process), one in Node and one in Chromium, moments
// apart, in a rotating order. On a shared machine the speed of the whole host drifts by tens of
// percent within seconds; a ratio taken inside each triple cancels that drift, which comparing the
// fastest or median run of separate processes does not. Run on demand, usually through
// bench/client.sh, which builds the native binary first:
//
//   node bench/paired.mjs --native target/release/examples/argon2_native [--reference] [--triples 15]
//
// With --reference the native side is RustCrypto's argon2 crate (the reference of the README's
// figures), otherwise protocol::kdf compiled natively.
//
// Prints one JSON line: { engine: "paired", triples: [{ native, node, chromium }, ...] } (ms).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "../tests/support/chromium.mjs";
import { startFakeNotary } from "../tests/client/support.mjs";
import { KDF, PASSWORD, SALT } from "./argon2.mjs";
import { startBenchServer } from "./chromium-argon2.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADDRESS = "alice@example.com";

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}

/** The native reference as a warm process: each call derives once and resolves to its time in ms. */
function startNative(path, args) {
  const child = spawn(path, [...args, "--serve"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async derive() {
      child.stdin.write("derive\n");
      const { value, done } = await lines.next();
      if (done) throw new Error("argon2_native --serve stopped");
      return Number(value);
    },
    close: () => child.stdin.end(),
  };
}

async function main() {
  const nativePath = option("native", null);
  if (!nativePath || !existsSync(nativePath)) throw new Error("--native <path to argon2_native> is required");
  const triples = Number(option("triples", "15"));

  const notary = await import(pathToFileURL(join(ROOT, "client-wasm/pkg/node.js")).href);
  if (!(await notary.ready()).simd) throw new Error("this Node does not run the SIMD build");
  const server = await startBenchServer();
  const browser = await launchChromium();
  const native = startNative(nativePath, process.argv.includes("--reference") ? ["--reference"] : []);
  try {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/`);
    const simdInPage = await page.evaluate(async ([address, password]) => {
      const notary = await import("/pkg/index.js");
      const { simd } = await notary.ready();
      window.evaluation = await new notary.NotaryClient(`${location.origin}/fake`).evaluate(address, password);
      return simd;
    }, [ADDRESS, PASSWORD]);
    if (!simdInPage) throw new Error("Chromium did not load the SIMD build");
    // Each engine derives from one evaluation of the password (protocol version 2): Argon2id over
    // the OPRF output, then HKDF; the native reference runs Argon2id alone (HKDF costs microseconds).
    const fake = await startFakeNotary(null, { kdf: KDF, salt: SALT });
    const evaluation = await new notary.NotaryClient(fake.url).evaluate(ADDRESS, PASSWORD);
    await fake.close();
    const measure = {
      native: () => native.derive(),
      node: async () => {
        const started = performance.now();
        evaluation.deriveKey().free();
        return performance.now() - started;
      },
      chromium: () =>
        page.evaluate(() => {
          const started = performance.now();
          window.evaluation.deriveKey().free();
          return performance.now() - started;
        }),
    };
    const order = Object.keys(measure);
    const results = [];
    // The first triple warms every engine up (tiering, the 64 MiB buffers) and is not reported.
    for (let i = 0; i <= triples; i++) {
      const triple = {};
      for (let k = 0; k < order.length; k++) {
        const name = order[(i + k) % order.length];
        triple[name] = Math.round((await measure[name]()) * 10) / 10;
      }
      if (i > 0) results.push(triple);
    }
    console.log(JSON.stringify({ engine: "paired", triples: results }));
  } finally {
    native.close();
    await browser.close();
    server.close();
  }
}

await main();

#!/usr/bin/env node
// Argon2id with the protocol's parameters (m = 64 MiB, t = 3, p = 1) and token signing in headless
// Chromium (Debian's, through playwright-core): the package's SIMD and baseline builds and hash-wasm,
// on a page served by a tiny local static server. Run on demand, usually through bench/client.sh.
//
//   node bench/chromium-argon2.mjs [--runs 7]
//
// Prints one JSON line per measurement, as bench/argon2.mjs does, with engine "chromium".

import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { saltAnswerFor } from "../tests/client/support.mjs";
import { launchChromium } from "../tests/support/chromium.mjs";
import { KDF, PASSWORD, SALT } from "./argon2.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUTES = {
  "/pkg/": join(ROOT, "client-wasm/pkg"),
  "/hash-wasm/": join(ROOT, "node_modules/hash-wasm/dist"),
  "/bench/": join(ROOT, "bench"),
};
const MIME = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}

/** The OPRF seed of the benchmark server's `POST /fake/salt`. */
const BENCH_OPRF_SEED = new Uint8Array(32).fill(7);

/**
 * Serves the package and hash-wasm on 127.0.0.1 for the benchmark pages, and `POST /fake/salt`, a
 * salt answer with a real OPRF evaluation at the protocol's parameters (a page's
 * `new NotaryClient(origin + "/fake")` evaluates against it); resolves to its origin.
 */
export async function startBenchServer() {
  const server = createServer(serve);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function serve(req, res) {
  const { pathname } = new URL(req.url, "http://localhost");
  if (req.method === "POST" && pathname === "/fake/salt") {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const answer = await saltAnswerFor(body, { seed: BENCH_OPRF_SEED, salt: SALT, kdf: KDF });
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(answer));
  }
  if (pathname === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end("<!doctype html><title>notary-client benchmark</title>");
  }
  for (const [prefix, dir] of Object.entries(ROUTES)) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    if (file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      return res.end(readFileSync(file));
    }
  }
  res.writeHead(404);
  res.end();
}

/**
 * Runs in the page: evaluates the password once against the server's `/fake/salt`, then times `runs`
 * derivations from that evaluation after a warm-up, with the given build.
 */
async function packageInPage({ runs, address, password, module }) {
  const notary = await import("/pkg/index.js");
  const loaded = await notary.ready(module ? { module: new URL(module, location.href) } : {});
  const evaluation = await new notary.NotaryClient(`${location.origin}/fake`).evaluate(address, password);
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    evaluation.deriveKey().free();
    times.push(performance.now() - started);
  }
  let tokensPerSecond = null;
  if (!module) {
    const { signingRate } = await import("/bench/signing.mjs");
    const key = evaluation.deriveKey();
    tokensPerSecond = signingRate(key);
    key.free();
  }
  return { simd: loaded.simd, runs_ms: times.slice(1), tokensPerSecond };
}

async function hashWasmInPage({ runs, salt, password, kdf }) {
  const { argon2id } = await import("/hash-wasm/index.esm.js");
  const saltBytes = Uint8Array.from(atob(salt.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await argon2id({
      password,
      salt: saltBytes,
      parallelism: kdf.parallelism,
      iterations: kdf.iterations,
      memorySize: kdf.memory_kib,
      hashLength: 32,
      outputType: "binary",
    });
    times.push(performance.now() - started);
  }
  return { runs_ms: times.slice(1) };
}

async function main() {
  if (!existsSync(join(ROUTES["/pkg/"], "package.json"))) {
    throw new Error("client-wasm/pkg is missing: run bash client-wasm/scripts/build.sh");
  }
  const runs = Number(option("runs", "7"));
  const server = await startBenchServer();
  const { origin } = server;
  const browser = await launchChromium();
  const round = (list) => list.map((ms) => Math.round(ms * 10) / 10);
  const emit = (record) => console.log(JSON.stringify({ engine: "chromium", ...record }));
  try {
    // A fresh page for each build: the glue keeps one instance per page.
    for (const [impl, module] of [
      ["wasm-simd", null],
      ["wasm-baseline", "/pkg/wasm/notary_client_baseline_bg.wasm"],
    ]) {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      const result = await page.evaluate(packageInPage, { runs, address: "alice@example.com", password: PASSWORD, module });
      if (impl === "wasm-simd" && !result.simd) throw new Error("Chromium did not load the SIMD build");
      emit({ impl, runs_ms: round(result.runs_ms) });
      if (result.tokensPerSecond) emit({ impl: "sign", tokens_per_s: result.tokensPerSecond });
      await page.close();
    }
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const result = await page.evaluate(hashWasmInPage, { runs, salt: SALT, password: PASSWORD, kdf: KDF });
    emit({ impl: "hash-wasm", runs_ms: round(result.runs_ms) });
  } finally {
    await browser.close();
    server.close();
  }
}

// Run only when executed, not when bench/paired.mjs imports the server.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

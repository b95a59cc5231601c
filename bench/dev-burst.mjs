#!/usr/bin/env node
// Parallel bursts against the worker under `wrangler dev` (what `npm run dev` runs), tallying every
// answer by status, Content-Type and body: the reproduction of issue 11's "503 with a non-JSON body
// under heavy parallel load". The same bursts straight into workerd (Miniflare, as bench/load.mjs and
// the tests run the worker) are tallied too, for comparison.
//
//   node bench/dev-burst.mjs [--parallel 200] [--rounds 5] [--method POST] [--path /salt] [--only wrangler|workerd]
//
// Assumes the worker is built. wrangler dev rebuilds it on start ([build] in wrangler.toml), so the
// first answers take a minute. The limits are raised, as in bench/worker.mjs; state lives in a
// --persist-to directory on /dev/shm when there is one. A request without an answer after
// --timeout seconds (default 20) is counted as a timeout: wrangler's dev proxy holds a GET or HEAD
// that failed on its way to the worker until the worker restarts, which may be never.

import { existsSync } from "node:fs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";
import { startWranglerDev } from "./wrangler-dev.mjs";
import { DEV_SECRETS, startWorker } from "../tests/support/worker.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const PARALLEL = Number(args.parallel ?? 200);
const ROUNDS = Number(args.rounds ?? 5);
const METHOD = args.method ?? "POST";
const PATH = args.path ?? "/salt";
const TIMEOUT_MS = Number(args.timeout ?? 20) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `ROUNDS` bursts of `PARALLEL` requests; returns the tally of answers. */
async function bursts(base) {
  const tally = new Map();
  for (let round = 0; round < ROUNDS; round += 1) {
    await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const init = { method: METHOD, signal: AbortSignal.timeout(TIMEOUT_MS), headers: {} };
        if (METHOD !== "GET" && METHOD !== "HEAD") {
          init.headers["content-type"] = "application/json";
          init.body = JSON.stringify({ address: `burst-${round}-${i}@example.com`, blinded: blindedFor(i) });
        }
        let key;
        try {
          const response = await fetch(`${base}${PATH}`, init);
          const text = await response.text();
          let json = true;
          try {
            JSON.parse(text);
          } catch {
            json = false;
          }
          const shown = json && response.ok ? "(JSON)" : text.slice(0, 160);
          key = `${response.status} ${response.headers.get("content-type")} Retry-After: ${response.headers.get("retry-after")} ${shown}`;
        } catch (error) {
          key = error.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : `network error ${error.cause?.code ?? error}`;
        }
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }),
    );
  }
  return tally;
}

async function viaWranglerDev() {
  const { base, dev, output, stop } = await startWranglerDev({
    label: "burst",
    vars: (base) => ({ ...DEV_SECRETS, ...BENCH_VARS, PUBLIC_URI: base }),
    rateLimits: BENCH_RATE_LIMITS,
    timeoutMs: 300_000,
  });
  try {
    const tally = await bursts(base);
    const lines = output().split("\n");
    const restarts = lines.filter((line) => /Reloading|restarting/.test(line));
    let note = `wrangler dev reloads/rebuilds seen: ${restarts.length ? restarts.join(" | ") : "none"}`;
    if (dev.exitCode !== null || dev.signalCode !== null) {
      note += `\n  wrangler dev ended during the bursts (${dev.exitCode ?? dev.signalCode}); its last output:\n${lines.slice(-15).join("\n")}`;
    }
    return { tally, note };
  } finally {
    await stop();
  }
}

async function viaWorkerd() {
  if (!process.env.TMPDIR && existsSync("/dev/shm")) process.env.TMPDIR = "/dev/shm";
  const w = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS });
  try {
    return { tally: await bursts(w.url), note: "" };
  } finally {
    await w.close();
  }
}

for (const [name, run] of [["wrangler dev", viaWranglerDev], ["workerd (Miniflare)", viaWorkerd]]) {
  if (args.only && !name.startsWith(args.only)) continue;
  const { tally, note } = await run();
  console.log(`\n${name}: ${ROUNDS} bursts of ${PARALLEL} × ${METHOD} ${PATH}`);
  for (const [key, n] of [...tally].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${key}`);
  if (note) console.log(`  ${note}`);
}

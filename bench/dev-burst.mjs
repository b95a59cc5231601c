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

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_SECRETS, freePort, ROOT, startWorker } from "../tests/support/worker.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const PARALLEL = Number(args.parallel ?? 200);
const ROUNDS = Number(args.rounds ?? 5);
const METHOD = args.method ?? "POST";
const PATH = args.path ?? "/salt";
const TIMEOUT_MS = Number(args.timeout ?? 20) * 1000;
const LIMITS = {
  MAX_CALLS_PER_SECOND: "1000000",
  MAX_CALLS_PER_MINUTE: "60000000",
  MAX_SALTS_PER_ADDRESS_PER_MINUTE: "1000000",
};
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
          init.body = JSON.stringify({ address: `burst-${round}-${i}@example.com` });
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
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const persist = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "notary-burst-"));
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  const wrangler = join(ROOT, "node_modules/.bin/wrangler");
  const vars = { ...DEV_SECRETS, ...LIMITS, PUBLIC_URI: base };
  let dev;
  try {
    execFileSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: ROOT, env, stdio: "ignore" });
    dev = spawn(
      wrangler,
      [
        "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist,
        "--show-interactive-dev-session=false",
        ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      ],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    dev.stdout.on("data", (d) => (output += d));
    dev.stderr.on("data", (d) => (output += d));
    const deadline = Date.now() + 300_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/health`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
      await sleep(500);
    }
    const tally = await bursts(base);
    const restarts = output.split("\n").filter((line) => /Reloading|restarting/.test(line));
    let note = `wrangler dev reloads/rebuilds seen: ${restarts.length ? restarts.join(" | ") : "none"}`;
    if (dev.exitCode !== null || dev.signalCode !== null) {
      note += `\n  wrangler dev ended during the bursts (${dev.exitCode ?? dev.signalCode}); its last output:\n${output.split("\n").slice(-15).join("\n")}`;
    }
    return { tally, note };
  } finally {
    if (dev && dev.exitCode === null) {
      dev.kill("SIGTERM");
      await Promise.race([new Promise((resolve) => dev.once("exit", resolve)), sleep(5000)]);
    }
    rmSync(persist, { recursive: true, force: true });
  }
}

async function viaWorkerd() {
  if (!process.env.TMPDIR && existsSync("/dev/shm")) process.env.TMPDIR = "/dev/shm";
  const w = await startWorker({ vars: LIMITS });
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

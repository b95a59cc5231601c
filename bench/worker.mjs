#!/usr/bin/env node
// Bounded load on loopback for POST /salt and POST /admin/verify: requests per second, p50/p99 latency
// and CPU time per request, against the built worker in two local setups:
//
// 1. `wrangler dev --local` (the CLI; state in a --persist-to directory, on /dev/shm when there is one).
// 2. workerd through the Miniflare API with the same wrangler.toml bindings (what tests/worker use,
//    in-memory state), without wrangler's dev proxy in front.
//
//   node bench/worker.mjs [--connections 8] [--duration 10] [--only wrangler|workerd]
//
// Assumes the worker is built (scripts/build.sh or bash edge-worker/build.sh). The rate limits are set
// high (bench/limits.mjs) so the load is measured rather than refused, but the limiter still runs on
// every request.
//
// CPU time per request ("workerd CPU ms/req"): utime + stime of the whole workerd process
// (/proc/<pid>/stat) during the run, minus its idle rate, divided by the requests served. workerd runs
// the worker and, locally, the D1 (SQLite), KV, queue and Durable Object simulators and the HTTP
// server in that one process, so this is an upper bound of the CPU time Cloudflare would bill to the
// worker. (workerd reports cpuTime 0 to tail workers locally, and attaching the V8 profiler through
// the inspector changes what it measures, so neither is used.) The Rust computation alone is timed
// natively by `cargo run --release -p notary-edge-worker --example compute_cost` and in WebAssembly by
// `cargo test --profile worker -p notary-edge-worker --target wasm32-unknown-unknown --test compute_cost -- --include-ignored --nocapture`
// (both run by `npm run bench worker`).

import { loadavg } from "node:os";
import autocannon from "autocannon";
import { startWranglerDev } from "./wrangler-dev.mjs";
import { startMailbox } from "../tools/mailbox.mjs";
import { claimsFor, newKey, signToken } from "../tests/support/tokens.mjs";
import { DEV_SECRETS, startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";
import { cpuMs, workerdUnder } from "./workerd.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const CONNECTIONS = Number(args.connections ?? 8);
const DURATION = Number(args.duration ?? 10);
const THIRD_PARTY = "https://relying-party.example";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const debug = (...parts) => process.env.BENCH_DEBUG && console.error("[bench]", ...parts);

/** Signs up and confirms the account whose key signs the assertions, through the real API. */
async function benchAccount(base, mailbox) {
  const address = "bench@example.com";
  const key = newKey();
  const post = (path, body) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const signup = await post("/signup", { token: signToken("signup", claimsFor(address, base), key) });
  if (signup.status !== 202) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const message = await mailbox.waitFor((m) => m.address === address && m.purpose === "signup", 30_000);
  const confirm = await post("/confirm", { token: signToken("confirm", claimsFor(address, base, { confirmation: message.token }), key) });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${await confirm.text()}`);
  return { address, key };
}

function scenarios(base, account, adminSecret) {
  let n = 0;
  return [
    {
      name: "POST /salt",
      request: {
        method: "POST",
        path: "/salt",
        headers: { "content-type": "application/json" },
        // A different address each time, as from many users: each has its own guess budget row.
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ address: `user${(n += 1)}@example.com`, blinded: blindedFor(n) }) }),
      },
    },
    {
      name: "POST /salt (one address)",
      request: {
        method: "POST",
        path: "/salt",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ address: "same@example.com", blinded: blindedFor(0) }),
      },
    },
    {
      name: "POST /admin/verify",
      request: {
        method: "POST",
        path: "/admin/verify",
        headers: { "content-type": "application/json", authorization: `Bearer ${adminSecret}` },
        // Every assertion is single use, so each request carries a freshly signed one.
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ token: signToken("assertion", claimsFor(account.address, THIRD_PARTY), account.key), audience: THIRD_PARTY }),
        }),
      },
    },
  ];
}

/** Runs every scenario against `base`; `cpu()` reads the workerd process's CPU time. */
async function measure(setup, base, list, cpu) {
  const idleStart = cpu();
  await sleep(3000);
  const idleMsPerSecond = (cpu() - idleStart) / 3;
  const rows = [];
  for (const scenario of list) {
    debug(setup, scenario.name);
    await autocannon({ url: base, connections: CONNECTIONS, amount: 300, requests: [scenario.request] }); // warm-up
    const cpuStart = cpu();
    const started = Date.now();
    const result = await autocannon({ url: base, connections: CONNECTIONS, duration: DURATION, requests: [scenario.request] });
    const seconds = (Date.now() - started) / 1000;
    const served = result["2xx"] + result.non2xx;
    const processCpu = cpu() - cpuStart - idleMsPerSecond * seconds;
    rows.push({
      setup,
      endpoint: scenario.name,
      requests: served,
      "non-2xx": result.non2xx,
      errors: result.errors + result.timeouts,
      "req/s": Math.round(served / seconds),
      "p50 ms": result.latency.p50,
      "p99 ms": result.latency.p99,
      "workerd CPU ms/req": Number((processCpu / served).toFixed(2)),
    });
  }
  return rows;
}

async function viaWranglerDev() {
  const mailbox = await startMailbox({ port: 0, secret: DEV_SECRETS.CONFIRMATION_SECRET });
  let started;
  try {
    started = await startWranglerDev({
      label: "bench",
      vars: (base) => ({ ...DEV_SECRETS, ...BENCH_VARS, PUBLIC_URI: base, CONFIRMATION_URI: mailbox.url }),
      extraArgs: ["--log-level", "error"],
      rateLimits: BENCH_RATE_LIMITS,
    });
    const { base, dev } = started;
    const pids = workerdUnder(dev.pid);
    const account = await benchAccount(base, mailbox);
    return await measure("wrangler dev", base, scenarios(base, account, DEV_SECRETS.ADMIN_SECRET), () => cpuMs(pids));
  } finally {
    await started?.stop();
    await mailbox.close();
  }
}

async function viaWorkerd() {
  const w = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS, generousLimits: false });
  try {
    const pids = workerdUnder(process.pid);
    const account = await benchAccount(w.url, w.mailbox);
    return await measure("workerd (Miniflare)", w.url, scenarios(w.url, account, w.adminSecret), () => cpuMs(pids));
  } finally {
    await w.close();
  }
}

const rows = [];
if (args.only !== "workerd") rows.push(...(await viaWranglerDev()));
if (args.only !== "wrangler") rows.push(...(await viaWorkerd()));
console.log(`Loopback, ${CONNECTIONS} connections, ${DURATION} s per endpoint (autocannon), load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
console.table(rows);
console.log(
  "workerd CPU ms/req: utime+stime of the whole workerd process (worker, local D1/KV/queue/Rate Limiting simulators, HTTP),\n" +
    "  minus its idle rate, per request: an upper bound of the worker's CPU time.",
);
if (rows.some((row) => row["non-2xx"] > 0 || row.errors > 0)) {
  console.error("some requests failed: the figures above are not valid");
  process.exitCode = 1;
}

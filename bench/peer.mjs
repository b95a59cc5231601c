#!/usr/bin/env node
// Notary against a JS peer (bench/peer/worker.mjs: jose and one D1 lookup by `kid`), side by side in
// one run, for issue 11 section 6: `POST /admin/verify` and `POST /salt`. A second copy of the peer,
// "peer (same work)", also does the platform work Notary does (the two Rate Limiting calls per
// request, the replay record and the audit row in one D1 batch per verify): Notary's ratio against it
// is what the Rust worker costs beyond that work.
//
//   node bench/peer.mjs [--connections 8] [--duration 5] [--rounds 6] [--accounts 1000]
//
// Method. Both workers run in workerd through the Miniflare API, each in its own instance (so each
// has its own workerd process, whose CPU is read apart), from the same Miniflare package and the same
// compatibility date, with in-memory D1 migrated from the same migrations/*.sql. The same population
// of active accounts is inserted directly into both databases. Every assertion is unique: before each
// round a pool of tokens is signed (tests/support/tokens.mjs) for that side only, sized from the
// rate measured so far, so replay protection never refuses one (a request beyond the pool signs its
// token on the spot, and the run says how often). Each /salt request asks for a new address.
// Rounds alternate peer, notary, peer, notary... at the same concurrency (autocannon, loopback), and
// the ratio notary/peer is taken within each round: on a shared machine the speed of the host drifts
// within seconds, and a ratio of neighbours cancels most of that drift. Limits are raised so the load
// is measured rather than refused, but Notary's limiter still runs on every request.
//
// "CPU ms/req" is utime + stime of that side's workerd process during its run, minus its idle rate,
// per request served, as in bench/worker.mjs: an upper bound of the worker's CPU time, since the
// process also runs the local D1/KV/queue/Rate Limiting simulators and the HTTP server.
//
// "Storage round trips" come from a separate, sequential run of the same build with its bindings
// wrapped (bench/trips.mjs), so the counting never touches the figures measured under load.

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import wrangler from "wrangler";
import { claimsFor, newKey, now, signToken } from "../tests/support/tokens.mjs";
import { DEV_SECRETS, freePort, migrationStatements, ROOT, startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";
import { countTrips } from "./trips.mjs";
import { cpuMs, workerdUnder } from "./workerd.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const CONNECTIONS = Number(args.connections ?? 8);
const DURATION = Number(args.duration ?? 5);
const ROUNDS = Number(args.rounds ?? 6);
const ACCOUNTS = Number(args.accounts ?? 1000);
const THIRD_PARTY = "https://relying-party.example";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The peer, bundled with jose into a temporary directory and started in its own workerd. */
async function startPeer({ sameWork = false } = {}) {
  const directory = mkdtempSync(join(tmpdir(), "notary-peer-"));
  const scriptPath = join(directory, "peer.mjs");
  await build({
    entryPoints: [join(ROOT, "bench/peer/worker.mjs")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    outfile: scriptPath,
    logLevel: "warning",
  });
  const port = await freePort();
  const { compatibility_date: compatibilityDate } = wrangler.unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
  const mf = new Miniflare({
    name: "peer",
    modules: true,
    scriptPath,
    modulesRoot: directory,
    compatibilityDate,
    d1Databases: ["DB"],
    bindings: { ADMIN_SECRET: DEV_SECRETS.ADMIN_SECRET, SALT_SECRET: DEV_SECRETS.SALT_SECRET, SAME_WORK: sameWork ? "1" : "0" },
    ratelimits: Object.fromEntries(
      Object.entries(BENCH_RATE_LIMITS).map(([name, limit], i) => [name, { namespace_id: String(9100 + i), simple: { limit, period: name === "CLIENT_BURST" ? 10 : 60 } }]),
    ),
    host: "127.0.0.1",
    port,
  });
  await mf.ready;
  const db = await mf.getD1Database("DB");
  await db.batch(migrationStatements().map((statement) => db.prepare(statement)));
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    adminSecret: DEV_SECRETS.ADMIN_SECRET,
    async close() {
      await mf.dispose();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Inserts the same active accounts into a worker's D1. */
async function populate(db, accounts) {
  const at = now();
  const insert = db.prepare(
    "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)",
  );
  for (let i = 0; i < accounts.length; i += 200) {
    await db.batch(accounts.slice(i, i + 200).map(({ address, key }) => insert.bind(address, key.kid, key.x, at)));
  }
}

const assertion = (accounts) => {
  const { address, key } = accounts[Math.floor(Math.random() * accounts.length)];
  return JSON.stringify({ token: signToken("assertion", claimsFor(address, THIRD_PARTY), key), audience: THIRD_PARTY });
};

/**
 * The two scenarios. `prepare(side, expected)` readies one run of `expected` requests and returns its
 * autocannon request; `signedLate` counts the assertions signed during the run because the pool ran out.
 */
function scenarios(accounts) {
  let salts = 0;
  return [
    {
      name: "POST /salt",
      prepare: () => ({
        method: "POST",
        path: "/salt",
        headers: { "content-type": "application/json" },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ address: `salt-${(salts += 1)}@example.com`, blinded: blindedFor(salts) }) }),
      }),
    },
    {
      name: "POST /admin/verify",
      signedLate: 0,
      prepare(side, expected) {
        const pool = Array.from({ length: expected }, () => assertion(accounts));
        return {
          method: "POST",
          path: "/admin/verify",
          headers: { "content-type": "application/json", authorization: `Bearer ${side.adminSecret}` },
          setupRequest: (req) => {
            let body = pool.pop();
            if (body === undefined) {
              this.signedLate += 1;
              body = assertion(accounts);
            }
            return { ...req, body };
          },
        };
      },
    },
  ];
}

/** One run of `scenario` against `side`; the CPU is that side's workerd alone. */
async function run(side, scenario, duration, expected) {
  const request = scenario.prepare(side, expected);
  const cpuStart = cpuMs(side.pids);
  const started = performance.now();
  const result = await autocannon({ url: side.url, connections: CONNECTIONS, duration, requests: [request] });
  const seconds = (performance.now() - started) / 1000;
  const served = result["2xx"] + result.non2xx;
  const cpu = cpuMs(side.pids) - cpuStart - side.idleMsPerSecond * seconds;
  return { rate: served / seconds, cpuPerRequest: cpu / served, failed: result.non2xx + result.errors + result.timeouts };
}

async function main() {
  const notary = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS });
  notary.pids = workerdUnder(process.pid);
  const peer = await startPeer();
  peer.pids = workerdUnder(process.pid).filter((pid) => !notary.pids.includes(pid));
  const writer = await startPeer({ sameWork: true });
  writer.pids = workerdUnder(process.pid).filter((pid) => !notary.pids.includes(pid) && !peer.pids.includes(pid));
  const sides = { peer, "peer (same work)": writer, notary };
  try {
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ address: `bench-${i}@example.com`, key: newKey() }));
    for (const side of Object.values(sides)) await populate(side.db, accounts);
    const idleStart = Object.values(sides).map((side) => cpuMs(side.pids));
    await sleep(2000);
    Object.values(sides).forEach((side, i) => (side.idleMsPerSecond = (cpuMs(side.pids) - idleStart[i]) / 2));

    const rows = [];
    const summary = [];
    for (const scenario of scenarios(accounts)) {
      const rates = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
      const cpu = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
      const ratios = [];
      const writerRatios = [];
      // Warm-up, which also gives the first estimate of each side's rate (the size of its token pool).
      const estimate = {};
      for (const [name, side] of Object.entries(sides)) estimate[name] = (await run(side, scenario, 1, 3000)).rate;
      for (let round = 1; round <= ROUNDS; round += 1) {
        const row = { endpoint: scenario.name, round };
        for (const [name, side] of Object.entries(sides)) {
          const result = await run(side, scenario, DURATION, Math.ceil(Math.max(estimate[name], 100) * DURATION * 2));
          estimate[name] = result.rate;
          rates[name].push(result.rate);
          cpu[name].push(result.cpuPerRequest);
          row[`${name} req/s`] = Math.round(result.rate);
          row[`${name} CPU ms/req`] = Number(result.cpuPerRequest.toFixed(2));
          row[`${name} failed`] = result.failed;
        }
        ratios.push(rates.notary.at(-1) / rates.peer.at(-1));
        writerRatios.push(rates.notary.at(-1) / rates["peer (same work)"].at(-1));
        row["notary/peer"] = Number(ratios.at(-1).toFixed(3));
        row["notary/peer (same work)"] = Number(writerRatios.at(-1).toFixed(3));
        rows.push(row);
      }
      summary.push({
        endpoint: scenario.name,
        "peer req/s": Math.round(median(rates.peer)),
        "peer (same work) req/s": Math.round(median(rates["peer (same work)"])),
        "notary req/s": Math.round(median(rates.notary)),
        "notary/peer": Number(median(ratios).toFixed(3)),
        "notary/peer (same work)": Number(median(writerRatios).toFixed(3)),
        "CPU ms/req peer": Number(median(cpu.peer).toFixed(2)),
        "peer (same work)": Number(median(cpu["peer (same work)"]).toFixed(2)),
        notary: Number(median(cpu.notary).toFixed(2)),
        ...(scenario.signedLate === undefined ? {} : { "tokens signed late": scenario.signedLate }),
      });
    }
    console.log(
      `Notary against the JS peer: loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s per side and endpoint, ` +
        `${ACCOUNTS} accounts, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
    );
    console.table(rows);
    console.table(summary);
    console.log("(medians over the rounds; each ratio is taken within a round)");
    if (rows.some((row) => Object.keys(sides).some((name) => row[`${name} failed`] > 0))) {
      console.error("some requests failed: the figures above are not valid");
      process.exitCode = 1;
    }
  } finally {
    await writer.close();
    await peer.close();
    await notary.close();
  }
  console.log("Storage round trips per request (sequential, bindings counted):");
  console.table(await countTrips());
}

await main();

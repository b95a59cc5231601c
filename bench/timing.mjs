#!/usr/bin/env node
// Does the time of an answer reveal whether an address has an account? (issue 11 section 2)
//
//   node bench/timing.mjs [--samples 300] [--warmup 20]
//
// Method. The built worker runs in workerd through the Miniflare API (tests/support/worker.mjs), with
// the limits, email and guess budgets raised (bench/limits.mjs) so that nothing is refused. Eight cases:
// - `POST /signup` for an address that is new; pending (signed up through the API just before
//   sampling, unconfirmed); active; disabled (rows inserted directly in D1);
// - `PATCH /signature` without Authorization (recovery) for an active address and for one with no
//   account;
// - `POST /salt` (protocol v2: the OPRF evaluation and the guess budget) for an active address and for
//   one with no account, each with a fresh blinded element.
// So whatever the worker keeps per address besides the accounts and confirmations (the email count of
// the hour) exists for the pending addresses and not for the others. Every request uses its own
// address, so no state or budget carries over from one sample to the next, and carries a fresh token
// signed before the clock starts (tests/support/tokens.mjs). The samples are interleaved: each round
// takes one request of every case, in a new random order, one at a time over HTTP on loopback, timed
// from sending to the end of the body as a client sees it. The first rounds warm the worker up and
// are not counted.
//
// Reported per case: the median, the 10th and 90th percentiles, and against the reference case (new
// for /signup, no account for /signature and /salt) the difference of medians and the two-sample
// Kolmogorov–Smirnov statistic D with its asymptotic p-value. A small p says the two distributions
// differ. Timing is measured here, never asserted in a test.

import { loadavg } from "node:os";
import { randomBlinded } from "../tests/support/oprf.mjs";
import { claimsFor, newKey, now, signToken } from "../tests/support/tokens.mjs";
import { startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS } from "./limits.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const SAMPLES = Number(args.samples ?? 300);
const WARMUP = Number(args.warmup ?? 20);

/** The value at quantile `q` of sorted `values` (nearest rank). */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (sorted) => {
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Two-sample Kolmogorov–Smirnov: D = sup |F_a - F_b|, and its asymptotic p-value (Numerical Recipes' Q_KS). */
function kolmogorovSmirnov(a, b) {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const value = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= value) i += 1;
    while (j < y.length && y[j] <= value) j += 1;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const en = Math.sqrt((x.length * y.length) / (x.length + y.length));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 0.3) return { d, p: 1 }; // the series converges slowly there, and Q_KS(0.3) > 0.99999
  let p = 0;
  for (let k = 1; k <= 100; k += 1) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

function shuffle(list) {
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** `count` addresses of one case; the labels have the same length so every address does too. */
const addresses = (label, count) => Array.from({ length: count }, (_, i) => `${label}-${String(i).padStart(6, "0")}@example.com`);

async function insertAccounts(w, list, status) {
  const at = now();
  const insert = w.db.prepare(
    "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at, disabled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
  );
  for (let i = 0; i < list.length; i += 200) {
    const statements = list.slice(i, i + 200).map((address) => {
      const key = newKey();
      return insert.bind(address, key.kid, key.x, status, at, status === "disabled" ? at : null);
    });
    await w.db.batch(statements);
  }
}

async function main() {
  const w = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS });
  try {
    const count = SAMPLES + WARMUP;
    const signupToken = (address) => signToken("signup", claimsFor(address, w.publicUri), newKey());
    const signup = (address) => ({ method: "POST", path: "/signup", body: { token: signupToken(address) }, expect: 202 });
    const recover = (address) => ({
      method: "PATCH",
      path: "/signature",
      body: { token: signToken("change", claimsFor(address, w.publicUri), newKey()) },
      expect: 202,
    });
    const salt = (address) => ({ method: "POST", path: "/salt", body: { address, blinded: randomBlinded() }, expect: 200 });
    const cases = [
      { name: "new", endpoint: "POST /signup", addresses: addresses("su-new", count), make: signup },
      { name: "pending", endpoint: "POST /signup", addresses: addresses("su-pen", count), make: signup },
      { name: "active", endpoint: "POST /signup", addresses: addresses("su-act", count), make: signup },
      { name: "disabled", endpoint: "POST /signup", addresses: addresses("su-dis", count), make: signup },
      { name: "no account", endpoint: "PATCH /signature", addresses: addresses("ch-non", count), make: recover },
      { name: "active", endpoint: "PATCH /signature", addresses: addresses("ch-act", count), make: recover },
      { name: "no account", endpoint: "POST /salt", addresses: addresses("sa-non", count), make: salt },
      { name: "active", endpoint: "POST /salt", addresses: addresses("sa-act", count), make: salt },
    ].map((c) => ({ ...c, times: [] }));
    const [, pending, active, disabled, , changeActive, , saltActive] = cases;
    await insertAccounts(w, active.addresses, "active");
    await insertAccounts(w, disabled.addresses, "disabled");
    await insertAccounts(w, changeActive.addresses, "active");
    await insertAccounts(w, saltActive.addresses, "active");
    for (const address of pending.addresses) {
      const res = await w.fetch("/signup", { json: { token: signupToken(address) } });
      if (res.status !== 202) throw new Error(`making ${address} pending: ${res.status} ${await res.text()}`);
    }

    const unexpected = [];
    for (let round = 0; round < count; round += 1) {
      for (const c of shuffle([...cases])) {
        const { method, path, body: json, expect } = c.make(c.addresses[round]);
        const body = JSON.stringify(json);
        const started = performance.now();
        const res = await fetch(`${w.url}${path}`, { method, headers: { "content-type": "application/json" }, body });
        const text = await res.text();
        const elapsed = performance.now() - started;
        if (res.status !== expect) unexpected.push(`${c.endpoint} ${c.name}: ${res.status} ${text}`);
        if (round >= WARMUP) c.times.push(elapsed);
      }
    }

    const rows = cases.map((c) => {
      const reference = cases.find((r) => r.endpoint === c.endpoint);
      const sorted = [...c.times].sort((a, b) => a - b);
      const { d, p } = kolmogorovSmirnov(c.times, reference.times);
      const row = {
        endpoint: c.endpoint,
        state: c.name,
        samples: sorted.length,
        "median ms": Number(median(sorted).toFixed(2)),
        "p10 ms": Number(quantile(sorted, 0.1).toFixed(2)),
        "p90 ms": Number(quantile(sorted, 0.9).toFixed(2)),
      };
      if (c === reference) return { ...row, "Δ median ms": "", "KS D": "(reference)", "KS p": "" };
      const delta = median(sorted) - median([...reference.times].sort((a, b) => a - b));
      return { ...row, "Δ median ms": Number(delta.toFixed(2)), "KS D": Number(d.toFixed(3)), "KS p": Number(p.toPrecision(2)) };
    });
    console.log(
      `Timing by address state: ${SAMPLES} interleaved samples per case after ${WARMUP} warm-up rounds, loopback HTTP, ` +
        `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
    );
    console.table(rows);
    if (unexpected.length) {
      console.error(`${unexpected.length} answers were not the expected status, e.g. ${unexpected[0]}: the figures above are not valid`);
      process.exitCode = 1;
    }
  } finally {
    await w.close();
  }
}

await main();

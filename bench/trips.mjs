// Storage round trips per request: the built worker with its bindings wrapped (tests/support/trips.mjs),
// so every call that leaves the isolate is counted by kind (a D1 query or batch, a KV read or write, a
// Durable Object request, a queue send, a Rate Limiting binding call), over a few sequential requests
// of each kind. Only the fetch handler is counted (not the queue consumer or the cron), including what
// it leaves to `waitUntil`. Used by bench/peer.mjs in its own worker instance, apart from the runs that
// measure throughput.

import {
  claimsFor,
  newKey,
  now,
  requestToken,
  sessionRequestToken,
  sessionToken,
  signToken,
} from "../tests/support/tokens.mjs";
import { countingAdjust } from "../tests/support/trips.mjs";
import { startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";

const THIRD_PARTY = "https://relying-party.example";
const REQUESTS = 20;

/** Rows `{ request, ...round trips per request by kind }` for verify, salt, signup and sign-in (by the account key and by a session). */
export async function countTrips() {
  const w = await startWorker({
    vars: BENCH_VARS,
    rateLimits: BENCH_RATE_LIMITS,
    adjust: countingAdjust,
  });
  try {
    const key = newKey();
    const active = "trips-active@example.com";
    await w.sql(
      "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)",
      active, key.kid, key.x, now(),
    );
    const device = newKey();
    const created = await w.fetch("/sessions", { json: { token: sessionToken(key, active, w.publicUri, device, "bench") } });
    if (created.status !== 201) throw new Error(`POST /sessions: ${created.status} ${await created.text()}`);
    const account = `${w.publicUri}/account`;
    let n = 0;
    const cases = [
      ["GET /account (account key)", 200, () => w.fetch("/account", {
        headers: { authorization: `Notary ${requestToken(key, active, w.publicUri, { url: account })}` },
      })],
      ["GET /account (session key)", 200, () => w.fetch("/account", {
        headers: { authorization: `Notary ${sessionRequestToken(device, active, w.publicUri, { url: account })}` },
      })],
      ["POST /admin/verify (valid)", 200, () => w.fetch("/admin/verify", {
        json: { token: signToken("assertion", claimsFor(active, THIRD_PARTY), key), audience: THIRD_PARTY },
        headers: { authorization: `Bearer ${w.adminSecret}` },
      })],
      ["POST /salt (new address)", 200, () => w.fetch("/salt", { json: { address: `trips-${(n += 1)}@example.com`, blinded: blindedFor(n) } })],
      ["POST /signup (new address)", 202, () => w.fetch("/signup", {
        json: { token: signToken("signup", claimsFor(`trips-${(n += 1)}@example.com`, w.publicUri), newKey()) },
      })],
      ["POST /signup (active address)", 202, () => w.fetch("/signup", {
        json: { token: signToken("signup", claimsFor(active, w.publicUri), newKey()) },
      })],
    ];
    const rows = [];
    for (const [request, expected, send] of cases) {
      await w.fetch("/__bench/trips"); // resets
      for (let i = 0; i < REQUESTS; i += 1) {
        const res = await send();
        if (res.status !== expected) throw new Error(`${request}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
      // Answered once the requests and what they left to waitUntil are done (tests/support/trips.mjs).
      const trips = await (await w.fetch("/__bench/trips")).json();
      const perRequest = Object.fromEntries(Object.entries(trips).map(([kind, calls]) => [kind, calls / REQUESTS]));
      rows.push({ request, ...perRequest });
    }
    return rows;
  } finally {
    await w.close();
  }
}

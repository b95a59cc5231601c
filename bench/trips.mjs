// Storage round trips per request: the built worker with its bindings wrapped, so every call that
// leaves the isolate is counted by kind (a D1 query or batch, a KV read or write, a Durable Object
// request, a queue send, a Rate Limiting binding call), over a few sequential requests of each kind.
//
// The wrapper is a module placed next to the build's index.js (Miniflare's `script`, never written to
// disk): it re-exports the worker and, for each fetch, hands it an `env` whose bindings count their
// calls; `GET /__bench/trips` answers the counts so far and resets them. Only the fetch handler is
// counted (not the queue consumer or the cron), including what it leaves to `waitUntil`. Used by
// bench/peer.mjs in its own worker instance, apart from the runs that measure throughput.

import { join } from "node:path";
import { claimsFor, newKey, now, signToken } from "../tests/support/tokens.mjs";
import { ROOT, startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";

const WRAPPER = `
import Worker from "./index.js";
export * from "./index.js";

let trips = {};
const count = (kind) => (trips[kind] = (trips[kind] ?? 0) + 1);
const counted = (kind) => (target, args, method) => (count(kind), method.apply(target, args));

/** A proxy of target whose methods run on target itself; hooks[name] replaces a method. */
function wrap(target, hooks) {
  return new Proxy(target, {
    get(object, name) {
      const value = Reflect.get(object, name);
      if (typeof value !== "function" || name === "constructor") return value; // bindings are told apart by constructor name
      return (...args) => (hooks[name] ? hooks[name](object, args, value) : value.apply(object, args));
    },
  });
}

const unwrapped = new WeakMap();
function statement(target) {
  const proxy = wrap(target, {
    bind: (object, args, method) => statement(method.apply(object, args)),
    first: counted("D1"), run: counted("D1"), all: counted("D1"), raw: counted("D1"),
  });
  unwrapped.set(proxy, target);
  return proxy;
}

const KINDS = [
  [(b) => "prepare" in b && "batch" in b, {
    prepare: (object, args, method) => statement(method.apply(object, args)),
    batch: (object, [statements, ...rest], method) => (count("D1"), method.call(object, statements.map((s) => unwrapped.get(s) ?? s), ...rest)),
    exec: counted("D1"),
  }],
  [(b) => "idFromName" in b, {
    get: (object, args, method) => wrap(method.apply(object, args), { fetch: counted("Durable Object") }),
    getByName: (object, args, method) => wrap(method.apply(object, args), { fetch: counted("Durable Object") }),
  }],
  [(b) => "getWithMetadata" in b, Object.fromEntries(["get", "getWithMetadata", "put", "delete", "list"].map((m) => [m, counted("KV")]))],
  [(b) => "send" in b && "sendBatch" in b, { send: counted("queue send"), sendBatch: counted("queue send") }],
  [(b) => "limit" in b, { limit: counted("rate-limit binding") }],
];

const wrapped = new WeakMap();
function countingEnv(env) {
  if (!wrapped.has(env)) {
    const bindings = {};
    for (const [name, value] of Object.entries(env)) {
      const hooks = typeof value === "object" && value !== null && KINDS.find(([is]) => is(value))?.[1];
      bindings[name] = hooks ? wrap(value, hooks) : value;
    }
    wrapped.set(env, bindings);
  }
  return wrapped.get(env);
}

export default class extends Worker {
  fetch(request) {
    if (new URL(request.url).pathname === "/__bench/trips") {
      const answer = Response.json(trips);
      trips = {};
      return answer;
    }
    this.env = countingEnv(this.env);
    return super.fetch(request);
  }
}
`;

const THIRD_PARTY = "https://relying-party.example";
const REQUESTS = 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows `{ request, ...round trips per request by kind }` for verify, salt and signup. */
export async function countTrips() {
  const w = await startWorker({
    vars: BENCH_VARS,
    rateLimits: BENCH_RATE_LIMITS,
    adjust(options) {
      options.script = WRAPPER;
      options.scriptPath = join(ROOT, "edge-worker/build/bench-trips.mjs");
      // The build's index.js is imported rather than being the entry point: say it is a module too.
      options.modulesRules = [
        { type: "ESModule", include: ["**/*.js"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ];
    },
  });
  try {
    const key = newKey();
    const active = "trips-active@example.com";
    await w.sql(
      "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)",
      active, key.kid, key.x, now(),
    );
    let n = 0;
    const cases = [
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
      await sleep(200); // what the requests left to waitUntil
      const trips = await (await w.fetch("/__bench/trips")).json();
      const perRequest = Object.fromEntries(Object.entries(trips).map(([kind, calls]) => [kind, calls / REQUESTS]));
      rows.push({ request, ...perRequest });
    }
    return rows;
  } finally {
    await w.close();
  }
}

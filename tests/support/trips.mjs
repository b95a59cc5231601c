// Counts the storage round trips of the built worker: it runs with its bindings wrapped, so every call
// that leaves the isolate is counted by kind (a D1 query or batch, a KV read or write, a Durable Object
// request, a queue send, a Rate Limiting binding call). Shared by bench/trips.mjs (round trips per
// request) and tests/worker (the one-read rule of session requests).
//
// The wrapper is a module placed next to the build's index.js (Miniflare's `script`, never written to
// disk): it re-exports the worker and, for each fetch, hands it an `env` whose bindings count their
// calls and a `ctx` whose `waitUntil` keeps the promises it is given. `GET /__bench/trips` answers the
// counts so far by kind and resets them; `GET /__bench/calls` answers `{ trips, calls }`, calls being
// every call in order as "<kind> <method>" (e.g. "D1 first", "D1 batch"), and resets both. Both first
// wait for every counted request still running and every promise handed to `waitUntil` (until none is
// left), so a count never misses what a request left behind, and no caller has to sleep. Only the
// fetch handler is counted (not the queue consumer or the cron).
//
// For tests only, `POST /__bench/before-next-batch` with `[{ sql, params }, ...]` arms a one-shot hook:
// the next D1 batch of the worker first runs those statements (uncounted, in their own batch), as if
// another request had committed them between the worker's reads and its batch.
//
//   const w = await startCountingWorker();           // startWorker's options
//   await w.resetTrips();
//   await w.fetch(...);
//   const { trips, calls } = await w.calls();        // { D1: 2, ... }, ["D1 first", "D1 batch"]
//   await w.beforeNextBatch([{ sql: "UPDATE ...", params: [...] }]);

import { join } from "node:path";
import { ROOT, startWorker } from "./worker.mjs";

export const WRAPPER = `
import Worker from "./index.js";
export * from "./index.js";

let trips = {};
let calls = [];
let armed = null; // statements to run before the next D1 batch (POST /__bench/before-next-batch)

// Counted requests still running and the promises they handed to waitUntil.
const pending = new Set();
function track(promise) {
  const settled = Promise.resolve(promise).then(() => {}, () => {}).finally(() => pending.delete(settled));
  pending.add(settled);
  return promise;
}
async function quiet() {
  while (pending.size > 0) await Promise.all([...pending]);
}
const count = (kind, method) => {
  trips[kind] = (trips[kind] ?? 0) + 1;
  calls.push(kind + " " + method);
};

/** A proxy of target whose methods run on target itself; hooks[name] replaces a method. */
function wrap(target, hooks) {
  return new Proxy(target, {
    get(object, name) {
      const value = Reflect.get(object, name);
      if (typeof value !== "function" || name === "constructor") return value; // bindings are told apart by constructor name
      return (...args) => (hooks[name] ? hooks[name](object, args, value, name) : value.apply(object, args));
    },
  });
}

const countedAs = (kind) => (target, args, method, name) => (count(kind, name), method.apply(target, args));

const unwrapped = new WeakMap();
function statement(target) {
  const proxy = wrap(target, {
    bind: (object, args, method) => statement(method.apply(object, args)),
    first: countedAs("D1"), run: countedAs("D1"), all: countedAs("D1"), raw: countedAs("D1"),
  });
  unwrapped.set(proxy, target);
  return proxy;
}

const KINDS = [
  [(b) => "prepare" in b && "batch" in b, {
    prepare: (object, args, method) => statement(method.apply(object, args)),
    batch: (object, [statements, ...rest], method) => {
      count("D1", "batch");
      const own = statements.map((s) => unwrapped.get(s) ?? s);
      if (armed === null) return method.call(object, own, ...rest);
      const first = armed.map(({ sql, params = [] }) => object.prepare(sql).bind(...params));
      armed = null;
      return method.call(object, first).then(() => method.call(object, own, ...rest));
    },
    exec: countedAs("D1"),
  }],
  [(b) => "idFromName" in b, {
    get: (object, args, method) => wrap(method.apply(object, args), { fetch: countedAs("Durable Object") }),
    getByName: (object, args, method) => wrap(method.apply(object, args), { fetch: countedAs("Durable Object") }),
  }],
  [(b) => "getWithMetadata" in b, Object.fromEntries(["get", "getWithMetadata", "put", "delete", "list"].map((m) => [m, countedAs("KV")]))],
  [(b) => "send" in b && "sendBatch" in b, { send: countedAs("queue send"), sendBatch: countedAs("queue send") }],
  [(b) => "limit" in b, { limit: countedAs("rate-limit binding") }],
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

const keeping = new WeakSet();
/** A ctx whose waitUntil promises are tracked (and still handed to the runtime). */
function keepingCtx(ctx) {
  if (keeping.has(ctx)) return ctx;
  const proxy = wrap(ctx, { waitUntil: (object, [promise], method) => method.call(object, track(promise)) });
  keeping.add(proxy);
  return proxy;
}

export default class extends Worker {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/__bench/trips" || pathname === "/__bench/calls") {
      await quiet();
      const answer = Response.json(pathname === "/__bench/trips" ? trips : { trips, calls });
      trips = {};
      calls = [];
      return answer;
    }
    if (pathname === "/__bench/before-next-batch" && request.method === "POST") {
      armed = await request.json();
      return new Response(null, { status: 204 });
    }
    this.env = countingEnv(this.env);
    this.ctx = keepingCtx(this.ctx);
    return track(super.fetch(request));
  }
}
`;

/** Miniflare options (startWorker's `adjust`) that run the build under the counting wrapper. */
export function countingAdjust(options) {
  options.script = WRAPPER;
  options.scriptPath = join(ROOT, "edge-worker/build/bench-trips.mjs");
  // The build's index.js is imported rather than being the entry point: say it is a module too.
  options.modulesRules = [
    { type: "ESModule", include: ["**/*.js"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ];
}

/**
 * startWorker (same options; `adjust` runs after the wrapper's) with its bindings counted:
 * `trips()` answers the counts by kind since the last reset and resets them; `calls()` answers
 * `{ trips, calls }` and resets them; `resetTrips()` resets (each after the requests sent before it
 * and their waitUntil promises are done); `beforeNextBatch(statements)` arms the test hook.
 */
export async function startCountingWorker({ adjust, ...options } = {}) {
  const w = await startWorker({
    ...options,
    adjust(miniflareOptions) {
      countingAdjust(miniflareOptions);
      adjust?.(miniflareOptions);
    },
  });
  return {
    ...w,
    trips: async () => (await w.fetch("/__bench/trips")).json(),
    calls: async () => (await w.fetch("/__bench/calls")).json(),
    resetTrips: async () => void (await (await w.fetch("/__bench/trips")).arrayBuffer()),
    /** Arms the one-shot hook: the worker's next D1 batch first runs `statements` (`[{ sql, params }]`). */
    beforeNextBatch: async (statements) => {
      const res = await w.fetch("/__bench/before-next-batch", { json: statements });
      if (res.status !== 204) throw new Error(`before-next-batch: ${res.status} ${await res.text()}`);
    },
  };
}

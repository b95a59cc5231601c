// Counts the storage round trips of the built worker: it runs with its bindings wrapped, so every call
// that leaves the isolate is counted by kind (a D1 query or batch, a KV read or write, a Durable Object
// request, a queue send, a Rate Limiting binding call). Shared by bench/trips.mjs (round trips per
// request) and tests/worker (the one-read rule of session requests).
//
// The wrapper is a module placed next to the build's index.js (Miniflare's `script`, never written to
// disk): it re-exports the worker and, for each fetch, hands it an `env` whose bindings count their
// calls. `GET /__bench/trips` answers the counts so far by kind and resets them; `GET /__bench/calls`
// answers `{ trips, calls }`, calls being every call in order as "<kind> <method>" (e.g. "D1 first",
// "D1 batch"), and resets both. Only the fetch handler is counted (not the queue consumer or the
// cron), including what it leaves to `waitUntil`.
//
//   const w = await startCountingWorker();           // startWorker's options
//   await w.resetTrips();
//   await w.fetch(...);
//   const { trips, calls } = await w.calls();        // { D1: 2, ... }, ["D1 first", "D1 batch"]

import { join } from "node:path";
import { ROOT, startWorker } from "./worker.mjs";

export const WRAPPER = `
import Worker from "./index.js";
export * from "./index.js";

let trips = {};
let calls = [];
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
    batch: (object, [statements, ...rest], method) => (count("D1", "batch"), method.call(object, statements.map((s) => unwrapped.get(s) ?? s), ...rest)),
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

export default class extends Worker {
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/__bench/trips" || pathname === "/__bench/calls") {
      const answer = Response.json(pathname === "/__bench/trips" ? trips : { trips, calls });
      trips = {};
      calls = [];
      return answer;
    }
    this.env = countingEnv(this.env);
    return super.fetch(request);
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
 * `{ trips, calls }` and resets them; `resetTrips()` resets.
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
  };
}

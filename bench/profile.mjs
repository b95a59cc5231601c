#!/usr/bin/env node
// A V8 CPU profile of the worker's isolate in workerd under load, one endpoint at a time, aggregated
// by self time per function (wasm functions by name when the build keeps its name section:
// `CARGO_PROFILE_RELEASE_STRIP=false bash edge-worker/build.sh`).
//
//   node bench/profile.mjs [dir] [--duration 4] [--top 40] [--only verify]

import autocannon from "autocannon";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { claimsFor, newKey, now, signToken } from "../tests/support/tokens.mjs";
import { freePort, ROOT, startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";
import { cpuMs, workerdUnder } from "./workerd.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const dir = argv.find((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--")) ?? "edge-worker/build";
const DURATION = Number(opt("duration", 4));
const TOP = Number(opt("top", 40));
const ONLY = opt("only", "");
const AUD = "https://relying-party.example";

const inspectorPort = await freePort();
const w = await startWorker({
  vars: BENCH_VARS,
  rateLimits: BENCH_RATE_LIMITS,
  adjust: (o) => {
    o.scriptPath = join(resolve(ROOT, dir), "index.js");
    o.inspectorPort = inspectorPort;
  },
});
const pids = workerdUnder(process.pid);
const accounts = Array.from({ length: 200 }, (_, i) => ({ address: `p-${i}@example.com`, key: newKey() }));
const insert = w.db.prepare("INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)");
await w.db.batch(accounts.map(({ address, key }) => insert.bind(address, key.kid, key.x, now())));

const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
const target = targets.find((t) => t.webSocketDebuggerUrl && /notary/.test(t.title ?? t.id ?? "")) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
let nextId = 1;
const pending = new Map();
ws.on("message", (data) => {
  const m = JSON.parse(data);
  if (m.id && pending.has(m.id)) (pending.get(m.id))(m), pending.delete(m.id);
});
const send = (method, params = {}) =>
  new Promise((r) => {
    const id = nextId++;
    pending.set(id, r);
    ws.send(JSON.stringify({ id, method, params }));
  });
await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 100 });

let salts = 0;
const assertion = () => {
  const { address, key } = accounts[Math.floor(Math.random() * accounts.length)];
  return JSON.stringify({ token: signToken("assertion", claimsFor(address, AUD), key), audience: AUD });
};
const KINDS = {
  "GET /.well-known/notary": () => ({ method: "GET", path: "/.well-known/notary" }),
  "POST /salt": () => ({ method: "POST", path: "/salt", headers: { "content-type": "application/json" }, setupRequest: (r) => ({ ...r, body: JSON.stringify({ address: `s-${(salts += 1)}@example.com`, blinded: blindedFor(salts) }) }) }),
  "POST /admin/verify": () => {
    const pool = Array.from({ length: 600 * DURATION }, assertion);
    return { method: "POST", path: "/admin/verify", headers: { "content-type": "application/json", authorization: `Bearer ${w.adminSecret}` }, setupRequest: (r) => ({ ...r, body: pool.pop() ?? assertion() }) };
  },
};

function classify(frame) {
  const { functionName: f, url } = frame.callFrame;
  if (url.includes("wasm")) return `wasm  ${f}`;
  if (["(garbage collector)", "(program)", "(idle)", "(root)"].includes(f)) return f;
  return `js    ${f || "(anonymous)"} ${url.split("/").pop()}:${frame.callFrame.lineNumber}:${frame.callFrame.columnNumber}`;
}

try {
  for (const [kind, make] of Object.entries(KINDS)) {
    if (ONLY && !kind.includes(ONLY)) continue;
    await autocannon({ url: w.url, connections: 8, duration: 1, requests: [make()] });
    const request = make();
    await send("Profiler.start");
    const c0 = cpuMs(pids);
    const r = await autocannon({ url: w.url, connections: 8, duration: DURATION, requests: [request] });
    const cpu = cpuMs(pids) - c0;
    const { result } = await send("Profiler.stop");
    const { nodes, samples, timeDeltas } = result.profile;
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    samples.forEach((id, i) => {
      const dt = timeDeltas[i] ?? 0;
      const key = classify(byId.get(id));
      self.set(key, (self.get(key) ?? 0) + dt);
      total += dt;
    });
    const served = r["2xx"] + r.non2xx;
    const busy = total - (self.get("(idle)") ?? 0);
    console.log(`\n== ${kind}: ${served} served (${r.non2xx} not 2xx), workerd CPU ${(cpu / served).toFixed(3)} ms/req, isolate busy (profile, minus idle) ${(busy / 1000 / served).toFixed(3)} ms/req`);
    const rows = [...self.entries()].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]);
    const sums = { wasm: 0, js: 0, other: 0 };
    for (const [k, v] of rows) sums[k.startsWith("wasm") ? "wasm" : k.startsWith("js") ? "js" : "other"] += v;
    console.log(`   per request: wasm ${(sums.wasm / 1000 / served).toFixed(3)} ms, js ${(sums.js / 1000 / served).toFixed(3)} ms, gc/program ${(sums.other / 1000 / served).toFixed(3)} ms`);
    const CALLERS = opt("callers", "");
    if (CALLERS) {
      const parent = new Map();
      for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const chains = new Map();
      samples.forEach((id, i) => {
        const n = byId.get(id);
        if (!n.callFrame.functionName.includes(CALLERS)) return;
        const chain = [];
        let p = parent.get(id);
        while (p && chain.length < 6) { chain.push(byId.get(p).callFrame.functionName.slice(0, 70)); p = parent.get(p); }
        const key = chain.join(" < ");
        chains.set(key, (chains.get(key) ?? 0) + (timeDeltas[i] ?? 0));
      });
      for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  callers ${(v / 1000 / served * 1000).toFixed(1)} µs/req: ${k}`);
    }
    for (const [k, v] of rows.slice(0, TOP)) console.log(`${((v / 1000 / served) * 1000).toFixed(1).padStart(7)} µs/req ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k.slice(0, 150)}`);
  }
} finally {
  ws.close();
  await w.close();
}

#!/usr/bin/env node
// workerd CPU per request, several builds of the worker side by side (plus two plain JS workers as the
// floor), alternating in each round so that the drift of a shared machine cancels out in the medians.
//
//   node bench/cpu.mjs [name=dir ...] [--rounds 3] [--duration 2] [--only verify,salt]
//
// Each `name=dir` is a worker-build output directory (default: build=edge-worker/build). The JS
// workers are "js floor" (a constant JSON answer) and "js rl" (the two Rate Limiting calls, then the
// constant answer), and "js salt" (the two calls, then HMAC through crypto.subtle with an imported key,
// then JSON): the last is what bench/peer.mjs's "peer (same work)" does for POST /salt.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { claimsFor, newKey, now, signToken } from "../tests/support/tokens.mjs";
import { DEV_SECRETS, freePort, ROOT, startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";
import { cpuMs, workerdUnder } from "./workerd.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const ROUNDS = Number(opt("rounds", 3));
const DURATION = Number(opt("duration", 2));
const ONLY = opt("only", "");
const variants = argv.filter((a, i) => a.includes("=") && !argv[i - 1]?.startsWith("--")).map((a) => a.split("="));
if (!variants.length) variants.push(["build", "edge-worker/build"]);
const AUD = "https://relying-party.example";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const JS = {
  "js floor": `export default { async fetch(request, env) {
    return new Response(JSON.stringify({ audience: "x" }), { headers: { "content-type": "application/json" } });
  } };`,
  "js rl": `export default { async fetch(request, env) {
    const key = request.headers.get("cf-connecting-ip") ?? "unknown";
    const [a, b] = await Promise.all([env.CLIENT_BURST.limit({ key }), env.CLIENT_MINUTE.limit({ key })]);
    if (!a.success || !b.success) return new Response("no", { status: 429 });
    return new Response(JSON.stringify({ audience: "x" }), { headers: { "content-type": "application/json" } });
  } };`,
  "js salt": `let k; const enc = new TextEncoder();
  export default { async fetch(request, env) {
    const key = request.headers.get("cf-connecting-ip") ?? "unknown";
    const [a, b] = await Promise.all([env.CLIENT_BURST.limit({ key }), env.CLIENT_MINUTE.limit({ key })]);
    if (!a.success || !b.success) return new Response("no", { status: 429 });
    const body = await request.json();
    k ??= crypto.subtle.importKey("raw", enc.encode(env.SALT_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const tag = new Uint8Array(await crypto.subtle.sign("HMAC", await k, enc.encode(body.address.trim().toLowerCase())));
    return new Response(JSON.stringify({ address: body.address, salt: btoa(String.fromCharCode(...tag.subarray(0, 16))) }), { headers: { "content-type": "application/json" } });
  } };`,
};

async function startJs(name, script) {
  const dir = mkdtempSync(join(tmpdir(), "cpu-js-"));
  writeFileSync(join(dir, "w.mjs"), script);
  const port = await freePort();
  const before = new Set(workerdUnder(process.pid));
  const mf = new Miniflare({
    name: "js",
    modules: true,
    scriptPath: join(dir, "w.mjs"),
    modulesRoot: dir,
    compatibilityDate: "2025-09-01",
    bindings: { SALT_SECRET: DEV_SECRETS.SALT_SECRET },
    ratelimits: Object.fromEntries(
      Object.entries(BENCH_RATE_LIMITS).map(([n, limit], i) => [n, { namespace_id: String(9100 + i), simple: { limit, period: n === "CLIENT_BURST" ? 10 : 60 } }]),
    ),
    host: "127.0.0.1",
    port,
  });
  await mf.ready;
  return { name, url: `http://127.0.0.1:${port}`, pids: workerdUnder(process.pid).filter((p) => !before.has(p)), close: () => mf.dispose().then(() => rmSync(dir, { recursive: true })) };
}

async function startRust(name, dir) {
  const before = new Set((() => { try { return workerdUnder(process.pid); } catch { return []; } })());
  const w = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS, adjust: (o) => (o.scriptPath = join(resolve(ROOT, dir), "index.js")) });
  w.name = name;
  w.pids = workerdUnder(process.pid).filter((p) => !before.has(p));
  return w;
}

let salts = 0;
const accounts = Array.from({ length: 200 }, (_, i) => ({ address: `cpu-${i}@example.com`, key: newKey() }));
const assertion = () => {
  const { address, key } = accounts[Math.floor(Math.random() * accounts.length)];
  return JSON.stringify({ token: signToken("assertion", claimsFor(address, AUD), key), audience: AUD });
};
const KINDS = {
  "GET /.well-known/notary": () => ({ method: "GET", path: "/.well-known/notary" }),
  "GET /nope (404)": () => ({ method: "GET", path: "/nope" }),
  "POST /salt": () => ({
    method: "POST",
    path: "/salt",
    headers: { "content-type": "application/json" },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ address: `salt-${(salts += 1)}@example.com`, blinded: blindedFor(salts) }) }),
  }),
  "POST /admin/verify": (side, expected) => {
    const pool = Array.from({ length: expected }, assertion);
    return {
      method: "POST",
      path: "/admin/verify",
      headers: { "content-type": "application/json", authorization: `Bearer ${side.adminSecret}` },
      setupRequest: (req) => ({ ...req, body: pool.pop() ?? assertion() }),
    };
  },
};

async function run(side, request) {
  const c0 = cpuMs(side.pids);
  const t0 = performance.now();
  const r = await autocannon({ url: side.url, connections: 8, duration: DURATION, requests: [request] });
  const secs = (performance.now() - t0) / 1000;
  const served = r["2xx"] + r.non2xx;
  const cpu = cpuMs(side.pids) - c0 - side.idle * secs;
  return { rate: served / secs, cpu: cpu / served, bad: r.non2xx + r.errors + r.timeouts, codes: r.non2xx };
}

const rust = [];
for (const [name, dir] of variants) rust.push(await startRust(name, dir));
const js = [];
for (const [name, script] of Object.entries(JS)) js.push(await startJs(name, script));
try {
  const at = now();
  for (const w of rust) {
    const insert = w.db.prepare("INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', ?4, ?4)");
    await w.db.batch(accounts.map(({ address, key }) => insert.bind(address, key.kid, key.x, at)));
  }
  const all = [...rust, ...js];
  const c0 = all.map((s) => cpuMs(s.pids));
  await sleep(2000);
  all.forEach((s, i) => (s.idle = (cpuMs(s.pids) - c0[i]) / 2));
  const kinds = Object.keys(KINDS).filter((k) => !ONLY || ONLY.split(",").some((o) => k.includes(o)));
  const results = {};
  const rates = {};
  // warm-up
  for (const s of rust) for (const k of kinds) rates[`${s.name}|${k}`] = (await run(s, KINDS[k](s, 3000))).rate;
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 ? [...rust].reverse() : rust;
    for (const k of kinds) {
      for (const s of order) {
        const r = await run(s, KINDS[k](s, Math.ceil(rates[`${s.name}|${k}`] * DURATION * 1.5) + 200));
        rates[`${s.name}|${k}`] = r.rate;
        (results[`${s.name}|${k}`] ??= []).push(r);
        if (r.bad) console.error(`${s.name} ${k}: ${r.bad} not 2xx`);
      }
    }
    for (const s of js) {
      const req = s.name === "js salt" ? KINDS["POST /salt"]() : { method: "GET", path: "/" };
      (results[`${s.name}|${s.name === "js salt" ? "POST /salt" : "GET /"}`] ??= []).push(await run(s, req));
    }
  }
  const table = Object.entries(results).map(([key, rs]) => {
    const [side, kind] = key.split("|");
    return { side, kind, "CPU ms/req": Number(median(rs.map((r) => r.cpu)).toFixed(3)), "req/s": Math.round(median(rs.map((r) => r.rate))), rounds: rs.map((r) => r.cpu.toFixed(3)).join(" ") };
  });
  console.table(table);
  // Within each round, each build's CPU per request against the first build's (neighbours in time).
  const ratios = [];
  for (const k of kinds) {
    const first = results[`${rust[0].name}|${k}`];
    for (const s of rust.slice(1)) {
      const rs = results[`${s.name}|${k}`].map((r, i) => r.cpu / first[i].cpu);
      ratios.push({ kind: k, [`CPU/req ${s.name} / ${rust[0].name}`]: Number(median(rs).toFixed(3)), rounds: rs.map((r) => r.toFixed(2)).join(" ") });
    }
  }
  console.table(ratios);
} finally {
  for (const s of [...rust, ...js]) await s.close();
}

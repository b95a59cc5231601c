// Shared by the tests/client suites: the built package packed with `npm pack` and installed into a
// scratch project exactly as a consumer installs it (offline: the package has no dependencies), and
// the same-origin server the browser suites load their pages from, and a fake Notary server whose
// OPRF is real (@noble/curves), for the tests that need answers of their own choosing.

import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { domainToASCII, fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PKG = join(ROOT, "client-wasm/pkg");
export const VECTORS = join(ROOT, "tests/vectors");

export function vectors(name) {
  return JSON.parse(readFileSync(join(VECTORS, `${name}.json`), "utf8"));
}

/**
 * Packs client-wasm/pkg and installs the tarball into a new scratch project.
 * @returns {{ dir: string, tarball: string, packed: string[], installed: string, cleanup(): void }}
 */
export function installPackedPackage() {
  if (!existsSync(join(PKG, "package.json"))) {
    throw new Error("client-wasm/pkg is missing: run bash client-wasm/scripts/build.sh first");
  }
  const dir = mkdtempSync(join(tmpdir(), "notary-client-consumer-"));
  const npm = (args, cwd) =>
    execFileSync("npm", args, {
      cwd,
      encoding: "utf8",
      env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
  const report = JSON.parse(npm(["pack", "--json", "--pack-destination", dir, PKG], ROOT));
  const tarball = join(dir, report[0].filename);
  const packed = report[0].files.map((file) => file.path).sort();
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch-consumer", private: true, type: "module" }, null, 2),
  );
  npm(["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball], dir);
  const installed = join(dir, "node_modules/notary-client");
  return { dir, tarball, packed, installed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(dir, join(prefix, entry.name))
        : [join(prefix, entry.name)],
    )
    .sort();
}

const MIME = {
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".html": "text/html; charset=utf-8",
};

/** Sends `file` if it is a file inside `dir`; false otherwise. */
function sendFileFrom(dir, path, res) {
  const file = normalize(join(dir, path));
  if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) return false;
  res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
  res.end(readFileSync(file));
  return true;
}

/** Passes a request on to the worker and its answer back (fetch has decoded the body already). */
async function forward(workerUrl, req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !["host", "connection", "content-length"].includes(name)),
  );
  const answer = await fetch(`${workerUrl}${req.url}`, {
    method: req.method,
    headers,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  const forwarded = [...answer.headers].filter(
    ([name]) => !["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name),
  );
  res.writeHead(answer.status, Object.fromEntries(forwarded));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/**
 * One origin for pages and API, as in production: a local server answers GET requests that
 * `staticFile(pathname)` maps to `{ html }` or to `{ dir, path }` (a file inside `dir`; 404 when
 * there is none), and passes everything else to the real worker in workerd, started with
 * PUBLIC_URI set to that origin.
 * @param {(pathname: string) => ({ dir: string, path: string } | { html: string } | null)} staticFile
 */
export async function startSameOriginServer(staticFile) {
  let worker;
  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url, "http://localhost");
      const target = req.method === "GET" ? staticFile(decodeURIComponent(pathname)) : null;
      if (target && "html" in target) {
        res.writeHead(200, { "content-type": MIME[".html"] });
        return res.end(target.html);
      }
      if (target && !sendFileFrom(target.dir, target.path, res)) {
        res.writeHead(404);
        return res.end();
      }
      if (!target) await forward(worker.url, req, res);
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { startWorker } = await import("../support/worker.mjs");
  worker = await startWorker({ vars: { PUBLIC_URI: origin } });
  return {
    origin,
    worker,
    async close() {
      await worker.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The protocol's floor of Argon2id parameters: what the fake servers announce, so tests stay fast. */
export const FLOOR = Object.freeze({ algorithm: "argon2id", version: 19, memory_kib: 19456, iterations: 2, parallelism: 1 });

const OPRF_KEY_INFO = "Notary-v2-OPRF-key";

/**
 * The canonical form of an address as far as the fake servers need it: trimmed, the local part
 * lower-cased, the domain in its IDNA ASCII form (Node's UTS #46 mapping, which lower-cases too).
 */
export function canonicalAddress(typed) {
  const trimmed = typed.trim();
  const at = trimmed.lastIndexOf("@");
  return `${trimmed.slice(0, at).toLowerCase()}@${domainToASCII(trimmed.slice(at + 1))}`;
}

/** The server side of the OPRF (RFC 9497, ristretto255-SHA512) by @noble/curves: an independent implementation. */
export async function oprf() {
  const { ristretto255_oprf } = await import("@noble/curves/ed25519.js");
  return ristretto255_oprf.oprf;
}

/** The address's OPRF secret key under `seed` (32 bytes): DeriveKeyPair(seed, "Notary-v2-OPRF-key" || address). */
export async function addressOprfKey(seed, address) {
  const { deriveKeyPair } = await oprf();
  return deriveKeyPair(seed, new TextEncoder().encode(OPRF_KEY_INFO + address)).secretKey;
}

/**
 * A version-2 salt answer for the request body `{ address, blinded }`: the canonical address, the
 * salt and the parameters, and the evaluation of `blinded` under the address's key of `seed`.
 */
export async function saltAnswerFor(body, { seed, salt = saltOf, kdf = FLOOR, legacyAccepted = true }) {
  const address = canonicalAddress(body.address);
  const secretKey = await addressOprfKey(seed, address);
  const evaluated = (await oprf()).blindEvaluate(secretKey, Buffer.from(body.blinded, "base64url"));
  return {
    address,
    salt: typeof salt === "function" ? salt(address) : salt,
    kdf,
    kdf_version: 2,
    accepted_kdf_versions: legacyAccepted ? [2, 1] : [2],
    evaluated: Buffer.from(evaluated).toString("base64url"),
  };
}

/** The salt of tests/vectors/addresses.json: HMAC-SHA256 of the address under its salt secret, 16 bytes. */
export function saltOf(address) {
  const secret = vectors("addresses").salt_secret;
  return createHmac("sha256", secret).update(address).digest().subarray(0, 16).toString("base64url");
}

/**
 * A real HTTP server standing for a Notary server. `POST /salt` evaluates the request's `blinded`
 * for real (saltAnswerFor) with the OPRF seed `seed` (random unless given; with `freshKeys`, a new
 * random seed for every request, as a server that varies its key would), `salt`, `kdf` and
 * `legacyAccepted`, then passed through `alter(answer, request)`; every /salt body is recorded in
 * `seen.salt`. Every other request is recorded in
 * `seen.requests` and answered with `reply(request)` (default 404 not_found).
 * @param {import("node:test").TestContext | null} t closes the server after the test (or call close())
 */
export async function startFakeNotary(
  t,
  { seed = randomBytes(32), freshKeys = false, salt, kdf, legacyAccepted, alter = (answer) => answer, reply } = {},
) {
  const seen = { salt: [], requests: [] };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const send = (status, json) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
    };
    try {
      if (req.method === "POST" && req.url === "/salt") {
        const request = JSON.parse(body.toString("utf8"));
        seen.salt.push(request);
        const options = { seed: freshKeys ? randomBytes(32) : seed, salt, kdf, legacyAccepted };
        for (const name of Object.keys(options)) if (options[name] === undefined) delete options[name];
        return send(200, alter(await saltAnswerFor(request, options), request));
      }
      const request = { method: req.method, url: req.url, headers: req.headers, body };
      seen.requests.push(request);
      const { status, json } = (await reply?.(request)) ?? { status: 404, json: { error: "not_found", message: "no" } };
      send(status, json);
    } catch (error) {
      send(500, { error: "internal", message: String(error) });
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () => new Promise((resolve) => server.close(resolve));
  t?.after(close);
  return { url: `http://127.0.0.1:${server.address().port}`, seed, seen, close };
}

/**
 * The key vectors as runs against fake servers: tests/vectors/keys.json (version 1, any OPRF seed
 * since version 1 ignores the OPRF output) and tests/vectors/kdf_v2.json (version 2, under its OPRF
 * seed). Each run: `{ address, password, version, kid, seed, salt, kdf }`.
 */
export function keyVectorRuns() {
  const legacy = vectors("keys").derivations.map((d) => ({ ...d, version: 1, seed: Buffer.alloc(32, 7) }));
  const v2 = vectors("kdf_v2");
  const seed = Buffer.from(v2.oprf_seed_hex, "hex");
  return [...legacy, ...v2.derivations.map((d) => ({ ...d, version: 2, seed }))];
}

const FAKE_SALT = /\/fake\/\d+\/salt$/;

/**
 * Makes a playwright page's requests to `<origin>/fake/<n>/salt` answered by Node as a server with
 * run n's OPRF seed, salt and parameters would answer them (saltAnswerFor). Resolves to a function
 * that stops it.
 */
export async function serveFakeSalt(page, runs) {
  await page.route(FAKE_SALT, async (route) => {
    const run = runs[Number(new URL(route.request().url()).pathname.split("/")[2])];
    const answer = await saltAnswerFor(route.request().postDataJSON(), { seed: run.seed, salt: run.salt, kdf: run.kdf });
    await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(answer) });
  });
  return () => page.unroute(FAKE_SALT);
}

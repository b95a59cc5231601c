// The npm package as a consumer uses it, in Node: `npm pack` of client-wasm/pkg, installed offline
// into a scratch project and imported there by name. Checks the tarball's contents and manifest, the
// shared vectors (SIMD and baseline builds), agreement with independent implementations (hash-wasm's
// Argon2id, @noble/curves' OPRF, Node's HKDF and OpenSSL Ed25519), every token kind against the
// `jose` library, the errors, evaluations and sign-in (with the move of a version-1 account) against
// fake servers whose OPRF is real (tests/client/support.mjs), and the whole flow against the real
// worker in workerd (tests/support/worker.mjs).
//
// Needs `bash client-wasm/scripts/build.sh` (and, for the flows, `bash edge-worker/build.sh`).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { argon2id } from "hash-wasm";
import * as jose from "jose";
import { replaceWithVersion1Key } from "../support/flows.mjs";
import { addressOprfKey, FLOOR, installPackedPackage, oprf, ROOT, startFakeNotary, vectors } from "./support.mjs";

const AUDIENCE = "http://127.0.0.1:8787";
const PASSWORD = "correct horse battery staple";

/** @type {ReturnType<typeof installPackedPackage>} */
let scratch;
/** @type {typeof import("../../client-wasm/js/index.js")} */
let notary;
/** A fake Notary server shared by the tests that only need keys (its OPRF seed is random). */
let shared;

before(async () => {
  scratch = installPackedPackage();
  // The consumer's own module imports the package by name, so Node resolves it through the
  // package's "exports" map from the scratch project's node_modules.
  writeFileSync(
    join(scratch.dir, "consumer.mjs"),
    'export * from "notary-client";\nexport { createWorkerClient } from "notary-client/worker-client";\n',
  );
  notary = await import(pathToFileURL(join(scratch.dir, "consumer.mjs")).href);
  shared = await startFakeNotary(null);
});

after(async () => {
  await shared?.close();
  scratch?.cleanup();
});

function b64url(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

/** An Ed25519 public key (JWK x) from a 32-byte seed, by Node's OpenSSL. */
function publicXFromSeed(seed) {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  return createPublicKey(privateKey).export({ format: "jwk" }).x;
}

/** The version-2 key of `password` for `address` from the shared fake server (one evaluation). */
function keyOf(password = PASSWORD, address = "alice@example.com") {
  const client = new notary.NotaryClient(shared.url);
  return client.keyFor(address, password).finally(() => client.free());
}

/** u16 big-endian length, then the bytes: how the OPRF input frames the address and the password. */
function framed(text) {
  const bytes = Buffer.from(text, "utf8");
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * The seed of a version-2 key computed outside the package (docs/protocol.md section 5.2): @noble's
 * OPRF over "Notary-v2-OPRF-input" || framed address || framed NFKC password under the address's key
 * of `oprfSeed`, hash-wasm's Argon2id over the 64-byte output, Node's HKDF-SHA256 to 32 bytes.
 */
async function independentV2Seed({ oprfSeed, address, password, salt, kdf }) {
  const input = Buffer.concat([
    Buffer.from("Notary-v2-OPRF-input"),
    framed(address),
    framed(password.normalize("NFKC")),
  ]);
  const output = (await oprf()).evaluate(await addressOprfKey(oprfSeed, address), input);
  const ikm = await argon2id({
    password: output,
    salt: Buffer.from(salt, "base64url"),
    parallelism: kdf.parallelism,
    iterations: kdf.iterations,
    memorySize: kdf.memory_kib,
    hashLength: 32,
    outputType: "binary",
  });
  return Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), "Notary-v2-Ed25519-seed", 32));
}

describe("the packed package", () => {
  test("the tarball holds exactly the allowlisted files and a complete manifest", () => {
    assert.deepEqual(scratch.packed, [
      "README.md",
      "core.js",
      "errors.d.ts",
      "errors.js",
      "index.d.ts",
      "index.js",
      "node.js",
      "package.json",
      "session-store.d.ts",
      "session-store.js",
      "wasm/notary_client.d.ts",
      "wasm/notary_client.js",
      "wasm/notary_client_baseline_bg.wasm",
      "wasm/notary_client_bg.wasm",
      "worker-client.d.ts",
      "worker-client.js",
      "worker.js",
    ]);
    const manifest = JSON.parse(readFileSync(join(scratch.installed, "package.json"), "utf8"));
    const cargo = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
    assert.equal(manifest.name, "notary-client");
    assert.equal(manifest.version, cargo);
    assert.equal(manifest.license, "MIT OR Apache-2.0");
    assert.equal(manifest.type, "module");
    assert.equal(manifest.types, "./index.d.ts");
    assert.deepEqual(manifest.exports["."], { types: "./index.d.ts", node: "./node.js", default: "./index.js" });
    assert.equal(manifest.exports["./worker-client"].default, "./worker-client.js");
    assert.deepEqual(manifest.exports["./session-store"], { types: "./session-store.d.ts", default: "./session-store.js" });
    assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
    const readme = readFileSync(join(scratch.installed, "README.md"), "utf8");
    for (const name of ["createWorkerClient", "NotaryClient", "signedFetch", "NotaryError", "npm install notary-client"]) {
      assert.ok(readme.includes(name), `README mentions ${name}`);
    }
  });

  test("imported by name in Node it is ready at once, with the SIMD build", async () => {
    assert.equal(notary.isReady(), true);
    assert.deepEqual(await notary.ready(), { simd: true });
    assert.equal(notary.simdSupported(), true);
    assert.equal(typeof notary.createWorkerClient, "function");
    assert.equal(notary.deriveKey, undefined, "no key without an evaluation");
    for (const name of ["NotaryClient", "Evaluation", "KeyPair", "releaseKdfMemory", "NotaryError"]) {
      assert.ok(notary[name], name);
    }
  });
});

describe("keys", () => {
  test("the shared key vectors (version 1) through deriveLegacyKey: it ignores the OPRF output", async (t) => {
    for (const derivation of vectors("keys").derivations) {
      const server = await startFakeNotary(t, { salt: derivation.salt, kdf: derivation.kdf });
      const client = new notary.NotaryClient(server.url);
      const evaluation = await client.evaluate(derivation.address, derivation.password);
      assert.equal(evaluation.address, derivation.address, derivation.name);
      assert.equal(evaluation.legacyAccepted, true);
      const key = evaluation.deriveLegacyKey();
      assert.equal(key.address, derivation.address, derivation.name);
      assert.equal(key.keyId, derivation.kid, derivation.name);
      assert.deepEqual(key.publicJwk, derivation.jwk, derivation.name);
      for (const object of [key, evaluation, client]) object.free();
    }
  });

  test("the version-2 key vectors (tests/vectors/kdf_v2.json) through deriveKey", async (t) => {
    const { oprf_seed_hex, derivations } = vectors("kdf_v2");
    const oprfSeed = Buffer.from(oprf_seed_hex, "hex");
    assert.ok(derivations.length > 0);
    for (const d of derivations) {
      // The independent computation of these tests agrees with the vector, step by step.
      assert.equal(Buffer.from(await addressOprfKey(oprfSeed, d.address)).toString("hex"), d.server_key_hex, d.name);
      const seed = await independentV2Seed({ oprfSeed, address: d.address, password: d.password, salt: d.salt, kdf: d.kdf });
      assert.equal(seed.toString("hex"), d.seed_hex, d.name);

      const server = await startFakeNotary(t, { seed: oprfSeed, salt: d.salt, kdf: d.kdf });
      const client = new notary.NotaryClient(server.url);
      const key = await client.keyFor(d.address, d.password);
      assert.equal(key.address, d.address, d.name);
      assert.equal(key.keyId, d.kid, d.name);
      assert.deepEqual(key.publicJwk, d.jwk, d.name);
      key.free();
      client.free();
    }
  });

  test("the baseline (no SIMD) build derives the same keys", async () => {
    const floor = vectors("keys").derivations.filter((d) => d.kdf.memory_kib === 19456);
    const servers = [];
    try {
      for (const d of floor) servers.push(await startFakeNotary(null, { salt: d.salt, kdf: d.kdf, seed: shared.seed }));
      const script = `
        import { readFileSync } from "node:fs";
        const pkg = ${JSON.stringify(pathToFileURL(scratch.installed).href)};
        const notary = await import(pkg + "/index.js");
        await notary.ready({ module: readFileSync(new URL(pkg + "/wasm/notary_client_baseline_bg.wasm")) });
        const runs = ${JSON.stringify(floor.map((d, i) => ({ url: servers[i].url, address: d.address, password: d.password })))};
        const kids = [];
        for (const { url, address, password } of runs) {
          const evaluation = await new notary.NotaryClient(url).evaluate(address, password);
          kids.push([evaluation.deriveLegacyKey().keyId, evaluation.deriveKey().keyId]);
        }
        console.log(JSON.stringify(kids));
      `;
      // Asynchronous: the fake servers answer from this process while the child runs.
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      const kids = JSON.parse(stdout);
      assert.deepEqual(kids.map(([legacy]) => legacy), floor.map((d) => d.kid));
      for (const [i, d] of floor.entries()) {
        const client = new notary.NotaryClient(servers[i].url);
        const key = await client.keyFor(d.address, d.password);
        assert.equal(kids[i][1], key.keyId, `${d.name}: the version-2 key of the SIMD build`);
        key.free();
        client.free();
      }
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  test("Argon2id, the OPRF and the public key agree with hash-wasm, @noble/curves and Node's Ed25519", async (t) => {
    const sets = [
      [19456, 2, 1],
      [19457, 2, 2],
      [19460, 3, 3],
      [20000, 2, 8],
      [24576, 4, 1],
    ];
    for (const [memory_kib, iterations, parallelism] of sets) {
      for (const password of ["correct horse battery", "Ünïcödé ﬁ passw\u00f6rd 🙂"]) {
        const salt = b64url(randomBytes(16));
        const kdf = { algorithm: "argon2id", version: 19, memory_kib, iterations, parallelism };
        const server = await startFakeNotary(t, { salt, kdf });
        const client = new notary.NotaryClient(server.url);
        const evaluation = await client.evaluate("carol@example.com", password);
        const label = `m=${memory_kib} t=${iterations} p=${parallelism}`;

        const key = evaluation.deriveKey();
        const seed = await independentV2Seed({ oprfSeed: server.seed, address: "carol@example.com", password, salt, kdf });
        assert.equal(key.publicJwk.x, publicXFromSeed(seed), `version 2, ${label}`);
        assert.equal(key.keyId, await jose.calculateJwkThumbprint(key.publicJwk, "sha256"));

        const legacy = evaluation.deriveLegacyKey();
        const legacySeed = await argon2id({
          password: password.normalize("NFKC"),
          salt: Buffer.from(salt, "base64url"),
          parallelism,
          iterations,
          memorySize: memory_kib,
          hashLength: 32,
          outputType: "binary",
        });
        assert.equal(legacy.publicJwk.x, publicXFromSeed(Buffer.from(legacySeed)), `version 1, ${label}`);
        for (const object of [key, legacy, evaluation, client]) object.free();
      }
    }
  });

  test("another OPRF seed, another key: the server's secret is part of every version-2 key", async (t) => {
    const [one, two] = [await startFakeNotary(t), await startFakeNotary(t)];
    const keys = [];
    for (const server of [one, two, one]) {
      const client = new notary.NotaryClient(server.url);
      keys.push(await client.keyFor("dave@example.com", PASSWORD));
      client.free();
    }
    assert.notEqual(keys[0].keyId, keys[1].keyId);
    assert.equal(keys[0].keyId, keys[2].keyId, "a fresh blind each time, the same key");
    for (const key of keys) key.free();
  });
});

describe("tokens, checked by jose", () => {
  /** @type {import("../../client-wasm/js/index.js").KeyPair} */
  let key;
  let publicKey;
  before(async () => {
    key = await keyOf();
    publicKey = await jose.importJWK(key.publicJwk, "EdDSA");
  });
  after(() => key.free());

  async function check(token, typ, keyOrEmbedded, audience = AUDIENCE) {
    const { payload, protectedHeader } = await jose.jwtVerify(token, keyOrEmbedded, {
      algorithms: ["EdDSA"],
      typ,
      audience,
      requiredClaims: ["sub", "iat", "exp", "jti"],
      subject: "alice@example.com",
    });
    assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 5);
    assert.ok(Buffer.from(payload.jti, "base64url").length >= 16);
    return { payload, protectedHeader };
  }

  test("signup and change embed the public key", async () => {
    for (const [token, typ] of [
      [key.signupToken(AUDIENCE), "notary-signup+jwt"],
      [key.changeToken(AUDIENCE), "notary-change+jwt"],
    ]) {
      const { protectedHeader, payload } = await check(token, typ, jose.EmbeddedJWK);
      assert.deepEqual(protectedHeader.jwk, key.publicJwk);
      assert.equal(protectedHeader.kid, undefined);
      assert.equal(payload.exp - payload.iat, 120);
    }
  });

  test("confirm, disable, request and assertion name the key by its thumbprint", async () => {
    const confirmation = vectors("confirmation").tokens[0].token;
    const { payload: confirm, protectedHeader } = await check(
      key.confirmToken(AUDIENCE, confirmation),
      "notary-confirm+jwt",
      publicKey,
    );
    assert.equal(protectedHeader.kid, key.keyId);
    assert.equal(confirm.confirmation, confirmation);
    await check(key.disableToken(AUDIENCE), "notary-disable+jwt", publicKey);

    const body = JSON.stringify({ note: "héllo" });
    const { payload: request } = await check(
      key.requestToken(AUDIENCE, "POST", `${AUDIENCE}/notes?x=1`, body),
      "notary-request+jwt",
      publicKey,
    );
    assert.equal(request.htm, "POST");
    assert.equal(request.htu, `${AUDIENCE}/notes?x=1`);
    assert.equal(request.bsh, createHash("sha256").update(body, "utf8").digest("base64url"));
    const { payload: empty } = await check(
      key.requestToken(AUDIENCE, "GET", `${AUDIENCE}/account`),
      "notary-request+jwt",
      publicKey,
    );
    assert.equal(empty.bsh, createHash("sha256").update("").digest("base64url"));

    const { payload: assertion } = await check(
      key.assertionToken("https://partner.example", 30),
      "notary-assertion+jwt",
      publicKey,
      "https://partner.example",
    );
    assert.equal(assertion.exp - assertion.iat, 30);
  });

  test("token(spec) is the typed method of the spec's kind", async () => {
    const confirmation = vectors("confirmation").tokens[0].token;
    const body = new Uint8Array([1, 2, 3]);
    for (const [spec, typ, keyOrEmbedded, audience] of [
      [{ kind: "signup", audience: AUDIENCE, lifetime: 30 }, "notary-signup+jwt", jose.EmbeddedJWK],
      [{ kind: "change", audience: AUDIENCE }, "notary-change+jwt", jose.EmbeddedJWK],
      [{ kind: "confirm", audience: AUDIENCE, confirmation }, "notary-confirm+jwt", publicKey],
      [{ kind: "disable", audience: AUDIENCE, lifetime: null }, "notary-disable+jwt", publicKey],
      [{ kind: "request", audience: AUDIENCE, method: "PUT", url: `${AUDIENCE}/x`, body }, "notary-request+jwt", publicKey],
      [{ kind: "assertion", audience: "https://partner.example", lifetime: 45 }, "notary-assertion+jwt", publicKey, "https://partner.example"],
    ]) {
      const { payload } = await check(key.token(spec), typ, keyOrEmbedded, audience);
      assert.equal(payload.exp - payload.iat, spec.lifetime ?? 120, spec.kind);
      if (spec.kind === "confirm") assert.equal(payload.confirmation, confirmation);
      if (spec.kind === "request") {
        assert.deepEqual([payload.htm, payload.htu], ["PUT", `${AUDIENCE}/x`]);
        assert.equal(payload.bsh, createHash("sha256").update(body).digest("base64url"));
      }
    }
  });

  test("a token of one kind does not pass as another, and a changed token does not verify", async () => {
    const token = key.disableToken(AUDIENCE);
    await assert.rejects(check(token, "notary-request+jwt", publicKey), { code: "ERR_JWT_CLAIM_VALIDATION_FAILED" });
    const [header, claims, signature] = token.split(".");
    const altered = JSON.parse(Buffer.from(claims, "base64url"));
    altered.sub = "mallory@example.com";
    const forged = [header, b64url(JSON.stringify(altered)), signature].join(".");
    await assert.rejects(check(forged, "notary-disable+jwt", publicKey), {
      code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    });
  });
});

describe("errors", () => {
  test("bad input and unusable salt answers reject with NotaryErrors with stable codes", async (t) => {
    const weak = await startFakeNotary(t, { kdf: { ...FLOOR, memory_kib: 4096 } });
    const other = await startFakeNotary(t, { alter: (answer) => ({ ...answer, address: "someone.else@example.com" }) });
    const uncanonical = await startFakeNotary(t, { alter: (answer) => ({ ...answer, address: "Alice@Example.com" }) });
    const newer = await startFakeNotary(t, { alter: (answer) => ({ ...answer, kdf_version: 3 }) });
    const partial = await startFakeNotary(t, { alter: ({ evaluated, ...answer }) => answer });
    const notAPoint = await startFakeNotary(t, { alter: (answer) => ({ ...answer, evaluated: b64url(Buffer.alloc(32, 0xff)) }) });
    const cases = [
      [shared, "alice@example.com", "short", undefined, "invalid_password"],
      [shared, "alice@example.com", PASSWORD, { ticket: 7 }, "invalid_argument"],
      [shared, "alice@example.com", PASSWORD, 42, "invalid_argument"],
      [weak, "alice@example.com", PASSWORD, undefined, "weak_kdf_params"],
      [other, "alice@example.com", PASSWORD, undefined, "address_mismatch"],
      [uncanonical, "alice@example.com", PASSWORD, undefined, "invalid_address"],
      [newer, "alice@example.com", PASSWORD, undefined, "unsupported_kdf_version"],
      [partial, "alice@example.com", PASSWORD, undefined, "unexpected_response"],
      [notAPoint, "alice@example.com", PASSWORD, undefined, "invalid_evaluated_element"],
    ];
    for (const [server, address, password, options, code] of cases) {
      const client = new notary.NotaryClient(server.url);
      await assert.rejects(client.evaluate(address, password, options), (error) => {
        assert.ok(error instanceof notary.NotaryError, String(error));
        assert.ok(error instanceof Error);
        assert.equal(error.code, code, `${code}: ${error.message}`);
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      });
      client.free();
    }
    assert.throws(() => new notary.NotaryClient("not a url"), { name: "NotaryError", code: "invalid_argument" });
    const key = await keyOf();
    assert.throws(() => key.assertionToken("https://partner.example", 301), { code: "lifetime_too_long" });
    assert.throws(() => key.confirmToken(AUDIENCE, "not-a-token"), { code: "invalid_token" });
    key.free();
  });

  test("token(spec) refuses what the typed methods refuse, and unknown kinds", async () => {
    const key = await keyOf();
    const request = { kind: "request", audience: "a", method: "GET", url: "http://x/" };
    for (const [spec, code] of [
      [undefined, "invalid_argument"],
      [{ kind: "nonsense", audience: "a" }, "invalid_argument"],
      [{ kind: "toString", audience: "a" }, "invalid_argument"],
      [{ audience: "a" }, "invalid_argument"],
      [{ kind: "signup" }, "invalid_argument"],
      [{ kind: "signup", audience: "" }, "invalid_token"],
      [{ kind: "assertion", audience: "a", lifetime: 0 }, "lifetime_too_long"],
      [{ kind: "signup", audience: "a", lifetime: 301 }, "lifetime_too_long"],
      [{ kind: "assertion", audience: "a", lifetime: 1.5 }, "lifetime_too_long"],
      [{ kind: "assertion", audience: "a", lifetime: "60" }, "invalid_argument"],
      [{ kind: "confirm", audience: "a", confirmation: "short" }, "invalid_token"],
      [{ kind: "confirm", audience: "a" }, "invalid_argument"],
      [{ ...request, url: undefined }, "invalid_argument"],
      [{ ...request, url: "http://x/#f" }, "invalid_argument"],
      [{ ...request, method: "" }, "invalid_argument"],
      [{ ...request, body: 7 }, "invalid_argument"],
    ]) {
      assert.throws(() => key.token(spec), (error) => {
        assert.ok(error instanceof notary.NotaryError, String(error));
        assert.equal(error.code, code, JSON.stringify(spec));
        return true;
      });
    }
    key.free();
  });

  test("what a server answers becomes a NotaryError with its code and status", async (t) => {
    // A real HTTP server that misbehaves in the ways a client must survive.
    const server = createServer((req, res) => {
      if (req.url === "/salt") {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "17" });
        return res.end(JSON.stringify({ error: "rate_limited", message: "too many requests" }));
      }
      if (req.url === "/salt/ticket") {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "3000" });
        return res.end(JSON.stringify({ error: "guess_budget_exhausted", message: "too many guesses" }));
      }
      if (req.url === "/confirm") {
        // Retry-After as an HTTP date, two minutes ahead, on an answer the client cannot read.
        res.writeHead(503, { "content-type": "text/plain", "retry-after": new Date(Date.now() + 120_000).toUTCString() });
        return res.end("down for maintenance");
      }
      if (req.url === "/signup") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>a captive portal</html>");
      }
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("bad gateway");
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => server.close());
    const client = new notary.NotaryClient(`http://127.0.0.1:${server.address().port}/`);
    const key = await keyOf();
    await assert.rejects(client.evaluate("alice@example.com", PASSWORD), {
      name: "NotaryError",
      code: "rate_limited",
      status: 429,
      retryAfter: 17,
      message: "too many requests",
    });
    // Not what /salt/ticket answers, but the way a 429 with its own code reaches the caller.
    await assert.rejects(client.requestTicket("alice@example.com"), {
      code: "guess_budget_exhausted",
      status: 429,
      retryAfter: 3000,
    });
    await assert.rejects(client.signup(key), { code: "unexpected_response", status: 200, retryAfter: undefined });
    await assert.rejects(client.account(key), { code: "unexpected_response", status: 502, retryAfter: undefined });
    await assert.rejects(client.confirm(key, vectors("confirmation").tokens[0].token), (error) => {
      assert.equal(error.code, "unexpected_response");
      assert.equal(error.status, 503);
      // The date has one-second resolution and some milliseconds passed on the way.
      assert.ok(error.retryAfter >= 118 && error.retryAfter <= 120, String(error.retryAfter));
      return true;
    });

    const closed = createServer();
    await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address().port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(new notary.NotaryClient(`http://127.0.0.1:${port}`).evaluate("a@example.com", PASSWORD), {
      code: "network_error",
    });
    key.free();
  });
});

/** The `kid` of the request token in a request's `Authorization: Notary <token>`, or null. */
function signerOf(request) {
  const authorization = request.headers.authorization ?? "";
  return authorization.startsWith("Notary ") ? decodeToken(authorization.slice(7)).header.kid : null;
}

describe("evaluations", () => {
  test("evaluate then deriveKey: POST /salt with the address as typed and a blinded element, the key of version 2", async (t) => {
    const server = await startFakeNotary(t);
    const client = new notary.NotaryClient(server.url);
    const evaluation = await client.evaluate(" Alice@Example.COM ", PASSWORD);
    assert.ok(evaluation instanceof notary.Evaluation);
    assert.equal(evaluation.address, "alice@example.com");
    assert.equal(evaluation.legacyAccepted, true);
    const key = evaluation.deriveKey();
    assert.equal(key.address, "alice@example.com");
    const again = evaluation.deriveKey();
    assert.equal(again.keyId, key.keyId, "one evaluation, one key");
    assert.notEqual(evaluation.deriveLegacyKey().keyId, key.keyId);

    assert.equal(server.seen.salt.length, 1);
    const [request] = server.seen.salt;
    assert.deepEqual(Object.keys(request).sort(), ["address", "blinded"]);
    assert.equal(request.address, "Alice@Example.COM");
    assert.equal(Buffer.from(request.blinded, "base64url").length, 32);
    assert.ok(!JSON.stringify(request).includes(PASSWORD));

    // keyFor is evaluate + deriveKey; a fresh blind each time, the same key.
    const viaKeyFor = await client.keyFor("alice@example.com", PASSWORD);
    assert.equal(viaKeyFor.keyId, key.keyId);
    assert.equal(server.seen.salt.length, 2);
    assert.notEqual(server.seen.salt[1].blinded, request.blinded);
    // Another password, another key.
    const other = await client.keyFor("alice@example.com", "another fine password");
    assert.notEqual(other.keyId, key.keyId);
    for (const object of [key, again, viaKeyFor, other, evaluation, client]) object.free();
  });

  test("a server that no longer accepts version-1 keys says so in legacyAccepted", async (t) => {
    const server = await startFakeNotary(t, { legacyAccepted: false });
    const client = new notary.NotaryClient(server.url);
    const evaluation = await client.evaluate("alice@example.com", PASSWORD);
    assert.equal(evaluation.legacyAccepted, false);
    evaluation.free();
    client.free();
  });

  test("verifyServerKey: two evaluations, refused with oprf_key_varies when the server changes its key", async (t) => {
    const varying = await startFakeNotary(t, { freshKeys: true });
    const client = new notary.NotaryClient(varying.url);
    // Without the check, such a server goes unnoticed: one evaluation, some key.
    (await client.keyFor("alice@example.com", PASSWORD)).free();
    assert.equal(varying.seen.salt.length, 1);
    await assert.rejects(client.keyFor("alice@example.com", PASSWORD, { verifyServerKey: true }), (error) => {
      assert.ok(error instanceof notary.NotaryError);
      assert.equal(error.code, "oprf_key_varies");
      assert.equal(error.status, undefined);
      return true;
    });
    assert.equal(varying.seen.salt.length, 3);
    client.free();

    const steady = await startFakeNotary(t);
    const checked = new notary.NotaryClient(steady.url);
    const key = await checked.keyFor("alice@example.com", PASSWORD, { verifyServerKey: true });
    assert.equal(steady.seen.salt.length, 2);
    assert.notEqual(steady.seen.salt[0].blinded, steady.seen.salt[1].blinded);
    const plain = await checked.keyFor("alice@example.com", PASSWORD);
    assert.equal(key.keyId, plain.keyId);
    for (const object of [key, plain, checked]) object.free();
  });

  test("a ticket goes in the body of every evaluation it is given for", async (t) => {
    const server = await startFakeNotary(t);
    const client = new notary.NotaryClient(server.url);
    const ticket = b64url(randomBytes(16));
    (await client.keyFor("alice@example.com", PASSWORD, { ticket, verifyServerKey: true })).free();
    assert.deepEqual(server.seen.salt.map((body) => body.ticket), [ticket, ticket]);
    (await client.keyFor("alice@example.com", PASSWORD, { ticket: null })).free();
    assert.equal("ticket" in server.seen.salt[2], false);
    client.free();
  });

  test("an internationalised address: a probe evaluation, then one for the canonical address the server named", async (t) => {
    const server = await startFakeNotary(t);
    const client = new notary.NotaryClient(server.url);
    const typed = "Bob@Bücher.example";
    const key = await client.keyFor(typed, PASSWORD);
    assert.equal(key.address, "bob@xn--bcher-kva.example");
    assert.equal(server.seen.salt.length, 2, "exactly two evaluations");
    assert.deepEqual(server.seen.salt.map((body) => body.address), [typed, typed]);
    // The second evaluation was for the canonical address: the same key as typing it canonically.
    const canonical = await client.keyFor("bob@xn--bcher-kva.example", PASSWORD);
    assert.equal(server.seen.salt.length, 3, "a canonical address needs no probe");
    assert.equal(canonical.keyId, key.keyId);
    for (const object of [key, canonical, client]) object.free();
  });

  test("requestTicket: POST /salt/ticket with the address", async (t) => {
    const server = await startFakeNotary(t, { reply: () => ({ status: 202, json: { status: "ticket_sent" } }) });
    const client = new notary.NotaryClient(server.url);
    assert.deepEqual(await client.requestTicket("Alice@Example.com"), { status: "ticket_sent" });
    const [request] = server.seen.requests;
    assert.deepEqual([request.method, request.url, request.headers.authorization], ["POST", "/salt/ticket", undefined]);
    assert.deepEqual(JSON.parse(request.body.toString("utf8")), { address: "Alice@Example.com" });
    client.free();
  });
});

describe("sign-in", () => {
  /**
   * A fake server with one account of `address`, whose key is `accountKid` (of kdf_version
   * `kdfVersion`): GET /account answers it for that key and 401 unknown_key for any other; PATCH
   * /signature signed by a version-1 key answers 202 confirmation_sent (the move), any other 401.
   */
  async function accountServer(t, { seed, address = "alice@example.com", accountKid, kdfVersion, legacyAccepted, freshKeys, proposal }) {
    return startFakeNotary(t, {
      seed,
      legacyAccepted,
      freshKeys,
      reply: (request) => {
        const known = signerOf(request) === accountKid;
        if (!known) return { status: 401, json: { error: "unknown_key", message: "no account has this key" } };
        if (request.method === "GET" && request.url === "/account") {
          const account = { address, status: "active", key_id: accountKid, created_at: 1, confirmed_at: 2, kdf_version: kdfVersion };
          return { status: 200, json: account };
        }
        if (request.method === "PATCH" && request.url === "/signature" && kdfVersion === 1) {
          return proposal ?? { status: 202, json: { status: "confirmation_sent" } };
        }
        return { status: 404, json: { error: "not_found", message: "no" } };
      },
    });
  }

  /** The version-1 and version-2 keys' ids of PASSWORD under `seed`, computed through a throwaway server. */
  async function kidsOf(t, seed, password = PASSWORD) {
    const server = await startFakeNotary(t, { seed });
    const client = new notary.NotaryClient(server.url);
    const evaluation = await client.evaluate("alice@example.com", password);
    const [v1, v2] = [evaluation.deriveLegacyKey(), evaluation.deriveKey()];
    const kids = { v1: v1.keyId, v2: v2.keyId };
    for (const object of [v1, v2, evaluation, client]) object.free();
    return kids;
  }

  test("a version-2 account signs in with its key: one evaluation, one GET /account, nothing proposed", async (t) => {
    const seed = randomBytes(32);
    const kids = await kidsOf(t, seed);
    const server = await accountServer(t, { seed, accountKid: kids.v2, kdfVersion: 2 });
    const client = new notary.NotaryClient(server.url);
    const events = [];
    const result = await client.signIn("alice@example.com", PASSWORD, { onProgress: (event) => events.push(event) });
    assert.equal(result.key.keyId, kids.v2);
    assert.equal(result.account.kdf_version, 2);
    assert.equal(result.newKey, undefined);
    assert.equal(result.upgrade, undefined);
    assert.deepEqual(events, [{ phase: "evaluate" }, { phase: "derive", kdfVersion: 2 }, { phase: "sign-in" }]);
    assert.equal(server.seen.salt.length, 1);
    assert.deepEqual(server.seen.requests.map((r) => `${r.method} ${r.url}`), ["GET /account"]);
    result.key.free();
    client.free();
  });

  test("a version-1 account signs in with its version-1 key and is proposed the version-2 key, signed by it", async (t) => {
    const seed = randomBytes(32);
    const kids = await kidsOf(t, seed);
    const server = await accountServer(t, { seed, accountKid: kids.v1, kdfVersion: 1 });
    const client = new notary.NotaryClient(server.url);
    const events = [];
    const result = await client.signIn("alice@example.com", PASSWORD, { onProgress: (event) => events.push(event) });
    assert.equal(result.key.keyId, kids.v1, "signed in with the account's key");
    assert.equal(result.newKey.keyId, kids.v2, "the version-2 key of the same password");
    assert.deepEqual(result.upgrade, { status: "confirmation_sent" });
    assert.equal(result.account.kdf_version, 1);
    assert.deepEqual(events.map((e) => e.phase), ["evaluate", "derive", "sign-in", "derive", "sign-in", "upgrade"]);
    assert.deepEqual(events.filter((e) => e.phase === "derive").map((e) => e.kdfVersion), [2, 1]);
    assert.equal(server.seen.salt.length, 2, "both keys from one evaluation, and a second one to check the server's key before the proposal");

    const requests = server.seen.requests.map((r) => [`${r.method} ${r.url}`, signerOf(r)]);
    assert.deepEqual(requests, [
      ["GET /account", kids.v2],
      ["GET /account", kids.v1],
      ["PATCH /signature", kids.v1],
    ]);
    // The proposal: a change token of the version-2 key (embedded), bound by the version-1 key's request token.
    const patch = server.seen.requests[2];
    const { token } = JSON.parse(patch.body.toString("utf8"));
    const { protectedHeader } = await jose.jwtVerify(token, jose.EmbeddedJWK, {
      algorithms: ["EdDSA"],
      typ: "notary-change+jwt",
      audience: server.url,
      subject: "alice@example.com",
    });
    assert.deepEqual(protectedHeader.jwk, result.newKey.publicJwk);
    const { payload: bound } = await jose.jwtVerify(
      patch.headers.authorization.slice(7),
      await jose.importJWK(result.key.publicJwk, "EdDSA"),
      { algorithms: ["EdDSA"], typ: "notary-request+jwt", audience: server.url },
    );
    assert.equal(bound.bsh, createHash("sha256").update(patch.body).digest("base64url"));

    // confirm(newKey, token) then completes the move with the new key.
    assert.equal(result.newKey.address, "alice@example.com");
    for (const object of [result.key, result.newKey, client]) object.free();
  });

  test("a version-1 sign-in stands when the move cannot be proposed: upgradeError, no newKey", async (t) => {
    const seed = randomBytes(32);
    const kids = await kidsOf(t, seed);
    const spent = {
      status: 429,
      json: { error: "rate_limited", message: "too many emails for this address; try again later" },
    };
    const server = await accountServer(t, { seed, accountKid: kids.v1, kdfVersion: 1, proposal: spent });
    const client = new notary.NotaryClient(server.url);
    const result = await client.signIn("alice@example.com", PASSWORD);
    assert.equal(result.key.keyId, kids.v1);
    assert.equal(result.account.kdf_version, 1);
    assert.equal(result.newKey, undefined);
    assert.equal(result.upgrade, undefined);
    assert.ok(result.upgradeError instanceof notary.NotaryError);
    assert.equal(result.upgradeError.code, "rate_limited");
    result.key.free();
    client.free();
  });

  test("the move checks the server's key: a server that varies it gets no proposal (oprf_key_varies)", async (t) => {
    // Version-1 keys do not depend on the OPRF, so the account's key is the same under any seed.
    const kids = await kidsOf(t, randomBytes(32));
    const server = await accountServer(t, { accountKid: kids.v1, kdfVersion: 1, freshKeys: true });
    const client = new notary.NotaryClient(server.url);
    const result = await client.signIn("alice@example.com", PASSWORD);
    assert.equal(result.key.keyId, kids.v1);
    assert.equal(result.upgradeError?.code, "oprf_key_varies");
    assert.equal(result.newKey, undefined);
    assert.deepEqual(server.seen.requests.map((r) => `${r.method} ${r.url}`), ["GET /account", "GET /account"], "nothing proposed");
    result.key.free();
    client.free();
  });

  test("a wrong password is refused with unknown_key, and nothing is proposed", async (t) => {
    const seed = randomBytes(32);
    const kids = await kidsOf(t, seed);
    const server = await accountServer(t, { seed, accountKid: kids.v1, kdfVersion: 1 });
    const client = new notary.NotaryClient(server.url);
    await assert.rejects(client.signIn("alice@example.com", "not the password at all"), {
      name: "NotaryError",
      code: "unknown_key",
      status: 401,
    });
    assert.deepEqual(server.seen.requests.map((r) => `${r.method} ${r.url}`), ["GET /account", "GET /account"]);
    client.free();
  });

  test("when the server accepts only version 2, no version-1 key is tried", async (t) => {
    const seed = randomBytes(32);
    const kids = await kidsOf(t, seed);
    const server = await accountServer(t, { seed, accountKid: kids.v1, kdfVersion: 1, legacyAccepted: false });
    const client = new notary.NotaryClient(server.url);
    await assert.rejects(client.signIn("alice@example.com", PASSWORD), { code: "unknown_key", status: 401 });
    assert.deepEqual(server.seen.requests.map((r) => signerOf(r)), [kids.v2]);
    client.free();
  });
});

describe("change of password, as sent", () => {
  test("with the current key: a change token of the new key, signed as a request by the current key", async (t) => {
    const server = await startFakeNotary(t, {
      reply: ({ body }) => {
        const { token } = JSON.parse(body.toString("utf8"));
        const { header } = decodeToken(token);
        const kid = createHash("sha256")
          .update(JSON.stringify({ crv: "Ed25519", kty: "OKP", x: header.jwk.x }))
          .digest("base64url");
        return { status: 200, json: { status: "active", address: "alice@example.com", key_id: kid } };
      },
    });
    const client = new notary.NotaryClient(server.url);
    const current = await keyOf();
    const next = await keyOf("a brand new password");
    const answer = await client.changePassword(next, current);
    assert.deepEqual(answer, { status: "active", address: "alice@example.com", key_id: next.keyId });

    const [request] = server.seen.requests;
    assert.equal(request.method, "PATCH");
    assert.equal(request.url, "/signature");
    assert.equal(request.headers["content-type"], "application/json");
    // The body is exactly {"token": <change token>}, signed by the NEW key (embedded).
    const body = request.body.toString("utf8");
    const { token } = JSON.parse(body);
    assert.equal(body, JSON.stringify({ token }));
    const { payload: change, protectedHeader } = await jose.jwtVerify(token, jose.EmbeddedJWK, {
      algorithms: ["EdDSA"],
      typ: "notary-change+jwt",
      audience: server.url,
      subject: "alice@example.com",
    });
    assert.deepEqual(protectedHeader.jwk, next.publicJwk);
    assert.ok(change.jti);
    // Authorization: a request token of the CURRENT key binding PATCH, the full URL and those bytes.
    const [scheme, authorization] = request.headers.authorization.split(" ");
    assert.equal(scheme, "Notary");
    const { payload: bound, protectedHeader: requestHeader } = await jose.jwtVerify(
      authorization,
      await jose.importJWK(current.publicJwk, "EdDSA"),
      { algorithms: ["EdDSA"], typ: "notary-request+jwt", audience: server.url, subject: "alice@example.com" },
    );
    assert.equal(requestHeader.kid, current.keyId);
    assert.equal(bound.htm, "PATCH");
    assert.equal(bound.htu, `${server.url}/signature`);
    assert.equal(bound.bsh, createHash("sha256").update(request.body).digest("base64url"));
    for (const key of [current, next]) key.free();
    client.free();
  });

  test("without it: the recovery path, unsigned, answered by a status", async (t) => {
    const server = await startFakeNotary(t, { reply: () => ({ status: 202, json: { status: "confirmation_sent" } }) });
    const client = new notary.NotaryClient(server.url);
    const next = await keyOf("a brand new password");
    for (const answer of [await client.changePassword(next), await client.changePassword(next, undefined)]) {
      assert.deepEqual(answer, { status: "confirmation_sent" });
    }
    for (const request of server.seen.requests) {
      assert.deepEqual([request.method, request.url, request.headers.authorization], ["PATCH", "/signature", undefined]);
      const { token } = JSON.parse(request.body.toString("utf8"));
      assert.equal(decodeToken(token).header.typ, "notary-change+jwt");
    }
    next.free();
    client.free();
  });

  test("each path checks the answer's shape, and keys of two addresses are refused before sending", async (t) => {
    // A server that answers the other path's shape is not understood.
    const server = await startFakeNotary(t, {
      reply: ({ headers }) =>
        headers.authorization
          ? { status: 202, json: { status: "confirmation_sent" } }
          : { status: 200, json: { status: "active" } },
    });
    const client = new notary.NotaryClient(server.url);
    const current = await keyOf();
    const next = await keyOf("a brand new password");
    await assert.rejects(client.changePassword(next, current), { code: "unexpected_response", status: 202 });
    assert.deepEqual(await client.changePassword(next), { status: "active" });
    const bob = await keyOf("a brand new password", "bob@example.com");
    const sent = server.seen.requests.length;
    await assert.rejects(client.changePassword(bob, current), { name: "NotaryError", code: "invalid_argument" });
    assert.equal(server.seen.requests.length, sent);
    for (const key of [current, next, bob]) key.free();
    client.free();
  });
});

/** The decoded header and claims of a compact JWS (no verification). */
function decodeToken(token) {
  const [header, claims] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url")));
  return { header, claims };
}

const workerBuilt = existsSync(join(ROOT, "edge-worker/build/index.js"));

describe("the flows against the worker in workerd", { skip: !workerBuilt && "edge-worker/build is missing (bash edge-worker/build.sh)" }, () => {
  /** @type {Awaited<ReturnType<typeof import("../support/worker.mjs").startWorker>>} */
  let w;
  before(async () => {
    const { startWorker } = await import("../support/worker.mjs");
    w = await startWorker();
  });
  after(() => w?.close());

  async function emailed(address, purpose) {
    const message = await w.mailbox.waitFor((m) => m.address === address && m.purpose === purpose);
    return message.token;
  }

  test("sign up, confirm, account, signed fetch, assertion, change of password, disable", async () => {
    const client = new notary.NotaryClient(w.url);
    assert.equal(client.baseUrl, w.url);
    const typed = ` Client.Flow.${Date.now().toString(36)}@Example.com `;
    const evaluation = await client.evaluate(typed, "first password 1", { verifyServerKey: true });
    const address = typed.trim().toLowerCase();
    assert.equal(evaluation.address, address);
    const key = evaluation.deriveKey();
    evaluation.free();
    assert.deepEqual(await client.signup(key), { status: "confirmation_sent" });
    const confirmed = await client.confirm(key, await emailed(address, "signup"));
    assert.deepEqual(confirmed, { status: "active", address, key_id: key.keyId });

    const account = await client.account(key);
    assert.equal(account.address, address);
    assert.equal(account.status, "active");
    assert.equal(account.key_id, key.keyId);
    assert.equal(account.kdf_version, 2);
    const signedIn = await client.signIn(typed, "first password 1");
    assert.equal(signedIn.key.keyId, key.keyId);
    assert.equal(signedIn.newKey, undefined);
    signedIn.key.free();

    const response = await client.signedFetch(key, "/account");
    assert.equal(response.status, 200);
    assert.equal((await response.json()).key_id, key.keyId);

    const assertion = client.assertion(key, "https://partner.example", 60);
    const verified = await w.fetch("/admin/verify", {
      json: { token: assertion, audience: "https://partner.example" },
      headers: { authorization: `Bearer ${w.adminSecret}` },
    });
    assert.equal(verified.status, 200);
    assert.deepEqual((await verified.json()).account, { address, status: "active", key_id: key.keyId });

    // Change of password: the new key is proposed, confirmed with the new key, and the old one
    // stops working at once.
    const newKey = await client.keyFor(address, "second password 2", { verifyServerKey: true });
    assert.notEqual(newKey.keyId, key.keyId);
    assert.deepEqual(await client.changePassword(newKey), { status: "confirmation_sent" });
    await client.confirm(newKey, await emailed(address, "change"));
    await assert.rejects(client.account(key), { code: "unknown_key", status: 401 });
    assert.equal((await client.account(newKey)).key_id, newKey.keyId);

    assert.deepEqual(await client.disable(newKey), { status: "disabled" });
    await assert.rejects(client.account(newKey), (error) => {
      assert.ok(error instanceof notary.NotaryError);
      assert.ok(error.status >= 400 && error.status < 500, String(error.status));
      return true;
    });
    key.free();
    newKey.free();
  });

  // Needs the worker's signed change (PATCH /signature with Authorization: Notary, issue 11).
  test("a change of password signed by the current key takes effect at once, with no email", async () => {
    const client = new notary.NotaryClient(w.url);
    const address = `client.signed.${Date.now().toString(36)}@example.com`;
    const key = await client.keyFor(address, "first password 1", { verifyServerKey: true });
    await client.signup(key);
    await client.confirm(key, await emailed(address, "signup"));

    const newKey = await client.keyFor(address, "second password 2", { verifyServerKey: true });
    const before = w.mailbox.messages().length;
    assert.deepEqual(await client.changePassword(newKey, key), { status: "active", address, key_id: newKey.keyId });
    await assert.rejects(client.account(key), { code: "unknown_key", status: 401 });
    assert.equal((await client.account(newKey)).key_id, newKey.keyId);
    // The old key cannot sign a change any more; a change to the key in use changes nothing and says so.
    const third = await client.keyFor(address, "third password 3");
    await assert.rejects(client.changePassword(third, key), { code: "unknown_key", status: 401 });
    assert.deepEqual(await client.changePassword(newKey, newKey), { status: "active", address, key_id: newKey.keyId });
    assert.equal(w.mailbox.messages().length, before, "no email for a signed change");
    for (const k of [key, newKey, third]) k.free();
    client.free();
  });

  test("a replayed or foreign token is refused with the server's code", async () => {
    const client = new notary.NotaryClient(w.url);
    const key = await client.keyFor(`client.refused.${Date.now().toString(36)}@example.com`, "a fine password");
    await assert.rejects(client.confirm(key, vectors("confirmation").tokens[0].token), (error) => {
      assert.ok(error instanceof notary.NotaryError);
      assert.equal(typeof error.code, "string");
      assert.ok(error.status >= 400, String(error.status));
      return true;
    });
    // A client for another audience signs tokens the server must refuse.
    const elsewhere = new notary.NotaryClient("http://notary.invalid");
    const token = key.signupToken("http://notary.invalid");
    const answer = await w.fetch("/signup", { json: { token } });
    assert.equal(answer.status, 401);
    assert.equal((await answer.json()).error, "wrong_audience");
    elsewhere.free();
    key.free();
  });

  // An account made before protocol version 2: signed up, then given the version-1 key of the same
  // password and kdf_version 1 in D1, as migration 0003 leaves the accounts it finds.
  test("a version-1 account moves to version 2: signIn proposes the key, the emailed link confirms it", async () => {
    const client = new notary.NotaryClient(w.url);
    const address = `client.legacy.${Date.now().toString(36)}@example.com`;
    const password = "an old fine password";
    const key = await client.keyFor(address, password, { verifyServerKey: true });
    await client.signup(key);
    await client.confirm(key, await emailed(address, "signup"));
    const legacy = await replaceWithVersion1Key(w.sql, client, address, password);

    const moving = await client.signIn(address, password);
    assert.equal(moving.key.keyId, legacy.keyId);
    assert.equal(moving.account.kdf_version, 1);
    assert.equal(moving.newKey.keyId, key.keyId, "the version-2 key of the same password");
    assert.deepEqual(moving.upgrade, { status: "confirmation_sent" });
    // Until the move is confirmed the version-1 key still signs in.
    assert.equal((await client.account(legacy)).key_id, legacy.keyId);

    assert.deepEqual(await client.confirm(moving.newKey, await emailed(address, "change")), {
      status: "active",
      address,
      key_id: key.keyId,
    });
    assert.equal((await client.account(key)).kdf_version, 2);
    await assert.rejects(client.account(legacy), { code: "unknown_key", status: 401 });
    const again = await client.signIn(address, password);
    assert.equal(again.key.keyId, key.keyId);
    assert.equal(again.newKey, undefined);
    for (const object of [key, legacy, moving.key, moving.newKey, again.key, client]) object.free();
  });
});

// Needs the worker's Rate Limiting bindings and tests/support/worker.mjs's `rateLimits` (issue 11).
describe("rate limits of the worker in workerd reach the caller with Retry-After", { skip: !workerBuilt && "edge-worker/build is missing (bash edge-worker/build.sh)" }, () => {
  test("one call per 10 seconds from a network: the next is refused, with the seconds left as retryAfter", async () => {
    const { startWorker } = await import("../support/worker.mjs");
    const limited = await startWorker({ rateLimits: { CLIENT_BURST: 1 } });
    try {
      // The emulated window is aligned to the clock: start both calls in one window.
      const left = 10_000 - (Date.now() % 10_000);
      if (left < 3000) await new Promise((resolve) => setTimeout(resolve, left + 50));
      const client = new notary.NotaryClient(limited.url);
      (await client.evaluate("first.call@example.com", PASSWORD)).free();
      const error = await client.evaluate("second.call@example.com", PASSWORD).then(
        () => assert.fail("the second call within the window should be refused"),
        (e) => e,
      );
      assert.ok(error instanceof notary.NotaryError, String(error));
      assert.equal(error.code, "rate_limited");
      assert.equal(error.status, 429);
      assert.equal(error.retryAfter, 10);
      // The same refusal seen directly: the header the client read.
      const { blinded } = (await oprf()).blind(new TextEncoder().encode("any input"));
      const raw = await limited.fetch("/salt", { json: { address: "third.call@example.com", blinded: b64url(blinded) } });
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get("retry-after"), "10");
      client.free();
    } finally {
      await limited.close();
    }
  });
});

// Issue 13: sessions through NotaryClient, against the worker's /sessions (commit "worker: sessions").
describe("sessions against the worker in workerd", { skip: !workerBuilt && "edge-worker/build is missing (bash edge-worker/build.sh)" }, () => {
  /** @type {Awaited<ReturnType<typeof import("../support/worker.mjs").startWorker>>} */
  let w;
  before(async () => {
    const { startWorker } = await import("../support/worker.mjs");
    w = await startWorker();
  });
  after(() => w?.close());

  /** A confirmed account: `{ client, address, key }`. */
  async function account(name) {
    const client = new notary.NotaryClient(w.url);
    const address = `client.${name}.${Date.now().toString(36)}@example.com`;
    const key = await client.keyFor(address, "a session password", { verifyServerKey: true });
    await client.signup(key);
    const message = await w.mailbox.waitFor((m) => m.address === address && m.purpose === "signup");
    await client.confirm(key, message.token);
    return { client, address, key };
  }

  test("create, sign with the session, list, end the others, sign out: the next request is unknown_key", async () => {
    const { client, address, key } = await account("session");
    const session = await client.createSession(key, { label: "Node on Linux" });
    const other = await client.createSession(key, { label: "another device" });
    assert.equal(session.persistent, true, "Node 20 has WebCrypto Ed25519");
    assert.equal(session.address, address);
    assert.notEqual(session.keyId, key.keyId, "a key of its own");
    assert.equal(session.label, "Node on Linux");
    assert.match(session.id, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(session.expiresAt >= session.idleExpiresAt && session.idleExpiresAt > session.createdAt);
    key.free(); // The account key is no longer needed.

    const seen = await session.account();
    assert.equal(seen.address, address);
    const response = await session.signedFetch("/account");
    assert.equal(response.status, 200);
    assert.equal((await response.json()).address, address);
    // What was sent: a session request token by the session key, bound to the request.
    const seenAuthorization = [];
    const elsewhere = createServer((req, res) => {
      seenAuthorization.push(req.headers.authorization);
      res.end("{}");
    });
    await new Promise((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${elsewhere.address().port}/x?y=1`;
    await session.signedFetch(`${target}#fragment`, { method: "POST", body: "hi" });
    await new Promise((resolve) => elsewhere.close(resolve));
    const { header, claims } = decodeToken(seenAuthorization[0].replace(/^Notary /, ""));
    assert.deepEqual(header, { alg: "EdDSA", typ: "notary-session-request+jwt", kid: session.keyId });
    assert.equal(claims.htm, "POST");
    assert.equal(claims.htu, target);
    assert.equal(claims.aud, new URL(target).origin);
    assert.equal(claims.bsh, createHash("sha256").update("hi").digest("base64url"));
    assert.equal(claims.sub, address);

    const { sessions } = await session.list();
    assert.equal(sessions.length, 2);
    const mine = sessions.find((s) => s.id === session.id);
    assert.equal(mine.current, true);
    assert.equal(mine.label, "Node on Linux");
    assert.equal(sessions.find((s) => s.id === other.id).current, false);

    assert.deepEqual(await session.endOthers(), { status: "ended", ended: 1 });
    await assert.rejects(other.account(), { code: "unknown_key", status: 401 });
    assert.deepEqual((await session.list()).sessions.map((s) => s.id), [session.id]);
    await assert.rejects(session.end("AAAAAAAAAAAAAAAAAAAAAA"), { code: "unknown_session", status: 404 });
    await assert.rejects(session.end("../account"), { code: "invalid_argument" });

    assert.deepEqual(await session.signOut(), { status: "ended", ended: 1 });
    await assert.rejects(session.account(), { code: "unknown_key", status: 401 });
    // Signing out again: the server already forgot it, which is signed out all the same.
    assert.deepEqual(await session.signOut(), { status: "ended", ended: 0 });
    for (const object of [session, other, client]) object.free();
  });

  test("toStored survives a structured clone and resumes in a new client; its key is non-extractable", async () => {
    const { client, address, key } = await account("stored");
    const session = await client.createSession(key);
    assert.equal(session.label, "");
    const stored = structuredClone(session.toStored());
    assert.deepEqual(Object.keys(stored).sort(), [
      "address", "baseUrl", "createdAt", "expiresAt", "id", "keyId", "label", "privateKey", "publicJwk", "version",
    ]);
    assert.equal(stored.baseUrl, w.url);
    assert.equal(stored.privateKey.extractable, false);
    assert.deepEqual(stored.privateKey.usages, ["sign"]);
    for (const format of ["pkcs8", "jwk", "raw"]) {
      await assert.rejects(crypto.subtle.exportKey(format, stored.privateKey));
    }
    session.free();
    client.free();
    key.free();

    // "Reload": a new client, no key derived.
    const again = new notary.NotaryClient(w.url);
    const resumed = again.resumeSession(stored);
    assert.equal(resumed.id, stored.id);
    assert.equal(resumed.keyId, stored.keyId);
    assert.equal(resumed.idleExpiresAt, undefined);
    assert.equal((await resumed.account()).address, address);
    // A record for another server, or with keys that do not match, is refused before any request.
    assert.throws(() => new notary.NotaryClient("http://other.invalid").resumeSession(stored), { code: "invalid_argument" });
    const otherKey = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign"])).publicKey;
    const x = Buffer.from(await crypto.subtle.exportKey("raw", otherKey)).toString("base64url");
    assert.throws(() => again.resumeSession({ ...stored, publicJwk: { ...stored.publicJwk, x } }), { code: "invalid_argument" });
    assert.throws(() => again.resumeSession({ ...stored, version: 2 }), { code: "invalid_argument" });
    await resumed.signOut();
    await assert.rejects(again.resumeSession(stored).account(), { code: "unknown_key", status: 401 });
    again.free();
  });

  test("memoryOnly: a key in WebAssembly memory signs, and cannot be stored", async () => {
    const { client, address, key } = await account("memory");
    const session = await client.createSession(key, { memoryOnly: true, label: "tab" });
    assert.equal(session.persistent, false);
    assert.equal((await session.account()).address, address);
    assert.throws(() => session.toStored(), { code: "invalid_argument" });
    assert.equal((await session.list()).sessions[0].current, true);
    await assert.rejects(client.createSession(key, { label: "\u0000" }), { code: "invalid_argument" });
    await assert.rejects(client.createSession(key, { label: "x".repeat(65) }), { code: "invalid_argument" });
    await session.signOut();
    for (const object of [session, client, key]) object.free();
  });

  test("a session signs nothing but session requests: no token methods, and the account key's endpoints refuse it", async () => {
    const { client, address, key } = await account("limited");
    const session = await client.createSession(key);
    for (const method of ["token", "signupToken", "changeToken", "disableToken", "requestToken", "assertionToken"]) {
      assert.equal(session[method], undefined, method);
    }
    // Its signedFetch on DELETE /signature carries a session request, which the worker refuses.
    const response = await session.signedFetch("/signature", { method: "DELETE" });
    assert.ok(response.status >= 400, String(response.status));
    assert.equal((await client.account(key)).address, address, "the account is untouched");
    await session.signOut();
    for (const object of [session, client, key]) object.free();
  });
});

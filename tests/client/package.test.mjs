// The npm package as a consumer uses it, in Node: `npm pack` of client-wasm/pkg, installed offline
// into a scratch project and imported there by name. Checks the tarball's contents and manifest, the
// shared vectors (SIMD and baseline builds), agreement with two independent implementations
// (hash-wasm's Argon2id, Node's OpenSSL Ed25519), every token kind against the `jose` library, the
// errors, and the whole flow against the real worker in workerd (tests/support/worker.mjs).
//
// Needs `bash client-wasm/scripts/build.sh` (and, for the flows, `bash edge-worker/build.sh`).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { argon2id } from "hash-wasm";
import * as jose from "jose";
import { installPackedPackage, ROOT, vectors } from "./support.mjs";

const AUDIENCE = "http://127.0.0.1:8787";
const PASSWORD = "correct horse battery staple";
const FLOOR = { algorithm: "argon2id", version: 19, memory_kib: 19456, iterations: 2, parallelism: 1 };

/** @type {ReturnType<typeof installPackedPackage>} */
let scratch;
/** @type {typeof import("../../client-wasm/js/index.js")} */
let notary;

before(async () => {
  scratch = installPackedPackage();
  // The consumer's own module imports the package by name, so Node resolves it through the
  // package's "exports" map from the scratch project's node_modules.
  writeFileSync(
    join(scratch.dir, "consumer.mjs"),
    'export * from "notary-client";\nexport { createWorkerClient } from "notary-client/worker-client";\n',
  );
  notary = await import(pathToFileURL(join(scratch.dir, "consumer.mjs")).href);
});

after(() => scratch?.cleanup());

function b64url(bytes) {
  return Buffer.from(bytes).toString("base64url");
}

/** An Ed25519 public key (JWK x) from a 32-byte seed, by Node's OpenSSL. */
function publicXFromSeed(seed) {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  return createPublicKey(privateKey).export({ format: "jwk" }).x;
}

function saltAnswer(kdf = FLOOR, address = "alice@example.com", salt = "Na_mKGw0GDhz3GNYQigbhw") {
  return { address, salt, kdf, kdf_version: 1 };
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
    for (const name of ["NotaryClient", "KeyPair", "deriveKey", "releaseKdfMemory", "NotaryError"]) {
      assert.ok(notary[name], name);
    }
  });
});

describe("keys", () => {
  test("the shared key vectors", () => {
    for (const derivation of vectors("keys").derivations) {
      const key = notary.deriveKey(
        saltAnswer(derivation.kdf, derivation.address, derivation.salt),
        derivation.password,
      );
      assert.equal(key.address, derivation.address, derivation.name);
      assert.equal(key.keyId, derivation.kid, derivation.name);
      assert.deepEqual(key.publicJwk, derivation.jwk, derivation.name);
      key.free();
    }
  });

  test("the baseline (no SIMD) build derives the same keys", () => {
    const floor = vectors("keys").derivations.filter((d) => d.kdf.memory_kib === 19456);
    const script = `
      import { readFileSync } from "node:fs";
      const pkg = ${JSON.stringify(pathToFileURL(scratch.installed).href)};
      const notary = await import(pkg + "/index.js");
      await notary.ready({ module: readFileSync(new URL(pkg + "/wasm/notary_client_baseline_bg.wasm")) });
      const derivations = ${JSON.stringify(floor)};
      console.log(JSON.stringify(derivations.map((d) =>
        notary.deriveKey({ address: d.address, salt: d.salt, kdf: d.kdf, kdf_version: 1 }, d.password).keyId)));
    `;
    const kids = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    assert.deepEqual(kids, floor.map((d) => d.kid));
  });

  test("Argon2id and the public key agree with hash-wasm and Node's Ed25519", async () => {
    const sets = [
      [19456, 2, 1],
      [19457, 2, 2],
      [19460, 3, 3],
      [20000, 2, 8],
      [24576, 4, 1],
    ];
    for (const [memory_kib, iterations, parallelism] of sets) {
      for (const password of ["correct horse battery", "Ünïcödé ﬁ passw\u00f6rd 🙂"]) {
        const salt = randomBytes(16);
        const seed = await argon2id({
          password: password.normalize("NFKC"),
          salt,
          parallelism,
          iterations,
          memorySize: memory_kib,
          hashLength: 32,
          outputType: "binary",
        });
        const kdf = { algorithm: "argon2id", version: 19, memory_kib, iterations, parallelism };
        const key = notary.deriveKey(saltAnswer(kdf, "carol@example.com", b64url(salt)), password);
        assert.equal(key.publicJwk.x, publicXFromSeed(Buffer.from(seed)), `m=${memory_kib} t=${iterations} p=${parallelism}`);
        assert.equal(key.keyId, await jose.calculateJwkThumbprint(key.publicJwk, "sha256"));
        key.free();
      }
    }
  });
});

describe("tokens, checked by jose", () => {
  /** @type {import("../../client-wasm/js/index.js").KeyPair} */
  let key;
  let publicKey;
  before(async () => {
    key = notary.deriveKey(saltAnswer(), PASSWORD);
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
  test("bad input throws NotaryErrors with stable codes", () => {
    const cases = [
      [() => notary.deriveKey(saltAnswer(), "short"), "invalid_password"],
      [() => notary.deriveKey(saltAnswer({ ...FLOOR, memory_kib: 4096 }), PASSWORD), "weak_kdf_params"],
      [() => notary.deriveKey(saltAnswer(FLOOR, "Alice@Example.com"), PASSWORD), "invalid_address"],
      [() => notary.deriveKey({ address: "alice@example.com" }, PASSWORD), "invalid_argument"],
      [() => new notary.NotaryClient("not a url"), "invalid_argument"],
    ];
    for (const [run, code] of cases) {
      assert.throws(run, (error) => {
        assert.ok(error instanceof notary.NotaryError, String(error));
        assert.ok(error instanceof Error);
        assert.equal(error.code, code);
        assert.equal(error.status, undefined);
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      });
    }
    const key = notary.deriveKey(saltAnswer(), PASSWORD);
    assert.throws(() => key.assertionToken("https://partner.example", 301), { code: "lifetime_too_long" });
    assert.throws(() => key.confirmToken(AUDIENCE, "not-a-token"), { code: "invalid_token" });
    key.free();
  });

  test("token(spec) refuses what the typed methods refuse, and unknown kinds", () => {
    const key = notary.deriveKey(saltAnswer(), PASSWORD);
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
    const key = notary.deriveKey(saltAnswer(), PASSWORD);
    await assert.rejects(client.salt("alice@example.com"), {
      name: "NotaryError",
      code: "rate_limited",
      status: 429,
      retryAfter: 17,
      message: "too many requests",
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
    await assert.rejects(new notary.NotaryClient(`http://127.0.0.1:${port}`).salt("a@example.com"), {
      code: "network_error",
    });
    key.free();
  });
});

/**
 * A real HTTP server standing for a Notary server: answers /salt with `answer(address)` and counts
 * the requests; records every other request and answers it with `reply(request)`.
 */
async function startFakeServer(t, { answer = (address) => saltAnswer(FLOOR, address), reply } = {}) {
  const seen = { salt: 0, requests: [] };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    if (req.url === "/salt") {
      seen.salt += 1;
      const { address } = JSON.parse(body.toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(answer(address.trim().toLowerCase())));
    }
    const request = { method: req.method, url: req.url, headers: req.headers, body };
    seen.requests.push(request);
    const { status, json } = reply?.(request) ?? { status: 404, json: { error: "not_found", message: "no" } };
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(json));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}`, seen };
}

/** A SaltStore in a Map, recording its calls. */
function mapStore({ async = false } = {}) {
  const entries = new Map();
  const calls = [];
  const later = (value) => (async ? Promise.resolve(value) : value);
  return {
    entries,
    calls,
    get(baseUrl, address) {
      calls.push(["get", baseUrl, address]);
      return later(entries.get(`${baseUrl} ${address}`) ?? null);
    },
    set(baseUrl, address, answer) {
      calls.push(["set", baseUrl, address]);
      entries.set(`${baseUrl} ${address}`, structuredClone(answer));
      return later(undefined);
    },
  };
}

describe("salt answers are kept", () => {
  test("a client asks /salt once per address, whatever the case and spaces typed", async (t) => {
    const server = await startFakeServer(t);
    const client = new notary.NotaryClient(server.url);
    const first = await client.keyFor("alice@example.com", PASSWORD);
    const again = await client.keyFor(" Alice@Example.COM ", PASSWORD);
    assert.equal(server.seen.salt, 1);
    assert.equal(again.keyId, first.keyId);
    // The answer handed out is a copy: changing it changes nothing kept.
    const answer = await client.salt("alice@example.com");
    answer.salt = "AAAAAAAAAAAAAAAAAAAAAA";
    assert.deepEqual(await client.salt("alice@example.com"), saltAnswer());
    assert.equal(server.seen.salt, 1);
    await client.salt("bob@example.com");
    assert.equal(server.seen.salt, 2);
    // Each client keeps its own.
    const other = new notary.NotaryClient(server.url);
    await other.salt("alice@example.com");
    assert.equal(server.seen.salt, 3);
    for (const object of [first, again, client, other]) object.free();
  });

  for (const async of [false, true]) {
    test(`a store (${async ? "asynchronous" : "synchronous"}) lets a new client sign in without /salt`, async (t) => {
      const server = await startFakeServer(t);
      const store = mapStore({ async });
      const first = new notary.NotaryClient(`${server.url}/`, { saltStore: store });
      const key = await first.keyFor("Alice@Example.com", PASSWORD);
      assert.equal(server.seen.salt, 1);
      assert.deepEqual(store.calls, [
        ["get", server.url, "alice@example.com"],
        ["set", server.url, "alice@example.com"],
      ]);
      assert.deepEqual(store.entries.get(`${server.url} alice@example.com`), saltAnswer());
      first.free();

      const second = new notary.NotaryClient(server.url, { saltStore: store });
      const again = await second.keyFor("alice@example.com", PASSWORD);
      assert.equal(server.seen.salt, 1, "the second sign-in did not ask /salt");
      assert.equal(again.keyId, key.keyId);
      // The store is asked once; from then on the client's memory answers.
      await second.salt("alice@example.com");
      assert.equal(store.calls.filter(([op]) => op === "get").length, 2);
      for (const object of [key, again, second]) object.free();
    });
  }

  test("a kept answer the client cannot use is asked for again, and replaced", async (t) => {
    const server = await startFakeServer(t);
    const store = mapStore();
    const key = (address) => `${server.url} ${address}`;
    const unusable = {
      "newer@example.com": { ...saltAnswer(FLOOR, "newer@example.com"), kdf_version: 2 },
      "weak@example.com": saltAnswer({ ...FLOOR, memory_kib: 1024 }, "weak@example.com"),
      "other@example.com": saltAnswer(FLOOR, "someone.else@example.com"),
      "garbage@example.com": "not an answer",
      "partial@example.com": { address: "partial@example.com" },
    };
    for (const [address, answer] of Object.entries(unusable)) store.entries.set(key(address), answer);
    const client = new notary.NotaryClient(server.url, { saltStore: store });
    for (const address of Object.keys(unusable)) {
      assert.deepEqual(await client.salt(address), saltAnswer(FLOOR, address), address);
      assert.deepEqual(store.entries.get(key(address)), saltAnswer(FLOOR, address), address);
    }
    assert.equal(server.seen.salt, Object.keys(unusable).length);
    client.free();
  });

  test("a store that throws or rejects counts as empty", async (t) => {
    const server = await startFakeServer(t);
    for (const saltStore of [
      { get: () => { throw new Error("broken"); }, set: () => { throw new Error("full"); } },
      { get: () => Promise.reject(new Error("broken")), set: () => Promise.reject(new Error("full")) },
    ]) {
      const client = new notary.NotaryClient(server.url, { saltStore });
      const key = await client.keyFor("alice@example.com", PASSWORD);
      assert.equal(key.address, "alice@example.com");
      key.free();
      client.free();
    }
    assert.equal(server.seen.salt, 2);
  });

  test("the options are checked", () => {
    for (const options of [42, "store", { saltStore: {} }, { saltStore: { get() {} } }, { saltStore: 7 }]) {
      assert.throws(() => new notary.NotaryClient("http://127.0.0.1:8787", options), {
        name: "NotaryError",
        code: "invalid_argument",
      });
    }
    for (const options of [undefined, null, {}, { saltStore: undefined }, { saltStore: null }]) {
      new notary.NotaryClient("http://127.0.0.1:8787", options).free();
    }
  });
});

describe("change of password, as sent", () => {
  test("with the current key: a change token of the new key, signed as a request by the current key", async (t) => {
    const server = await startFakeServer(t, {
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
    const current = notary.deriveKey(saltAnswer(), PASSWORD);
    const next = notary.deriveKey(saltAnswer(), "a brand new password");
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
    const server = await startFakeServer(t, { reply: () => ({ status: 202, json: { status: "confirmation_sent" } }) });
    const client = new notary.NotaryClient(server.url);
    const next = notary.deriveKey(saltAnswer(), "a brand new password");
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
    const server = await startFakeServer(t, {
      reply: ({ headers }) =>
        headers.authorization
          ? { status: 202, json: { status: "confirmation_sent" } }
          : { status: 200, json: { status: "active" } },
    });
    const client = new notary.NotaryClient(server.url);
    const current = notary.deriveKey(saltAnswer(), PASSWORD);
    const next = notary.deriveKey(saltAnswer(), "a brand new password");
    await assert.rejects(client.changePassword(next, current), { code: "unexpected_response", status: 202 });
    assert.deepEqual(await client.changePassword(next), { status: "active" });
    const bob = notary.deriveKey(saltAnswer(FLOOR, "bob@example.com"), "a brand new password");
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
    const answer = await client.salt(typed);
    const address = typed.trim().toLowerCase();
    assert.equal(answer.address, address);
    assert.deepEqual(answer.kdf, { algorithm: "argon2id", version: 19, memory_kib: 65536, iterations: 3, parallelism: 1 });
    const key = client.deriveKey(answer, "first password 1");
    assert.deepEqual(await client.signup(key), { status: "confirmation_sent" });
    const confirmed = await client.confirm(key, await emailed(address, "signup"));
    assert.deepEqual(confirmed, { status: "active", address, key_id: key.keyId });

    const account = await client.account(key);
    assert.equal(account.address, address);
    assert.equal(account.status, "active");
    assert.equal(account.key_id, key.keyId);

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
    const newKey = await client.keyFor(address, "second password 2");
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
    const key = await client.keyFor(address, "first password 1");
    await client.signup(key);
    await client.confirm(key, await emailed(address, "signup"));

    const newKey = await client.keyFor(address, "second password 2");
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
      await client.salt("first.call@example.com");
      const error = await client.salt("second.call@example.com").then(
        () => assert.fail("the second call within the window should be refused"),
        (e) => e,
      );
      assert.ok(error instanceof notary.NotaryError, String(error));
      assert.equal(error.code, "rate_limited");
      assert.equal(error.status, 429);
      assert.equal(error.retryAfter, 10);
      // The same refusal seen directly: the header the client read.
      const raw = await limited.fetch("/salt", { json: { address: "third.call@example.com" } });
      assert.equal(raw.status, 429);
      assert.equal(raw.headers.get("retry-after"), "10");
      client.free();
    } finally {
      await limited.close();
    }
  });

  test("a kept salt answer still derives the key while /salt is refused", async () => {
    const { startWorker } = await import("../support/worker.mjs");
    const limited = await startWorker({ rateLimits: { CLIENT_BURST: 1 } });
    try {
      const left = 10_000 - (Date.now() % 10_000);
      if (left < 5000) await new Promise((resolve) => setTimeout(resolve, left + 50));
      const client = new notary.NotaryClient(limited.url);
      const key = await client.keyFor("kept.answer@example.com", PASSWORD);
      await assert.rejects(client.salt("someone.else@example.com"), { code: "rate_limited" });
      const again = await client.keyFor("kept.answer@example.com", PASSWORD);
      assert.equal(again.keyId, key.keyId);
      for (const object of [key, again, client]) object.free();
    } finally {
      await limited.close();
    }
  });
});

// An adversarial suite against the built worker: the shared token vectors replayed at the endpoints,
// token confusion across kinds, weak keys, malformed and oversized input, enumeration, races, header
// spoofing, and attacks on sessions (stolen, replayed, revoked, expired, misused session tokens).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  adminVerify,
  createSession,
  freshAddress,
  getAccount,
  keyFetch,
  nextMessage,
  postConfirm,
  postDisable,
  postSignup,
  sessionFetch,
  signUpAndConfirm,
} from "../support/flows.mjs";
import { randomBlinded } from "../support/oprf.mjs";
import {
  b64url,
  bodyHash,
  claimsFor,
  headerFor,
  newKey,
  publicOnlyKey,
  requestToken,
  sessionRequestToken,
  signCompact,
  signToken,
} from "../support/tokens.mjs";
import { ROOT, read, startWorker } from "../support/worker.mjs";

/**
 * POSTs `chunks` as a chunked JSON body over a plain HTTP connection and resolves to the answer's
 * `{ status, body }`. A server that answers before the whole body is sent (as the worker does at its
 * body limit) may close the connection under the rest of the upload: the answer counts, the failed
 * writes after it do not (`fetch` would reject the whole exchange then, depending on timing).
 */
function postChunked(url, chunks) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "127.0.0.1" },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (part) => (text += part));
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      res.on("error", reject);
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const next = () => {
      const chunk = chunks.shift();
      if (!chunk) return req.end();
      if (!req.destroyed) req.write(chunk, next);
    };
    next();
  });
}

const THIRD_PARTY = "https://shop.example";
const vectors = JSON.parse(readFileSync(join(ROOT, "tests/vectors/tokens.json"), "utf8"));
const keyVectors = JSON.parse(readFileSync(join(ROOT, "tests/vectors/keys.json"), "utf8"));

/** How each kind of token reaches the worker (a session request as GET /account, which also takes a request token). */
function sender(w) {
  const admin = { authorization: `Bearer ${w.adminSecret}` };
  return {
    signup: (token) => w.fetch("/signup", { json: { token } }),
    confirm: (token) => w.fetch("/confirm", { json: { token } }),
    change: (token) => w.fetch("/signature", { method: "PATCH", json: { token } }),
    disable: (token) => w.fetch("/signature", { method: "DELETE", json: { token } }),
    request: (token) => w.fetch("/account", { headers: { authorization: `Notary ${token}` } }),
    assertion: (token) => w.fetch("/admin/verify", { json: { token, audience: THIRD_PARTY }, headers: admin }),
    session: (token) => w.fetch("/sessions", { json: { token } }),
    "session-request": (token) => w.fetch("/account", { headers: { authorization: `Notary ${token}` } }),
  };
}

/** Kinds that one endpoint takes both of (GET /account: the account key's request or a session's). */
const SAME_ENDPOINT = new Set(["request>session-request", "session-request>request"]);

const statusFor = (kind, code) => (kind === "assertion" ? 422 : ["invalid_key", "weak_key"].includes(code) ? 422 : 401);

describe("the shared token vectors at the endpoints", () => {
  let w;
  before(async () => {
    // The vectors' audience is http://127.0.0.1:8787; their keys are registered here as real accounts.
    w = await startWorker();
    const keys = {};
    for (const derivation of keyVectors.derivations.filter((d) => ["alice", "bob"].includes(d.name))) {
      keys[derivation.name] = newKey(Buffer.from(derivation.seed_hex, "hex"));
      await signUpAndConfirm(w, derivation.address, keys[derivation.name]);
    }
    // bob's key is also the session key the vectors' "session" certifies for alice and that signs
    // "session-request": a live session of alice's, so those tokens reach the signature and claims.
    const alice = keyVectors.derivations.find((d) => d.name === "alice");
    await createSession(w, alice.address, keys.alice, { sessionKey: keys.bob });
  });
  after(() => w?.close());

  test("every case whose outcome does not depend on the clock gets the vector's error code", async () => {
    const send = sender(w);
    // The vectors were signed at a fixed time, so anything that reaches the iat/exp/aud checks is now
    // expired; the parse stage and the signature and claim-shape checks come before those.
    const clockFree = new Set(["invalid_signature", "invalid_token", "lifetime_too_long", "invalid_key", "weak_key"]);
    const cases = vectors.cases.filter(
      (c) => c.error && (c.stage === "parse" || (c.stage === "verify" && clockFree.has(c.error))),
    );
    assert.ok(cases.length > 50, `only ${cases.length} cases`);
    for (const kind of ["session"]) assert.ok(cases.some((c) => c.expected_kind === kind), `cases at ${kind}`);
    assert.ok(cases.some((c) => c.name.startsWith("session-request-as-")), "session requests where they are refused");
    for (const name of ["session-label-control", "session-label-bidi-override"]) {
      assert.ok(cases.some((c) => c.name === name), `the case ${name} is replayed`);
    }
    for (const c of cases) {
      const res = await read(await send[c.expected_kind](c.token));
      assert.equal(res.body?.error, c.error, `${c.name}: ${res.text}`);
      assert.equal(res.status, statusFor(c.expected_kind, c.error), c.name);
    }
  });

  test("the vectors' valid tokens are refused as expired, not accepted", async () => {
    const send = sender(w);
    const kinds = new Set(vectors.tokens.map((t) => t.kind));
    for (const kind of ["session", "session-request"]) assert.ok(kinds.has(kind), `the vectors have a ${kind} token`);
    for (const token of vectors.tokens) {
      const res = await read(await send[token.kind](token.token));
      assert.ok(res.status >= 400, token.name);
      assert.ok(["expired", "confirmation_invalid"].includes(res.body.error), `${token.name}: ${res.body.error}`);
    }
  });
});

describe("adversarial", () => {
  let w;
  let user;
  before(async () => {
    w = await startWorker();
    user = await signUpAndConfirm(w, freshAddress("victim"));
  });
  after(() => w?.close());

  test("token confusion: no kind is accepted where another is expected", async () => {
    const send = sender(w);
    const kinds = Object.keys(send);
    const claims = (kind) => {
      const aud = kind === "assertion" ? THIRD_PARTY : w.publicUri;
      if (kind === "confirm") return claimsFor(user.address, aud, { confirmation: b64url(Buffer.alloc(32, 1)) });
      if (kind === "request" || kind === "session-request") {
        return claimsFor(user.address, aud, { htm: "GET", htu: `${w.publicUri}/account`, bsh: b64url(Buffer.alloc(32)) });
      }
      if (kind === "session") return claimsFor(user.address, aud, { cnf: { jwk: newKey().jwk }, label: "confused" });
      return claimsFor(user.address, aud);
    };
    assert.ok(kinds.includes("session") && kinds.includes("session-request"));
    for (const made of kinds) {
      for (const expected of kinds) {
        if (made === expected || SAME_ENDPOINT.has(`${made}>${expected}`)) continue;
        const token = signToken(made, claims(made), user.key);
        const res = await read(await send[expected](token));
        assert.equal(res.body.error, "wrong_token_type", `${made} at ${expected}: ${res.text}`);
        assert.equal(res.status, expected === "assertion" ? 422 : 401);
      }
    }
    // The account is untouched, and no session was made.
    assert.equal((await getAccount(w, user.address, user.key)).status, 200);
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM sessions"))[0].n, 0);
  });

  test("weak keys are refused: identity-point universal forgery, small order, non-canonical", async () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1;
    const forgedSignature = Buffer.concat([identity, Buffer.alloc(32)]); // R = identity, S = 0
    const header = (x) => b64url(JSON.stringify({ alg: "EdDSA", typ: "notary-signup+jwt", jwk: { kty: "OKP", crv: "Ed25519", x } }));
    const body = b64url(JSON.stringify(claimsFor(freshAddress("forger"), w.publicUri)));
    const forged = `${header(b64url(identity))}.${body}.${b64url(forgedSignature)}`;
    const res = await read(await w.fetch("/signup", { json: { token: forged } }));
    assert.equal(res.status, 422);
    assert.equal(res.body.error, "weak_key");
    for (const [name, x, code] of [
      ["all zeros (order 4)", Buffer.alloc(32), "weak_key"],
      ["y = p", Buffer.from("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex"), "weak_key"],
      ["y = 2, off the curve", Buffer.concat([Buffer.from([2]), Buffer.alloc(31)]), "invalid_key"],
    ]) {
      const key = publicOnlyKey(x);
      const token = `${header(key.x)}.${body}.${b64url(Buffer.alloc(64))}`;
      const r = await read(await w.fetch("/signup", { json: { token } }));
      assert.equal(r.body.error, code, name);
    }
    assert.equal((await w.sql("SELECT * FROM confirmations WHERE key_id = ?", publicOnlyKey(identity).kid)).length, 0);
  });

  test("a non-canonical signature (S + L) is refused", async () => {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const token = signToken("disable", claimsFor(user.address, w.publicUri), user.key);
    const [h, c, s] = token.split(".");
    const sig = Buffer.from(s, "base64url");
    const sLe = sig.subarray(32);
    let S = 0n;
    for (let i = 31; i >= 0; i -= 1) S = (S << 8n) | BigInt(sLe[i]);
    let T = S + L;
    const out = Buffer.alloc(32);
    for (let i = 0; i < 32; i += 1) {
      out[i] = Number(T & 0xffn);
      T >>= 8n;
    }
    const malleated = `${h}.${c}.${b64url(Buffer.concat([sig.subarray(0, 32), out]))}`;
    const res = await read(await w.fetch("/signature", { method: "DELETE", json: { token: malleated } }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "invalid_signature");
    assert.equal((await getAccount(w, user.address, user.key)).status, 200);
  });

  test("oversized bodies are refused before they are parsed", async () => {
    const big = JSON.stringify({ token: "x".repeat(17 * 1024) });
    const declared = await read(await w.fetch("/signup", { json: big }));
    assert.equal(declared.status, 413);
    assert.equal(declared.body.error, "body_too_large");
    // Streamed without Content-Length (chunked): cut off at the limit.
    const chunks = [Buffer.from('{"token":"'), ...Array.from({ length: 20 }, () => Buffer.alloc(1024, 120))];
    const streamed = await postChunked(`${w.url}/signup`, chunks);
    assert.equal(streamed.status, 413);
    assert.equal(streamed.body.error, "body_too_large");
    // At the limit the body is read (and then refused for what it is).
    const atLimit = `{"token":"${"x".repeat(16 * 1024 - 12)}"}`;
    assert.equal(Buffer.byteLength(atLimit), 16 * 1024);
    const res = await read(await w.fetch("/signup", { json: atLimit }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "invalid_token");
  });

  test("bodies must be exactly the documented JSON object", async () => {
    const token = signToken("signup", claimsFor(freshAddress("shape"), w.publicUri), newKey());
    for (const [name, json] of [
      ["unknown field", JSON.stringify({ token, admin: true })],
      ["duplicate field", `{"token":${JSON.stringify(token)},"token":${JSON.stringify(token)}}`],
      ["array", JSON.stringify([token])],
      ["string", JSON.stringify(token)],
      ["null", "null"],
      ["number token", JSON.stringify({ token: 5 })],
      ["trailing garbage", `${JSON.stringify({ token })}x`],
      ["empty", ""],
    ]) {
      const res = await read(await w.fetch("/signup", { json }));
      assert.equal(res.status, 400, name);
      assert.equal(res.body.error, "invalid_request", name);
    }
    const noType = await read(await w.fetch("/signup", { method: "POST", body: JSON.stringify({ token }) }));
    assert.equal(noType.status, 415);
    // None of those consumed the token.
    assert.equal((await w.fetch("/signup", { json: { token } })).status, 202);
  });

  test("enumeration: salt and signup answers are byte-identical whatever the address's state", async () => {
    const address = freshAddress("enum");
    const snapshot = async (res) => {
      const r = await read(res);
      return { status: r.status, text: r.text, headers: [...r.headers.entries()].filter(([n]) => n !== "date") };
    };
    // One blinded element for both: the evaluation depends on it, not on the account.
    const blinded = randomBlinded();
    const saltBefore = await snapshot(await w.fetch("/salt", { json: { address, blinded } }));
    const key = newKey();
    const newSignup = await snapshot(await postSignup(w, address, key));
    const message = await nextMessage(w, address, "signup");
    const pendingSignup = await snapshot(await postSignup(w, address, key));
    assert.equal((await postConfirm(w, address, key, message.token)).status, 200);
    const activeSignup = await snapshot(await postSignup(w, address, newKey()));
    const saltAfter = await snapshot(await w.fetch("/salt", { json: { address, blinded } }));
    assert.deepEqual(saltAfter, saltBefore);
    assert.deepEqual(pendingSignup, newSignup);
    assert.deepEqual(activeSignup, newSignup);
    const changeActive = await snapshot(
      await w.fetch("/signature", { method: "PATCH", json: { token: signToken("change", claimsFor(address, w.publicUri), newKey()) } }),
    );
    const changeNobody = await snapshot(
      await w.fetch("/signature", {
        method: "PATCH",
        json: { token: signToken("change", claimsFor(freshAddress("nobody"), w.publicUri), newKey()) },
      }),
    );
    assert.deepEqual(changeNobody, changeActive);
    assert.deepEqual(changeActive, newSignup);
  });

  test("race: fifty parallel confirms of one confirmation give exactly one success", async () => {
    const address = freshAddress("race");
    const key = newKey();
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => read(await postConfirm(w, address, key, message.token, { ip: `10.9.0.${i}` }))),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(results.map((r) => r.body)));
    assert.deepEqual(
      [...new Set(results.filter((r) => r.status !== 200).map((r) => r.body.error))],
      ["confirmation_invalid"],
    );
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ?", address)).length, 1);
  });

  test("race: fifty parallel copies of one signed request give exactly one success", async () => {
    const token = requestToken(user.key, user.address, w.publicUri, { url: `${w.publicUri}/account` });
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => read(await w.fetch("/account", { headers: { authorization: `Notary ${token}` } }))),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error === "replayed"));
  });

  test("race: parallel key changes confirmed at once leave one consistent key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("racechange"));
    const keys = Array.from({ length: 5 }, () => newKey());
    const seen = new Set();
    const messages = [];
    for (const k of keys) {
      await w.fetch("/signature", { method: "PATCH", json: { token: signToken("change", claimsFor(address, w.publicUri), k) } });
      const m = await nextMessage(w, address, "change", seen);
      seen.add(m.idempotencyKey);
      messages.push(m);
    }
    const results = await Promise.all(
      messages.map(async (m, i) => read(await postConfirm(w, address, keys[i], m.token))),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.body)));
    const active = await w.sql("SELECT key_id FROM accounts WHERE address = ? AND status = 'active'", address);
    assert.equal(active.length, 1);
    const winner = results.find((r) => r.status === 200).body.key_id;
    assert.equal(active[0].key_id, winner);
    assert.equal((await read(await getAccount(w, address, key))).body.error, "unknown_key");
  });

  test("header spoofing: other origins are refused, whatever else the request claims", async () => {
    const token = () => signToken("signup", claimsFor(freshAddress("origin"), w.publicUri), newKey());
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: w.publicUri.replace("http:", "https:") },
      { origin: `${w.publicUri}.evil.example` },
      { referer: "https://evil.example/page" },
      { referer: `https://evil.example/?u=${w.publicUri}` },
      { origin: "https://evil.example", referer: `${w.publicUri}/` },
    ]) {
      const res = await read(await w.fetch("/signup", { json: { token: token() }, headers }));
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.body.error, "forbidden_origin");
    }
    for (const headers of [{ origin: w.publicUri }, { referer: `${w.publicUri}/index.html` }, {}]) {
      assert.equal((await w.fetch("/signup", { json: { token: token() }, headers })).status, 202, JSON.stringify(headers));
    }
  });

  test("header spoofing: a request token is bound to PUBLIC_URI, not to the Host header", async () => {
    const forged = requestToken(user.key, user.address, w.publicUri, { url: "http://evil.example/account" });
    const res = await read(
      await w.mf.dispatchFetch("http://evil.example/account", {
        headers: { authorization: `Notary ${forged}`, "cf-connecting-ip": "127.0.0.1" },
      }),
    );
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "request_mismatch");
  });

  test("the admin secret is not a prefix match and admin answers leak nothing without it", async () => {
    const assertion = signToken("assertion", claimsFor(user.address, THIRD_PARTY), user.key);
    for (const secret of ["", w.adminSecret.slice(0, -1), `${w.adminSecret}x`, `x${w.adminSecret}`, w.adminSecret.toUpperCase()]) {
      const res = await read(
        await w.fetch("/admin/verify", { json: { token: assertion, audience: THIRD_PARTY }, headers: { authorization: `Bearer ${secret}` } }),
      );
      assert.equal(res.status, 401, JSON.stringify(secret));
      assert.deepEqual(Object.keys(res.body).sort(), ["error", "message"]);
    }
    // The assertion was not consumed by the refused calls.
    assert.equal((await adminVerify(w, assertion, THIRD_PARTY)).status, 200);
  });

  test("errors never echo tokens, secrets or internal detail", async () => {
    const token = signToken("disable", claimsFor(user.address, w.publicUri), newKey(), { header: { kid: "x".repeat(43) } });
    const res = await read(await w.fetch("/signature", { method: "DELETE", json: { token } }));
    assert.equal(res.status, 401);
    assert.ok(!res.text.includes(token.split(".")[0]));
    for (const secret of [w.bindings.SALT_SECRET, w.bindings.CONFIRMATION_SECRET, w.adminSecret]) assert.ok(!res.text.includes(secret));
    const header = headerFor("disable", user.key, { kid: user.key.kid });
    const weird = signCompact(header, "{\"sub\":1}", user.key);
    const r2 = await read(await w.fetch("/signature", { method: "DELETE", json: { token: weird } }));
    assert.equal(r2.body.error, "invalid_token");
    assert.doesNotMatch(r2.text, /serde|panick|at line|D1|SQLITE/i);
  });
});

describe("adversarial: sessions", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { SESSION_IDLE_SECS: "60", SESSION_MAX_SECS: "120" } });
  });
  after(() => w?.close());

  const liveSessions = async (address) =>
    (await w.sql("SELECT s.id FROM sessions AS s JOIN accounts AS a ON a.id = s.account_id WHERE a.address = ? ORDER BY s.id", address)).map((r) => r.id);
  const refused = (res, code, message) => {
    assert.equal(res.body?.error, code, `${message ?? ""} ${res.text}`);
    assert.equal(res.status, 401, message);
  };

  test("a stolen session request replayed: at its own URL it is replayed, at another it ends nothing", async () => {
    const victim = await signUpAndConfirm(w, freshAddress("stolen"));
    const device = await createSession(w, victim.address, victim.key);
    const other = await createSession(w, victim.address, victim.key);
    const stolen = sessionRequestToken(device.key, victim.address, w.publicUri, { method: "GET", url: `${w.publicUri}/sessions` });
    const send = (method, path) => w.fetch(path, { method, headers: { authorization: `Notary ${stolen}` } });
    assert.equal((await send("GET", "/sessions")).status, 200, "the victim's own use");
    refused(await read(await send("GET", "/sessions")), "replayed", "the same request again");
    for (const [method, path] of [["DELETE", "/sessions"], ["DELETE", `/sessions/${other.info.id}`], ["GET", "/account"], ["DELETE", "/sessions?except=current"]]) {
      const res = await read(await send(method, path));
      // The binding is checked before the replay (docs/protocol.md section 7.7, steps 15 and 16).
      refused(res, "request_mismatch", `${method} ${path}`);
    }
    // Stolen before its first use, it still only does what it binds: another URL is request_mismatch.
    const fresh = sessionRequestToken(device.key, victim.address, w.publicUri, { method: "GET", url: `${w.publicUri}/sessions` });
    const elsewhere = await read(await w.fetch("/sessions", { method: "DELETE", headers: { authorization: `Notary ${fresh}` } }));
    refused(elsewhere, "request_mismatch");
    const evil = sessionRequestToken(device.key, victim.address, w.publicUri, { method: "GET", url: "http://evil.example/sessions" });
    const forgedHost = await read(
      await w.mf.dispatchFetch("http://evil.example/sessions", { headers: { authorization: `Notary ${evil}`, "cf-connecting-ip": "127.0.0.1" } }),
    );
    refused(forgedHost, "request_mismatch", "bound to PUBLIC_URI, not the Host header");
    assert.deepEqual(await liveSessions(victim.address), [device.info.id, other.info.id].sort(), "nothing ended");
    assert.equal((await w.fetch("/sessions", { headers: { authorization: `Notary ${fresh}` } })).status, 200, "the refusals did not consume it");
  });

  test("a session request sent with an account-key typ is unknown_key, and cannot disable or change the account", async () => {
    const victim = await signUpAndConfirm(w, freshAddress("typ"));
    const device = await createSession(w, victim.address, victim.key);
    refused(await read(await getAccount(w, victim.address, device.key)), "unknown_key", "notary-request+jwt");
    refused(await read(await keyFetch(w, victim.address, device.key, "DELETE", "/sessions")), "unknown_key");
    refused(await read(await postDisable(w, victim.address, device.key)), "unknown_key", "notary-disable+jwt");
    // The session request's own typ under an account-key kind's kid header: a forged signature is still refused.
    const forged = signToken(
      "session-request",
      claimsFor(victim.address, w.publicUri, { htm: "GET", htu: `${w.publicUri}/account`, bsh: bodyHash() }),
      newKey(),
      { header: { kid: device.key.kid } },
    );
    refused(await read(await w.fetch("/account", { headers: { authorization: `Notary ${forged}` } })), "invalid_signature", "another key under the session's kid");
    const [row] = await w.sql("SELECT status, key_id FROM accounts WHERE address = ?", victim.address);
    assert.deepEqual(row, { status: "active", key_id: victim.key.kid });
    assert.equal((await sessionFetch(w, victim.address, device.key, "GET", "/account")).status, 200);
  });

  test("a revoked session and an expired one are unknown_key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("dead"));
    const revoked = await createSession(w, address, key);
    const expired = await createSession(w, address, key);
    const live = await createSession(w, address, key);
    assert.equal((await keyFetch(w, address, key, "DELETE", `/sessions/${revoked.info.id}`)).status, 200);
    await w.sql(
      "UPDATE sessions SET created_at = created_at - 121, last_used_at = last_used_at - 121, idle_expires_at = idle_expires_at - 121, expires_at = expires_at - 121 WHERE id = ?",
      expired.info.id,
    );
    for (const [label, s] of [["revoked", revoked], ["expired", expired]]) {
      refused(await read(await sessionFetch(w, address, s.key, "GET", "/account")), "unknown_key", label);
      refused(await read(await sessionFetch(w, address, s.key, "GET", "/sessions")), "unknown_key", label);
      refused(await read(await sessionFetch(w, address, s.key, "DELETE", `/sessions/${live.info.id}`)), "unknown_key", label);
    }
    assert.equal((await sessionFetch(w, address, live.key, "GET", "/account")).status, 200, "the live one was not ended by them");
  });

  test("a session request whose sub is another account is refused; that account's sessions are untouched", async () => {
    const attacker = await signUpAndConfirm(w, freshAddress("attacker"));
    const victim = await signUpAndConfirm(w, freshAddress("victim-sub"));
    const mine = await createSession(w, attacker.address, attacker.key);
    const theirs = await createSession(w, victim.address, victim.key);
    for (const [method, path] of [["GET", "/account"], ["GET", "/sessions"], ["DELETE", "/sessions"], ["DELETE", `/sessions/${theirs.info.id}`]]) {
      const res = await read(await sessionFetch(w, victim.address, mine.key, method, path));
      refused(res, "wrong_subject", `${method} ${path}`);
      assert.ok(!res.text.includes(theirs.info.id));
    }
    // Under its own sub, the attacker's session cannot end the victim's by id either.
    const byId = await read(await sessionFetch(w, attacker.address, mine.key, "DELETE", `/sessions/${theirs.info.id}`));
    assert.equal(byId.status, 404);
    assert.equal(byId.body.error, "unknown_session");
    assert.deepEqual(await liveSessions(victim.address), [theirs.info.id]);
    assert.equal((await sessionFetch(w, victim.address, theirs.key, "GET", "/account")).status, 200);
  });
});

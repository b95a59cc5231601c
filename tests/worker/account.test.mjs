// GET /account (signed requests), PATCH /signature (key change through the email), DELETE /signature
// (disable), and the admin endpoints.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  adminVerify,
  freshAddress,
  getAccount,
  nextMessage,
  postConfirm,
  postSignup,
  signUpAndConfirm,
} from "../support/flows.mjs";
import { claimsFor, newKey, now, requestToken, signToken } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

const THIRD_PARTY = "https://shop.example";

describe("GET /account", () => {
  let w;
  let user;
  before(async () => {
    w = await startWorker();
    user = await signUpAndConfirm(w, freshAddress("account"));
  });
  after(() => w?.close());

  const signedGet = (token, init = {}) => w.fetch("/account", { headers: { authorization: `Notary ${token}` }, ...init });

  test("a signed request answers the account", async () => {
    const res = await read(await getAccount(w, user.address, user.key));
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ["address", "confirmed_at", "created_at", "kdf_version", "key_id", "status"]);
    assert.equal(res.body.kdf_version, 2, "every account signed up since v2");
  });

  test("without credentials: 401 unauthorized", async () => {
    for (const authorization of [undefined, "Bearer x", "Notary", "Notary    "]) {
      const res = await read(await w.fetch("/account", { headers: { authorization } }));
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.body.error, "unauthorized");
    }
  });

  test("the request token must bind this method, URL and empty body", async () => {
    const url = `${w.publicUri}/account`;
    for (const [name, options] of [
      ["method", { method: "POST", url }],
      ["url", { method: "GET", url: `${w.publicUri}/account?x=1` }],
      ["origin", { method: "GET", url: "https://notary.example/account" }],
      ["body", { method: "GET", url, body: "{}" }],
    ]) {
      const token = requestToken(user.key, user.address, w.publicUri, options);
      const res = await read(await signedGet(token));
      assert.equal(res.status, 401, name);
      assert.equal(res.body.error, "request_mismatch", name);
    }
    const withQuery = requestToken(user.key, user.address, w.publicUri, { method: "GET", url: `${url}?x=1` });
    assert.equal((await w.fetch("/account?x=1", { headers: { authorization: `Notary ${withQuery}` } })).status, 200);
  });

  test("a signed request is single use", async () => {
    const token = requestToken(user.key, user.address, w.publicUri, { url: `${w.publicUri}/account` });
    assert.equal((await signedGet(token)).status, 200);
    const replay = await read(await signedGet(token));
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, "replayed");
  });

  test("an unknown key, another subject, or another audience is refused", async () => {
    const stranger = newKey();
    const unknown = await read(await getAccount(w, user.address, stranger));
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, "unknown_key");
    const other = requestToken(user.key, freshAddress("someone"), w.publicUri, { url: `${w.publicUri}/account` });
    assert.equal((await read(await signedGet(other))).body.error, "wrong_subject");
    const aud = requestToken(user.key, user.address, THIRD_PARTY, { url: `${w.publicUri}/account` });
    assert.equal((await read(await signedGet(aud))).body.error, "wrong_audience");
  });
});

describe("PATCH /signature: key change", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  const postChange = (address, key) =>
    w.fetch("/signature", { method: "PATCH", json: { token: signToken("change", claimsFor(address, w.publicUri), key) } });

  test("confirmed with the new key, the old key stops working at once", async () => {
    const { address, key: oldKey } = await signUpAndConfirm(w, freshAddress("change"));
    const newKeyPair = newKey();
    const res = await read(await postChange(address, newKeyPair));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: "confirmation_sent" });
    const message = await nextMessage(w, address, "change");
    assert.match(message.link, /#token=[A-Za-z0-9_-]{43}&address=.*&purpose=change$/);
    // Until confirmed, the old key is still the account's key.
    assert.equal((await getAccount(w, address, oldKey)).status, 200);
    assert.equal((await read(await getAccount(w, address, newKeyPair))).body.error, "unknown_key");
    // Confirming with the old key does not work: the change is bound to the new one.
    assert.equal((await read(await postConfirm(w, address, oldKey, message.token))).body.error, "confirmation_invalid");
    const confirmed = await read(await postConfirm(w, address, newKeyPair, message.token));
    assert.equal(confirmed.status, 200);
    assert.deepEqual(confirmed.body, { status: "active", address, key_id: newKeyPair.kid });
    assert.equal((await read(await getAccount(w, address, oldKey))).body.error, "unknown_key");
    const me = await read(await getAccount(w, address, newKeyPair));
    assert.equal(me.status, 200);
    assert.equal(me.body.key_id, newKeyPair.kid);
    const assertion = signToken("assertion", claimsFor(address, THIRD_PARTY), oldKey);
    assert.equal((await read(await adminVerify(w, assertion, THIRD_PARTY))).status, 404);
  });

  test("an address without an account gets the same answer and no email", async () => {
    const address = freshAddress("nochange");
    const res = await read(await postChange(address, newKey()));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: "confirmation_sent" });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 0);
    assert.equal((await w.sql("SELECT * FROM confirmations WHERE address = ?", address)).length, 0);
  });

  test("a change confirmation cannot be used after the account moved on", async () => {
    const { address } = await signUpAndConfirm(w, freshAddress("stale"));
    const [a, b] = [newKey(), newKey()];
    const seen = new Set();
    await postChange(address, a);
    const first = await nextMessage(w, address, "change", seen);
    seen.add(first.idempotencyKey);
    await postChange(address, b);
    const second = await nextMessage(w, address, "change", seen);
    assert.equal((await postConfirm(w, address, b, second.token)).status, 200);
    const stale = await read(await postConfirm(w, address, a, first.token));
    assert.equal(stale.status, 401);
    assert.equal(stale.body.error, "confirmation_invalid");
    assert.equal((await getAccount(w, address, b)).status, 200);
  });

  test("the change token must embed the key that signed it", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("embedded"));
    const forged = signToken("change", claimsFor(address, w.publicUri), key, { header: { jwk: newKey().jwk } });
    const res = await read(await w.fetch("/signature", { method: "PATCH", json: { token: forged } }));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "invalid_signature");
    const withKid = signToken("change", claimsFor(address, w.publicUri), key, { header: { jwk: undefined, kid: key.kid } });
    assert.equal((await read(await w.fetch("/signature", { method: "PATCH", json: { token: withKid } }))).body.error, "invalid_token");
  });
});

describe("DELETE /signature: disable", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  const postDisable = (address, key, claims = {}) =>
    w.fetch("/signature", { method: "DELETE", json: { token: signToken("disable", claimsFor(address, w.publicUri, claims), key) } });

  test("afterwards every token of the account fails everywhere", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("disable"));
    const res = await read(await postDisable(address, key));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: "disabled" });
    assert.equal((await read(await getAccount(w, address, key))).body.error, "unknown_key");
    assert.equal((await read(await postDisable(address, key))).body.error, "unknown_key");
    const assertion = signToken("assertion", claimsFor(address, THIRD_PARTY), key);
    const verify = await read(await adminVerify(w, assertion, THIRD_PARTY));
    assert.equal(verify.status, 404);
    assert.equal(verify.body.error, "unknown_key");
    const change = signToken("change", claimsFor(address, w.publicUri), newKey());
    assert.equal((await w.fetch("/signature", { method: "PATCH", json: { token: change } })).status, 202);
    const [row] = await w.sql("SELECT status, disabled_at FROM accounts WHERE address = ?", address);
    assert.equal(row.status, "disabled");
    assert.ok(row.disabled_at > 0);
  });

  test("a pending key change dies with the account", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("pendingchange"));
    const next = newKey();
    await w.fetch("/signature", { method: "PATCH", json: { token: signToken("change", claimsFor(address, w.publicUri), next) } });
    const message = await nextMessage(w, address, "change");
    assert.equal((await postDisable(address, key)).status, 200);
    const late = await read(await postConfirm(w, address, next, message.token));
    assert.equal(late.status, 401);
    assert.equal(late.body.error, "confirmation_invalid");
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ? AND status = 'active'", address)).length, 0);
  });

  test("the address can sign up again after being disabled", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("again"));
    assert.equal((await postDisable(address, key)).status, 200);
    const again = await signUpAndConfirm(w, address, key);
    assert.equal(again.account.status, "active");
    assert.equal((await getAccount(w, address, key)).status, 200);
    const rows = await w.sql("SELECT status FROM accounts WHERE address = ? ORDER BY id", address);
    assert.deepEqual(rows.map((r) => r.status), ["disabled", "active"]);
  });

  test("the disable token must be the current key's, for its own address, and fresh", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("wrongdisable"));
    assert.equal((await read(await postDisable(freshAddress("x"), key))).body.error, "wrong_subject");
    assert.equal((await read(await postDisable(address, newKey()))).body.error, "unknown_key");
    const expired = await read(await postDisable(address, key, { iat: now() - 500, exp: now() - 300 }));
    assert.equal(expired.body.error, "expired");
    assert.equal((await getAccount(w, address, key)).status, 200);
  });
});

describe("admin", () => {
  let w;
  let user;
  before(async () => {
    w = await startWorker();
    user = await signUpAndConfirm(w, freshAddress("admin"));
  });
  after(() => w?.close());

  test("the admin endpoints need the admin secret", async () => {
    for (const authorization of [undefined, "Bearer", "Bearer wrong", `Basic ${w.adminSecret}`, `Bearer ${w.adminSecret}x`]) {
      for (const path of ["/admin/verify", "/admin/disable"]) {
        const res = await read(await w.fetch(path, { json: { address: user.address }, headers: { authorization } }));
        assert.equal(res.status, 401, `${path} ${authorization}`);
        assert.equal(res.body.error, "unauthorized");
      }
    }
    assert.equal((await getAccount(w, user.address, user.key)).status, 200);
    const audit = await w.sql("SELECT action, outcome FROM audit WHERE outcome = 'unauthorized'");
    assert.ok(audit.length >= 10);
  });

  test("verify answers the claims and the account for a valid assertion", async () => {
    const claims = claimsFor(user.address, THIRD_PARTY);
    const token = signToken("assertion", claims, user.key);
    const res = await read(await adminVerify(w, token, THIRD_PARTY));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      valid: true,
      claims,
      account: { address: user.address, status: "active", key_id: user.key.kid },
    });
    const [row] = await w.sql("SELECT * FROM audit WHERE action = 'admin_verify' AND outcome = 'valid'");
    assert.equal(row.key_id, user.key.kid);
  });

  test("verify: 422 for invalid tokens, 404 for unknown keys", async () => {
    const cases = [
      ["wrong audience", signToken("assertion", claimsFor(user.address, "https://other.example"), user.key), 422, "wrong_audience"],
      ["expired", signToken("assertion", claimsFor(user.address, THIRD_PARTY, { iat: now() - 500, exp: now() - 300 }), user.key), 422, "expired"],
      ["request kind", requestToken(user.key, user.address, THIRD_PARTY, { url: `${THIRD_PARTY}/x` }), 422, "wrong_token_type"],
      ["wrong subject", signToken("assertion", claimsFor(freshAddress("nobody"), THIRD_PARTY), user.key), 422, "wrong_subject"],
      ["garbage", "e30.e30.e30", 422, "invalid_token"],
      ["unknown key", signToken("assertion", claimsFor(user.address, THIRD_PARTY), newKey()), 404, "unknown_key"],
    ];
    for (const [name, token, status, code] of cases) {
      const res = await read(await adminVerify(w, token, THIRD_PARTY));
      assert.equal(res.status, status, name);
      assert.equal(res.body.error, code, name);
    }
  });

  test("verify: an assertion is accepted once", async () => {
    const token = signToken("assertion", claimsFor(user.address, THIRD_PARTY), user.key);
    assert.equal((await adminVerify(w, token, THIRD_PARTY)).status, 200);
    const replay = await read(await adminVerify(w, token, THIRD_PARTY));
    assert.equal(replay.status, 422);
    assert.equal(replay.body.error, "replayed");
  });

  test("verify: the body must be exactly {token, audience}", async () => {
    const headers = { authorization: `Bearer ${w.adminSecret}` };
    for (const json of [{ token: "x" }, { token: "x", audience: "y", extra: 1 }, { token: 1, audience: "y" }]) {
      const res = await read(await w.fetch("/admin/verify", { json, headers }));
      assert.equal(res.status, 400);
      assert.equal(res.body.error, "invalid_request");
    }
  });

  test("disable any account; unknown addresses are 404", async () => {
    const target = await signUpAndConfirm(w, freshAddress("admindisable"));
    const headers = { authorization: `Bearer ${w.adminSecret}` };
    const res = await read(await w.fetch("/admin/disable", { json: { address: target.address.toUpperCase() }, headers }));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: "disabled" });
    assert.equal((await read(await getAccount(w, target.address, target.key))).body.error, "unknown_key");
    const again = await read(await w.fetch("/admin/disable", { json: { address: target.address }, headers }));
    assert.equal(again.status, 404);
    assert.equal(again.body.error, "unknown_account");
    const invalid = await read(await w.fetch("/admin/disable", { json: { address: "nope" }, headers }));
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, "invalid_address");
    const outcomes = (await w.sql("SELECT outcome FROM audit WHERE action = 'admin_disable' ORDER BY id")).map((r) => r.outcome);
    assert.ok(outcomes.includes("ok") && outcomes.includes("unknown_account"));
  });
});

describe("signup after confirm, timing of the pending state", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("a pending signup does not sign in", async () => {
    const address = freshAddress("pendingsignin");
    const key = newKey();
    await postSignup(w, address, key);
    await nextMessage(w, address, "signup");
    const res = await read(await getAccount(w, address, key));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "unknown_key");
  });
});

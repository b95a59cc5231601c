// POST /salt, POST /signup and POST /confirm: success and failure paths, what is stored, what is mailed.

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { freshAddress, getAccount, nextMessage, postConfirm, postSalt, postSignup, signUpAndConfirm } from "../support/flows.mjs";
import { expectedEvaluation, randomBlinded } from "../support/oprf.mjs";
import { claimsFor, newKey, now, signToken } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

describe("salt", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("answers the canonical address, HMAC salt, the KDF parameters and the OPRF evaluation (v2)", async () => {
    const blinded = randomBlinded();
    const res = await read(await w.fetch("/salt", { json: { address: "  Alice.Salt@Example.COM ", blinded } }));
    assert.equal(res.status, 200);
    const expected = createHmac("sha256", w.bindings.SALT_SECRET)
      .update("alice.salt@example.com")
      .digest()
      .subarray(0, 16)
      .toString("base64url");
    assert.deepEqual(res.body, {
      address: "alice.salt@example.com",
      salt: expected,
      kdf: { algorithm: "argon2id", version: 19, memory_kib: 65536, iterations: 3, parallelism: 1 },
      kdf_version: 2,
      accepted_kdf_versions: [2, 1],
      // @noble/curves' BlindEvaluate under DeriveKeyPair(OPRF_SEED, "Notary-v2-OPRF-key" || address).
      evaluated: expectedEvaluation(w.bindings.OPRF_SEED, "alice.salt@example.com", blinded),
    });
    assert.notEqual(res.body.evaluated, expectedEvaluation(w.bindings.OPRF_SEED, "bob.salt@example.com", blinded));
  });

  test("internationalised domains are canonicalised to their ASCII form", async () => {
    const res = await read(await postSalt(w, "user@BÜCHER.example"));
    assert.equal(res.status, 200);
    assert.equal(res.body.address, "user@xn--bcher-kva.example");
  });

  test("refuses invalid addresses and malformed bodies without a salt", async () => {
    const blinded = randomBlinded();
    for (const [json, status, code] of [
      [{ address: "not an address", blinded }, 400, "invalid_address"],
      [{ address: "a@b@example.com", blinded }, 400, "invalid_address"],
      [{ address: "", blinded }, 400, "invalid_address"],
      [{ address: "a@example.com", blinded, extra: 1 }, 400, "invalid_request"],
      [{ address: 5, blinded }, 400, "invalid_request"],
      [{ address: "a@example.com", blinded: 5 }, 400, "invalid_request"],
      [{ blinded }, 400, "invalid_request"],
      [{}, 400, "invalid_request"],
      ["[\"a@example.com\"]", 400, "invalid_request"],
      ["{\"address\":\"a@example.com\"", 400, "invalid_request"],
    ]) {
      const res = await read(await w.fetch("/salt", { json }));
      assert.equal(res.status, status, JSON.stringify(json));
      assert.equal(res.body.error, code, JSON.stringify(json));
      assert.equal(typeof res.body.message, "string");
      assert.equal(res.body.salt, undefined);
    }
  });

  test("needs Content-Type application/json", async () => {
    const res = await read(
      await w.fetch("/salt", { method: "POST", body: '{"address":"a@example.com"}', headers: { "content-type": "text/plain" } }),
    );
    assert.equal(res.status, 415);
    assert.equal(res.body.error, "unsupported_media_type");
  });
});

describe("signup and confirm", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { CONFIRMATION_TTL: "600" } });
  });
  after(() => w?.close());

  test("signup answers 202 and mails a signed confirmation with a link", async () => {
    const address = freshAddress("signup");
    const key = newKey();
    const before = now();
    const res = await read(await postSignup(w, address, key));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: "confirmation_sent" });
    // The mailbox only keeps messages whose Notary-Signature verifies under CONFIRMATION_SECRET.
    const message = await nextMessage(w, address, "signup");
    assert.match(message.token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(message.expires_at >= before + 600 && message.expires_at <= now() + 600);
    assert.equal(
      message.link,
      `${w.publicUri}/confirm.html#token=${message.token}&address=${encodeURIComponent(address)}&purpose=signup`,
    );
    assert.match(message.idempotencyKey, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(Object.keys(message).sort(), ["address", "expires_at", "idempotencyKey", "link", "purpose", "receivedAt", "token"]);
  });

  test("only a hash of the confirmation token is stored, bound to address, key and purpose", async () => {
    const address = freshAddress("stored");
    const key = newKey();
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    const rows = await w.sql("SELECT * FROM confirmations WHERE address = ?", address);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row.purpose, "signup");
    assert.equal(row.key_id, key.kid);
    assert.equal(row.public_key, key.x);
    assert.equal(row.used_at, null);
    const hash = (await import("node:crypto")).createHash("sha256").update(message.token).digest("base64url");
    assert.equal(row.token_hash, hash);
    for (const table of ["accounts", "confirmations", "replay", "audit", "undelivered"]) {
      const dump = JSON.stringify(await w.sql(`SELECT * FROM ${table}`));
      assert.ok(!dump.includes(message.token), `${table} holds the confirmation token`);
      if (table === "audit") assert.ok(!dump.includes(address), "the audit log holds an address in clear");
    }
  });

  test("confirm activates the account; the key signs in", async () => {
    const { address, key, account } = await signUpAndConfirm(w, freshAddress("confirm"));
    assert.deepEqual(account, { status: "active", address, key_id: key.kid });
    const me = await read(await getAccount(w, address, key));
    assert.equal(me.status, 200);
    assert.equal(me.body.address, address);
    assert.equal(me.body.status, "active");
    assert.equal(me.body.key_id, key.kid);
    assert.ok(Number.isInteger(me.body.created_at) && Number.isInteger(me.body.confirmed_at));
    assert.ok(me.body.confirmed_at >= me.body.created_at);
  });

  test("a confirmation is single use", async () => {
    const { address, key, message } = await signUpAndConfirm(w, freshAddress("once"));
    const again = await read(await postConfirm(w, address, key, message.token));
    assert.equal(again.status, 401);
    assert.equal(again.body.error, "confirmation_invalid");
  });

  test("confirm must be signed by the pending key and name its address", async () => {
    const address = freshAddress("pending");
    const key = newKey();
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    const stranger = newKey();
    const wrongKey = await read(await postConfirm(w, address, stranger, message.token));
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.body.error, "confirmation_invalid");
    const otherAddress = await read(await postConfirm(w, freshAddress("other"), key, message.token));
    assert.equal(otherAddress.body.error, "confirmation_invalid");
    // A token that names the pending key but is signed by another one.
    const forged = signToken("confirm", claimsFor(address, w.publicUri, { confirmation: message.token }), stranger, {
      header: { kid: key.kid },
    });
    const bad = await read(await w.fetch("/confirm", { json: { token: forged } }));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error, "invalid_signature");
    const guessed = await read(await postConfirm(w, address, key, "A".repeat(43)));
    assert.equal(guessed.body.error, "confirmation_invalid");
    // None of that used it up.
    const ok = await read(await postConfirm(w, address, key, message.token));
    assert.equal(ok.status, 200);
  });

  test("an expired confirmation is refused", async () => {
    const address = freshAddress("expired");
    const key = newKey();
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    await w.sql("UPDATE confirmations SET expires_at = ? WHERE address = ?", now() - 1, address);
    const res = await read(await postConfirm(w, address, key, message.token));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "confirmation_invalid");
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ?", address)).length, 0);
  });

  test("an active address gets no second account; its owner is told, with the same answer", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("taken"));
    const intruder = newKey();
    const res = await read(await postSignup(w, address, intruder));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: "confirmation_sent" });
    const notice = await nextMessage(w, address, "already_registered");
    assert.equal(notice.token, null);
    assert.equal(notice.expires_at, null);
    assert.equal(notice.link, `${w.publicUri}/`);
    const accounts = await w.sql("SELECT key_id, status FROM accounts WHERE address = ?", address);
    assert.deepEqual(accounts, [{ key_id: key.kid, status: "active" }]);
    // The request did the same work as for a new address (so its timing says nothing): it stored the
    // intruder's pending key, whose token is emailed to nobody; the queue consumer sent the notice instead.
    const pending = await w.sql("SELECT key_id FROM confirmations WHERE address = ? AND used_at IS NULL", address);
    assert.deepEqual(pending, [{ key_id: intruder.kid }]);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address && m.purpose === "signup").length, 1);
    // At most one notice a day: further signups are answered alike and tell the owner nothing more.
    const suppressed = async () =>
      (await w.sql("SELECT COUNT(*) AS n FROM audit WHERE action = 'deliver_signup' AND outcome = 'suppressed'"))[0].n;
    const before = await suppressed();
    for (let i = 0; i < 2; i += 1) assert.equal((await read(await postSignup(w, address, newKey()))).status, 202);
    for (let i = 0; i < 50 && (await suppressed()) < before + 2; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await suppressed(), before + 2);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address && m.purpose === "already_registered").length, 1);
  });

  /** Signs `address` up once per key; returns the emailed messages in order. */
  async function signUpEach(address, keys) {
    const seen = new Set();
    const messages = [];
    for (const key of keys) {
      assert.equal((await postSignup(w, address, key)).status, 202);
      const message = await nextMessage(w, address, "signup", seen);
      seen.add(message.idempotencyKey);
      messages.push(message);
    }
    return messages;
  }

  const tokenHash = (token) => createHash("sha256").update(token).digest("base64url");

  test("a second signup leaves the first link valid; once one is confirmed the other answers address_taken and changes nothing", async () => {
    const address = freshAddress("twice");
    const [firstKey, secondKey] = [newKey(), newKey()];
    const [first, second] = await signUpEach(address, [firstKey, secondKey]);
    assert.notEqual(first.token, second.token);
    const confirmed = await read(await postConfirm(w, address, firstKey, first.token));
    assert.equal(confirmed.status, 200);
    assert.deepEqual(confirmed.body, { status: "active", address, key_id: firstKey.kid });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const taken = await read(await postConfirm(w, address, secondKey, second.token));
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error, "address_taken");
    }
    // Nothing changed: one account, with the first key; the second confirmation is still unused.
    const accounts = await w.sql("SELECT key_id, status FROM accounts WHERE address = ?", address);
    assert.deepEqual(accounts, [{ key_id: firstKey.kid, status: "active" }]);
    const [pending] = await w.sql("SELECT used_at FROM confirmations WHERE token_hash = ?", tokenHash(second.token));
    assert.equal(pending.used_at, null);
    assert.equal((await getAccount(w, address, firstKey)).status, 200);
    assert.equal((await read(await getAccount(w, address, secondKey))).body.error, "unknown_key");
    const audit = await w.sql("SELECT action, outcome FROM audit WHERE key_id = ? ORDER BY id", secondKey.kid);
    assert.deepEqual(
      audit.map((r) => [r.action, r.outcome]),
      [
        ["signup", "confirmation_sent"],
        ["confirm_signup", "address_taken"],
        ["confirm_signup", "address_taken"],
      ],
    );
  });

  test("the same key signed up twice: either link confirms, the other then answers address_taken", async () => {
    const address = freshAddress("samekey");
    const key = newKey();
    const [first, second] = await signUpEach(address, [key, key]);
    assert.equal((await read(await postConfirm(w, address, key, second.token))).status, 200);
    const late = await read(await postConfirm(w, address, key, first.token));
    assert.equal(late.status, 409);
    assert.equal(late.body.error, "address_taken");
    const accounts = await w.sql("SELECT key_id, status FROM accounts WHERE address = ?", address);
    assert.deepEqual(accounts, [{ key_id: key.kid, status: "active" }]);
  });

  test("disabling the account retires the address's other pending signups", async () => {
    const address = freshAddress("retired");
    const [firstKey, secondKey] = [newKey(), newKey()];
    const [first, second] = await signUpEach(address, [firstKey, secondKey]);
    assert.equal((await postConfirm(w, address, firstKey, first.token)).status, 200);
    const disable = signToken("disable", claimsFor(address, w.publicUri), firstKey);
    assert.equal((await w.fetch("/signature", { method: "DELETE", json: { token: disable } })).status, 200);
    const late = await read(await postConfirm(w, address, secondKey, second.token));
    assert.equal(late.status, 401);
    assert.equal(late.body.error, "confirmation_invalid");
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ? AND status = 'active'", address)).length, 0);
  });

  test("a key active for one address cannot be confirmed for another", async () => {
    const { key } = await signUpAndConfirm(w, freshAddress("keyowner"));
    const address = freshAddress("keythief");
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    const res = await read(await postConfirm(w, address, key, message.token));
    assert.equal(res.status, 409);
    assert.equal(res.body.error, "key_in_use");
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ?", address)).length, 0);
  });

  test("signup tokens are checked before anything is stored or sent", async () => {
    const address = freshAddress("badsignup");
    const key = newKey();
    const cases = [
      ["wrong audience", signToken("signup", claimsFor(address, "https://elsewhere.example"), key), 401, "wrong_audience"],
      ["expired", signToken("signup", claimsFor(address, w.publicUri, { iat: now() - 400, exp: now() - 200 }), key), 401, "expired"],
      ["lifetime", signToken("signup", claimsFor(address, w.publicUri, { exp: now() + 3600 }), key), 401, "lifetime_too_long"],
      ["future", signToken("signup", claimsFor(address, w.publicUri, { iat: now() + 600, exp: now() + 700 }), key), 401, "not_yet_valid"],
      ["non-canonical sub", signToken("signup", claimsFor(address.toUpperCase(), w.publicUri), key), 401, "invalid_token"],
      ["confirm typ", signToken("confirm", claimsFor(address, w.publicUri, { confirmation: "A".repeat(43) }), key), 401, "wrong_token_type"],
      ["garbage", "not.a.token", 401, "invalid_token"],
    ];
    for (const [name, token, status, code] of cases) {
      const res = await read(await w.fetch("/signup", { json: { token } }));
      assert.equal(res.status, status, name);
      assert.equal(res.body.error, code, name);
    }
    assert.equal((await w.sql("SELECT * FROM confirmations WHERE address = ?", address)).length, 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 0);
  });

  test("a signup token is single use", async () => {
    const address = freshAddress("replay");
    const key = newKey();
    const token = signToken("signup", claimsFor(address, w.publicUri), key);
    assert.equal((await w.fetch("/signup", { json: { token } })).status, 202);
    const replay = await read(await w.fetch("/signup", { json: { token } }));
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, "replayed");
    assert.equal((await w.sql("SELECT * FROM confirmations WHERE address = ?", address)).length, 1);
  });

  test("every state change is in the audit log, with hashed address and IP", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("audited"));
    const rows = await w.sql("SELECT * FROM audit WHERE key_id = ? ORDER BY id", key.kid);
    assert.deepEqual(
      rows.map((r) => [r.action, r.outcome]),
      [
        ["signup", "confirmation_sent"],
        ["confirm_signup", "ok"],
      ],
    );
    for (const row of rows) {
      assert.match(row.address_hash, /^[A-Za-z0-9_-]{43}$/);
      assert.match(row.ip_hash, /^[A-Za-z0-9_-]{43}$/);
      assert.ok(Math.abs(row.at - now()) < 30);
      assert.ok(!JSON.stringify(row).includes(address));
      assert.ok(!JSON.stringify(row).includes("127.0.0.1"));
    }
    assert.equal(rows[0].address_hash, rows[1].address_hash);
  });
});

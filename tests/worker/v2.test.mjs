// Protocol v2 (issue 12) against the built worker in workerd: the OPRF salt step checked against
// @noble/curves (tests/support/oprf.mjs), refused blinded elements, the per-address guess budget and
// the per-network limit, its reset by a sign-in, the salt ticket through the owner's inbox, the move
// of version-1 accounts, and LEGACY_SIGN_IN=off.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import {
  adminVerify,
  freshAddress,
  freshWindow,
  getAccount,
  markVersion1,
  nextMessage,
  postConfirm,
  postDisable,
  postRecovery,
  postSalt,
  postTicketRequest,
  signUpAndConfirm,
  signedChange,
  withinOneHour,
} from "../support/flows.mjs";
import { blindPassword, expectedEvaluation, finalizePassword, randomBlinded } from "../support/oprf.mjs";
import { claimsFor, newKey, signToken } from "../support/tokens.mjs";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as wrangler from "wrangler";
import { ROOT, read, startWorker } from "../support/worker.mjs";

/** The answer minus what legitimately differs between two calls (`date`); Retry-After compared separately. */
async function snapshot(response) {
  const r = await read(response);
  const headers = [...r.headers.entries()].filter(([name]) => name !== "date" && name !== "retry-after");
  return { status: r.status, text: r.text, headers, retryAfter: Number(r.headers.get("retry-after")) };
}

const budgetRows = (w) => w.sql("SELECT hour_count, day_count FROM guess_budgets");
const countRows = async (w, table, where = "1", ...params) =>
  (await w.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, ...params))[0].n;

describe("POST /salt: the OPRF evaluation", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("an independent client finalizes the evaluation; the output depends on the password, not on the blind", async () => {
    const address = freshAddress("oprf");
    const outputs = [];
    for (const password of ["correct horse", "correct horse", "another one"]) {
      const { blind, blinded } = blindPassword(address, password);
      const res = await read(await postSalt(w, address, { blinded }));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.evaluated, expectedEvaluation(w.bindings.OPRF_SEED, address, blinded));
      outputs.push(Buffer.from(finalizePassword(address, password, blind, res.body.evaluated)).toString("hex"));
    }
    assert.equal(outputs[0].length, 128);
    assert.equal(outputs[0], outputs[1], "two blinds of one password give one output");
    assert.notEqual(outputs[0], outputs[2]);
  });

  test("the answer is the same in bytes before the address has an account and once it has one", async () => {
    const address = freshAddress("same");
    const blinded = randomBlinded();
    const before = await snapshot(await postSalt(w, address, { blinded }));
    await signUpAndConfirm(w, address);
    const afterwards = await snapshot(await postSalt(w, address, { blinded }));
    assert.equal(before.status, 200);
    assert.deepEqual(afterwards, before);
  });

  test("a blinded element that is not a valid non-identity ristretto255 point is 400 invalid_blinded_element; nothing is stored", async () => {
    const valid = Buffer.from(randomBlinded(), "base64url");
    const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
    // The last base64url character of 32 bytes carries 4 bits; setting one of its two unused bits
    // gives another text for the same bytes.
    const last = b64(valid).at(-1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const nonCanonicalText = b64(valid).slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
    assert.notEqual(nonCanonicalText, b64(valid));
    const cases = {
      identity: b64(new Uint8Array(32)),
      // RFC 9496 section 4.3.1: the field element p itself, a non-canonical encoding of 0.
      "non-canonical field element": b64(Buffer.from("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex")),
      // A negative field element (odd low bit), which ristretto255 encodings never are.
      "negative field element": b64(Buffer.from("0100000000000000000000000000000000000000000000000000000000000000", "hex")),
      "non-canonical base64url": nonCanonicalText,
      "31 bytes": b64(valid.subarray(0, 31)),
      "33 bytes": b64(Buffer.concat([valid, Buffer.of(0)])),
      "padded base64": `${b64(valid)}=`,
      "standard base64": valid.toString("base64").replace(/[^+/]/, "+"),
      "not base64url": "!!!!",
      empty: "",
      missing: undefined,
      null: null,
    };
    const address = freshAddress("invalid");
    const budgetsBefore = await countRows(w, "guess_budgets");
    for (const [label, blinded] of Object.entries(cases)) {
      const json = blinded === undefined ? { address } : { address, blinded };
      const res = await read(await w.fetch("/salt", { json }));
      assert.equal(res.status, 400, `${label}: ${res.text}`);
      assert.equal(res.body.error, "invalid_blinded_element", label);
      assert.equal(res.body.evaluated, undefined);
    }
    assert.equal(await countRows(w, "guess_budgets"), budgetsBefore, "no evaluation was counted");
    assert.equal((await read(await postSalt(w, address, { blinded: b64(valid) }))).status, 200);
  });
});

describe("the guess budget", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "10", GUESSES_PER_ADDRESS_PER_DAY: "30" } });
  });
  after(() => w?.close());

  test("the 11th evaluation in an hour is 429 guess_budget_exhausted with Retry-After, the same for an active and an unknown address", async () => {
    await withinOneHour(15_000);
    const active = (await signUpAndConfirm(w, freshAddress("budget-active"))).address;
    const unknown = freshAddress("budget-unknown");
    const answers = {};
    for (const address of [active, unknown]) {
      for (let i = 0; i < 10; i += 1) {
        // From ten networks: the budget is the address's, whoever asks.
        assert.equal((await postSalt(w, address, { ip: `198.51.100.${i + 1}` })).status, 200);
      }
      answers[address] = await snapshot(await postSalt(w, address, { ip: "203.0.113.9" }));
    }
    const [a, u] = [answers[active], answers[unknown]];
    assert.equal(a.status, 429);
    assert.equal(JSON.parse(a.text).error, "guess_budget_exhausted");
    const toNextHour = 3600 - (Math.floor(Date.now() / 1000) % 3600);
    assert.ok(Math.abs(a.retryAfter - toNextHour) <= 2, `Retry-After ${a.retryAfter}, ${toNextHour} s to the hour`);
    assert.ok(Math.abs(a.retryAfter - u.retryAfter) <= 1);
    assert.deepEqual({ ...u, retryAfter: 0 }, { ...a, retryAfter: 0 }, "identical status, body and headers");
    assert.equal(
      await countRows(w, "audit", "action = 'salt_evaluation' AND outcome = 'guess_budget_exhausted'"),
      2,
      "each refusal is audited",
    );
  });

  test("a successful sign-in resets the budget", async () => {
    await withinOneHour(15_000);
    const { address, key } = await signUpAndConfirm(w, freshAddress("reset"));
    for (let i = 0; i < 10; i += 1) assert.equal((await postSalt(w, address, { ip: "198.18.0.1" })).status, 200);
    assert.equal((await postSalt(w, address)).status, 429);
    assert.equal((await read(await getAccount(w, address, newKey()))).body.error, "unknown_key", "a failed sign-in resets nothing");
    assert.equal((await postSalt(w, address)).status, 429);
    const signedIn = await read(await getAccount(w, address, key));
    assert.equal(signedIn.status, 200);
    assert.equal((await postSalt(w, address)).status, 200);
    const rows = await w.sql(
      "SELECT hour_count FROM guess_budgets WHERE hour_count = 1 AND day_count = 1 AND address_hash = (SELECT address_hash FROM audit WHERE action = 'sign_in' ORDER BY id DESC LIMIT 1)",
    );
    assert.equal(rows.length, 1, "counting starts again from the sign-in");
  });
});

describe("the guess budget's day window", () => {
  test("with the day's budget spent, Retry-After runs to the end of the UTC day", async () => {
    await withinOneHour(15_000);
    const w = await startWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "3", GUESSES_PER_ADDRESS_PER_DAY: "3" } });
    try {
      const address = freshAddress("day");
      for (let i = 0; i < 3; i += 1) assert.equal((await postSalt(w, address)).status, 200);
      const refused = await read(await postSalt(w, address));
      assert.equal(refused.status, 429);
      const toMidnight = 86_400 - (Math.floor(Date.now() / 1000) % 86_400);
      assert.ok(Math.abs(Number(refused.headers.get("retry-after")) - toMidnight) <= 2);
      assert.deepEqual(await budgetRows(w), [{ hour_count: 3, day_count: 3 }], "refusals are not counted");
    } finally {
      await w.close();
    }
  });
});

describe("SALT_EVALUATIONS: evaluations per network across addresses", () => {
  test("over it, 429 rate_limited, before any address's budget is spent", async () => {
    const w = await startWorker({ rateLimits: { SALT_EVALUATIONS: 3 } });
    try {
      const ip = "192.0.2.77";
      const statuses = [];
      // Rate Limiting windows are 60 s of the clock: all six requests within one.
      await freshWindow(60, 10_000);
      for (let i = 0; i < 5; i += 1) statuses.push((await read(await postSalt(w, freshAddress("net"), { ip }))).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const refused = await read(await postSalt(w, freshAddress("net"), { ip }));
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error, "rate_limited");
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      assert.equal(await countRows(w, "guess_budgets"), statuses.filter((s) => s === 200).length, "refused evaluations spend no budget");
      assert.equal((await postSalt(w, freshAddress("net"), { ip: "192.0.2.78" })).status, 200, "another network is not concerned");
    } finally {
      await w.close();
    }
  });
});

describe("salt tickets: the owner's way through a spent budget", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "10", GUESSES_PER_ADDRESS_PER_DAY: "30" } });
  });
  after(() => w?.close());

  async function burn(address) {
    for (let i = 0; i < 10; i += 1) await postSalt(w, address, { ip: "198.51.100.66" });
    assert.equal((await postSalt(w, address, { ip: "198.51.100.66" })).status, 429);
  }

  test("an attacker burns the budget; the owner gets a ticket by email and evaluates with it, at most five times", async () => {
    await withinOneHour(15_000);
    const { address } = await signUpAndConfirm(w, freshAddress("ticket"));
    await burn(address);
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    const requested = await read(await postTicketRequest(w, address, { ip: "203.0.113.50" }));
    assert.equal(requested.status, 202);
    assert.deepEqual(requested.body, { status: "ticket_sent" });
    const mail = await nextMessage(w, address, "ticket", seen);
    assert.match(mail.token, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(mail.link, `${w.publicUri}/#ticket=${mail.token}&address=${encodeURIComponent(address)}`);
    assert.ok(mail.expires_at > Date.now() / 1000 + 3500 && mail.expires_at <= Date.now() / 1000 + 3600);

    // A ticket that is not this one, or for another address, is the over-budget answer.
    const other = (await signUpAndConfirm(w, freshAddress("ticket-other"))).address;
    assert.equal((await read(await postSalt(w, address, { ticket: "AAAAAAAAAAAAAAAAAAAAAA" }))).body.error, "guess_budget_exhausted");
    assert.equal((await read(await postSalt(w, address, { ticket: "not a ticket" }))).body.error, "guess_budget_exhausted");
    await burn(other);
    assert.equal((await read(await postSalt(w, other, { ticket: mail.token }))).status, 429, "bound to its address");

    const password = "the owner's password";
    for (let i = 0; i < 5; i += 1) {
      const { blind, blinded } = blindPassword(address, password);
      const res = await read(await postSalt(w, address, { blinded, ticket: mail.token, ip: "203.0.113.50" }));
      assert.equal(res.status, 200, `use ${i + 1}: ${res.text}`);
      assert.equal(res.body.evaluated, expectedEvaluation(w.bindings.OPRF_SEED, address, blinded));
      assert.equal(finalizePassword(address, password, blind, res.body.evaluated).length, 64);
    }
    const spent = await read(await postSalt(w, address, { ticket: mail.token }));
    assert.equal(spent.status, 429);
    assert.equal(spent.body.error, "guess_budget_exhausted");
    assert.equal(await countRows(w, "audit", "action = 'salt_evaluation' AND outcome = 'ticket_used'"), 5);
    assert.equal(await countRows(w, "audit", "action = 'salt_ticket' AND outcome = 'ticket_sent'"), 1);
  });

  test("while the budget has room a ticket is not used; a sign-in retires the address's tickets", async () => {
    await withinOneHour(15_000);
    const { address, key } = await signUpAndConfirm(w, freshAddress("ticket-kept"));
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    assert.equal((await postTicketRequest(w, address)).status, 202);
    const mail = await nextMessage(w, address, "ticket", seen);
    const unused = () => countRows(w, "salt_tickets", "uses_left = 5");
    const before = await unused();
    assert.equal((await postSalt(w, address, { ticket: mail.token })).status, 200);
    assert.equal(await unused(), before, "the budget paid");
    assert.equal((await read(await getAccount(w, address, key))).status, 200);
    await burn(address);
    assert.equal((await postSalt(w, address, { ticket: mail.token })).status, 429, "retired by the sign-in");
  });

  test("an address without an account gets the same 202 and no email", async () => {
    const address = freshAddress("ticket-nobody");
    const active = (await signUpAndConfirm(w, freshAddress("ticket-somebody"))).address;
    const nobody = await snapshot(await postTicketRequest(w, address));
    const somebody = await snapshot(await postTicketRequest(w, active));
    assert.deepEqual(nobody, somebody);
    const deadline = Date.now() + 10_000;
    while ((await countRows(w, "audit", "action = 'deliver_ticket' AND outcome = 'no_account'")) === 0) {
      assert.ok(Date.now() < deadline, "the consumer drops the message");
      await sleep(50);
    }
    await nextMessage(w, active, "ticket");
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 0);
  });

  test("bad bodies are refused without a ticket", async () => {
    for (const json of [{}, { address: "not an address" }, { address: "a@example.com", extra: 1 }]) {
      const res = await read(await w.fetch("/salt/ticket", { json }));
      assert.equal(res.status, 400, JSON.stringify(json));
    }
    assert.equal((await read(await w.fetch("/salt/ticket"))).status, 405);
  });
});

describe("version-1 accounts move to version 2 through the inbox", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("sign in with the v1 key, propose the v2 key (202 and an email), confirm: kdf_version 2, the new key signs, the old does not", async () => {
    const { address, key: v1 } = await signUpAndConfirm(w, freshAddress("move"));
    const fresh = await read(await getAccount(w, address, v1));
    assert.equal(fresh.body.kdf_version, 2, "every new account is version 2");
    await markVersion1(w, address);
    const signedIn = await read(await getAccount(w, address, v1));
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.kdf_version, 1);

    const v2 = newKey();
    assert.equal((await read(await getAccount(w, address, v2))).body.error, "unknown_key", "what a client sees before it derives v1");
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    const proposed = await read(await signedChange(w, address, v1, v2));
    assert.equal(proposed.status, 202, proposed.text);
    assert.deepEqual(proposed.body, { status: "confirmation_sent" });
    const mail = await nextMessage(w, address, "change", seen);
    // Nothing moved yet: a stolen v1 key alone cannot swap in a key of its choosing.
    assert.equal((await read(await getAccount(w, address, v1))).body.kdf_version, 1);
    assert.equal((await read(await getAccount(w, address, v2))).body.error, "unknown_key");
    assert.equal(await countRows(w, "audit", "action = 'upgrade' AND outcome = 'confirmation_sent' AND key_id = ?1", v2.kid), 1);

    const confirmed = await read(await postConfirm(w, address, v2, mail.token));
    assert.equal(confirmed.status, 200, confirmed.text);
    const moved = await read(await getAccount(w, address, v2));
    assert.equal(moved.status, 200);
    assert.equal(moved.body.kdf_version, 2);
    assert.equal((await read(await getAccount(w, address, v1))).body.error, "unknown_key");

    // From version 2 a signed change is immediate again.
    const v2b = newKey();
    const changed = await read(await signedChange(w, address, v2, v2b));
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await read(await getAccount(w, address, v2b))).body.kdf_version, 2);
  });
});

describe("migration 0003 on a database of version 1", () => {
  let w;
  /** The statements of the migrations whose file names `pick` accepts, in order. */
  const statementsOf = (pick) =>
    readdirSync(join(ROOT, "migrations"))
      .filter((name) => name.endsWith(".sql") && pick(name))
      .sort()
      .flatMap((name) => wrangler.unstable_splitSqlQuery(readFileSync(join(ROOT, "migrations", name), "utf8")));

  before(async () => {
    w = await startWorker({ migrate: false });
    await w.db.batch(statementsOf((name) => name < "0003").map((statement) => w.db.prepare(statement)));
  });
  after(() => w?.close());

  test("existing accounts and the keys of pending confirmations are version 1; what is stored afterwards is version 2", async () => {
    // Before the migration: an account, and a signup a version-1 client made and has not confirmed yet.
    const old = { address: freshAddress("before"), key: newKey() };
    const pending = { address: freshAddress("pending"), key: newKey() };
    await w.sql(
      "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) VALUES (?1, ?2, ?3, 'active', 1, 2)",
      old.address, old.key.kid, old.key.x,
    );
    // The confirmation's row as the schema before 0003 knew it (the emailed token and its hash).
    const token = randomBytes(32).toString("base64url");
    const tokenHash = createHash("sha256").update(token).digest("base64url");
    await w.sql(
      "INSERT INTO confirmations (token_hash, address, purpose, key_id, public_key, created_at, expires_at) VALUES (?1, ?2, 'signup', ?3, ?4, ?5, ?6)",
      tokenHash, pending.address, pending.key.kid, pending.key.x, Math.floor(Date.now() / 1000), Math.floor(Date.now() / 1000) + 3600,
    );
    await w.db.batch(statementsOf((name) => name >= "0003").map((statement) => w.db.prepare(statement)));

    const account = await read(await getAccount(w, old.address, old.key));
    assert.equal(account.status, 200, account.text);
    assert.equal(account.body.kdf_version, 1);
    const confirmed = await read(await postConfirm(w, pending.address, pending.key, token));
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal((await read(await getAccount(w, pending.address, pending.key))).body.kdf_version, 1);

    // A signup made now is version 2.
    const fresh = await signUpAndConfirm(w);
    assert.equal((await read(await getAccount(w, fresh.address, fresh.key))).body.kdf_version, 2);
  });
});

describe("LEGACY_SIGN_IN=off", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { LEGACY_SIGN_IN: "off" } });
  });
  after(() => w?.close());

  test("salt answers accept version 2 only", async () => {
    const res = await read(await postSalt(w, freshAddress("off")));
    assert.deepEqual(res.body.accepted_kdf_versions, [2]);
  });

  test("a version-1 key is refused with legacy_key_retired everywhere; version 2 is fine; recovery moves the account", async () => {
    const { address, key: v1 } = await signUpAndConfirm(w, freshAddress("retired"));
    const { address: modern, key: v2key } = await signUpAndConfirm(w, freshAddress("modern"));
    await markVersion1(w, address);

    const signIn = await read(await getAccount(w, address, v1));
    assert.equal(signIn.status, 401);
    assert.equal(signIn.body.error, "legacy_key_retired");
    const change = await read(await signedChange(w, address, v1, newKey()));
    assert.equal(change.status, 401);
    assert.equal(change.body.error, "legacy_key_retired");
    const disable = await read(await postDisable(w, address, v1));
    assert.equal(disable.body.error, "legacy_key_retired");
    const assertion = signToken("assertion", claimsFor(address, "https://rp.example"), v1);
    const verified = await read(await adminVerify(w, assertion, "https://rp.example"));
    assert.equal(verified.status, 422, "a verdict on the token, not on the operator's credential");
    assert.equal(verified.body.error, "legacy_key_retired");
    // A forged token under the v1 key's kid is still just a bad signature.
    const forged = await read(await getAccount(w, address, { ...newKey(), kid: v1.kid }));
    assert.equal(forged.body.error, "invalid_signature");

    assert.equal((await read(await getAccount(w, modern, v2key))).status, 200);

    const v2 = newKey();
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    assert.equal((await postRecovery(w, address, v2)).status, 202);
    const mail = await nextMessage(w, address, "change", seen);
    assert.equal((await read(await postConfirm(w, address, v2, mail.token))).status, 200);
    const moved = await read(await getAccount(w, address, v2));
    assert.equal(moved.status, 200);
    assert.equal(moved.body.kdf_version, 2);
  });
});

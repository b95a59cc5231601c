// Limits, and who can spend them: per client group (IP, IPv6 per /64) through the Rate Limiting
// bindings, blocks in D1 (audited) cached in KV; confirmation emails per (address, client group) with a
// higher ceiling per address; nothing per address alone, so an attacker spread over many IPs cannot
// lock an owner out. X-Forwarded-For never counts.
//
// Miniflare's Rate Limiting windows are aligned to the clock (a 10 s window starts at a multiple of
// 10 s) and every count restarts with the next window, so a sequence that must fall into one window
// first waits for a fresh one (`freshWindow`).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  freshAddress,
  freshWindow,
  getAccount,
  nextMessage,
  postConfirm,
  postDisable,
  postRecovery,
  postSalt,
  postSignup,
  postTicketRequest,
  signedChange,
  withinOneHour,
} from "../support/flows.mjs";
import { claimsFor, newKey, signToken } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));


const auditRows = (w, where, ...params) => w.sql(`SELECT action, outcome, address_hash, ip_hash FROM audit WHERE ${where} ORDER BY id`, ...params);

describe("per client group: CLIENT_BURST", () => {
  let w;
  before(async () => {
    w = await startWorker({ rateLimits: { CLIENT_BURST: 3 } });
  });
  after(() => w?.close());

  const health = async (ip, headers = {}) => read(await w.fetch("/health", { ip, headers }));

  test("over it: 429 rate_limited with Retry-After, no block", async () => {
    await freshWindow(10, 3000);
    const ip = "198.51.100.1";
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await health(ip)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const refused = await health(ip);
    assert.equal(refused.body.error, "rate_limited");
    assert.equal(refused.headers.get("retry-after"), "10");
    assert.equal(refused.headers.get("content-type"), "application/json");
    assert.deepEqual(await w.sql("SELECT * FROM blocks"), []);
    assert.equal((await health("198.51.100.2")).status, 200, "other clients are not counted with it");
  });

  test("X-Forwarded-For and X-Real-IP do not change which client is counted", async () => {
    await freshWindow(10, 3000);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await health("198.51.100.4", { "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  test("IPv6 clients are grouped by /64", async () => {
    await freshWindow(10, 3000);
    const statuses = [];
    for (let i = 1; i <= 4; i += 1) statuses.push((await health(`2001:db8:aa:bb::${i}`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await health("2001:db8:aa:bc::1")).status, 200);
  });

  test("every path counts, including unknown ones", async () => {
    await freshWindow(10, 3000);
    const ip = "198.51.100.5";
    const statuses = [];
    for (const path of ["/nope", "/salt", "/account", "/health"]) statuses.push((await read(await w.fetch(path, { ip }))).status);
    assert.deepEqual(statuses, [404, 405, 401, 429]);
  });
});

describe("per client group: CLIENT_MINUTE and CLIENT_FAILURES block", () => {
  let w;
  before(async () => {
    w = await startWorker({ rateLimits: { CLIENT_MINUTE: 6, CLIENT_FAILURES: 3 }, vars: { BLOCK_IPS_FOR: "0.5" } });
  });
  after(() => w?.close());

  const health = async (ip) => read(await w.fetch("/health", { ip }));

  test("over the per-minute limit: blocked for BLOCK_IPS_FOR, in D1 with one audit row, cached in KV", async () => {
    await freshWindow(60, 5000);
    const ip = "198.51.100.20";
    const statuses = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await health(ip)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
    const blocked = await health(ip);
    assert.equal(blocked.body.error, "rate_limited");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    assert.ok(retryAfter > 1700 && retryAfter <= 1800, `Retry-After ${retryAfter}`);
    const [block] = await w.sql("SELECT client_hash, until - since AS secs, reason FROM blocks");
    assert.deepEqual({ secs: block.secs, reason: block.reason }, { secs: 1800, reason: "too_many_requests" });
    assert.ok(!block.client_hash.includes(ip));
    const rows = await auditRows(w, "action = 'block'");
    assert.deepEqual(rows, [{ action: "block", outcome: "too_many_requests", address_hash: null, ip_hash: block.client_hash }]);
    const kv = await w.mf.getKVNamespace("BLOCKED_IPS");
    const until = Number(await kv.get(`block:${block.client_hash}`));
    assert.ok(until > Date.now() / 1000 + 1700);
    assert.equal((await health("198.51.100.21")).status, 200, "other clients are not blocked");
  });

  test("refused attempts: over CLIENT_FAILURES the group is blocked; the operator's calls and their verdicts on third parties' tokens do not count", async () => {
    await freshWindow(60, 5000);
    const ip = "198.51.100.30";
    const badSignIn = async () => read(await w.fetch("/account", { ip, headers: { authorization: "Notary not-a-token" } }));
    const codes = [];
    for (let i = 0; i < 4; i += 1) codes.push((await badSignIn()).status);
    assert.deepEqual(codes, [401, 401, 401, 401]);
    const blocked = await health(ip);
    assert.equal(blocked.status, 429);
    assert.deepEqual(
      (await auditRows(w, "action = 'block' AND outcome = 'too_many_refusals'")).length,
      1,
    );
    // Each refusal is audited with its code (sign-ins under `sign_in`).
    assert.equal((await auditRows(w, "action = 'sign_in' AND outcome = 'invalid_token'")).length, 4);

    // The operator's services, with the admin secret: more calls than CLIENT_MINUTE allows a network,
    // every one a verdict on a token no account has; none is counted.
    const operator = "198.51.100.31";
    const token = signToken("assertion", claimsFor(freshAddress("nobody"), "https://rp.example"), newKey());
    for (let i = 0; i < 10; i += 1) {
      const res = await read(
        await w.fetch("/admin/verify", {
          ip: operator,
          headers: { authorization: `Bearer ${w.adminSecret}` },
          json: { token, audience: "https://rp.example" },
        }),
      );
      assert.equal(res.status, 404);
    }
    assert.equal((await health(operator)).status, 200);
    // A wrong admin secret is a refused attempt like any other.
    const guesser = "198.51.100.32";
    for (let i = 0; i < 4; i += 1) {
      const res = await w.fetch("/admin/verify", { ip: guesser, headers: { authorization: "Bearer guess" }, json: { token, audience: "x" } });
      assert.equal(res.status, 401);
    }
    assert.equal((await health(guesser)).status, 429);
  });
});

describe("email budgets: per (address, client group), and a ceiling per address", () => {
  let w;
  let n = 0;
  const ip = () => `192.0.2.${(n += 1)}`;
  before(async () => {
    w = await startWorker({ vars: { MAX_EMAILS_PER_ADDRESS_PER_CLIENT_PER_HOUR: "2", MAX_EMAILS_PER_ADDRESS_PER_HOUR: "3" } });
  });
  after(() => w?.close());

  test("a client group spends its own budget, and all of them together at most the ceiling", async () => {
    const address = freshAddress("flooded");
    const first = ip();
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await read(await postSignup(w, address, newKey(), { ip: first }))).status);
    assert.deepEqual(statuses, [202, 202, 429]);
    const second = ip();
    assert.equal((await read(await postSignup(w, address, newKey(), { ip: second }))).status, 202);
    const refused = await read(await postSignup(w, address, newKey(), { ip: second }));
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, "rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.equal((await read(await postSignup(w, address, newKey(), { ip: ip() }))).status, 429);
    // Another address is not affected.
    assert.equal((await read(await postSignup(w, freshAddress("other"), newKey(), { ip: first }))).status, 202);
    // Exactly the accepted ones are stored and delivered; refusals are audited as rate_limited.
    const hashes = await w.sql("SELECT COUNT(*) AS n FROM confirmations WHERE address = ?", address);
    assert.equal(hashes[0].n, 3);
    for (let i = 0; i < 50 && w.mailbox.messages().filter((m) => m.address === address).length < 3; i += 1) await sleep(100);
    await sleep(300);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 3);
    assert.equal((await auditRows(w, "action = 'signup' AND outcome = 'rate_limited'")).length, 3);
  });

  test("a recovery for an address without an account: the same answer and work, nothing stored or sent", async () => {
    const address = freshAddress("nobody");
    const res = await read(await postRecovery(w, address, newKey(), { ip: ip() }));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: "confirmation_sent" });
    for (let i = 0; i < 50 && (await auditRows(w, "action = 'deliver_change' AND outcome = 'no_account'")).length < 1; i += 1) await sleep(100);
    assert.equal((await auditRows(w, "action = 'deliver_change' AND outcome = 'no_account'")).length, 1);
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM confirmations WHERE address = ?", address))[0].n, 0);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 0);
  });
});

describe("nobody can lock an owner out", () => {
  let w;
  before(async () => {
    // The shipped limits, except the per-request counts, which the attacker would only spend on its own
    // addresses (they are per client group) and which would slow this test down.
    w = await startWorker({ generousLimits: false, rateLimits: { CLIENT_BURST: 1_000_000, CLIENT_MINUTE: 1_000_000 } });
  });
  after(() => w?.close());

  test("an attacker over many IPs spends every budget it can reach; the owner still signs in, confirms, changes the password and disables", async () => {
    await withinOneHour(60_000);
    const victimIp = "203.0.113.200";
    const address = freshAddress("victim");
    const key = newKey();
    // The owner signs up; the confirmation is in their inbox.
    assert.equal((await read(await postSignup(w, address, key, { ip: victimIp }))).status, 202);
    const message = await nextMessage(w, address, "signup");

    // The attacker, from 16 networks.
    const attackers = Array.from({ length: 16 }, (_, i) => `198.18.${i}.7`);
    const counts = { salt: 0, confirm: 0, signup: 0, recovery: 0 };
    for (const ip of attackers) {
      for (let i = 0; i < 40; i += 1) {
        const res = await read(await postSalt(w, address, { ip }));
        counts.salt += res.status === 200 ? 1 : 0;
      }
      await freshWindow(60, 3000);
      for (let i = 0; i < 25; i += 1) {
        const res = await read(await postConfirm(w, address, newKey(), randomBytes(32).toString("base64url"), { ip }));
        assert.ok([401, 429].includes(res.status), `confirm ${res.status}`);
        counts.confirm += 1;
      }
      for (let i = 0; i < 4; i += 1) {
        if ((await read(await postSignup(w, address, newKey(), { ip }))).status === 202) counts.signup += 1;
        if ((await read(await postRecovery(w, address, newKey(), { ip }))).status === 202) counts.recovery += 1;
      }
    }
    // Every attacking network that sent bad confirms got itself blocked.
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM blocks WHERE reason = 'too_many_refusals'"))[0].n, attackers.length);
    assert.equal(counts.signup + counts.recovery, 0, "blocked before it could ask for emails");
    assert.equal(counts.salt, 10, "the address's guess budget, whatever the networks");

    // A second wave from fresh networks, only asking for emails: stopped by the per-address ceiling.
    const wave = Array.from({ length: 16 }, (_, i) => `198.19.${i}.7`);
    let emails = 0;
    for (const ip of wave) {
      for (let i = 0; i < 4; i += 1) {
        if ((await read(await postSignup(w, address, newKey(), { ip }))).status === 202) emails += 1;
      }
    }
    assert.equal(emails, 29, "30 per address per hour, one of them the owner's");

    // The owner, from their own network. The guesses are spent, and so is the address's ceiling of
    // confirmation emails; the confirmation already in the inbox still works.
    const spent = await read(await postSalt(w, address, { ip: victimIp }));
    assert.equal(spent.status, 429);
    assert.equal(spent.body.error, "guess_budget_exhausted");
    const confirmed = await read(await postConfirm(w, address, key, message.token, { ip: victimIp }));
    assert.equal(confirmed.status, 200, confirmed.text);
    // Salt tickets are counted apart from confirmation emails, so the owner still gets one, and it
    // lets the owner evaluate again.
    const seenTickets = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    assert.equal((await read(await postTicketRequest(w, address, { ip: victimIp }))).status, 202);
    const ticket = await nextMessage(w, address, "ticket", seenTickets);
    const through = await read(await postSalt(w, address, { ip: victimIp, ticket: ticket.token }));
    assert.equal(through.status, 200, through.text);
    // Spending the ticket emails from many networks only mails tickets to the owner.
    let tickets = 0;
    for (const ip of wave) {
      for (let i = 0; i < 3; i += 1) {
        if ((await read(await postTicketRequest(w, address, { ip }))).status === 202) tickets += 1;
      }
    }
    assert.equal(tickets, 29, "30 ticket emails per address per hour, one of them the owner's");
    assert.equal((await read(await getAccount(w, address, key, { ip: victimIp }))).status, 200);
    assert.equal((await read(await postSalt(w, address, { ip: victimIp }))).status, 200, "the sign-in reset the budget");
    const next = newKey();
    const changed = await read(await signedChange(w, address, key, next, { ip: victimIp }));
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body, { status: "active", address, key_id: next.kid });
    assert.equal((await read(await getAccount(w, address, key, { ip: victimIp }))).body.error, "unknown_key");
    assert.equal((await read(await getAccount(w, address, next, { ip: victimIp }))).status, 200);
    // What the attacker could spend: the recovery path (a forgotten password) shares the ceiling.
    assert.equal((await read(await postRecovery(w, address, newKey(), { ip: victimIp }))).status, 429);
    const disabled = await read(await postDisable(w, address, next, { ip: victimIp }));
    assert.equal(disabled.status, 200, disabled.text);
  });
});

describe("PATCH /signature signed by the current key", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  async function activeAccount() {
    const address = freshAddress("owner");
    const key = newKey();
    await postSignup(w, address, key);
    const message = await nextMessage(w, address, "signup");
    assert.equal((await postConfirm(w, address, key, message.token)).status, 200);
    return { address, key };
  }

  test("replaces the key at once, without an email, and is audited", async () => {
    const { address, key } = await activeAccount();
    const before = w.mailbox.messages().length;
    const next = newKey();
    const res = await read(await signedChange(w, address, key, next));
    assert.equal(res.status, 200, res.text);
    const [account] = await w.sql("SELECT key_id, key_changed_at FROM accounts WHERE address = ?", address);
    assert.equal(account.key_id, next.kid);
    assert.ok(account.key_changed_at > 0);
    assert.equal((await auditRows(w, "action = 'change_signed' AND outcome = 'ok'")).length, 1);
    await sleep(500);
    assert.equal(w.mailbox.messages().length, before);
  });

  test("refused, changing nothing: another key, a body it does not bind, another account's change token, a replay", async () => {
    const { address, key } = await activeAccount();
    const other = await activeAccount();
    const next = newKey();
    assert.equal((await read(await signedChange(w, address, newKey(), next))).body.error, "unknown_key");
    // A request token over another body.
    const body = JSON.stringify({ token: signToken("change", claimsFor(address, w.publicUri), next) });
    const { requestToken } = await import("../support/tokens.mjs");
    const url = `${w.publicUri}/signature`;
    const stale = requestToken(key, address, w.publicUri, { method: "PATCH", url, body: "{}" });
    const unbound = await read(await w.fetch("/signature", { method: "PATCH", json: body, headers: { authorization: `Notary ${stale}` } }));
    assert.equal(unbound.status, 401);
    // The change token names another address.
    const foreign = JSON.stringify({ token: signToken("change", claimsFor(other.address, w.publicUri), next) });
    const signed = requestToken(key, address, w.publicUri, { method: "PATCH", url, body: foreign });
    const wrong = await read(await w.fetch("/signature", { method: "PATCH", json: foreign, headers: { authorization: `Notary ${signed}` } }));
    assert.equal(wrong.body.error, "wrong_subject");
    // Another account's key as the new key.
    assert.equal((await read(await signedChange(w, address, key, other.key))).body.error, "key_in_use");
    const [account] = await w.sql("SELECT key_id FROM accounts WHERE address = ?", address);
    assert.equal(account.key_id, key.kid);
    // A replay of an accepted change.
    const authorization = `Notary ${requestToken(key, address, w.publicUri, { method: "PATCH", url, body })}`;
    const first = await read(await w.fetch("/signature", { method: "PATCH", json: body, headers: { authorization } }));
    assert.equal(first.status, 200, first.text);
    const again = await read(await w.fetch("/signature", { method: "PATCH", json: body, headers: { authorization } }));
    assert.equal(again.status, 401);
  });
});

#!/usr/bin/env node
// Bounded mixed load on loopback against the BUILT worker in workerd (tests/support/worker.mjs: the real
// wrangler.toml bindings, in-memory D1/KV/queues, the development mailbox as the mail system), then a
// reconciliation of D1 and the mailbox against every answer. Nothing is mocked and nothing is asserted
// about timing: the figures are printed, the verdict is about what was stored and delivered.
//
//   node bench/load.mjs [--requests 20000] [--concurrency 24] [--users 200] [--seed 11] [--ips 1] [--backlog 20] [--drain 120]
//   npm run bench load -- --requests 2000
//
// Method.
// - Load: `--concurrency` loops send HTTP/1.1 requests (node:http, one kept-alive connection per loop)
//   to the worker's loopback port until `--requests` have been sent, each loop one request at a time.
//   Each request is drawn from MIX below by a PRNG seeded with `--seed`, so the plan (which kind, which
//   user, which keys and jtis) is fixed; which loop sends it, and when the queue delivers, is up to the
//   scheduler. A kind whose precondition no idle user meets (no confirmation has arrived yet, no active
//   account) is drawn again.
// - Phase 1 creates `--users` accounts (signup, the emailed confirmation, confirm), so that phase 2,
//   the mix, has accounts to use from its first request. Both phases count towards `--requests` and
//   are reconciled alike; their rates are reported apart.
// - Users follow the real flow. A signup (new address, new key) is answered 202; the queue consumer
//   POSTs the confirmation to the mailbox; the user then signs a confirm token with the pending key,
//   carrying the emailed token, and POST /confirm activates the account. Active users read GET /account
//   (signed request, a sign-in), have assertions verified by POST /admin/verify, change their key
//   (PATCH /signature signed by the current key: the new key at once), ask for a recovery key
//   (PATCH /signature without Authorization, then confirm with the new key), and are disabled
//   (DELETE /signature signed by the current key, or POST /admin/disable). Someone else signs up with
//   an active user's address (a new key): answered 202 like any signup, with a confirmation row and an
//   email counted, and the queue consumer sends the owner one `already_registered` notice (at most
//   one a day; the others are audited as suppressed). Users who met such a signup are never disabled,
//   so the consumer finds their account active whenever it gets to the message. A user has at most
//   one request in flight, so every answer is predictable from the client's own model of the user.
// - Deliberately refused requests (replayed signup/read/assertion/confirmation, forged signatures,
//   an unknown confirmation, a wrong admin secret) check that a refusal changes nothing.
// - Signups (of new and of active addresses) and recoveries are drawn only while fewer than
//   `--backlog` of their messages are on their way (a signup of an active address is on its way until
//   its notice arrives or its `deliver_signup suppressed` audit row appears): the queue delivers fewer
//   messages per second under load than the worker accepts signups, and without the cap few
//   confirmations would arrive before the end. Nothing depends on the order of delivery.
// - All requests come from one client IP (127.0.0.1, `--ips 1`), as in the run that found the 503s;
//   `--ips N` spreads them over N addresses. Limits are raised (bench/limits.mjs: the email budgets
//   and the Rate Limiting bindings, CLIENT_FAILURES included, which counts every refusal) so that load
//   is measured rather than refused; the limits still run on every request. Miniflare's state goes to /dev/shm
//   when there is one (see TMPDIR below).
// - workerd closes a kept-alive connection after an answer given before the request body was read
//   (401 for a wrong admin secret, 403, 404, 415, 429), without `Connection: close`; the next request
//   on it fails with ECONNRESET before reaching the worker. Such a request (an error on a reused
//   connection, before any answer) is sent again on a new connection, at most RESENDS times, and
//   counted in the report; if it had reached the worker after all, the reconciliation would show it
//   (a replayed token, a second row).
// - Ledger: every answer is kept (kind, endpoint, status, latency, whether the body is JSON, the
//   Content-Type, the error code, the token's kid and jti). Answers that are not JSON are sampled with
//   their headers. A request that still got no answer leaves its user out of the rest of the run, and
//   its rows are accepted whether or not they exist (the "every request answered" check fails).
// - Drain: after the last answer, the mailbox is polled until every expected confirmation has arrived
//   and nothing more arrives for QUIET_MS (or `--drain` seconds pass).
// - Reconciliation (named queries in QUERIES, per-kind expectations in EXPECT, both at the top so they
//   can follow the worker): every answer has the expected status and code; no 5xx; every body is JSON
//   with Content-Type application/json, with an `error` code when not 2xx; `replay` holds exactly the
//   (kid, jti) of the 2xx token-bearing answers (a signed change two: the request token under the old
//   key, the change token under the new one), so refusals added none; `confirmations` holds exactly
//   one row per 202 signup/recovery, used by exactly the 200 confirms; `accounts` equals the model (one
//   row per confirmed signup, its current key, its status, whether it changed key); the audit log's
//   counts per (action, outcome) equal the ledger's (refusals included, under their endpoint's action
//   and error code) plus the consumer's suppressed notices; the mailbox got exactly one message per
//   confirmation row of a new address or a recovery (by token hash; none lost, none duplicated, no
//   redelivery, no two with one Idempotency-Key) and exactly one `already_registered` notice per active
//   address signed up again (none for any other, `notices` holding the same); `email_counts` counts
//   every 202 proposal; tables that must stay empty under load (`undelivered`, `blocks`) are empty.
// - Output: per kind of request and per endpoint: count, statuses, p50/p99 latency (ms, from sending to
//   the end of the body); totals with requests per second; delivery delay from the 202 to the mailbox
//   (p50/p99); the reconciliation verdict. Exit status 1 if any check fails.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import { loadavg, tmpdir } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Log, LogLevel } from "miniflare";
import { b64url, claimsFor, newKey, requestToken, signToken } from "../tests/support/tokens.mjs";
import { startWorker } from "../tests/support/worker.mjs";
import { BENCH_RATE_LIMITS, BENCH_VARS, blindedFor } from "./limits.mjs";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const REQUESTS = Number(args.requests ?? 20_000);
const CONCURRENCY = Number(args.concurrency ?? 24);
const SEED = Number(args.seed ?? 11);
const IPS = Number(args.ips ?? 1);
const DRAIN_SECS = Number(args.drain ?? 120);
/** At most this many confirmation messages (signup, change) asked for and not yet in the mailbox. */
const BACKLOG = Number(args.backlog ?? 20);
/** Accounts created before the mix starts (phase 1). */
const USERS = Number(args.users ?? 200);
/** Times a request is sent again after workerd closed the kept-alive connection it went out on. */
const RESENDS = 3;
const QUIET_MS = 2000;
// Miniflare keeps even "in-memory" D1 and Durable Object state in SQLite files under the temporary
// directory; on a disk, their fsyncs (not the worker) set the pace: 5-10x fewer requests per second here.
if (!process.env.TMPDIR && existsSync("/dev/shm")) process.env.TMPDIR = "/dev/shm";
const THIRD_PARTY = "https://relying-party.example";
/** A refused replay must be refused as a replay, not as expired: tokens live 120 s. */
const REPLAY_WITHIN_SECS = 90;

// ---------------------------------------------------------------------------------------------------
// What D1 is read with. Each query names what it returns; the checks below only use these names.
const QUERIES = {
  accounts: "SELECT address, key_id, status, key_changed_at IS NOT NULL AS changed FROM accounts",
  confirmations: "SELECT token_hash, address, purpose, key_id, used_by IS NOT NULL AS confirmed FROM confirmations",
  replay: "SELECT key_id, jti FROM replay",
  audit: "SELECT action, outcome, COUNT(*) AS n FROM audit GROUP BY action, outcome",
  tables: "SELECT name FROM sqlite_master WHERE type = 'table'",
  /** Confirmation emails counted against the email budgets. */
  emailBudget: "SELECT COALESCE(SUM(count), 0) AS n FROM email_counts",
  /** The `already_registered` notices the queue consumer claimed, one row per address. */
  notices: "SELECT idempotency_key FROM notices",
  /** Signups of active addresses the queue consumer dropped: a notice went out in the last day. */
  suppressed: "SELECT COUNT(*) AS n FROM audit WHERE action = 'deliver_signup' AND outcome = 'suppressed'",
  /** Tables that no request of this mix may write to; checked when they exist. */
  mustBeEmpty: (table) => `SELECT COUNT(*) AS n FROM ${table}`,
};
const EMPTY_TABLES = ["undelivered", "blocks"];

// What each kind of request must answer and leave behind:
//   status, code   the answer (code: the body's `error`, for refusals);
//   replay         a 2xx adds its tokens' (kid, jti) to `replay` (the ledger keeps them per answer);
//   confirmation   a 2xx adds one `confirmations` row of this purpose and one count to `email_counts`,
//                  and the mailbox gets one message with its token...
//   notice         ...unless the address is active: then the owner gets one `already_registered`
//                  notice, at most one a day (the consumer audits the others as suppressed);
//   audit          the audit rows [action, outcome] one such answer adds (a refusal of an audited
//                  endpoint: its action and the error code).
// A refusal adds no replay row, no confirmation, no message and no account change.
const EXPECT = {
  salt: { endpoint: "POST /salt", status: 200 },
  signup: { endpoint: "POST /signup", status: 202, replay: true, confirmation: "signup", audit: [["signup", "confirmation_sent"]] },
  confirmSignup: { endpoint: "POST /confirm", status: 200, replay: true, audit: [["confirm_signup", "ok"]] },
  account: { endpoint: "GET /account", status: 200, replay: true, audit: [["sign_in", "ok"]] },
  verify: { endpoint: "POST /admin/verify", status: 200, replay: true, audit: [["admin_verify", "valid"]] },
  signupActive: {
    endpoint: "POST /signup",
    status: 202,
    replay: true,
    confirmation: "signup",
    notice: true,
    audit: [["signup", "confirmation_sent"]],
  },
  changeSigned: { endpoint: "PATCH /signature", status: 200, replay: true, audit: [["change_signed", "ok"]] },
  recovery: { endpoint: "PATCH /signature", status: 202, replay: true, confirmation: "change", audit: [["change", "confirmation_sent"]] },
  confirmRecovery: { endpoint: "POST /confirm", status: 200, replay: true, audit: [["confirm_change", "ok"]] },
  disable: { endpoint: "DELETE /signature", status: 200, replay: true, audit: [["disable", "ok"]] },
  adminDisable: { endpoint: "POST /admin/disable", status: 200, audit: [["admin_disable", "ok"]] },
  // Refused on purpose.
  replayedSignup: { endpoint: "POST /signup", status: 401, code: "replayed", audit: [["signup", "replayed"]] },
  replayedRead: { endpoint: "GET /account", status: 401, code: "replayed", audit: [["sign_in", "replayed"]] },
  forgedRead: { endpoint: "GET /account", status: 401, code: "invalid_signature", audit: [["sign_in", "invalid_signature"]] },
  replayedVerify: { endpoint: "POST /admin/verify", status: 422, code: "replayed", audit: [["admin_verify", "replayed"]] },
  forgedVerify: { endpoint: "POST /admin/verify", status: 422, code: "invalid_signature", audit: [["admin_verify", "invalid_signature"]] },
  wrongAdminSecret: { endpoint: "POST /admin/verify", status: 401, code: "unauthorized", audit: [["admin_verify", "unauthorized"]] },
  unknownConfirmation: { endpoint: "POST /confirm", status: 401, code: "confirmation_invalid", audit: [["confirm", "confirmation_invalid"]] },
  replayedConfirm: { endpoint: "POST /confirm", status: 401, code: "confirmation_invalid", audit: [["confirm", "confirmation_invalid"]] },
  forgedDisable: { endpoint: "DELETE /signature", status: 401, code: "invalid_signature", audit: [["disable", "invalid_signature"]] },
};

// How often each kind is drawn (relative weights; the actual mix is printed).
const MIX = {
  salt: 20,
  signup: 14,
  confirmSignup: 15,
  account: 17,
  verify: 17,
  signupActive: 2,
  changeSigned: 2,
  recovery: 2,
  confirmRecovery: 3,
  disable: 0.4,
  adminDisable: 0.2,
  replayedSignup: 1,
  replayedRead: 1.5,
  forgedRead: 1,
  replayedVerify: 1.5,
  forgedVerify: 1,
  wrongAdminSecret: 0.5,
  unknownConfirmation: 1,
  replayedConfirm: 0.5,
  forgedDisable: 0.5,
};
// ---------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG; `bytes` feeds keys and jtis. */
function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}

const rng = seeded(SEED);
const jti = () => b64url(rng.bytes(16));
const nowSecs = () => Math.floor(Date.now() / 1000);
const sha256 = (text) => b64url(createHash("sha256").update(text).digest());
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same token with one signature character changed (still canonical base64url, so the signature is what fails). */
function forge(token) {
  const dot = token.lastIndexOf(".");
  const i = dot + 10;
  return `${token.slice(0, i)}${token[i] === "A" ? "B" : "A"}${token.slice(i + 1)}`;
}

/** Users of one state, for drawing an idle one at random. */
class Pool {
  items = [];
  index = new Map();
  add(user) {
    if (this.index.has(user)) return;
    this.index.set(user, this.items.length);
    this.items.push(user);
  }
  remove(user) {
    const i = this.index.get(user);
    if (i === undefined) return;
    const last = this.items.pop();
    if (last !== user) {
      this.items[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(user);
  }
  /** An idle user meeting `accept`, from a few random draws, or null. */
  pick(accept = () => true) {
    for (let tries = 0; tries < 16 && this.items.length; tries += 1) {
      const user = this.items[rng.int(this.items.length)];
      if (accept(user)) return user;
    }
    return null;
  }
}

const pools = { mailedSignup: new Pool(), active: new Pool(), settled: new Pool(), mailedChange: new Pool() };

/** Puts an idle user into the pools its state allows (a busy user is in none). */
function place(user) {
  for (const pool of Object.values(pools)) pool.remove(user);
  if (user.busy || user.failed || user.uncertain) return;
  if (!user.confirmed && user.signupMessage && user.signedUp) pools.mailedSignup.add(user);
  if (user.confirmed && !user.disabled) {
    pools.active.add(user);
    if (user.changeMessage && user.changeAccepted) pools.mailedChange.add(user);
    else if (!user.changeKey) pools.settled.add(user);
  }
}

const users = [];
const byAddress = new Map();
let saltAddresses = 0;

const fresh = (token) => token && nowSecs() - token.at < REPLAY_WITHIN_SECS;

// Confirmation messages asked for and not yet delivered (or no longer expected).
let awaitingMail = 0;
function expectMail(user, purpose) {
  user.awaiting = { ...user.awaiting, [purpose]: true };
  awaitingMail += 1;
}
function mailSettled(user, purpose) {
  if (!user.awaiting?.[purpose]) return;
  user.awaiting[purpose] = false;
  awaitingMail -= 1;
}
// Signups of active addresses: accepted (or on their way), and those the queue consumer has decided
// (a notice in the mailbox, or a `deliver_signup suppressed` audit row, read from D1 now and then).
const resignups = { sent: 0, refused: 0, notices: 0, suppressed: 0 };
const resignupsOnTheWay = () => resignups.sent - resignups.refused - resignups.notices - resignups.suppressed;
/** Whether another message may be asked for (see `--backlog`). */
const backlogFull = () => awaitingMail + resignupsOnTheWay() >= BACKLOG;

/**
 * The kinds of request: `pick` returns what the request needs (null when no idle user qualifies);
 * `send` sends it and returns the ledger's extra fields; `after` updates the model from the answer.
 */
function kinds(w, adminSecret) {
  const aud = w.url;
  const admin = { authorization: `Bearer ${adminSecret}` };
  const fromPool = (pool, accept) => () => {
    const user = pools[pool].pick(accept);
    return user && { user };
  };
  return {
    salt: {
      pick: () => {
        const known = users.length && rng.next() < 0.5;
        return { address: known ? users[rng.int(users.length)].address : `salt-${(saltAddresses += 1)}@example.com` };
      },
      send: ({ address }) => ["POST", "/salt", { json: { address, blinded: blindedFor(saltAddresses) } }],
    },
    signup: {
      pick: () => {
        if (backlogFull()) return null;
        const user = { n: users.length, address: `load-${users.length}@example.com`, key: newKey(rng.bytes(32)) };
        users.push(user);
        byAddress.set(user.address, user);
        return { user };
      },
      send: ({ user }) => {
        const claims = claimsFor(user.address, aud, { jti: jti() });
        user.signupToken = { text: signToken("signup", claims, user.key), at: claims.iat };
        expectMail(user, "signup");
        return ["POST", "/signup", { json: { token: user.signupToken.text } }, user.key.kid, claims.jti];
      },
      after: ({ user }, ok) => {
        user.signedUp = ok;
        user.failed = !ok;
        if (!ok) mailSettled(user, "signup");
      },
    },
    confirmSignup: {
      pick: fromPool("mailedSignup"),
      send: ({ user }) => {
        const claims = claimsFor(user.address, aud, { jti: jti(), confirmation: user.signupMessage.token });
        user.confirmToken = { text: signToken("confirm", claims, user.key), at: claims.iat };
        return ["POST", "/confirm", { json: { token: user.confirmToken.text } }, user.key.kid, claims.jti];
      },
      after: ({ user }, ok) => {
        user.confirmed = ok;
        user.failed = !ok;
      },
    },
    account: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const id = jti();
        const token = requestToken(user.key, user.address, aud, { method: "GET", url: `${aud}/account`, jti: id });
        user.readToken = { text: token, at: nowSecs(), kid: user.key.kid };
        return ["GET", "/account", { headers: { authorization: `Notary ${token}` } }, user.key.kid, id];
      },
    },
    verify: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const claims = claimsFor(user.address, THIRD_PARTY, { jti: jti() });
        user.assertion = { text: signToken("assertion", claims, user.key), at: claims.iat, kid: user.key.kid };
        return ["POST", "/admin/verify", { json: { token: user.assertion.text, audience: THIRD_PARTY }, headers: admin }, user.key.kid, claims.jti];
      },
    },
    signupActive: {
      // Someone (with a key of their own) signs up with the address of an active account.
      pick: () => (backlogFull() ? null : fromPool("active")()),
      send: ({ user }) => {
        const key = newKey(rng.bytes(32));
        const claims = claimsFor(user.address, aud, { jti: jti() });
        user.signupToken = { text: signToken("signup", claims, key), at: claims.iat };
        user.resignups = (user.resignups ?? 0) + 1;
        resignups.sent += 1;
        return ["POST", "/signup", { json: { token: user.signupToken.text } }, key.kid, claims.jti];
      },
      after: (_, ok) => {
        if (!ok) resignups.refused += 1;
      },
    },
    changeSigned: {
      // The key replaced at once: the request token of the current key binds the body, which holds
      // the change token of the new key (tests/support/flows.mjs signedChange).
      pick: fromPool("settled"),
      send: ({ user }) => {
        user.nextKey = newKey(rng.bytes(32));
        const claims = claimsFor(user.address, aud, { jti: jti() });
        const body = { token: signToken("change", claims, user.nextKey) };
        const requestJti = jti();
        const authorization = requestToken(user.key, user.address, aud, {
          method: "PATCH",
          url: `${aud}/signature`,
          body: JSON.stringify(body),
          jti: requestJti,
        });
        const init = { json: body, headers: { authorization: `Notary ${authorization}` } };
        return ["PATCH", "/signature", init, user.nextKey.kid, claims.jti, [[user.key.kid, requestJti]]];
      },
      after: ({ user }, ok) => {
        if (ok) {
          user.key = user.nextKey;
          user.changed = true;
        }
        user.nextKey = null;
      },
    },
    recovery: {
      pick: () => (backlogFull() ? null : fromPool("settled")()),
      send: ({ user }) => {
        user.changeKey = newKey(rng.bytes(32));
        expectMail(user, "change");
        const claims = claimsFor(user.address, aud, { jti: jti() });
        const token = signToken("change", claims, user.changeKey);
        return ["PATCH", "/signature", { json: { token } }, user.changeKey.kid, claims.jti];
      },
      after: ({ user }, ok) => {
        if (ok) user.changeAccepted = true;
        else {
          user.changeKey = null;
          mailSettled(user, "change");
        }
      },
    },
    confirmRecovery: {
      pick: fromPool("mailedChange"),
      send: ({ user }) => {
        const claims = claimsFor(user.address, aud, { jti: jti(), confirmation: user.changeMessage.token });
        user.confirmToken = { text: signToken("confirm", claims, user.changeKey), at: claims.iat };
        return ["POST", "/confirm", { json: { token: user.confirmToken.text } }, user.changeKey.kid, claims.jti];
      },
      after: ({ user }, ok) => {
        if (ok) {
          user.key = user.changeKey;
          user.changed = true;
        }
        user.changeKey = null;
        user.changeMessage = null;
        user.changeAccepted = false;
      },
    },
    disable: {
      pick: fromPool("settled", (user) => !user.resignups),
      send: ({ user }) => {
        const claims = claimsFor(user.address, aud, { jti: jti() });
        const token = signToken("disable", claims, user.key);
        return ["DELETE", "/signature", { json: { token } }, user.key.kid, claims.jti];
      },
      after: ({ user }, ok) => {
        user.disabled = ok;
      },
    },
    adminDisable: {
      pick: fromPool("settled", (user) => !user.resignups),
      send: ({ user }) => ["POST", "/admin/disable", { json: { address: user.address }, headers: admin }],
      after: ({ user }, ok) => {
        user.disabled = ok;
      },
    },
    replayedSignup: {
      pick: fromPool("active", (user) => fresh(user.signupToken)),
      send: ({ user }) => ["POST", "/signup", { json: { token: user.signupToken.text } }],
    },
    replayedRead: {
      pick: fromPool("active", (user) => fresh(user.readToken) && user.readToken.kid === user.key.kid),
      send: ({ user }) => ["GET", "/account", { headers: { authorization: `Notary ${user.readToken.text}` } }],
    },
    forgedRead: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const token = requestToken(user.key, user.address, aud, { method: "GET", url: `${aud}/account`, jti: jti() });
        return ["GET", "/account", { headers: { authorization: `Notary ${forge(token)}` } }];
      },
    },
    replayedVerify: {
      pick: fromPool("active", (user) => fresh(user.assertion) && user.assertion.kid === user.key.kid),
      send: ({ user }) => ["POST", "/admin/verify", { json: { token: user.assertion.text, audience: THIRD_PARTY }, headers: admin }],
    },
    forgedVerify: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const token = signToken("assertion", claimsFor(user.address, THIRD_PARTY, { jti: jti() }), user.key);
        return ["POST", "/admin/verify", { json: { token: forge(token), audience: THIRD_PARTY }, headers: admin }];
      },
    },
    wrongAdminSecret: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const token = signToken("assertion", claimsFor(user.address, THIRD_PARTY, { jti: jti() }), user.key);
        return ["POST", "/admin/verify", { json: { token, audience: THIRD_PARTY }, headers: { authorization: `Bearer not-${adminSecret}` } }];
      },
    },
    unknownConfirmation: {
      pick: fromPool("active"),
      send: ({ user }) => {
        const claims = claimsFor(user.address, aud, { jti: jti(), confirmation: b64url(rng.bytes(32)) });
        return ["POST", "/confirm", { json: { token: signToken("confirm", claims, user.key) } }];
      },
    },
    replayedConfirm: {
      pick: fromPool("active", (user) => fresh(user.confirmToken)),
      send: ({ user }) => ["POST", "/confirm", { json: { token: user.confirmToken.text } }],
    },
    forgedDisable: {
      pick: fromPool("settled"),
      send: ({ user }) => {
        const token = signToken("disable", claimsFor(user.address, aud, { jti: jti() }), user.key);
        return ["DELETE", "/signature", { json: { token: forge(token) } }];
      },
    },
  };
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const ms = (value) => (Number.isFinite(value) ? Number(value.toFixed(1)) : "-");

/** Counts of `items` by `keyOf`, as a Map. */
function tally(items, keyOf) {
  const counts = new Map();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Sockets that have carried a request: a request on one of them went out on a reused connection.
 * (`request.reusedSocket` is not enough: Node 20's agent leaves it false when a request that waited
 * for a socket is handed one another request has just freed.)
 */
const carried = new WeakSet();

/**
 * One HTTP request on the kept-alive `agent`: `{ status, headers, text }`, or `{ status: 0, error,
 * reused }` when no answer came (`reused`: it went out on a reused connection and failed before any
 * answer began, so it never reached the worker).
 */
function send(agent, base, method, path, headers, body) {
  return new Promise((resolve) => {
    let reused = false;
    const request = http.request({ host: base.hostname, port: base.port, method, path, headers, agent }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
      // The answer had begun: the request reached the worker, so it is not sent again.
      response.on("error", (error) => resolve({ status: 0, error, reused: false }));
    });
    request.on("socket", (socket) => {
      reused = carried.has(socket);
      carried.add(socket);
    });
    request.on("error", (error) => resolve({ status: 0, error, reused }));
    request.end(body);
  });
}

async function main() {
  // BENCH_DEBUG also shows Miniflare's and workerd's own log (queue batches, runtime errors).
  const adjust = process.env.BENCH_DEBUG
    ? (options) => {
        options.log = new Log(LogLevel.INFO);
      }
    : undefined;
  const w = await startWorker({ vars: BENCH_VARS, rateLimits: BENCH_RATE_LIMITS, adjust });
  const base = new URL(w.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const ledger = [];
  const odd = []; // answers that are not JSON, with their headers
  const ipOf = (n) => {
    const k = n % IPS;
    return IPS <= 1 ? "127.0.0.1" : `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
  };
  let mailSeen = 0;
  let unexpectedMail = 0;
  const route = () => {
    const messages = w.mailbox.messages();
    for (; mailSeen < messages.length; mailSeen += 1) {
      const message = messages[mailSeen];
      const user = byAddress.get(message.address);
      if (user?.resignups && message.purpose === "already_registered") {
        // Which signup of the address it answers does not matter: one notice a day per address.
        resignups.notices += 1;
        continue;
      }
      if (!user || (message.purpose !== "signup" && message.purpose !== "change")) {
        unexpectedMail += 1;
        continue;
      }
      if (message.purpose === "signup") user.signupMessage = message;
      else user.changeMessage = message;
      mailSettled(user, message.purpose);
      place(user);
    }
  };
  const router = setInterval(route, 20);
  // The consumer's dropped signups of active addresses, read from D1 four times a second.
  let reading = false;
  const readSuppressed = async () => {
    if (reading) return;
    reading = true;
    try {
      const [{ n }] = await w.sql(QUERIES.suppressed);
      resignups.suppressed = n;
    } finally {
      reading = false;
    }
  };
  const suppressedReader = setInterval(() => readSuppressed().catch(() => {}), 250);

  try {
    const kindsOf = kinds(w, w.adminSecret);
    const names = Object.keys(MIX);
    const total = names.reduce((sum, name) => sum + MIX[name], 0);
    const draw = () => {
      let r = rng.next() * total;
      for (const name of names) {
        r -= MIX[name];
        if (r < 0) return name;
      }
      return names[0];
    };

    /** A request drawn from MIX. */
    async function one(n) {
      let name;
      let picked = null;
      for (let tries = 0; !picked && tries < 20; tries += 1) {
        name = draw();
        picked = kindsOf[name].pick();
      }
      if (!picked) {
        name = "salt";
        picked = kindsOf.salt.pick();
      }
      await execute(n, name, picked);
    }

    /** Sends request number `n` of kind `name` for `picked`, and keeps its answer. */
    async function execute(n, name, picked) {
      const kind = kindsOf[name];
      const user = picked.user;
      if (user) {
        user.busy = true;
        place(user);
      }
      // kid, tokenJti: the token whose key the request proposes or is signed by; moreReplays: other
      // [kid, jti] pairs a 2xx records (a signed change's request token).
      const [method, path, init, kid, tokenJti, moreReplays = []] = kind.send(picked);
      const headers = { "cf-connecting-ip": ipOf(n), ...(init.headers ?? {}) };
      let body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers["content-type"] = "application/json";
        headers["content-length"] = Buffer.byteLength(body);
      }
      const replays = kid === undefined ? moreReplays : [[kid, tokenJti], ...moreReplays];
      const entry = { n, kind: name, endpoint: EXPECT[name].endpoint, kid, jti: tokenJti, replays, address: user?.address, resent: 0 };
      const started = performance.now();
      let answer = await send(agent, base, method, path, headers, body);
      // workerd closes a kept-alive connection after some answers without saying so (see the report);
      // a request that then fails on it before any answer never reached the worker, so it goes again.
      while (answer.status === 0 && answer.reused && entry.resent < RESENDS) {
        entry.resent += 1;
        answer = await send(agent, base, method, path, headers, body);
      }
      entry.ms = performance.now() - started;
      entry.at = Date.now();
      entry.status = answer.status;
      if (answer.status === 0) {
        const connection = answer.reused ? "reused connection" : "new connection";
        const resent = entry.resent ? `, after ${entry.resent} on reused ones` : "";
        entry.networkError = `${answer.error?.code ?? answer.error?.message ?? answer.error} (${connection}${resent}, ${entry.ms.toFixed(0)} ms)`;
      } else {
        entry.contentType = answer.headers["content-type"] ?? "";
        try {
          const parsed = JSON.parse(answer.text);
          entry.json = parsed !== null && typeof parsed === "object";
          entry.code = parsed?.error;
        } catch {
          entry.json = false;
        }
        if (!entry.json || !entry.contentType.startsWith("application/json")) {
          odd.push({ kind: name, endpoint: entry.endpoint, status: entry.status, headers: answer.headers, body: answer.text.slice(0, 300) });
        }
      }
      const expect = EXPECT[name];
      entry.ok = entry.status === expect.status && (expect.code === undefined || entry.code === expect.code);
      ledger.push(entry);
      kind.after?.(picked, entry.ok);
      if (user) {
        if (entry.status === 0) {
          // Whether the worker applied it is unknown: the user takes no further part, and the
          // reconciliation accepts its rows either way.
          user.uncertain = true;
          mailSettled(user, "signup");
          mailSettled(user, "change");
        }
        user.busy = false;
        place(user);
      }
    }

    let issued = 0;
    const started = performance.now();
    // Phase 1: `--users` accounts through signup, the mailbox and confirm, so that phase 2 starts with
    // a population to read, verify, change and disable.
    let signedUp = 0;
    const warmUp = async () => {
      while (signedUp < USERS && issued + 2 <= REQUESTS) {
        signedUp += 1;
        issued += 1;
        const picked = kindsOf.signup.pick() ?? { user: null };
        if (!picked.user) {
          // The backlog is full: wait for deliveries rather than draw something else.
          signedUp -= 1;
          issued -= 1;
          await sleep(50);
          continue;
        }
        await execute(issued, "signup", picked);
        const { user } = picked;
        if (!user.signedUp || user.uncertain) continue;
        try {
          await w.mailbox.waitFor((m) => m.address === user.address && m.purpose === "signup", DRAIN_SECS * 1000);
        } catch {
          continue; // the reconciliation reports the lost message
        }
        route();
        pools.mailedSignup.remove(user);
        issued += 1;
        await execute(issued, "confirmSignup", { user });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, warmUp));
    const warmUpSeconds = (performance.now() - started) / 1000;
    const warmUpRequests = ledger.length;
    const mixStarted = performance.now();
    const mixStartedAt = Date.now();
    const loop = async () => {
      while (issued < REQUESTS) {
        issued += 1;
        await one(issued);
      }
    };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const progress = setInterval(() => {
      if (!process.env.BENCH_DEBUG) return;
      const loopLag = `Node event loop delay p50 ${(lag.percentile(50) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`;
      lag.reset();
      const sizes = Object.entries(pools).map(([name, pool]) => `${name} ${pool.items.length}`).join(", ");
      console.error(
        `[load] ${((performance.now() - started) / 1000).toFixed(0)} s: ${ledger.length} answered, ` +
          `${w.mailbox.messages().length} messages (${w.mailbox.deliveryAttempts()} POSTs), ${awaitingMail} awaited, ` +
          `${resignupsOnTheWay()} signups of active addresses undecided; ${sizes}; ${loopLag}`,
      );
    }, 5000);
    await Promise.all(Array.from({ length: CONCURRENCY }, loop));
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    const mixEndedAt = Date.now();
    const phases = {
      warmUpSeconds,
      warmUpRequests,
      mixSeconds: (performance.now() - mixStarted) / 1000,
      mixDeliveries: w.mailbox.messages().filter((m) => m.token && m.receivedAt >= mixStartedAt && m.receivedAt <= mixEndedAt).length,
    };

    // Drain: every expected confirmation delivered and every signup of an active address decided (a
    // notice or a suppressed row), then nothing more for QUIET_MS.
    const expectedMail = ledger.filter((e) => e.ok && EXPECT[e.kind].confirmation && !EXPECT[e.kind].notice).length;
    const drainStart = performance.now();
    let lastCount = -1;
    let lastChange = performance.now();
    for (;;) {
      route();
      await readSuppressed();
      const count = w.mailbox.messages().filter((m) => m.token).length;
      const activity = w.mailbox.messages().length + w.mailbox.deliveryAttempts() + resignups.suppressed;
      if (activity !== lastCount) {
        lastCount = activity;
        lastChange = performance.now();
      }
      const settled = count >= expectedMail && resignupsOnTheWay() <= 0;
      if (settled && performance.now() - lastChange >= QUIET_MS) break;
      if (performance.now() - drainStart > DRAIN_SECS * 1000) break;
      await sleep(100);
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    route();

    const checks = await reconcile(w, ledger, odd, unexpectedMail);
    const messages = w.mailbox.messages();
    const notices = messages.filter((m) => m.purpose === "already_registered").length;
    report({ ledger, odd, seconds, phases, drainSeconds, checks, delivery: deliveryDelays(ledger, messages), notices });
    if (checks.some((check) => !check.ok)) process.exitCode = 1;
  } finally {
    clearInterval(router);
    clearInterval(suppressedReader);
    agent.destroy();
    await w.close();
  }
}

/** Seconds from each 202 that asked for a confirmation to the message's arrival in the mailbox. */
function deliveryDelays(ledger, messages) {
  const asked = groupBy(
    ledger.filter((e) => e.ok && EXPECT[e.kind].confirmation && !EXPECT[e.kind].notice),
    (e) => `${EXPECT[e.kind].confirmation} ${e.address}`,
  );
  const arrived = groupBy(messages.filter((m) => m.token), (m) => `${m.purpose} ${m.address}`);
  const delays = [];
  for (const [key, entries] of asked) {
    const received = (arrived.get(key) ?? []).map((m) => m.receivedAt).sort((a, b) => a - b);
    entries.sort((a, b) => a.at - b.at).forEach((entry, i) => {
      if (received[i] !== undefined) delays.push(Math.max(0, received[i] - entry.at) / 1000);
    });
  }
  return delays.sort((a, b) => a - b);
}

/**
 * Problems where `actual` is not `expected` give or take `maybe` (rows of requests that got no
 * answer: each may or may not have been applied).
 */
function compare(expected, actual, maybe = new Map(), limit = 8) {
  const lines = [];
  for (const key of new Set([...expected.keys(), ...actual.keys(), ...maybe.keys()])) {
    const [e, a, m] = [expected.get(key) ?? 0, actual.get(key) ?? 0, maybe.get(key) ?? 0];
    if (a < e || a > e + m) lines.push(`${key}: expected ${m ? `${e} to ${e + m}` : e}, found ${a}`);
  }
  return lines.length > limit ? [...lines.slice(0, limit), `... ${lines.length - limit} more`] : lines;
}

/** Compares D1 and the mailbox with the ledger; returns `{ check, ok, detail }` rows. */
async function reconcile(w, ledger, odd, unexpectedMail) {
  const checks = [];
  const check = (name, problems) => checks.push({ check: name, ok: problems.length === 0, detail: problems.slice(0, 8).join("; ") || "ok" });
  const accepted = ledger.filter((e) => e.ok && e.status >= 200 && e.status < 300);
  const unanswered = ledger.filter((e) => e.status === 0);

  // The answers themselves.
  // For a token request that got no answer, its replay rows say whether the worker applied it.
  const replayRows = await w.sql(QUERIES.replay);
  const recorded = new Set(replayRows.map((r) => `${r.key_id} ${r.jti}`));
  const applied = (e) => {
    if (!EXPECT[e.kind].replay || !e.replays.length) return "";
    const found = e.replays.filter(([kid, id]) => recorded.has(`${kid} ${id}`)).length;
    return found === e.replays.length ? ", applied" : found === 0 ? ", not applied" : ", partly applied";
  };
  check("every request answered", [...tally(unanswered, (e) => `${e.endpoint}: ${e.networkError}${applied(e)}`)].map(([k, n]) => `${k} ×${n}`));
  check("no 5xx", [...tally(ledger.filter((e) => e.status >= 500), (e) => `${e.endpoint} ${e.status}`)].map(([k, n]) => `${k} ×${n}`));
  check("every body JSON, Content-Type application/json", [...tally(odd, (o) => `${o.endpoint} ${o.status} ${o.headers["content-type"] ?? "no content-type"}`)].map(([k, n]) => `${k} ×${n}`));
  check("every refusal has an error code", ledger.filter((e) => e.status >= 400 && e.json && typeof e.code !== "string").map((e) => `${e.endpoint} ${e.status}`));
  check(
    "every answer as expected (status, code)",
    [...tally(ledger.filter((e) => !e.ok && e.status !== 0), (e) => `${e.kind}: ${e.status} ${e.code ?? ""}`.trim())].map(([k, n]) => `${k} ×${n}`),
  );

  // replay: exactly the tokens of the accepted token-bearing requests.
  const replaysOf = (entries) => entries.filter((e) => EXPECT[e.kind].replay).flatMap((e) => e.replays.map(([kid, id]) => `${kid} ${id}`));
  check(
    "replay rows = 2xx token requests",
    compare(
      tally(replaysOf(accepted), (key) => key),
      tally(replayRows, (r) => `${r.key_id} ${r.jti}`),
      tally(replaysOf(unanswered), (key) => key),
    ),
  );

  // confirmations: one row per 202 signup/recovery (an active address's too); used by exactly the 200 confirms.
  const confirmationRows = await w.sql(QUERIES.confirmations);
  const proposalKey = (e) => `${EXPECT[e.kind].confirmation} ${e.address} ${e.kid}`;
  check(
    "confirmation rows = 202 signups/recoveries",
    compare(
      tally(accepted.filter((e) => EXPECT[e.kind].confirmation), proposalKey),
      tally(confirmationRows, (r) => `${r.purpose} ${r.address} ${r.key_id}`),
      tally(unanswered.filter((e) => EXPECT[e.kind].confirmation), proposalKey),
    ),
  );
  const confirms = (entries) => entries.filter((e) => e.kind === "confirmSignup" || e.kind === "confirmRecovery");
  const confirmKey = (e) => `${e.kind === "confirmSignup" ? "signup" : "change"} ${e.address} ${e.kid}`;
  check(
    "confirmations used = 200 confirms",
    compare(
      tally(confirms(accepted), confirmKey),
      tally(confirmationRows.filter((r) => r.confirmed), (r) => `${r.purpose} ${r.address} ${r.key_id}`),
      tally(confirms(unanswered), confirmKey),
    ),
  );

  // accounts: the model's confirmed users, with their current key and status (users with a request
  // that got no answer are left out: their state is unknown).
  const uncertain = new Set(users.filter((u) => u.uncertain).map((u) => u.address));
  const accountRows = (await w.sql(QUERIES.accounts)).filter((r) => !uncertain.has(r.address));
  check(
    "account rows = confirmed signups, keys, disables",
    compare(
      tally(
        users.filter((u) => u.confirmed && !u.uncertain),
        (u) => `${u.address} ${u.key.kid} ${u.disabled ? "disabled" : "active"}${u.changed ? " changed" : ""}`,
      ),
      tally(accountRows, (r) => `${r.address} ${r.key_id} ${r.status}${r.changed ? " changed" : ""}`),
    ),
  );

  // audit: counts per (action, outcome).
  const auditOf = (entries) => {
    const counts = new Map();
    for (const entry of entries) {
      for (const [action, outcome] of EXPECT[entry.kind].audit ?? []) {
        counts.set(`${action} ${outcome}`, (counts.get(`${action} ${outcome}`) ?? 0) + 1);
      }
    }
    return counts;
  };
  // The queue consumer's own rows: each accepted signup of an active address that got no notice
  // (one a day per address) is dropped with `deliver_signup suppressed`.
  const messages = w.mailbox.messages();
  const notices = messages.filter((m) => m.purpose === "already_registered");
  const expectedAudit = auditOf(ledger.filter((e) => e.ok));
  const resignedUp = accepted.filter((e) => EXPECT[e.kind].notice);
  const suppressed = resignedUp.length - notices.length;
  if (suppressed) expectedAudit.set("deliver_signup suppressed", suppressed);
  const auditRows = await w.sql(QUERIES.audit);
  check(
    "audit rows = answers (and suppressed notices)",
    compare(expectedAudit, new Map(auditRows.map((r) => [`${r.action} ${r.outcome}`, r.n])), auditOf(unanswered)),
  );

  // mail: one message per confirmation row of a new address or a recovery (an active address's signup
  // row gets none), none lost, none duplicated, no redelivery.
  const noticeKeys = new Set(resignedUp.map((e) => `${e.address} ${e.kid}`));
  const mailed = confirmationRows.filter((r) => !(r.purpose === "signup" && noticeKeys.has(`${r.address} ${r.key_id}`)));
  const mailProblems = compare(
    tally(mailed, (r) => `${r.purpose} ${r.address} ${r.token_hash}`),
    tally(messages.filter((m) => m.token), (m) => `${m.purpose} ${m.address} ${sha256(m.token)}`),
  ).map((line) => line.replace(/^(\S+ \S+) \S+:/, "$1 <token>:"));
  for (const [key, n] of tally(messages, (m) => m.idempotencyKey)) if (n > 1) mailProblems.push(`Idempotency-Key ${key} ×${n}`);
  const attempts = w.mailbox.deliveryAttempts();
  if (attempts !== messages.length) mailProblems.push(`${attempts} delivery POSTs for ${messages.length} messages`);
  if (unexpectedMail) mailProblems.push(`${unexpectedMail} messages for no user of this run or of another purpose`);
  check(`mailbox: one confirmation per row of a new address or a recovery (${messages.length - notices.length})`, mailProblems);

  // already_registered: exactly one notice per active address signed up again, recorded in `notices`.
  const noticeProblems = compare(
    new Map([...new Set(resignedUp.map((e) => e.address))].map((address) => [address, 1])),
    tally(notices, (m) => m.address),
    new Map([...new Set(unanswered.filter((e) => EXPECT[e.kind].notice).map((e) => e.address))].map((address) => [address, 1])),
  );
  const noticeRows = await w.sql(QUERIES.notices);
  noticeProblems.push(
    ...compare(
      tally(notices, (m) => m.idempotencyKey),
      tally(noticeRows, (r) => r.idempotency_key),
    ).map((line) => `notices row ${line}`),
  );
  check(`mailbox: one already_registered notice per address signed up again (${notices.length})`, noticeProblems);

  const [{ n: emailCount }] = await w.sql(QUERIES.emailBudget);
  check(
    "email budget counts = 202 signups/recoveries",
    compare(
      new Map([["emails", accepted.filter((e) => EXPECT[e.kind].confirmation).length]]),
      new Map([["emails", emailCount]]),
      new Map([["emails", unanswered.filter((e) => EXPECT[e.kind].confirmation).length]]),
    ),
  );

  const tables = new Set((await w.sql(QUERIES.tables)).map((r) => r.name));

  // Tables no request of this mix writes to.
  for (const table of EMPTY_TABLES.filter((t) => tables.has(t))) {
    const [{ n }] = await w.sql(QUERIES.mustBeEmpty(table));
    check(`${table} empty`, n ? [`${n} rows`] : []);
  }
  return checks;
}

function report({ ledger, odd, seconds, phases, drainSeconds, checks, delivery, notices }) {
  const latencyRow = (entries) => {
    const latencies = entries.map((e) => e.ms).sort((a, b) => a - b);
    return { requests: entries.length, "p50 ms": ms(percentile(latencies, 50)), "p99 ms": ms(percentile(latencies, 99)) };
  };
  const rows = [...groupBy(ledger, (e) => e.kind)].map(([kind, entries]) => {
    const { requests, ...latency } = latencyRow(entries);
    return {
      kind,
      endpoint: EXPECT[kind].endpoint,
      requests,
      statuses: [...tally(entries, (e) => e.status)].map(([s, n]) => `${s}×${n}`).join(" "),
      "as expected": entries.filter((e) => e.ok).length,
      ...latency,
    };
  });
  const byEndpoint = [...groupBy(ledger, (e) => e.endpoint)].map(([endpoint, entries]) => ({ endpoint, ...latencyRow(entries) }));
  const all = ledger.map((e) => e.ms).sort((a, b) => a - b);
  const resent = ledger.filter((e) => e.resent > 0);
  console.log(
    `\nLoad: ${ledger.length} requests, concurrency ${CONCURRENCY}, seed ${SEED}, ${IPS} client IP(s), backlog ${BACKLOG}: ` +
      `${seconds.toFixed(1)} s = ${Math.round(ledger.length / seconds)} req/s; p50 ${ms(percentile(all, 50))} ms, p99 ${ms(percentile(all, 99))} ms. ` +
      `State under ${tmpdir()}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
  );
  const mixRequests = ledger.length - phases.warmUpRequests;
  console.log(
    `Phase 1 (${USERS} users signed up and confirmed): ${phases.warmUpRequests} requests in ${phases.warmUpSeconds.toFixed(1)} s; ` +
      `phase 2 (the mix): ${mixRequests} requests in ${phases.mixSeconds.toFixed(1)} s = ${Math.round(mixRequests / phases.mixSeconds)} req/s.`,
  );
  console.log(`Statuses: ${[...tally(ledger, (e) => e.status)].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ")}`);
  console.log(
    `Confirmation messages: ${delivery.length} delivered, p50 ${percentile(delivery, 50)?.toFixed(1)} s, p99 ${percentile(delivery, 99)?.toFixed(1)} s ` +
      `after the 202; ${phases.mixDeliveries} of them arrived during the mix (${(phases.mixDeliveries / phases.mixSeconds).toFixed(1)}/s); ` +
      `the queue was drained ${drainSeconds.toFixed(1)} s after the last answer.`,
  );
  const resignedUp = ledger.filter((e) => e.ok && EXPECT[e.kind].notice);
  console.log(
    `Signups of active addresses: ${resignedUp.length} accepted for ${new Set(resignedUp.map((e) => e.address)).size} addresses; ` +
      `${notices} already_registered notices delivered, ${resignups.suppressed} suppressed by the queue consumer.`,
  );
  if (resent.length) {
    console.log(
      `${resent.length} requests were sent again on a new connection: workerd had closed the kept-alive one after ` +
        `an earlier answer without announcing it (${[...tally(resent, (e) => e.endpoint)].map(([k, n]) => `${k} ×${n}`).join(", ")}).`,
    );
  }
  console.table(rows);
  console.table(byEndpoint);
  if (odd.length) {
    console.log(`${odd.length} answers were not JSON; the first few:`);
    for (const sample of odd.slice(0, 5)) console.log(JSON.stringify(sample));
  }
  console.table(checks.map(({ check, ok, detail }) => ({ check, verdict: ok ? "PASS" : "FAIL", detail })));
  console.log(checks.every((c) => c.ok) ? "Reconciliation: PASS" : "Reconciliation: FAIL");
}

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

await main();

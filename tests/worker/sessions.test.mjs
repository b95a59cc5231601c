// Sessions (issue 13, /work/notes/sessions-spec.md) against the built worker in workerd, with tokens
// from tests/support/tokens.mjs: creating a session (POST /sessions), using it (GET /account, GET
// /sessions), ending one, all or all others; idle and absolute expiry and renewal, with time moved by
// ageing the D1 rows (the worker's clock cannot be moved); replay and every kind a session key may not
// sign; what ends every session (key change, recovery, disable, admin disable); the guess budget;
// the cap of 32 sessions; the configuration; the audit rows; and the one-read rule, counted with the
// bindings wrapped (tests/support/trips.mjs).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  adminVerify,
  createSession,
  freshAddress,
  getAccount,
  keyFetch,
  markVersion1,
  nextMessage,
  postConfirm,
  postDisable,
  postRecovery,
  postSalt,
  postSession,
  sessionFetch,
  signUpAndConfirm,
  signedChange,
  withinOneHour,
} from "../support/flows.mjs";
import {
  claimsFor,
  newKey,
  now,
  requestToken,
  sessionRequestToken,
  sessionToken,
  signToken,
} from "../support/tokens.mjs";
import { startCountingWorker } from "../support/trips.mjs";
import { read, startWorker } from "../support/worker.mjs";

const THIRD_PARTY = "https://shop.example";
const INFO_KEYS = ["created_at", "current", "expires_at", "id", "idle_expires_at", "label", "last_used_at"];

/** GET /account signed by the session key. */
const sessionAccount = (w, address, sessionKey) => sessionFetch(w, address, sessionKey, "GET", "/account");
/** GET /sessions signed by `key`: a session key (`session: true`) or the account key. */
const listWith = async (w, address, key, session = true) =>
  read(await (session ? sessionFetch : keyFetch)(w, address, key, "GET", "/sessions"));

/** Moves a session `secs` seconds into the past: every time of its row, as if it had been made that much earlier. */
async function age(w, id, secs) {
  await w.sql(
    "UPDATE sessions SET created_at = created_at - ?2, last_used_at = last_used_at - ?2, idle_expires_at = idle_expires_at - ?2, expires_at = expires_at - ?2 WHERE id = ?1",
    id,
    secs,
  );
}

const sessionRow = async (w, id) => (await w.sql("SELECT * FROM sessions WHERE id = ?", id))[0];
const liveSessionIds = async (w, address) =>
  (await w.sql(
    "SELECT s.id FROM sessions AS s JOIN accounts AS a ON a.id = s.account_id WHERE a.address = ?1 ORDER BY s.id",
    address,
  )).map((r) => r.id);

/** The id of the last audit row (0 when there is none): rows after it are the ones a request wrote. */
const lastAuditId = async (w) => (await w.sql("SELECT COALESCE(MAX(id), 0) AS id FROM audit"))[0].id;
/** The audit rows written after `mark`, as "action/outcome". */
const auditSince = async (w, mark) =>
  (await w.sql("SELECT action, outcome FROM audit WHERE id > ?1 ORDER BY id", mark)).map((r) => `${r.action}/${r.outcome}`);
/** Sends one request; resolves `{ res, audit }`: the answer (read) and the audit rows it wrote ("action/outcome"). */
async function audited(w, send) {
  const mark = await lastAuditId(w);
  const res = await read(await send());
  return { res, audit: await auditSince(w, mark) };
}

/** Asserts that `res` (read) is a 401 with `code`. */
function refused(res, code, message) {
  assert.equal(res.body?.error, code, `${message ?? ""} ${res.text}`);
  assert.equal(res.status, 401, message);
}

describe("sessions: create, use, list, end", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("POST /sessions answers 201 with the session (current); the session key then signs GET /account", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("create"));
    const device = newKey();
    const before = now();
    const res = await read(await postSession(w, address, key, device, { label: "Chromium on Linux" }));
    const afterwards = now();
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body), ["session"]);
    const info = res.body.session;
    assert.deepEqual(Object.keys(info).sort(), INFO_KEYS);
    assert.match(info.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(Buffer.from(info.id, "base64url").length, 16);
    assert.equal(info.label, "Chromium on Linux");
    assert.equal(info.current, true);
    assert.ok(info.created_at >= before && info.created_at <= afterwards);
    assert.equal(info.last_used_at, info.created_at);
    assert.equal(info.idle_expires_at, info.created_at + 43200, "SESSION_IDLE_SECS defaults to 12 h");
    assert.equal(info.expires_at, info.created_at + 604800, "SESSION_MAX_SECS defaults to 7 days");

    const bySession = await read(await sessionAccount(w, address, device));
    assert.equal(bySession.status, 200, bySession.text);
    const byKey = await read(await getAccount(w, address, key));
    assert.deepEqual(bySession.body, byKey.body, "the same answer as the account key's");
    assert.equal(bySession.body.key_id, key.kid, "the account's key, not the session's");

    const unlabelled = await read(await postSession(w, address, key, newKey()));
    assert.equal(unlabelled.status, 201);
    assert.equal(unlabelled.body.session.label, "");
    assert.notEqual(unlabelled.body.session.id, info.id);
  });

  test("GET /sessions lists the account's live sessions, most recently used first, the signing one current, labels shown", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("list"));
    const laptop = await createSession(w, address, key, { label: "Firefox on Linux" });
    const phone = await createSession(w, address, key, { label: "Safari on iOS" });
    const bare = await createSession(w, address, key);
    const stranger = await signUpAndConfirm(w, freshAddress("list-other"));
    await createSession(w, stranger.address, stranger.key, { label: "not theirs" });
    // Distinct last uses (created within a second of each other): phone, then bare, then laptop.
    const t = now();
    for (const [session, lastUsed] of [[phone, t - 10], [bare, t - 20], [laptop, t - 30]]) {
      await w.sql("UPDATE sessions SET last_used_at = ? WHERE id = ?", lastUsed, session.info.id);
    }
    const byKey = await listWith(w, address, key, false);
    assert.equal(byKey.status, 200, byKey.text);
    assert.deepEqual(Object.keys(byKey.body), ["sessions"]);
    assert.deepEqual(byKey.body.sessions.map((s) => s.id), [phone, bare, laptop].map((s) => s.info.id));
    assert.deepEqual(byKey.body.sessions.map((s) => s.label), ["Safari on iOS", "", "Firefox on Linux"]);
    assert.ok(byKey.body.sessions.every((s) => s.current === false), "the account key is no session");
    for (const s of byKey.body.sessions) assert.deepEqual(Object.keys(s).sort(), INFO_KEYS);

    // Listing with the laptop uses it: it comes first, marked current, its last use now.
    const before = now();
    const byLaptop = await listWith(w, address, laptop.key);
    assert.equal(byLaptop.status, 200, byLaptop.text);
    assert.deepEqual(byLaptop.body.sessions.map((s) => s.id), [laptop, phone, bare].map((s) => s.info.id));
    assert.deepEqual(byLaptop.body.sessions.map((s) => s.current), [true, false, false]);
    assert.ok(byLaptop.body.sessions[0].last_used_at >= before);
  });

  test("DELETE /sessions/{id} ends that session only; the session or the account key may sign it", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("end-one"));
    const [a, b, c] = [await createSession(w, address, key), await createSession(w, address, key), await createSession(w, address, key)];
    const ended = await read(await sessionFetch(w, address, a.key, "DELETE", `/sessions/${b.info.id}`));
    assert.equal(ended.status, 200, ended.text);
    assert.deepEqual(ended.body, { status: "ended", ended: 1 });
    refused(await read(await sessionAccount(w, address, b.key)), "unknown_key", "the ended session");
    assert.equal((await sessionAccount(w, address, a.key)).status, 200);
    assert.equal((await sessionAccount(w, address, c.key)).status, 200);

    const byKey = await read(await keyFetch(w, address, key, "DELETE", `/sessions/${c.info.id}`));
    assert.deepEqual(byKey.body, { status: "ended", ended: 1 });
    refused(await read(await sessionAccount(w, address, c.key)), "unknown_key");
    // A session may end itself.
    const itself = await read(await sessionFetch(w, address, a.key, "DELETE", `/sessions/${a.info.id}`));
    assert.deepEqual(itself.body, { status: "ended", ended: 1 });
    refused(await read(await sessionAccount(w, address, a.key)), "unknown_key");
    assert.deepEqual(await liveSessionIds(w, address), []);
    assert.equal((await getAccount(w, address, key)).status, 200, "the account key is untouched");
  });

  test("DELETE /sessions ends every session of the account, the signing one included", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("end-all"));
    const sessions = [await createSession(w, address, key), await createSession(w, address, key), await createSession(w, address, key)];
    const other = await signUpAndConfirm(w, freshAddress("end-all-other"));
    const theirs = await createSession(w, other.address, other.key);
    const res = await read(await sessionFetch(w, address, sessions[0].key, "DELETE", "/sessions"));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: "ended", ended: 3 });
    for (const s of sessions) refused(await read(await sessionAccount(w, address, s.key)), "unknown_key");
    assert.equal((await sessionAccount(w, other.address, theirs.key)).status, 200, "another account's session lives on");
    // Signed by the account key: ended 0 when there is none left.
    const again = await read(await keyFetch(w, address, key, "DELETE", "/sessions"));
    assert.deepEqual(again.body, { status: "ended", ended: 0 });
  });

  test("DELETE /sessions?except=current ends every other session; signed by the account key it is 400 invalid_request", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("end-others"));
    const [mine, x, y] = [await createSession(w, address, key), await createSession(w, address, key), await createSession(w, address, key)];
    const byKey = await read(await keyFetch(w, address, key, "DELETE", "/sessions?except=current"));
    assert.equal(byKey.status, 400, byKey.text);
    assert.equal(byKey.body.error, "invalid_request");
    assert.equal((await liveSessionIds(w, address)).length, 3, "nothing ended");

    const res = await read(await sessionFetch(w, address, mine.key, "DELETE", "/sessions?except=current"));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: "ended", ended: 2 });
    refused(await read(await sessionAccount(w, address, x.key)), "unknown_key");
    refused(await read(await sessionAccount(w, address, y.key)), "unknown_key");
    const list = await listWith(w, address, mine.key);
    assert.deepEqual(list.body.sessions.map((s) => [s.id, s.current]), [[mine.info.id, true]]);
  });

  test("an unknown id, an ended one or another account's is 404 unknown_session, and nothing changes", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("unknown-id"));
    const mine = await createSession(w, address, key);
    const gone = await createSession(w, address, key);
    assert.equal((await keyFetch(w, address, key, "DELETE", `/sessions/${gone.info.id}`)).status, 200);
    const other = await signUpAndConfirm(w, freshAddress("unknown-id-other"));
    const theirs = await createSession(w, other.address, other.key);
    const before = { mine: await sessionRow(w, mine.info.id), theirs: await sessionRow(w, theirs.info.id) };
    for (const [label, id] of [
      ["random", Buffer.alloc(16, 7).toString("base64url")],
      ["ended", gone.info.id],
      ["another account's", theirs.info.id],
      ["not an id", "x"],
    ]) {
      for (const [signer, send] of [["session", () => sessionFetch(w, address, mine.key, "DELETE", `/sessions/${id}`)], ["account key", () => keyFetch(w, address, key, "DELETE", `/sessions/${id}`)]]) {
        const res = await read(await send());
        assert.equal(res.status, 404, `${label} by the ${signer}: ${res.text}`);
        assert.equal(res.body.error, "unknown_session", label);
      }
    }
    assert.deepEqual(await sessionRow(w, theirs.info.id), before.theirs, "another account's session is untouched");
    assert.equal((await sessionAccount(w, other.address, theirs.key)).status, 200);
    assert.equal((await sessionRow(w, mine.info.id)).id, mine.info.id);
    assert.equal((await sessionAccount(w, address, mine.key)).status, 200);
  });

  test("audit: session_create and session_end, under the signing key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("audit"));
    const rows = (action, kid) => w.sql("SELECT outcome, key_id, address_hash FROM audit WHERE action = ?1 AND key_id = ?2 ORDER BY id", action, kid);
    const a = await createSession(w, address, key);
    const b = await createSession(w, address, key);
    const created = [...(await rows("session_create", a.key.kid)), ...(await rows("session_create", b.key.kid))];
    assert.equal(created.length, 2, "one session_create per session, with the session key's id");
    assert.ok(created.every((r) => r.outcome === "ok" && r.address_hash));
    assert.equal((await keyFetch(w, address, key, "DELETE", `/sessions/${b.info.id}`)).status, 200);
    assert.equal((await sessionFetch(w, address, a.key, "DELETE", "/sessions")).status, 200);
    const byKey = await rows("session_end", key.kid);
    const bySession = await rows("session_end", a.key.kid);
    assert.equal(byKey.length, 1, "ended by the account key");
    assert.equal(bySession.length, 1, "ended by the session key");
    assert.equal(byKey[0].outcome, "ok");
    assert.equal(byKey[0].address_hash, created[0].address_hash);
    // A refused end is audited too, and ends nothing.
    const c = await createSession(w, address, key);
    const refusedEnd = await read(await keyFetch(w, address, key, "DELETE", `/sessions/${Buffer.alloc(16).toString("base64url")}`));
    assert.equal(refusedEnd.status, 404);
    const refusals = await w.sql("SELECT * FROM audit WHERE action = 'session_end' AND outcome = 'unknown_session' AND address_hash = ?", created[0].address_hash);
    assert.equal(refusals.length, 1);
    assert.equal((await sessionAccount(w, address, c.key)).status, 200);
  });
});

describe("POST /sessions: what is refused", () => {
  let w;
  let user;
  before(async () => {
    w = await startWorker();
    user = await signUpAndConfirm(w, freshAddress("refusals"));
  });
  after(() => w?.close());

  test("a session key already registered is 409 key_in_use", async () => {
    const device = newKey();
    assert.equal((await postSession(w, user.address, user.key, device)).status, 201);
    const again = await read(await postSession(w, user.address, user.key, device));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error, "key_in_use");
    const other = await signUpAndConfirm(w, freshAddress("refusals-other"));
    const theirs = await read(await postSession(w, other.address, other.key, device));
    assert.equal(theirs.status, 409, "another account cannot take it either");
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM sessions WHERE key_id = ?", device.kid))[0].n, 1);
  });

  test("the account key itself in cnf is refused; nothing is stored", async () => {
    const res = await read(await postSession(w, user.address, user.key, user.key));
    refused(res, "invalid_token", "section 9.14: the session key MUST NOT be the account key (invalid_token, 401 as in section 7.7)");
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM sessions WHERE key_id = ?", user.key.kid))[0].n, 0);
    refused(await read(await sessionAccount(w, user.address, user.key)), "unknown_key", "the account key is no session key");
  });

  test("a session token signed by a session key is unknown_key: a session certifies no other session", async () => {
    const device = await createSession(w, user.address, user.key);
    const next = newKey();
    refused(await read(await postSession(w, user.address, device.key, next)), "unknown_key");
    assert.equal((await w.sql("SELECT COUNT(*) AS n FROM sessions WHERE key_id = ?", next.kid))[0].n, 0);
  });

  test("another subject, a bad label, a weak cnf key, an unknown account key, a replayed token", async () => {
    const other = freshAddress("nobody");
    const wrongSubject = await read(await postSession(w, other, user.key, newKey()));
    refused(wrongSubject, "wrong_subject");
    for (const label of ["", "x".repeat(65), "line\nbreak", "tab\there", "\u0007bell"]) {
      const res = await read(await postSession(w, user.address, user.key, newKey(), { label }));
      refused(res, "invalid_token", JSON.stringify(label));
    }
    // Format characters (general category Cf): a bidirectional override, zero-width characters.
    for (const label of ["Chromium \u202Eeldoo", "zero\u200Bwidth", "\u2066isolate\u2069", "bom\uFEFF"]) {
      const device = newKey();
      const res = await read(await postSession(w, user.address, user.key, device, { label }));
      refused(res, "invalid_token", JSON.stringify(label));
      assert.equal((await w.sql("SELECT COUNT(*) AS n FROM sessions WHERE key_id = ?", device.kid))[0].n, 0, `nothing stored for ${JSON.stringify(label)}`);
    }
    const longest = await read(await postSession(w, user.address, user.key, newKey(), { label: "é".repeat(64) }));
    assert.equal(longest.status, 201, "64 characters are fine");
    const weak = { jwk: { kty: "OKP", crv: "Ed25519", x: Buffer.alloc(32).toString("base64url") } };
    const weakRes = await read(await postSession(w, user.address, user.key, newKey(), { claims: { cnf: weak } }));
    assert.equal(weakRes.body.error, "weak_key", weakRes.text);
    refused(await read(await postSession(w, user.address, newKey(), newKey())), "unknown_key");
    const token = sessionToken(user.key, user.address, w.publicUri, newKey());
    assert.equal((await w.fetch("/sessions", { json: { token } })).status, 201);
    refused(await read(await w.fetch("/sessions", { json: { token } })), "replayed");
  });

  test("LEGACY_SIGN_IN=off: a version-1 key cannot create a session", async () => {
    const strict = await startWorker({ vars: { LEGACY_SIGN_IN: "off" } });
    try {
      const { address, key } = await signUpAndConfirm(strict, freshAddress("legacy"));
      const device = await createSession(strict, address, key);
      await markVersion1(strict, address);
      refused(await read(await postSession(strict, address, key, newKey())), "legacy_key_retired");
      refused(await read(await sessionAccount(strict, address, device.key)), "legacy_key_retired", "nor use one it made before");
    } finally {
      await strict.close();
    }
  });
});

describe("expiry and renewal (SESSION_IDLE_SECS 60, SESSION_MAX_SECS 120)", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { SESSION_IDLE_SECS: "60", SESSION_MAX_SECS: "120" } });
  });
  after(() => w?.close());

  test("a new session's ends come from the configuration", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("config-ends"));
    const { info } = await createSession(w, address, key);
    assert.equal(info.idle_expires_at - info.created_at, 60);
    assert.equal(info.expires_at - info.created_at, 120);
  });

  test("idle expiry: unused for longer than SESSION_IDLE_SECS, the session is unknown_key; a younger one lives", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("idle"));
    const idle = await createSession(w, address, key);
    const recent = await createSession(w, address, key);
    await age(w, idle.info.id, 61);
    await age(w, recent.info.id, 30);
    refused(await read(await sessionAccount(w, address, idle.key)), "unknown_key", "idle");
    assert.equal((await sessionAccount(w, address, recent.key)).status, 200);
    // Not listed, and not endable by id.
    const list = await listWith(w, address, key, false);
    assert.deepEqual(list.body.sessions.map((s) => s.id), [recent.info.id]);
    const end = await read(await keyFetch(w, address, key, "DELETE", `/sessions/${idle.info.id}`));
    assert.equal(end.status, 404);
    assert.equal(end.body.error, "unknown_session");
  });

  test("renewal: each use moves the idle end to now + SESSION_IDLE_SECS, never past the absolute end, which then ends the session however recently used", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("renew"));
    const { key: device, info } = await createSession(w, address, key);

    // 50 s later (10 s of idle time left), a use renews it.
    await age(w, info.id, 50);
    const t1 = now();
    assert.equal((await sessionAccount(w, address, device)).status, 200);
    const t1end = now();
    const renewed = await sessionRow(w, info.id);
    assert.ok(renewed.last_used_at >= t1 && renewed.last_used_at <= t1end);
    assert.equal(renewed.idle_expires_at, renewed.last_used_at + 60, "idle end moved to now + 60");
    assert.equal(renewed.expires_at, info.expires_at - 50, "the absolute end does not move");

    // 50 s later again (100 s old, used 50 s ago): 20 s to the absolute end; the renewal stops there.
    await age(w, info.id, 50);
    assert.equal((await sessionAccount(w, address, device)).status, 200, "within idle and absolute ends");
    const capped = await sessionRow(w, info.id);
    assert.ok(capped.last_used_at >= t1);
    assert.equal(capped.idle_expires_at, capped.expires_at, "renewal stops at the absolute end");
    assert.ok(capped.expires_at - capped.last_used_at <= 21);
    const listed = await listWith(w, address, device);
    assert.equal(listed.body.sessions[0].idle_expires_at, listed.body.sessions[0].expires_at);

    // 21 s later: 121 s old, used 21 s ago (well within the idle time), past the absolute end.
    await age(w, info.id, 21);
    const row = await sessionRow(w, info.id);
    assert.ok(now() - row.last_used_at < 60, "recently used");
    assert.ok(row.expires_at < now(), "past its absolute end");
    refused(await read(await sessionAccount(w, address, device)), "unknown_key", "absolute expiry");
    assert.deepEqual((await listWith(w, address, key, false)).body.sessions, []);
  });

  test("the scheduled cleanup deletes expired sessions and keeps live ones", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("cron"));
    const expired = await createSession(w, address, key);
    const live = await createSession(w, address, key);
    await age(w, expired.info.id, 61);
    await w.scheduled();
    assert.equal(await sessionRow(w, expired.info.id), undefined);
    assert.equal((await sessionRow(w, live.info.id)).id, live.info.id);
    assert.equal((await sessionAccount(w, address, live.key)).status, 200);
  });

  test("DELETE /sessions and ?except=current answer `ended` = the number of live sessions ended, not counting expired ones", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("ended-live"));
    const all = [await createSession(w, address, key), await createSession(w, address, key), await createSession(w, address, key)];
    const expired = await createSession(w, address, key);
    await age(w, expired.info.id, 61);
    const res = await read(await keyFetch(w, address, key, "DELETE", "/sessions"));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { status: "ended", ended: 3 });
    for (const s of all) refused(await read(await sessionAccount(w, address, s.key)), "unknown_key");

    const [mine, other] = [await createSession(w, address, key), await createSession(w, address, key)];
    const stale = await createSession(w, address, key);
    await age(w, stale.info.id, 61);
    const others = await read(await sessionFetch(w, address, mine.key, "DELETE", "/sessions?except=current"));
    assert.equal(others.status, 200, others.text);
    assert.deepEqual(others.body, { status: "ended", ended: 1 });
    refused(await read(await sessionAccount(w, address, other.key)), "unknown_key");
    assert.equal((await sessionAccount(w, address, mine.key)).status, 200);
  });
});

describe("replay and the kinds a session key may not sign", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("a session request is single use: 401 replayed, its jti kept under the session key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("replay"));
    const device = await createSession(w, address, key);
    for (const path of ["/account", "/sessions"]) {
      const token = sessionRequestToken(device.key, address, w.publicUri, { url: `${w.publicUri}${path}` });
      const send = () => w.fetch(path, { headers: { authorization: `Notary ${token}` } });
      assert.equal((await send()).status, 200, path);
      refused(await read(await send()), "replayed", path);
      const { jti } = JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
      assert.equal((await w.sql("SELECT * FROM replay WHERE key_id = ?1 AND jti = ?2", device.key.kid, jti)).length, 1);
    }
    // Fifty parallel copies: one success.
    const token = sessionRequestToken(device.key, address, w.publicUri, { url: `${w.publicUri}/account` });
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => read(await w.fetch("/account", { headers: { authorization: `Notary ${token}` } }))),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error === "replayed"));
  });

  test("a session request is refused with wrong_token_type everywhere else: key change, disable, confirm, admin verify, POST /sessions", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("kinds"));
    const device = await createSession(w, address, key);
    const sessionReq = (method, path, body = "") =>
      sessionRequestToken(device.key, address, w.publicUri, { method, url: `${w.publicUri}${path}`, body });
    const changeBody = JSON.stringify({ token: signToken("change", claimsFor(address, w.publicUri), newKey()) });
    const cases = [
      ["PATCH /signature, signed by the session (Authorization)", () =>
        w.fetch("/signature", { method: "PATCH", json: changeBody, headers: { authorization: `Notary ${sessionReq("PATCH", "/signature", changeBody)}` } }), 401],
      ["PATCH /signature, as the change token", () =>
        w.fetch("/signature", { method: "PATCH", json: { token: sessionReq("PATCH", "/signature") } }), 401],
      ["DELETE /signature", () => w.fetch("/signature", { method: "DELETE", json: { token: sessionReq("DELETE", "/signature") } }), 401],
      ["POST /confirm", () => w.fetch("/confirm", { json: { token: sessionReq("POST", "/confirm") } }), 401],
      ["POST /signup", () => w.fetch("/signup", { json: { token: sessionReq("POST", "/signup") } }), 401],
      ["POST /admin/verify", () => adminVerify(w, sessionReq("POST", "/admin/verify"), w.publicUri), 422],
      ["POST /sessions", () => w.fetch("/sessions", { json: { token: sessionReq("POST", "/sessions") } }), 401],
    ];
    for (const [label, send, status] of cases) {
      const res = await read(await send());
      assert.equal(res.body?.error, "wrong_token_type", `${label}: ${res.text}`);
      assert.equal(res.status, status, label);
    }
    const [row] = await w.sql("SELECT status, key_id FROM accounts WHERE address = ?", address);
    assert.deepEqual(row, { status: "active", key_id: key.kid }, "the credentials are unchanged");
    assert.deepEqual(await liveSessionIds(w, address), [device.info.id]);
    assert.equal((await sessionAccount(w, address, device.key)).status, 200);
  });

  test("a session key signing an account-key kind is unknown_key: request, disable, change, assertion", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("typ"));
    const device = await createSession(w, address, key);
    refused(await read(await getAccount(w, address, device.key)), "unknown_key", "notary-request+jwt at GET /account");
    refused(await read(await keyFetch(w, address, device.key, "GET", "/sessions")), "unknown_key", "notary-request+jwt at GET /sessions");
    refused(await read(await keyFetch(w, address, device.key, "DELETE", "/sessions")), "unknown_key", "notary-request+jwt at DELETE /sessions");
    refused(await read(await postDisable(w, address, device.key)), "unknown_key", "notary-disable+jwt at DELETE /signature");
    refused(await read(await signedChange(w, address, device.key, newKey())), "unknown_key", "signed change");
    const assertion = await read(await adminVerify(w, signToken("assertion", claimsFor(address, THIRD_PARTY), device.key), THIRD_PARTY));
    assert.equal(assertion.status, 404);
    assert.equal(assertion.body.error, "unknown_key");
    const [row] = await w.sql("SELECT status, key_id FROM accounts WHERE address = ?", address);
    assert.deepEqual(row, { status: "active", key_id: key.kid });
    assert.deepEqual(await liveSessionIds(w, address), [device.info.id]);
  });

  test("a session request whose sub is another account is refused and reads nothing of it", async () => {
    const mine = await signUpAndConfirm(w, freshAddress("sub-mine"));
    const theirs = await signUpAndConfirm(w, freshAddress("sub-theirs"));
    const device = await createSession(w, mine.address, mine.key);
    const res = await read(await sessionAccount(w, theirs.address, device.key));
    refused(res, "wrong_subject");
    assert.ok(!res.text.includes(theirs.address));
  });

  test("a revoked session is unknown_key everywhere it was accepted", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("revoked"));
    const device = await createSession(w, address, key);
    assert.equal((await keyFetch(w, address, key, "DELETE", `/sessions/${device.info.id}`)).status, 200);
    refused(await read(await sessionAccount(w, address, device.key)), "unknown_key");
    refused(await listWith(w, address, device.key), "unknown_key");
    refused(await read(await sessionFetch(w, address, device.key, "DELETE", "/sessions")), "unknown_key");
  });
});

describe("what ends every session: key change, recovery, disable, admin disable", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  /** An account with two sessions. */
  async function withSessions(label) {
    const user = await signUpAndConfirm(w, freshAddress(label));
    const sessions = [await createSession(w, user.address, user.key), await createSession(w, user.address, user.key)];
    for (const s of sessions) assert.equal((await sessionAccount(w, user.address, s.key)).status, 200);
    return { ...user, sessions };
  }

  async function allEnded({ address, sessions }) {
    for (const s of sessions) refused(await read(await sessionAccount(w, address, s.key)), "unknown_key");
    const rows = await w.sql(`SELECT id FROM sessions WHERE id IN (${sessions.map(() => "?").join(",")})`, ...sessions.map((s) => s.info.id));
    assert.deepEqual(rows, [], "their rows are deleted");
  }

  test("a signed key change (PATCH /signature)", async () => {
    const user = await withSessions("ends-change");
    const next = newKey();
    assert.equal((await read(await signedChange(w, user.address, user.key, next))).status, 200);
    await allEnded(user);
    // The new key's sessions work.
    const fresh = await createSession(w, user.address, next);
    assert.equal((await sessionAccount(w, user.address, fresh.key)).status, 200);
  });

  test("a recovery confirmed by email", async () => {
    const user = await withSessions("ends-recovery");
    const next = newKey();
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    assert.equal((await postRecovery(w, user.address, next)).status, 202);
    const mail = await nextMessage(w, user.address, "change", seen);
    for (const s of user.sessions) assert.equal((await sessionAccount(w, user.address, s.key)).status, 200, "not before the confirmation");
    assert.equal((await read(await postConfirm(w, user.address, next, mail.token))).status, 200);
    await allEnded(user);
  });

  test("the move of a version-1 account, confirmed by email", async () => {
    const user = await withSessions("ends-move");
    await markVersion1(w, user.address);
    const v2 = newKey();
    const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
    assert.equal((await signedChange(w, user.address, user.key, v2)).status, 202);
    const mail = await nextMessage(w, user.address, "change", seen);
    assert.equal((await read(await postConfirm(w, user.address, v2, mail.token))).status, 200);
    await allEnded(user);
  });

  test("a disable (DELETE /signature)", async () => {
    const user = await withSessions("ends-disable");
    assert.equal((await postDisable(w, user.address, user.key)).status, 200);
    await allEnded(user);
  });

  test("an admin disable (POST /admin/disable)", async () => {
    const user = await withSessions("ends-admin");
    const res = await w.fetch("/admin/disable", { json: { address: user.address }, headers: { authorization: `Bearer ${w.adminSecret}` } });
    assert.equal(res.status, 200);
    await allEnded(user);
  });

  test("a key change leaves other accounts' sessions alone", async () => {
    const user = await withSessions("ends-mine");
    const bystander = await withSessions("ends-bystander");
    assert.equal((await read(await signedChange(w, user.address, user.key, newKey()))).status, 200);
    for (const s of bystander.sessions) assert.equal((await sessionAccount(w, bystander.address, s.key)).status, 200);
  });
});

describe("sessions and the guess budget", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "10", GUESSES_PER_ADDRESS_PER_DAY: "30" } });
  });
  after(() => w?.close());

  test("a session request does not reset the budget; POST /sessions, a sign-in, does", async () => {
    await withinOneHour(20_000);
    const { address, key } = await signUpAndConfirm(w, freshAddress("budget"));
    const device = await createSession(w, address, key);
    for (let i = 0; i < 10; i += 1) assert.equal((await postSalt(w, address, { ip: "198.18.0.7" })).status, 200);
    assert.equal((await postSalt(w, address)).status, 429);
    assert.equal((await sessionAccount(w, address, device.key)).status, 200);
    assert.equal((await listWith(w, address, device.key)).status, 200);
    assert.equal((await postSalt(w, address)).status, 429, "still spent after session requests");
    assert.equal((await postSession(w, address, key, newKey())).status, 201);
    assert.equal((await postSalt(w, address)).status, 200, "reset by creating a session");
  });
});

describe("at most 32 sessions per account", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("the 33rd session ends the least recently used one", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("cap"));
    const other = await signUpAndConfirm(w, freshAddress("cap-other"));
    const theirs = await createSession(w, other.address, other.key);
    const sessions = [];
    for (let i = 0; i < 31; i += 1) sessions.push(await createSession(w, address, key, { label: `device ${i}` }));
    const mark = await lastAuditId(w);
    sessions.push(await createSession(w, address, key, { label: "device 31" }));
    assert.deepEqual(await auditSince(w, mark), ["session_create/ok"], "the 32nd ends none");
    assert.equal((await liveSessionIds(w, address)).length, 32);
    // Distinct last uses: session 5 the least recent, the others after it.
    const t = now();
    for (const [i, s] of sessions.entries()) {
      await w.sql("UPDATE sessions SET last_used_at = ? WHERE id = ?", i === 5 ? t - 1000 : t - 500 + i, s.info.id);
    }
    const { res: newest, audit } = await audited(w, () => postSession(w, address, key, newKey(), { label: "the 33rd" }));
    assert.equal(newest.status, 201, newest.text);
    assert.deepEqual(audit, ["session_create/ok", "session_end/evicted"], "the eviction is audited");
    const [evicted] = await w.sql("SELECT address_hash FROM audit WHERE action = 'session_end' AND outcome = 'evicted' ORDER BY id DESC LIMIT 1");
    const [created] = await w.sql("SELECT address_hash FROM audit WHERE action = 'session_create' AND key_id = ?", sessions[0].key.kid);
    assert.equal(evicted.address_hash, created.address_hash, "under the account's address");
    assert.equal(newest.body.session.current, true);
    const ids = await liveSessionIds(w, address);
    assert.equal(ids.length, 32);
    assert.ok(!ids.includes(sessions[5].info.id), "the least recently used is gone");
    assert.ok(ids.includes(newest.body.session.id));
    refused(await read(await sessionAccount(w, address, sessions[5].key)), "unknown_key");
    for (const i of [0, 4, 6, 31]) assert.equal((await sessionAccount(w, address, sessions[i].key)).status, 200, `session ${i}`);
    assert.equal((await sessionAccount(w, other.address, theirs.key)).status, 200, "another account's session is untouched");
  });

  test("an expired session is evicted before the least recently used live one, even if used more recently", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("cap-expired"));
    const sessions = [];
    for (let i = 0; i < 32; i += 1) sessions.push(await createSession(w, address, key, { label: `device ${i}` }));
    const t = now();
    for (const [i, s] of sessions.entries()) {
      await w.sql("UPDATE sessions SET last_used_at = ? WHERE id = ?", i === 5 ? t - 1000 : t - 500 + i, s.info.id);
    }
    // Session 9: the most recently used, but past its absolute end.
    await w.sql("UPDATE sessions SET last_used_at = ?1, idle_expires_at = ?2, expires_at = ?2 WHERE id = ?3", t - 10, t - 1, sessions[9].info.id);
    const { res, audit } = await audited(w, () => postSession(w, address, key, newKey(), { label: "the 33rd" }));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(audit, ["session_create/ok", "session_end/evicted"]);
    const ids = await liveSessionIds(w, address);
    assert.equal(ids.length, 32);
    assert.ok(!ids.includes(sessions[9].info.id), "the expired session is gone");
    assert.ok(ids.includes(sessions[5].info.id), "the least recently used live session stays");
    assert.equal((await sessionAccount(w, address, sessions[5].key)).status, 200);
  });
});

describe("configuration of the session lifetimes", () => {
  test("SESSION_IDLE_SECS and SESSION_MAX_SECS out of 60 <= idle <= max <= 31536000 are 503 misconfigured", async () => {
    for (const [label, vars] of [
      ["idle above max", { SESSION_IDLE_SECS: "121", SESSION_MAX_SECS: "120" }],
      ["idle below 60", { SESSION_IDLE_SECS: "59", SESSION_MAX_SECS: "120" }],
      ["max above a year", { SESSION_IDLE_SECS: "60", SESSION_MAX_SECS: "31536001" }],
      ["idle not a number", { SESSION_IDLE_SECS: "twelve hours" }],
      ["max negative", { SESSION_MAX_SECS: "-1" }],
      ["max empty", { SESSION_MAX_SECS: "" }],
    ]) {
      const w = await startWorker({ vars });
      try {
        for (const path of ["/health", "/sessions"]) {
          const res = await read(await w.fetch(path));
          assert.equal(res.status, 503, `${label} ${path}: ${res.text}`);
          assert.equal(res.body.error, "misconfigured", label);
        }
      } finally {
        await w.close();
      }
    }
  });

  test("the edges of the range are accepted", async () => {
    for (const vars of [
      { SESSION_IDLE_SECS: "60", SESSION_MAX_SECS: "60" },
      { SESSION_IDLE_SECS: "31536000", SESSION_MAX_SECS: "31536000" },
    ]) {
      const w = await startWorker({ vars });
      try {
        assert.equal((await w.fetch("/health")).status, 200, JSON.stringify(vars));
        const { address, key } = await signUpAndConfirm(w, freshAddress("edges"));
        const { info } = await createSession(w, address, key);
        assert.equal(info.idle_expires_at - info.created_at, Number(vars.SESSION_IDLE_SECS));
        assert.equal(info.expires_at - info.created_at, Number(vars.SESSION_MAX_SECS));
      } finally {
        await w.close();
      }
    }
  });
});

describe("the one-read rule", () => {
  let w;
  before(async () => {
    w = await startCountingWorker();
  });
  after(() => w?.close());

  /**
   * One request: its answer (read), its D1 calls in order ("D1 first", "D1 batch", ...), every call
   * that left the isolate, and the audit rows it wrote. The counts are answered once the request and
   * whatever it left to waitUntil are done (tests/support/trips.mjs), so nothing is missed.
   */
  async function callsOf(send) {
    await w.resetTrips();
    const { res, audit } = await audited(w, send);
    const { calls } = await w.calls();
    return { res, audit, calls, d1: calls.filter((c) => c.startsWith("D1 ")) };
  }

  const READS = new Set(["D1 first", "D1 all", "D1 raw"]);

  test("a session-signed GET /account and GET /sessions: one D1 read, then the write batch", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("one-read"));
    const device = await createSession(w, address, key);
    await createSession(w, address, key);
    for (const [label, send, check] of [
      ["GET /account", () => sessionAccount(w, address, device.key), (body) => assert.equal(body.address, address)],
      ["GET /sessions", () => sessionFetch(w, address, device.key, "GET", "/sessions"), (body) => assert.equal(body.sessions.length, 2)],
    ]) {
      const { res, d1 } = await callsOf(send);
      assert.equal(res.status, 200, `${label}: ${res.text}`);
      check(res.body);
      assert.equal(d1.length, 2, `${label}: ${d1.join(", ")}`);
      assert.ok(READS.has(d1[0]), `${label}: the one read comes first (${d1.join(", ")})`);
      assert.equal(d1[1], "D1 batch", `${label}: then the batch`);
    }
  });

  test("a refused session request (no such session) costs the one read, then the audit row's one write", async () => {
    const { address } = await signUpAndConfirm(w, freshAddress("one-read-refused"));
    const { res, d1, audit } = await callsOf(() => sessionAccount(w, address, newKey()));
    refused(res, "unknown_key");
    assert.deepEqual(d1, ["D1 first", "D1 run"], "the session lookup, then the refusal's audit row");
    assert.deepEqual(audit, ["session_use/unknown_key"]);
  });

  test("DELETE /sessions/{id}: one D1 read and one batch, for a live id and for an unknown one (404 unknown_session, audited so, nothing ended)", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("one-read-end"));
    const [a, b, c] = [await createSession(w, address, key), await createSession(w, address, key), await createSession(w, address, key)];

    const live = await callsOf(() => sessionFetch(w, address, a.key, "DELETE", `/sessions/${b.info.id}`));
    assert.equal(live.res.status, 200, live.res.text);
    assert.deepEqual(live.res.body, { status: "ended", ended: 1 });
    assert.deepEqual(live.d1, ["D1 first", "D1 batch"], "live id");
    assert.deepEqual(live.audit, ["session_end/ok"]);
    assert.deepEqual(await liveSessionIds(w, address), [a.info.id, c.info.id].sort());

    const unknown = Buffer.alloc(16, 9).toString("base64url");
    for (const [signer, send] of [
      ["account key", () => keyFetch(w, address, key, "DELETE", `/sessions/${unknown}`)],
      ["session", () => sessionFetch(w, address, a.key, "DELETE", `/sessions/${unknown}`)],
    ]) {
      const rowOfC = await sessionRow(w, c.info.id);
      const refusal = await callsOf(send);
      assert.equal(refusal.res.status, 404, `${signer}: ${refusal.res.text}`);
      assert.equal(refusal.res.body.error, "unknown_session", signer);
      assert.deepEqual(refusal.d1, ["D1 first", "D1 batch"], `unknown id by the ${signer}`);
      assert.deepEqual(refusal.audit, ["session_end/unknown_session"], signer);
      assert.deepEqual(await liveSessionIds(w, address), [a.info.id, c.info.id].sort(), `${signer}: nothing ended`);
      assert.deepEqual(await sessionRow(w, c.info.id), rowOfC, `${signer}: another session untouched`);
    }
  });

  test("DELETE /sessions/{id} of an expired session: 404 unknown_session, its row left to the cleanup", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("one-read-expired"));
    const expired = await createSession(w, address, key);
    await age(w, expired.info.id, 43201); // past SESSION_IDLE_SECS (default 43200)
    const before = await sessionRow(w, expired.info.id);
    const { res, d1, audit } = await callsOf(() => keyFetch(w, address, key, "DELETE", `/sessions/${expired.info.id}`));
    assert.equal(res.status, 404, res.text);
    assert.equal(res.body.error, "unknown_session");
    assert.deepEqual(d1, ["D1 first", "D1 batch"]);
    assert.deepEqual(audit, ["session_end/unknown_session"]);
    assert.deepEqual(await sessionRow(w, expired.info.id), before, "nothing changes");
  });
});

describe("the audit rows of listing sessions and of refused session requests", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("GET /sessions is audited session_list (ok) under the signing key, a session's or the account key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("audit-list"));
    const device = await createSession(w, address, key);
    for (const [signer, signing, send] of [
      ["session", device.key, sessionFetch],
      ["account key", key, keyFetch],
    ]) {
      const mark = await lastAuditId(w);
      const res = await read(await send(w, address, signing, "GET", "/sessions"));
      assert.equal(res.status, 200, `${signer}: ${res.text}`);
      const rows = await w.sql("SELECT action, outcome, key_id FROM audit WHERE id > ?1 ORDER BY id", mark);
      assert.deepEqual(rows, [{ action: "session_list", outcome: "ok", key_id: signing.kid }], signer);
    }
  });

  test("a refused GET /sessions is audited session_list with its code: replayed, unknown_key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("audit-list-refused"));
    const device = await createSession(w, address, key);
    const token = sessionRequestToken(device.key, address, w.publicUri, { url: `${w.publicUri}/sessions` });
    const send = () => w.fetch("/sessions", { headers: { authorization: `Notary ${token}` } });
    assert.deepEqual((await audited(w, send)).audit, ["session_list/ok"]);
    const replayed = await audited(w, send);
    refused(replayed.res, "replayed");
    assert.deepEqual(replayed.audit, ["session_list/replayed"]);
    for (const [signer, send] of [
      ["an unknown session key", () => sessionFetch(w, address, newKey(), "GET", "/sessions")],
      ["an unknown account key", () => keyFetch(w, address, newKey(), "GET", "/sessions")],
    ]) {
      const { res, audit } = await audited(w, send);
      refused(res, "unknown_key", signer);
      assert.deepEqual(audit, ["session_list/unknown_key"], signer);
    }
  });

  test("a refused session-signed GET /account is audited session_use; a refused account-key one stays sign_in", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("audit-use"));
    const device = await createSession(w, address, key);
    const url = `${w.publicUri}/account`;
    const once = (token) => () => w.fetch("/account", { headers: { authorization: `Notary ${token}` } });
    const bySession = once(sessionRequestToken(device.key, address, w.publicUri, { url }));
    const byKey = once(requestToken(key, address, w.publicUri, { url }));
    assert.equal((await bySession()).status, 200);
    assert.equal((await byKey()).status, 200);
    for (const [label, send, code, row] of [
      ["an unknown session key", () => sessionAccount(w, address, newKey()), "unknown_key", "session_use/unknown_key"],
      ["a replayed session request", bySession, "replayed", "session_use/replayed"],
      ["an unknown account key", () => getAccount(w, address, newKey()), "unknown_key", "sign_in/unknown_key"],
      ["a replayed request token", byKey, "replayed", "sign_in/replayed"],
    ]) {
      const { res, audit } = await audited(w, send);
      refused(res, code, label);
      assert.deepEqual(audit, [row], label);
    }
  });
});

describe("POST /sessions when a change of key or a disable commits between its read and its batch", () => {
  // The hook of tests/support/trips.mjs runs the change right before the worker's batch: the worker
  // has read the account with the key that certified the session, the batch sees another key (or a
  // disabled account), which is the interleaving of two concurrent requests, made certain.
  let w;
  before(async () => {
    w = await startCountingWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "10", GUESSES_PER_ADDRESS_PER_DAY: "30" } });
  });
  after(() => w?.close());

  /** POST /sessions with `statements` committed between the worker's read and its batch. */
  async function createRacing(address, key, statements) {
    const device = newKey();
    await w.beforeNextBatch(statements);
    await w.resetTrips();
    const { res, audit } = await audited(w, () => postSession(w, address, key, device, { label: "raced" }));
    const { calls } = await w.calls();
    assert.deepEqual(calls.filter((c) => c.startsWith("D1 ")), ["D1 first", "D1 batch"], "the change came between the read and the batch");
    return { device, res, audit };
  }

  const storedWith = async (device) => (await w.sql("SELECT COUNT(*) AS n FROM sessions WHERE key_id = ?", device.kid))[0].n;

  test("a change of key: 401 unknown_key, no session stored, audited session_create/unknown_key, the guess budget not reset", async () => {
    await withinOneHour(30_000);
    const { address, key } = await signUpAndConfirm(w, freshAddress("race-change"));
    for (let i = 0; i < 10; i += 1) assert.equal((await postSalt(w, address)).status, 200);
    assert.equal((await postSalt(w, address)).status, 429, "the guess budget is spent");
    const next = newKey();
    const { device, res, audit } = await createRacing(address, key, [{
      sql: "UPDATE accounts SET key_id = ?1, public_key = ?2, key_changed_at = ?3 WHERE address = ?4 AND status = 'active'",
      params: [next.kid, next.x, now(), address],
    }]);
    refused(res, "unknown_key");
    assert.equal(await storedWith(device), 0, "no session stored");
    assert.deepEqual(audit, ["session_create/unknown_key"], "one audit row, and not ok");
    const [row] = await w.sql("SELECT key_id FROM audit WHERE action = 'session_create' ORDER BY id DESC LIMIT 1");
    assert.equal(row.key_id, device.kid);
    assert.equal((await postSalt(w, address)).status, 429, "no reset of the guess budget");
    refused(await read(await sessionAccount(w, address, device)), "unknown_key", "the session key signs nothing");

    // The same request under the new key is a sign-in: stored, audited ok, the budget reset.
    const fresh = newKey();
    const created = await audited(w, () => postSession(w, address, next, fresh));
    assert.equal(created.res.status, 201, created.res.text);
    assert.deepEqual(created.audit, ["session_create/ok"]);
    assert.equal((await postSalt(w, address)).status, 200, "reset by the session that was stored");
  });

  test("a disable: 401 unknown_key, no session stored, audited session_create/unknown_key", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("race-disable"));
    const { device, res, audit } = await createRacing(address, key, [{
      sql: "UPDATE accounts SET status = 'disabled', disabled_at = ?1 WHERE address = ?2 AND status = 'active'",
      params: [now(), address],
    }]);
    refused(res, "unknown_key");
    assert.equal(await storedWith(device), 0);
    assert.deepEqual(audit, ["session_create/unknown_key"]);
  });

  test("without a change in between, the same path stores the session (the hook alone changes nothing)", async () => {
    const { address, key } = await signUpAndConfirm(w, freshAddress("race-none"));
    const { device, res, audit } = await createRacing(address, key, [{ sql: "SELECT 1" }]);
    assert.equal(res.status, 201, res.text);
    assert.equal(await storedWith(device), 1);
    assert.deepEqual(audit, ["session_create/ok"]);
  });
});

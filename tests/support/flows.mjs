// The user-side steps of the Notary protocol against a worker started by tests/support/worker.mjs,
// with tokens from tests/support/tokens.mjs: sign up, read the emailed confirmation, confirm, sign in,
// change the key, disable, and sessions (create one, sign requests with it).

import { randomBlinded } from "./oprf.mjs";
import { claimsFor, newKey, requestToken, sessionRequestToken, sessionToken, signToken } from "./tokens.mjs";
import { read } from "./worker.mjs";

let counter = 0;
/** A fresh address for each test, so tests do not share accounts or per-address limits. */
export function freshAddress(label = "user") {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** POST /signup with a signup token signed by `key`. */
export async function postSignup(w, address, key, init = {}) {
  const token = signToken("signup", claimsFor(address, w.publicUri), key);
  return w.fetch("/signup", { json: { token }, ...init });
}

/** Waits for the next message to `address` with `purpose` that is not in `seen` (idempotency keys). */
export async function nextMessage(w, address, purpose, seen = new Set(), timeoutMs = 10_000) {
  return w.mailbox.waitFor(
    (m) => m.address === address && m.purpose === purpose && !seen.has(m.idempotencyKey),
    timeoutMs,
  );
}

/** POST /confirm carrying `confirmation`, signed by `key`. */
export async function postConfirm(w, address, key, confirmation, init = {}) {
  const token = signToken("confirm", claimsFor(address, w.publicUri, { confirmation }), key);
  return w.fetch("/confirm", { json: { token }, ...init });
}

/** GET /account signed by `key`. */
export async function getAccount(w, address, key, init = {}) {
  const token = requestToken(key, address, w.publicUri, { method: "GET", url: `${w.publicUri}/account` });
  return w.fetch("/account", { headers: { authorization: `Notary ${token}` }, ...init });
}

/** Signs up and confirms `address` with a new (or the given) key; returns `{ address, key, message, account }`. */
export async function signUpAndConfirm(w, address = freshAddress(), key = newKey()) {
  const seen = new Set(w.mailbox.messages().map((m) => m.idempotencyKey));
  const signup = await read(await postSignup(w, address, key));
  if (signup.status !== 202) throw new Error(`signup answered ${signup.status} ${signup.text}`);
  const message = await nextMessage(w, address, "signup", seen);
  const confirmed = await read(await postConfirm(w, address, key, message.token));
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status} ${confirmed.text}`);
  return { address, key, message, account: confirmed.body };
}

/** POST /admin/verify as the operator. */
export async function adminVerify(w, token, audience, init = {}) {
  return w.fetch("/admin/verify", {
    json: { token, audience },
    headers: { authorization: `Bearer ${w.adminSecret}` },
    ...init,
  });
}

/** PATCH /signature without Authorization: a recovery proposing `newKey`, confirmed by email. */
export async function postRecovery(w, address, newKey, init = {}) {
  const token = signToken("change", claimsFor(address, w.publicUri), newKey);
  return w.fetch("/signature", { method: "PATCH", json: { token }, ...init });
}

/**
 * PATCH /signature signed by the current key: `Authorization: Notary <request token of currentKey>`
 * binding the method, the URL and the body, which holds the change token of `newKey`.
 */
export async function signedChange(w, address, currentKey, newKey, init = {}) {
  const body = JSON.stringify({ token: signToken("change", claimsFor(address, w.publicUri), newKey) });
  const url = `${w.publicUri}/signature`;
  const authorization = `Notary ${requestToken(currentKey, address, w.publicUri, { method: "PATCH", url, body })}`;
  return w.fetch("/signature", { method: "PATCH", json: body, headers: { authorization }, ...init });
}

/** DELETE /signature with a disable token signed by `key`. */
export async function postDisable(w, address, key, init = {}) {
  const token = signToken("disable", claimsFor(address, w.publicUri), key);
  return w.fetch("/signature", { method: "DELETE", json: { token }, ...init });
}

/**
 * POST /salt {address, blinded, ticket?}. `blinded` defaults to a fresh random blinded element (tests
 * about the server's side); pass one from oprf.mjs's blindPassword to finalize the answer.
 */
export async function postSalt(w, address, { blinded = randomBlinded(), ticket, ...init } = {}) {
  const json = ticket === undefined ? { address, blinded } : { address, blinded, ticket };
  return w.fetch("/salt", { json, ...init });
}

/** POST /salt/ticket {address}. */
export async function postTicketRequest(w, address, init = {}) {
  return w.fetch("/salt/ticket", { json: { address }, ...init });
}

/** Marks `address`'s active account as derived the version-1 way, as migration 0003 leaves existing accounts. */
export async function markVersion1(w, address) {
  await w.sql("UPDATE accounts SET kdf_version = 1 WHERE address = ?1 AND status = 'active'", address);
}

/**
 * Turns `address`'s active account into what migration 0003 leaves behind when a client of the
 * package signs in: its key replaced by the version-1 key of `password` (derived by `client`, a
 * `NotaryClient` of notary-client), and `kdf_version` 1. `sql(query, ...params)` runs on the worker's
 * D1. Resolves to that key (a `KeyPair` the caller frees).
 */
export async function replaceWithVersion1Key(sql, client, address, password) {
  const evaluation = await client.evaluate(address, password);
  const legacy = evaluation.deriveLegacyKey();
  evaluation.free();
  await sql(
    "UPDATE accounts SET kdf_version = 1, key_id = ?, public_key = ? WHERE address = ? AND status = 'active'",
    legacy.keyId,
    legacy.publicJwk.x,
    address,
  );
  return legacy;
}

/**
 * Waits for the next clock hour when less than `needMs` is left of this one, so that a test counting
 * against the guess budget's hourly (and daily) windows runs within one window.
 */
export async function withinOneHour(needMs) {
  await freshWindow(3600, needMs);
}

/** Waits, when less than `needMs` is left of the current `periodSecs` window of the clock, for the next one. */
export async function freshWindow(periodSecs, needMs) {
  const left = periodSecs * 1000 - (Date.now() % (periodSecs * 1000));
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * POST /sessions: `accountKey` certifies `sessionKey` (with `label` when given) for `address`.
 * `init.claims` adds or overrides claims of the session token.
 */
export async function postSession(w, address, accountKey, sessionKey, { label, claims = {}, ...init } = {}) {
  const token = sessionToken(accountKey, address, w.publicUri, sessionKey, label, claims);
  return w.fetch("/sessions", { json: { token }, ...init });
}

/** Creates a session of a new (or the given) key for `address`; resolves `{ key, info }` (201's SessionInfo). */
export async function createSession(w, address, accountKey, { sessionKey = newKey(), label } = {}) {
  const res = await read(await postSession(w, address, accountKey, sessionKey, { label }));
  if (res.status !== 201) throw new Error(`POST /sessions answered ${res.status} ${res.text}`);
  return { key: sessionKey, info: res.body.session };
}

function signedFetch(w, token, method, path, { body, headers = {}, ...init }) {
  const finalHeaders = { authorization: `Notary ${token}`, ...headers };
  if (body === undefined) return w.fetch(path, { method, headers: finalHeaders, ...init });
  return w.fetch(path, { method, json: body, headers: finalHeaders, ...init });
}

/**
 * `method path` (path from the origin, with its query) signed by the session key `sessionKey` of
 * `address`: a session request binding the method, the URL and `init.body` (a string; none = empty).
 */
export async function sessionFetch(w, address, sessionKey, method, path, init = {}) {
  const url = `${w.publicUri}${path}`;
  const token = sessionRequestToken(sessionKey, address, w.publicUri, { method, url, body: init.body ?? "" });
  return signedFetch(w, token, method, path, init);
}

/** {@link sessionFetch} signed by the account key instead (a `notary-request+jwt`). */
export async function keyFetch(w, address, accountKey, method, path, init = {}) {
  const url = `${w.publicUri}${path}`;
  const token = requestToken(accountKey, address, w.publicUri, { method, url, body: init.body ?? "" });
  return signedFetch(w, token, method, path, init);
}

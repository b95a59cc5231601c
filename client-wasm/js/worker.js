// The Web Worker of notary-client (a module worker, started by worker-client.js). It holds the
// session's key pairs in its own WebAssembly memory and does every derivation, signature and request
// here, off the page's thread; the page only ever receives addresses, key ids, public keys, server
// answers and tokens meant for third parties. Operations run one at a time, in the order sent.
//
// Messages in:  { id, op, args }
// Messages out: { id, progress }              while an operation runs (evaluation, key derivation, sign-in)
//               { id, ok: true, value }       when it succeeds
//               { id, ok: false, error: { code, message, status, retryAfter } } when it fails

import { WorkerClientCode } from "./errors.js";
import { NotaryClient, NotaryError, ready, releaseKdfMemory } from "./index.js";
import { deleteSession, loadSession, saveSession } from "./session-store.js";

/** @type {NotaryClient | null} */
let client = null;
/** @type {import("./index.js").KeyPair | null} the session's key */
let current = null;
/**
 * @type {import("./index.js").KeyPair | null} the key of a new password until the change is
 * confirmed, or the version-2 key of an account moving to protocol version 2
 */
let pending = null;
/**
 * @type {import("./index.js").Session | null} the device's session: when there is one, it signs
 * `account` and `signedFetch` instead of the account key
 */
let session = null;
let queue = Promise.resolve();

function needClient() {
  if (!client) throw new NotaryError(WorkerClientCode.WorkerError, "the worker was not initialised with a base URL");
  return client;
}

function needCurrent() {
  if (!current) throw new NotaryError(WorkerClientCode.NoKey, "no key in this session: derive one first");
  return current;
}

function needSession() {
  if (!session) throw new NotaryError(WorkerClientCode.NoSession, "no session: create or resume one first");
  return session;
}

/** What the page learns about the session: never the key. */
function describeSession(s) {
  return s
    ? {
        id: s.id,
        address: s.address,
        keyId: s.keyId,
        label: s.label,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
        persistent: s.persistent,
      }
    : null;
}

/** Forgets the session in this worker and its stored copy (what a sign-out leaves behind). */
async function dropSession() {
  session?.free();
  session = null;
  await deleteSession(needClient().baseUrl).catch(() => {
    // No IndexedDB (or it fails): there is nothing stored to delete.
  });
}

function needPending() {
  if (!pending) throw new NotaryError(WorkerClientCode.NoPendingKey, "no new key in this session: derive one first");
  return pending;
}

function describe(key) {
  return key ? { address: key.address, keyId: key.keyId, publicJwk: key.publicJwk } : null;
}

/**
 * Evaluates the password for the address (POST /salt), then derives its key of kdf_version 2
 * (Argon2id), telling the page when the slow step starts and how long it took. With
 * `verifyServerKey` the server is asked twice and must answer with one key (`oprf_key_varies`).
 */
async function evaluateAndDerive({ address, password, ticket, verifyServerKey }, progress) {
  progress({ phase: "evaluate" });
  const evaluation = await needClient().evaluate(address, password, { ticket, verifyServerKey });
  try {
    progress({ phase: "start" });
    const started = performance.now();
    const key = evaluation.deriveKey();
    progress({ phase: "done", ms: Math.round(performance.now() - started) });
    return key;
  } finally {
    evaluation.free();
  }
}

/**
 * `signIn`'s progress as the page sees it: the client's `derive` phases become `start` and `done`
 * (with the milliseconds), as for `deriveKey`; `evaluate`, `sign-in` and `upgrade` pass through.
 */
function signInProgress(progress) {
  let deriving = null;
  const finishDerivation = () => {
    if (deriving === null) return;
    progress({ phase: "done", ms: Math.round(performance.now() - deriving) });
    deriving = null;
  };
  return {
    onProgress(event) {
      finishDerivation();
      if (event?.phase === "derive") {
        deriving = performance.now();
        progress({ phase: "start", kdfVersion: event.kdfVersion });
      } else if (event?.phase) {
        progress({ phase: event.phase });
      }
    },
    finishDerivation,
  };
}

/** Frees the account key and the new key of a change of password (zeroised). */
function dropAccountKeys() {
  current?.free();
  pending?.free();
  current = null;
  pending = null;
}

function forgetKeys() {
  dropAccountKeys();
  session?.free();
  session = null;
}

const operations = {
  async init({ baseUrl }) {
    const { simd } = await ready();
    client?.free();
    client = new NotaryClient(baseUrl);
    return { simd, baseUrl: client.baseUrl };
  },

  // The account key, made again (a sign-in, or one step that needs the password while a device
  // session signs the rest): it replaces the account keys; a device session of the same account
  // stays, one of another account is dropped from this worker (its stored copy stays).
  async deriveKey({ address, password, ticket }, progress) {
    const key = await evaluateAndDerive({ address, password, ticket }, progress);
    dropAccountKeys();
    if (session && session.address !== key.address) {
      session.free();
      session = null;
    }
    current = key;
    return describe(key);
  },

  // A key about to be registered (signup, change of password, recovery): the server must answer
  // with one OPRF key, or no key is made.
  async deriveNewKey({ password, address, ticket }, progress) {
    const target = address ?? needCurrent().address;
    const key = await evaluateAndDerive({ address: target, password, ticket, verifyServerKey: true }, progress);
    pending?.free();
    pending = key;
    return describe(key);
  },

  async signIn({ address, password, ticket }, progress) {
    // A sign-in replaces the session, whatever its outcome: a refused password leaves no key.
    forgetKeys();
    const tracker = signInProgress(progress);
    let result;
    try {
      result = await needClient().signIn(address, password, { ticket, onProgress: tracker.onProgress });
    } finally {
      tracker.finishDerivation();
    }
    current = result.key;
    pending = result.newKey ?? null;
    const answer = { key: describe(current), account: result.account };
    if (pending) {
      answer.newKey = describe(pending);
      answer.upgrade = result.upgrade;
    }
    // The sign-in stands; the move is proposed again at the next one.
    if (result.upgradeError) answer.upgradeError = serialise(result.upgradeError);
    return answer;
  },

  requestTicket: ({ address }) => needClient().requestTicket(address),

  // Signs up with the key of `deriveNewKey` (checked against a server that varies its OPRF key),
  // which from then on is the session's key: the key the emailed link confirms.
  async signup() {
    const answer = await needClient().signup(needPending());
    current?.free();
    current = pending;
    pending = null;
    return answer;
  },

  async confirm({ confirmation, useNewKey }) {
    const key = useNewKey ? needPending() : needCurrent();
    const answer = await needClient().confirm(key, confirmation);
    if (useNewKey) {
      current?.free();
      current = pending;
      pending = null;
    }
    return answer;
  },

  account: () => (session ? session.account() : needClient().account(needCurrent())),

  async changePassword({ recovery }) {
    if (recovery) return needClient().changePassword(needPending());
    const answer = await needClient().changePassword(needPending(), needCurrent());
    // The server has replaced the key: the new one is the session's key from now on.
    current?.free();
    current = pending;
    pending = null;
    return answer;
  },

  disable: () => needClient().disable(needCurrent()),

  assertion: ({ audience, lifetimeSecs }) => needCurrent().assertionToken(audience, lifetimeSecs),

  async signedFetch({ url, init }) {
    const response = session
      ? await session.signedFetch(url, init)
      : await needClient().signedFetch(needCurrent(), url, init);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body: await response.arrayBuffer(),
    };
  },

  keyInfo: () => ({ current: describe(current), pending: describe(pending), session: describeSession(session) }),

  // The account key certifies a device key once; then, unless asked to keep it, the account key is
  // wiped from this worker (issue 13), and the session signs from here on.
  async createSession({ label, persist = true, keepAccountKey = false }) {
    const created = await needClient().createSession(needCurrent(), label === undefined ? {} : { label });
    session?.free();
    session = created;
    let stored = false;
    if (persist && created.persistent) {
      // A session that cannot be stored (IndexedDB missing or failing) still signs in this tab.
      stored = await saveSession(created.toStored()).then(
        () => true,
        () => false,
      );
    }
    if (!keepAccountKey) dropAccountKeys();
    return { session: created.created, persistent: created.persistent, stored };
  },

  // A reload: the stored session of this server, checked with GET /account (no derivation). Null
  // when nothing usable is stored (none, expired by its own expiresAt, or a record this version
  // cannot use); when the server refuses it (`unknown_key`: ended elsewhere, expired there, or the
  // password changed), the stored copy is deleted and the refusal is the answer, so that the page
  // can say "you were signed out".
  async resumeSession() {
    if (!session) {
      const stored = await loadSession(needClient().baseUrl).catch(() => null);
      if (!stored) return null;
      if (!(stored.expiresAt > Date.now() / 1000)) {
        await dropSession();
        return null;
      }
      try {
        session = needClient().resumeSession(stored);
      } catch {
        // A record this version cannot use (another format, keys that do not match): not a session.
        await dropSession();
        return null;
      }
    }
    try {
      return { account: await session.account(), session: describeSession(session) };
    } catch (error) {
      if (error?.code === "unknown_key") await dropSession();
      throw error;
    }
  },

  listSessions: () => needSession().list(),

  async endSession({ id }) {
    const answer = await needSession().end(id);
    if (id === session.id) await dropSession();
    return answer;
  },

  endOtherSessions: () => needSession().endOthers(),

  // Signs out whatever happens on the network: the key is deleted here and from IndexedDB, and
  // without it the session is of use to no one until it expires; a failure is still reported.
  async signOut() {
    try {
      if (session) await session.signOut();
    } finally {
      await dropSession();
      forgetKeys();
      releaseKdfMemory();
    }
    return null;
  },

  // The account key made again for one step (a change of password, a disable, an assertion), wiped
  // once it is done; the session stays and keeps signing.
  forgetAccountKey() {
    dropAccountKeys();
    releaseKdfMemory();
    return null;
  },

  forget() {
    forgetKeys();
    releaseKdfMemory();
    return null;
  },
};

function serialise(error) {
  if (error instanceof NotaryError) {
    return { code: error.code, message: error.message, status: error.status, retryAfter: error.retryAfter };
  }
  return { code: WorkerClientCode.WorkerError, message: String(error?.message ?? error) };
}

self.onmessage = ({ data }) => {
  const { id, op, args = {} } = data ?? {};
  queue = queue.then(async () => {
    const progress = (event) => self.postMessage({ id, progress: event });
    try {
      const operation = Object.hasOwn(operations, op) ? operations[op] : null;
      if (!operation) throw new NotaryError("invalid_argument", `unknown operation ${String(op)}`);
      const value = await operation(args, progress);
      const transfer = value?.body instanceof ArrayBuffer ? [value.body] : [];
      self.postMessage({ id, ok: true, value }, transfer);
    } catch (error) {
      self.postMessage({ id, ok: false, error: serialise(error) });
    }
  });
};

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

/** @type {NotaryClient | null} */
let client = null;
/** @type {import("./index.js").KeyPair | null} the session's key */
let current = null;
/**
 * @type {import("./index.js").KeyPair | null} the key of a new password until the change is
 * confirmed, or the version-2 key of an account moving to protocol version 2
 */
let pending = null;
let queue = Promise.resolve();

function needClient() {
  if (!client) throw new NotaryError(WorkerClientCode.WorkerError, "the worker was not initialised with a base URL");
  return client;
}

function needCurrent() {
  if (!current) throw new NotaryError(WorkerClientCode.NoKey, "no key in this session: derive one first");
  return current;
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

function forgetKeys() {
  current?.free();
  pending?.free();
  current = null;
  pending = null;
}

const operations = {
  async init({ baseUrl }) {
    const { simd } = await ready();
    client?.free();
    client = new NotaryClient(baseUrl);
    return { simd, baseUrl: client.baseUrl };
  },

  async deriveKey({ address, password, ticket }, progress) {
    const key = await evaluateAndDerive({ address, password, ticket }, progress);
    forgetKeys();
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

  account: () => needClient().account(needCurrent()),

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
    const response = await needClient().signedFetch(needCurrent(), url, init);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body: await response.arrayBuffer(),
    };
  },

  keyInfo: () => ({ current: describe(current), pending: describe(pending) }),

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

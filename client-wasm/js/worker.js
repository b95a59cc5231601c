// The Web Worker of notary-client (a module worker, started by worker-client.js). It holds the
// session's key pairs in its own WebAssembly memory and does every derivation, signature and request
// here, off the page's thread; the page only ever receives addresses, key ids, public keys, server
// answers and tokens meant for third parties. Operations run one at a time, in the order sent.
//
// Messages in:  { id, op, args }
//               { storeReply, value }         the page's answer to a salt store `get`
// Messages out: { id, progress }              while an operation runs (key derivation)
//               { id, ok: true, value }       when it succeeds
//               { id, ok: false, error: { code, message, status, retryAfter } } when it fails
//               { store: { id, op: "get", baseUrl, address } }      the client asks the page's salt store
//               { store: { op: "set", baseUrl, address, answer } }  the client keeps an answer there
//
// The page's salt store (createWorkerClient's `saltStore`) stays on the page, where localStorage is:
// the client here reaches it through these messages. Store replies are handled as they arrive, not
// queued behind the operation that waits for them.

import { WorkerClientCode } from "./errors.js";
import { NotaryClient, NotaryError, ready, releaseKdfMemory } from "./index.js";

/** @type {NotaryClient | null} */
let client = null;
/** @type {import("./index.js").KeyPair | null} the session's key */
let current = null;
/** @type {import("./index.js").KeyPair | null} the key of a new password until the change is confirmed */
let pending = null;
let queue = Promise.resolve();

/** @type {Map<number, (value: unknown) => void>} store `get`s waiting for the page's reply */
const storeCalls = new Map();
let nextStoreCall = 1;

/** The page's salt store, seen from here: a `SaltStore` whose calls are messages to the page. */
const pageSaltStore = {
  get(baseUrl, address) {
    return new Promise((resolve) => {
      const id = nextStoreCall++;
      storeCalls.set(id, resolve);
      self.postMessage({ store: { id, op: "get", baseUrl, address } });
    });
  },
  set(baseUrl, address, answer) {
    self.postMessage({ store: { op: "set", baseUrl, address, answer } });
  },
};

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

function derive(saltAnswer, password, progress) {
  progress({ phase: "start" });
  const started = performance.now();
  const key = needClient().deriveKey(saltAnswer, password);
  progress({ phase: "done", ms: Math.round(performance.now() - started) });
  return key;
}

function forgetKeys() {
  current?.free();
  pending?.free();
  current = null;
  pending = null;
}

const operations = {
  async init({ baseUrl, saltStore }) {
    const { simd } = await ready();
    client?.free();
    client = new NotaryClient(baseUrl, saltStore ? { saltStore: pageSaltStore } : undefined);
    return { simd, baseUrl: client.baseUrl };
  },

  async deriveKey({ address, password }, progress) {
    const answer = await needClient().salt(address);
    const key = derive(answer, password, progress);
    forgetKeys();
    current = key;
    return describe(key);
  },

  async deriveNewKey({ password, address }, progress) {
    const answer = await needClient().salt(address ?? needCurrent().address);
    const key = derive(answer, password, progress);
    pending?.free();
    pending = key;
    return describe(key);
  },

  signup: () => needClient().signup(needCurrent()),

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
  if (data && "storeReply" in data) {
    const resolve = storeCalls.get(data.storeReply);
    storeCalls.delete(data.storeReply);
    resolve?.(data.value ?? null);
    return;
  }
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

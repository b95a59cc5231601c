// The page side of notary-client's Web Worker: a small object whose async methods send messages to
// worker.js, where the keys live. Nothing secret ever comes back to the page.
//
//   import { createWorkerClient } from "notary-client/worker-client";
//   const notary = createWorkerClient({ baseUrl: location.origin });
//   const { keyId } = await notary.deriveNewKey(password, { address, onProgress: (p) => console.log(p) });
//   await notary.signup();
//   const { key, account, upgrade } = await notary.signIn(address, password);

import { NotaryError, WorkerClientCode } from "./errors.js";

export { NotaryError };

function numberOrUndefined(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A `NotaryError` again, from the `{ code, message, status, retryAfter }` the worker sent. */
function revive(error) {
  const { code = WorkerClientCode.WorkerError, message = "the worker failed", status, retryAfter } = error ?? {};
  return new NotaryError(code, message, numberOrUndefined(status), numberOrUndefined(retryAfter));
}

/**
 * Starts the Web Worker and returns the client.
 * @param {{ baseUrl?: string, workerUrl?: string | URL }} [options]
 *   `baseUrl`: the Notary server (default: this page's origin); `workerUrl`: where worker.js is
 *   served, when not next to this module.
 */
export function createWorkerClient({ baseUrl = globalThis.location?.origin, workerUrl } = {}) {
  if (typeof baseUrl !== "string" || baseUrl === "") {
    throw new NotaryError("invalid_argument", "createWorkerClient needs a baseUrl outside a page");
  }
  // The literal `new Worker(new URL("./worker.js", import.meta.url), ...)` is what bundlers look for.
  const worker = workerUrl
    ? new Worker(workerUrl, { type: "module" })
    : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });

  let nextId = 1;
  /** @type {Map<number, { resolve: Function, reject: Function, onProgress?: Function }>} */
  const calls = new Map();
  /** @type {NotaryError | null} once set, every call rejects with it */
  let stopped = null;

  function stop(error) {
    if (stopped) return;
    stopped = error;
    for (const call of calls.values()) call.reject(error);
    calls.clear();
    worker.terminate();
  }

  worker.onmessage = ({ data }) => {
    const call = calls.get(data?.id);
    if (!call) return;
    if (data.progress) {
      try {
        call.onProgress?.(data.progress);
      } catch {
        // A failing progress callback must not break the operation.
      }
      return;
    }
    calls.delete(data.id);
    if (data.ok) {
      call.resolve(data.value);
    } else {
      call.reject(revive(data.error));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    stop(new NotaryError(WorkerClientCode.WorkerError, event.message || "the Web Worker could not start or failed"));
  };
  worker.onmessageerror = () => {
    stop(new NotaryError(WorkerClientCode.WorkerError, "a message from the Web Worker could not be read"));
  };

  function call(op, args = {}, onProgress) {
    if (stopped) return Promise.reject(stopped);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      calls.set(id, { resolve, reject, onProgress });
      try {
        worker.postMessage({ id, op, args });
      } catch (error) {
        calls.delete(id);
        reject(new NotaryError("invalid_argument", `the arguments cannot be sent to the worker: ${error.message}`));
      }
    });
  }

  const started = call("init", { baseUrl });
  started.catch(() => {
    // Reported by the calls that follow (they run after init in the worker).
  });

  return {
    /** Resolves when the worker has loaded the WebAssembly module: `{ simd, baseUrl }`. */
    ready: started,

    /**
     * Has the server evaluate the password for the address (`POST /salt`, one of the address's
     * guesses), then derives its key (Argon2id) inside the worker; it becomes the worker's account
     * key (replacing any earlier one; a device session of the same account stays). Progress: `evaluate`, then `start` and `done` (with the
     * milliseconds) around the derivation. `ticket`: an emailed ticket (`requestTicket`), for when
     * the address's guesses are spent.
     * @param {string} address as typed
     * @param {string} password
     * @param {{ ticket?: string, onProgress?: (event: object) => void }} [options]
     * @returns {Promise<{ address: string, keyId: string, publicJwk: { kty: "OKP", crv: "Ed25519", x: string } }>}
     */
    deriveKey(address, password, { ticket, onProgress } = {}) {
      return call("deriveKey", { address, password, ticket }, onProgress);
    },

    /**
     * Derives the key of a password about to be registered and keeps it apart, for `signup()` or
     * `changePassword()`: for the session's account, or for `address` (a signup, or the recovery of
     * a forgotten password, with no key in the session). The server is asked twice and must
     * evaluate with one key both times (else `oprf_key_varies`, and no key): two guesses.
     * @param {string} password
     * @param {{ address?: string, ticket?: string, onProgress?: (event: object) => void }} [options]
     */
    deriveNewKey(password, { address, ticket, onProgress } = {}) {
      return call("deriveNewKey", { password, address, ticket }, onProgress);
    },

    /**
     * Signs in (`NotaryClient.signIn`): evaluates the password, derives the key and sends a signed
     * `GET /account`; an account made before protocol version 2 signs in with its version-1 key and
     * is proposed the version-2 key of the same password, confirmed by email. The session's keys
     * are replaced whatever the outcome: `key` (the account's key) becomes the session's key and,
     * while the account moves, `newKey` the new key, which `confirm(token, { useNewKey: true })`
     * makes the session's key once the emailed confirmation is signed. Progress: `evaluate`,
     * `start` / `done` around each derivation (with `kdfVersion` on `start`), `sign-in`, `upgrade`.
     * @param {string} address as typed
     * @param {string} password
     * @param {{ ticket?: string, onProgress?: (event: object) => void }} [options]
     */
    async signIn(address, password, { ticket, onProgress } = {}) {
      const answer = await call("signIn", { address, password, ticket }, onProgress);
      return answer.upgradeError ? { ...answer, upgradeError: revive(answer.upgradeError) } : answer;
    },

    /**
     * `POST /salt/ticket`: the server emails the address a ticket, good for 5 evaluations within an
     * hour, that lets them through when its guesses are spent (`guess_budget_exhausted`). Resolves to
     * `{ status: "ticket_sent" }` whether or not the address has an account.
     * @param {string} address
     */
    requestTicket(address) {
      return call("requestTicket", { address });
    },

    /**
     * `POST /signup` with the new key (`deriveNewKey(password, { address })`), which then becomes
     * the session's key. Resolves to `{ status: "confirmation_sent" }`.
     */
    signup() {
      return call("signup");
    },

    /**
     * `POST /confirm` with the emailed token, signed by the session's key, or by the new key after
     * a change of password (`useNewKey`), which then becomes the session's key.
     */
    confirm(confirmationToken, { useNewKey = false } = {}) {
      return call("confirm", { confirmation: confirmationToken, useNewKey });
    },

    /** `GET /account`, signed by the session when there is one, else by the account key. */
    account() {
      return call("account");
    },

    /**
     * `POST /sessions`: a device key for this browser (non-extractable WebCrypto Ed25519, or a key in
     * the worker's memory where WebCrypto Ed25519 is missing), certified by the account key. Saved in
     * IndexedDB when it can be (`persistent`) and `persist`; then the account key is wiped from the
     * worker unless `keepAccountKey`, and the session signs `account()` and `signedFetch()`.
     * Resolves to `{ session, persistent, stored }`.
     * @param {{ label?: string, persist?: boolean, keepAccountKey?: boolean }} [options]
     */
    createSession({ label, persist = true, keepAccountKey = false } = {}) {
      return call("createSession", { label, persist: persist !== false, keepAccountKey: keepAccountKey === true });
    },

    /**
     * After a reload: the session stored for this server, checked with a signed `GET /account`.
     * Resolves to `{ account, session }`, or `null` when nothing is stored (or the stored record's
     * own `expiresAt` has passed, or it is unusable: it is deleted). When the server refuses the
     * session (ended elsewhere, expired there, the password changed), the stored copy is deleted and
     * the promise rejects with the server's `NotaryError` (`unknown_key`, status 401): "you were
     * signed out". No key derivation.
     */
    resumeSession() {
      return call("resumeSession");
    },

    /** `GET /sessions`: `{ sessions }`, most recently used first, this one `current`. */
    listSessions() {
      return call("listSessions");
    },

    /** `DELETE /sessions/{id}`; ending this session's own id signs this worker out of it too. */
    endSession(id) {
      return call("endSession", { id });
    },

    /** `DELETE /sessions?except=current`: every other session of the account ends. */
    endOtherSessions() {
      return call("endOtherSessions");
    },

    /**
     * Ends this session on the server (one it already forgot counts as ended), deletes it from
     * IndexedDB and forgets every key in the worker. The local part happens even when the server
     * cannot be reached; the promise then rejects with that error.
     */
    signOut() {
      return call("signOut");
    },

    /**
     * `PATCH /signature` with the new key (see `deriveNewKey`). By default signed by the session's
     * key: the new key replaces it at once and becomes the session's key; resolves to
     * `{ status: "active", address, key_id }`. With `{ recovery: true }` (a forgotten password, no
     * current key needed), the server emails a confirmation: `{ status: "confirmation_sent" }`, and
     * `confirm(token, { useNewKey: true })` completes the change.
     * @param {{ recovery?: boolean }} [options]
     */
    changePassword({ recovery = false } = {}) {
      return call("changePassword", { recovery: recovery === true });
    },

    /** `DELETE /signature`: disables the account. */
    disable() {
      return call("disable");
    },

    /** A token for a third party with its own audience, valid for 1 to 300 seconds. */
    assertion(audience, lifetimeSecs) {
      return call("assertion", { audience, lifetimeSecs });
    },

    /**
     * `fetch` signed by the session when there is one, else by the account key (see
     * `NotaryClient.signedFetch`); `init` must be
     * structured-cloneable (no AbortSignal, no streams). Resolves to a `Response`.
     */
    async signedFetch(url, init) {
      const { status, statusText, headers, body } = await call("signedFetch", { url: String(url), init });
      const empty = status === 204 || status === 205 || status === 304;
      return new Response(empty ? null : body, { status, statusText, headers });
    },

    /**
     * `{ current, pending, session }`: address, key id and public JWK of the account keys held (or
     * null), and the session (`{ id, address, keyId, label, createdAt, expiresAt, persistent }` or null).
     */
    keyInfo() {
      return call("keyInfo");
    },

    /**
     * Zeroises the account key and any pending new key (and the Argon2 working memory) in the
     * worker, and keeps the session: for a page that derived the account key again for one step (a
     * change of password, a disable, an assertion). Resolves to `null`.
     */
    forgetAccountKey() {
      return call("forgetAccountKey");
    },

    /** Frees the session's keys (zeroised) and the Argon2 working memory inside the worker. */
    forget() {
      return call("forget");
    },

    /**
     * Stops the worker at once; calls in flight and later calls reject with code `terminated`.
     * `await forget()` first to have the keys zeroised rather than dropped with the worker.
     */
    terminate() {
      stop(new NotaryError(WorkerClientCode.Terminated, "the Notary worker was terminated"));
    },
  };
}

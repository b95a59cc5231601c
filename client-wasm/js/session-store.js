// notary-client/session-store: sessions kept in IndexedDB (database `notary-client`, object store
// `sessions`, one record per server, keyed by its base URL), so that a reload resumes the session with
// `NotaryClient.resumeSession` instead of deriving the account key again. A record is what
// `Session.toStored()` gives: its private key is a non-extractable CryptoKey, which IndexedDB keeps by
// structured clone and which no script can read back. Works in pages and in Web Workers.

import { NotaryError, WorkerClientCode } from "./errors.js";

const DATABASE = "notary-client";
const STORE = "sessions";

/** The store's failures, with their own code (the module does not load the WebAssembly). */
function storeError(error) {
  return new NotaryError(WorkerClientCode.SessionStoreUnavailable, `IndexedDB failed: ${error?.message ?? error}`);
}

/** Runs `action(store)` in a transaction and resolves to its request's result once the transaction completes. */
function withStore(mode, action) {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(storeError("this environment has no indexedDB"));
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(storeError(opening.error));
    opening.onblocked = () => reject(storeError("the database is blocked by another connection"));
    opening.onsuccess = () => {
      const db = opening.result;
      let request;
      try {
        const transaction = db.transaction(STORE, mode);
        request = action(transaction.objectStore(STORE));
        transaction.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        transaction.onerror = transaction.onabort = () => {
          db.close();
          reject(storeError(transaction.error ?? request.error));
        };
      } catch (error) {
        db.close();
        reject(storeError(error));
      }
    };
  });
}

/**
 * Keeps `stored` (from `Session.toStored()`) as the session of its server, replacing any earlier one.
 * @param {import("./wasm/notary_client.js").StoredSession} stored
 */
export function saveSession(stored) {
  if (typeof stored?.baseUrl !== "string") {
    return Promise.reject(new NotaryError("invalid_argument", "not a stored session"));
  }
  return withStore("readwrite", (store) => store.put(stored, stored.baseUrl)).then(() => undefined);
}

/** The stored session of the server at `baseUrl`, or `null`. */
export function loadSession(baseUrl) {
  return withStore("readonly", (store) => store.get(baseUrl)).then((stored) => stored ?? null);
}

/** Deletes the stored session of the server at `baseUrl` (nothing happens when there is none). */
export function deleteSession(baseUrl) {
  return withStore("readwrite", (store) => store.delete(baseUrl)).then(() => undefined);
}

// The page side of notary-client's Web Worker: a small object whose async methods send messages to
// worker.js, where the keys live. Nothing secret ever comes back to the page.
//
//   import { createWorkerClient } from "notary-client/worker-client";
//   const notary = createWorkerClient({ baseUrl: location.origin });
//   const { keyId } = await notary.deriveKey(address, password, { onProgress: (p) => console.log(p) });
//   await notary.signup();

import { NotaryError, WorkerClientCode } from "./errors.js";

export { NotaryError };

function numberOrUndefined(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Starts the Web Worker and returns the client.
 * @param {{ baseUrl?: string, workerUrl?: string | URL, saltStore?: import("./index.js").SaltStore }} [options]
 *   `baseUrl`: the Notary server (default: this page's origin); `workerUrl`: where worker.js is
 *   served, when not next to this module; `saltStore`: keeps salt answers beyond the worker's life
 *   (see `SaltStore`), called here on the page (where localStorage is) when the worker asks.
 */
export function createWorkerClient({ baseUrl = globalThis.location?.origin, workerUrl, saltStore } = {}) {
  if (typeof baseUrl !== "string" || baseUrl === "") {
    throw new NotaryError("invalid_argument", "createWorkerClient needs a baseUrl outside a page");
  }
  if (saltStore != null && (typeof saltStore.get !== "function" || typeof saltStore.set !== "function")) {
    throw new NotaryError("invalid_argument", "saltStore must be an object with get and set methods");
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

  /** Serves the worker's salt store calls from `saltStore`; a store that fails counts as empty. */
  async function serveStore({ id, op, baseUrl: base, address, answer }) {
    if (op === "set") {
      try {
        await saltStore?.set(base, address, answer);
      } catch {
        // Not kept: the next sign-in asks the server again.
      }
      return;
    }
    let value = null;
    try {
      value = (await saltStore?.get(base, address)) ?? null;
    } catch {
      value = null;
    }
    try {
      worker.postMessage({ storeReply: id, value });
    } catch {
      worker.postMessage({ storeReply: id, value: null }); // not cloneable: as good as nothing
    }
  }

  worker.onmessage = ({ data }) => {
    if (data?.store) {
      serveStore(data.store).catch(() => {
        // The worker is gone: nobody waits for the reply.
      });
      return;
    }
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
      const { code = WorkerClientCode.WorkerError, message = "the worker failed", status, retryAfter } = data.error ?? {};
      call.reject(new NotaryError(code, message, numberOrUndefined(status), numberOrUndefined(retryAfter)));
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

  const started = call("init", { baseUrl, saltStore: saltStore != null });
  started.catch(() => {
    // Reported by the calls that follow (they run after init in the worker).
  });

  return {
    /** Resolves when the worker has loaded the WebAssembly module: `{ simd, baseUrl }`. */
    ready: started,

    /**
     * Asks the server for the address's salt, then derives the key pair from the password inside
     * the worker; it becomes the session's key (replacing any earlier one).
     * @param {string} address as typed
     * @param {string} password
     * @param {{ onProgress?: (event: { phase: "start" } | { phase: "done", ms: number }) => void }} [options]
     * @returns {Promise<{ address: string, keyId: string, publicJwk: { kty: "OKP", crv: "Ed25519", x: string } }>}
     */
    deriveKey(address, password, { onProgress } = {}) {
      return call("deriveKey", { address, password }, onProgress);
    },

    /**
     * Derives the key of a new password and keeps it apart, for `changePassword()`: for the
     * session's account, or for `address` (recovery of a forgotten password, with no key in the
     * session).
     * @param {string} password
     * @param {{ address?: string, onProgress?: (event: object) => void }} [options]
     */
    deriveNewKey(password, { address, onProgress } = {}) {
      return call("deriveNewKey", { password, address }, onProgress);
    },

    /** `POST /signup` with the session's key. Resolves to `{ status: "confirmation_sent" }`. */
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

    /** `GET /account`, signed. */
    account() {
      return call("account");
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
     * `fetch` signed by the session's key (see `NotaryClient.signedFetch`); `init` must be
     * structured-cloneable (no AbortSignal, no streams). Resolves to a `Response`.
     */
    async signedFetch(url, init) {
      const { status, statusText, headers, body } = await call("signedFetch", { url: String(url), init });
      const empty = status === 204 || status === 205 || status === 304;
      return new Response(empty ? null : body, { status, statusText, headers });
    },

    /** `{ current, pending }`: address, key id and public JWK of the session's keys (or null). */
    keyInfo() {
      return call("keyInfo");
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

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
 * @param {{ baseUrl?: string, workerUrl?: string | URL }} [options] `baseUrl`: the Notary server
 *   (default: this page's origin); `workerUrl`: where worker.js is served, when not next to this
 *   module.
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

  const started = call("init", { baseUrl });
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
     * Derives the key of a new password for the session's account and keeps it apart, for
     * `changePassword()` and then `confirm(token, { useNewKey: true })`.
     */
    deriveNewKey(password, { onProgress } = {}) {
      return call("deriveNewKey", { password }, onProgress);
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

    /** `PATCH /signature` with the new key (see `deriveNewKey`). */
    changePassword() {
      return call("changePassword");
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

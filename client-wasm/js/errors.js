// NotaryError, in a module of its own so that the page side of the Web Worker client can use it
// without loading the WebAssembly glue; and the codes the Web Worker client (and the session store) raises itself.

/**
 * The codes of the Web Worker client's own errors (worker-client.js and worker.js), typed
 * `WorkerClientErrorCode` in errors.d.ts (tests/client/types.test.mjs checks that the two agree).
 */
export const WorkerClientCode = Object.freeze({
  /** An operation needs the session's key: derive one first. */
  NoKey: "no_key",
  /** An operation needs the new key of a change of password: derive it first. */
  NoPendingKey: "no_pending_key",
  /** The worker could not start, failed, or was not initialised. */
  WorkerError: "worker_error",
  /** `terminate()` stopped the worker. */
  Terminated: "terminated",
  /** An operation needs a session: create or resume one first. */
  NoSession: "no_session",
  /** IndexedDB is missing or failed (`notary-client/session-store`). */
  SessionStoreUnavailable: "session_store_unavailable",
});

/**
 * The error every function of the package throws or rejects with: a stable machine-readable `code`
 * (typed `NotaryErrorCode` in errors.d.ts: the protocol's and the server's codes, this package's
 * own, and the Web Worker client's), a plain-text `message` with no secret in it, and the HTTP
 * `status` when a server answered, and `retryAfter`, the seconds the server asked to wait before
 * trying again (its `Retry-After` header, sent with 429 `rate_limited` and
 * `guess_budget_exhausted`), or `undefined` when it did not say. Errors raised inside WebAssembly
 * are plain `Error`s named `NotaryError`; `instanceof NotaryError` recognises them as well as
 * instances of this class.
 */
export class NotaryError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {number} [status]
   * @param {number} [retryAfter] seconds
   */
  constructor(code, message, status, retryAfter) {
    super(message);
    this.name = "NotaryError";
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === "NotaryError" && typeof value.code === "string";
  }
}

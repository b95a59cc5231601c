// NotaryError, in a module of its own so that the page side of the Web Worker client can use it
// without loading the WebAssembly glue.

/**
 * The error every function of the package throws or rejects with: a stable machine-readable `code`
 * (the protocol's and the server's codes, plus `network_error`, `unexpected_response`,
 * `invalid_argument`, `address_mismatch`, `no_randomness`, and for the Web Worker client `no_key`,
 * `no_pending_key`, `worker_error`, `terminated`), a plain-text `message` with no secret in it, and
 * the HTTP `status` when a server answered, and `retryAfter`, the seconds the server asked to wait
 * before trying again (its `Retry-After` header, sent with 429 `rate_limited`), or `undefined` when it
 * did not say. Errors raised inside WebAssembly are plain `Error`s named `NotaryError`;
 * `instanceof NotaryError` recognises them as well as instances of this class.
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

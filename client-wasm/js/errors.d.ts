/**
 * The error every function of notary-client throws or rejects with. `code` is stable and
 * machine-readable (the protocol's and the server's codes, plus `network_error`,
 * `unexpected_response`, `invalid_argument`, `address_mismatch`, `no_randomness`, and for the Web
 * Worker client `no_key`, `no_pending_key`, `worker_error`, `terminated`); `status` is the HTTP status
 * when a server answered; `retryAfter` is the number of seconds the server asked the client to wait
 * (its `Retry-After` header, as sent with 429 `rate_limited`), `undefined` when it did not say.
 * `instanceof NotaryError` also recognises the errors raised inside WebAssembly (plain `Error`s
 * named `NotaryError`).
 */
export class NotaryError extends Error {
  constructor(code: string, message: string, status?: number, retryAfter?: number);
  readonly name: "NotaryError";
  readonly code: string;
  readonly status: number | undefined;
  /** Seconds to wait before trying again, from the server's `Retry-After`; `undefined` if none. */
  readonly retryAfter: number | undefined;
}

/**
 * The error every function of notary-client throws or rejects with. `code` is stable and
 * machine-readable (the protocol's and the server's codes, plus `network_error`,
 * `unexpected_response`, `invalid_argument`, `address_mismatch`, `no_randomness`, and for the Web
 * Worker client `no_key`, `no_pending_key`, `worker_error`, `terminated`); `status` is the HTTP status
 * when a server answered. `instanceof NotaryError` also recognises the errors raised inside
 * WebAssembly (plain `Error`s named `NotaryError`).
 */
export class NotaryError extends Error {
  constructor(code: string, message: string, status?: number);
  readonly name: "NotaryError";
  readonly code: string;
  readonly status: number | undefined;
}

// Types of errors.js: NotaryError and the union of its codes.

import type { ClientErrorCode, ProtocolErrorCode } from "./wasm/notary_client.js";

export type { ClientErrorCode, ProtocolErrorCode };

/**
 * The codes a Notary server raises itself (docs/protocol.md, section 11.2), passed through from its
 * `{ "error": code, "message": ... }` answers.
 */
export type ServerErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "unknown_key"
  | "unknown_session"
  | "confirmation_invalid"
  | "forbidden_origin"
  | "not_found"
  | "unknown_account"
  | "method_not_allowed"
  | "key_in_use"
  | "address_taken"
  | "body_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "guess_budget_exhausted"
  | "legacy_key_retired"
  | "internal"
  | "misconfigured"
  | "database_unavailable";

/** The codes the Web Worker client (`notary-client/worker-client`) and the session store raise themselves. */
export type WorkerClientErrorCode =
  | "no_key"
  | "no_pending_key"
  | "worker_error"
  | "terminated"
  | "no_session"
  | "session_store_unavailable";

/**
 * Every documented code of a `NotaryError`. Open-ended (`string & {}` keeps the named codes for
 * completion without closing the set): a server passes its own codes through, and a newer server
 * may answer with a code this version of the package does not know yet.
 */
export type NotaryErrorCode =
  | ProtocolErrorCode
  | ServerErrorCode
  | ClientErrorCode
  | WorkerClientErrorCode
  | (string & {});

/**
 * The error every function of notary-client throws or rejects with. `code` is stable and
 * machine-readable (`NotaryErrorCode`: the protocol's and the server's codes, this package's own,
 * and the Web Worker client's); `status` is the HTTP status when a server answered; `retryAfter` is
 * the number of seconds the server asked the client to wait (its `Retry-After` header, as sent with
 * 429 `rate_limited` and `guess_budget_exhausted`), `undefined` when it did not say.
 * `instanceof NotaryError` also recognises the errors raised inside WebAssembly (plain `Error`s named
 * `NotaryError`).
 */
export class NotaryError extends Error {
  constructor(code: NotaryErrorCode, message: string, status?: number, retryAfter?: number);
  readonly name: "NotaryError";
  readonly code: NotaryErrorCode;
  readonly status: number | undefined;
  /** Seconds to wait before trying again, from the server's `Retry-After`; `undefined` if none. */
  readonly retryAfter: number | undefined;
}

// Types of notary-client/worker-client.

import type {
  Account,
  ConfirmAnswer,
  PublicJwk,
  SessionInfo,
  SessionList,
  SessionsEnded,
  StatusAnswer,
} from "./wasm/notary_client.js";
import type { NotaryError } from "./errors.js";

export { NotaryError } from "./errors.js";
export type {
  ClientErrorCode,
  NotaryErrorCode,
  ProtocolErrorCode,
  ServerErrorCode,
  WorkerClientErrorCode,
} from "./errors.js";

/**
 * Progress of a key derivation: `evaluate` when the server is asked to evaluate the password, `start`
 * when Argon2id begins (with the version of the key being derived during a sign-in), `done` with its
 * duration.
 */
export type DerivationProgress =
  | { phase: "evaluate" }
  | { phase: "start"; kdfVersion?: number }
  | { phase: "done"; ms: number };

/**
 * Progress of a sign-in: the derivation's events (once per key derived: twice for an account that
 * moves to protocol version 2), `sign-in` when the signed `GET /account` goes out, `upgrade` when the
 * version-2 key is proposed.
 */
export type SignInProgress = DerivationProgress | { phase: "sign-in" } | { phase: "upgrade" };

/** What `signIn` resolves to: never a secret. */
export interface SignInInfo {
  /** The account's key, now the session's key. */
  key: KeyInfo;
  /** The account, as `GET /account` answered it. */
  account: Account;
  /**
   * Set while an account made before protocol version 2 moves to it: the version-2 key of the same
   * password, kept as the session's new key; `confirm(token, { useNewKey: true })` completes the move.
   */
  newKey?: KeyInfo;
  /** The server's answer to the proposal of `newKey`: `{ status: "confirmation_sent" }`. */
  upgrade?: StatusAnswer;
  /**
   * Set when the account still has to move but the proposal could not be made now (its email budget
   * is spent, or the server evaluated the password with two different keys): signed in all the same;
   * the next sign-in proposes the move again.
   */
  upgradeError?: NotaryError;
}

/** What the page learns about a key: never the secret. */
export interface KeyInfo {
  address: string;
  keyId: string;
  publicJwk: PublicJwk;
}

/** The worker's session, as the page sees it: never the key. */
export interface SessionKeyInfo {
  id: string;
  /** The account's canonical address. */
  address: string;
  /** The session key's thumbprint (not the account key's). */
  keyId: string;
  label: string;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds: the absolute expiry. */
  expiresAt: number;
  /** Whether the key is a non-extractable WebCrypto key (kept in IndexedDB); false: this tab only. */
  persistent: boolean;
}

/** What `createSession` resolves to. */
export interface CreatedSession {
  /** The session as the server made it (`current: true`). */
  session: SessionInfo;
  /**
   * Whether the key is a non-extractable WebCrypto key. False where WebCrypto Ed25519 is missing:
   * the key is in the worker's memory and the session lasts as long as the worker (this tab).
   */
  persistent: boolean;
  /** Whether it was saved in IndexedDB (persistent, `persist`, and IndexedDB worked). */
  stored: boolean;
}

export interface WorkerClient {
  /** Resolves when the worker has loaded the WebAssembly module. */
  readonly ready: Promise<{ simd: boolean; baseUrl: string }>;
  /**
   * The server's evaluation of the password, then Argon2id inside the worker; the key becomes the
   * worker's account key (replacing any earlier one). A device session of the same account stays
   * (so a step that needs the password, such as a change of password, does not end it); one of
   * another account is dropped from the worker. `ticket`: an emailed ticket, for when the
   * address's guesses are spent.
   */
  deriveKey(
    address: string,
    password: string,
    options?: { ticket?: string; onProgress?: (event: DerivationProgress) => void },
  ): Promise<KeyInfo>;
  /**
   * The key of a password about to be registered, kept apart until the signup or change is made: for
   * the session's account, or for `address` (signup, recovery of a forgotten password). The server
   * must evaluate with one key twice (else `oprf_key_varies`).
   */
  deriveNewKey(
    password: string,
    options?: { address?: string; ticket?: string; onProgress?: (event: DerivationProgress) => void },
  ): Promise<KeyInfo>;
  /**
   * Signs in, moving an account made before protocol version 2 (see `SignInInfo`); the session's
   * keys are replaced whatever the outcome.
   */
  signIn(
    address: string,
    password: string,
    options?: { ticket?: string; onProgress?: (event: SignInProgress) => void },
  ): Promise<SignInInfo>;
  /** `POST /salt/ticket`: an emailed ticket for when the address's guesses are spent. */
  requestTicket(address: string): Promise<StatusAnswer>;
  /** `POST /signup` with the new key of `deriveNewKey`, which then becomes the session's key. */
  signup(): Promise<StatusAnswer>;
  /** `POST /confirm`; with `useNewKey` the new key signs and then becomes the session's key. */
  confirm(confirmationToken: string, options?: { useNewKey?: boolean }): Promise<ConfirmAnswer>;
  /** `GET /account`, signed by the session when there is one, else by the account key. */
  account(): Promise<Account>;
  /**
   * `POST /sessions`: a device key certified by the account key (which must be held: `signIn` or
   * `deriveKey` first, else `no_key`). Saved in IndexedDB when persistent and `persist` (default
   * true); the account key is wiped from the worker unless `keepAccountKey` (default false).
   */
  createSession(options?: { label?: string; persist?: boolean; keepAccountKey?: boolean }): Promise<CreatedSession>;
  /**
   * The session stored for this server, checked with a signed `GET /account`. No derivation.
   * Resolves to `null` when nothing is stored (or the record's own `expiresAt` has passed, or it
   * cannot be used: it is deleted). Rejects with the server's `NotaryError` (`unknown_key`, status
   * 401) when the server refuses the session (ended elsewhere, expired there, the password
   * changed), after deleting the stored copy: the page can say "you were signed out".
   */
  resumeSession(): Promise<{ account: Account; session: SessionKeyInfo } | null>;
  /** `GET /sessions` with the session (`no_session` without one). */
  listSessions(): Promise<SessionList>;
  /** `DELETE /sessions/{id}`; this session's own id also signs the worker out of it. */
  endSession(id: string): Promise<SessionsEnded>;
  /** `DELETE /sessions?except=current`. */
  endOtherSessions(): Promise<SessionsEnded>;
  /**
   * Ends the session on the server (already forgotten counts as ended), deletes it from IndexedDB
   * and forgets every key in the worker; locally even when the server cannot be reached (then rejects
   * with that error).
   */
  signOut(): Promise<null>;
  /**
   * `PATCH /signature` with the new key, signed by the session's key: the new key replaces it at
   * once and becomes the session's key. Resolves to `{ status: "active", address, key_id }`.
   */
  changePassword(options?: { recovery?: false }): Promise<ConfirmAnswer>;
  /**
   * `PATCH /signature` with the new key and no current key: recovery of a forgotten password. The
   * server emails a confirmation; `confirm(token, { useNewKey: true })` completes the change.
   */
  changePassword(options: { recovery: true }): Promise<StatusAnswer>;
  /** Either of the above. */
  changePassword(options?: { recovery?: boolean }): Promise<ConfirmAnswer | StatusAnswer>;
  /** `DELETE /signature`. */
  disable(): Promise<StatusAnswer>;
  /** A token for a third party, valid 1 to 300 seconds. */
  assertion(audience: string, lifetimeSecs: number): Promise<string>;
  /** `fetch` signed by the session when there is one, else by the account key; `init` must be structured-cloneable. */
  signedFetch(url: string | URL, init?: RequestInit & { audience?: string }): Promise<Response>;
  /** The account keys held and the session, each or null. */
  keyInfo(): Promise<{ current: KeyInfo | null; pending: KeyInfo | null; session: SessionKeyInfo | null }>;
  /**
   * Zeroises the account key and any pending new key (and the Argon2 working memory) in the
   * worker; the session stays. For a page that derived the account key again for one step.
   */
  forgetAccountKey(): Promise<null>;
  /** Zeroises and frees the keys and the Argon2 working memory in the worker. */
  forget(): Promise<null>;
  /** Stops the worker; pending and later calls reject with code `terminated`. */
  terminate(): void;
}

/**
 * Starts notary-client's Web Worker. `baseUrl` defaults to the page's origin; `workerUrl` is where
 * worker.js is served when not next to this module.
 */
export function createWorkerClient(options?: { baseUrl?: string; workerUrl?: string | URL }): WorkerClient;

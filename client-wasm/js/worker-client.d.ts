// Types of notary-client/worker-client.

import type { Account, ConfirmAnswer, PublicJwk, SaltStore, StatusAnswer } from "./wasm/notary_client.js";

export type { SaltStore };

export { NotaryError } from "./errors.js";
export type {
  ClientErrorCode,
  NotaryErrorCode,
  ProtocolErrorCode,
  ServerErrorCode,
  WorkerClientErrorCode,
} from "./errors.js";

/** Progress of a key derivation: `start` when Argon2id begins, `done` with its duration. */
export type DerivationProgress = { phase: "start" } | { phase: "done"; ms: number };

/** What the page learns about a key: never the secret. */
export interface KeyInfo {
  address: string;
  keyId: string;
  publicJwk: PublicJwk;
}

export interface WorkerClient {
  /** Resolves when the worker has loaded the WebAssembly module. */
  readonly ready: Promise<{ simd: boolean; baseUrl: string }>;
  /** Salt, then Argon2id inside the worker; the key becomes the session's key. */
  deriveKey(
    address: string,
    password: string,
    options?: { onProgress?: (event: DerivationProgress) => void },
  ): Promise<KeyInfo>;
  /**
   * The key of a new password, kept apart until the change is made: for the session's account, or
   * for `address` (recovery of a forgotten password, with no key in the session).
   */
  deriveNewKey(
    password: string,
    options?: { address?: string; onProgress?: (event: DerivationProgress) => void },
  ): Promise<KeyInfo>;
  /** `POST /signup` with the session's key. */
  signup(): Promise<StatusAnswer>;
  /** `POST /confirm`; with `useNewKey` the new key signs and then becomes the session's key. */
  confirm(confirmationToken: string, options?: { useNewKey?: boolean }): Promise<ConfirmAnswer>;
  /** `GET /account`, signed. */
  account(): Promise<Account>;
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
  /** `fetch` signed by the session's key; `init` must be structured-cloneable. */
  signedFetch(url: string | URL, init?: RequestInit & { audience?: string }): Promise<Response>;
  /** The session's keys, or null. */
  keyInfo(): Promise<{ current: KeyInfo | null; pending: KeyInfo | null }>;
  /** Zeroises and frees the keys and the Argon2 working memory in the worker. */
  forget(): Promise<null>;
  /** Stops the worker; pending and later calls reject with code `terminated`. */
  terminate(): void;
}

/**
 * Starts notary-client's Web Worker. `baseUrl` defaults to the page's origin; `workerUrl` is where
 * worker.js is served when not next to this module; `saltStore` keeps salt answers beyond the
 * worker's life (called on the page when the worker asks; see `SaltStore`).
 */
export function createWorkerClient(options?: {
  baseUrl?: string;
  workerUrl?: string | URL;
  saltStore?: SaltStore;
}): WorkerClient;

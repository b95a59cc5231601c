// Types of notary-client/worker-client.

import type { Account, ConfirmAnswer, PublicJwk, StatusAnswer } from "./wasm/notary_client.js";

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
  /** The key of a new password for the session's account, kept apart until the change is confirmed. */
  deriveNewKey(
    password: string,
    options?: { onProgress?: (event: DerivationProgress) => void },
  ): Promise<KeyInfo>;
  /** `POST /signup` with the session's key. */
  signup(): Promise<StatusAnswer>;
  /** `POST /confirm`; with `useNewKey` the new key signs and then becomes the session's key. */
  confirm(confirmationToken: string, options?: { useNewKey?: boolean }): Promise<ConfirmAnswer>;
  /** `GET /account`, signed. */
  account(): Promise<Account>;
  /** `PATCH /signature` with the new key. */
  changePassword(): Promise<StatusAnswer>;
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
 * worker.js is served when not next to this module.
 */
export function createWorkerClient(options?: { baseUrl?: string; workerUrl?: string | URL }): WorkerClient;

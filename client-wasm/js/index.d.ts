// Types of notary-client (the browser entry index.js and the Node entry node.js export the same API).

import type { EvaluateOptions } from "./wasm/notary_client.js";
import { Evaluation, KeyPair, NotaryClient, Session } from "./wasm/notary_client.js";

export type {
  Account,
  ConfirmAnswer,
  EvaluateOptions,
  KdfParams,
  PublicJwk,
  SaltAnswer,
  SessionCreated,
  SessionInfo,
  SessionList,
  SessionOptions,
  SessionsEnded,
  SignedFetchInit,
  SignIn,
  SignInOptions,
  SignInProgress,
  StatusAnswer,
  StoredSession,
} from "./wasm/notary_client.js";
export { Evaluation, KeyPair, NotaryClient, Session };
export { NotaryError } from "./errors.js";
export type {
  ClientErrorCode,
  NotaryErrorCode,
  ProtocolErrorCode,
  ServerErrorCode,
  WorkerClientErrorCode,
} from "./errors.js";

/** What every kind of token takes: the `aud`, and a lifetime in seconds, 1 to 300 (default 120). */
interface TokenSpecBase {
  /** The `aud`: a Notary server's base URL, or a third party's audience. */
  audience: string;
  /** Seconds, 1 to 300; default 120. */
  lifetime?: number;
}

/**
 * What `KeyPair.token()` signs: the arguments of the typed method of its `kind` (`signupToken`,
 * `confirmToken`, `changeToken`, `disableToken`, `requestToken`, `assertionToken`) as one object.
 */
export type TokenSpec =
  | (TokenSpecBase & { kind: "signup" | "change" | "disable" | "assertion" })
  | (TokenSpecBase & {
      kind: "confirm";
      /** The emailed confirmation token. */
      confirmation: string;
    })
  | (TokenSpecBase & {
      kind: "request";
      method: string;
      /** The full URL without fragment. */
      url: string;
      /** The body (a string is taken as UTF-8); none means the empty body. */
      body?: string | Uint8Array | ArrayBuffer | null;
    });

declare module "./wasm/notary_client.js" {
  interface KeyPair {
    /** The token `spec` describes, signed by the typed method of its `kind`. */
    token(spec: TokenSpec): string;
  }

  interface NotaryClient {
    /**
     * `evaluate(address, password, options)`, then the evaluation's `deriveKey()` (the key of
     * `kdf_version` 2); the evaluation is freed. Spends one of the address's guesses (two with
     * `verifyServerKey`).
     */
    keyFor(address: string, password: string, options?: EvaluateOptions): Promise<KeyPair>;
    /** `key.assertionToken(audience, lifetimeSecs)`. */
    assertion(key: KeyPair, audience: string, lifetimeSecs: number): string;
  }
}

/**
 * Loads and instantiates the WebAssembly module, once (later calls return the same promise). In Node,
 * importing the package has already done it; in a browser, `await ready()` before anything else.
 * `options.module` overrides where the .wasm comes from.
 */
export function ready(options?: {
  module?: URL | string | Response | BufferSource | WebAssembly.Module;
}): Promise<{ simd: boolean }>;

/** Whether `ready()` has completed. */
export function isReady(): boolean;

/** Whether this engine runs the SIMD build (every current browser and Node 16.4+ does). */
export function simdSupported(): boolean;

/** Zeroises the Argon2 working memory that derivations keep for reuse (64 MiB) and frees it. */
export function releaseKdfMemory(): void;

/** @internal Used by the entry points. */
export function setWasmLoader(
  load: (simd: boolean) => URL | Response | BufferSource | Promise<URL | Response | BufferSource>,
): void;

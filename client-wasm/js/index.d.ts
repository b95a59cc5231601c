// Types of notary-client (the browser entry index.js and the Node entry node.js export the same API).

import type { SaltAnswer, SignedFetchInit, TokenSpec } from "./wasm/notary_client.js";
import { KeyPair, NotaryClient } from "./wasm/notary_client.js";

export type {
  Account,
  ConfirmAnswer,
  KdfParams,
  PublicJwk,
  SaltAnswer,
  SignedFetchInit,
  StatusAnswer,
  TokenSpec,
} from "./wasm/notary_client.js";
export { KeyPair, NotaryClient };
export { NotaryError } from "./errors.js";

declare module "./wasm/notary_client.js" {
  interface KeyPair {
    /** A signup token (`notary-signup+jwt`, public JWK in the header) for the server `audience`, valid 120 s. */
    signupToken(audience: string): string;
    /** A confirm token (`notary-confirm+jwt`) carrying the emailed `confirmation` token. */
    confirmToken(audience: string, confirmation: string): string;
    /** A change token (`notary-change+jwt`): proposes this key (derived from the NEW password) as the account's key. */
    changeToken(audience: string): string;
    /** A disable token (`notary-disable+jwt`), signed by the account's current key. */
    disableToken(audience: string): string;
    /**
     * A signed-request token (`notary-request+jwt`) binding `method`, the full `url` (no fragment) and
     * the SHA-256 of `body` (a string is taken as UTF-8; none means the empty body).
     */
    requestToken(
      audience: string,
      method: string,
      url: string,
      body?: string | Uint8Array | ArrayBuffer | null,
    ): string;
    /** A token for a third party (`notary-assertion+jwt`) with its own `audience`, valid 1 to 300 s. */
    assertionToken(audience: string, lifetimeSecs: number): string;
  }

  interface NotaryClient {
    /** Derives the key pair from a salt answer and the password (see the package's `deriveKey`). */
    deriveKey(saltAnswer: SaltAnswer, password: string): KeyPair;
    /** `salt(address)`, then `deriveKey(answer, password)`. */
    keyFor(address: string, password: string): Promise<KeyPair>;
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

/**
 * Derives the key pair from a salt answer (`NotaryClient.salt()`) and the password: Argon2id with the
 * answer's parameters, inside WebAssembly. Synchronous and CPU-bound: on a page, prefer the Web
 * Worker client (`notary-client/worker-client`).
 */
export function deriveKey(saltAnswer: SaltAnswer, password: string): KeyPair;

/** Zeroises the Argon2 working memory that derivations keep for reuse (64 MiB) and frees it. */
export function releaseKdfMemory(): void;

/** @internal Used by the entry points. */
export function setWasmLoader(
  load: (simd: boolean) => URL | Response | BufferSource | Promise<URL | Response | BufferSource>,
): void;

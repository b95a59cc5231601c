//! # notary-client-wasm
//!
//! The browser and Node side of Notary, compiled to WebAssembly and published as the npm package
//! `notary-client` (see `client-wasm/README.md`). A thin adapter over the `protocol` crate:
//!
//! - [`client::derive_key`]: Argon2id(password, salt) → Ed25519 key pair, inside WASM memory only;
//! - [`key::KeyPair`]: the public JWK, the key id and every kind of token;
//! - [`client::NotaryClient`]: salt, signup, confirm, change of password, disable, account and signed
//!   `fetch`, with the global `fetch` from WebAssembly;
//! - [`error::NotaryError`]: what every export throws, with a stable `code`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod derive;
pub mod env;
pub mod error;
pub mod http;
pub mod key;
pub mod shape;

pub use client::{derive_key, NotaryClient};
pub use error::NotaryError;
pub use key::KeyPair;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Argon2id parameters announced by the server (`KdfParams` of the protocol). */
export interface KdfParams {
  algorithm: "argon2id";
  version: 19;
  memory_kib: number;
  iterations: number;
  parallelism: number;
}

/** The answer of `POST /salt`. */
export interface SaltAnswer {
  /** The canonical address. */
  address: string;
  /** 16 bytes, base64url. */
  salt: string;
  kdf: KdfParams;
  kdf_version: number;
}

/** An Ed25519 public key as an RFC 8037 JWK. */
export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

/** The answer of signup, change of password and disable. */
export interface StatusAnswer {
  status: "confirmation_sent" | "disabled" | string;
}

/** The answer of `POST /confirm`. */
export interface ConfirmAnswer {
  status: "active";
  address: string;
  key_id: string;
}

/** The answer of `GET /account`. */
export interface Account {
  address: string;
  status: "active" | string;
  key_id: string;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds. */
  confirmed_at: number;
}

/** What `KeyPair.token()` signs. */
export interface TokenSpec {
  kind: "signup" | "confirm" | "change" | "disable" | "request" | "assertion";
  /** The `aud`: a Notary server's base URL, or a third party's audience. */
  audience: string;
  /** Seconds, 1 to 300; default 120. */
  lifetime?: number;
  /** confirm only: the emailed confirmation token. */
  confirmation?: string;
  /** request only. */
  method?: string;
  /** request only: the full URL without fragment. */
  url?: string;
  /** request only: the body (a string is taken as UTF-8); none means the empty body. */
  body?: string | Uint8Array | ArrayBuffer | null;
}

/** `fetch`'s init, plus the `aud` of the request token when it is not the base URL or the URL's origin. */
export interface SignedFetchInit extends RequestInit {
  audience?: string;
}
"#;

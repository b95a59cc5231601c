//! # notary-client-wasm
//!
//! The browser and Node side of Notary, compiled to WebAssembly and published as the npm package
//! `notary-client` (see `client-wasm/README.md`). A thin adapter over the `protocol` crate:
//!
//! - [`client::derive_key`]: Argon2id(password, salt) → Ed25519 key pair, inside WASM memory only;
//! - [`key::KeyPair`]: the public JWK, the key id and one method per kind of token;
//! - [`client::NotaryClient`]: salt, signup, confirm, change of password, disable, account and signed
//!   `fetch`, with the global `fetch` from WebAssembly;
//! - [`salts`]: the salt answers a client keeps, so that signing in again does not depend on
//!   `POST /salt`;
//! - [`error::NotaryError`]: what every export throws, with a stable, typed `code`;
//! - [`typescript`]: the `.d.ts` text of the error codes and the answers, written at compile time
//!   from the same Rust that raises and checks them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod derive;
pub mod env;
pub mod error;
pub mod http;
pub mod key;
pub mod salts;
pub mod shape;
pub mod typescript;

pub use client::{derive_key, NotaryClient};
pub use error::NotaryError;
pub use key::KeyPair;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = typescript::ERROR_CODES;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = typescript::ANSWERS;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = salts::SALT_STORE_TYPES;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = client::CHANGE_PASSWORD_TYPES;

#[wasm_bindgen(typescript_custom_section)]
const SIGNED_FETCH_INIT: &'static str = r#"
/** `fetch`'s init, plus the `aud` of the request token when it is not the base URL or the URL's origin. */
export interface SignedFetchInit extends RequestInit {
  audience?: string;
}
"#;

//! # notary-client-wasm
//!
//! The browser and Node side of Notary, compiled to WebAssembly and published as the npm package
//! `notary-client` (see `client-wasm/README.md`). A thin adapter over the `protocol` crate:
//!
//! - [`derive::Evaluation`]: the password blinded, evaluated by the server's OPRF and finalized, then
//!   Argon2id and HKDF → Ed25519 key pair, inside WASM memory only;
//! - [`key::KeyPair`]: the public JWK, the key id and one method per kind of token;
//! - [`session::Session`]: a device key certified by the account key, to stay signed in without
//!   deriving again (a non-extractable WebCrypto key, or a key in WASM memory where there is none);
//! - [`client::NotaryClient`]: evaluation, sign-in (with the move of version-1 accounts), signup,
//!   confirm, change of password, disable, account, tickets and signed `fetch`, with the global
//!   `fetch` from WebAssembly;
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
pub mod session;
pub mod shape;
pub mod typescript;

pub use client::NotaryClient;
pub use derive::Evaluation;
pub use error::NotaryError;
pub use key::KeyPair;
pub use session::Session;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = typescript::ERROR_CODES;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = typescript::ANSWERS;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = client::CLIENT_OPTION_TYPES;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = client::CHANGE_PASSWORD_TYPES;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = session::SESSION_TYPES;

#[wasm_bindgen(typescript_custom_section)]
const SIGNED_FETCH_INIT: &'static str = r#"
/** `fetch`'s init, plus the `aud` of the request token when it is not the base URL or the URL's origin. */
export interface SignedFetchInit extends RequestInit {
  audience?: string;
}
"#;

//! # notary-protocol
//!
//! The protocol that Notary's client (WebAssembly in the browser) and server (a Cloudflare Worker)
//! share, implemented once and without any platform dependency: address canonicalisation, salts,
//! Argon2id key derivation, Ed25519 keys as JWKs with RFC 7638 key ids, and the compact JWS tokens.
//! docs/protocol.md is the normative description; this crate and that document agree.
//!
//! ```
//! use protocol::{address::Address, kdf, keys::KeyPair, salt::Salt, token};
//! # fn main() -> Result<(), protocol::Error> {
//! let address = Address::parse("Alice@Example.com")?;
//! let salt = Salt::for_address(b"server secret", &address);
//! // Real clients use kdf::KdfParams::CURRENT (64 MiB); the doctest uses the floor to stay quick.
//! let params = kdf::KdfParams { memory_kib: 19_456, iterations: 2, ..kdf::KdfParams::CURRENT };
//! let seed = kdf::derive_seed(&kdf::Password::from_normalized("correct horse battery".into())?, &salt, &params)?;
//! let key = KeyPair::from_seed(&seed);
//!
//! let claims = token::Claims::new(&address, "https://notary.example", 1_700_000_000, 120, &[7; 16]);
//! let jws = token::sign(token::TokenKind::Signup, &claims, &key)?;
//!
//! let (parsed, public) = token::ParsedToken::parse_proposal(&jws, token::ProposalKind::Signup)?;
//! let expect = token::Expectations {
//!     audience: "https://notary.example",
//!     now: 1_700_000_010,
//! };
//! let verified = parsed.verify(&public, &expect)?;
//! assert_eq!(verified.subject.as_str(), "alice@example.com");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod b64;
pub mod confirmation;
pub mod error;
pub mod kdf;
pub mod keys;
pub mod mac;
pub mod oprf;
pub mod salt;
pub mod token;
pub mod vocabulary;

pub use error::{Error, ErrorKind, Result};

//! Key derivation inside WebAssembly: the salt answer and the password in, a key pair out. The seed and
//! the Argon2 working memory never leave WASM memory and are zeroised when dropped.

use crate::error::{NotaryError, Result};
use crate::shape;
use crate::signer::Ed25519Key;
use protocol::address::Address;
use protocol::kdf::{KdfAlgorithm, KdfParams, Password, Seed};
use protocol::salt::Salt;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// The answer of `POST /salt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaltAnswer {
    /// The canonical address.
    pub address: String,
    /// 16 bytes, base64url.
    pub salt: String,
    /// The Argon2id parameters to use.
    pub kdf: KdfParams,
    /// The version of the parameter set.
    pub kdf_version: u32,
}

impl SaltAnswer {
    /// Reads a salt answer from the JavaScript object `POST /salt` returned.
    pub fn from_js(answer: &JsValue) -> Result<Self> {
        let kdf = shape::object(answer, "kdf")?;
        if shape::string(&kdf, "algorithm")? != "argon2id" {
            return Err(NotaryError::local(
                protocol::ErrorKind::WeakKdfParams.code(),
                "the only key-derivation algorithm is argon2id",
            ));
        }
        Ok(Self {
            address: shape::string(answer, "address")?,
            salt: shape::string(answer, "salt")?,
            kdf: KdfParams {
                algorithm: KdfAlgorithm::Argon2id,
                version: shape::u32(&kdf, "version")?,
                memory_kib: shape::u32(&kdf, "memory_kib")?,
                iterations: shape::u32(&kdf, "iterations")?,
                parallelism: shape::u32(&kdf, "parallelism")?,
            },
            kdf_version: shape::u32(answer, "kdf_version")?,
        })
    }
}

/// Argon2id(password, salt) with `params` (checked against the protocol's floor first) in `memory`,
/// through this crate's implementation (`crate::argon2`, SIMD or scalar as built).
fn derive_with(
    password: &Password,
    salt: &Salt,
    params: &KdfParams,
    memory: &mut crate::argon2::Memory,
) -> Result<Seed> {
    params.check()?;
    crate::argon2::derive_seed(password.as_bytes(), salt.as_bytes(), params, memory)
}

/// Whether this build derives keys with WebAssembly SIMD.
pub const SIMD: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));

thread_local! {
    /// The Argon2 block buffer, kept between derivations: allocating 64 MiB afresh costs real time.
    static KDF_MEMORY: RefCell<crate::argon2::Memory> = const { RefCell::new(crate::argon2::Memory::new()) };
}

/// Argon2id(password, salt) with `params` through this build's implementation, in the kept buffer.
pub fn derive_seed(password: &Password, salt: &Salt, params: &KdfParams) -> Result<Seed> {
    KDF_MEMORY.with(|memory| match memory.try_borrow_mut() {
        Ok(mut memory) => derive_with(password, salt, params, &mut memory),
        // Only reachable if a derivation re-entered itself, which single-threaded WASM cannot do.
        Err(_) => Err(NotaryError::local(
            "busy",
            "another key derivation is running",
        )),
    })
}

/// Derives the key pair of `password` for the account the salt answer names, with the answer's
/// parameters (refused below the protocol's floor). Returns the canonical address with it.
pub fn derive_key_pair(answer: &SaltAnswer, password: &Password) -> Result<(Address, Ed25519Key)> {
    let address = Address::from_canonical(&answer.address)?;
    let salt = Salt::from_base64url(&answer.salt)?;
    let seed = derive_seed(password, &salt, &answer.kdf)?;
    Ok((address, Ed25519Key::from_seed(&seed)?))
}

/// Zeroises the kept Argon2 buffer and returns it to the allocator.
pub fn release_kdf_memory() {
    KDF_MEMORY.with(|memory| {
        if let Ok(mut memory) = memory.try_borrow_mut() {
            // Dropping the old buffer zeroises it (Memory's Drop).
            *memory = crate::argon2::Memory::new();
        }
    });
}

/// The password as Argon2id takes it: NFKC-normalised by JavaScript's own
/// `String.prototype.normalize` (the same Unicode data the browser uses, and no tables in the WASM),
/// then length-checked. A string with lone surrogates is refused rather than silently altered.
pub fn password_from_js(password: &js_sys::JsString) -> Result<Password> {
    let normalized = password.normalize("NFKC");
    if !normalized.is_valid_utf16() {
        return Err(NotaryError::local(
            protocol::ErrorKind::InvalidPassword.code(),
            "the password contains an unpaired surrogate",
        ));
    }
    // Valid UTF-16 converts to UTF-8 without loss; Password owns the String and zeroises it on drop.
    let text = normalized.as_string().ok_or(NotaryError::local(
        protocol::ErrorKind::InvalidPassword.code(),
        "the password must be a string",
    ))?;
    Ok(Password::from_normalized(text)?)
}

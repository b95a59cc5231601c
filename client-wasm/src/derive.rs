//! Key derivation inside WebAssembly: the salt answer and the password in, a key pair out, through the
//! protocol's Argon2id (`protocol::kdf`, with its SIMD kernel in the SIMD build). The seed and the
//! Argon2 working memory never leave WASM memory and are zeroised when dropped.

use crate::error::{ClientErrorKind, NotaryError, Result};
use crate::shape;
use protocol::address::Address;
use protocol::kdf::{self, KdfAlgorithm, KdfMemory, KdfParams, Password};
use protocol::keys::{KeyPair, Seed};
use protocol::salt::{Salt, SaltAnswer};
use protocol::ErrorKind;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// Reads the salt answer from the JavaScript object `POST /salt` returned (`JSON.parse` has already
/// parsed it), in the order docs/protocol.md section 5 gives: a `kdf_version` this client implements
/// first (`unsupported_kdf_version`), then `kdf` with no member besides the known ones
/// (`weak_kdf_params`), then the values. Members missing or of the wrong type are `invalid_argument`;
/// other top-level members are ignored. [`SaltAnswer::check`] checks the values before deriving.
pub fn salt_answer_from_js(answer: &JsValue) -> Result<SaltAnswer> {
    let kdf_version = shape::u32(answer, "kdf_version")?;
    kdf::check_kdf_version(kdf_version)?;
    let kdf = shape::object(answer, "kdf")?;
    let members: Vec<String> = js_sys::Object::keys(kdf.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|name| name.as_string())
        .collect();
    KdfParams::check_members(members.iter().map(String::as_str))?;
    Ok(SaltAnswer {
        address: shape::string(answer, "address")?,
        salt: shape::string(answer, "salt")?,
        kdf: KdfParams {
            algorithm: KdfAlgorithm::from_name(&shape::string(&kdf, "algorithm")?)?,
            version: shape::u32(&kdf, "version")?,
            memory_kib: shape::u32(&kdf, "memory_kib")?,
            iterations: shape::u32(&kdf, "iterations")?,
            parallelism: shape::u32(&kdf, "parallelism")?,
        },
        kdf_version,
    })
}

thread_local! {
    /// The Argon2 working memory, kept between derivations: allocating 64 MiB afresh costs real time.
    static KDF_MEMORY: RefCell<KdfMemory> = const { RefCell::new(KdfMemory::new()) };
}

/// Argon2id(password, salt) with `params` (checked against the protocol's floor first), in the kept
/// working memory.
pub fn derive_seed(password: &Password, salt: &Salt, params: &KdfParams) -> Result<Seed> {
    KDF_MEMORY.with(|memory| match memory.try_borrow_mut() {
        Ok(mut memory) => Ok(kdf::derive_seed_with_memory(
            password,
            salt,
            params,
            &mut memory,
        )?),
        // Only reachable if a derivation re-entered itself, which single-threaded WASM cannot do.
        Err(_) => Err(NotaryError::new(
            ClientErrorKind::Busy,
            "another key derivation is running",
        )),
    })
}

/// Derives the key pair of `password` for the account the salt answer names, once the answer passes
/// the client's checks ([`SaltAnswer::check`]). Returns the canonical address with it.
pub fn derive_key_pair(answer: &SaltAnswer, password: &Password) -> Result<(Address, KeyPair)> {
    let (address, salt) = answer.check()?;
    let seed = derive_seed(password, &salt, &answer.kdf)?;
    Ok((address, KeyPair::from_seed(&seed)))
}

/// Zeroises the kept Argon2 working memory and returns it to the allocator.
pub fn release_kdf_memory() {
    KDF_MEMORY.with(|memory| {
        if let Ok(mut memory) = memory.try_borrow_mut() {
            // Dropping the old buffer zeroises it (KdfMemory's Drop).
            *memory = KdfMemory::new();
        }
    });
}

/// The password as Argon2id takes it: NFKC-normalised by JavaScript's own
/// `String.prototype.normalize` (the same Unicode data the browser uses, and no tables in the WASM),
/// then length-checked. A string with lone surrogates is refused rather than silently altered.
pub fn password_from_js(password: &js_sys::JsString) -> Result<Password> {
    let normalized = password.normalize("NFKC");
    if !normalized.is_valid_utf16() {
        return Err(protocol::Error::new(
            ErrorKind::InvalidPassword,
            "the password contains an unpaired surrogate",
        )
        .into());
    }
    // Valid UTF-16 converts to UTF-8 without loss; Password owns the String and zeroises it on drop.
    let text = normalized.as_string().ok_or(protocol::Error::new(
        ErrorKind::InvalidPassword,
        "the password must be a string",
    ))?;
    Ok(Password::from_normalized(text)?)
}

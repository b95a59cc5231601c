//! Key derivation inside WebAssembly (docs/protocol.md section 5): the password is blinded here, the
//! server's OPRF evaluation is finalized here, and Argon2id runs here, with its SIMD kernel in the
//! SIMD build. The password, the OPRF output, the seed and the Argon2 working memory never leave
//! WASM memory and are zeroised when dropped.
//!
//! [`Evaluation`] is what `NotaryClient.evaluate` resolves to: the server's answer for one password,
//! already finalized, from which [`Evaluation::derive_key`] derives the key of `kdf_version` 2 and
//! [`Evaluation::derive_legacy_key`] the key of version 1 (for an account that still has one).

use crate::error::{ClientErrorKind, NotaryError, Result};
use crate::key::{KeyMaterial, KeyPair};
use crate::shape;
use protocol::address::Address;
use protocol::kdf::{self, v2, KdfAlgorithm, KdfMemory, KdfParams, Password};
use protocol::keys::{self, Seed};
use protocol::oprf;
use protocol::salt::{CheckedSaltAnswer, Salt, SaltAnswer};
use protocol::ErrorKind;
use std::cell::RefCell;
use subtle::ConstantTimeEq;
use wasm_bindgen::prelude::*;

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
    let accepted = shape::member(answer, "accepted_kdf_versions");
    if !js_sys::Array::is_array(&accepted) {
        return Err(NotaryError::invalid_argument(
            "accepted_kdf_versions must be an array of numbers",
        ));
    }
    let accepted_kdf_versions = js_sys::Array::from(&accepted)
        .iter()
        .map(|version| {
            version
                .as_f64()
                .filter(|v| v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(v))
                .map(|v| v as u32)
                .ok_or(NotaryError::invalid_argument(
                    "accepted_kdf_versions must be an array of numbers",
                ))
        })
        .collect::<Result<Vec<u32>>>()?;
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
        accepted_kdf_versions,
        evaluated: shape::string(answer, "evaluated")?,
    })
}

thread_local! {
    /// The Argon2 working memory, kept between derivations: allocating 64 MiB afresh costs real time.
    static KDF_MEMORY: RefCell<KdfMemory> = const { RefCell::new(KdfMemory::new()) };
}

/// Runs `derive` in the kept Argon2 working memory.
fn with_kdf_memory(derive: impl FnOnce(&mut KdfMemory) -> protocol::Result<Seed>) -> Result<Seed> {
    KDF_MEMORY.with(|memory| match memory.try_borrow_mut() {
        Ok(mut memory) => Ok(derive(&mut memory)?),
        // Only reachable if a derivation re-entered itself, which single-threaded WASM cannot do.
        Err(_) => Err(NotaryError::new(
            ClientErrorKind::Busy,
            "another key derivation is running",
        )),
    })
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

/// 64 bytes from `crypto.getRandomValues`: one blind.
fn random_blind() -> Result<[u8; 64]> {
    let mut bytes = [0u8; 64];
    crate::env::random_bytes(&mut bytes)?;
    Ok(bytes)
}

/// One password blinded for one address: send [`Blinding::blinded`] as the salt request's `blinded`,
/// then [`Blinding::finish`] the answer.
pub struct Blinding {
    address: Address,
    password: Password,
    blinding: v2::PasswordBlinding,
}

impl Blinding {
    /// Blinds `password` for `address` (its canonical form, as far as the client knows it) with a
    /// fresh random blind.
    pub fn new(address: Address, password: Password) -> Result<Self> {
        let blinding = v2::PasswordBlinding::new(&address, &password, random_blind()?)?;
        Ok(Self {
            address,
            password,
            blinding,
        })
    }

    /// The address the input was blinded for.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The `blinded` member of the salt request.
    pub fn blinded(&self) -> String {
        self.blinding.blinded().to_base64url()
    }

    /// The same password blinded for another address (the canonical form the server answered), with
    /// a fresh blind.
    pub fn for_address(self, address: Address) -> Result<Self> {
        Self::new(address, self.password)
    }

    /// Finalizes a checked salt answer for the address this input was blinded for.
    pub fn finish(self, answer: &SaltAnswer, checked: CheckedSaltAnswer) -> Result<Evaluation> {
        let output = self.blinding.finalize(&checked.evaluated)?;
        Ok(Evaluation {
            address: checked.address,
            salt: checked.salt,
            kdf: answer.kdf,
            legacy_accepted: checked.legacy_accepted,
            output,
            password: self.password,
        })
    }
}

/// A password evaluated by the server for one address: what `NotaryClient.evaluate` resolves to.
/// Holds the OPRF output and the password (both zeroised when freed) until a key is derived from it.
#[wasm_bindgen]
pub struct Evaluation {
    address: Address,
    salt: Salt,
    kdf: KdfParams,
    legacy_accepted: bool,
    output: oprf::Output,
    password: Password,
}

#[wasm_bindgen]
impl Evaluation {
    /// The canonical address: the `sub` of every token of the keys derived from this evaluation.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.address.as_str().to_owned()
    }

    /// Whether the server still accepts keys of `kdf_version` 1 (`accepted_kdf_versions` holds 1):
    /// an account made before version 2 can then sign in once with `deriveLegacyKey()` to move.
    #[wasm_bindgen(getter, js_name = legacyAccepted)]
    pub fn legacy_accepted(&self) -> bool {
        self.legacy_accepted
    }

    /// The key of `kdf_version` 2: Argon2id over the OPRF output, then HKDF (docs/protocol.md
    /// section 5.2). Takes a noticeable moment (64 MiB): in a page, prefer the Web Worker client.
    #[wasm_bindgen(js_name = deriveKey)]
    pub fn derive_key(&self) -> Result<KeyPair> {
        let seed =
            with_kdf_memory(|memory| v2::derive_seed(&self.output, &self.salt, &self.kdf, memory))?;
        Ok(self.key_pair(&seed))
    }

    /// The key of `kdf_version` 1: Argon2id over the password alone (docs/protocol.md section 5.3),
    /// the key of an account made before version 2, which signs in with it once to move.
    #[wasm_bindgen(js_name = deriveLegacyKey)]
    pub fn derive_legacy_key(&self) -> Result<KeyPair> {
        let seed = with_kdf_memory(|memory| {
            kdf::derive_seed_with_memory(&self.password, &self.salt, &self.kdf, memory)
        })?;
        Ok(self.key_pair(&seed))
    }
}

impl Evaluation {
    fn key_pair(&self, seed: &Seed) -> KeyPair {
        KeyPair::from_material(KeyMaterial::new(
            self.address.clone(),
            keys::KeyPair::from_seed(seed),
        ))
    }

    /// Refuses two evaluations of one password whose outputs differ (`oprf_key_varies`): a server
    /// that evaluates with another key each time would make the registered key depend on which.
    pub fn check_same_as(&self, other: &Self) -> Result<()> {
        let same = self.address == other.address
            && bool::from(self.output.as_slice().ct_eq(other.output.as_slice()));
        if same {
            Ok(())
        } else {
            Err(NotaryError::new(
                ClientErrorKind::OprfKeyVaries,
                "the server evaluated the same password with two different keys: no key was registered",
            ))
        }
    }
}

/// The password as the OPRF and Argon2id take it: NFKC-normalised by JavaScript's own
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

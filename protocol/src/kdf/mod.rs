//! Key derivation (docs/protocol.md section 5): Argon2id v1.3 (RFC 9106) from the NFKC-normalised
//! password and the address's salt to the 32-byte Ed25519 seed. The parameters, their bounds and the
//! password's rules are always here, since the server announces the parameters; the derivation
//! itself, the workspace's one Argon2id, comes with the `kdf` feature, which the server (it never
//! derives) leaves out.

use crate::error::{err, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

#[cfg(feature = "kdf")]
mod argon2id;
#[cfg(feature = "kdf")]
mod backends;
#[cfg(test)]
mod tests;
#[cfg(feature = "kdf")]
pub mod v2;

#[cfg(feature = "kdf")]
use crate::{keys::Seed, salt::Salt};
#[cfg(feature = "kdf")]
pub use argon2id::KdfMemory;

/// Shortest password accepted, in Unicode scalar values after NFKC.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in Unicode scalar values after NFKC.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The parameter set a server announces in its salt answer (the `kdf` member).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    /// Always `"argon2id"`.
    pub algorithm: KdfAlgorithm,
    /// Argon2 version number; always 19 (0x13, v1.3).
    pub version: u32,
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

/// The only key-derivation algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KdfAlgorithm {
    /// Argon2id (RFC 9106).
    #[serde(rename = "argon2id")]
    Argon2id,
}

impl KdfAlgorithm {
    /// The algorithm a salt answer names: only `argon2id` (`weak_kdf_params` otherwise).
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "argon2id" => Ok(Self::Argon2id),
            _ => Err(err(
                ErrorKind::WeakKdfParams,
                "the only key-derivation algorithm is argon2id",
            )),
        }
    }
}

/// The derivation scheme of new keys (the salt answer's `kdf_version`): 2, the OPRF of
/// docs/protocol.md section 5.2 ([`v2`]) then Argon2id with [`KdfParams::CURRENT`]. It is the only
/// version a salt answer may carry; [`LEGACY_KDF_VERSION`] survives only to sign in and move.
pub const KDF_PARAMS_VERSION: u32 = 2;

/// Version 1, Argon2id over the password alone ([`derive_seed`]): keys of accounts made before
/// version 2 sign in with it once, to propose their version-2 key (docs/protocol.md section 9.13).
pub const LEGACY_KDF_VERSION: u32 = 1;

/// Refuses a `kdf_version` this crate does not implement (`unsupported_kdf_version`): a client never
/// derives with a scheme it does not know, so this comes before anything else in the salt answer.
pub fn check_kdf_version(kdf_version: u32) -> Result<()> {
    if kdf_version == KDF_PARAMS_VERSION {
        Ok(())
    } else {
        Err(err(
            ErrorKind::UnsupportedKdfVersion,
            "the salt answer's kdf_version is not one this client implements (only 2)",
        ))
    }
}

impl KdfParams {
    /// The parameters in force: m = 64 MiB, t = 3, p = 1, RFC 9106 section 4's second recommended
    /// option ("if much less memory is available").
    pub const CURRENT: Self = Self {
        algorithm: KdfAlgorithm::Argon2id,
        version: 0x13,
        memory_kib: 65536,
        iterations: 3,
        parallelism: 1,
    };

    /// The members of `kdf`, as serialised (a test keeps them in step with serde).
    pub const MEMBERS: [&'static str; 5] = [
        "algorithm",
        "version",
        "memory_kib",
        "iterations",
        "parallelism",
    ];

    /// Refuses a `kdf` object with members other than [`KdfParams::MEMBERS`] (`weak_kdf_params`), for
    /// a client that reads the object member by member rather than through serde, which refuses them
    /// by itself.
    pub fn check_members<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        if names.into_iter().all(|name| Self::MEMBERS.contains(&name)) {
            Ok(())
        } else {
            Err(err(
                ErrorKind::WeakKdfParams,
                "the key-derivation parameters have a member this client does not know",
            ))
        }
    }

    /// The floor a client enforces whatever a server sends: OWASP's minimum for Argon2id
    /// (m = 19 MiB, t = 2, p = 1), plus a ceiling so a hostile server cannot exhaust the device.
    pub fn check(&self) -> Result<()> {
        let ok = self.version == 0x13
            && (19_456..=1_048_576).contains(&self.memory_kib)
            && (2..=16).contains(&self.iterations)
            && (1..=8).contains(&self.parallelism)
            && self.memory_kib >= 8 * self.parallelism;
        if ok {
            Ok(())
        } else {
            Err(err(
                ErrorKind::WeakKdfParams,
                "key-derivation parameters must be Argon2id v1.3 with 19456 <= m <= 1048576 KiB, 2 <= t <= 16, 1 <= p <= 8",
            ))
        }
    }
}

/// A password after NFKC normalisation and length checks. Zeroised on drop (copies too).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    /// Normalises `input` with NFKC (UAX #15) and checks its length.
    #[cfg(feature = "nfkc")]
    pub fn new(input: &str) -> Result<Self> {
        use unicode_normalization::UnicodeNormalization as _;
        Self::from_normalized(input.nfkc().collect())
    }

    /// Takes a password that the caller has already normalised with NFKC (for example with
    /// JavaScript's `String.prototype.normalize("NFKC")`), and checks its length.
    pub fn from_normalized(normalized: String) -> Result<Self> {
        let chars = normalized.chars().count();
        let password = Self(normalized);
        if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            Ok(password)
        } else {
            Err(err(
                ErrorKind::InvalidPassword,
                "the password must be 8 to 1024 characters long",
            ))
        }
    }

    /// The normalised bytes fed to Argon2id.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Derives the version-1 Ed25519 seed ([`LEGACY_KDF_VERSION`]): Argon2id(password, salt) with `params`, 32 bytes of output, after
/// checking `params` against the floor and ceiling ([`KdfParams::check`]).
#[cfg(feature = "kdf")]
pub fn derive_seed(password: &Password, salt: &Salt, params: &KdfParams) -> Result<Seed> {
    derive_seed_with_memory(password, salt, params, &mut KdfMemory::new())
}

/// [`derive_seed`] in a caller-owned working memory that is reused between calls: allocating
/// 64 MiB afresh for each derivation costs real time.
#[cfg(feature = "kdf")]
pub fn derive_seed_with_memory(
    password: &Password,
    salt: &Salt,
    params: &KdfParams,
    memory: &mut KdfMemory,
) -> Result<Seed> {
    params.check()?;
    argon2id::hash(password.as_bytes(), salt.as_bytes(), params, memory)
}

//! Key derivation: Argon2id v1.3 (RFC 9106) from the NFKC-normalised password and the address's salt
//! to a 32-byte Ed25519 seed.

use crate::error::{err, ErrorKind, Result};
use crate::salt::Salt;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Shortest password accepted, in Unicode scalar values after NFKC.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in Unicode scalar values after NFKC.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The parameter set a server announces in its salt answer.
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

/// Version of the parameter set; raised whenever [`KdfParams::CURRENT`] changes.
pub const KDF_PARAMS_VERSION: u32 = 1;

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

    fn argon2(&self) -> Result<argon2::Argon2<'static>> {
        self.check()?;
        let params = argon2::Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(SEED_BYTES),
        )
        .map_err(|_| err(ErrorKind::WeakKdfParams, "Argon2 refused the parameters"))?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

/// Length of the Ed25519 seed the derivation produces.
pub const SEED_BYTES: usize = 32;

/// A password after NFKC normalisation and length checks. Zeroised on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
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

/// The 32-byte Ed25519 seed. Zeroised on drop; never leaves the client.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Seed(pub(crate) [u8; SEED_BYTES]);

impl Seed {
    /// Wraps 32 bytes as a seed (for test vectors and the RFC 8032 keys; real seeds come from
    /// [`derive_seed`]).
    pub const fn from_bytes(bytes: [u8; SEED_BYTES]) -> Self {
        Self(bytes)
    }

    /// The raw seed (for test vectors).
    pub fn as_bytes(&self) -> &[u8; SEED_BYTES] {
        &self.0
    }
}

/// Reusable Argon2 working memory: allocating 64 MiB afresh for each derivation costs real time.
#[derive(Default)]
pub struct KdfMemory(Vec<argon2::Block>);

impl KdfMemory {
    /// An empty buffer; it grows on first use.
    pub const fn new() -> Self {
        Self(Vec::new())
    }
}

impl Drop for KdfMemory {
    fn drop(&mut self) {
        // The blocks hold material derived from the password.
        for block in self.0.iter_mut() {
            *block = argon2::Block::default();
        }
    }
}

/// Derives the Ed25519 seed: Argon2id(password, salt) with `params`, 32 bytes of output.
pub fn derive_seed(password: &Password, salt: &Salt, params: &KdfParams) -> Result<Seed> {
    derive_seed_with_memory(password, salt, params, &mut KdfMemory::new())
}

/// [`derive_seed`] with a caller-owned buffer that is reused between calls.
pub fn derive_seed_with_memory(
    password: &Password,
    salt: &Salt,
    params: &KdfParams,
    memory: &mut KdfMemory,
) -> Result<Seed> {
    let argon2 = params.argon2()?;
    let blocks = argon2.params().block_count();
    memory.0.resize(blocks, argon2::Block::default());
    let mut seed = Seed([0u8; SEED_BYTES]);
    argon2
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt.as_bytes(),
            &mut seed.0,
            &mut memory.0[..],
        )
        .map_err(|_| err(ErrorKind::WeakKdfParams, "Argon2 refused the inputs"))?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_parameters_pass_the_floor_and_weaker_ones_do_not() {
        assert!(KdfParams::CURRENT.check().is_ok());
        let owasp = KdfParams {
            memory_kib: 19_456,
            iterations: 2,
            ..KdfParams::CURRENT
        };
        assert!(owasp.check().is_ok());
        for weak in [
            KdfParams {
                memory_kib: 19_455,
                ..KdfParams::CURRENT
            },
            KdfParams {
                iterations: 1,
                ..KdfParams::CURRENT
            },
            KdfParams {
                parallelism: 0,
                ..KdfParams::CURRENT
            },
            KdfParams {
                version: 0x10,
                ..KdfParams::CURRENT
            },
            KdfParams {
                memory_kib: 2_000_000,
                ..KdfParams::CURRENT
            },
        ] {
            assert_eq!(
                weak.check().map_err(|e| e.kind()),
                Err(ErrorKind::WeakKdfParams),
                "{weak:?}"
            );
        }
    }

    #[test]
    fn params_serialise_as_documented() {
        let json = serde_json::to_string(&KdfParams::CURRENT).unwrap();
        assert_eq!(
            json,
            r#"{"algorithm":"argon2id","version":19,"memory_kib":65536,"iterations":3,"parallelism":1}"#
        );
        assert!(serde_json::from_str::<KdfParams>(r#"{"algorithm":"argon2i","version":19,"memory_kib":65536,"iterations":3,"parallelism":1}"#).is_err());
    }

    #[cfg(feature = "nfkc")]
    #[test]
    fn passwords_are_nfkc_normalised_and_length_checked() {
        // U+FB01 LATIN SMALL LIGATURE FI becomes "fi"; U+212B ANGSTROM SIGN becomes U+00C5.
        assert_eq!(
            Password::new("\u{FB01}xxxxxxx").unwrap().as_bytes(),
            b"fixxxxxxx"
        );
        assert_eq!(
            Password::new("\u{212B}bcdefgh").unwrap().as_bytes(),
            "\u{C5}bcdefgh".as_bytes()
        );
        assert!(Password::new("1234567").is_err());
        assert!(Password::new("12345678").is_ok());
        assert!(Password::new(&"é".repeat(1024)).is_ok());
        assert!(Password::new(&"é".repeat(1025)).is_err());
    }

    #[test]
    fn reusing_memory_gives_the_same_seed() {
        let params = KdfParams {
            memory_kib: 19_456,
            iterations: 2,
            ..KdfParams::CURRENT
        };
        let password = Password::from_normalized("correct horse".into()).unwrap();
        let salt = Salt::from_bytes([1; 16]);
        let mut memory = KdfMemory::new();
        let a = derive_seed_with_memory(&password, &salt, &params, &mut memory).unwrap();
        let b = derive_seed_with_memory(&password, &salt, &params, &mut memory).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        let other = Salt::from_bytes([2; 16]);
        assert_ne!(
            a.as_bytes(),
            derive_seed(&password, &other, &params).unwrap().as_bytes()
        );
    }
}

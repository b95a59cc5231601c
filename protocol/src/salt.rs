//! Per-address salts, `HMAC-SHA256(SALT_SECRET, canonical address)`, first 16 bytes; the per-address
//! OPRF keys, `DeriveKeyPair(OPRF_SEED, "Notary-v2-OPRF-key" || address)`; and the salt answer that
//! carries the salt, the key-derivation parameters and the server's OPRF evaluation
//! (docs/protocol.md sections 4 and 9.2).
//!
//! Deterministic and stateless, so the answer for an address that has no account is computed exactly
//! like the answer for one that has: the salt endpoint reveals nothing about which addresses exist.

use crate::address::Address;
use crate::b64;
use crate::error::{err, ErrorKind, Result};
use crate::kdf::{check_kdf_version, KdfParams, KDF_PARAMS_VERSION, LEGACY_KDF_VERSION};
use crate::oprf::{BlindedElement, EvaluatedElement, ServerKey};
use serde::Serialize;

/// The prefix of the OPRF key info: the key is bound to the protocol version and the address.
pub const OPRF_KEY_INFO_LABEL: &[u8] = b"Notary-v2-OPRF-key";

/// The OPRF key of `address` under the server's `oprf_seed` (RFC 9497 section 3.2.1, `DeriveKeyPair`
/// with `info = "Notary-v2-OPRF-key" || canonical address`).
pub fn address_oprf_key(oprf_seed: &[u8], address: &Address) -> Result<ServerKey> {
    let info = [OPRF_KEY_INFO_LABEL, address.as_str().as_bytes()].concat();
    ServerKey::derive(oprf_seed, &info)
}

/// Salt length in bytes (RFC 9106 section 3.1 recommends 16).
pub const SALT_BYTES: usize = 16;

/// An Argon2id salt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Salt([u8; SALT_BYTES]);

impl Salt {
    /// The salt of `address` under the server's `secret`.
    pub fn for_address(secret: &[u8], address: &Address) -> Self {
        let tag = crate::mac::hmac_sha256(secret, &[address.as_str().as_bytes()]);
        let mut salt = [0u8; SALT_BYTES];
        salt.copy_from_slice(tag.get(..SALT_BYTES).unwrap_or(&[0u8; SALT_BYTES]));
        Self(salt)
    }

    /// Wraps raw bytes (for tests and vectors).
    pub const fn from_bytes(bytes: [u8; SALT_BYTES]) -> Self {
        Self(bytes)
    }

    /// Parses the base64url form that the salt endpoint returns.
    pub fn from_base64url(text: &str) -> Result<Self> {
        b64::decode_array(text).map(Self).ok_or(err(
            ErrorKind::InvalidSalt,
            "the salt must be 16 bytes of canonical base64url",
        ))
    }

    /// The base64url form.
    pub fn to_base64url(&self) -> String {
        b64::encode(self.0)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; SALT_BYTES] {
        &self.0
    }
}

/// The answer of `POST /salt`: the server builds it with [`SaltAnswer::new`], a client checks it with
/// [`SaltAnswer::check`] before deriving. A client reads the answer member by member, in the order
/// of docs/protocol.md section 5: `kdf_version` first ([`crate::kdf::check_kdf_version`]), then the
/// members of `kdf` ([`KdfParams::check_members`]), then the values. It is not `Deserialize`: serde
/// would report an unknown `kdf_version` or `kdf` member as a shape error, in no particular order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SaltAnswer {
    /// The canonical address.
    pub address: String,
    /// The salt, 16 bytes as base64url.
    pub salt: String,
    /// The Argon2id parameters.
    pub kdf: KdfParams,
    /// The derivation scheme of new keys ([`KDF_PARAMS_VERSION`]).
    pub kdf_version: u32,
    /// The schemes whose keys the server still accepts, newest first: `[2]`, or `[2, 1]` while
    /// version-1 keys may still sign in to move to version 2.
    pub accepted_kdf_versions: Vec<u32>,
    /// The server's evaluation of the request's `blinded` element, 32 bytes as base64url.
    pub evaluated: String,
}

/// What a client takes from a salt answer that passed [`SaltAnswer::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedSaltAnswer {
    /// The address, the `sub` of every token.
    pub address: Address,
    /// The Argon2id salt.
    pub salt: Salt,
    /// The server's OPRF evaluation.
    pub evaluated: EvaluatedElement,
    /// Whether a version-1 key may still sign in (`accepted_kdf_versions` holds 1).
    pub legacy_accepted: bool,
}

impl SaltAnswer {
    /// The server's answer for `address`: its salt under `salt_secret`, the parameters in force and
    /// the evaluation of `blinded` under the address's OPRF key ([`address_oprf_key`]).
    pub fn new(
        salt_secret: &[u8],
        oprf_seed: &[u8],
        address: &Address,
        blinded: &BlindedElement,
        legacy_accepted: bool,
    ) -> Result<Self> {
        let evaluated = address_oprf_key(oprf_seed, address)?.evaluate(blinded);
        let accepted_kdf_versions = if legacy_accepted {
            vec![KDF_PARAMS_VERSION, LEGACY_KDF_VERSION]
        } else {
            vec![KDF_PARAMS_VERSION]
        };
        Ok(Self {
            address: address.as_str().to_owned(),
            salt: Salt::for_address(salt_secret, address).to_base64url(),
            kdf: KdfParams::CURRENT,
            kdf_version: KDF_PARAMS_VERSION,
            accepted_kdf_versions,
            evaluated: evaluated.to_base64url(),
        })
    }

    /// What a client checks before deriving, in this order: a `kdf_version` it implements
    /// (`unsupported_kdf_version`), parameters within the floor and ceiling (`weak_kdf_params`), a
    /// canonical address (`invalid_address`), a 16-byte salt (`invalid_salt`), and an evaluated
    /// element that is a ristretto255 point other than the identity (`invalid_evaluated_element`).
    pub fn check(&self) -> Result<CheckedSaltAnswer> {
        check_kdf_version(self.kdf_version)?;
        self.kdf.check()?;
        let address = Address::from_canonical(&self.address)?;
        let salt = Salt::from_base64url(&self.salt)?;
        let evaluated = EvaluatedElement::from_base64url(&self.evaluated)?;
        Ok(CheckedSaltAnswer {
            address,
            salt,
            evaluated,
            legacy_accepted: self.accepted_kdf_versions.contains(&LEGACY_KDF_VERSION),
        })
    }
}

#[cfg(all(test, feature = "address"))]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    /// A blinded element: twice the ristretto255 basepoint (RFC 9496 appendix A.1).
    #[allow(clippy::unwrap_used, clippy::indexing_slicing)]
    fn blinded() -> BlindedElement {
        let mut bytes = [0u8; 32];
        for (i, pair) in "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919"
            .as_bytes()
            .chunks(2)
            .enumerate()
        {
            bytes[i] = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap();
        }
        BlindedElement::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn is_the_truncated_hmac_of_the_canonical_address() {
        // HMAC-SHA256 with key "key" over "The quick brown fox jumps over the lazy dog" is
        // f7bc83f4...d8 (the example in Wikipedia's HMAC article); an address cannot hold those
        // spaces, so check the construction directly against the hmac crate instead.
        let secret = b"local-development-salt-secret";
        let address = Address::parse("Alice@Example.com").unwrap();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(b"alice@example.com");
        let full = mac.finalize().into_bytes();
        assert_eq!(
            Salt::for_address(secret, &address).as_bytes()[..],
            full[..16]
        );
        let other = Address::parse("bob@example.com").unwrap();
        assert_ne!(
            Salt::for_address(secret, &address),
            Salt::for_address(secret, &other)
        );
        assert_ne!(
            Salt::for_address(secret, &address),
            Salt::for_address(b"another secret", &address)
        );
    }

    #[test]
    fn parses_only_sixteen_canonical_bytes() {
        let salt = Salt::from_bytes([7; 16]);
        assert_eq!(Salt::from_base64url(&salt.to_base64url()), Ok(salt));
        assert!(Salt::from_base64url("AAAA").is_err());
        assert!(Salt::from_base64url(&format!("{}=", salt.to_base64url())).is_err());
    }

    #[test]
    fn the_servers_answer_serialises_as_documented_and_passes_the_clients_checks() {
        let address = Address::parse("Alice@Example.com").unwrap();
        let answer = SaltAnswer::new(
            b"notary-test-vectors-salt-secret",
            &[7; 32],
            &address,
            &blinded(),
            true,
        )
        .unwrap();
        let evaluated = address_oprf_key(&[7; 32], &address)
            .unwrap()
            .evaluate(&blinded())
            .to_base64url();
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            format!(
                r#"{{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw","kdf":{{"algorithm":"argon2id","version":19,"memory_kib":65536,"iterations":3,"parallelism":1}},"kdf_version":2,"accepted_kdf_versions":[2,1],"evaluated":"{evaluated}"}}"#
            )
        );
        let checked = answer.check().unwrap();
        assert_eq!(checked.address, address);
        assert_eq!(checked.salt.to_base64url(), answer.salt);
        assert_eq!(checked.evaluated.to_base64url(), evaluated);
        assert!(checked.legacy_accepted);
        let current_only = SaltAnswer::new(b"s", &[7; 32], &address, &blinded(), false).unwrap();
        assert_eq!(current_only.accepted_kdf_versions, [2]);
        assert!(!current_only.check().unwrap().legacy_accepted);
    }

    #[test]
    fn the_oprf_key_depends_on_the_seed_and_the_address() {
        let alice = Address::parse("alice@example.com").unwrap();
        let bob = Address::parse("bob@example.com").unwrap();
        let evaluate = |seed: &[u8], address: &Address| {
            address_oprf_key(seed, address)
                .unwrap()
                .evaluate(&blinded())
        };
        assert_eq!(evaluate(&[1; 32], &alice), evaluate(&[1; 32], &alice));
        assert_ne!(evaluate(&[1; 32], &alice), evaluate(&[2; 32], &alice));
        assert_ne!(evaluate(&[1; 32], &alice), evaluate(&[1; 32], &bob));
    }

    #[test]
    fn a_client_refuses_unknown_versions_first_then_weak_parameters_then_bad_values() {
        let good = SaltAnswer::new(
            b"secret",
            &[7; 32],
            &Address::parse("bob@example.com").unwrap(),
            &blinded(),
            true,
        )
        .unwrap();
        let weak = KdfParams {
            memory_kib: 1024,
            ..KdfParams::CURRENT
        };
        let cases = [
            (
                SaltAnswer {
                    kdf_version: 1,
                    kdf: weak,
                    ..good.clone()
                },
                ErrorKind::UnsupportedKdfVersion,
            ),
            (
                SaltAnswer {
                    kdf_version: 0,
                    ..good.clone()
                },
                ErrorKind::UnsupportedKdfVersion,
            ),
            (
                SaltAnswer {
                    kdf: weak,
                    address: "Bob@example.com".into(),
                    ..good.clone()
                },
                ErrorKind::WeakKdfParams,
            ),
            (
                SaltAnswer {
                    address: "Bob@example.com".into(),
                    salt: "AAAA".into(),
                    ..good.clone()
                },
                ErrorKind::InvalidAddress,
            ),
            (
                SaltAnswer {
                    salt: format!("{}=", good.salt),
                    evaluated: "AAAA".into(),
                    ..good.clone()
                },
                ErrorKind::InvalidSalt,
            ),
            (
                SaltAnswer {
                    evaluated: crate::b64::encode([0u8; 32]),
                    ..good.clone()
                },
                ErrorKind::InvalidEvaluatedElement,
            ),
        ];
        for (answer, kind) in cases {
            assert_eq!(
                answer.check().map(|_| ()).map_err(|e| e.kind()),
                Err(kind),
                "{answer:?}"
            );
        }
    }

    #[test]
    fn unknown_members_are_refused_inside_kdf() {
        assert!(KdfParams::check_members(KdfParams::MEMBERS).is_ok());
        assert_eq!(
            KdfParams::check_members(["algorithm", "secret"]).map_err(|e| e.kind()),
            Err(ErrorKind::WeakKdfParams)
        );
    }
}

//! Ed25519 keys: the key pair derived from a seed, public keys as RFC 8037 JWKs, key ids as RFC 7638
//! thumbprints, and the checks that refuse weak keys.

use crate::b64;
use crate::error::{err, ErrorKind, Result};
use crate::kdf::Seed;
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A public key as a JSON Web Key (RFC 8037 section 2): `{"kty":"OKP","crv":"Ed25519","x":...}`.
/// Members other than these three are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jwk {
    /// Always `"OKP"`.
    pub kty: String,
    /// Always `"Ed25519"`.
    pub crv: String,
    /// The 32-byte public key, base64url.
    pub x: String,
}

/// An RFC 7638 JWK thumbprint (SHA-256, base64url): the key id (`kid`) of a public key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// The base64url text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Accepts a key id received in a token header: 32 bytes of canonical base64url.
    pub fn parse(text: &str) -> Result<Self> {
        b64::decode_array::<32>(text)
            .map(|_| Self(text.to_owned()))
            .ok_or(err(
                ErrorKind::InvalidToken,
                "kid must be an RFC 7638 SHA-256 thumbprint",
            ))
    }
}

impl core::fmt::Display for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A validated Ed25519 public key: canonically encoded, on the curve, neither of small nor of mixed
/// order. Anything this type holds can be registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Validates 32 bytes as a public key (RFC 8032 section 5.1.3 decoding plus the checks that
    /// `verify_strict` and registration need).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let point = CompressedEdwardsY(*bytes).decompress().ok_or(err(
            ErrorKind::InvalidKey,
            "the public key is not a point on Ed25519",
        ))?;
        if point.compress().as_bytes() != bytes {
            return Err(err(
                ErrorKind::WeakKey,
                "the public key is not canonically encoded",
            ));
        }
        if point.is_small_order() {
            return Err(err(ErrorKind::WeakKey, "the public key has small order"));
        }
        if !point.is_torsion_free() {
            return Err(err(
                ErrorKind::WeakKey,
                "the public key has a small-order component",
            ));
        }
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| {
            err(
                ErrorKind::InvalidKey,
                "the public key is not a point on Ed25519",
            )
        })?;
        Ok(Self(key))
    }

    /// Validates a JWK: exactly `kty` `OKP`, `crv` `Ed25519` and a canonical 32-byte `x`.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
            return Err(err(
                ErrorKind::InvalidKey,
                "the JWK must have kty OKP and crv Ed25519",
            ));
        }
        let bytes = b64::decode_array::<32>(&jwk.x).ok_or(err(
            ErrorKind::InvalidKey,
            "the JWK's x must be 32 bytes of canonical base64url",
        ))?;
        Self::from_bytes(&bytes)
    }

    /// The 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The JWK (RFC 8037 section 2).
    pub fn to_jwk(&self) -> Jwk {
        Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: b64::encode(self.0.as_bytes()),
        }
    }

    /// The RFC 7638 thumbprint: SHA-256 over `{"crv":"Ed25519","kty":"OKP","x":"..."}` (the required
    /// members in lexicographic order, no white space), base64url.
    pub fn key_id(&self) -> KeyId {
        let canonical = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            b64::encode(self.0.as_bytes())
        );
        KeyId(b64::encode(Sha256::digest(canonical.as_bytes())))
    }

    /// Strict RFC 8032 verification (`verify_strict`: rejects non-canonical `S`, small-order `R`).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<()> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| err(ErrorKind::InvalidSignature, "the signature does not verify"))
    }
}

/// The user's key pair. The secret half is zeroised on drop and never serialised.
pub struct KeyPair {
    signing: SigningKey,
    public: PublicKey,
}

impl KeyPair {
    /// The key pair of an Ed25519 seed (RFC 8032 section 5.1.5).
    pub fn from_seed(seed: &Seed) -> Self {
        let signing = SigningKey::from_bytes(seed.as_bytes());
        let public = PublicKey(signing.verifying_key());
        Self { signing, public }
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// An Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// Anything that signs with an Ed25519 key: [`KeyPair`], or a platform's own RFC 8032 signer over
/// the same key (the WebAssembly client signs with a basepoint table it builds at run time instead of
/// shipping curve25519-dalek's 30 KB static one). Signatures must be exactly RFC 8032's.
pub trait Signer {
    /// The public key that verifies the signatures.
    fn public_key(&self) -> &PublicKey;
    /// An Ed25519 signature over `message`.
    fn sign(&self, message: &[u8]) -> [u8; 64];
}

impl Signer for KeyPair {
    fn public_key(&self) -> &PublicKey {
        KeyPair::public_key(self)
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        KeyPair::sign(self, message)
    }
}

impl core::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    // RFC 8037 appendix A.1 (private key), A.2 (public key) and A.3 (thumbprint).
    const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const RFC8037_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    #[test]
    fn rfc8037_key_and_thumbprint() {
        let seed = Seed(b64::decode_array(RFC8037_D).unwrap());
        let pair = KeyPair::from_seed(&seed);
        assert_eq!(pair.public_key().to_jwk().x, RFC8037_X);
        assert_eq!(pair.public_key().key_id().as_str(), RFC8037_KID);
        let jwk = Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: RFC8037_X.into(),
        };
        assert_eq!(PublicKey::from_jwk(&jwk).unwrap(), *pair.public_key());
    }

    #[test]
    fn refuses_weak_and_malformed_keys() {
        // The identity point (small order): the universal-forgery key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            PublicKey::from_bytes(&identity).unwrap_err().kind(),
            ErrorKind::WeakKey
        );
        // A point of order 8 (from the ed25519-dalek / "Taming the many EdDSAs" test set).
        let order8 = hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
        assert_eq!(
            PublicKey::from_bytes(&order8).unwrap_err().kind(),
            ErrorKind::WeakKey
        );
        // Non-canonical encoding of y = 1 (y + p).
        let noncanonical =
            hex32("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        assert!(PublicKey::from_bytes(&noncanonical).is_err());
        // Mixed order: the RFC 8037 key plus a point of order 8.
        let seed = Seed(b64::decode_array(RFC8037_D).unwrap());
        let pair = KeyPair::from_seed(&seed);
        let a = CompressedEdwardsY(pair.public_key().to_bytes())
            .decompress()
            .unwrap();
        let t = CompressedEdwardsY(order8).decompress().unwrap();
        let mixed = (a + t).compress().to_bytes();
        assert_eq!(
            PublicKey::from_bytes(&mixed).unwrap_err().kind(),
            ErrorKind::WeakKey
        );
        // Not on the curve.
        let off_curve = hex32("0200000000000000000000000000000000000000000000000000000000000000");
        assert_eq!(
            PublicKey::from_bytes(&off_curve).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        // JWK shape.
        for jwk in [
            Jwk {
                kty: "EC".into(),
                crv: "Ed25519".into(),
                x: RFC8037_X.into(),
            },
            Jwk {
                kty: "OKP".into(),
                crv: "X25519".into(),
                x: RFC8037_X.into(),
            },
            Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x: format!("{RFC8037_X}="),
            },
        ] {
            assert_eq!(
                PublicKey::from_jwk(&jwk).unwrap_err().kind(),
                ErrorKind::InvalidKey
            );
        }
    }

    #[test]
    fn identity_forgery_is_rejected() {
        // Signature R = identity, S = 0 verifies under A = identity with lax verification.
        let mut sig = [0u8; 64];
        sig[0] = 1;
        let seed = Seed([3; 32]);
        let pair = KeyPair::from_seed(&seed);
        assert!(pair.public_key().verify(b"hello", &sig).is_err());
        assert!(pair
            .public_key()
            .verify(b"hello", &pair.sign(b"hello"))
            .is_ok());
        assert!(pair
            .public_key()
            .verify(b"hellp", &pair.sign(b"hello"))
            .is_err());
    }
}

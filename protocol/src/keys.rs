//! Ed25519 keys: the seed, the key pair derived from it, public keys as RFC 8037 JWKs, key ids as
//! RFC 7638 thumbprints, and the checks that refuse weak keys.
//!
//! The key pair signs with RFC 8032 section 5.1.6 written out over curve25519-dalek's constant-time
//! arithmetic and a basepoint table built once, at first use (a few milliseconds), rather than
//! through ed25519-dalek's `SigningKey`, whose fixed-base multiplication links curve25519-dalek's
//! 30 KB static table: incompressible constants that would take about 29 KB of the WebAssembly
//! client's 70 KB gzip budget, where the variable-base multiplication without a table halves the
//! signing rate. Its signatures are byte for byte ed25519-dalek's (RFC 8032's vectors and a test
//! against `SigningKey` check it).

use crate::b64;
use crate::error::{err, ErrorKind, Result};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable as _;
use ed25519_dalek::hazmat::ExpandedSecretKey;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use std::sync::OnceLock;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Length of an Ed25519 seed, the output of the key derivation.
pub const SEED_BYTES: usize = 32;

/// The 32-byte Ed25519 seed (RFC 8032's private key). Zeroised on drop; never leaves the client.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Seed([u8; SEED_BYTES]);

impl Seed {
    /// Wraps 32 bytes as a seed (for test vectors and the RFC 8032 keys; real seeds come from
    /// `kdf::derive_seed`).
    pub const fn from_bytes(bytes: [u8; SEED_BYTES]) -> Self {
        Self(bytes)
    }

    /// The raw seed (for test vectors).
    pub fn as_bytes(&self) -> &[u8; SEED_BYTES] {
        &self.0
    }
}

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

    /// A key that [`Self::from_bytes`] validated before it was stored (a service's database holds
    /// only such keys), decoded without repeating that validation: its torsion check alone is a full
    /// scalar multiplication, about the cost of a signature verification. `verify_strict` still
    /// refuses a small-order key. Bytes that are not a point are refused.
    pub fn from_stored_bytes(bytes: &[u8; 32]) -> Result<Self> {
        VerifyingKey::from_bytes(bytes).map(Self).map_err(|_| {
            err(
                ErrorKind::InvalidKey,
                "the public key is not a point on Ed25519",
            )
        })
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

/// `[16^2i * k] B` for the fixed-base multiplications of key generation and signing, built on first
/// use and kept for the life of the process (or of the WebAssembly instance).
static BASEPOINT_TABLE: OnceLock<Box<EdwardsBasepointTable>> = OnceLock::new();

/// `[scalar] B`, in constant time.
fn mul_base(scalar: &Scalar) -> EdwardsPoint {
    let table = BASEPOINT_TABLE
        .get_or_init(|| Box::new(EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT)));
    table.as_ref() * scalar
}

/// The user's key pair: the expanded secret (zeroised on drop by ed25519-dalek) and the public key.
/// The secret half is never serialised.
pub struct KeyPair {
    secret: ExpandedSecretKey,
    public: PublicKey,
}

impl KeyPair {
    /// The key pair of an Ed25519 seed (RFC 8032 section 5.1.5): the public key is `[s]B` for the
    /// clamped scalar `s`, a point of prime order by construction, so no check can fail.
    pub fn from_seed(seed: &Seed) -> Self {
        let secret = ExpandedSecretKey::from(seed.as_bytes());
        let public = PublicKey(VerifyingKey::from(mul_base(&secret.scalar)));
        Self { secret, public }
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// An Ed25519 signature over `message` (RFC 8032 section 5.1.6): `r = SHA-512(prefix || M) mod L`,
    /// `R = [r]B`, `k = SHA-512(R || A || M) mod L`, `S = (r + k * s) mod L`; the signature is `R || S`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let mut nonce_hash: [u8; 64] = Sha512::new()
            .chain_update(self.secret.hash_prefix)
            .chain_update(message)
            .finalize()
            .into();
        let mut r = Scalar::from_bytes_mod_order_wide(&nonce_hash);
        nonce_hash.zeroize();
        let big_r = mul_base(&r).compress();
        let challenge: [u8; 64] = Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(self.public.0.as_bytes())
            .chain_update(message)
            .finalize()
            .into();
        let k = Scalar::from_bytes_mod_order_wide(&challenge);
        let s = k * self.secret.scalar + r;
        r.zeroize();
        let mut signature = [0u8; 64];
        let (r_half, s_half) = signature.split_at_mut(32);
        r_half.copy_from_slice(big_r.as_bytes());
        s_half.copy_from_slice(s.as_bytes());
        signature
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
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// RFC 8032 section 7.1, TEST 1 to 3: (secret key, public key, message, signature). (All five
    /// tests run natively in tests/kat.rs; these three also run in WebAssembly, where
    /// curve25519-dalek computes with its 32-bit backend.)
    const RFC8032: [(&str, &str, &str, &str); 3] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];

    #[test]
    fn rfc8032_test_vectors() {
        for (secret, public, message, signature) in RFC8032 {
            let pair = KeyPair::from_seed(&Seed::from_bytes(hex32(secret)));
            assert_eq!(pair.public_key().to_bytes(), hex32(public));
            let message = hex::decode(message).unwrap();
            assert_eq!(hex::encode(pair.sign(&message)), signature);
        }
    }

    #[test]
    fn signs_exactly_as_ed25519_dalek_and_verifies_strictly() {
        use ed25519_dalek::{Signer as _, SigningKey};
        // Seeds and messages from a simple generator: every byte value, every length up to 300.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        };
        for round in 0..40 {
            let seed: [u8; 32] = core::array::from_fn(|_| next());
            let ours = KeyPair::from_seed(&Seed::from_bytes(seed));
            let dalek = SigningKey::from_bytes(&seed);
            assert_eq!(
                ours.public_key().to_bytes(),
                dalek.verifying_key().to_bytes(),
                "round {round}"
            );
            for length in [0, 1, 31, 32, 33, 64, 111, 112, 113, 127, 128, 129, 300] {
                let message: Vec<u8> = (0..length).map(|_| next()).collect();
                let signature = ours.sign(&message);
                assert_eq!(
                    signature,
                    dalek.sign(&message).to_bytes(),
                    "round {round}, {length} bytes"
                );
                assert!(ours.public_key().verify(&message, &signature).is_ok());
                let mut altered = message.clone();
                altered.push(1);
                assert!(ours.public_key().verify(&altered, &signature).is_err());
            }
        }
    }

    // RFC 8037 appendix A.1 (private key), A.2 (public key) and A.3 (thumbprint).
    const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    const RFC8037_KID: &str = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    #[test]
    fn rfc8037_key_and_thumbprint() {
        let seed = Seed::from_bytes(b64::decode_array(RFC8037_D).unwrap());
        let pair = KeyPair::from_seed(&seed);
        assert_eq!(pair.public_key().to_jwk().x, RFC8037_X);
        assert_eq!(pair.public_key().key_id().as_str(), RFC8037_KID);
        let jwk = Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: RFC8037_X.into(),
        };
        assert_eq!(PublicKey::from_jwk(&jwk).unwrap(), *pair.public_key());
        let stored = b64::decode_array::<32>(RFC8037_X).unwrap();
        assert_eq!(
            PublicKey::from_stored_bytes(&stored).unwrap(),
            *pair.public_key()
        );
        let off_curve = hex32("0200000000000000000000000000000000000000000000000000000000000000");
        assert!(PublicKey::from_stored_bytes(&off_curve).is_err());
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
        let seed = Seed::from_bytes(b64::decode_array(RFC8037_D).unwrap());
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
        let seed = Seed::from_bytes([3; 32]);
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

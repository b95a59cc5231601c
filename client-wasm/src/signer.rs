//! RFC 8032 Ed25519 signing with a basepoint table built at run time.
//!
//! ed25519-dalek's own signer multiplies by the basepoint through curve25519-dalek's static table,
//! which puts 30 KB of incompressible constants into the `.wasm` (about 29 KB of its 70 KB gzip
//! budget); without the table, the variable-base multiplication halves the signing rate. This
//! signer computes the same table once, at first use (a few milliseconds), and otherwise follows
//! RFC 8032 section 5.1.6 step by step with curve25519-dalek's constant-time arithmetic, so its
//! signatures are byte for byte those of ed25519-dalek (the tests compare them).

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsBasepointTable;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::BasepointTable as _;
use ed25519_dalek::hazmat::ExpandedSecretKey;
use protocol::error::Result;
use protocol::kdf::Seed;
use protocol::keys::{PublicKey, Signer};
use sha2::{Digest, Sha512};
use zeroize::Zeroize;

thread_local! {
    /// `[16^2i * k] B` for the fixed-base multiplications of key generation and signing, built on
    /// first use. (WebAssembly without threads has one thread; this is a lazily built static.)
    static BASEPOINT_TABLE: Box<EdwardsBasepointTable> =
        Box::new(EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT));
}

/// `[scalar] B`, in constant time.
fn mul_base(scalar: &Scalar) -> EdwardsPoint {
    BASEPOINT_TABLE.with(|table| table.as_ref() * scalar)
}

/// An Ed25519 key: the expanded secret (zeroised on drop by ed25519-dalek) and the validated public
/// key.
pub struct Ed25519Key {
    secret: ExpandedSecretKey,
    public: PublicKey,
}

impl Ed25519Key {
    /// The key of a 32-byte seed (RFC 8032 section 5.1.5).
    pub fn from_seed(seed: &Seed) -> Result<Self> {
        let secret = ExpandedSecretKey::from(seed.as_bytes());
        let point = mul_base(&secret.scalar);
        let public = PublicKey::from_bytes(point.compress().as_bytes())?;
        Ok(Self { secret, public })
    }
}

impl Signer for Ed25519Key {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// RFC 8032 section 5.1.6: r = SHA-512(prefix || M) mod L, R = [r]B,
    /// k = SHA-512(R || A || M) mod L, S = (r + k * s) mod L; the signature is R || S.
    fn sign(&self, message: &[u8]) -> [u8; 64] {
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
            .chain_update(self.public.to_bytes())
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

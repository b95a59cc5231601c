//! Per-address salts: `HMAC-SHA256(SALT_SECRET, canonical address)`, first 16 bytes.
//!
//! Deterministic and stateless, so the answer for an address that has no account is computed exactly
//! like the answer for one that has: the salt endpoint reveals nothing about which addresses exist.

use crate::address::Address;
use crate::b64;
use crate::error::{err, ErrorKind, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Salt length in bytes (RFC 9106 section 3.1 recommends 16).
pub const SALT_BYTES: usize = 16;

/// An Argon2id salt.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Salt([u8; SALT_BYTES]);

impl Salt {
    /// The salt of `address` under the server's `secret`.
    pub fn for_address(secret: &[u8], address: &Address) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable_hmac());
        mac.update(address.as_str().as_bytes());
        let tag = mac.finalize().into_bytes();
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

/// HMAC accepts keys of any length, so `new_from_slice` cannot fail; this keeps the code panic-free
/// without an `unwrap`.
#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new(&Default::default())
}

#[cfg(all(test, feature = "address"))]
mod tests {
    use super::*;

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
}

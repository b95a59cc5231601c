//! Keyed hashes of addresses and IPs, for the audit log and the names of rate-limit buckets, so neither
//! holds them in clear.
//!
//! The key is `HMAC-SHA256(SALT_SECRET, "notary keyed-hash key v1")`. The label contains spaces, which
//! no canonical address does, so the key is never a value of the public salt function.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const KEY_LABEL: &[u8] = b"notary keyed-hash key v1";

/// Computes keyed hashes under a key derived from the salt secret.
#[derive(Clone)]
pub struct KeyedHasher {
    /// HMAC-SHA256 keyed with the derived key, before any message: each hash clones it, so the key's
    /// two padded blocks are hashed once rather than per hash.
    mac: Hmac<Sha256>,
}

impl KeyedHasher {
    /// Derives the hashing key from `SALT_SECRET`.
    pub fn new(salt_secret: &[u8]) -> Self {
        // HMAC pads a key shorter than SHA-256's 64-byte block with zeros, so the padded key is the
        // same key, and `new` on a full block cannot fail.
        let mut block = [0u8; 64];
        if let Some(prefix) = block.get_mut(..32) {
            prefix.copy_from_slice(&hmac(salt_secret, &[KEY_LABEL]));
        }
        Self {
            mac: <Hmac<Sha256> as KeyInit>::new(&block.into()),
        }
    }

    /// The keyed hash of a canonical address.
    pub fn address(&self, address: &str) -> String {
        self.hash(b"address", address)
    }

    /// The keyed hash of a client's rate-limit group (`client_ip::client_group`).
    pub fn client(&self, client_group: &str) -> String {
        self.hash(b"ip", client_group)
    }

    /// base64url HMAC-SHA256 of `domain`, a zero byte and `value`, under the derived key: the domain
    /// keeps an address and a client group with the same text apart.
    fn hash(&self, domain: &[u8], value: &str) -> String {
        let mut mac = self.mac.clone();
        for part in [domain, b"\0", value.as_bytes()] {
            mac.update(part);
        }
        protocol::b64::encode(<[u8; 32]>::from(mac.finalize().into_bytes()))
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{address::Address, salt::Salt};

    #[test]
    fn separates_domains_and_keys() {
        let hasher = KeyedHasher::new(b"secret one");
        let a = hasher.address("alice@example.com");
        assert_eq!(a, hasher.address("alice@example.com"));
        assert_ne!(a, hasher.client("alice@example.com"));
        assert_ne!(a, hasher.address("bob@example.com"));
        assert_ne!(
            a,
            KeyedHasher::new(b"secret two").address("alice@example.com")
        );
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn is_hmac_under_the_derived_key() {
        let key = hmac(b"secret one", &[KEY_LABEL]);
        let expected = protocol::b64::encode(hmac(&key, &[b"ip", b"\0", b"192.0.2.1"]));
        assert_eq!(
            KeyedHasher::new(b"secret one").client("192.0.2.1"),
            expected
        );
    }

    #[test]
    fn never_equals_the_public_salt() {
        let secret = b"secret one";
        let address = Address::parse("alice@example.com").unwrap();
        let salt = Salt::for_address(secret, &address).to_base64url();
        let hashed = KeyedHasher::new(secret).address(address.as_str());
        assert!(!hashed.starts_with(&salt));
    }
}

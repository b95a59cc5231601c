//! Confirmation tokens (256 random bits sent by email, stored by the server only as a SHA-256 hash),
//! the links emails carry, and the signature on each delivery to the mail system
//! (docs/protocol.md, "Confirmation tokens and links" and "Confirmation delivery").

use crate::b64;
use crate::error::{err, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Random bytes in a confirmation token.
pub const CONFIRMATION_BYTES: usize = 32;

/// A secret sent by email: `N` random bytes as canonical base64url, of which the server stores only
/// the SHA-256 ([`EmailedSecret::storage_hash`]). The confirmation token is one; the worker's salt
/// ticket is another. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailedSecret<const N: usize>(String);

impl<const N: usize> EmailedSecret<N> {
    /// Makes one from `N` bytes of a CSPRNG.
    pub fn from_random(random: &[u8; N]) -> Self {
        Self(b64::encode(random))
    }

    /// The text form, if it is one: exactly `N` bytes of canonical base64url.
    pub fn from_text(text: &str) -> Option<Self> {
        b64::decode_array::<N>(text).map(|_| Self(text.to_owned()))
    }

    /// The text form, for the email.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the server stores and looks up: base64url SHA-256 of the text form.
    pub fn storage_hash(&self) -> String {
        b64::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl<const N: usize> core::fmt::Debug for EmailedSecret<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EmailedSecret(..)")
    }
}

/// A confirmation token as it travels (43 base64url characters).
pub type ConfirmationToken = EmailedSecret<CONFIRMATION_BYTES>;

impl ConfirmationToken {
    /// Accepts the text form: exactly 32 bytes of canonical base64url (`invalid_token` otherwise).
    pub fn parse(text: &str) -> Result<Self> {
        Self::from_text(text).ok_or(err(
            ErrorKind::InvalidToken,
            "a confirmation token is 32 bytes of canonical base64url",
        ))
    }
}

/// Why a confirmation message is sent: the `purpose` of links and deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Confirms a new account.
    Signup,
    /// Confirms a new key for an account.
    Change,
    /// Tells the owner of an active account that someone tried to sign up with it (no token).
    AlreadyRegistered,
}

impl Purpose {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Change => "change",
            Self::AlreadyRegistered => "already_registered",
        }
    }
}

/// The link an email carries: `<public_uri>/confirm.html#token=<token>&address=<address>&purpose=<purpose>`
/// with the address percent-encoded, or `<public_uri>/` when there is no token (`already_registered`).
/// The token travels in the fragment, so it never reaches a server log or a `Referer`.
pub fn link(public_uri: &str, address: &str, purpose: Purpose, token: Option<&str>) -> String {
    match token {
        Some(token) => format!(
            "{public_uri}/confirm.html#token={token}&address={}&purpose={}",
            percent_encode(address),
            purpose.as_str()
        ),
        None => format!("{public_uri}/"),
    }
}

/// Percent-encodes every byte except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`), with
/// upper-case hex digits: the address in the fragment of every emailed link (confirmations here, salt
/// tickets in the worker).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `Notary-Signature` header of a delivery sent at `timestamp`:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>." || body)>`.
pub fn delivery_signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = crate::mac::hmac_sha256(secret, &[timestamp.to_string().as_bytes(), b".", body]);
    let hex: String = tag.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    #[test]
    fn round_trips_and_hashes() {
        let token = ConfirmationToken::from_random(&[0xab; 32]);
        assert_eq!(token.as_str().len(), 43);
        assert_eq!(ConfirmationToken::parse(token.as_str()), Ok(token.clone()));
        assert_ne!(token.storage_hash(), token.as_str());
        assert_eq!(token.storage_hash().len(), 43);
        assert!(ConfirmationToken::parse("short").is_err());
        assert_eq!(format!("{token:?}"), "EmailedSecret(..)");
    }

    #[test]
    fn links_carry_the_token_and_the_encoded_address_in_the_fragment() {
        assert_eq!(
            link("http://127.0.0.1:8787", "a+b@example.com", Purpose::Signup, Some("TOKEN")),
            "http://127.0.0.1:8787/confirm.html#token=TOKEN&address=a%2Bb%40example.com&purpose=signup"
        );
        assert_eq!(
            link("https://notary.example", "o'hara~x@example.org", Purpose::Change, Some("T")),
            "https://notary.example/confirm.html#token=T&address=o%27hara~x%40example.org&purpose=change"
        );
        assert_eq!(
            link(
                "https://notary.example",
                "a@example.com",
                Purpose::AlreadyRegistered,
                None
            ),
            "https://notary.example/"
        );
    }

    #[test]
    fn delivery_signature_is_hmac_over_timestamp_dot_body() {
        // RFC 4231 section 4.3 (test case 2): HMAC-SHA256 with key "Jefe" over
        // "what do ya want for nothing?"; here the signed message is "<t>.<body>", so split it there.
        let header = delivery_signature(b"Jefe", 0, b"what do ya want for nothing?");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(header, format!("t=0,v1={expected}"));
        assert_ne!(
            delivery_signature(b"Jefe", 1, b"what do ya want for nothing?"),
            header
        );
    }
}

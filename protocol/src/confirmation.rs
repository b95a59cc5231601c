//! Confirmation tokens: 256 random bits sent by email, stored by the server only as a SHA-256 hash.

use crate::b64;
use crate::error::{err, ErrorKind, Result};
use sha2::{Digest, Sha256};

/// Random bytes in a confirmation token.
pub const CONFIRMATION_BYTES: usize = 32;

/// A confirmation token as it travels (43 base64url characters).
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationToken(String);

impl ConfirmationToken {
    /// Makes a token from 32 bytes of a CSPRNG.
    pub fn from_random(random: &[u8; CONFIRMATION_BYTES]) -> Self {
        Self(b64::encode(random))
    }

    /// Accepts the text form: exactly 32 bytes of canonical base64url.
    pub fn parse(text: &str) -> Result<Self> {
        b64::decode_array::<CONFIRMATION_BYTES>(text)
            .map(|_| Self(text.to_owned()))
            .ok_or(err(
                ErrorKind::InvalidToken,
                "a confirmation token is 32 bytes of canonical base64url",
            ))
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

impl core::fmt::Debug for ConfirmationToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ConfirmationToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hashes() {
        let token = ConfirmationToken::from_random(&[0xab; 32]);
        assert_eq!(token.as_str().len(), 43);
        assert_eq!(ConfirmationToken::parse(token.as_str()), Ok(token.clone()));
        assert_ne!(token.storage_hash(), token.as_str());
        assert_eq!(token.storage_hash().len(), 43);
        assert!(ConfirmationToken::parse("short").is_err());
        assert_eq!(format!("{token:?}"), "ConfirmationToken(..)");
    }
}

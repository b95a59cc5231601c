//! Salt tickets: the owner's way through a spent guess budget. `POST /salt/ticket {address}` emails
//! the address, if it has an active account, a ticket (16 random bytes, base64url) that lets
//! [`TICKET_USES`] more evaluations of that address through within [`TICKET_TTL_SECS`], budget or
//! not. Reading the inbox is what proves ownership; someone who spends a victim's budget cannot get
//! one. D1 keeps only the SHA-256 of a ticket (`salt_tickets`), bound to the address's keyed hash; a
//! successful signed request of the account deletes its tickets along with its budget.

use protocol::{b64, confirmation};
use sha2::{Digest, Sha256};

/// Random bytes in a ticket.
pub const TICKET_BYTES: usize = 16;

/// Evaluations one ticket allows: a sign-in takes one, a password change two (the client evaluates
/// twice to detect a server that varies its key), with room for a mistyped password.
pub const TICKET_USES: u32 = 5;

/// How long a ticket is accepted, seconds.
pub const TICKET_TTL_SECS: i64 = 3600;

/// A ticket as it travels.
#[derive(Clone, PartialEq, Eq)]
pub struct SaltTicket(String);

impl SaltTicket {
    /// A ticket from 16 bytes of a CSPRNG.
    pub fn from_random(random: &[u8; TICKET_BYTES]) -> Self {
        Self(b64::encode(random))
    }

    /// The text form, if it is one: exactly 16 bytes of canonical base64url.
    pub fn parse(text: &str) -> Option<Self> {
        b64::decode_array::<TICKET_BYTES>(text).map(|_| Self(text.to_owned()))
    }

    /// The text form, for the email.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What D1 stores and looks up: base64url SHA-256 of the text form.
    pub fn storage_hash(&self) -> String {
        b64::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The link the email carries: the sign-in page, with the ticket and the address in the fragment
    /// (never sent to a server, so never in a log or a `Referer`).
    pub fn link(&self, public_uri: &str, address: &str) -> String {
        format!(
            "{public_uri}/#ticket={}&address={}",
            self.0,
            confirmation::percent_encode(address)
        )
    }
}

impl core::fmt::Debug for SaltTicket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SaltTicket(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_random_bytes_stored_as_their_hash() {
        let ticket = SaltTicket::from_random(&[0xab; 16]);
        assert_eq!(ticket.as_str().len(), 22);
        assert_eq!(SaltTicket::parse(ticket.as_str()), Some(ticket.clone()));
        assert_eq!(
            ticket.storage_hash(),
            b64::encode(Sha256::digest(ticket.as_str().as_bytes()))
        );
        for bad in [
            "",
            "short",
            "q6urq6urq6urq6urq6urqw==",
            "q6urq6urq6urq6urq6urqx",
            "q6urq6urq6urq6urq6urq6urq6s",
        ] {
            assert_eq!(SaltTicket::parse(bad), None, "{bad}");
        }
        assert_eq!(format!("{ticket:?}"), "SaltTicket(..)");
    }

    #[test]
    fn the_link_opens_the_sign_in_page_with_the_ticket_in_the_fragment() {
        let ticket = SaltTicket::from_random(&[0; 16]);
        assert_eq!(
            ticket.link("https://notary.example", "a+b@example.com"),
            "https://notary.example/#ticket=AAAAAAAAAAAAAAAAAAAAAA&address=a%2Bb%40example.com"
        );
    }
}

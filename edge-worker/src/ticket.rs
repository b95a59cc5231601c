//! Salt tickets: the owner's way through a spent guess budget. `POST /salt/ticket {address}` emails
//! the address, if it has an active account, a ticket (16 random bytes, base64url) that lets
//! [`TICKET_USES`] more evaluations of that address through within [`TICKET_TTL_SECS`], budget or
//! not. Reading the inbox is what proves ownership; someone who spends a victim's budget cannot get
//! one. D1 keeps only the SHA-256 of a ticket (`salt_tickets`), bound to the address's keyed hash; a
//! successful signed request of the account deletes its tickets along with its budget.

use protocol::confirmation::{self, EmailedSecret};

/// Random bytes in a ticket.
pub const TICKET_BYTES: usize = 16;

/// Evaluations one ticket allows: a sign-in takes one, a password change two (the client evaluates
/// twice to detect a server that varies its key), with room for a mistyped password.
pub const TICKET_USES: u32 = 5;

/// How long a ticket is accepted, seconds.
pub const TICKET_TTL_SECS: i64 = 3600;

/// A ticket as it travels: 16 random bytes, stored as their hash, like a confirmation token.
pub type SaltTicket = EmailedSecret<TICKET_BYTES>;

/// The link the email carries: the sign-in page, with the ticket and the address in the fragment
/// (never sent to a server, so never in a log or a `Referer`).
pub fn link(ticket: &SaltTicket, public_uri: &str, address: &str) -> String {
    format!(
        "{public_uri}/#ticket={}&address={}",
        ticket.as_str(),
        confirmation::percent_encode(address)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_random_bytes_stored_as_their_hash() {
        let ticket = SaltTicket::from_random(&[0xab; 16]);
        assert_eq!(ticket.as_str().len(), 22);
        assert_eq!(SaltTicket::from_text(ticket.as_str()), Some(ticket.clone()));
        assert_eq!(ticket.as_str(), "q6urq6urq6urq6urq6urqw");
        // base64url SHA-256 of those 22 characters (Python's hashlib, not this crate).
        assert_eq!(
            ticket.storage_hash(),
            "T6tDAHGqVsyqIGsfvz9UtXFTo88falZc5DKdZlNPUFI"
        );
        for bad in [
            "",
            "short",
            "q6urq6urq6urq6urq6urqw==",
            "q6urq6urq6urq6urq6urqx",
            "q6urq6urq6urq6urq6urq6urq6s",
        ] {
            assert_eq!(SaltTicket::from_text(bad), None, "{bad}");
        }
        assert_eq!(format!("{ticket:?}"), "EmailedSecret(..)");
    }

    #[test]
    fn the_link_opens_the_sign_in_page_with_the_ticket_in_the_fragment() {
        let ticket = SaltTicket::from_random(&[0; 16]);
        assert_eq!(
            link(&ticket, "https://notary.example", "a+b@example.com"),
            "https://notary.example/#ticket=AAAAAAAAAAAAAAAAAAAAAA&address=a%2Bb%40example.com"
        );
    }
}

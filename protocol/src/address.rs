//! Addresses (email addresses) and their one canonical form.
//!
//! The canonical form is what salts are computed from, what `sub` claims carry and what the server
//! stores, so two spellings of one mailbox always meet the same account. See docs/protocol.md,
//! "Addresses".

use crate::error::{err, ErrorKind, Result};
use core::fmt;

/// The longest address accepted, in bytes of its canonical form (RFC 5321 section 4.5.3.1.3 path
/// limit minus the angle brackets).
pub const MAX_ADDRESS_BYTES: usize = 254;
/// The longest local part accepted, in bytes (RFC 5321 section 4.5.3.1.1).
pub const MAX_LOCAL_PART_BYTES: usize = 64;

/// An address in canonical form. It can only be made by [`Address::parse`] (or, on the client,
/// [`Address::from_canonical`], which checks that the text is already canonical).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(String);

impl Address {
    /// Canonicalises `input`: trims white space, lowercases the local part, lowercases the domain and
    /// converts it to its IDNA ASCII form (UTS #46), then checks the result.
    #[cfg(feature = "address")]
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim();
        let (local, domain) = split(trimmed)?;
        check_local(local)?;
        let domain = idna::domain_to_ascii_strict(domain).map_err(|_| {
            err(
                ErrorKind::InvalidAddress,
                "the domain is not a valid internationalised domain name",
            )
        })?;
        check_domain(&domain)?;
        let canonical = format!("{}@{}", local.to_ascii_lowercase(), domain);
        check_length(&canonical)?;
        Ok(Self(canonical))
    }

    /// Accepts text that is already in canonical form (as a server's salt answer returns it) without
    /// IDNA tables: it checks every rule that a canonical address satisfies and refuses anything else.
    pub fn from_canonical(text: &str) -> Result<Self> {
        let (local, domain) = split(text)?;
        check_local(local)?;
        check_domain(domain)?;
        if local.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(err(
                ErrorKind::InvalidAddress,
                "the address is not in canonical form",
            ));
        }
        check_length(text)?;
        Ok(Self(text.to_owned()))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Address").field(&self.0).finish()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn split(text: &str) -> Result<(&str, &str)> {
    if text.chars().any(char::is_control) {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the address contains a control character",
        ));
    }
    let mut parts = text.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) if !local.is_empty() && !domain.is_empty() => {
            Ok((local, domain))
        }
        (_, _, Some(_)) => Err(err(
            ErrorKind::InvalidAddress,
            "the address has more than one '@'",
        )),
        _ => Err(err(
            ErrorKind::InvalidAddress,
            "the address needs a local part, one '@' and a domain",
        )),
    }
}

/// RFC 5322 `dot-atom-text` in ASCII: atext characters separated by single dots. Quoted local parts
/// and non-ASCII local parts (RFC 6531) are refused: mail systems disagree on how to compare them.
fn check_local(local: &str) -> Result<()> {
    if !local.is_ascii() {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the local part must be ASCII",
        ));
    }
    if local.len() > MAX_LOCAL_PART_BYTES {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the local part is longer than 64 bytes",
        ));
    }
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b);
    if local
        .split('.')
        .any(|atom| atom.is_empty() || !atom.bytes().all(atext))
    {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the local part may hold letters, digits, !#$%&'*+/=?^_`{|}~- and single dots between them",
        ));
    }
    Ok(())
}

/// A domain in IDNA ASCII form: lowercase LDH labels of 1 to 63 bytes, at least two labels.
fn check_domain(domain: &str) -> Result<()> {
    let ldh = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !domain.contains('.') || !domain.split('.').all(ldh) {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the domain must be a dotted host name",
        ));
    }
    Ok(())
}

fn check_length(canonical: &str) -> Result<()> {
    if canonical.len() > MAX_ADDRESS_BYTES {
        return Err(err(
            ErrorKind::InvalidAddress,
            "the address is longer than 254 bytes",
        ));
    }
    Ok(())
}

#[cfg(all(test, feature = "address"))]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        match Address::parse(s) {
            Ok(a) => a.as_str().to_owned(),
            Err(e) => format!("ERR {}", e.code()),
        }
    }

    #[test]
    fn canonicalises_case_space_and_idna() {
        assert_eq!(
            canon("  Alice.Smith@Example.COM \n"),
            "alice.smith@example.com"
        );
        assert_eq!(canon("bob@Bücher.example"), "bob@xn--bcher-kva.example");
        assert_eq!(
            canon("bob@XN--BCHER-KVA.example"),
            "bob@xn--bcher-kva.example"
        );
        assert_eq!(canon("o'hara+tag@example.org"), "o'hara+tag@example.org");
    }

    #[test]
    fn refuses_what_the_spec_refuses() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "a@b@example.com",
            "ali\u{0}ce@example.com",
            "ali ce@example.com",
            "alice@exa\tmple.com",
            "jörg@example.com",
            "\"quoted\"@example.com",
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "alice@localhost",
            "alice@-example.com",
            "alice@exa_mple.com",
            "alice@example..com",
        ] {
            assert_eq!(canon(bad), "ERR invalid_address", "{bad:?}");
        }
    }

    #[test]
    fn enforces_length_limits() {
        let local64 = "a".repeat(64);
        assert!(Address::parse(&format!("{local64}@example.com")).is_ok());
        assert!(Address::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
        // 64 + 1 + 189 = 254 bytes is the longest accepted.
        let domain = format!(
            "{}.{}.{}.com",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(57)
        );
        assert_eq!(domain.len(), 189);
        assert!(Address::parse(&format!("{local64}@{domain}")).is_ok());
        let domain = format!(
            "{}.{}.{}.com",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(58)
        );
        assert!(Address::parse(&format!("{local64}@{domain}")).is_err());
    }

    #[test]
    fn from_canonical_accepts_only_canonical_text() {
        assert!(Address::from_canonical("alice@example.com").is_ok());
        assert!(Address::from_canonical("bob@xn--bcher-kva.example").is_ok());
        assert!(Address::from_canonical("Alice@example.com").is_err());
        assert!(Address::from_canonical("alice@Example.com").is_err());
        assert!(Address::from_canonical(" alice@example.com").is_err());
        assert!(Address::from_canonical("bob@bücher.example").is_err());
    }
}

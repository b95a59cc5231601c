//! Canonical base64url without padding (RFC 7515 section 2, RFC 4648 section 5).
//!
//! Decoding refuses padding, characters outside the URL-safe alphabet and non-zero trailing bits, so
//! every byte string has exactly one accepted encoding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes canonical unpadded base64url; `None` for anything else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// Decodes canonical base64url into exactly `N` bytes.
pub fn decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    decode(text)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_non_canonical_forms() {
        assert_eq!(encode([0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        // "-_9" carries non-zero trailing bits: the same bytes, a second spelling.
        assert_eq!(decode("-_9"), None);
        assert_eq!(decode("-_8="), None, "padding");
        assert_eq!(decode("+/8"), None, "standard alphabet");
        assert_eq!(decode("-_ 8"), None, "white space");
        assert_eq!(decode("A"), None, "impossible length");
        assert_eq!(decode(""), Some(vec![]));
        assert_eq!(decode_array::<2>("-_8"), Some([0xfb, 0xff]));
        assert_eq!(decode_array::<3>("-_8"), None);
    }
}

//! Typed protocol errors with stable public codes.

use core::fmt;

crate::vocabulary! {
    /// What went wrong, as a stable machine-readable code.
    ///
    /// The code strings ([`ErrorKind::code`]) are part of the public protocol (docs/protocol.md,
    /// "Errors") and never change meaning. New kinds may be added.
    #[non_exhaustive]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ErrorKind {
        /// The stable public code.
        fn code;
        /// The address is not one the protocol accepts.
        InvalidAddress => "invalid_address",
        /// The password is shorter than 8 or longer than 1024 characters after NFKC.
        InvalidPassword => "invalid_password",
        /// The salt is not 16 bytes of canonical base64url.
        InvalidSalt => "invalid_salt",
        /// Key-derivation parameters below the client's floor or above its ceiling, or unknown.
        WeakKdfParams => "weak_kdf_params",
        /// The salt answer's `kdf_version` names a derivation scheme the client does not implement.
        UnsupportedKdfVersion => "unsupported_kdf_version",
        /// The token is not a well-formed compact JWS of this protocol.
        InvalidToken => "invalid_token",
        /// The `alg` header is not exactly `EdDSA`.
        UnsupportedAlgorithm => "unsupported_algorithm",
        /// The `typ` header names another kind of token than the one expected.
        WrongTokenType => "wrong_token_type",
        /// The signature does not verify under the key (strict RFC 8032 verification).
        InvalidSignature => "invalid_signature",
        /// The public key is malformed or not a point on the curve.
        InvalidKey => "invalid_key",
        /// The public key is of small or mixed order, or not canonically encoded.
        WeakKey => "weak_key",
        /// `exp` has passed (beyond the allowed clock skew).
        Expired => "expired",
        /// `iat` lies in the future (beyond the allowed clock skew).
        NotYetValid => "not_yet_valid",
        /// `exp` is not after `iat`, or more than 300 seconds after it.
        LifetimeTooLong => "lifetime_too_long",
        /// `aud` is not the audience the verifier expects.
        WrongAudience => "wrong_audience",
        /// A signed request token does not match the method, URL or body of the request.
        RequestMismatch => "request_mismatch",
        /// The token's `sub` is not the account the key belongs to.
        WrongSubject => "wrong_subject",
        /// The token's `jti` was already accepted once (the verifier remembers it until
        /// [`crate::token::VerifiedToken::replay_horizon`]). Only a stateful verifier (the server) raises it.
        Replayed => "replayed",
        /// The salt request's `blinded` is not 32 bytes of base64url encoding a ristretto255 element
        /// other than the identity.
        InvalidBlindedElement => "invalid_blinded_element",
        /// The salt answer's `evaluated` is not 32 bytes of base64url encoding a ristretto255 element
        /// other than the identity.
        InvalidEvaluatedElement => "invalid_evaluated_element",
        /// An OPRF computation could not be carried out: a zero blind, an input that hashes to the
        /// identity or is longer than 65535 bytes (RFC 9497's `InvalidInputError`). Random inputs
        /// never meet it.
        OprfFailure => "oprf_failure",
    }
}

impl ErrorKind {
    /// The HTTP status the server answers with when this error concerns the request's own credentials.
    ///
    /// Input errors are 400, key problems 422, token problems 401. (The admin verify endpoint, for which
    /// the token is the subject and not the credential, answers 422 for every token error.)
    pub const fn http_status(self) -> u16 {
        match self {
            Self::InvalidAddress
            | Self::InvalidPassword
            | Self::InvalidSalt
            | Self::WeakKdfParams
            | Self::UnsupportedKdfVersion
            | Self::InvalidBlindedElement
            | Self::InvalidEvaluatedElement
            | Self::OprfFailure => 400,
            Self::InvalidKey | Self::WeakKey => 422,
            _ => 401,
        }
    }
}

/// A protocol error: a [`ErrorKind`] and a static, human-readable detail with no secret in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: &'static str,
}

impl Error {
    /// An error of `kind` with a static explanation.
    pub const fn new(kind: ErrorKind, detail: &'static str) -> Self {
        Self { kind, detail }
    }

    /// The kind, whose [`ErrorKind::code`] is the public code.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Shorthand for `self.kind().code()`.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What exactly was wrong, in words (no token, key or password material is ever included).
    pub const fn detail(&self) -> &'static str {
        self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.detail)
    }
}

impl std::error::Error for Error {}

/// Result alias for this crate.
pub type Result<T> = core::result::Result<T, Error>;

pub(crate) const fn err(kind: ErrorKind, detail: &'static str) -> Error {
    Error::new(kind, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_statuses_are_client_errors() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!((400..500).contains(&kind.http_status()), "{code}");
        }
        assert_eq!(ErrorKind::Replayed.http_status(), 401);
        assert_eq!(ErrorKind::WeakKey.http_status(), 422);
        assert_eq!(ErrorKind::InvalidAddress.http_status(), 400);
        let error = Error::new(ErrorKind::Expired, "the token has expired");
        assert_eq!(error.to_string(), "expired: the token has expired");
    }
}

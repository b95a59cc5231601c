//! Typed protocol errors with stable public codes.

use core::fmt;

/// What went wrong, as a stable machine-readable code.
///
/// The code strings ([`ErrorKind::code`]) are part of the public protocol (docs/protocol.md,
/// "Errors") and never change meaning. New kinds may be added.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The address is not one the protocol accepts.
    InvalidAddress,
    /// The password is shorter than 8 or longer than 1024 characters after NFKC.
    InvalidPassword,
    /// The salt is not 16 bytes of canonical base64url.
    InvalidSalt,
    /// Key-derivation parameters below the client's floor or above its ceiling, or unknown.
    WeakKdfParams,
    /// The salt answer's `kdf_version` names a derivation scheme the client does not implement.
    UnsupportedKdfVersion,
    /// The token is not a well-formed compact JWS of this protocol.
    InvalidToken,
    /// The `alg` header is not exactly `EdDSA`.
    UnsupportedAlgorithm,
    /// The `typ` header names another kind of token than the one expected.
    WrongTokenType,
    /// The signature does not verify under the key (strict RFC 8032 verification).
    InvalidSignature,
    /// The public key is malformed or not a point on the curve.
    InvalidKey,
    /// The public key is of small or mixed order, or not canonically encoded.
    WeakKey,
    /// `exp` has passed (beyond the allowed clock skew).
    Expired,
    /// `iat` lies in the future (beyond the allowed clock skew).
    NotYetValid,
    /// `exp` is not after `iat`, or more than 300 seconds after it.
    LifetimeTooLong,
    /// `aud` is not the audience the verifier expects.
    WrongAudience,
    /// A signed request token does not match the method, URL or body of the request.
    RequestMismatch,
    /// The token's `sub` is not the account the key belongs to.
    WrongSubject,
    /// The token's `jti` was already accepted once (the verifier remembers it until
    /// [`crate::token::VerifiedToken::replay_horizon`]). Only a stateful verifier (the server) raises it.
    Replayed,
}

impl ErrorKind {
    /// The stable public code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidAddress => "invalid_address",
            Self::InvalidPassword => "invalid_password",
            Self::InvalidSalt => "invalid_salt",
            Self::WeakKdfParams => "weak_kdf_params",
            Self::UnsupportedKdfVersion => "unsupported_kdf_version",
            Self::InvalidToken => "invalid_token",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::WrongTokenType => "wrong_token_type",
            Self::InvalidSignature => "invalid_signature",
            Self::InvalidKey => "invalid_key",
            Self::WeakKey => "weak_key",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::LifetimeTooLong => "lifetime_too_long",
            Self::WrongAudience => "wrong_audience",
            Self::RequestMismatch => "request_mismatch",
            Self::WrongSubject => "wrong_subject",
            Self::Replayed => "replayed",
        }
    }

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
            | Self::UnsupportedKdfVersion => 400,
            Self::InvalidKey | Self::WeakKey => 422,
            _ => 401,
        }
    }

    /// All kinds, for documentation and exhaustive tests.
    pub const ALL: [ErrorKind; 18] = [
        Self::InvalidAddress,
        Self::InvalidPassword,
        Self::InvalidSalt,
        Self::WeakKdfParams,
        Self::UnsupportedKdfVersion,
        Self::InvalidToken,
        Self::UnsupportedAlgorithm,
        Self::WrongTokenType,
        Self::InvalidSignature,
        Self::InvalidKey,
        Self::WeakKey,
        Self::Expired,
        Self::NotYetValid,
        Self::LifetimeTooLong,
        Self::WrongAudience,
        Self::RequestMismatch,
        Self::WrongSubject,
        Self::Replayed,
    ];
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

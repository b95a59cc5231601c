//! The one error type of the HTTP layer: a status, a stable public code and a plain message, answered
//! as `{"error": code, "message": message}`. The code is typed: one of the protocol's
//! ([`protocol::ErrorKind`]) or one of the worker's own ([`ServerCode`], docs/protocol.md §11.2).
//! Internal failures become `internal` with no detail.

use protocol::ErrorKind;

protocol::vocabulary! {
    /// The codes only the worker answers with. Each has one status; `unknown_key` is also answered 404
    /// where the token is the subject of the request ([`ApiError::about_subject`]).
    #[non_exhaustive]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ServerCode {
        /// The stable public code.
        fn code;
        /// The body is not the endpoint's JSON object.
        InvalidRequest => "invalid_request",
        /// No usable `Authorization` header.
        Unauthorized => "unauthorized",
        /// No active account has the key the token names.
        UnknownKey => "unknown_key",
        /// The confirmation is unknown, used, expired, or for another address or key.
        ConfirmationInvalid => "confirmation_invalid",
        /// A browser request from another origin.
        ForbiddenOrigin => "forbidden_origin",
        /// No such endpoint.
        NotFound => "not_found",
        /// `POST /admin/disable`: the address has no active account.
        UnknownAccount => "unknown_account",
        /// `DELETE /sessions/{id}`: the account has no live session with this id.
        UnknownSession => "unknown_session",
        /// The endpoint does not take this method.
        MethodNotAllowed => "method_not_allowed",
        /// Confirming would give a key that another active account has.
        KeyInUse => "key_in_use",
        /// Confirming a signup for an address that has an active account.
        AddressTaken => "address_taken",
        /// The body is larger than 16 KiB.
        BodyTooLarge => "body_too_large",
        /// The body is not declared as JSON.
        UnsupportedMediaType => "unsupported_media_type",
        /// Too many requests; see `Retry-After`.
        RateLimited => "rate_limited",
        /// `POST /salt`: the address's guess budget (OPRF evaluations per hour or per day) is spent;
        /// see `Retry-After`, or ask for a ticket by email.
        GuessBudgetExhausted => "guess_budget_exhausted",
        /// The key was derived the version-1 way and `LEGACY_SIGN_IN` is off: move by recovery.
        LegacyKeyRetired => "legacy_key_retired",
        /// Something failed inside.
        Internal => "internal",
        /// The configuration is unusable.
        Misconfigured => "misconfigured",
        /// `GET /health`: the database cannot be queried.
        DatabaseUnavailable => "database_unavailable",
    }
}

impl ServerCode {
    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Unauthorized
            | Self::UnknownKey
            | Self::ConfirmationInvalid
            | Self::LegacyKeyRetired => 401,
            Self::ForbiddenOrigin => 403,
            Self::NotFound | Self::UnknownAccount | Self::UnknownSession => 404,
            Self::MethodNotAllowed => 405,
            Self::KeyInUse | Self::AddressTaken => 409,
            Self::BodyTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited | Self::GuessBudgetExhausted => 429,
            Self::Internal => 500,
            Self::Misconfigured | Self::DatabaseUnavailable => 503,
        }
    }
}

/// The public code of an error answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// A protocol code, raised by the `protocol` crate.
    Protocol(ErrorKind),
    /// A code of the worker's own.
    Server(ServerCode),
}

impl Code {
    /// The code as it appears in the answer and the audit log.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Protocol(kind) => kind.code(),
            Self::Server(code) => code.code(),
        }
    }
}

impl From<ServerCode> for Code {
    fn from(code: ServerCode) -> Self {
        Self::Server(code)
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: Code,
    /// Plain text for people; never contains tokens, keys, secrets or internal detail.
    pub message: &'static str,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

/// Result alias for request handling.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A server error with its status and a static message.
    pub const fn new(code: ServerCode, message: &'static str) -> Self {
        Self {
            status: code.status(),
            code: Code::Server(code),
            message,
            retry_after: None,
        }
    }

    /// A protocol error concerning the request's own credentials: the protocol's code and status.
    pub const fn from_protocol(error: protocol::Error) -> Self {
        Self {
            status: error.kind().http_status(),
            code: Code::Protocol(error.kind()),
            message: error.detail(),
            retry_after: None,
        }
    }

    /// The same refusal where the token is the subject of the request rather than its credential
    /// (`POST /admin/verify`): every protocol error and a retired version-1 key are 422, an unknown
    /// key is 404.
    pub const fn about_subject(self) -> Self {
        let status = match self.code {
            Code::Protocol(_) | Code::Server(ServerCode::LegacyKeyRetired) => 422,
            Code::Server(ServerCode::UnknownKey) => 404,
            Code::Server(_) => self.status,
        };
        Self { status, ..self }
    }

    /// 400: the body is not the JSON object this endpoint takes.
    pub const fn invalid_request(message: &'static str) -> Self {
        Self::new(ServerCode::InvalidRequest, message)
    }

    /// 401: the token's `jti` was already used (the protocol's `replayed`).
    pub const fn replayed() -> Self {
        Self::from_protocol(protocol::Error::new(
            ErrorKind::Replayed,
            "this token was already used; sign a new one",
        ))
    }

    /// 401: no active account has the key the token names.
    pub const fn unknown_key() -> Self {
        Self::new(ServerCode::UnknownKey, "no active account has this key")
    }

    /// 401: the confirmation token is unknown, used, expired or bound to another key or address.
    pub const fn confirmation_invalid() -> Self {
        Self::new(
            ServerCode::ConfirmationInvalid,
            "the confirmation is unknown, already used, expired, or for another key",
        )
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(message: &'static str, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(ServerCode::RateLimited, message)
        }
    }

    /// 429 `guess_budget_exhausted`: the address's guess budget is spent until `retry_after` seconds
    /// from now.
    pub fn guess_budget_exhausted(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(
                ServerCode::GuessBudgetExhausted,
                "too many password attempts for this address; try again later, or ask for a ticket by email",
            )
        }
    }

    /// 401 `legacy_key_retired`.
    pub const fn legacy_key_retired() -> Self {
        Self::new(
            ServerCode::LegacyKeyRetired,
            "this key is of the retired version-1 derivation; set the password again with \"Forgot your password?\"",
        )
    }

    /// 500 with no detail. The cause is logged by the caller (never with secrets in it).
    pub const fn internal() -> Self {
        Self::new(ServerCode::Internal, "the request could not be completed")
    }

    /// 503: the worker's configuration is unusable.
    pub const fn misconfigured() -> Self {
        Self::new(
            ServerCode::Misconfigured,
            "the service is not configured; see the operator's logs",
        )
    }

    /// Whether this refuses an attempt at proving something: a token or confirmation that does not
    /// verify or is replayed, a key no account has, a missing or wrong `Authorization` (every 401
    /// but `legacy_key_retired`, whose token did verify). `CLIENT_FAILURES` counts these. A verdict
    /// on a token that is the subject of the request ([`Self::about_subject`]) is not one.
    pub const fn is_failed_attempt(&self) -> bool {
        self.status == 401 && !matches!(self.code, Code::Server(ServerCode::LegacyKeyRetired))
    }

    /// Whether something failed inside rather than a decision being taken.
    pub const fn is_internal(&self) -> bool {
        matches!(
            self.code,
            Code::Server(ServerCode::Internal | ServerCode::Misconfigured)
        )
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code.as_str(), "message": self.message })
    }
}

impl From<protocol::Error> for ApiError {
    fn from(error: protocol::Error) -> Self {
        Self::from_protocol(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn protocol_errors_keep_their_public_code_and_status() {
        for kind in ErrorKind::ALL {
            let error = ApiError::from(protocol::Error::new(kind, "detail"));
            assert_eq!(error.code.as_str(), kind.code());
            assert_eq!(error.status, kind.http_status());
            let subject = error.about_subject();
            assert_eq!((subject.status, subject.code), (422, Code::Protocol(kind)));
        }
        assert_eq!(ApiError::replayed().status, 401);
    }

    #[test]
    fn about_a_subject_only_token_errors_and_unknown_or_retired_keys_change_status() {
        assert_eq!(ApiError::unknown_key().about_subject().status, 404);
        assert_eq!(ApiError::legacy_key_retired().about_subject().status, 422);
        for code in ServerCode::ALL {
            if !matches!(code, ServerCode::UnknownKey | ServerCode::LegacyKeyRetired) {
                let error = ApiError::new(code, "detail");
                assert_eq!(error.clone().about_subject(), error);
            }
        }
    }

    #[test]
    fn a_retired_key_is_refused_but_not_a_failed_attempt() {
        let retired = ApiError::legacy_key_retired();
        assert_eq!(
            (retired.status, retired.code.as_str()),
            (401, "legacy_key_retired")
        );
        assert!(!retired.is_failed_attempt());
        assert!(ApiError::unknown_key().is_failed_attempt());
        let spent = ApiError::guess_budget_exhausted(0);
        assert_eq!((spent.status, spent.retry_after), (429, Some(1)));
        assert_eq!(spent.body()["error"], "guess_budget_exhausted");
    }

    #[test]
    fn rate_limits_always_say_when_to_retry() {
        let error = ApiError::rate_limited("slow down", 0);
        assert_eq!((error.status, error.retry_after), (429, Some(1)));
        assert_eq!(
            error.body(),
            serde_json::json!({"error": "rate_limited", "message": "slow down"})
        );
    }

    /// `code → status cell` of the table in docs/protocol.md §11.2.
    fn documented_server_codes() -> BTreeMap<&'static str, &'static str> {
        let doc = include_str!("../../docs/protocol.md");
        let start = doc.find("### 11.2 Server codes").unwrap();
        let section = &doc[start..];
        let section = &section[..section[4..]
            .find("\n#")
            .map_or(section.len(), |end| end + 4)];
        let mut rows = BTreeMap::new();
        for line in section.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let [_, code, status, _meaning, ..] = cells[..] {
                if let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                    assert!(rows.insert(code, status).is_none(), "{code} twice");
                }
            }
        }
        rows
    }

    #[test]
    fn server_codes_are_unique_snake_case_and_documented_with_their_status() {
        let documented = documented_server_codes();
        let mut seen = std::collections::BTreeSet::new();
        for code in ServerCode::ALL {
            let text = code.code();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{text}"
            );
            assert!(
                ErrorKind::ALL.iter().all(|kind| kind.code() != text),
                "{text} is also a protocol code"
            );
            let status = documented
                .get(text)
                .unwrap_or_else(|| panic!("{text} is not in docs/protocol.md §11.2"));
            assert!(
                status.starts_with(&code.status().to_string()),
                "{text}: documented {status}, the worker says {}",
                code.status()
            );
        }
        let undocumented: Vec<_> = documented.keys().filter(|c| !seen.contains(*c)).collect();
        assert!(
            undocumented.is_empty(),
            "§11.2 lists codes the worker does not have: {undocumented:?}"
        );
        assert!(documented["unknown_key"].contains("404 on `POST /admin/verify`"));
    }
}

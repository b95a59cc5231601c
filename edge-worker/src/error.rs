//! The one error type of the HTTP layer: a status, a stable public code and a plain message, answered
//! as `{"error": code, "message": message}`. Internal failures become `internal_error` with no detail.

use std::borrow::Cow;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Plain text for people; never contains tokens, keys, secrets or internal detail.
    pub message: Cow<'static, str>,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

/// Result alias for request handling.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a static message.
    pub const fn new(status: u16, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message: Cow::Borrowed(message),
            retry_after: None,
        }
    }

    /// A protocol error concerning the request's own credentials: the protocol's code and status.
    pub fn from_protocol(error: protocol::Error) -> Self {
        Self::new(error.kind().http_status(), error.code(), error.detail())
    }

    /// A protocol error about a token that is the subject of the request (admin verify): 422.
    pub fn unprocessable(error: protocol::Error) -> Self {
        Self::new(422, error.code(), error.detail())
    }

    /// 400: the body is not the JSON object this endpoint takes.
    pub const fn invalid_request(message: &'static str) -> Self {
        Self::new(400, "invalid_request", message)
    }

    /// 401: the token's `jti` was already used (the protocol's `replayed`).
    pub const fn replayed() -> Self {
        Self::new(
            401,
            protocol::ErrorKind::Replayed.code(),
            "this token was already used; sign a new one",
        )
    }

    /// 401: no active account has the key the token names.
    pub const fn unknown_key() -> Self {
        Self::new(401, "unknown_key", "no active account has this key")
    }

    /// 401: the confirmation token is unknown, used, expired or bound to another key or address.
    pub const fn confirmation_invalid() -> Self {
        Self::new(
            401,
            "confirmation_invalid",
            "the confirmation is unknown, already used, expired, or for another key",
        )
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(code: &'static str, message: &'static str, retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after.max(1)),
            ..Self::new(429, code, message)
        }
    }

    /// 500 with no detail. The cause is logged by the caller (never with secrets in it).
    pub const fn internal() -> Self {
        Self::new(500, "internal", "the request could not be completed")
    }

    /// 503: the worker's configuration is unusable.
    pub const fn misconfigured() -> Self {
        Self::new(
            503,
            "misconfigured",
            "the service is not configured; see the operator's logs",
        )
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self.code, "message": self.message })
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
    use protocol::ErrorKind;

    #[test]
    fn protocol_errors_keep_their_public_code_and_status() {
        for kind in ErrorKind::ALL {
            let error = ApiError::from(protocol::Error::new(kind, "detail"));
            assert_eq!(error.code, kind.code());
            assert_eq!(error.status, kind.http_status());
            let subject = ApiError::unprocessable(protocol::Error::new(kind, "detail"));
            assert_eq!((subject.status, subject.code), (422, kind.code()));
        }
    }

    #[test]
    fn rate_limits_always_say_when_to_retry() {
        let error = ApiError::rate_limited("rate_limited", "slow down", 0);
        assert_eq!((error.status, error.retry_after), (429, Some(1)));
        assert_eq!(
            error.body(),
            serde_json::json!({"error": "rate_limited", "message": "slow down"})
        );
    }
}

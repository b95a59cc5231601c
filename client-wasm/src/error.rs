//! The one error type every export throws: a JavaScript `Error` named `NotaryError` with a stable
//! machine-readable `code`, when a server answered its HTTP `status`, and when the server said how
//! long to wait (`Retry-After`, as with 429 `rate_limited`) that delay in seconds as `retryAfter`.
//!
//! The code is typed: a [`protocol::ErrorKind`] or one of this package's own [`ClientErrorKind`]s
//! when raised here, or a code a server answered, kept exactly as received. The TypeScript unions of
//! the first two are written from their `ALL` lists (`crate::typescript`).

use protocol::ErrorKind;
use std::borrow::Cow;
use wasm_bindgen::JsValue;

protocol::vocabulary! {
    /// The codes this package raises itself, besides the protocol's (client-wasm/README.md, "Errors").
    ///
    /// The code strings ([`ClientErrorKind::code`]) are public and never change meaning.
    #[non_exhaustive]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum ClientErrorKind {
        /// The stable public code.
        fn code;
        /// `fetch` failed: the server could not be reached (DNS, refused connection, CORS, offline).
        NetworkError => "network_error",
        /// The server answered with something that is not the JSON this client expects.
        UnexpectedResponse => "unexpected_response",
        /// An argument from JavaScript has the wrong shape (not an object, missing member, bad URL).
        InvalidArgument => "invalid_argument",
        /// The salt answer names a different address than the one asked for.
        AddressMismatch => "address_mismatch",
        /// `crypto.getRandomValues` is missing, so no token can get its random `jti`.
        NoRandomness => "no_randomness",
        /// A key derivation was asked for while another one was running.
        Busy => "busy",
        /// The server evaluated one password twice with different OPRF keys (docs/protocol.md
        /// section 5.2): no key was registered with it.
        OprfKeyVaries => "oprf_key_varies",
    }
}

/// The code of a [`NotaryError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// A code of the protocol, raised by this package.
    Protocol(ErrorKind),
    /// A code of this package.
    Client(ClientErrorKind),
    /// A code a server answered, exactly as received: one of the protocol's or its own
    /// (docs/protocol.md, sections 11.1 and 11.2), or one newer than this package. Not looked up
    /// among the known codes: nothing in the client acts on them, and the lookup would only add
    /// to the `.wasm`.
    Server(String),
}

impl ErrorCode {
    /// The stable public code.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Protocol(kind) => kind.code(),
            Self::Client(kind) => kind.code(),
            Self::Server(code) => code,
        }
    }
}

impl From<ErrorKind> for ErrorCode {
    fn from(kind: ErrorKind) -> Self {
        Self::Protocol(kind)
    }
}

impl From<ClientErrorKind> for ErrorCode {
    fn from(kind: ClientErrorKind) -> Self {
        Self::Client(kind)
    }
}

/// An error with a stable `code`, a plain-text `message` (never any secret) and, for answers from a
/// server, the HTTP `status` and the `Retry-After` delay when the server sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotaryError {
    code: ErrorCode,
    message: Cow<'static, str>,
    status: Option<u16>,
    retry_after: Option<u32>,
}

impl NotaryError {
    /// An error of `code` with no HTTP status: raised by this package itself.
    pub fn new(code: impl Into<ErrorCode>, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }

    /// An error answered by a server: its `{"error", "message"}` body and status.
    pub fn from_server(code: String, message: String, status: u16) -> Self {
        Self::new(ErrorCode::Server(code), message).with_status(status)
    }

    /// The same error with the HTTP status of the answer it came with.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The same error with the seconds the server asked the client to wait (its `Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, seconds: Option<u32>) -> Self {
        self.retry_after = seconds;
        self
    }

    /// An argument from JavaScript is unusable.
    pub fn invalid_argument(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ClientErrorKind::InvalidArgument, message)
    }

    /// The typed code.
    pub fn error_code(&self) -> &ErrorCode {
        &self.code
    }

    /// The stable code, as JavaScript sees it.
    pub fn code(&self) -> &str {
        self.code.as_str()
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status, for errors a server answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The seconds to wait before trying again, when the server said (`Retry-After`).
    pub fn retry_after(&self) -> Option<u32> {
        self.retry_after
    }
}

impl From<protocol::Error> for NotaryError {
    fn from(error: protocol::Error) -> Self {
        Self::new(error.kind(), error.detail())
    }
}

impl core::fmt::Display for NotaryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message)
    }
}

impl std::error::Error for NotaryError {}

impl From<NotaryError> for JsValue {
    /// A JavaScript `Error` with `name` `"NotaryError"`, `code`, `message`, `status` (a number, or
    /// `undefined` for errors raised locally) and `retryAfter` (seconds, or `undefined` when the
    /// server did not say). The package's `NotaryError` class recognises it with `instanceof`.
    fn from(error: NotaryError) -> Self {
        let js_error = js_sys::Error::new(&error.message);
        js_error.set_name("NotaryError");
        let object: JsValue = js_error.into();
        let status = error.status.map_or(JsValue::UNDEFINED, JsValue::from);
        let retry_after = error.retry_after.map_or(JsValue::UNDEFINED, JsValue::from);
        // Reflect::set only fails on frozen objects or proxies; a fresh Error is neither.
        let _ = js_sys::Reflect::set(&object, &"code".into(), &JsValue::from_str(error.code()));
        let _ = js_sys::Reflect::set(&object, &"status".into(), &status);
        let _ = js_sys::Reflect::set(&object, &"retryAfter".into(), &retry_after);
        object
    }
}

/// Result alias for this crate.
pub type Result<T> = core::result::Result<T, NotaryError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_codes_are_unique_snake_case_and_apart_from_the_protocols() {
        let mut seen: std::collections::BTreeSet<&str> =
            ErrorKind::ALL.into_iter().map(ErrorKind::code).collect();
        for kind in ClientErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "{code} twice");
            assert!(code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }

    #[test]
    fn server_codes_are_kept_as_received() {
        for code in [
            "expired",
            "rate_limited",
            "network_error",
            "a_code_of_a_newer_server",
        ] {
            let error = NotaryError::from_server(code.into(), "said the server".into(), 401);
            assert_eq!(error.error_code(), &ErrorCode::Server(code.to_owned()));
            assert_eq!((error.code(), error.status()), (code, Some(401)));
        }
    }

    #[test]
    fn every_code_reads_back_as_its_kind() {
        for kind in ErrorKind::ALL {
            assert_eq!(NotaryError::new(kind, "x").code(), kind.code());
        }
        for kind in ClientErrorKind::ALL {
            let error = NotaryError::new(kind, "x");
            assert_eq!((error.code(), error.status()), (kind.code(), None));
        }
        let protocol = protocol::Error::new(ErrorKind::WeakKey, "small order");
        let error = NotaryError::from(protocol);
        assert_eq!(error.to_string(), "weak_key: small order");
    }
}

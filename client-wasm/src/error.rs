//! The one error type every export throws: a JavaScript `Error` named `NotaryError` with a stable
//! machine-readable `code`, when a server answered its HTTP `status`, and when the server said how
//! long to wait (`Retry-After`, as with 429 `rate_limited`) that delay in seconds as `retryAfter`.

use std::borrow::Cow;
use wasm_bindgen::JsValue;

/// Codes that this package adds to the protocol's and the server's own codes.
pub mod codes {
    /// `fetch` failed: the server could not be reached (DNS, refused connection, CORS, offline).
    pub const NETWORK_ERROR: &str = "network_error";
    /// The server answered with something that is not the JSON this client expects.
    pub const UNEXPECTED_RESPONSE: &str = "unexpected_response";
    /// An argument from JavaScript has the wrong shape (not an object, missing member, bad URL).
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
    /// The salt answer names a different address than the one asked for.
    pub const ADDRESS_MISMATCH: &str = "address_mismatch";
}

/// An error with a stable `code`, a plain-text `message` (never any secret) and, for answers from a
/// server, the HTTP `status` and the `Retry-After` delay when the server sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotaryError {
    code: Cow<'static, str>,
    message: Cow<'static, str>,
    status: Option<u16>,
    retry_after: Option<u32>,
}

impl NotaryError {
    /// An error raised by this package itself (no HTTP status).
    pub fn local(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code: Cow::Borrowed(code),
            message: message.into(),
            status: None,
            retry_after: None,
        }
    }

    /// An error answered by a server: its `{"error", "message"}` body and status.
    pub fn from_server(code: String, message: String, status: u16) -> Self {
        Self {
            code: Cow::Owned(code),
            message: Cow::Owned(message),
            status: Some(status),
            retry_after: None,
        }
    }

    /// The same error with the seconds the server asked the client to wait (its `Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, seconds: Option<u32>) -> Self {
        self.retry_after = seconds;
        self
    }

    /// An argument from JavaScript is unusable.
    pub fn invalid_argument(message: &'static str) -> Self {
        Self::local(codes::INVALID_ARGUMENT, message)
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        &self.code
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
        Self::local(error.code(), error.detail())
    }
}

impl core::fmt::Display for NotaryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
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
        let _ = js_sys::Reflect::set(&object, &"code".into(), &JsValue::from_str(&error.code));
        let _ = js_sys::Reflect::set(&object, &"status".into(), &status);
        let _ = js_sys::Reflect::set(&object, &"retryAfter".into(), &retry_after);
        object
    }
}

/// Result alias for this crate.
pub type Result<T> = core::result::Result<T, NotaryError>;

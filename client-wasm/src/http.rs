//! `fetch` from WebAssembly (the global `fetch` of browsers, Web Workers and Node 20+), and the
//! translation of a Notary server's answers into checked JavaScript objects or [`NotaryError`]s.

use crate::error::{ClientErrorKind, NotaryError, Result};
use crate::shape::{self, Requirement};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window, worker or Node scope alike).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
}

/// A JSON call to a Notary server.
pub struct JsonCall<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Absolute URL.
    pub url: &'a str,
    /// JSON request body, if any.
    pub body: Option<String>,
    /// `Authorization` header value, if any.
    pub authorization: Option<String>,
    /// What a 2xx answer must be (`requirements!` of its shape).
    pub expect: &'static [Requirement],
}

impl JsonCall<'_> {
    /// Sends the call; a 2xx answer must be a JSON object of the expected shape, anything else
    /// becomes a `NotaryError` with the server's code and status.
    pub async fn send(self) -> Result<JsValue> {
        let init = RequestInit::new();
        init.set_method(self.method);
        let headers = web_sys::Headers::new().map_err(build_failure)?;
        headers
            .set("Accept", "application/json")
            .map_err(build_failure)?;
        if let Some(body) = &self.body {
            headers
                .set("Content-Type", "application/json")
                .map_err(build_failure)?;
            init.set_body(&JsValue::from_str(body));
        }
        if let Some(authorization) = &self.authorization {
            headers
                .set("Authorization", authorization)
                .map_err(build_failure)?;
        }
        init.set_headers(&headers);
        let request = Request::new_with_str_and_init(self.url, &init)
            .map_err(|_| NotaryError::invalid_argument("the URL cannot be fetched"))?;
        let response = fetch(&request).await?;
        read_json(&response, self.expect).await
    }
}

/// Fetches `request`; a rejected `fetch` is a `network_error`.
pub async fn fetch(request: &Request) -> Result<Response> {
    let answer = JsFuture::from(global_fetch(request)).await.map_err(|_| {
        NotaryError::new(
            ClientErrorKind::NetworkError,
            "the server could not be reached (network failure, CORS or offline)",
        )
    })?;
    answer.dyn_into::<Response>().map_err(|_| {
        NotaryError::new(
            ClientErrorKind::UnexpectedResponse,
            "fetch did not give a Response",
        )
    })
}

/// Reads a JSON answer: a 2xx must be an object that meets `expect`; otherwise the server's
/// `{"error", "message"}` becomes the error.
async fn read_json(response: &Response, expect: &[Requirement]) -> Result<JsValue> {
    let status = response.status();
    let retry_after = if response.ok() {
        None
    } else {
        response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|value| parse_retry_after(&value, js_sys::Date::now()))
    };
    let unexpected = || unexpected_response(status).with_retry_after(retry_after);
    let text_promise = response.text().map_err(|_| unexpected())?;
    let text = JsFuture::from(text_promise).await.map_err(|_| {
        NotaryError::new(
            ClientErrorKind::NetworkError,
            "the connection failed while reading the answer",
        )
    })?;
    let text = text.as_string().ok_or_else(unexpected)?;
    let body = js_sys::JSON::parse(&text).ok().filter(JsValue::is_object);
    if !response.ok() {
        let error = body.as_ref().and_then(|body| {
            let code = shape::string(body, "error").ok()?;
            let message = shape::string(body, "message").unwrap_or_default();
            Some(NotaryError::from_server(code, message, status).with_retry_after(retry_after))
        });
        return Err(error.unwrap_or_else(unexpected));
    }
    let body = body.ok_or_else(unexpected)?;
    shape::check(&body, expect).map_err(|_| unexpected())?;
    Ok(body)
}

/// The seconds a `Retry-After` header value asks for (RFC 9110, section 10.2.3): delta-seconds, or an
/// HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) counted from `now_ms` (a date already past gives 0).
/// Anything else gives `None`; very large values saturate at `u32::MAX`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|byte| byte.is_ascii_digit()) {
        // All digits: the only possible failure is overflow.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(u32::try_from(seconds).unwrap_or(u32::MAX));
    }
    // Date.parse is lenient with free text; an HTTP date always ends in GMT.
    if !value.ends_with(" GMT") {
        return None;
    }
    let at_ms = js_sys::Date::parse(value);
    if !at_ms.is_finite() {
        return None;
    }
    let seconds = ((at_ms - now_ms) / 1000.0)
        .ceil()
        .clamp(0.0, f64::from(u32::MAX));
    // In range and whole after the clamp and ceil, so the conversion is exact.
    Some(seconds as u32)
}

/// An answer this client does not understand, with its status.
pub fn unexpected_response(status: u16) -> NotaryError {
    NotaryError::new(
        ClientErrorKind::UnexpectedResponse,
        format!("the server answered HTTP {status} with a body this client does not understand"),
    )
    .with_status(status)
}

/// A failure of a JavaScript API that only fails on misuse (a header name fetch refuses, ...).
fn build_failure(_: JsValue) -> NotaryError {
    NotaryError::invalid_argument("the request could not be built")
}

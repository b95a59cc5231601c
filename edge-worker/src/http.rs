//! HTTP plumbing shared by every endpoint: the body limit, strict JSON, the Origin/Referer check, the
//! `Authorization` schemes and JSON answers. The parsing rules are plain functions so they are tested
//! natively; [`read_body`] and the response builders bind them to the worker's types.

use crate::error::{ApiError, ApiResult, ServerCode};
use serde::de::DeserializeOwned;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Refuses a body whose declared `Content-Length` is over the limit, before reading it.
pub fn check_declared_length(content_length: Option<&str>) -> ApiResult<()> {
    match content_length.map(|value| value.trim().parse::<u64>()) {
        Some(Ok(length)) if length > MAX_BODY_BYTES as u64 => Err(too_large()),
        Some(Err(_)) => Err(ApiError::invalid_request("Content-Length is not a number")),
        _ => Ok(()),
    }
}

/// 413.
pub const fn too_large() -> ApiError {
    ApiError::new(
        ServerCode::BodyTooLarge,
        "the request body is larger than 16 KiB",
    )
}

/// Requires `Content-Type: application/json` (parameters such as `charset=utf-8` allowed).
pub fn check_json_content_type(content_type: Option<&str>) -> ApiResult<()> {
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    if essence.as_deref() == Some("application/json") {
        Ok(())
    } else {
        Err(ApiError::new(
            ServerCode::UnsupportedMediaType,
            "the body must be JSON with Content-Type: application/json",
        ))
    }
}

/// Parses a body as the endpoint's request type. It must be a JSON object (serde would also map an
/// array onto a struct); the types deny unknown fields and serde refuses duplicate ones, so only the
/// exact documented shape gets through.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid_request("the body is not a JSON object"));
    }
    serde_json::from_slice(body).map_err(|error| {
        if error.is_data() {
            ApiError::invalid_request(
                "the JSON object has unknown, duplicate, missing or mistyped fields",
            )
        } else {
            ApiError::invalid_request("the body is not a JSON object")
        }
    })
}

/// Browser calls must come from the service's own pages (docs/protocol.md, section 9.1). An `Origin`
/// header must be exactly the public origin: browsers send origins serialised (RFC 6454 section 6.1),
/// so anything else, the empty value included, is refused. Without `Origin`, a `Referer` must be an
/// absolute http(s) URL whose origin ([`origin_of`]) is the public origin; an empty or unreadable
/// one is refused too. Calls with neither (servers, curl) pass.
pub fn check_origin(
    public_origin: &str,
    origin: Option<&str>,
    referer: Option<&str>,
) -> ApiResult<()> {
    let same = match (origin, referer) {
        (Some(origin), _) => origin == public_origin,
        (None, Some(referer)) => origin_of(referer).as_deref() == Some(public_origin),
        (None, None) => true,
    };
    if same {
        Ok(())
    } else {
        Err(ApiError::new(
            ServerCode::ForbiddenOrigin,
            "requests from other sites are refused",
        ))
    }
}

/// The origin of an absolute http(s) URL, serialised as RFC 6454 section 6.1 says
/// (`scheme://host[:port]`, scheme and host lower case, the scheme's default port dropped, a port
/// written in decimal without leading zeros). `None` for anything that is not plainly such a URL:
/// another scheme, user information, an empty host, or a port that is not one decimal number up to
/// 65535 (`http://a:8787:80/` is not read as port 8787).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    // URL parsers end the authority at a backslash too, for http(s).
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_host_port(authority)?;
    if host.is_empty() {
        return None;
    }
    let host = host.to_ascii_lowercase();
    Some(match port {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// `host[:port]` or `[IPv6][:port]`. An empty port is no port (as in the WHATWG URL standard); a
/// non-empty one must be decimal digits within `u16`.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let colon = if authority.starts_with('[') {
        let close = authority.find(']')?;
        match authority.get(close + 1..)? {
            "" => None,
            after if after.starts_with(':') => Some(close + 1),
            _ => return None,
        }
    } else {
        authority.find(':')
    };
    let Some(colon) = colon else {
        return Some((authority, None));
    };
    let host = authority.get(..colon)?;
    let port = authority.get(colon + 1..)?;
    if port.is_empty() {
        return Some((host, None));
    }
    if !port.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some((host, Some(port.parse().ok()?)))
}

/// An absolute URL as the runtime hands it over (`Request.url`, already normalised by the runtime's
/// WHATWG URL parser) split into `scheme://authority` and `/path?query`, without the fragment. Plain
/// string work: parsing it again with the `url` crate would only add that crate (about 34 KB of the
/// .wasm, 16 KiB gzip) to the worker.
pub fn split_url(url: &str) -> (&str, &str) {
    let url = url.split('#').next().unwrap_or(url);
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let path_start = url
        .get(authority_start..)
        .and_then(|rest| rest.find(['/', '?']))
        .map_or(url.len(), |i| authority_start + i);
    url.split_at(path_start)
}

/// The token of `Authorization: <scheme> <token>` (scheme compared case-insensitively).
pub fn authorization_token<'a>(header: Option<&'a str>, scheme: &str) -> Option<&'a str> {
    let (given, token) = header?.trim().split_once(' ')?;
    let token = token.trim();
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty()).then_some(token)
}

/// Whether `given` equals `secret`, in constant time: both are hashed first, so the comparison takes
/// the same time whatever their lengths and contents.
pub fn secret_matches(given: &[u8], secret: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(given).ct_eq(&Sha256::digest(secret)).into()
}

#[cfg(target_arch = "wasm32")]
pub use worker_glue::*;

#[cfg(target_arch = "wasm32")]
mod worker_glue {
    use super::*;
    use futures_util::StreamExt;
    use worker::{Headers, Method, Response};

    /// The incoming request: its method, path and headers, read once. `worker::Request` would also
    /// read the request's `cf` object, which workerd builds anew on each access: about a tenth of a
    /// trivial request's CPU, for a value no endpoint uses.
    pub struct Request {
        inner: web_sys::Request,
        headers: web_sys::Headers,
        method: Method,
        url: String,
        path: String,
    }

    impl Request {
        /// Wraps the request the runtime handed over.
        pub fn new(inner: web_sys::Request) -> Self {
            let url = inner.url();
            Self {
                headers: inner.headers(),
                method: Method::from(inner.method()),
                path: path_of(&url),
                url,
                inner,
            }
        }

        /// The method.
        pub fn method(&self) -> Method {
            self.method.clone()
        }

        /// The URL's path (without query or fragment).
        pub fn path(&self) -> &str {
            &self.path
        }

        /// The URL's `scheme://authority`.
        pub fn origin(&self) -> &str {
            split_url(&self.url).0
        }

        /// The URL's path and query (`/path?query`, without the fragment).
        pub fn path_and_query(&self) -> &str {
            split_url(&self.url).1
        }

        /// The URL's query without its `?`, if it has one.
        pub fn query(&self) -> Option<&str> {
            self.path_and_query()
                .split_once('?')
                .map(|(_, query)| query)
        }

        /// A header's value, if present and readable.
        pub fn header(&self, name: &str) -> Option<String> {
            self.headers.get(name).ok().flatten()
        }
    }

    /// The path of a URL serialized by the runtime (WHATWG), without query or fragment: `?` and `#`
    /// within the path are percent-encoded there, so no parsing is needed.
    fn path_of(url: &str) -> String {
        let (_, rest) = split_url(url);
        match rest.split('?').next() {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => "/".to_owned(),
        }
    }

    /// Reads a JSON request body of at most [`MAX_BODY_BYTES`]: the declared length is checked first,
    /// then the stream is read only up to the limit.
    pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
        check_json_content_type(header(req, "content-type").as_deref())?;
        let body = read_body(req).await?;
        parse_json(&body)
    }

    /// Reads the raw body with the limit (empty when there is none). A body with a declared length
    /// (checked above) is framed by it, so it is read in one piece; one without (chunked) is read as a
    /// stream, only up to the limit.
    pub async fn read_body(req: &mut Request) -> ApiResult<Vec<u8>> {
        let declared = header(req, "content-length");
        check_declared_length(declared.as_deref())?;
        if req.inner.body().is_none() {
            return Ok(Vec::new());
        }
        let unreadable = |_| ApiError::invalid_request("the body could not be read");
        if declared.is_some() {
            let promise = req.inner.array_buffer().map_err(unreadable)?;
            let buffer = worker::wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map_err(unreadable)?;
            let body = worker::js_sys::Uint8Array::new(&buffer).to_vec();
            if body.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            return Ok(body);
        }
        let mut stream = worker::Request::from(Clone::clone(&req.inner))
            .stream()
            .map_err(|_| ApiError::invalid_request("the body could not be read"))?;
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::invalid_request("the body could not be read"))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// An outgoing request (to a binding or through `fetch`), built with web-sys: worker's
    /// `RequestInit` converts into the JavaScript one through code that also serialises its `cf`
    /// properties (about 15 KB of the .wasm), which this worker never sets.
    pub fn new_request(
        method: &str,
        url: &str,
        headers: Option<&Headers>,
        body: Option<&wasm_bindgen::JsValue>,
    ) -> worker::Result<worker::Request> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        if let Some(headers) = headers {
            init.set_headers(headers.as_ref());
        }
        if let Some(body) = body {
            init.set_body(body);
        }
        Ok(worker::Request::from(
            web_sys::Request::new_with_str_and_init(url, &init)?,
        ))
    }

    /// A header's value, if present and readable.
    pub fn header(req: &Request, name: &str) -> Option<String> {
        req.header(name)
    }

    /// A JSON answer with `Cache-Control: no-store`.
    pub fn json_response(status: u16, body: &serde_json::Value) -> Response {
        json_response_with(status, body, "no-store", None)
    }

    /// A 200 JSON answer that any cache may keep for `max_age_secs`.
    pub fn cacheable_json_response(body: &serde_json::Value, max_age_secs: u32) -> Response {
        let cache_control = format!("public, max-age={max_age_secs}");
        json_response_with(200, body, &cache_control, None)
    }

    /// The JSON error answer, with `Retry-After` for 429.
    pub fn error_response(error: &ApiError) -> Response {
        json_response_with(error.status, &error.body(), "no-store", error.retry_after)
    }

    fn json_response_with(
        status: u16,
        body: &serde_json::Value,
        cache_control: &str,
        retry_after: Option<u64>,
    ) -> Response {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json");
        let _ = headers.set("cache-control", cache_control);
        let _ = headers.set("x-content-type-options", "nosniff");
        if let Some(seconds) = retry_after {
            let _ = headers.set("retry-after", &seconds.to_string());
        }
        Response::builder()
            .with_status(status)
            .with_headers(headers)
            .fixed(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        token: String,
    }

    #[test]
    fn body_limit_is_checked_on_the_declared_length() {
        assert!(check_declared_length(None).is_ok());
        assert!(check_declared_length(Some("16384")).is_ok());
        assert_eq!(
            check_declared_length(Some("16385")).unwrap_err().status,
            413
        );
        assert_eq!(check_declared_length(Some("-1")).unwrap_err().status, 400);
    }

    #[test]
    fn only_json_content_types() {
        assert!(check_json_content_type(Some("application/json")).is_ok());
        assert!(check_json_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        for bad in [None, Some("text/plain"), Some("application/jsonx")] {
            assert_eq!(check_json_content_type(bad).unwrap_err().status, 415);
        }
    }

    #[test]
    fn json_must_have_exactly_the_documented_fields() {
        assert!(parse_json::<Body>(br#"{"token":"x"}"#).is_ok());
        for bad in [
            &br#"{"token":"x","extra":1}"#[..],
            br#"{"token":"x","token":"y"}"#,
            br#"{}"#,
            br#"{"token":1}"#,
            br#"["x"]"#,
            b"not json",
            b"",
        ] {
            let error = parse_json::<Body>(bad).unwrap_err();
            assert_eq!(
                (error.status, error.code.as_str()),
                (400, "invalid_request")
            );
        }
    }

    #[test]
    fn origin_or_referer_must_be_ours() {
        let us = "http://127.0.0.1:8787";
        assert!(check_origin(us, None, None).is_ok());
        assert!(check_origin(us, Some(us), None).is_ok());
        assert!(check_origin(us, None, Some("http://127.0.0.1:8787/account.html")).is_ok());
        assert!(check_origin(us, Some("https://evil.example"), Some(us)).is_err());
        assert!(check_origin(us, Some("null"), None).is_err());
        assert!(check_origin(us, None, Some("http://127.0.0.1:8788/")).is_err());
        assert!(check_origin(us, None, Some("http://127.0.0.1:8787@evil.example/")).is_err());
        assert_eq!(
            check_origin(us, Some("http://evil.example"), None)
                .unwrap_err()
                .code
                .as_str(),
            "forbidden_origin"
        );
    }

    #[test]
    fn an_empty_origin_or_referer_is_refused() {
        let us = "http://127.0.0.1:8787";
        for origin in ["", " "] {
            assert!(check_origin(us, Some(origin), None).is_err(), "{origin:?}");
            // A Referer naming us does not rescue an Origin that is not ours.
            assert!(
                check_origin(us, Some(origin), Some(us)).is_err(),
                "{origin:?}"
            );
        }
        assert!(check_origin(us, None, Some("")).is_err());
        assert!(check_origin(us, None, Some("/account.html")).is_err());
    }

    #[test]
    fn an_origin_is_compared_exactly_as_browsers_serialise_it() {
        let us = "http://127.0.0.1:8787";
        for origin in [
            "http://127.0.0.1:8787/",
            "HTTP://127.0.0.1:8787",
            " http://127.0.0.1:8787",
        ] {
            assert!(check_origin(us, Some(origin), None).is_err(), "{origin}");
        }
        let bare = "http://notary.example";
        assert!(check_origin(bare, Some("http://notary.example:80"), None).is_err());
    }

    #[test]
    fn a_referer_with_the_default_port_is_our_origin() {
        let bare = "http://notary.example";
        for referer in [
            "http://notary.example:80/account.html",
            "http://Notary.Example:080/",
            "http://notary.example:/",
            "http://notary.example",
        ] {
            assert!(check_origin(bare, None, Some(referer)).is_ok(), "{referer}");
        }
        let secure = "https://notary.example";
        assert!(check_origin(secure, None, Some("https://notary.example:443/")).is_ok());
        assert!(check_origin(secure, None, Some("https://notary.example:80/")).is_err());
        assert!(check_origin(secure, None, Some("http://notary.example:443/")).is_err());
        // Port 80 is not 8787's default: naming it names another origin.
        let us = "http://127.0.0.1:8787";
        assert!(check_origin(us, None, Some("http://127.0.0.1:80/")).is_err());
        assert!(check_origin(us, None, Some("http://127.0.0.1/")).is_err());
    }

    #[test]
    fn urls_split_into_origin_and_path_with_query() {
        for (url, origin, rest) in [
            (
                "https://notary.example/account",
                "https://notary.example",
                "/account",
            ),
            (
                "http://127.0.0.1:8787/account?a=1&b",
                "http://127.0.0.1:8787",
                "/account?a=1&b",
            ),
            (
                "https://notary.example/account?",
                "https://notary.example",
                "/account?",
            ),
            ("https://notary.example/a#f", "https://notary.example", "/a"),
            ("https://notary.example?q", "https://notary.example", "?q"),
            ("https://notary.example", "https://notary.example", ""),
            ("https://[::1]:8787/", "https://[::1]:8787", "/"),
        ] {
            assert_eq!(split_url(url), (origin, rest), "{url}");
        }
    }

    #[test]
    fn origins_drop_default_ports_and_paths() {
        assert_eq!(
            origin_of("HTTPS://Notary.Example:443/x?y#z").as_deref(),
            Some("https://notary.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8787/a").as_deref(),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:08787?q").as_deref(),
            Some("http://127.0.0.1:8787")
        );
        assert_eq!(
            origin_of("http://[::1]:80/").as_deref(),
            Some("http://[::1]")
        );
        assert_eq!(
            origin_of("http://[::1]:8787\\x").as_deref(),
            Some("http://[::1]:8787")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
    }

    #[test]
    fn ambiguous_authorities_have_no_origin() {
        for url in [
            "http://127.0.0.1:8787:80/",
            "http://127.0.0.1:80:8787/",
            "http://127.0.0.1:8787x/",
            "http://127.0.0.1:65536/",
            "http://127.0.0.1:-1/",
            "http://127.0.0.1: 8787/",
            "http://:8787/",
            "http:///account.html",
            "http://[::1/",
            "http://[::1]x/",
            "http://user@127.0.0.1:8787/",
            "ftp://127.0.0.1:8787/",
            "",
        ] {
            assert_eq!(origin_of(url), None, "{url}");
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(secret_matches(b"admin secret", b"admin secret"));
        assert!(!secret_matches(b"admin secre", b"admin secret"));
        assert!(!secret_matches(b"admin secret!", b"admin secret"));
        assert!(!secret_matches(b"", b"admin secret"));
    }

    #[test]
    fn authorization_schemes() {
        assert_eq!(
            authorization_token(Some("Notary abc"), "Notary"),
            Some("abc")
        );
        assert_eq!(
            authorization_token(Some("bearer  abc "), "Bearer"),
            Some("abc")
        );
        assert_eq!(authorization_token(Some("Basic abc"), "Bearer"), None);
        assert_eq!(authorization_token(Some("Bearer"), "Bearer"), None);
        assert_eq!(authorization_token(None, "Bearer"), None);
    }
}

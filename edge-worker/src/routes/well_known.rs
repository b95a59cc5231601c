//! `GET /.well-known/notary`: the discovery document. It tells a client the audience (`aud`) that
//! every token it sends this service must carry: `PUBLIC_URI`, which is deployment configuration and
//! cannot be derived from the URL a client happened to use (the worker may sit behind a route).

use crate::context::RequestContext;
use crate::http::cacheable_json_response;
use worker::Response;

/// How long a client or cache may keep the document, seconds. `PUBLIC_URI` changes only with a new
/// deployment, and a stale copy costs at most a `wrong_audience` until it expires.
const MAX_AGE_SECS: u32 = 3600;

/// 200 `{"audience": PUBLIC_URI}`.
pub fn discovery(ctx: &RequestContext) -> Response {
    cacheable_json_response(
        &serde_json::json!({ "audience": ctx.config.public_uri }),
        MAX_AGE_SECS,
    )
}

//! `POST /salt {"address"}`: the address's salt and the key-derivation parameters.
//!
//! Nothing is stored or looked up, so the answer (bytes, status, headers) is the same whether or not
//! the address has an account. There is no per-address limit (anyone could spend it to keep the owner
//! from signing in): only the client group's limits apply, and clients keep answers they have used.

use crate::context::RequestContext;
use crate::error::ApiResult;
use crate::http::Request;
use crate::http::{json_response, read_json};
use protocol::address::Address;
use protocol::salt::SaltAnswer;
use worker::Response;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SaltBody {
    address: String,
}

/// The handler.
pub async fn salt(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: SaltBody = read_json(req).await?;
    let address = Address::parse(&body.address)?;
    let answer = SaltAnswer::new(ctx.config.salt_secret.as_bytes(), &address);
    Ok(json_response(200, &serde_json::json!(answer)))
}

//! `GET /account` with `Authorization: Notary <request JWS>`: the account, as its current key sees it
//! (how a returning user signs in). The token binds method, URL and body.

use crate::auth::{authenticate, consume_jti};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::{authorization_token, header, json_response, read_body};
use protocol::token::{HttpRequest, RegisteredKind};
use worker::{Request, Response};

/// The handler.
pub async fn account(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let authorization = header(req, "authorization");
    let text = authorization_token(authorization.as_deref(), "Notary").ok_or(ApiError::new(
        ServerCode::Unauthorized,
        "send Authorization: Notary <signed request token>",
    ))?;
    let audience = &ctx.config.public_uri;
    let auth = authenticate(ctx, text, RegisteredKind::Request, audience).await?;
    let body = read_body(req).await?;
    let url = req.url().map_err(|_| ApiError::internal())?;
    // The URL as the user addressed it: PUBLIC_URI plus path and query (the worker may sit behind a
    // route whose internal URL differs).
    let full_url = match url.query() {
        Some(query) => format!("{}{}?{query}", ctx.config.public_uri, url.path()),
        None => format!("{}{}", ctx.config.public_uri, url.path()),
    };
    auth.token.check_request(&HttpRequest {
        method: "GET",
        url: &full_url,
        body: &body,
    })?;
    consume_jti(ctx, &auth.token).await?;
    let account = &auth.account;
    Ok(json_response(
        200,
        &serde_json::json!({
            "address": account.address,
            "status": account.status,
            "key_id": account.key_id,
            "created_at": account.created_at,
            "confirmed_at": account.confirmed_at,
        }),
    ))
}

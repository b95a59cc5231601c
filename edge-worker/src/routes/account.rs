//! The account, as its current key sees it: `GET /account` (a signed request; how a returning user
//! signs in) and `DELETE /signature` (disables the account; afterwards every token of it fails).

use super::TokenBody;
use crate::auth::{consume_jti, verify_registered};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::http::{authorization_token, header, json_response, read_body, read_json};
use protocol::token::{HttpRequest, TokenKind};
use worker::{Request, Response};

/// `GET /account` with `Authorization: Notary <request JWS>` binding method, URL and body.
pub async fn account(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let authorization = header(req, "authorization");
    let text = authorization_token(authorization.as_deref(), "Notary").ok_or(ApiError::new(
        401,
        "unauthorized",
        "send Authorization: Notary <signed request token>",
    ))?;
    let auth = verify_registered(ctx, text, TokenKind::Request, &ctx.config.public_uri).await?;
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

/// `DELETE /signature {"token": <disable JWS signed by the current key>}`.
pub async fn disable(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let auth =
        verify_registered(ctx, &body.token, TokenKind::Disable, &ctx.config.public_uri).await?;
    consume_jti(ctx, &auth.token).await?;
    let account = &auth.account;
    let disabled = ctx
        .store
        .disable_account(account.id, &account.key_id, ctx.now)
        .await?;
    if !disabled {
        return Err(ApiError::unknown_key());
    }
    ctx.audit(
        "disable",
        "ok",
        Some(&account.address),
        Some(&account.key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "disabled" }),
    ))
}

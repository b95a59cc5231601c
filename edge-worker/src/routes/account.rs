//! `GET /account` with `Authorization: Notary <request JWS>`: the account, as its current key sees it
//! (how a returning user signs in), or as one of its sessions sees it (a signed-in device coming
//! back). The token binds method, URL and body. Two storage round trips: the account (or the session
//! with its account), then the token's `jti` with the audit row (`sign_in`, or `session_use`) and the
//! reset of the address's guess budget (a sign-in only) or the session's renewal in one batch. The
//! answer's `kdf_version` tells the client whether the account still has to move to version 2.

use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{authenticate_request, check_bound_request, record_use, GuessBudget};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::Request;
use crate::http::{authorization_token, header, json_response, read_body};
use worker::Response;

/// The `Authorization: Notary <token>` of a request, or 401 `unauthorized`.
pub fn notary_authorization(req: &Request) -> ApiResult<String> {
    let authorization = header(req, "authorization");
    authorization_token(authorization.as_deref(), "Notary")
        .map(str::to_owned)
        .ok_or(ApiError::new(
            ServerCode::Unauthorized,
            "send Authorization: Notary <signed request token>",
        ))
}

/// The handler.
pub async fn account(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let text = notary_authorization(req)?;
    let auth = authenticate_request(ctx, &text, AuditAction::SessionUse).await?;
    let account = &auth.account;
    ctx.about(&account.address);
    let body = read_body(req).await?;
    check_bound_request(ctx, req, &auth.token, &body)?;
    let action = match auth.session {
        None => AuditAction::SignIn,
        Some(_) => AuditAction::SessionUse,
    };
    record_use(ctx, &auth, action, AuditOutcome::Ok, GuessBudget::Reset).await?;
    Ok(json_response(
        200,
        &serde_json::json!({
            "address": account.address,
            "status": account.status,
            "key_id": account.key_id,
            "created_at": account.created_at,
            "confirmed_at": account.confirmed_at,
            "kdf_version": account.kdf_version,
        }),
    ))
}

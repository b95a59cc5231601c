//! The admin endpoints, for the operator's own services: `Authorization: Bearer <ADMIN_SECRET>`,
//! compared in constant time. Every call is written to the audit log.
//!
//! - `POST /admin/verify {"token", "audience"}`: checks a token a user signed for a third party.
//! - `POST /admin/disable {"address"}`: disables an account.

use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{authenticate, consume_jti, AuthError};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::secret_matches;
use crate::http::{authorization_token, header, json_response, read_json};
use protocol::address::Address;
use protocol::token::RegisteredKind;
use worker::{Request, Response};

async fn authorize(req: &Request, ctx: &RequestContext, action: AuditAction) -> ApiResult<()> {
    let authorization = header(req, "authorization");
    let given = authorization_token(authorization.as_deref(), "Bearer").unwrap_or_default();
    if secret_matches(given.as_bytes(), ctx.config.admin_secret.as_bytes()) {
        return Ok(());
    }
    let refused = ApiError::new(
        ServerCode::Unauthorized,
        "send Authorization: Bearer <ADMIN_SECRET>",
    );
    ctx.audit(action, refused.code, None, None).await;
    Err(refused)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    token: String,
    audience: String,
}

/// `POST /admin/verify`: 200 with the claims and the account, 422 for an invalid token, 404 when no
/// active account has its key (the token is the subject of the request, not its credential).
pub async fn verify(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    const ACTION: AuditAction = AuditAction::AdminVerify;
    authorize(req, ctx, ACTION).await?;
    let body: VerifyBody = read_json(req).await?;
    let kind = RegisteredKind::Assertion;
    let auth = match authenticate(ctx, &body.token, kind, &body.audience).await {
        Ok(auth) => auth,
        // A failure inside is not a verdict on the token.
        Err(AuthError::Refused(error)) => return Err(error),
        Err(verdict) => {
            let error = ApiError::from(verdict).about_subject();
            ctx.audit(ACTION, error.code, None, None).await;
            return Err(error);
        }
    };
    let account = &auth.account;
    if let Err(error) = consume_jti(ctx, &auth.token).await {
        ctx.audit(
            ACTION,
            error.code,
            Some(&account.address),
            Some(&account.key_id),
        )
        .await;
        return Err(error.about_subject());
    }
    ctx.audit(
        ACTION,
        AuditOutcome::Valid,
        Some(&account.address),
        Some(&account.key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({
            "valid": true,
            "claims": auth.token.claims,
            "account": {
                "address": account.address,
                "status": account.status,
                "key_id": account.key_id,
            },
        }),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DisableBody {
    address: String,
}

/// `POST /admin/disable`: 200 `{"status":"disabled"}`, 404 when the address has no active account.
pub async fn disable(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    const ACTION: AuditAction = AuditAction::AdminDisable;
    authorize(req, ctx, ACTION).await?;
    let body: DisableBody = read_json(req).await?;
    let address = Address::parse(&body.address)?;
    let address = address.as_str();
    let disabled = match ctx.store.active_account_by_address(address).await? {
        Some(account) => ctx
            .store
            .disable_account(account.id, &account.key_id, ctx.now)
            .await?
            .then_some(account),
        None => None,
    };
    let Some(account) = disabled else {
        let refused = ApiError::new(
            ServerCode::UnknownAccount,
            "this address has no active account",
        );
        ctx.audit(ACTION, refused.code, Some(address), None).await;
        return Err(refused);
    };
    ctx.audit(
        ACTION,
        AuditOutcome::Ok,
        Some(address),
        Some(&account.key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "disabled" }),
    ))
}

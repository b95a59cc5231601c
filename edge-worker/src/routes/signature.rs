//! `/signature`, the account's key:
//! - `PATCH /signature {"token": <change JWS with the new key as jwk>}` proposes a new key (e.g. for a
//!   new password), confirmed by email and signed by the new key (`POST /confirm`);
//! - `DELETE /signature {"token": <disable JWS signed by the current key>}` disables the account;
//!   afterwards every token of it fails.

use super::proposal::{accept_proposal, confirmation_sent, send_confirmation};
use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{authenticate, consume_jti};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::http::{json_response, read_json};
use protocol::token::{ProposalKind, RegisteredKind};
use worker::{Request, Response};

/// `PATCH /signature`: 202 whether or not the address has an active account.
pub async fn change(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let (token, public_key) = accept_proposal(req, ctx, ProposalKind::Change).await?;
    let address = token.subject.as_str();
    let key_id = Some(token.key_id.as_str());
    let outcome = match ctx.store.active_account_by_address(address).await? {
        Some(account) => {
            let change_of = Some((account.id, account.key_id.as_str()));
            send_confirmation(ctx, &token, &public_key, change_of).await?;
            AuditOutcome::ConfirmationSent
        }
        None => AuditOutcome::NoAccount,
    };
    ctx.audit(AuditAction::Change, outcome, Some(address), key_id)
        .await;
    Ok(confirmation_sent())
}

/// `DELETE /signature`: 200 `{"status":"disabled"}`.
pub async fn disable(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let audience = &ctx.config.public_uri;
    let auth = authenticate(ctx, &body.token, RegisteredKind::Disable, audience).await?;
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
        AuditAction::Disable,
        AuditOutcome::Ok,
        Some(&account.address),
        Some(&account.key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "disabled" }),
    ))
}

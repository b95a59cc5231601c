//! `POST /signup {"token": <signup JWS>}`: proposes the key in the token's header for a new account.
//! Each signup of an address without an active account stores its own pending key and emails its own
//! confirmation; an earlier one stays valid until it expires or one of them is confirmed.

use super::proposal::{accept_proposal, confirmation_sent, send_confirmation};
use crate::audit::{AuditAction, AuditOutcome};
use crate::context::RequestContext;
use crate::delivery::{enqueue, Message};
use crate::error::ApiResult;
use protocol::token::ProposalKind;
use worker::{Request, Response};

/// The handler.
pub async fn signup(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let (token, public_key) = accept_proposal(req, ctx, ProposalKind::Signup).await?;
    let address = token.subject.as_str();
    let key_id = Some(token.key_id.as_str());
    let outcome = if ctx
        .store
        .active_account_by_address(address)
        .await?
        .is_some()
    {
        // No second account; the owner hears about the attempt through the same channel.
        enqueue(
            &ctx.env,
            Message::already_registered(&ctx.config.public_uri, address),
        )
        .await?;
        AuditOutcome::AlreadyRegistered
    } else {
        send_confirmation(ctx, &token, &public_key, None).await?;
        AuditOutcome::ConfirmationSent
    };
    ctx.audit(AuditAction::Signup, outcome, Some(address), key_id)
        .await;
    Ok(confirmation_sent())
}

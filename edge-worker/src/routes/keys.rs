//! Proposing a key, confirmed by email: `POST /signup` (a new account) and `PATCH /signature` (a new
//! key for an account, e.g. a new password). Both take a token signed by the proposed key, embedded in
//! its header, and answer 202 `{"status":"confirmation_sent"}` whatever the address's state, so the
//! answer says nothing about which addresses have accounts.

use super::TokenBody;
use crate::auth::{consume_jti, verify_embedded};
use crate::context::RequestContext;
use crate::delivery::{enqueue, Message, Purpose};
use crate::error::ApiResult;
use crate::http::{json_response, read_json};
use crate::limits::{enforce_address, AddressAction};
use crate::store::NewConfirmation;
use crate::time::random_bytes;
use protocol::confirmation::ConfirmationToken;
use protocol::token::{TokenKind, VerifiedToken};
use worker::{Request, Response};

fn confirmation_sent() -> Response {
    json_response(202, &serde_json::json!({ "status": "confirmation_sent" }))
}

/// Verifies the proposing token, applies the per-address email limit, and consumes its `jti`.
async fn accept_proposal(
    req: &mut Request,
    ctx: &RequestContext,
    kind: TokenKind,
) -> ApiResult<(VerifiedToken, String)> {
    let body: TokenBody = read_json(req).await?;
    let (token, key) = verify_embedded(ctx, &body.token, kind)?;
    enforce_address(ctx, AddressAction::Email, token.subject.as_str()).await?;
    consume_jti(ctx, &token).await?;
    Ok((token, protocol::b64::encode(key.to_bytes())))
}

/// Stores the pending key with a fresh confirmation token and queues the email.
async fn send_confirmation(
    ctx: &RequestContext,
    token: &VerifiedToken,
    public_key: &str,
    change_of: Option<(i64, &str)>,
) -> ApiResult<()> {
    let confirmation = ConfirmationToken::from_random(&random_bytes::<32>()?);
    let expires_at = ctx.now + ctx.config.confirmation_ttl;
    let address = token.subject.as_str();
    ctx.store
        .insert_confirmation(&NewConfirmation {
            token_hash: &confirmation.storage_hash(),
            address,
            key_id: token.key_id.as_str(),
            public_key,
            change_of,
            created_at: ctx.now,
            expires_at,
        })
        .await?;
    let purpose = if change_of.is_some() {
        Purpose::Change
    } else {
        Purpose::Signup
    };
    enqueue(
        &ctx.env,
        Message::confirmation(
            &ctx.config.public_uri,
            address,
            purpose,
            confirmation.as_str(),
            expires_at,
        ),
    )
    .await
}

/// `POST /signup {"token": <signup JWS>}`.
pub async fn signup(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let (token, public_key) = accept_proposal(req, ctx, TokenKind::Signup).await?;
    let address = token.subject.as_str();
    let key_id = Some(token.key_id.as_str());
    if ctx
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
        ctx.audit("signup", "already_registered", Some(address), key_id)
            .await;
    } else {
        send_confirmation(ctx, &token, &public_key, None).await?;
        ctx.audit("signup", "confirmation_sent", Some(address), key_id)
            .await;
    }
    Ok(confirmation_sent())
}

/// `PATCH /signature {"token": <change JWS with the new key as jwk>}`.
pub async fn change(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let (token, public_key) = accept_proposal(req, ctx, TokenKind::Change).await?;
    let address = token.subject.as_str();
    let key_id = Some(token.key_id.as_str());
    match ctx.store.active_account_by_address(address).await? {
        Some(account) => {
            send_confirmation(
                ctx,
                &token,
                &public_key,
                Some((account.id, &account.key_id)),
            )
            .await?;
            ctx.audit("change", "confirmation_sent", Some(address), key_id)
                .await;
        }
        None => {
            ctx.audit("change", "no_account", Some(address), key_id)
                .await;
        }
    }
    Ok(confirmation_sent())
}

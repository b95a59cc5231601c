//! What `POST /signup` and `PATCH /signature` share: both take a token signed by the key they propose
//! (embedded in its header), store that key as pending with a fresh confirmation, email it, and answer
//! 202 `{"status":"confirmation_sent"}` whatever the address's state, so the answer says nothing about
//! which addresses have accounts.

use super::TokenBody;
use crate::auth::{consume_jti, verify_proposal};
use crate::context::RequestContext;
use crate::delivery::{enqueue, Message};
use crate::error::ApiResult;
use crate::http::{json_response, read_json};
use crate::limits::{enforce_address, AddressAction};
use crate::rows::ConfirmationPurpose;
use crate::store::NewConfirmation;
use crate::time::random_bytes;
use protocol::confirmation::ConfirmationToken;
use protocol::token::{ProposalKind, VerifiedToken};
use worker::{Request, Response};

/// The answer to every accepted proposal.
pub fn confirmation_sent() -> Response {
    json_response(202, &serde_json::json!({ "status": "confirmation_sent" }))
}

/// Verifies the proposing token, applies the per-address email limit, and consumes its `jti`.
/// Returns the token and the proposed key as D1 stores it.
pub async fn accept_proposal(
    req: &mut Request,
    ctx: &RequestContext,
    kind: ProposalKind,
) -> ApiResult<(VerifiedToken, String)> {
    let body: TokenBody = read_json(req).await?;
    let (token, key) = verify_proposal(ctx, &body.token, kind)?;
    enforce_address(ctx, AddressAction::Email, token.subject.as_str()).await?;
    consume_jti(ctx, &token).await?;
    Ok((token, protocol::b64::encode(key.to_bytes())))
}

/// Stores the pending key with a fresh confirmation token and queues the email.
pub async fn send_confirmation(
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
    let purpose = match change_of {
        Some(_) => ConfirmationPurpose::Change,
        None => ConfirmationPurpose::Signup,
    };
    enqueue(
        &ctx.env,
        Message::confirmation(
            &ctx.config.public_uri,
            address,
            purpose.into(),
            confirmation.as_str(),
            expires_at,
        ),
    )
    .await
}

//! `POST /confirm {"token": <confirm JWS>}`: the emailed confirmation token, in the `confirmation`
//! claim of a token signed by the pending key (so the user has typed the password again). It is
//! verified like every `kid` token ([`verify_held`]), with the pending confirmation as the row that
//! holds the key. Single use: of any number of concurrent confirms of one confirmation, exactly one
//! succeeds. A refusal is audited (action `confirm`) and counted against the client group by the
//! router.

use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{consume_jti, verify_held};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::Request;
use crate::http::{json_response, read_json};
use crate::rows::{ConfirmationPurpose, PendingConfirmation};
use crate::store::ConfirmOutcome;
use crate::time::random_id;
use protocol::confirmation::ConfirmationToken;
use protocol::keys::KeyId;
use protocol::token::{ParsedToken, RegisteredKind};
use worker::Response;

/// The unused, unexpired confirmation `token` carries, bound to its (unverified) `sub` and to the
/// key its `kid` names, with the storage hash it was found by. Nothing is decided on the unverified
/// subject before the signature is verified; it only names the address in the audit row of a
/// refusal. Refusals count against the client group (`CLIENT_FAILURES`), never against the address,
/// so nobody can lock its owner out by sending bad confirms.
async fn pending_confirmation(
    ctx: &RequestContext,
    token: &ParsedToken,
    key_id: &KeyId,
) -> ApiResult<(PendingConfirmation, String)> {
    let claims = token.unverified_claims();
    let address = claims.subject()?;
    let address = address.as_str();
    ctx.about(address);
    let confirmation =
        ConfirmationToken::parse(claims.confirmation.as_deref().unwrap_or_default())?;
    let token_hash = confirmation.storage_hash();
    let row = ctx
        .store
        .pending_confirmation(&token_hash, ctx.now)
        .await?
        .filter(|row| row.address == address && row.key_id == key_id.as_str());
    match row {
        Some(row) => Ok((row, token_hash)),
        None => Err(ApiError::confirmation_invalid()),
    }
}

/// The handler.
pub async fn confirm(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let (parsed, key_id) = ParsedToken::parse_registered(&body.token, RegisteredKind::Confirm)?;
    let (row, token_hash) = pending_confirmation(ctx, &parsed, &key_id).await?;
    let token = verify_held(
        ctx,
        &parsed,
        &row.address,
        &row.public_key,
        &ctx.config.public_uri,
    )?;
    consume_jti(ctx, &token).await?;
    let marker = random_id()?;
    let (action, outcome) = match row.purpose {
        ConfirmationPurpose::Change => (
            AuditAction::ConfirmChange,
            ctx.store
                .confirm_change(&token_hash, &marker, ctx.now)
                .await?,
        ),
        ConfirmationPurpose::Signup => (
            AuditAction::ConfirmSignup,
            ctx.store
                .confirm_signup(&token_hash, &marker, ctx.now)
                .await?,
        ),
    };
    let result = match outcome {
        ConfirmOutcome::Applied => Ok(()),
        ConfirmOutcome::NotApplied => Err(ApiError::confirmation_invalid()),
        ConfirmOutcome::KeyInUse => Err(ApiError::new(
            ServerCode::KeyInUse,
            "another account already uses this key; choose another password",
        )),
        ConfirmOutcome::AddressTaken => Err(ApiError::new(
            ServerCode::AddressTaken,
            "this address already has an active account",
        )),
    };
    let address = token.subject.as_str();
    let key_id = token.key_id.as_str();
    ctx.audit(
        action,
        AuditOutcome::of(&result),
        Some(address),
        Some(key_id),
    )
    .await;
    result?;
    Ok(json_response(
        200,
        &serde_json::json!({
            "status": "active",
            "address": address,
            "key_id": key_id,
        }),
    ))
}

//! `/signature`, the account's key:
//! - `PATCH /signature {"token": <change JWS with the new key as jwk>}` with
//!   `Authorization: Notary <request JWS of the current key>` (binding method, URL and this body)
//!   replaces the key at once: the person knows the current password. When the current key is of
//!   the version-1 derivation, it is the account's move to version 2 instead: the new key waits for
//!   the emailed confirmation like a recovery's (a stolen version-1 key, which anyone holding its
//!   public key may have guessed offline, must not be able to swap in a key of its own choosing);
//! - the same without `Authorization` is a recovery (a forgotten password): the new key waits for the
//!   emailed confirmation (`POST /confirm`, signed by the new key), within the email budgets;
//! - `DELETE /signature {"token": <disable JWS signed by the current key>}` disables the account;
//!   afterwards every token of it fails.

use super::account::notary_authorization;
use super::proposal::{propose, read_proposal};
use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{
    authenticate, check_bound_request, guess_reset_statements, replay_statement, verify_proposal,
};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::Request;
use crate::http::{
    check_json_content_type, header, json_response, parse_json, read_body, read_json,
};
use crate::rows::{ConfirmationPurpose, KdfVersion};
use crate::store::ConfirmOutcome;
use protocol::token::{ProposalKind, RegisteredKind};
use protocol::{Error as ProtocolError, ErrorKind};
use worker::Response;

/// `PATCH /signature`: signed by the current key, 200 with the new key (202 `confirmation_sent` for
/// a version-1 key's move); otherwise a recovery, 202 whether or not the address has an active
/// account.
pub async fn change(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    if header(req, "authorization").is_some() {
        return signed_change(req, ctx).await;
    }
    let (token, public_key) = read_proposal(req, ctx, ProposalKind::Change).await?;
    propose(
        ctx,
        &token,
        &public_key,
        ConfirmationPurpose::Change,
        AuditAction::Change,
        Vec::new(),
    )
    .await
}

/// A change signed by the current key: the request token (current key) binds this body, which holds
/// the change token (new key); both `jti`s, the reset of the guess budget and the new key are written
/// in one transaction. From a version-1 key, the new key is proposed instead ([`propose`]), with the
/// request token's `jti` and the reset in the proposal's transaction.
async fn signed_change(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let text = notary_authorization(req)?;
    let audience = &ctx.config.public_uri;
    let auth = authenticate(ctx, &text, RegisteredKind::Request, audience).await?;
    let account = &auth.account;
    ctx.about(&account.address);
    check_json_content_type(header(req, "content-type").as_deref())?;
    let body = read_body(req).await?;
    check_bound_request(ctx, req, &auth.token, &body)?;
    let TokenBody { token } = parse_json(&body)?;
    let (change, key) = verify_proposal(ctx, &token, ProposalKind::Change)?;
    if change.subject.as_str() != account.address {
        return Err(ProtocolError::new(
            ErrorKind::WrongSubject,
            "the change token's sub is not the signed-in account",
        )
        .into());
    }
    let mut first = vec![replay_statement(ctx, &auth.token)?];
    first.extend(guess_reset_statements(ctx, &account.address)?);
    let public_key = protocol::b64::encode(key.to_bytes());
    if account.kdf_version == KdfVersion::Legacy {
        return propose(
            ctx,
            &change,
            &public_key,
            ConfirmationPurpose::Change,
            AuditAction::Upgrade,
            first,
        )
        .await;
    }
    let new_key_id = change.key_id.as_str();
    first.push(replay_statement(ctx, &change)?);
    let outcome = ctx
        .store
        .change_key_now(
            first,
            account.id,
            &account.key_id,
            new_key_id,
            &public_key,
            ctx.now,
        )
        .await?;
    match outcome {
        ConfirmOutcome::Applied => {}
        // Another change or a disable won the race: the current key is no longer current.
        ConfirmOutcome::NotApplied => return Err(ApiError::unknown_key()),
        ConfirmOutcome::KeyInUse | ConfirmOutcome::AddressTaken => {
            return Err(ApiError::new(
                ServerCode::KeyInUse,
                "another account already uses this key; choose another password",
            ))
        }
    }
    ctx.audit(
        AuditAction::ChangeSigned,
        AuditOutcome::Ok,
        Some(&account.address),
        Some(new_key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({
            "status": "active",
            "address": account.address,
            "key_id": new_key_id,
        }),
    ))
}

/// `DELETE /signature`: 200 `{"status":"disabled"}`.
pub async fn disable(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let audience = &ctx.config.public_uri;
    let auth = authenticate(ctx, &body.token, RegisteredKind::Disable, audience).await?;
    let account = &auth.account;
    ctx.about(&account.address);
    let mut first = vec![replay_statement(ctx, &auth.token)?];
    first.extend(guess_reset_statements(ctx, &account.address)?);
    let disabled = ctx
        .store
        .disable_account(first, account.id, &account.key_id, ctx.now)
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

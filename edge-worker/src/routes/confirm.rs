//! `POST /confirm {"token": <confirm JWS>}`: the emailed confirmation token, in the `confirmation`
//! claim of a token signed by the pending key (so the user has typed the password again). Single use:
//! of any number of concurrent confirms of one confirmation, exactly one succeeds.

use super::TokenBody;
use crate::auth::{consume_jti, stored_key};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::http::{json_response, read_json};
use crate::limits::{enforce_address, AddressAction};
use crate::store::ConfirmOutcome;
use crate::time::random_id;
use protocol::confirmation::ConfirmationToken;
use protocol::token::{Expectations, KeyRef, ParsedToken, TokenKind};
use protocol::{Error as ProtocolError, ErrorKind};
use worker::{Request, Response};

/// The handler.
pub async fn confirm(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let parsed = ParsedToken::parse(&body.token, TokenKind::Confirm)?;
    // The unverified subject only picks the rate-limit bucket and must match the pending row; nothing
    // is decided on it before the signature is verified.
    let address = parsed.unverified_claims().subject()?;
    let address = address.as_str();
    enforce_address(ctx, AddressAction::Confirm, address).await?;
    let KeyRef::Registered(key_id) = parsed.key_ref()? else {
        return Err(ProtocolError::new(
            ErrorKind::InvalidToken,
            "a confirm token names the pending key by kid",
        )
        .into());
    };
    let confirmation = ConfirmationToken::parse(
        parsed
            .unverified_claims()
            .confirmation
            .as_deref()
            .unwrap_or_default(),
    )?;
    let token_hash = confirmation.storage_hash();
    let pending = ctx
        .store
        .pending_confirmation(&token_hash, ctx.now)
        .await?
        .filter(|pending| pending.address == address && pending.key_id == key_id.as_str());
    let Some(pending) = pending else {
        ctx.audit(
            "confirm",
            "confirmation_invalid",
            Some(address),
            Some(key_id.as_str()),
        )
        .await;
        return Err(ApiError::confirmation_invalid());
    };
    let key = stored_key(&pending.public_key)?;
    let token = parsed.verify(
        &key,
        &Expectations {
            kind: TokenKind::Confirm,
            audience: &ctx.config.public_uri,
            now: ctx.now,
        },
    )?;
    consume_jti(ctx, &token).await?;
    let marker = random_id()?;
    let (action, outcome) = if pending.purpose == "change" {
        (
            "confirm_change",
            ctx.store
                .confirm_change(&token_hash, &marker, ctx.now)
                .await?,
        )
    } else {
        (
            "confirm_signup",
            ctx.store
                .confirm_signup(&token_hash, &marker, ctx.now)
                .await?,
        )
    };
    let (result, code) = match outcome {
        ConfirmOutcome::Applied => (Ok(()), "ok"),
        ConfirmOutcome::NotApplied => (
            Err(ApiError::confirmation_invalid()),
            "confirmation_invalid",
        ),
        ConfirmOutcome::KeyInUse => (
            Err(ApiError::new(
                409,
                "key_in_use",
                "another account already uses this key; choose another password",
            )),
            "key_in_use",
        ),
        ConfirmOutcome::AddressTaken => (
            Err(ApiError::new(
                409,
                "address_taken",
                "this address already has an active account",
            )),
            "address_taken",
        ),
    };
    ctx.audit(action, code, Some(address), Some(key_id.as_str()))
        .await;
    result?;
    Ok(json_response(
        200,
        &serde_json::json!({
            "status": "active",
            "address": address,
            "key_id": key_id.as_str(),
        }),
    ))
}

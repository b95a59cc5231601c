//! `POST /confirm {"token": <confirm JWS>}`: the emailed confirmation token, in the `confirmation`
//! claim of a token signed by the pending key (so the user has typed the password again). It goes
//! through the same authentication as every `kid` token, with the pending confirmation as the holder
//! of the key. Single use: of any number of concurrent confirms of one confirmation, exactly one
//! succeeds.

use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{authenticate, consume_jti, AuthError, Authenticated, KeySource};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::{json_response, read_json};
use crate::limits::{enforce_address, AddressAction};
use crate::rows::{ConfirmationPurpose, PendingConfirmation};
use crate::store::ConfirmOutcome;
use crate::time::random_id;
use protocol::confirmation::ConfirmationToken;
use protocol::keys::KeyId;
use protocol::token::{ParsedToken, RegisteredKind};
use worker::{Request, Response};

/// A pending confirmation and the storage hash it was found by.
struct Pending {
    row: PendingConfirmation,
    token_hash: String,
}

impl crate::auth::KeyHolder for Pending {
    fn address(&self) -> &str {
        &self.row.address
    }

    fn public_key(&self) -> &str {
        &self.row.public_key
    }
}

/// The unused, unexpired confirmation the token carries, bound to its (unverified) `sub` and to the
/// key its `kid` names.
struct PendingConfirmationOf;

impl KeySource for PendingConfirmationOf {
    type Holder = Pending;

    async fn find(
        &self,
        ctx: &RequestContext,
        token: &ParsedToken,
        key_id: &KeyId,
    ) -> Result<Pending, AuthError> {
        // The unverified subject only picks the rate-limit bucket and must match the pending row;
        // nothing is decided on it before the signature is verified.
        let claims = token.unverified_claims();
        let address = claims.subject()?;
        let address = address.as_str();
        enforce_address(ctx, AddressAction::Confirm, address).await?;
        let confirmation =
            ConfirmationToken::parse(claims.confirmation.as_deref().unwrap_or_default())?;
        let token_hash = confirmation.storage_hash();
        let row = ctx
            .store
            .pending_confirmation(&token_hash, ctx.now)
            .await?
            .filter(|row| row.address == address && row.key_id == key_id.as_str());
        match row {
            Some(row) => Ok(Pending { row, token_hash }),
            None => {
                let refused = ApiError::confirmation_invalid();
                ctx.audit(
                    AuditAction::Confirm,
                    refused.code,
                    Some(address),
                    Some(key_id.as_str()),
                )
                .await;
                Err(refused.into())
            }
        }
    }
}

/// The handler.
pub async fn confirm(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let audience = &ctx.config.public_uri;
    let Authenticated { holder, token } = authenticate(
        ctx,
        &body.token,
        RegisteredKind::Confirm,
        audience,
        &PendingConfirmationOf,
    )
    .await?;
    consume_jti(ctx, &token).await?;
    let marker = random_id()?;
    let Pending { row, token_hash } = holder;
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

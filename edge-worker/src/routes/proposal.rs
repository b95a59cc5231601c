//! What `POST /signup` and a recovery (`PATCH /signature` without `Authorization`) share: both take a
//! token signed by the key they propose (embedded in its header), store that key as pending with a
//! fresh confirmation, email it, and answer 202 `{"status":"confirmation_sent"}`.
//!
//! The work is the same whatever the address's state, so neither the answer nor its timing says
//! which addresses have accounts: one D1 batch (the token's `jti`, the email budgets, the confirmation,
//! the audit row) and one queue send. What differs is decided later by the queue consumer
//! (`delivery`): a signup of an active address becomes an `already_registered` notice, a recovery of
//! an address without an account stored nothing and sends nothing.

use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{replay_statement, verify_proposal};
use crate::context::RequestContext;
use crate::delivery::{enqueue, Message};
use crate::error::{ApiError, ApiResult};
use crate::http::Request;
use crate::http::{json_response, read_json};
use crate::limits::email_hour;
use crate::rows::ConfirmationPurpose;
use crate::store::{EmailBudget, NewConfirmation, Proposal};
use crate::time::{random_bytes, random_id};
use protocol::confirmation::ConfirmationToken;
use protocol::token::{ProposalKind, VerifiedToken};
use worker::{D1PreparedStatement, Response};

/// The answer to every accepted proposal.
pub fn confirmation_sent() -> Response {
    json_response(202, &serde_json::json!({ "status": "confirmation_sent" }))
}

/// Reads and verifies the proposing token; returns it and the proposed key as D1 stores it.
pub async fn read_proposal(
    req: &mut Request,
    ctx: &RequestContext,
    kind: ProposalKind,
) -> ApiResult<(VerifiedToken, String)> {
    let body: TokenBody = read_json(req).await?;
    let (token, key) = verify_proposal(ctx, &body.token, kind)?;
    ctx.about(token.subject.as_str());
    Ok((token, protocol::b64::encode(key.to_bytes())))
}

/// Stores the proposal's confirmation within the email budgets of its address and client group and
/// queues the email; 429 `rate_limited` when over a budget. `also` joins the transaction that records
/// the token's `jti` (a version-1 account's move adds its request token's `jti` and the reset of its
/// guess budget).
pub async fn propose(
    ctx: &RequestContext,
    token: &VerifiedToken,
    public_key: &str,
    purpose: ConfirmationPurpose,
    action: AuditAction,
    also: Vec<D1PreparedStatement>,
) -> ApiResult<Response> {
    let confirmation = ConfirmationToken::from_random(&random_bytes::<32>()?);
    let expires_at = ctx.now + ctx.config.confirmation_ttl;
    let address = token.subject.as_str();
    let address_hash = ctx.address_hash(address);
    let marker = random_id()?;
    let (hour, next_hour) = email_hour(ctx.now);
    let token_hash = confirmation.storage_hash();
    let proposal = Proposal {
        confirmation: NewConfirmation {
            token_hash: &token_hash,
            address,
            purpose,
            key_id: token.key_id.as_str(),
            public_key,
            created_at: ctx.now,
            expires_at,
        },
        budget: email_budget(ctx, &address_hash, hour, &marker),
    };
    let audit = ctx.audit_entry(
        action,
        AuditOutcome::ConfirmationSent,
        Some(address),
        Some(token.key_id.as_str()),
    );
    let mut first = also;
    first.push(replay_statement(ctx, token)?);
    let within = ctx
        .store
        .store_proposal(first, &proposal, &audit, ctx.now)
        .await?;
    ctx.mark_audited();
    if !within {
        return Err(too_many_emails(next_hour));
    }
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
    .await?;
    Ok(confirmation_sent())
}

/// The email budgets of `address_hash` and this request's client group in `hour`.
pub fn email_budget<'a>(
    ctx: &'a RequestContext,
    address_hash: &'a str,
    hour: i64,
    marker: &'a str,
) -> EmailBudget<'a> {
    EmailBudget {
        address_hash,
        client_hash: &ctx.client_hash,
        hour,
        per_client: ctx.config.max_emails_per_address_per_client_per_hour,
        per_address: ctx.config.max_emails_per_address_per_hour,
        marker,
    }
}

/// 429 when an email budget is spent until the next hour.
pub fn too_many_emails(next_hour: u64) -> ApiError {
    ApiError::rate_limited(
        "too many emails for this address; try again later",
        next_hour,
    )
}

//! `/salt`, the first step of every derivation:
//! - `POST /salt {"address", "blinded", "ticket"?}`: the address's salt, the key-derivation
//!   parameters, and the evaluation of the client's blinded OPRF element under the address's OPRF
//!   key. Each evaluation is one online password guess, so it is spent from the address's guess
//!   budget ([`crate::guess_budget`]) and the client group's `SALT_EVALUATIONS`; past the budget a
//!   salt ticket from the owner's inbox lets a few more through.
//! - `POST /salt/ticket {"address"}`: emails such a ticket to the address if it has an active account
//!   ([`crate::ticket`]); 202 `{"status":"ticket_sent"}` in every case.
//!
//! `POST /salt` never reads the account: the budget is counted for every address alike. `POST
//! /salt/ticket` stores the ticket with a statement that looks the active account up in the same
//! batch (the same statements run either way, and nothing is stored for an address without one). Both
//! answer the same (bytes, status, headers) whether or not the address has an account.

use super::proposal::{email_budget, too_many_emails};
use crate::audit::{AuditAction, AuditOutcome};
use crate::context::RequestContext;
use crate::delivery::{enqueue, Message};
use crate::error::{ApiError, ApiResult};
use crate::guess_budget::Limits;
use crate::http::Request;
use crate::http::{json_response, read_json};
use crate::limits::{admit_evaluation, email_hour};
use crate::store::{Guess, NewTicket, Spent};
use crate::ticket::{SaltTicket, TICKET_BYTES, TICKET_TTL_SECS, TICKET_USES};
use crate::time::{random_bytes, random_id};
use protocol::address::Address;
use protocol::oprf::BlindedElement;
use protocol::salt::SaltAnswer;
use worker::Response;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SaltBody {
    address: String,
    /// Required; read as optional so that a missing element (a version-1 client) is refused with
    /// `invalid_blinded_element`, which names what is missing, rather than `invalid_request`.
    blinded: Option<String>,
    ticket: Option<String>,
}

/// `POST /salt`.
pub async fn salt(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: SaltBody = read_json(req).await?;
    let address = Address::parse(&body.address)?;
    let blinded = BlindedElement::from_base64url(body.blinded.as_deref().unwrap_or_default())?;
    admit_evaluation(ctx).await?;
    let address_hash = ctx.address_hash(address.as_str());
    // A ticket that is not even well formed cannot be a stored one: it is treated as any unusable
    // ticket (ignored while the budget has room, the over-budget answer otherwise).
    let ticket_hash = body
        .ticket
        .as_deref()
        .and_then(SaltTicket::from_text)
        .map(|ticket| ticket.storage_hash());
    let marker = random_id()?;
    let spent = ctx
        .store
        .spend_guess(&Guess {
            address_hash: &address_hash,
            client_hash: &ctx.client_hash,
            limits: Limits {
                per_hour: ctx.config.guesses_per_address_per_hour,
                per_day: ctx.config.guesses_per_address_per_day,
            },
            ticket_hash: ticket_hash.as_deref(),
            marker: &marker,
            now: ctx.now,
        })
        .await?;
    if let Spent::Exhausted { retry_after } = spent {
        return Err(ApiError::guess_budget_exhausted(retry_after));
    }
    let answer = SaltAnswer::new(
        ctx.config.salt_secret.as_bytes(),
        ctx.config.oprf_seed.as_bytes(),
        &address,
        &blinded,
        ctx.config.legacy_sign_in.accepts_legacy_keys(),
    )
    .map_err(|error| {
        // DeriveKeyPair fails with probability 2^-2000: not the client's doing.
        worker::console_error!("OPRF evaluation failed: {}", error.kind().code());
        ApiError::internal()
    })?;
    Ok(json_response(200, &serde_json::json!(answer)))
}

/// The key ticket emails are counted under in `email_counts`: the address's keyed hash with a prefix
/// that no keyed hash has (they are base64url), so the count is apart from the address's
/// confirmation emails.
fn ticket_bucket(address_hash: &str) -> String {
    format!("ticket:{address_hash}")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketBody {
    address: String,
}

/// `POST /salt/ticket`: 202 `{"status":"ticket_sent"}`, or 429 `rate_limited` over the address's or the
/// client group's ticket emails. Tickets have email budgets of their own, the same sizes as those of
/// signup and recovery emails but counted apart ([`ticket_bucket`]): someone who spends an address's
/// confirmation emails must not also keep its owner from getting a ticket, and spending the ticket
/// budget only mails tickets to the owner, each of which lets the owner through.
pub async fn ticket(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TicketBody = read_json(req).await?;
    let address = Address::parse(&body.address)?;
    let address = address.as_str();
    ctx.about(address);
    let ticket = SaltTicket::from_random(&random_bytes::<TICKET_BYTES>()?);
    let ticket_hash = ticket.storage_hash();
    let expires_at = ctx.now + TICKET_TTL_SECS;
    let address_hash = ctx.address_hash(address);
    let marker = random_id()?;
    let (hour, next_hour) = email_hour(ctx.now);
    let audit = ctx.audit_entry(
        AuditAction::SaltTicket,
        AuditOutcome::TicketSent,
        Some(address),
        None,
    );
    let new = NewTicket {
        ticket_hash: &ticket_hash,
        address,
        address_hash: &address_hash,
        uses: TICKET_USES,
        expires_at,
    };
    let bucket = ticket_bucket(&address_hash);
    let budget = email_budget(ctx, &bucket, hour, &marker);
    let within = ctx
        .store
        .store_ticket(&new, &budget, &audit, ctx.now)
        .await?;
    ctx.mark_audited();
    if !within {
        return Err(too_many_emails(next_hour));
    }
    let message = Message::ticket(&ctx.config.public_uri, address, &ticket, expires_at);
    enqueue(&ctx.env, message).await?;
    Ok(json_response(
        202,
        &serde_json::json!({ "status": "ticket_sent" }),
    ))
}

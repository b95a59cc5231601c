//! The admin endpoints, for the operator's own services: `Authorization: Bearer <ADMIN_SECRET>`,
//! compared in constant time. Every call is written to the audit log (a refused one by the router).
//! Calls with the right secret are not counted against their network's limits (the operator's
//! services may call many times a minute from one address); a wrong secret counts as a refused
//! attempt.
//!
//! - `POST /admin/verify {"token", "audience"}`: checks a token a user signed for a third party. A
//!   valid one costs two storage round trips: the account, then its `jti` and audit row in one batch.
//! - `POST /admin/disable {"address"}`: disables an account.
//! - `POST /admin/audit {"address"?, "ip"?, "since"?, "limit"?}`: reads the audit log.

use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{authenticate, record_use, AuthError, GuessBudget};
use crate::client_ip::client_group;
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::secret_matches;
use crate::http::Request;
use crate::http::{authorization_token, header, json_response, read_json};
use protocol::address::Address;
use protocol::token::RegisteredKind;
use worker::Response;

/// Most rows one `POST /admin/audit` answers.
pub const MAX_AUDIT_ROWS: u32 = 1000;

/// Whether `req` carries `Authorization: Bearer <ADMIN_SECRET>` (compared in constant time). Decided
/// once per request, before the limits ([`RequestContext::operator`]).
pub fn carries_admin_secret(req: &Request, admin_secret: &[u8]) -> bool {
    let authorization = header(req, "authorization");
    let given = authorization_token(authorization.as_deref(), "Bearer").unwrap_or_default();
    secret_matches(given.as_bytes(), admin_secret)
}

fn authorize(ctx: &RequestContext) -> ApiResult<()> {
    if ctx.operator {
        return Ok(());
    }
    Err(ApiError::new(
        ServerCode::Unauthorized,
        "send Authorization: Bearer <ADMIN_SECRET>",
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    token: String,
    audience: String,
}

/// `POST /admin/verify`: 200 with the claims and the account, 422 for an invalid token, 404 when no
/// active account has its key (the token is the subject of the request, not its credential).
pub async fn verify(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    authorize(ctx)?;
    let body: VerifyBody = read_json(req).await?;
    let kind = RegisteredKind::Assertion;
    let auth = match authenticate(ctx, &body.token, kind, &body.audience).await {
        Ok(auth) => auth,
        // A failure inside is not a verdict on the token.
        Err(AuthError::Refused(error)) => return Err(error),
        Err(verdict) => return Err(ApiError::from(verdict).about_subject()),
    };
    let account = &auth.account;
    ctx.about(&account.address);
    record_use(
        ctx,
        &auth,
        AuditAction::AdminVerify,
        AuditOutcome::Valid,
        GuessBudget::Keep,
    )
    .await
    .map_err(ApiError::about_subject)?;
    Ok(json_response(
        200,
        &serde_json::json!({
            "valid": true,
            "claims": auth.token.claims,
            "account": {
                "address": account.address,
                "status": account.status,
                "key_id": account.key_id,
            },
        }),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DisableBody {
    address: String,
}

/// `POST /admin/disable`: 200 `{"status":"disabled"}`, 404 when the address has no active account.
pub async fn disable(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    authorize(ctx)?;
    let body: DisableBody = read_json(req).await?;
    let address = Address::parse(&body.address)?;
    let address = address.as_str();
    ctx.about(address);
    let disabled = match ctx.store.active_account_by_address(address).await? {
        Some(account) => ctx
            .store
            .disable_account(Vec::new(), account.id, &account.key_id, ctx.now)
            .await?
            .then_some(account),
        None => None,
    };
    let Some(account) = disabled else {
        return Err(ApiError::new(
            ServerCode::UnknownAccount,
            "this address has no active account",
        ));
    };
    ctx.audit(
        AuditAction::AdminDisable,
        AuditOutcome::Ok,
        Some(address),
        Some(&account.key_id),
    )
    .await;
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "disabled" }),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    /// Only the rows about this address (hashed as the log keeps it).
    address: Option<String>,
    /// Only the rows of this client IP's group (hashed as the log keeps it).
    ip: Option<String>,
    /// Only rows at or after this time, Unix seconds.
    since: Option<i64>,
    /// At most this many rows (default 100, at most [`MAX_AUDIT_ROWS`]).
    limit: Option<u32>,
}

/// `POST /admin/audit`: 200 `{"rows": [...]}`, newest first. Addresses and IPs are matched through
/// their keyed hashes, so an operator can follow one person or one network without the log holding
/// either in clear.
pub async fn audit(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    authorize(ctx)?;
    let query: AuditQuery = read_json(req).await?;
    let address = query.address.as_deref().map(Address::parse).transpose()?;
    let address_hash = address.as_ref().map(|a| ctx.address_hash(a.as_str()));
    let ip_hash = query
        .ip
        .as_deref()
        .map(|ip| ctx.hasher.client(&client_group(Some(ip))));
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_AUDIT_ROWS);
    let rows = ctx
        .store
        .audit_rows(
            address_hash.as_deref(),
            ip_hash.as_deref(),
            query.since.unwrap_or(0),
            limit,
        )
        .await?;
    ctx.audit(
        AuditAction::AdminAudit,
        AuditOutcome::Ok,
        address.as_ref().map(Address::as_str),
        None,
    )
    .await;
    Ok(json_response(200, &serde_json::json!({ "rows": rows })))
}

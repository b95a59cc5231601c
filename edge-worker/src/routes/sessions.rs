//! `/sessions`: a device's own key, certified once by the account key, keeps that device signed in
//! without deriving the account key again (docs/protocol.md §9.14).
//! - `POST /sessions {"token": <session JWS of the account key, cnf = the session key>}` creates one:
//!   201 with the session. It is a sign-in: the guess budget is reset.
//! - `GET /sessions`, `DELETE /sessions[?except=current]`, `DELETE /sessions/{id}`, signed
//!   (`Authorization: Notary`) by the account key or by a session key: list and end them.
//!
//! A session key signs nothing else: every other endpoint takes another `typ`.

use super::account::notary_authorization;
use super::TokenBody;
use crate::audit::{AuditAction, AuditOutcome};
use crate::auth::{
    authenticate, authenticate_request, check_bound_request, replay_statement, use_statements,
    Authenticated, GuessBudget,
};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::{json_response, read_body, read_json, Request};
use crate::rows::SessionInfo;
use crate::store::{Ending, NewSession, SessionCreated, Store};
use crate::time::random_id;
use protocol::token::RegisteredKind;
use protocol::{Error as ProtocolError, ErrorKind};
use worker::Response;

/// A session as its owner sees it: the row, and whether it is the one that signed the request.
fn shown(mut info: SessionInfo, current: Option<&str>) -> SessionInfo {
    info.current = current == Some(info.id.as_str());
    info
}

/// `POST /sessions`: 201 `{"session": ...}`.
pub async fn create(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let body: TokenBody = read_json(req).await?;
    let audience = &ctx.config.public_uri;
    let auth = authenticate(ctx, &body.token, RegisteredKind::Session, audience).await?;
    let account = &auth.account;
    ctx.about(&account.address);
    // Validated once, when the token was verified (a session token always certifies a key).
    let session_key = match &auth.token.session_key {
        Some(key) => key,
        None => return Err(ApiError::internal()),
    };
    let key_id = session_key.key_id();
    if key_id.as_str() == account.key_id {
        return Err(ProtocolError::new(
            ErrorKind::InvalidToken,
            "a session key must be a key of its own, not the account key",
        )
        .into());
    }
    let id = random_id()?;
    let label = auth.token.claims.label.clone().unwrap_or_default();
    let (idle_expires_at, expires_at) = ctx.config.session_lifetime.expiries_from(ctx.now);
    let public_key = protocol::b64::encode(session_key.to_bytes());
    let audit = ctx.audit_entry(
        AuditAction::SessionCreate,
        AuditOutcome::Ok,
        Some(&account.address),
        Some(key_id.as_str()),
    );
    let created = ctx
        .store
        .create_session(
            replay_statement(ctx, &auth.token)?,
            &NewSession {
                id: &id,
                account_id: account.id,
                account_key_id: &account.key_id,
                key_id: key_id.as_str(),
                public_key: &public_key,
                label: &label,
                created_at: ctx.now,
                idle_expires_at,
                expires_at,
            },
            &audit,
            &ctx.address_hash(&account.address),
        )
        .await?;
    match created {
        SessionCreated::Applied { evicted } => {
            ctx.mark_audited();
            if evicted > 0 {
                ctx.audit(
                    AuditAction::SessionEnd,
                    AuditOutcome::Evicted,
                    Some(&account.address),
                    None,
                )
                .await;
            }
        }
        // A change or a disable committed between the read and this batch; the batch's audit row
        // says `unknown_key`.
        SessionCreated::AccountMovedOn => {
            ctx.mark_audited();
            return Err(ApiError::unknown_key());
        }
        SessionCreated::KeyInUse => {
            return Err(ApiError::new(
                ServerCode::KeyInUse,
                "another session already has this key; make a new one",
            ))
        }
    }
    let info = SessionInfo {
        id,
        label,
        created_at: ctx.now,
        last_used_at: ctx.now,
        idle_expires_at,
        expires_at,
        current: true,
    };
    let current = Some(info.id.clone());
    Ok(json_response(
        201,
        &serde_json::json!({ "session": shown(info, current.as_deref()) }),
    ))
}

/// The signed request of a `/sessions` endpoint, authenticated and bound to this request.
async fn signed(
    req: &mut Request,
    ctx: &RequestContext,
    action: AuditAction,
) -> ApiResult<Authenticated> {
    let text = notary_authorization(req)?;
    let auth = authenticate_request(ctx, &text, action).await?;
    ctx.about(&auth.account.address);
    let body = read_body(req).await?;
    check_bound_request(ctx, req, &auth.token, &body)?;
    Ok(auth)
}

/// `GET /sessions`: 200 `{"sessions": [...]}`, most recently used first, read in the same
/// transaction as the token's `jti` and the audit row (two round trips in all: the key, then this).
pub async fn list(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let action = AuditAction::SessionList;
    let auth = signed(req, ctx, action).await?;
    let mut statements = use_statements(ctx, &auth, GuessBudget::Keep)?;
    statements.push(ctx.audit_statement(
        action,
        AuditOutcome::Ok,
        Some(&auth.account.address),
        Some(auth.signing_key_id()),
    )?);
    let listing = statements.len();
    statements.push(ctx.store.list_sessions(auth.account.id, ctx.now)?);
    let results = ctx.commit_audited(statements, action.as_str()).await?;
    let rows = results
        .get(listing)
        .map(Store::listed_sessions)
        .transpose()?
        .unwrap_or_default();
    let current = auth.session.as_deref();
    let sessions: Vec<_> = rows.into_iter().map(|info| shown(info, current)).collect();
    Ok(json_response(
        200,
        &serde_json::json!({ "sessions": sessions }),
    ))
}

/// What `?except=` may say.
const EXCEPT_CURRENT: &str = "except=current";

/// `DELETE /sessions` (every session of the account) or `DELETE /sessions?except=current` (every
/// other one; only a session can be current): 200 `{"status": "ended", "ended": n}`.
pub async fn end_all(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let query = req.query().map(str::to_owned);
    let auth = signed(req, ctx, AuditAction::SessionEnd).await?;
    let ending = match (query.as_deref(), auth.session.as_deref()) {
        (None, _) => Ending::All,
        (Some(EXCEPT_CURRENT), Some(current)) => Ending::AllBut(current),
        (Some(EXCEPT_CURRENT), None) => {
            return Err(ApiError::new(
                ServerCode::InvalidRequest,
                "except=current needs a request signed by a session key",
            ))
        }
        (Some(_), _) => {
            return Err(ApiError::new(
                ServerCode::InvalidRequest,
                "the only query DELETE /sessions takes is except=current",
            ))
        }
    };
    end(ctx, &auth, ending).await
}

/// `DELETE /sessions/{id}`: 200 `{"status": "ended", "ended": 1}`; 404 `unknown_session` when the
/// account has no live session with this id (then nothing but the token's `jti` and the audit row is
/// written).
pub async fn end_one(req: &mut Request, ctx: &RequestContext, id: &str) -> ApiResult<Response> {
    let auth = signed(req, ctx, AuditAction::SessionEnd).await?;
    end(ctx, &auth, Ending::One(id)).await
}

/// Ends the sessions `ending` names in one transaction with the audit row, the token's `jti` and
/// (when the signing session survives) its renewal.
async fn end(
    ctx: &RequestContext,
    auth: &Authenticated,
    ending: Ending<'_>,
) -> ApiResult<Response> {
    let audit = ctx.audit_entry(
        AuditAction::SessionEnd,
        AuditOutcome::Ok,
        Some(&auth.account.address),
        Some(auth.signing_key_id()),
    );
    let mut statements = ctx
        .store
        .end_sessions(auth.account.id, ending, &audit, ctx.now)?;
    let deleting = statements.len() - 1;
    // After the ending: renewing the signing session, if it was just ended, changes nothing.
    statements.extend(use_statements(ctx, auth, GuessBudget::Keep)?);
    let results = ctx
        .commit_audited(statements, AuditAction::SessionEnd.as_str())
        .await?;
    let ended = results
        .get(deleting)
        .map(crate::store::changes)
        .unwrap_or(0);
    if matches!(ending, Ending::One(_)) && ended == 0 {
        return Err(ApiError::new(
            ServerCode::UnknownSession,
            "this account has no live session with this id",
        ));
    }
    Ok(json_response(
        200,
        &serde_json::json!({ "status": "ended", "ended": ended }),
    ))
}

//! The endpoints. [`route`] maps method and path to a handler; each path's handlers live in the module
//! named after it (`/signature` in `signature`, `/admin/*` in `admin`, `/.well-known/notary` in
//! `well_known`). `proposal` holds what `/signup` and `PATCH /signature` share.

mod account;
mod admin;
mod confirm;
mod health;
mod proposal;
mod salt;
mod sessions;
mod signature;
mod signup;
mod well_known;

use crate::audit::AuditAction;
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::http::Request;
use worker::{Method, Response};

/// Which endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /health`.
    Health,
    /// `GET /.well-known/notary`.
    WellKnown,
    /// `POST /salt`.
    Salt,
    /// `POST /salt/ticket`.
    SaltTicket,
    /// `POST /signup`.
    Signup,
    /// `POST /confirm`.
    Confirm,
    /// `PATCH /signature`.
    ChangeKey,
    /// `DELETE /signature`.
    Disable,
    /// `GET /account`.
    Account,
    /// `POST /sessions`.
    CreateSession,
    /// `GET /sessions`.
    ListSessions,
    /// `DELETE /sessions`.
    EndSessions,
    /// `DELETE /sessions/{id}`.
    EndSession,
    /// `POST /admin/verify`.
    AdminVerify,
    /// `POST /admin/disable`.
    AdminDisable,
    /// `POST /admin/audit`.
    AdminAudit,
}

impl Endpoint {
    /// The audit action of the endpoint's requests, for those whose refusals are audited.
    pub const fn audit_action(self) -> Option<AuditAction> {
        match self {
            Self::Health | Self::WellKnown | Self::Salt => None,
            Self::SaltTicket => Some(AuditAction::SaltTicket),
            Self::Signup => Some(AuditAction::Signup),
            Self::Confirm => Some(AuditAction::Confirm),
            Self::ChangeKey => Some(AuditAction::Change),
            Self::Disable => Some(AuditAction::Disable),
            Self::Account => Some(AuditAction::SignIn),
            Self::CreateSession => Some(AuditAction::SessionCreate),
            Self::ListSessions => Some(AuditAction::SessionList),
            Self::EndSessions | Self::EndSession => Some(AuditAction::SessionEnd),
            Self::AdminVerify => Some(AuditAction::AdminVerify),
            Self::AdminDisable => Some(AuditAction::AdminDisable),
            Self::AdminAudit => Some(AuditAction::AdminAudit),
        }
    }
}

/// Finds the endpoint for `method` and `path`: 404 for unknown paths, 405 for known paths with another
/// method.
pub fn route(method: &Method, path: &str) -> ApiResult<Endpoint> {
    use Endpoint::*;
    let candidates: &[(Method, Endpoint)] = match path {
        "/health" => &[(Method::Get, Health)],
        "/.well-known/notary" => &[(Method::Get, WellKnown)],
        "/salt" => &[(Method::Post, Salt)],
        "/salt/ticket" => &[(Method::Post, SaltTicket)],
        "/signup" => &[(Method::Post, Signup)],
        "/confirm" => &[(Method::Post, Confirm)],
        "/signature" => &[(Method::Patch, ChangeKey), (Method::Delete, Disable)],
        "/account" => &[(Method::Get, Account)],
        "/sessions" => &[
            (Method::Post, CreateSession),
            (Method::Get, ListSessions),
            (Method::Delete, EndSessions),
        ],
        _ if session_id(path).is_some() => &[(Method::Delete, EndSession)],
        "/admin/verify" => &[(Method::Post, AdminVerify)],
        "/admin/disable" => &[(Method::Post, AdminDisable)],
        "/admin/audit" => &[(Method::Post, AdminAudit)],
        _ => return Err(ApiError::new(ServerCode::NotFound, "no such endpoint")),
    };
    candidates
        .iter()
        .find(|(allowed, _)| allowed == method)
        .map(|(_, endpoint)| *endpoint)
        .ok_or(ApiError::new(
            ServerCode::MethodNotAllowed,
            "this endpoint does not take this method",
        ))
}

/// The `{id}` of `/sessions/{id}`: one path segment, whatever it holds (an id no session has is
/// `unknown_session`).
fn session_id(path: &str) -> Option<&str> {
    path.strip_prefix("/sessions/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// Whether the request is for an admin endpoint with the right `Authorization: Bearer <ADMIN_SECRET>`.
pub fn is_operator(req: &Request, admin_secret: &[u8]) -> bool {
    req.path().starts_with("/admin/") && admin::carries_admin_secret(req, admin_secret)
}

/// Runs the endpoint's handler.
pub async fn handle(
    endpoint: Endpoint,
    req: &mut Request,
    ctx: &RequestContext,
) -> ApiResult<Response> {
    match endpoint {
        Endpoint::Health => health::health(ctx).await,
        Endpoint::WellKnown => Ok(well_known::discovery(ctx)),
        Endpoint::Salt => salt::salt(req, ctx).await,
        Endpoint::SaltTicket => salt::ticket(req, ctx).await,
        Endpoint::Signup => signup::signup(req, ctx).await,
        Endpoint::ChangeKey => signature::change(req, ctx).await,
        Endpoint::Confirm => confirm::confirm(req, ctx).await,
        Endpoint::Disable => signature::disable(req, ctx).await,
        Endpoint::Account => account::account(req, ctx).await,
        Endpoint::CreateSession => sessions::create(req, ctx).await,
        Endpoint::ListSessions => sessions::list(req, ctx).await,
        Endpoint::EndSessions => sessions::end_all(req, ctx).await,
        Endpoint::EndSession => {
            let id = session_id(req.path()).unwrap_or_default().to_owned();
            sessions::end_one(req, ctx, &id).await
        }
        Endpoint::AdminVerify => admin::verify(req, ctx).await,
        Endpoint::AdminDisable => admin::disable(req, ctx).await,
        Endpoint::AdminAudit => admin::audit(req, ctx).await,
    }
}

/// The body of signup, confirm, change and disable: one token.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

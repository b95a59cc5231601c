//! `POST /signup {"token": <signup JWS>}`: proposes the key in the token's header for a new account.
//! Each signup stores its own pending key and emails its own confirmation (an earlier one stays valid
//! until it expires or one of them is confirmed); for an address that already has an active account
//! the queue consumer sends its owner an `already_registered` notice instead, at most one a day.

use super::proposal::{propose, read_proposal};
use crate::audit::AuditAction;
use crate::context::RequestContext;
use crate::error::ApiResult;
use crate::http::Request;
use crate::rows::ConfirmationPurpose;
use protocol::token::ProposalKind;
use worker::Response;

/// The handler.
pub async fn signup(req: &mut Request, ctx: &RequestContext) -> ApiResult<Response> {
    let (token, public_key) = read_proposal(req, ctx, ProposalKind::Signup).await?;
    propose(
        ctx,
        &token,
        &public_key,
        ConfirmationPurpose::Signup,
        AuditAction::Signup,
        Vec::new(),
    )
    .await
}

//! Token checks shared by the endpoints. Every rule about tokens (structure, `alg`, `typ`, key,
//! signature, `aud`, `iat`/`exp`, claim shape) is `protocol`'s; this module only finds the key to
//! verify with and records each `jti` so that a token is accepted once.
//!
//! A token that names its key by `kid` goes through [`verify_held`], whatever row holds that key: an
//! active account ([`authenticate`]) or a pending confirmation (`routes::confirm`). A token that
//! embeds the key it proposes (signup, change) goes through [`verify_proposal`].

use crate::audit::{AuditAction, AuditOutcome};
use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::http::Request;
use crate::rows::{Account, KdfVersion};
use protocol::keys::{KeyId, PublicKey};
use protocol::token::{
    Expectations, HttpRequest, ParsedToken, ProposalKind, RegisteredKind, RequestSigner,
    VerifiedToken,
};
use protocol::{Error as ProtocolError, ErrorKind};
use worker::D1PreparedStatement;

/// Why a token that names a registered key was refused.
pub enum AuthError {
    /// The token is malformed or does not verify.
    Token(ProtocolError),
    /// No active account has the key it names.
    UnknownKey,
    /// The token verifies, but under a version-1 key while `LEGACY_SIGN_IN` is off.
    LegacyKeyRetired,
    /// Refused for another reason (a rate limit, a confirmation that does not match), or something
    /// failed inside.
    Refused(ApiError),
}

impl From<ProtocolError> for AuthError {
    fn from(error: ProtocolError) -> Self {
        Self::Token(error)
    }
}

impl From<ApiError> for AuthError {
    fn from(error: ApiError) -> Self {
        Self::Refused(error)
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Token(error) => ApiError::from_protocol(error),
            AuthError::UnknownKey => ApiError::unknown_key(),
            AuthError::LegacyKeyRetired => ApiError::legacy_key_retired(),
            AuthError::Refused(error) => error,
        }
    }
}

/// A token whose signature and claims hold, signed by an active account's current key, or (for a
/// session request) by a live session key that key certified.
pub struct Authenticated {
    /// The account.
    pub account: Account,
    /// The token.
    pub token: VerifiedToken,
    /// The session whose key signed it, for a session request.
    pub session: Option<String>,
}

impl Authenticated {
    /// The id of the key that signed: the account's, or the session's.
    pub fn signing_key_id(&self) -> &str {
        self.token.key_id.as_str()
    }
}

/// Parses `text` as a token of `kind`, finds the active account with the key its `kid` names, and
/// verifies the token under that key for `audience` ([`verify_held`]). A version-1 key is refused
/// after its token verifies when `LEGACY_SIGN_IN` is off (so a forged token still reads as one).
/// The caller consumes the `jti` ([`consume_jti`]) once everything else it checks has passed.
pub async fn authenticate(
    ctx: &RequestContext,
    text: &str,
    kind: RegisteredKind,
    audience: &str,
) -> Result<Authenticated, AuthError> {
    let (parsed, key_id) = ParsedToken::parse_registered(text, kind)?;
    authenticate_account_key(ctx, &parsed, &key_id, audience).await
}

/// [`authenticate`] for a token already parsed, naming `key_id`.
async fn authenticate_account_key(
    ctx: &RequestContext,
    parsed: &ParsedToken,
    key_id: &KeyId,
    audience: &str,
) -> Result<Authenticated, AuthError> {
    let account = ctx
        .store
        .active_account_by_key(key_id.as_str())
        .await?
        .ok_or(AuthError::UnknownKey)?;
    let token = verify_held(ctx, parsed, &account.address, &account.public_key, audience)?;
    check_legacy(ctx, &account)?;
    Ok(Authenticated {
        account,
        token,
        session: None,
    })
}

/// A version-1 account key, and every session it certified, is refused once `LEGACY_SIGN_IN` is off.
fn check_legacy(ctx: &RequestContext, account: &Account) -> Result<(), AuthError> {
    if account.kdf_version == KdfVersion::Legacy && !ctx.config.legacy_sign_in.accepts_legacy_keys()
    {
        return Err(AuthError::LegacyKeyRetired);
    }
    Ok(())
}

/// Authenticates a signed HTTP request (`Authorization: Notary <token>`): a request token of the
/// account key ([`authenticate`]), or a session request, whose key is looked up among the live
/// sessions of active accounts in one read (the session and its account together); a refused
/// session request is audited under `session_action`. The caller
/// checks the binding ([`check_bound_request`]) and records the use ([`record_use`]).
pub async fn authenticate_request(
    ctx: &RequestContext,
    text: &str,
    session_action: AuditAction,
) -> Result<Authenticated, AuthError> {
    let (parsed, key_id, signer) = ParsedToken::parse_request(text)?;
    let audience = &ctx.config.public_uri;
    if signer == RequestSigner::Account {
        return authenticate_account_key(ctx, &parsed, &key_id, audience).await;
    }
    // From here a refusal is the session's: audited under the action of a session's request.
    ctx.act_as(session_action);
    let holder = ctx
        .store
        .session_holder(key_id.as_str(), ctx.now)
        .await?
        .ok_or(AuthError::UnknownKey)?;
    let token = verify_held(
        ctx,
        &parsed,
        &holder.address,
        &holder.session_public_key,
        audience,
    )?;
    let (session_id, account) = holder.into_parts();
    check_legacy(ctx, &account)?;
    Ok(Authenticated {
        account,
        token,
        session: Some(session_id),
    })
}

/// Verifies `parsed`, a token that names its key by `kid`, under the key a stored row holds
/// (`public_key`, base64url as D1 stores it) for `audience`; its subject must be the row's
/// `address`. Every `kid` token goes through here, whatever row holds the key: an active account
/// ([`authenticate`]) or a pending confirmation (`routes::confirm`).
pub fn verify_held(
    ctx: &RequestContext,
    parsed: &ParsedToken,
    address: &str,
    public_key: &str,
    audience: &str,
) -> Result<VerifiedToken, AuthError> {
    let key = stored_key(public_key)?;
    let token = parsed.verify(
        &key,
        &Expectations {
            audience,
            now: ctx.now,
        },
    )?;
    if token.subject.as_str() != address {
        return Err(AuthError::Token(ProtocolError::new(
            ErrorKind::WrongSubject,
            "sub is not the account this key belongs to",
        )));
    }
    Ok(token)
}

/// Parses and verifies a token that embeds the key it proposes (signup, change) for this service;
/// returns the token and the key.
pub fn verify_proposal(
    ctx: &RequestContext,
    text: &str,
    kind: ProposalKind,
) -> ApiResult<(VerifiedToken, PublicKey)> {
    let (parsed, key) = ParsedToken::parse_proposal(text, kind)?;
    let expect = Expectations {
        audience: &ctx.config.public_uri,
        now: ctx.now,
    };
    Ok((parsed.verify(&key, &expect)?, key))
}

/// A key read back from D1, validated when it was stored (signup, change), so not validated again:
/// the validation's torsion check costs about as much as the verification itself.
fn stored_key(public_key: &str) -> ApiResult<PublicKey> {
    protocol::b64::decode_array::<32>(public_key)
        .and_then(|bytes| PublicKey::from_stored_bytes(&bytes).ok())
        .ok_or_else(|| {
            worker::console_error!("a stored public key does not decode");
            ApiError::internal()
        })
}

/// The statement that records the token's `jti` for its key until its replay horizon, for a batch
/// with the state change or audit row of the request: the batch fails with `replayed`, changing
/// nothing, on a second use.
pub fn replay_statement(
    ctx: &RequestContext,
    token: &VerifiedToken,
) -> ApiResult<D1PreparedStatement> {
    ctx.store.replay_statement(
        token.key_id.as_str(),
        &token.claims.jti,
        token.replay_horizon(),
    )
}

/// What a successful use of a token does to its account's guess budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuessBudget {
    /// A request of the account's owner (sign-in, change, disable) shows the password was known just
    /// now: the budget is reset and the address's salt tickets retired.
    Reset,
    /// An assertion verified for a third party says nothing about when its key was derived.
    Keep,
}

/// The statements that reset the guess budget of `address` ([`GuessBudget::Reset`]).
pub fn guess_reset_statements(
    ctx: &RequestContext,
    address: &str,
) -> ApiResult<[D1PreparedStatement; 2]> {
    ctx.store.guess_reset_statements(&ctx.address_hash(address))
}

/// The statements every successful use of `auth`'s token writes: its `jti` and, for a session
/// request, the session's renewal. A request of the account key itself (a sign-in) with
/// [`GuessBudget::Reset`] also resets the guess budget; a session's use never does, since it shows
/// nothing about the password.
pub fn use_statements(
    ctx: &RequestContext,
    auth: &Authenticated,
    budget: GuessBudget,
) -> ApiResult<Vec<D1PreparedStatement>> {
    let mut statements = vec![replay_statement(ctx, &auth.token)?];
    match &auth.session {
        Some(session) => statements.push(ctx.store.renew_session(
            session,
            ctx.now,
            ctx.config.session_lifetime.idle,
        )?),
        None if budget == GuessBudget::Reset => {
            statements.extend(guess_reset_statements(ctx, &auth.account.address)?)
        }
        None => {}
    }
    Ok(statements)
}

/// Records the successful use of `auth`'s token ([`use_statements`]) with this request's audit row
/// (`action`, `outcome`, the account and the signing key), in one transaction, so a success costs
/// one write round trip. A second use of the token fails the batch with `replayed` and writes
/// nothing.
pub async fn record_use(
    ctx: &RequestContext,
    auth: &Authenticated,
    action: AuditAction,
    outcome: AuditOutcome,
    budget: GuessBudget,
) -> ApiResult<()> {
    let mut statements = use_statements(ctx, auth, budget)?;
    statements.push(ctx.audit_statement(
        action,
        outcome,
        Some(&auth.account.address),
        Some(auth.signing_key_id()),
    )?);
    ctx.commit_audited(statements, action.as_str()).await?;
    Ok(())
}

/// Checks that a request token binds this very request: its method, its URL as the user addressed it
/// (`PUBLIC_URI` plus path and query: the worker may sit behind a route whose internal URL differs)
/// and its `body`.
pub fn check_bound_request(
    ctx: &RequestContext,
    req: &Request,
    token: &VerifiedToken,
    body: &[u8],
) -> ApiResult<()> {
    let full_url = format!("{}{}", ctx.config.public_uri, req.path_and_query());
    let method = req.method();
    token.check_request(&HttpRequest {
        method: method.as_ref(),
        url: &full_url,
        body,
    })?;
    Ok(())
}

/// Records the token's `jti` for its key until its replay horizon; refuses a second use.
pub async fn consume_jti(ctx: &RequestContext, token: &VerifiedToken) -> ApiResult<()> {
    let fresh = ctx
        .store
        .record_jti(
            token.key_id.as_str(),
            &token.claims.jti,
            token.replay_horizon(),
        )
        .await?;
    if fresh {
        Ok(())
    } else {
        Err(ApiError::replayed())
    }
}

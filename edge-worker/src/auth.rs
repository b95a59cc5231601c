//! Token checks shared by the endpoints. Every rule about tokens (structure, `alg`, `typ`, key,
//! signature, `aud`, `iat`/`exp`, claim shape) is `protocol`'s; this module only finds the key to
//! verify with and records each `jti` so that a token is accepted once.
//!
//! A token that names its key by `kid` goes through [`authenticate`], whatever holds that key: an
//! active account ([`ActiveAccount`]) or a pending confirmation (`routes::confirm`). A token that
//! embeds the key it proposes (signup, change) goes through [`verify_proposal`].

use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::rows::Account;
use protocol::keys::{KeyId, PublicKey};
use protocol::token::{Expectations, ParsedToken, ProposalKind, RegisteredKind, VerifiedToken};
use protocol::{Error as ProtocolError, ErrorKind};

/// Why a token that names a registered key was refused.
pub enum AuthError {
    /// The token is malformed or does not verify.
    Token(ProtocolError),
    /// No active account has the key it names.
    UnknownKey,
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
            AuthError::Refused(error) => error,
        }
    }
}

/// A stored holder of a key: what a token's `sub` must name, and the key it must verify under.
pub trait KeyHolder {
    /// The canonical address the key is bound to.
    fn address(&self) -> &str;
    /// The key, base64url, as D1 stores it.
    fn public_key(&self) -> &str;
}

impl KeyHolder for Account {
    fn address(&self) -> &str {
        &self.address
    }

    fn public_key(&self) -> &str {
        &self.public_key
    }
}

/// Where the key a token names is held.
pub trait KeySource {
    /// What holds it.
    type Holder: KeyHolder;

    /// The holder of `key_id`, the key `token` names. The token is not verified yet: of its claims
    /// only `sub` and `confirmation` may be read, to pick a rate-limit bucket or find a row.
    async fn find(
        &self,
        ctx: &RequestContext,
        token: &ParsedToken,
        key_id: &KeyId,
    ) -> Result<Self::Holder, AuthError>;
}

/// The active account that has the key.
pub struct ActiveAccount;

impl KeySource for ActiveAccount {
    type Holder = Account;

    async fn find(
        &self,
        ctx: &RequestContext,
        _token: &ParsedToken,
        key_id: &KeyId,
    ) -> Result<Account, AuthError> {
        ctx.store
            .active_account_by_key(key_id.as_str())
            .await?
            .ok_or(AuthError::UnknownKey)
    }
}

/// A token whose signature and claims hold, signed by the key of `holder`, whose address is its
/// subject.
pub struct Authenticated<H> {
    /// What holds the key.
    pub holder: H,
    /// The token.
    pub token: VerifiedToken,
}

/// Parses `text` as a token of `kind`, finds the holder of the key its `kid` names in `source`, and
/// verifies the token under that key for `audience`; the subject must be the holder's address. The
/// caller consumes the `jti` ([`consume_jti`]) once everything else it checks has passed.
pub async fn authenticate<S: KeySource>(
    ctx: &RequestContext,
    text: &str,
    kind: RegisteredKind,
    audience: &str,
    source: &S,
) -> Result<Authenticated<S::Holder>, AuthError> {
    let (parsed, key_id) = ParsedToken::parse_registered(text, kind)?;
    let holder = source.find(ctx, &parsed, &key_id).await?;
    let key = stored_key(holder.public_key())?;
    let token = parsed.verify(
        &key,
        &Expectations {
            audience,
            now: ctx.now,
        },
    )?;
    if token.subject.as_str() != holder.address() {
        return Err(AuthError::Token(ProtocolError::new(
            ErrorKind::WrongSubject,
            "sub is not the account this key belongs to",
        )));
    }
    Ok(Authenticated { holder, token })
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

/// A key read back from D1 (validated when it was stored).
fn stored_key(public_key: &str) -> ApiResult<PublicKey> {
    protocol::b64::decode_array::<32>(public_key)
        .and_then(|bytes| PublicKey::from_bytes(&bytes).ok())
        .ok_or_else(|| {
            worker::console_error!("a stored public key does not decode");
            ApiError::internal()
        })
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

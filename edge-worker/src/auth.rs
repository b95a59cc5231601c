//! Token checks shared by the endpoints. Every rule about tokens (structure, `alg`, `typ`, key,
//! signature, `aud`, `iat`/`exp`, claim shape) is `protocol`'s; this module only finds the key to
//! verify with and records each `jti` so that a token is accepted once.

use crate::context::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::store::Account;
use protocol::keys::PublicKey;
use protocol::token::{Expectations, KeyRef, ParsedToken, TokenKind, VerifiedToken};
use protocol::{Error as ProtocolError, ErrorKind};

/// A token whose signature and claims hold, signed by an active account's current key.
pub struct Authenticated {
    /// The account.
    pub account: Account,
    /// The token.
    pub token: VerifiedToken,
}

/// Why a registered-key token was refused: the token itself, or no active account has its key.
pub enum RegisteredError {
    /// The token is malformed or does not verify.
    Token(ProtocolError),
    /// No active account has the key it names.
    UnknownKey,
    /// Something failed inside.
    Internal(ApiError),
}

impl From<RegisteredError> for ApiError {
    fn from(error: RegisteredError) -> Self {
        match error {
            RegisteredError::Token(error) => ApiError::from_protocol(error),
            RegisteredError::UnknownKey => ApiError::unknown_key(),
            RegisteredError::Internal(error) => error,
        }
    }
}

/// Parses `text` as a token of `kind` that names a registered key (`kid`), finds the active account
/// with that key, and verifies the token under it for `audience`; the subject must be that account.
pub async fn verify_registered(
    ctx: &RequestContext,
    text: &str,
    kind: TokenKind,
    audience: &str,
) -> Result<Authenticated, RegisteredError> {
    let parsed = ParsedToken::parse(text, kind).map_err(RegisteredError::Token)?;
    let KeyRef::Registered(key_id) = parsed.key_ref().map_err(RegisteredError::Token)? else {
        return Err(RegisteredError::Token(ProtocolError::new(
            ErrorKind::InvalidToken,
            "this kind of token names its key by kid",
        )));
    };
    let account = ctx
        .store
        .active_account_by_key(key_id.as_str())
        .await
        .map_err(RegisteredError::Internal)?
        .ok_or(RegisteredError::UnknownKey)?;
    let key = stored_key(&account.public_key).map_err(RegisteredError::Internal)?;
    let token = parsed
        .verify(
            &key,
            &Expectations {
                kind,
                audience,
                now: ctx.now,
            },
        )
        .map_err(RegisteredError::Token)?;
    if token.subject.as_str() != account.address {
        return Err(RegisteredError::Token(ProtocolError::new(
            ErrorKind::WrongSubject,
            "sub is not the account this key belongs to",
        )));
    }
    Ok(Authenticated { account, token })
}

/// Parses and verifies a token that embeds its own key (signup, change) for this service; returns the
/// token and the key.
pub fn verify_embedded(
    ctx: &RequestContext,
    text: &str,
    kind: TokenKind,
) -> ApiResult<(VerifiedToken, PublicKey)> {
    let parsed = ParsedToken::parse(text, kind)?;
    let KeyRef::Embedded(key) = parsed.key_ref()? else {
        return Err(ApiError::from_protocol(ProtocolError::new(
            ErrorKind::InvalidToken,
            "this kind of token embeds its key as jwk",
        )));
    };
    let token = parsed.verify(
        &key,
        &Expectations {
            kind,
            audience: &ctx.config.public_uri,
            now: ctx.now,
        },
    )?;
    Ok((token, key))
}

/// A key read back from D1 (validated when it was stored).
pub fn stored_key(public_key: &str) -> ApiResult<PublicKey> {
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

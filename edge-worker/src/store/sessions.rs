//! The `sessions` table (migrations/0004_sessions.sql). A session is valid only while the account
//! key that certified it is the account's current key and the account is active: every read joins
//! on that, so a key change or a disable ends every session in the same transaction as the change,
//! even one created concurrently. Those changes also delete the rows ([`Store::prune_sessions`]),
//! so the list never shows them.

use super::{broken_uniqueness, changes, int, internal, is_replay, text, AuditEntry, Store};
use crate::audit::AuditOutcome;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::rows::{SessionHolder, SessionInfo};
use worker::{D1PreparedStatement, D1Result};

/// Most sessions one account keeps: creating one more ends the least recently used.
pub const MAX_SESSIONS_PER_ACCOUNT: u32 = 32;

/// A session to store.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// Its random id.
    pub id: &'a str,
    /// The account, which must still be active with `account_key_id`.
    pub account_id: i64,
    /// The account key that certified it.
    pub account_key_id: &'a str,
    /// The session key's thumbprint and bytes (base64url).
    pub key_id: &'a str,
    /// The session key, 32 bytes base64url.
    pub public_key: &'a str,
    /// The device label, or empty.
    pub label: &'a str,
    /// Now.
    pub created_at: i64,
    /// `created_at` + the idle lifetime.
    pub idle_expires_at: i64,
    /// `created_at` + the whole lifetime.
    pub expires_at: i64,
}

/// How storing a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCreated {
    /// Stored; `evicted` least recently used sessions of the account ended to make room.
    Applied {
        /// How many.
        evicted: usize,
    },
    /// The account changed its key or was disabled meanwhile: nothing stored.
    AccountMovedOn,
    /// Another session already has this key.
    KeyInUse,
}

/// Which of an account's sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// The one with this id.
    One(&'a str),
    /// All of them.
    All,
    /// All but the one with this id (the one signing the request).
    AllBut(&'a str),
}

/// The columns of [`SessionInfo`].
const INFO: &str = "id, label, created_at, last_used_at, idle_expires_at, expires_at";

/// A session is live at `?2` when neither of its ends has come.
const LIVE: &str = "idle_expires_at > ?2 AND expires_at > ?2";

impl Store {
    /// The live session whose key is `key_id`, with its account, if that account is active and still
    /// has the key that certified it: the only read a session request costs.
    pub async fn session_holder(&self, key_id: &str, now: i64) -> ApiResult<Option<SessionHolder>> {
        self.first::<SessionHolder>(
            "SELECT s.id AS session_id, s.public_key AS session_public_key, a.id, a.address, a.key_id, \
             a.public_key, a.status, a.created_at, a.confirmed_at, a.kdf_version \
             FROM sessions AS s JOIN accounts AS a \
             ON a.id = s.account_id AND a.key_id = s.account_key_id AND a.status = 'active' \
             WHERE s.key_id = ?1 AND s.idle_expires_at > ?2 AND s.expires_at > ?2",
            &[text(key_id), int(now)],
            "session by key",
        )
        .await
    }

    /// The statement that records a use of session `id` at `now`: it stays alive `idle` seconds more,
    /// never past its end.
    pub fn renew_session(&self, id: &str, now: i64, idle: i64) -> ApiResult<D1PreparedStatement> {
        self.statement(
            "UPDATE sessions SET last_used_at = ?2, idle_expires_at = MIN(?2 + ?3, expires_at) \
             WHERE id = ?1",
            &[text(id), int(now), int(idle)],
        )
    }

    /// Stores `session` in one transaction with the session token's `jti` (`replay`), only while its
    /// account is active with the key that certified it, and ends the account's least recently
    /// used sessions beyond [`MAX_SESSIONS_PER_ACCOUNT`] (expired ones first). The audit row
    /// (`audit`, whose outcome becomes `unknown_key` when nothing was stored) and the reset of the
    /// guess budget of `address_hash` (only when stored) are in the same transaction, so neither
    /// records a session that a concurrent change of key or disable prevented.
    pub async fn create_session(
        &self,
        replay: D1PreparedStatement,
        session: &NewSession<'_>,
        audit: &AuditEntry,
        address_hash: &str,
    ) -> ApiResult<SessionCreated> {
        let stored = "EXISTS (SELECT 1 FROM sessions WHERE id = ?{n})";
        let mut statements = vec![
            replay,
            self.statement(
                "INSERT INTO sessions (id, account_id, account_key_id, key_id, public_key, label, created_at, \
                 last_used_at, idle_expires_at, expires_at) \
                 SELECT ?1, id, key_id, ?3, ?4, ?5, ?6, ?6, ?7, ?8 FROM accounts \
                 WHERE id = ?2 AND key_id = ?9 AND status = 'active'",
                &[
                    text(session.id),
                    int(session.account_id),
                    text(session.key_id),
                    text(session.public_key),
                    text(session.label),
                    int(session.created_at),
                    int(session.idle_expires_at),
                    int(session.expires_at),
                    text(session.account_key_id),
                ],
            )?,
            self.audit_statement_when(
                audit,
                session.created_at,
                &stored.replace("{n}", "8"),
                AuditOutcome::Refused(ServerCode::UnknownKey.into()),
                vec![text(session.id)],
            )?,
        ];
        statements.extend(self.guess_reset_statements_when(
            address_hash,
            &stored.replace("{n}", "2"),
            vec![text(session.id)],
        )?);
        let evicting = statements.len();
        statements.push(self.statement(
            "DELETE FROM sessions WHERE account_id = ?1 AND id NOT IN \
             (SELECT id FROM sessions WHERE account_id = ?1 \
              ORDER BY id = ?2 DESC, (idle_expires_at > ?4 AND expires_at > ?4) DESC, \
              last_used_at DESC, created_at DESC LIMIT ?3)",
            &[
                int(session.account_id),
                text(session.id),
                int(i64::from(MAX_SESSIONS_PER_ACCOUNT)),
                int(session.created_at),
            ],
        )?);
        match self.db.batch(statements).await {
            Ok(results) if results.get(1).map(changes) == Some(1) => Ok(SessionCreated::Applied {
                evicted: results.get(evicting).map(changes).unwrap_or(0),
            }),
            Ok(_) => Ok(SessionCreated::AccountMovedOn),
            Err(error) => match broken_uniqueness(&error).as_deref() {
                rule if is_replay(rule) => Err(ApiError::replayed()),
                Some(rule) if rule.starts_with("sessions.") => Ok(SessionCreated::KeyInUse),
                _ => Err(internal("create session")(error)),
            },
        }
    }

    /// The statement listing the live sessions of the account, most recently used first, for the
    /// batch of the request that lists them ([`Self::listed_sessions`] reads its result).
    pub fn list_sessions(&self, account_id: i64, now: i64) -> ApiResult<D1PreparedStatement> {
        self.statement(
            &format!(
                "SELECT {INFO} FROM sessions WHERE account_id = ?1 AND {LIVE} \
                 ORDER BY last_used_at DESC, created_at DESC"
            ),
            &[int(account_id), int(now)],
        )
    }

    /// The rows of a [`Self::list_sessions`] statement's result.
    pub fn listed_sessions(result: &D1Result) -> ApiResult<Vec<SessionInfo>> {
        result
            .results::<SessionInfo>()
            .map_err(internal("read listed sessions"))
    }

    /// The statements that end the account's live sessions `ending` says, for a batch; the
    /// deleting one is last. For [`Ending::One`], the audit row `audit` is the first: its outcome
    /// becomes `unknown_session` when the account has no live session with that id, so the
    /// answer's refusal and the log agree without a read before the batch.
    pub fn end_sessions(
        &self,
        account_id: i64,
        ending: Ending<'_>,
        audit: &AuditEntry,
        now: i64,
    ) -> ApiResult<Vec<D1PreparedStatement>> {
        let live = format!("account_id = ?1 AND {LIVE}");
        Ok(match ending {
            Ending::One(id) => vec![
                self.audit_statement_when(
                    audit,
                    now,
                    "EXISTS (SELECT 1 FROM sessions WHERE id = ?8 AND account_id = ?9 \
                     AND idle_expires_at > ?1 AND expires_at > ?1)",
                    AuditOutcome::Refused(ServerCode::UnknownSession.into()),
                    vec![text(id), int(account_id)],
                )?,
                self.statement(
                    &format!("DELETE FROM sessions WHERE {live} AND id = ?3"),
                    &[int(account_id), int(now), text(id)],
                )?,
            ],
            Ending::All => vec![
                self.audit_statement(audit, now)?,
                self.statement(
                    &format!("DELETE FROM sessions WHERE {live}"),
                    &[int(account_id), int(now)],
                )?,
            ],
            Ending::AllBut(id) => vec![
                self.audit_statement(audit, now)?,
                self.statement(
                    &format!("DELETE FROM sessions WHERE {live} AND id != ?3"),
                    &[int(account_id), int(now), text(id)],
                )?,
            ],
        })
    }

    /// The statement that deletes the sessions of `account_id` that a key change or a disable ended
    /// (those certified by a key other than the account's current one, or of an account no longer
    /// active), for the batch of that change, after it.
    pub fn prune_sessions(&self, account_id: i64) -> ApiResult<D1PreparedStatement> {
        self.statement(
            "DELETE FROM sessions WHERE account_id = ?1 AND account_key_id NOT IN \
             (SELECT key_id FROM accounts WHERE id = ?1 AND status = 'active')",
            &[int(account_id)],
        )
    }

    /// [`Self::prune_sessions`] for the account of the change confirmation `token_hash`.
    pub fn prune_sessions_of_confirmation(
        &self,
        token_hash: &str,
    ) -> ApiResult<D1PreparedStatement> {
        self.statement(
            "DELETE FROM sessions WHERE account_id = \
             (SELECT account_id FROM confirmations WHERE token_hash = ?1) \
             AND account_key_id NOT IN \
             (SELECT key_id FROM accounts WHERE id = sessions.account_id AND status = 'active')",
            &[text(token_hash)],
        )
    }
}

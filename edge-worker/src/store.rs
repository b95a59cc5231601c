//! D1: every query the worker runs. State changes that must hold together run as one `batch` (one
//! transaction); single use and uniqueness come from primary keys, partial unique indexes and
//! conditional updates, never from a read followed by a write.
//!
//! The SQL spells the states of `rows` (`'active'`, `'signup'`, ...) as literals rather than bound
//! parameters: SQLite uses a partial index (`WHERE status = 'active'`) only for a query whose own
//! text implies the index's condition. `rows`' test holds the types to the schema's `CHECK` lists.

use crate::audit::{AuditAction, AuditOutcome};
use crate::error::{ApiError, ApiResult};
use crate::rows::{Account, ConfirmationPurpose, PendingConfirmation};
use protocol::confirmation::Purpose;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// What to store for a new confirmation.
#[derive(Debug, Clone)]
pub struct NewConfirmation<'a> {
    /// base64url SHA-256 of the emailed token.
    pub token_hash: &'a str,
    /// Canonical address.
    pub address: &'a str,
    /// The pending key's thumbprint.
    pub key_id: &'a str,
    /// The pending key, base64url.
    pub public_key: &'a str,
    /// For a key change: the account and the key it replaces.
    pub change_of: Option<(i64, &'a str)>,
    /// Now.
    pub created_at: i64,
    /// When it stops being accepted.
    pub expires_at: i64,
}

/// How using a confirmation ended. `KeyInUse` and `AddressTaken` changed nothing: the batch is one
/// transaction, and a uniqueness conflict rolls it back, so the confirmation stays unused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// This request used it and the account now has the key.
    Applied,
    /// Someone used it first, it expired, or (for a change) the account moved on.
    NotApplied,
    /// Another active account already has this key.
    KeyInUse,
    /// The address already has an active account (another of its signups was confirmed).
    AddressTaken,
}

/// One audit record; addresses and IPs arrive already hashed.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// What was attempted.
    pub action: AuditAction,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Keyed hash of the address.
    pub address_hash: Option<&'a str>,
    /// Keyed hash of the client IP group.
    pub ip_hash: Option<&'a str>,
    /// The key involved.
    pub key_id: Option<&'a str>,
}

/// Rows removed by the scheduled cleanup.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cleanup {
    /// Replay records past their horizon.
    pub replay: usize,
    /// Expired or used confirmations (pending keys).
    pub confirmations: usize,
}

/// The database.
pub struct Store {
    db: D1Database,
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn int(value: i64) -> JsValue {
    // D1 numbers are doubles; every value stored here (seconds, row ids) is far below 2^53.
    JsValue::from_f64(value as f64)
}

fn internal(context: &'static str) -> impl Fn(worker::Error) -> ApiError {
    move |error| {
        worker::console_error!("D1 {context} failed: {error}");
        ApiError::internal()
    }
}

fn changes(result: &D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|meta| meta.changes)
        .unwrap_or(0)
}

impl Store {
    /// Binds the `DB` database.
    pub fn new(db: D1Database) -> Self {
        Self { db }
    }

    fn statement(&self, sql: &str, args: &[JsValue]) -> ApiResult<D1PreparedStatement> {
        self.db.prepare(sql).bind(args).map_err(internal("bind"))
    }

    /// The first row `sql` yields with `args`, if any; `what` names the query in the logs.
    async fn first<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        args: &[JsValue],
        what: &'static str,
    ) -> ApiResult<Option<T>> {
        self.statement(sql, args)?
            .first::<T>(None)
            .await
            .map_err(internal(what))
    }

    /// `GET /health`: a query against the migrated schema.
    pub async fn health(&self) -> ApiResult<()> {
        self.first::<serde_json::Value>(
            "SELECT (SELECT COUNT(*) FROM accounts WHERE 0) + (SELECT COUNT(*) FROM confirmations WHERE 0) + (SELECT COUNT(*) FROM replay WHERE 0) AS n",
            &[],
            "health",
        )
        .await
        .map(|_| ())
    }

    /// The active account with this key, if any.
    pub async fn active_account_by_key(&self, key_id: &str) -> ApiResult<Option<Account>> {
        self.first::<Account>(
            "SELECT * FROM accounts WHERE key_id = ?1 AND status = 'active'",
            &[text(key_id)],
            "account by key",
        )
        .await
    }

    /// The active account with this address, if any.
    pub async fn active_account_by_address(&self, address: &str) -> ApiResult<Option<Account>> {
        self.first::<Account>(
            "SELECT * FROM accounts WHERE address = ?1 AND status = 'active'",
            &[text(address)],
            "account by address",
        )
        .await
    }

    /// Records a token's `jti` for its key until `expires_at`; `false` when it was already recorded
    /// (a replay). The primary key makes this single use even under concurrency.
    pub async fn record_jti(&self, key_id: &str, jti: &str, expires_at: i64) -> ApiResult<bool> {
        let result = self
            .statement(
                "INSERT INTO replay (key_id, jti, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                &[text(key_id), text(jti), int(expires_at)],
            )?
            .run()
            .await
            .map_err(internal("record jti"))?;
        Ok(changes(&result) == 1)
    }

    /// Stores a pending key with its confirmation.
    pub async fn insert_confirmation(&self, new: &NewConfirmation<'_>) -> ApiResult<()> {
        let (purpose, account_id, previous_key_id) = match new.change_of {
            Some((account_id, previous)) => {
                (ConfirmationPurpose::Change, int(account_id), text(previous))
            }
            None => (ConfirmationPurpose::Signup, JsValue::NULL, JsValue::NULL),
        };
        self.statement(
            "INSERT INTO confirmations (token_hash, address, purpose, key_id, public_key, account_id, previous_key_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            &[
                text(new.token_hash),
                text(new.address),
                text(purpose.as_str()),
                text(new.key_id),
                text(new.public_key),
                account_id,
                previous_key_id,
                int(new.created_at),
                int(new.expires_at),
            ],
        )?
        .run()
        .await
        .map_err(internal("insert confirmation"))?;
        Ok(())
    }

    /// The unused, unexpired confirmation with this token hash.
    pub async fn pending_confirmation(
        &self,
        token_hash: &str,
        now: i64,
    ) -> ApiResult<Option<PendingConfirmation>> {
        self.first::<PendingConfirmation>(
            "SELECT address, purpose, key_id, public_key FROM confirmations \
             WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
            &[text(token_hash), int(now)],
            "pending confirmation",
        )
        .await
    }

    /// Uses a signup confirmation, in one transaction: marks it used with this request's `marker`
    /// (only if still unused and unexpired) and creates the active account from it only if this
    /// request's marker is the one recorded. Of any number of concurrent calls, exactly one can see
    /// `Applied`. The address's other pending signups stay as they are: once it is active their
    /// confirmation conflicts with it (`AddressTaken`), and disabling the account retires them.
    pub async fn confirm_signup(
        &self,
        token_hash: &str,
        marker: &str,
        now: i64,
    ) -> ApiResult<ConfirmOutcome> {
        let statements = vec![
            self.statement(
                "UPDATE confirmations SET used_at = ?3, used_by = ?2 \
                 WHERE token_hash = ?1 AND purpose = 'signup' AND used_at IS NULL AND expires_at > ?3",
                &[text(token_hash), text(marker), int(now)],
            )?,
            self.statement(
                "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at) \
                 SELECT address, key_id, public_key, 'active', created_at, ?3 FROM confirmations \
                 WHERE token_hash = ?1 AND used_by = ?2",
                &[text(token_hash), text(marker), int(now)],
            )?,
        ];
        match self.run_confirmation(statements, 1).await? {
            // Both unique indexes refuse a second signup of one address with one key, and SQLite
            // reports only one of them (here the key's): the address decides the answer.
            ConfirmOutcome::KeyInUse if self.address_is_active(token_hash).await? => {
                Ok(ConfirmOutcome::AddressTaken)
            }
            outcome => Ok(outcome),
        }
    }

    /// Whether the address of the confirmation `token_hash` has an active account.
    async fn address_is_active(&self, token_hash: &str) -> ApiResult<bool> {
        let row = self
            .first::<serde_json::Value>(
                "SELECT 1 AS active FROM accounts WHERE status = 'active' \
                 AND address = (SELECT address FROM confirmations WHERE token_hash = ?1)",
                &[text(token_hash)],
                "address is active",
            )
            .await?;
        Ok(row.is_some())
    }

    /// Uses a key-change confirmation, in one transaction: marks it used with `marker`, then replaces
    /// the account's key only if this request's marker is recorded, the account is still active and
    /// still has the key the change was asked from. The old key stops working when this commits.
    pub async fn confirm_change(
        &self,
        token_hash: &str,
        marker: &str,
        now: i64,
    ) -> ApiResult<ConfirmOutcome> {
        let statements = vec![
            self.statement(
                "UPDATE confirmations SET used_at = ?3, used_by = ?2 \
                 WHERE token_hash = ?1 AND purpose = 'change' AND used_at IS NULL AND expires_at > ?3",
                &[text(token_hash), text(marker), int(now)],
            )?,
            self.statement(
                "UPDATE accounts SET key_id = c.key_id, public_key = c.public_key, key_changed_at = ?3 \
                 FROM (SELECT account_id, previous_key_id, key_id, public_key FROM confirmations \
                       WHERE token_hash = ?1 AND used_by = ?2) AS c \
                 WHERE accounts.id = c.account_id AND accounts.status = 'active' \
                 AND accounts.key_id = c.previous_key_id",
                &[text(token_hash), text(marker), int(now)],
            )?,
        ];
        self.run_confirmation(statements, 1).await
    }

    async fn run_confirmation(
        &self,
        statements: Vec<D1PreparedStatement>,
        applying_statement: usize,
    ) -> ApiResult<ConfirmOutcome> {
        match self.db.batch(statements).await {
            Ok(results) => {
                let applied = results.get(applying_statement).map(changes) == Some(1);
                Ok(if applied {
                    ConfirmOutcome::Applied
                } else {
                    ConfirmOutcome::NotApplied
                })
            }
            Err(error) => {
                let text = format!("{error} {error:?}");
                if text.contains("UNIQUE constraint failed: accounts.key_id") {
                    Ok(ConfirmOutcome::KeyInUse)
                } else if text.contains("UNIQUE constraint failed: accounts.address") {
                    Ok(ConfirmOutcome::AddressTaken)
                } else {
                    Err(internal("confirmation batch")(error))
                }
            }
        }
    }

    /// Disables the active account `account_id` if it still has `key_id`, and retires its pending
    /// confirmations, in one transaction. `false` when nothing was disabled.
    pub async fn disable_account(
        &self,
        account_id: i64,
        key_id: &str,
        now: i64,
    ) -> ApiResult<bool> {
        let statements = vec![
            self.statement(
                "UPDATE accounts SET status = 'disabled', disabled_at = ?3 \
                 WHERE id = ?1 AND key_id = ?2 AND status = 'active'",
                &[int(account_id), text(key_id), int(now)],
            )?,
            self.statement(
                // Only when the first statement disabled the account: a stale key that lost a race
                // with a key change changes nothing.
                "UPDATE confirmations SET used_at = ?2 WHERE used_at IS NULL \
                 AND address = (SELECT address FROM accounts \
                                WHERE id = ?1 AND status = 'disabled' AND disabled_at = ?2 AND key_id = ?3)",
                &[int(account_id), int(now), text(key_id)],
            )?,
        ];
        let results = self
            .db
            .batch(statements)
            .await
            .map_err(internal("disable"))?;
        Ok(results.first().map(changes) == Some(1))
    }

    /// Appends to the audit log. A failure is logged, not raised: the state change it records has
    /// already happened.
    pub async fn audit(&self, entry: &AuditEntry<'_>, now: i64) {
        let opt = |value: Option<&str>| value.map_or(JsValue::NULL, text);
        let result = match self.statement(
            "INSERT INTO audit (at, action, outcome, address_hash, ip_hash, key_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                int(now),
                text(entry.action.as_str()),
                text(entry.outcome.as_str()),
                opt(entry.address_hash),
                opt(entry.ip_hash),
                opt(entry.key_id),
            ],
        ) {
            Ok(statement) => statement.run().await.map(|_| ()).map_err(|e| e.to_string()),
            Err(_) => Err("bind".into()),
        };
        if let Err(error) = result {
            worker::console_error!("audit write failed: {error}");
        }
    }

    /// Records a confirmation message the mail system never accepted.
    pub async fn record_undelivered(
        &self,
        idempotency_key: &str,
        address_hash: &str,
        purpose: Purpose,
        expires_at: i64,
        now: i64,
    ) -> ApiResult<()> {
        self.statement(
            "INSERT INTO undelivered (idempotency_key, address_hash, purpose, expires_at, attempts, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, 1, ?5) \
             ON CONFLICT (idempotency_key) DO UPDATE SET attempts = attempts + 1, recorded_at = ?5",
            &[
                text(idempotency_key),
                text(address_hash),
                text(purpose.as_str()),
                int(expires_at),
                int(now),
            ],
        )?
        .run()
        .await
        .map_err(internal("record undelivered"))?;
        Ok(())
    }

    /// Removes replay records past their horizon and confirmations (pending keys) that expired or
    /// were used more than a day ago.
    pub async fn cleanup(&self, now: i64) -> ApiResult<Cleanup> {
        let statements = vec![
            self.statement("DELETE FROM replay WHERE expires_at <= ?1", &[int(now)])?,
            self.statement(
                "DELETE FROM confirmations WHERE expires_at <= ?1 OR used_at <= ?1 - 86400",
                &[int(now)],
            )?,
        ];
        let results = self
            .db
            .batch(statements)
            .await
            .map_err(internal("cleanup"))?;
        Ok(Cleanup {
            replay: results.first().map(changes).unwrap_or(0),
            confirmations: results.get(1).map(changes).unwrap_or(0),
        })
    }
}

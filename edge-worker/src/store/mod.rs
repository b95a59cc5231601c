//! D1: every query the worker runs. State changes that must hold together run as one `batch` (one
//! transaction); single use and uniqueness come from primary keys, partial unique indexes and
//! conditional updates, never from a read followed by a write.
//!
//! The SQL spells the states of `rows` (`'active'`, `'signup'`, ...) as literals rather than bound
//! parameters: SQLite uses a partial index (`WHERE status = 'active'`) only for a query whose own
//! text implies the index's condition. `rows`' test holds the types to the schema's `CHECK` lists.

use crate::audit::{AuditAction, AuditOutcome};
use crate::delivery::MessagePurpose;
use crate::error::{ApiError, ApiResult, ServerCode};
use crate::guess_budget::{Counts, Limits, Windows};
use crate::limits::BlockReason;
use crate::rows::{Account, ConfirmationPurpose, PendingConfirmation};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

mod sessions;
pub use sessions::{Ending, NewSession, SessionCreated};

/// What to store for a new confirmation.
#[derive(Debug, Clone)]
pub struct NewConfirmation<'a> {
    /// base64url SHA-256 of the emailed token.
    pub token_hash: &'a str,
    /// Canonical address.
    pub address: &'a str,
    /// The pending key's thumbprint.
    pub key_id: &'a str,
    /// What confirming it does. For a change (a recovery) the account and the key it replaces are
    /// taken from the address's active account when it is stored.
    pub purpose: ConfirmationPurpose,
    /// The pending key, base64url.
    pub public_key: &'a str,
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
pub struct AuditEntry {
    /// What was attempted.
    pub action: AuditAction,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Keyed hash of the address.
    pub address_hash: Option<String>,
    /// Keyed hash of the client IP group.
    pub ip_hash: Option<String>,
    /// The key involved.
    pub key_id: Option<String>,
}

/// What a proposal (a signup, a recovery of a forgotten password, a version-1 account's move) stores:
/// its confirmation, counted against the email budgets of its address and client group.
#[derive(Debug, Clone)]
pub struct Proposal<'a> {
    /// The confirmation and the key it proposes.
    pub confirmation: NewConfirmation<'a>,
    /// The email budgets it counts against.
    pub budget: EmailBudget<'a>,
}

/// The email budgets a request that mails something (a confirmation, a salt ticket) counts against.
#[derive(Debug, Clone)]
pub struct EmailBudget<'a> {
    /// Keyed hash of the address.
    pub address_hash: &'a str,
    /// Keyed hash of the client group.
    pub client_hash: &'a str,
    /// The hour it is counted in ([`crate::limits::email_hour`]).
    pub hour: i64,
    /// Emails per address per client group per hour.
    pub per_client: u32,
    /// Emails per address per hour in all.
    pub per_address: u32,
    /// A random id of this request, so the batch's later statements know it was within budget.
    pub marker: &'a str,
}

impl EmailBudget<'_> {
    /// The four values that find this request's count: address, hour, client, marker.
    fn marked(&self) -> [JsValue; 4] {
        [
            text(self.address_hash),
            int(self.hour),
            text(self.client_hash),
            text(self.marker),
        ]
    }
}

/// One evaluation to spend from an address's guess budget ([`Store::spend_guess`]).
#[derive(Debug, Clone)]
pub struct Guess<'a> {
    /// Keyed hash of the address.
    pub address_hash: &'a str,
    /// Keyed hash of the client group (the audit row of an evaluation past the budget).
    pub client_hash: &'a str,
    /// The budget.
    pub limits: Limits,
    /// The storage hash of the salt ticket the request carries, if it carries a well-formed one.
    pub ticket_hash: Option<&'a str>,
    /// A random id of this request, so the batch's later statements know whether it was counted.
    pub marker: &'a str,
    /// Now.
    pub now: i64,
}

/// What paid for an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The address's guess budget.
    Budget,
    /// A salt ticket, the budget being spent.
    Ticket,
    /// Nothing: the budget is spent (and no usable ticket came with the request) for this many
    /// seconds.
    Exhausted {
        /// Seconds to the end of the full window.
        retry_after: u64,
    },
}

/// The row the guess budget's upsert returns.
#[derive(serde::Deserialize)]
struct BudgetRow {
    hour_count: i64,
    day_count: i64,
    /// 1 when this request was counted.
    spent: i64,
}

/// A salt ticket to store ([`Store::store_ticket`]).
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    /// base64url SHA-256 of the emailed ticket.
    pub ticket_hash: &'a str,
    /// Canonical address (to find its active account).
    pub address: &'a str,
    /// Keyed hash of the address: the ticket is good for this address only.
    pub address_hash: &'a str,
    /// Evaluations it allows.
    pub uses: u32,
    /// When it stops being accepted.
    pub expires_at: i64,
}

/// A row of the audit log, as `POST /admin/audit` answers it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AuditRow {
    /// Row id (increasing).
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// [`AuditAction`]'s name.
    pub action: String,
    /// [`AuditOutcome`]'s name, or the refusal's error code.
    pub outcome: String,
    /// Keyed hash of the address.
    pub address_hash: Option<String>,
    /// Keyed hash of the client group.
    pub ip_hash: Option<String>,
    /// The key involved.
    pub key_id: Option<String>,
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

/// The uniqueness rule a failed batch broke, as SQLite names it (`table.column`), if that is why it
/// failed.
fn broken_uniqueness(error: &worker::Error) -> Option<String> {
    let text = format!("{error} {error:?}");
    let (_, rest) = text.split_once("UNIQUE constraint failed: ")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(rest.len());
    rest.get(..end).map(str::to_owned)
}

/// Whether a failed batch failed on a `jti` recorded before (the `replay` table's primary key).
fn is_replay(uniqueness: Option<&str>) -> bool {
    uniqueness.is_some_and(|rule| rule.starts_with("replay."))
}

fn internal(context: &'static str) -> impl Fn(worker::Error) -> ApiError {
    move |error| {
        worker::console_error!("D1 {context} failed: {error}");
        ApiError::internal()
    }
}

pub(crate) fn changes(result: &D1Result) -> usize {
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
            "SELECT (SELECT COUNT(*) FROM accounts WHERE 0) + (SELECT COUNT(*) FROM confirmations WHERE 0) + (SELECT COUNT(*) FROM replay WHERE 0) + (SELECT COUNT(*) FROM sessions WHERE 0) AS n",
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

    /// The statement that records a token's `jti` for its key until `expires_at`, for a batch: the
    /// batch fails, changing nothing, when it was already recorded ([`Self::batch`] answers
    /// `replayed`).
    pub fn replay_statement(
        &self,
        key_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> ApiResult<D1PreparedStatement> {
        self.statement(
            "INSERT INTO replay (key_id, jti, expires_at) VALUES (?1, ?2, ?3)",
            &[text(key_id), text(jti), int(expires_at)],
        )
    }

    /// Runs `statements` as one transaction. A `jti` recorded before ([`Self::replay_statement`]) is
    /// `replayed`; any other failure is logged under `what` and answered `internal`.
    pub async fn batch(
        &self,
        statements: Vec<D1PreparedStatement>,
        what: &'static str,
    ) -> ApiResult<Vec<D1Result>> {
        self.db.batch(statements).await.map_err(|error| {
            if is_replay(broken_uniqueness(&error).as_deref()) {
                ApiError::replayed()
            } else {
                internal(what)(error)
            }
        })
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
                "INSERT INTO accounts (address, key_id, public_key, status, created_at, confirmed_at, kdf_version) \
                 SELECT address, key_id, public_key, 'active', created_at, ?3, kdf_version FROM confirmations \
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

    /// Whether `sql` with `args` yields a row.
    async fn exists(&self, sql: &str, args: &[JsValue], what: &'static str) -> ApiResult<bool> {
        let row = self.first::<serde_json::Value>(sql, args, what).await?;
        Ok(row.is_some())
    }

    /// Whether the address of the confirmation `token_hash` has an active account.
    async fn address_is_active(&self, token_hash: &str) -> ApiResult<bool> {
        self.exists(
            "SELECT 1 AS active FROM accounts WHERE status = 'active' \
             AND address = (SELECT address FROM confirmations WHERE token_hash = ?1)",
            &[text(token_hash)],
            "address is active",
        )
        .await
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
                "UPDATE accounts SET key_id = c.key_id, public_key = c.public_key, key_changed_at = ?3, kdf_version = c.kdf_version \
                 FROM (SELECT account_id, previous_key_id, key_id, public_key, kdf_version FROM confirmations \
                       WHERE token_hash = ?1 AND used_by = ?2) AS c \
                 WHERE accounts.id = c.account_id AND accounts.status = 'active' \
                 AND accounts.key_id = c.previous_key_id",
                &[text(token_hash), text(marker), int(now)],
            )?,
            self.prune_sessions_of_confirmation(token_hash)?,
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
            Err(error) => match broken_uniqueness(&error).as_deref() {
                rule if is_replay(rule) => Err(ApiError::replayed()),
                Some("accounts.key_id") => Ok(ConfirmOutcome::KeyInUse),
                Some("accounts.address") => Ok(ConfirmOutcome::AddressTaken),
                _ => Err(internal("confirmation batch")(error)),
            },
        }
    }

    /// Disables the active account `account_id` if it still has `key_id`, and retires its pending
    /// confirmations, in one transaction with `first` (the disable token's `jti`, the guess-budget
    /// reset, or nothing). `false` when nothing was disabled.
    pub async fn disable_account(
        &self,
        first: Vec<D1PreparedStatement>,
        account_id: i64,
        key_id: &str,
        now: i64,
    ) -> ApiResult<bool> {
        let mut statements = first;
        let disabling = statements.len();
        statements.extend([
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
            self.prune_sessions(account_id)?,
        ]);
        let results = self.batch(statements, "disable").await?;
        Ok(results.get(disabling).map(changes) == Some(1))
    }

    /// The statement that appends `entry` to the audit log, for a batch with what it records.
    pub fn audit_statement(&self, entry: &AuditEntry, now: i64) -> ApiResult<D1PreparedStatement> {
        let opt = |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, text);
        self.statement(
            "INSERT INTO audit (at, action, outcome, address_hash, ip_hash, key_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                int(now),
                text(entry.action.as_str()),
                text(entry.outcome.as_str()),
                opt(&entry.address_hash),
                opt(&entry.ip_hash),
                opt(&entry.key_id),
            ],
        )
    }

    /// Appends to the audit log. A failure is logged, not raised: the decision it records has
    /// already been taken.
    pub async fn audit(&self, entry: &AuditEntry, now: i64) {
        let result = match self.audit_statement(entry, now) {
            Ok(statement) => statement.run().await.map(|_| ()).map_err(|e| e.to_string()),
            Err(_) => Err("bind".into()),
        };
        if let Err(error) = result {
            worker::console_error!("audit write failed: {error}");
        }
    }

    /// Blocks the client group `client_hash` until `until`, unless it already is, and writes the
    /// block's audit row when (and only when) this call made it, in one transaction.
    pub async fn block(
        &self,
        client_hash: &str,
        reason: BlockReason,
        now: i64,
        until: i64,
        marker: &str,
    ) -> ApiResult<()> {
        let statements = vec![
            self.statement(
                "INSERT INTO blocks (client_hash, since, until, reason, marker) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (client_hash) DO UPDATE SET since = excluded.since, until = excluded.until, \
                 reason = excluded.reason, marker = excluded.marker WHERE blocks.until <= excluded.since",
                &[text(client_hash), int(now), int(until), text(reason.as_str()), text(marker)],
            )?,
            self.statement(
                "INSERT INTO audit (at, action, outcome, ip_hash) \
                 SELECT ?2, ?3, ?4, ?1 WHERE EXISTS (SELECT 1 FROM blocks WHERE client_hash = ?1 AND marker = ?5)",
                &[
                    text(client_hash),
                    int(now),
                    text(AuditAction::Block.as_str()),
                    text(AuditOutcome::Blocked(reason).as_str()),
                    text(marker),
                ],
            )?,
        ];
        self.batch(statements, "block").await.map(|_| ())
    }

    /// Stores a proposal's confirmation if its address and client group are within their email
    /// budgets, with `first` (the `jti` of its tokens, and whatever else the request writes) and its
    /// audit row (`confirmation_sent`, or `rate_limited`), in one transaction. The same statements
    /// run whatever the address's state: for a recovery the confirmation is filled from the address's
    /// active account, and there is none to store when it has none. `false` when over a budget
    /// (nothing but `first` and the audit row is written then).
    pub async fn store_proposal(
        &self,
        first: Vec<D1PreparedStatement>,
        proposal: &Proposal<'_>,
        audit: &AuditEntry,
        now: i64,
    ) -> ApiResult<bool> {
        let new = &proposal.confirmation;
        let budget = &proposal.budget;
        let within = "EXISTS (SELECT 1 FROM email_counts WHERE address_hash = ?10 AND hour = ?11 AND client_hash = ?12 AND marker = ?13)";
        let confirmation = match new.purpose {
            ConfirmationPurpose::Signup => format!(
                "INSERT INTO confirmations (token_hash, address, purpose, key_id, public_key, created_at, expires_at, kdf_version) \
                 SELECT ?1, ?2, 'signup', ?3, ?4, ?5, ?6, 2 WHERE {within}"
            ),
            ConfirmationPurpose::Change => format!(
                "INSERT INTO confirmations (token_hash, address, purpose, key_id, public_key, account_id, previous_key_id, created_at, expires_at, kdf_version) \
                 SELECT ?1, address, 'change', ?3, ?4, id, key_id, ?5, ?6, 2 FROM accounts \
                 WHERE address = ?2 AND status = 'active' AND {within}"
            ),
        };
        // ?7 to ?9 are not used by the statement: the marker's parameters keep one numbering in both.
        let mut confirmation_args = vec![
            text(new.token_hash),
            text(new.address),
            text(new.key_id),
            text(new.public_key),
            int(new.created_at),
            int(new.expires_at),
            JsValue::NULL,
            JsValue::NULL,
            JsValue::NULL,
        ];
        confirmation_args.extend(budget.marked());
        let mut statements = first;
        let counted = statements.len();
        statements.push(self.email_count_statement(budget)?);
        statements.push(self.statement(&confirmation, &confirmation_args)?);
        statements.push(self.budgeted_audit_statement(budget, audit, now)?);
        let results = self.batch(statements, "proposal").await?;
        Ok(results.get(counted).map(changes) == Some(1))
    }

    /// Counts one email against `budget`. A new (address, client, hour) row is inserted only while
    /// the address's total is below its ceiling; an existing one counts on only while below the
    /// per-client budget. The row carries the request's marker only when this request counted.
    fn email_count_statement(&self, budget: &EmailBudget<'_>) -> ApiResult<D1PreparedStatement> {
        self.statement(
            "INSERT INTO email_counts (address_hash, client_hash, hour, count, marker) \
             SELECT ?1, ?2, ?3, 1, ?6 \
             WHERE (SELECT COALESCE(SUM(count), 0) FROM email_counts WHERE address_hash = ?1 AND hour = ?3) < ?5 \
             ON CONFLICT (address_hash, hour, client_hash) DO UPDATE SET count = count + 1, marker = excluded.marker \
             WHERE count < ?4",
            &[
                text(budget.address_hash),
                text(budget.client_hash),
                int(budget.hour),
                int(i64::from(budget.per_client)),
                int(i64::from(budget.per_address)),
                text(budget.marker),
            ],
        )
    }

    /// The audit row of a request that spends an email budget: `audit`'s outcome when the request
    /// counted ([`Self::email_count_statement`] in the same batch), `rate_limited` otherwise.
    fn budgeted_audit_statement(
        &self,
        budget: &EmailBudget<'_>,
        audit: &AuditEntry,
        now: i64,
    ) -> ApiResult<D1PreparedStatement> {
        self.audit_statement_when(
            audit,
            now,
            "EXISTS (SELECT 1 FROM email_counts WHERE address_hash = ?8 AND hour = ?9 \
             AND client_hash = ?10 AND marker = ?11)",
            AuditOutcome::Refused(ServerCode::RateLimited.into()),
            budget.marked().to_vec(),
        )
    }

    /// The statement that appends `entry` to the audit log with its outcome if `condition` holds
    /// when the statement runs, else with `otherwise`: for a batch whose effect is only known inside
    /// the transaction. `condition` is SQL whose parameters are `?8`, `?9`, ... bound to
    /// `condition_args`.
    pub fn audit_statement_when(
        &self,
        entry: &AuditEntry,
        now: i64,
        condition: &str,
        otherwise: AuditOutcome,
        condition_args: Vec<JsValue>,
    ) -> ApiResult<D1PreparedStatement> {
        let opt = |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, text);
        let mut args = vec![
            int(now),
            text(entry.action.as_str()),
            text(entry.outcome.as_str()),
            opt(&entry.address_hash),
            opt(&entry.ip_hash),
            opt(&entry.key_id),
            text(otherwise.as_str()),
        ];
        args.extend(condition_args);
        self.statement(
            &format!(
                "INSERT INTO audit (at, action, outcome, address_hash, ip_hash, key_id) \
                 SELECT ?1, ?2, CASE WHEN {condition} THEN ?3 ELSE ?7 END, ?4, ?5, ?6"
            ),
            &args,
        )
    }

    /// Replaces the key of the active account `account_id` at once, if it still has `current_key_id`
    /// (a change signed by the current key), with `first` (both tokens' `jti`, the guess-budget reset)
    /// in the same transaction. Every key stored is of the current derivation (`kdf_version` 2).
    /// `KeyInUse` when another active account has the new key; `NotApplied` when the account moved on.
    pub async fn change_key_now(
        &self,
        first: Vec<D1PreparedStatement>,
        account_id: i64,
        current_key_id: &str,
        new_key_id: &str,
        new_public_key: &str,
        now: i64,
    ) -> ApiResult<ConfirmOutcome> {
        let mut statements = first;
        let applying = statements.len();
        statements.push(self.statement(
            "UPDATE accounts SET key_id = ?3, public_key = ?4, key_changed_at = ?5, kdf_version = 2 \
             WHERE id = ?1 AND key_id = ?2 AND status = 'active'",
            &[
                int(account_id),
                text(current_key_id),
                text(new_key_id),
                text(new_public_key),
                int(now),
            ],
        )?);
        statements.push(self.prune_sessions(account_id)?);
        self.run_confirmation(statements, applying).await
    }

    /// Spends one evaluation of `guess.address_hash`: within the guess budget, or else with the salt
    /// ticket `guess.ticket_hash` if one is given and usable for that address. One transaction, one
    /// round trip, the same statements whether or not the address has an account:
    /// 1. the budget's upsert, which counts (and takes the request's marker) only while both
    ///    windows are below their limits, and returns the counts;
    /// 2. with a ticket, one use of it, only if the budget did not take this request;
    /// 3. the audit row of an evaluation past the budget (`ticket_used`, or
    ///    `guess_budget_exhausted`); nothing for one within it.
    ///
    /// A ticket is never used while the budget still has room.
    pub async fn spend_guess(&self, guess: &Guess<'_>) -> ApiResult<Spent> {
        let windows = Windows::at(guess.now);
        // The counts of the current windows before this request (a past window counts as 0).
        let hour_so_far = "(CASE WHEN guess_budgets.hour = excluded.hour THEN guess_budgets.hour_count ELSE 0 END)";
        let day_so_far =
            "(CASE WHEN guess_budgets.day = excluded.day THEN guess_budgets.day_count ELSE 0 END)";
        let within = format!("({hour_so_far} < ?4 AND {day_so_far} < ?5)");
        let upsert = format!(
            "INSERT INTO guess_budgets (address_hash, hour, hour_count, day, day_count, marker) \
             VALUES (?1, ?2, 1, ?3, 1, ?6) \
             ON CONFLICT (address_hash) DO UPDATE SET \
             hour = excluded.hour, day = excluded.day, \
             hour_count = {hour_so_far} + (CASE WHEN {within} THEN 1 ELSE 0 END), \
             day_count = {day_so_far} + (CASE WHEN {within} THEN 1 ELSE 0 END), \
             marker = CASE WHEN {within} THEN excluded.marker ELSE guess_budgets.marker END \
             RETURNING hour_count, day_count, marker = ?6 AS spent"
        );
        let this_request_counted =
            "EXISTS (SELECT 1 FROM guess_budgets WHERE address_hash = ?1 AND marker = ?2)";
        let mut statements = vec![self.statement(
            &upsert,
            &[
                text(guess.address_hash),
                int(windows.hour),
                int(windows.day),
                int(i64::from(guess.limits.per_hour)),
                int(i64::from(guess.limits.per_day)),
                text(guess.marker),
            ],
        )?];
        let ticket_statement = guess.ticket_hash.map(|_| statements.len());
        if let Some(ticket_hash) = guess.ticket_hash {
            statements.push(self.statement(
                &format!(
                    "UPDATE salt_tickets SET uses_left = uses_left - 1, marker = ?2 \
                     WHERE ticket_hash = ?3 AND address_hash = ?1 AND uses_left > 0 AND expires_at > ?4 \
                     AND NOT {this_request_counted}"
                ),
                &[
                    text(guess.address_hash),
                    text(guess.marker),
                    text(ticket_hash),
                    int(guess.now),
                ],
            )?);
        }
        statements.push(self.statement(
            &format!(
                "INSERT INTO audit (at, action, outcome, address_hash, ip_hash) \
                 SELECT ?3, ?4, CASE WHEN EXISTS (SELECT 1 FROM salt_tickets WHERE address_hash = ?1 AND marker = ?2) \
                 THEN ?5 ELSE ?6 END, ?1, ?7 WHERE NOT {this_request_counted}"
            ),
            &[
                text(guess.address_hash),
                text(guess.marker),
                int(guess.now),
                text(AuditAction::SaltEvaluation.as_str()),
                text(AuditOutcome::TicketUsed.as_str()),
                text(AuditOutcome::Refused(ServerCode::GuessBudgetExhausted.into()).as_str()),
                text(guess.client_hash),
            ],
        )?);
        let results = self.batch(statements, "guess budget").await?;
        let row = results
            .first()
            .and_then(|result| result.results::<BudgetRow>().ok())
            .and_then(|rows| rows.into_iter().next())
            .ok_or_else(|| {
                worker::console_error!("the guess budget's upsert returned no row");
                ApiError::internal()
            })?;
        if row.spent != 0 {
            return Ok(Spent::Budget);
        }
        let ticket_used = ticket_statement
            .and_then(|index| results.get(index))
            .map(changes)
            == Some(1);
        if ticket_used {
            return Ok(Spent::Ticket);
        }
        let counts = Counts {
            hour_count: row.hour_count,
            day_count: row.day_count,
        };
        // The upsert refuses only when a window is full, so there is always a time to give; an hour
        // is the shortest window, should the counts ever disagree.
        let retry_after = guess
            .limits
            .retry_after(counts, guess.now)
            .unwrap_or(crate::guess_budget::HOUR_SECS as u64);
        Ok(Spent::Exhausted { retry_after })
    }

    /// The statements that reset the guess budget of `address_hash` and retire its salt tickets,
    /// for the batch of a successful signed request of the account (the owner has shown the
    /// password).
    pub fn guess_reset_statements(
        &self,
        address_hash: &str,
    ) -> ApiResult<[D1PreparedStatement; 2]> {
        self.guess_reset_statements_when(address_hash, "1", Vec::new())
    }

    /// [`Self::guess_reset_statements`] that reset only if `condition` (SQL whose parameters are
    /// `?2`, ... bound to `condition_args`) holds when they run.
    pub fn guess_reset_statements_when(
        &self,
        address_hash: &str,
        condition: &str,
        condition_args: Vec<JsValue>,
    ) -> ApiResult<[D1PreparedStatement; 2]> {
        let mut args = vec![text(address_hash)];
        args.extend(condition_args);
        let reset = |table: &str| {
            self.statement(
                &format!("DELETE FROM {table} WHERE address_hash = ?1 AND {condition}"),
                &args,
            )
        };
        Ok([reset("guess_budgets")?, reset("salt_tickets")?])
    }

    /// Stores a salt ticket for `ticket.address` if it has an active account and the address and
    /// client group are within their email budgets, with the request's audit row (`ticket_sent`, or
    /// `rate_limited`), in one transaction. The same statements run whatever the address's state.
    /// `false` when over a budget.
    pub async fn store_ticket(
        &self,
        ticket: &NewTicket<'_>,
        budget: &EmailBudget<'_>,
        audit: &AuditEntry,
        now: i64,
    ) -> ApiResult<bool> {
        let mut ticket_args = vec![
            text(ticket.ticket_hash),
            text(ticket.address),
            text(ticket.address_hash),
            int(i64::from(ticket.uses)),
            int(now),
            int(ticket.expires_at),
        ];
        ticket_args.extend(budget.marked());
        let statements = vec![
            self.email_count_statement(budget)?,
            self.statement(
                "INSERT INTO salt_tickets (ticket_hash, address_hash, uses_left, created_at, expires_at) \
                 SELECT ?1, ?3, ?4, ?5, ?6 FROM accounts WHERE address = ?2 AND status = 'active' \
                 AND EXISTS (SELECT 1 FROM email_counts WHERE address_hash = ?7 AND hour = ?8 AND client_hash = ?9 AND marker = ?10)",
                &ticket_args,
            )?,
            self.budgeted_audit_statement(budget, audit, now)?,
        ];
        let results = self.batch(statements, "salt ticket").await?;
        Ok(results.first().map(changes) == Some(1))
    }

    /// Whether the salt ticket `ticket_hash` is stored, unexpired and not used up (the queue
    /// consumer: a ticket for an address without an account was never stored, and is not mailed).
    pub async fn ticket_is_usable(&self, ticket_hash: &str, now: i64) -> ApiResult<bool> {
        self.exists(
            "SELECT 1 AS usable FROM salt_tickets WHERE ticket_hash = ?1 AND uses_left > 0 AND expires_at > ?2",
            &[text(ticket_hash), int(now)],
            "ticket is usable",
        )
        .await
    }

    /// Whether `address` has an active account (the queue consumer, off the request path).
    pub async fn has_active_account(&self, address: &str) -> ApiResult<bool> {
        Ok(self.active_account_by_address(address).await?.is_some())
    }

    /// Whether the confirmation `token_hash` is stored and unused (the queue consumer: a recovery for
    /// an address without an account stored none, and its message is dropped).
    pub async fn confirmation_is_pending(&self, token_hash: &str) -> ApiResult<bool> {
        self.exists(
            "SELECT 1 AS pending FROM confirmations WHERE token_hash = ?1 AND used_at IS NULL",
            &[text(token_hash)],
            "confirmation is pending",
        )
        .await
    }

    /// Claims today's `already_registered` notice of an address for the message `idempotency_key`:
    /// `true` when it may be sent (no notice in the last day, or this very message claimed it before,
    /// and is being retried).
    pub async fn claim_notice(
        &self,
        address_hash: &str,
        idempotency_key: &str,
        now: i64,
    ) -> ApiResult<bool> {
        let statements = vec![
            self.statement(
                "INSERT INTO notices (address_hash, sent_at, idempotency_key) VALUES (?1, ?3, ?2) \
                 ON CONFLICT (address_hash) DO UPDATE SET sent_at = excluded.sent_at, idempotency_key = excluded.idempotency_key \
                 WHERE notices.sent_at <= excluded.sent_at - 86400",
                &[text(address_hash), text(idempotency_key), int(now)],
            )?,
            self.statement(
                "SELECT 1 AS claimed FROM notices WHERE address_hash = ?1 AND idempotency_key = ?2",
                &[text(address_hash), text(idempotency_key)],
            )?,
        ];
        let results = self.batch(statements, "claim notice").await?;
        let claimed = results
            .get(1)
            .and_then(|result| result.results::<serde_json::Value>().ok())
            .is_some_and(|rows| !rows.is_empty());
        Ok(claimed)
    }

    /// Audit rows, newest first: those of `address_hash` and of `ip_hash` when given, since `since`,
    /// at most `limit`.
    pub async fn audit_rows(
        &self,
        address_hash: Option<&str>,
        ip_hash: Option<&str>,
        since: i64,
        limit: u32,
    ) -> ApiResult<Vec<AuditRow>> {
        let opt = |value: Option<&str>| value.map_or(JsValue::NULL, text);
        self.statement(
            "SELECT id, at, action, outcome, address_hash, ip_hash, key_id FROM audit \
             WHERE at >= ?3 AND (?1 IS NULL OR address_hash = ?1) AND (?2 IS NULL OR ip_hash = ?2) \
             ORDER BY at DESC, id DESC LIMIT ?4",
            &[
                opt(address_hash),
                opt(ip_hash),
                int(since),
                int(i64::from(limit)),
            ],
        )?
        .all()
        .await
        .map_err(internal("audit rows"))?
        .results::<AuditRow>()
        .map_err(internal("audit rows"))
    }

    /// Records a confirmation message the mail system never accepted.
    pub async fn record_undelivered(
        &self,
        idempotency_key: &str,
        address_hash: &str,
        purpose: MessagePurpose,
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

    /// Removes replay records past their horizon, confirmations (pending keys) that expired or were
    /// used more than a day ago, and the other rows whose time has passed (blocks, counts, notices,
    /// budgets, tickets, sessions).
    pub async fn cleanup(&self, now: i64) -> ApiResult<Cleanup> {
        let statements = vec![
            self.statement("DELETE FROM replay WHERE expires_at <= ?1", &[int(now)])?,
            self.statement(
                "DELETE FROM confirmations WHERE expires_at <= ?1 OR used_at <= ?1 - 86400",
                &[int(now)],
            )?,
            self.statement("DELETE FROM blocks WHERE until <= ?1", &[int(now)])?,
            self.statement(
                "DELETE FROM email_counts WHERE hour < CAST(?1 / 3600 AS INTEGER)",
                &[int(now)],
            )?,
            self.statement(
                "DELETE FROM notices WHERE sent_at <= ?1 - 86400",
                &[int(now)],
            )?,
            self.statement(
                "DELETE FROM guess_budgets WHERE day < CAST(?1 / 86400 AS INTEGER)",
                &[int(now)],
            )?,
            self.statement(
                "DELETE FROM salt_tickets WHERE expires_at <= ?1 OR uses_left <= 0",
                &[int(now)],
            )?,
            // idle_expires_at <= expires_at (the schema's CHECK): past the idle end is past both.
            self.statement(
                "DELETE FROM sessions WHERE idle_expires_at <= ?1",
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

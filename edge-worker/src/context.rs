//! What every request handler works with: the configuration, the database, the keyed hasher, the
//! client's rate-limit group and the time the request arrived, plus what the audit row of a refused
//! request needs to know (whether the handler wrote one, and which address the request was about).

use crate::audit::{AuditAction, AuditOutcome};
use crate::config::Config;
use crate::error::ApiResult;
use crate::keyed_hash::KeyedHasher;
use crate::store::{AuditEntry, Store};
use std::cell::{Cell, RefCell};
use worker::{D1PreparedStatement, D1Result, Env};

/// Per-request context.
pub struct RequestContext {
    /// The worker's bindings.
    pub env: Env,
    /// Vars and secrets.
    pub config: Config,
    /// D1.
    pub store: Store,
    /// Keyed hashes for the audit log and limits.
    pub hasher: KeyedHasher,
    /// Keyed hash of the client's group (`CF-Connecting-IP`, IPv6 per /64): its key in every limit.
    pub client_hash: String,
    /// When the request arrived, Unix seconds.
    pub now: i64,
    /// Whether the request is for an admin endpoint with the right admin secret
    /// (`routes::is_operator`): then it is not counted against its network, and the admin handlers
    /// accept it.
    pub operator: bool,
    /// Whether this request's audit row is written (or in a batch), so a refusal is not logged twice.
    audited: Cell<bool>,
    /// The address the request is about, once a handler knows it (possibly from an unverified
    /// token): the audit row of a refusal names it, hashed.
    about: RefCell<Option<String>>,
    /// The action a refusal is recorded under, when the handler knows better than the endpoint
    /// (a session-signed `GET /account` is a session's use, not a sign-in).
    acting_as: Cell<Option<AuditAction>>,
}

impl RequestContext {
    /// The context of a request from `client_group` arriving at `now`.
    pub fn new(
        env: Env,
        config: Config,
        store: Store,
        hasher: KeyedHasher,
        client_group: &str,
        now: i64,
        operator: bool,
    ) -> Self {
        Self {
            client_hash: hasher.client(client_group),
            env,
            config,
            store,
            hasher,
            now,
            operator,
            audited: Cell::new(false),
            about: RefCell::new(None),
            acting_as: Cell::new(None),
        }
    }

    /// Keyed hash of an address.
    pub fn address_hash(&self, address: &str) -> String {
        self.hasher.address(address)
    }

    /// Notes the address this request is about, for the audit row of a refusal.
    pub fn about(&self, address: &str) {
        *self.about.borrow_mut() = Some(address.to_owned());
    }

    /// Records a refusal of this request under `action` rather than the endpoint's own.
    pub fn act_as(&self, action: AuditAction) {
        self.acting_as.set(Some(action));
    }

    /// The action [`Self::act_as`] set, if any.
    pub fn acting_as(&self) -> Option<AuditAction> {
        self.acting_as.get()
    }

    /// Whether a handler has written (or batched) this request's audit row.
    pub fn audited(&self) -> bool {
        self.audited.get()
    }

    /// Notes that this request's audit row was written by a batch of the handler's own.
    pub fn mark_audited(&self) {
        self.audited.set(true);
    }

    /// An audit record of this request, for a statement of the handler's own.
    pub fn audit_entry(
        &self,
        action: AuditAction,
        outcome: AuditOutcome,
        address: Option<&str>,
        key_id: Option<&str>,
    ) -> AuditEntry {
        self.entry(action, outcome, address, key_id.map(str::to_owned))
    }

    fn entry(
        &self,
        action: AuditAction,
        outcome: AuditOutcome,
        address: Option<&str>,
        key_id: Option<String>,
    ) -> AuditEntry {
        let address = address
            .map(str::to_owned)
            .or_else(|| self.about.borrow().clone());
        AuditEntry {
            action,
            outcome,
            address_hash: address.map(|address| self.address_hash(&address)),
            ip_hash: Some(self.client_hash.clone()),
            key_id,
        }
    }

    /// Writes an audit record of this request now.
    pub async fn audit(
        &self,
        action: AuditAction,
        outcome: impl Into<AuditOutcome>,
        address: Option<&str>,
        key_id: Option<&str>,
    ) {
        self.audited.set(true);
        let entry = self.entry(action, outcome.into(), address, key_id.map(str::to_owned));
        self.store.audit(&entry, self.now).await;
    }

    /// This request's audit record as a statement, for a batch with the state change it records
    /// ([`Self::commit_audited`]).
    pub fn audit_statement(
        &self,
        action: AuditAction,
        outcome: impl Into<AuditOutcome>,
        address: Option<&str>,
        key_id: Option<&str>,
    ) -> ApiResult<D1PreparedStatement> {
        let entry = self.entry(action, outcome.into(), address, key_id.map(str::to_owned));
        self.store.audit_statement(&entry, self.now)
    }

    /// Runs `statements`, which hold this request's audit row ([`Self::audit_statement`]), as one
    /// transaction; the request counts as audited once it has committed.
    pub async fn commit_audited(
        &self,
        statements: Vec<D1PreparedStatement>,
        what: &'static str,
    ) -> ApiResult<Vec<D1Result>> {
        let results = self.store.batch(statements, what).await?;
        self.audited.set(true);
        Ok(results)
    }
}

//! What every request handler works with: the configuration, the database, the keyed hasher, the
//! client's rate-limit group and the time the request arrived.

use crate::audit::{AuditAction, AuditOutcome};
use crate::config::Config;
use crate::keyed_hash::KeyedHasher;
use crate::store::{AuditEntry, Store};
use worker::Env;

/// Per-request context.
pub struct RequestContext {
    /// The worker's bindings.
    pub env: Env,
    /// Vars and secrets.
    pub config: Config,
    /// D1.
    pub store: Store,
    /// Keyed hashes for the audit log and bucket names.
    pub hasher: KeyedHasher,
    /// The client's group (`CF-Connecting-IP`, IPv6 per /64).
    pub client_group: String,
    /// When the request arrived, Unix seconds.
    pub now: i64,
}

impl RequestContext {
    /// Keyed hash of an address.
    pub fn address_hash(&self, address: &str) -> String {
        self.hasher.address(address)
    }

    /// Writes an audit record of this request.
    pub async fn audit(
        &self,
        action: AuditAction,
        outcome: impl Into<AuditOutcome>,
        address: Option<&str>,
        key_id: Option<&str>,
    ) {
        let address_hash = address.map(|address| self.address_hash(address));
        let client_hash = self.hasher.client(&self.client_group);
        self.store
            .audit(
                &AuditEntry {
                    action,
                    outcome: outcome.into(),
                    address_hash: address_hash.as_deref(),
                    ip_hash: Some(&client_hash),
                    key_id,
                },
                self.now,
            )
            .await;
    }
}

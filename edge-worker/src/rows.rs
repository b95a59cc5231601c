//! The D1 rows the worker reads, with their states typed. A state is parsed when its row is read, so
//! a value outside the schema's `CHECK` list is an internal error at that point (the store logs which
//! query failed, never the row) rather than a string compared later.

use protocol::confirmation::Purpose;
use serde::{Deserialize, Serialize};

protocol::vocabulary! {
    /// `accounts.status`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AccountStatus {
        /// The stored value.
        fn as_str;
        /// Its key signs.
        Active => "active",
        /// Disabled by its owner or the operator; kept for the record.
        Disabled => "disabled",
    }
}

protocol::vocabulary! {
    /// `confirmations.purpose`: what using the confirmation does.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ConfirmationPurpose {
        /// The stored value.
        fn as_str;
        /// Creates the account.
        Signup => "signup",
        /// Replaces the account's key.
        Change => "change",
    }
}

impl From<ConfirmationPurpose> for Purpose {
    fn from(purpose: ConfirmationPurpose) -> Self {
        match purpose {
            ConfirmationPurpose::Signup => Self::Signup,
            ConfirmationPurpose::Change => Self::Change,
        }
    }
}

/// `accounts.kdf_version`: how the account's current key was derived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum KdfVersion {
    /// Argon2id of the password alone ([`protocol::kdf::LEGACY_KDF_VERSION`]): every account
    /// created before v2. It signs only while `LEGACY_SIGN_IN` is on, and moves to version 2
    /// through the inbox.
    Legacy,
    /// OPRF, then Argon2id, then HKDF ([`protocol::kdf::KDF_PARAMS_VERSION`]): every key stored
    /// since.
    Current,
}

impl KdfVersion {
    /// The stored number.
    pub const fn number(self) -> u32 {
        match self {
            Self::Legacy => protocol::kdf::LEGACY_KDF_VERSION,
            Self::Current => protocol::kdf::KDF_PARAMS_VERSION,
        }
    }
}

impl TryFrom<u32> for KdfVersion {
    type Error = &'static str;

    fn try_from(number: u32) -> Result<Self, Self::Error> {
        match number {
            protocol::kdf::LEGACY_KDF_VERSION => Ok(Self::Legacy),
            protocol::kdf::KDF_PARAMS_VERSION => Ok(Self::Current),
            _ => Err("not a kdf_version the worker knows"),
        }
    }
}

impl From<KdfVersion> for u32 {
    fn from(version: KdfVersion) -> Self {
        version.number()
    }
}

/// An account row.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    /// Row id.
    pub id: i64,
    /// Canonical address.
    pub address: String,
    /// RFC 7638 thumbprint of the current key.
    pub key_id: String,
    /// The current key, 32 bytes base64url.
    pub public_key: String,
    /// Active or disabled.
    pub status: AccountStatus,
    /// When the signup was made.
    pub created_at: i64,
    /// When the signup was confirmed.
    pub confirmed_at: i64,
    /// How its current key was derived.
    pub kdf_version: KdfVersion,
}

/// A confirmation that has not been used and has not expired.
#[derive(Debug, Clone, Deserialize)]
pub struct PendingConfirmation {
    /// The address it is bound to.
    pub address: String,
    /// Signup or change.
    pub purpose: ConfirmationPurpose,
    /// Thumbprint of the pending key.
    pub key_id: String,
    /// The pending key, base64url.
    pub public_key: String,
}

/// A live session as its owner sees it in `GET /sessions` (a `sessions` row without its keys).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct SessionInfo {
    /// The handle it is ended by: 16 random bytes, base64url.
    pub id: String,
    /// The device label its token carried, or empty.
    pub label: String,
    /// When it was created.
    pub created_at: i64,
    /// When it last signed a request (or was created).
    pub last_used_at: i64,
    /// When it ends unless used before.
    pub idle_expires_at: i64,
    /// When it ends whatever its use.
    pub expires_at: i64,
    /// Whether it signed the request being answered (not a column).
    #[serde(default, skip_deserializing)]
    pub current: bool,
}

/// What authenticates a session request: the session, its account and that account's current key,
/// from one read (`sessions` joined to the active account whose current key certified it).
#[derive(Debug, Clone, Deserialize)]
pub struct SessionHolder {
    /// The session's id.
    pub session_id: String,
    /// The session key, 32 bytes base64url.
    pub session_public_key: String,
    /// The account's columns, as [`Account`] has them. Spelled out rather than `#[serde(flatten)]`:
    /// flattening brings serde's buffering of every column into the worker (about 12 KiB of the
    /// bundle, 4.7 KiB gzip, measured with `wrangler deploy --dry-run`).
    pub id: i64,
    /// The canonical address.
    pub address: String,
    /// The current key's id (the one that certified the session).
    pub key_id: String,
    /// The current key.
    pub public_key: String,
    /// Always active (the query says so).
    pub status: AccountStatus,
    /// When the signup was made.
    pub created_at: i64,
    /// When it was confirmed.
    pub confirmed_at: i64,
    /// How the account key was derived.
    pub kdf_version: KdfVersion,
}

impl SessionHolder {
    /// The session's id and the account.
    pub fn into_parts(self) -> (String, Account) {
        let account = Account {
            id: self.id,
            address: self.address,
            key_id: self.key_id,
            public_key: self.public_key,
            status: self.status,
            created_at: self.created_at,
            confirmed_at: self.confirmed_at,
            kdf_version: self.kdf_version,
        };
        (self.session_id, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = include_str!("../../migrations/0001_initial.sql");
    const V2: &str = include_str!("../../migrations/0003_v2.sql");

    /// The values of `CHECK (<column> IN ('a', 'b'))` in the schema.
    fn check_list(column: &str) -> Vec<&'static str> {
        let start = SCHEMA
            .find(&format!("CHECK ({column} IN ("))
            .unwrap_or_else(|| panic!("no CHECK on {column}"));
        let list = &SCHEMA[start..];
        let list = &list[list.find("IN (").unwrap() + 4..list.find(')').unwrap()];
        list.split(',')
            .map(|value| value.trim().trim_matches('\''))
            .collect()
    }

    #[test]
    fn the_types_hold_exactly_the_values_the_schema_allows() {
        let statuses: Vec<_> = AccountStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(statuses, check_list("status"));
        let purposes: Vec<_> = ConfirmationPurpose::ALL
            .iter()
            .map(|p| p.as_str())
            .collect();
        assert_eq!(purposes, check_list("purpose"));
        for status in AccountStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for purpose in ConfirmationPurpose::ALL {
            assert_eq!(serde_json::to_value(purpose).unwrap(), purpose.as_str());
            assert_eq!(Purpose::from(purpose).as_str(), purpose.as_str());
        }
    }

    #[test]
    fn a_value_outside_the_schema_does_not_read() {
        let row = |purpose: &str| {
            serde_json::from_value::<PendingConfirmation>(serde_json::json!({
                "address": "a@example.com", "purpose": purpose, "key_id": "k", "public_key": "p",
            }))
        };
        assert_eq!(row("change").unwrap().purpose, ConfirmationPurpose::Change);
        assert!(row("already_registered").is_err());
        assert!(row("Signup").is_err());
        let account = |status: &str| {
            serde_json::from_value::<Account>(serde_json::json!({
                "id": 1, "address": "a@example.com", "key_id": "k", "public_key": "p",
                "status": status, "created_at": 1, "confirmed_at": 2, "kdf_version": 2,
            }))
        };
        assert_eq!(account("disabled").unwrap().status, AccountStatus::Disabled);
        assert!(account("frozen").is_err());
    }

    #[test]
    fn a_session_holder_row_is_the_session_and_its_account() {
        let row: SessionHolder = serde_json::from_value(serde_json::json!({
            "session_id": "s", "session_public_key": "k", "id": 7, "address": "a@example.com",
            "key_id": "kid", "public_key": "p", "status": "active", "created_at": 1,
            "confirmed_at": 2, "kdf_version": 2,
        }))
        .unwrap();
        let (session_id, account) = row.into_parts();
        assert_eq!((session_id.as_str(), account.id), ("s", 7));
        assert_eq!(account.kdf_version, KdfVersion::Current);
    }

    #[test]
    fn kdf_versions_are_the_protocols_and_the_schemas() {
        let versions: Vec<String> = [KdfVersion::Legacy, KdfVersion::Current]
            .iter()
            .map(|v| v.number().to_string())
            .collect();
        assert!(V2.contains(&format!("CHECK (kdf_version IN ({}))", versions.join(", "))));
        let read = |version: serde_json::Value| {
            serde_json::from_value::<Account>(serde_json::json!({
                "id": 1, "address": "a@example.com", "key_id": "k", "public_key": "p",
                "status": "active", "created_at": 1, "confirmed_at": 2, "kdf_version": version,
            }))
        };
        assert_eq!(read(1.into()).unwrap().kdf_version, KdfVersion::Legacy);
        assert_eq!(read(2.into()).unwrap().kdf_version, KdfVersion::Current);
        assert!(read(3.into()).is_err());
        assert!(read("2".into()).is_err());
        assert_eq!(serde_json::to_value(KdfVersion::Current).unwrap(), 2);
    }
}

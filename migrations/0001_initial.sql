-- Notary's schema. Times are Unix seconds. Addresses are canonical (protocol::address).
-- Key ids are RFC 7638 thumbprints; public keys are 32 bytes of base64url.

-- Accounts. A row is created when a signup is confirmed; disabling keeps the row with status 'disabled'.
-- Among active accounts both the address and the key are unique (partial unique indexes), so an address
-- that signs up again after being disabled gets a new row.
CREATE TABLE accounts (
  id             INTEGER PRIMARY KEY,
  address        TEXT    NOT NULL,
  key_id         TEXT    NOT NULL,
  public_key     TEXT    NOT NULL,
  status         TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at     INTEGER NOT NULL, -- when the signup that created it was made
  confirmed_at   INTEGER NOT NULL, -- when that signup was confirmed
  key_changed_at INTEGER,          -- when a key change was last confirmed
  disabled_at    INTEGER
);
CREATE UNIQUE INDEX accounts_active_address ON accounts (address) WHERE status = 'active';
CREATE UNIQUE INDEX accounts_active_key_id ON accounts (key_id) WHERE status = 'active';

-- Pending keys and their confirmation tokens. The emailed token itself is never stored: only
-- base64url SHA-256 of it. Bound to the address, the key and the purpose; single use (used_at).
-- For purpose 'change', account_id and previous_key_id name the account and the key being replaced.
CREATE TABLE confirmations (
  token_hash      TEXT    PRIMARY KEY,
  address         TEXT    NOT NULL,
  purpose         TEXT    NOT NULL CHECK (purpose IN ('signup', 'change')),
  key_id          TEXT    NOT NULL,
  public_key      TEXT    NOT NULL,
  account_id      INTEGER REFERENCES accounts (id),
  previous_key_id TEXT,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  used_at         INTEGER,
  used_by         TEXT,             -- a random id of the request that used it, so that request knows it won
  CHECK ((purpose = 'change') = (account_id IS NOT NULL AND previous_key_id IS NOT NULL))
);
CREATE INDEX confirmations_address ON confirmations (address, purpose);
CREATE INDEX confirmations_expires_at ON confirmations (expires_at);

-- Every verified token's jti, per signing key, until the token can no longer be accepted.
CREATE TABLE replay (
  key_id     TEXT    NOT NULL,
  jti        TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, jti)
) WITHOUT ROWID;
CREATE INDEX replay_expires_at ON replay (expires_at);

-- The audit log: every state change and every admin action. Addresses and IPs appear only as keyed
-- hashes (HMAC-SHA256 under a key derived from SALT_SECRET), never in clear.
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  action       TEXT    NOT NULL,
  outcome      TEXT    NOT NULL,
  address_hash TEXT,
  ip_hash      TEXT,
  key_id       TEXT
);
CREATE INDEX audit_at ON audit (at);

-- Confirmation messages that the mail system still refused after every retry (from the dead-letter
-- queue). The confirmation token is not kept; the user asks again.
CREATE TABLE undelivered (
  idempotency_key TEXT    PRIMARY KEY,
  address_hash    TEXT    NOT NULL,
  purpose         TEXT    NOT NULL,
  expires_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL,
  recorded_at     INTEGER NOT NULL
) WITHOUT ROWID;

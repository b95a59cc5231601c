-- Sessions (issue 13): a device-bound key that the account key certified once (POST /sessions), so a
-- signed-in person need not derive the account key again. It signs only session requests (read the
-- account, list and end sessions).

-- One row per live session. `id` is random (16 bytes, base64url), the handle its owner ends it by.
-- `account_key_id` is the account key that certified it: a session lives only while that key is
-- still the account's current key and the account is active (checked on every use, so a key change
-- or a disable ends every session atomically, whatever else runs), and those changes delete the rows
-- in their own transaction. `idle_expires_at` moves forward on each use, never past `expires_at`.
-- An ended session's row is deleted; the audit log keeps the record (`session_create`,
-- `session_end`).
CREATE TABLE sessions (
  id              TEXT    PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts (id),
  account_key_id  TEXT    NOT NULL,
  key_id          TEXT    NOT NULL UNIQUE,
  public_key      TEXT    NOT NULL,
  label           TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  last_used_at    INTEGER NOT NULL,
  idle_expires_at INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  CHECK (idle_expires_at <= expires_at)
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account_id, last_used_at);
CREATE INDEX sessions_idle_expires_at ON sessions (idle_expires_at);

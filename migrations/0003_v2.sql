-- Protocol v2 (issue 12): the salt step is an OPRF with a per-address guess budget.

-- How the account's current key was derived: 1 = Argon2id of the password alone (every account
-- created before this migration), 2 = OPRF, then Argon2id, then HKDF. Every key stored from now on
-- (signup, change, recovery) is version 2; a version-1 account moves through the inbox.
ALTER TABLE accounts ADD COLUMN kdf_version INTEGER NOT NULL DEFAULT 1 CHECK (kdf_version IN (1, 2));

-- The same for a pending key: confirmations made before this migration hold version-1 keys (their
-- clients derived them so), and confirming one gives the account version 1; every confirmation made
-- from now on holds a version-2 key. Confirming copies it to the account.
ALTER TABLE confirmations ADD COLUMN kdf_version INTEGER NOT NULL DEFAULT 1 CHECK (kdf_version IN (1, 2));

-- The guess budget: OPRF evaluations per address (keyed hash) in the current clock hour (`hour` =
-- Unix seconds / 3600) and UTC day (`day` = Unix seconds / 86400), counted whether or not the
-- address has an account. A successful signed request of the account deletes its row. `marker` is a
-- random id of the request that last counted, so the statements of its batch know it was within the
-- budget.
CREATE TABLE guess_budgets (
  address_hash TEXT    PRIMARY KEY,
  hour         INTEGER NOT NULL,
  hour_count   INTEGER NOT NULL,
  day          INTEGER NOT NULL,
  day_count    INTEGER NOT NULL,
  marker       TEXT    NOT NULL
) WITHOUT ROWID;

-- Salt tickets: the owner's way through a spent guess budget, emailed to an active account's address
-- (POST /salt/ticket). The ticket itself is never stored: only base64url SHA-256 of it. Each allows
-- `uses_left` more evaluations until `expires_at`; a successful signed request of the account
-- deletes the address's tickets. `marker`: the request that last used it, as above.
CREATE TABLE salt_tickets (
  ticket_hash  TEXT    PRIMARY KEY,
  address_hash TEXT    NOT NULL,
  uses_left    INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  marker       TEXT
) WITHOUT ROWID;
CREATE INDEX salt_tickets_address ON salt_tickets (address_hash);
CREATE INDEX salt_tickets_expires_at ON salt_tickets (expires_at);

-- Limits that must be exact and lasting (the per-second and per-minute counts are the platform's Rate
-- Limiting bindings). Clients and addresses appear only as keyed hashes, as in the audit log.

-- Blocked client groups (IP, IPv6 /64), until `until`. KV (BLOCKED_IPS) caches them.
CREATE TABLE blocks (
  client_hash TEXT    PRIMARY KEY,
  since       INTEGER NOT NULL,
  until       INTEGER NOT NULL,
  reason      TEXT    NOT NULL, -- the limit that was exceeded: 'too_many_requests' or 'too_many_refusals'
  marker      TEXT    NOT NULL  -- a random id of the request that made the block, so it alone audits it
) WITHOUT ROWID;

-- Confirmation emails asked for (signup, recovery) per address, per client group, per hour (`hour` is
-- Unix seconds / 3600). `marker` is a random id of the request that counted last, so the statements of
-- its batch know whether it was within the budget.
CREATE TABLE email_counts (
  address_hash TEXT    NOT NULL,
  client_hash  TEXT    NOT NULL,
  hour         INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  marker       TEXT    NOT NULL,
  PRIMARY KEY (address_hash, hour, client_hash)
) WITHOUT ROWID;

-- When the owner of an active address was last told that someone tried to sign up with it: at most
-- one such notice a day.
CREATE TABLE notices (
  address_hash    TEXT    PRIMARY KEY,
  sent_at         INTEGER NOT NULL,
  idempotency_key TEXT    NOT NULL  -- the message that claimed it, so a retried delivery may still send it
) WITHOUT ROWID;

CREATE INDEX audit_address ON audit (address_hash, at);
CREATE INDEX audit_ip ON audit (ip_hash, at);

// The scheduled handler (cron) removes expired replay records, confirmations and pending keys, blocks,
// email counts and notices, and nothing that is still needed.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshAddress, getAccount, signUpAndConfirm } from "../support/flows.mjs";
import { now } from "../support/tokens.mjs";
import { startWorker } from "../support/worker.mjs";

describe("scheduled cleanup", () => {
  let w;
  before(async () => {
    w = await startWorker();
  });
  after(() => w?.close());

  test("removes what expired, keeps what is live", async () => {
    const user = await signUpAndConfirm(w, freshAddress("cleanup"));
    assert.equal((await getAccount(w, user.address, user.key)).status, 200);
    const t = now();
    await w.db.batch([
      w.db.prepare("INSERT INTO replay (key_id, jti, expires_at) VALUES ('k', 'old', ?), ('k', 'live', ?)").bind(t - 10, t + 300),
      w.db
        .prepare(
          `INSERT INTO confirmations (token_hash, address, purpose, key_id, public_key, created_at, expires_at, used_at) VALUES
           ('expired', 'a@example.com', 'signup', 'k', 'x', ?1, ?2, NULL),
           ('used-long-ago', 'b@example.com', 'signup', 'k', 'x', ?1, ?3, ?4),
           ('pending', 'c@example.com', 'signup', 'k', 'x', ?1, ?3, NULL)`,
        )
        .bind(t - 100_000, t - 1, t + 3600, t - 90_000),
      w.db
        .prepare("INSERT INTO blocks (client_hash, since, until, reason, marker) VALUES ('ended', ?1, ?2, 'too_many_requests', 'm'), ('live', ?1, ?3, 'too_many_requests', 'm')")
        .bind(t - 4000, t - 400, t + 3000),
      w.db
        .prepare("INSERT INTO email_counts (address_hash, client_hash, hour, count, marker) VALUES ('a', 'c', ?1, 1, 'm'), ('a', 'c', ?2, 1, 'm')")
        .bind(Math.floor(t / 3600) - 1, Math.floor(t / 3600)),
      w.db
        .prepare("INSERT INTO notices (address_hash, sent_at, idempotency_key) VALUES ('old', ?1, 'k'), ('today', ?2, 'k')")
        .bind(t - 90_000, t - 600),
    ]);
    const replayBefore = (await w.sql("SELECT jti FROM replay")).length;
    await w.scheduled();
    const replay = (await w.sql("SELECT jti FROM replay")).map((r) => r.jti);
    assert.ok(!replay.includes("old"));
    assert.ok(replay.includes("live"));
    // The real tokens of the flow above expire in about three minutes: still kept.
    assert.equal(replay.length, replayBefore - 1);
    const confirmations = (await w.sql("SELECT token_hash FROM confirmations")).map((r) => r.token_hash);
    assert.ok(!confirmations.includes("expired"));
    assert.ok(!confirmations.includes("used-long-ago"));
    assert.ok(confirmations.includes("pending"));
    assert.deepEqual((await w.sql("SELECT client_hash FROM blocks")).map((r) => r.client_hash), ["live"]);
    assert.deepEqual((await w.sql("SELECT hour FROM email_counts WHERE address_hash = 'a'")).map((r) => r.hour), [Math.floor(t / 3600)]);
    assert.deepEqual((await w.sql("SELECT address_hash FROM notices")).map((r) => r.address_hash), ["today"]);
    // The accounts and the audit log are untouched.
    assert.equal((await w.sql("SELECT * FROM accounts WHERE address = ?", user.address)).length, 1);
    assert.ok((await w.sql("SELECT * FROM audit")).length >= 2);
    assert.equal((await getAccount(w, user.address, user.key)).status, 200);
  });
});

// Confirmation delivery through the queue: a mail system that is down and comes back loses nothing;
// what still fails after every retry lands in the dead-letter queue and is recorded in D1.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshAddress, nextMessage, postConfirm, postSignup } from "../support/flows.mjs";
import { newKey, now } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe("a mail system that fails and comes back", () => {
  let w;
  before(async () => {
    w = await startWorker({ vars: { DELIVERY_RETRY_BASE_SECS: "1" } });
  });
  after(() => w?.close());

  test("nothing is lost: the message arrives once it is back, and its token works", async () => {
    w.mailbox.setFailing(503);
    const address = freshAddress("outage");
    const key = newKey();
    const attemptsBefore = w.mailbox.deliveryAttempts();
    assert.equal((await postSignup(w, address, key)).status, 202);
    // The consumer keeps trying while the mail system refuses.
    await until(() => w.mailbox.deliveryAttempts() >= attemptsBefore + 2, 20_000, "two failed attempts");
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 0);
    w.mailbox.setFailing(0);
    const message = await nextMessage(w, address, "signup", new Set(), 30_000);
    assert.equal((await read(await postConfirm(w, address, key, message.token))).status, 200);
    await sleep(1500);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 1);
    assert.equal((await w.sql("SELECT * FROM undelivered")).length, 0);
  });

  test("the retry delay grows with the message's age", async () => {
    w.mailbox.setFailing(500);
    const address = freshAddress("backoff");
    const start = Date.now();
    const times = [];
    const baseline = w.mailbox.deliveryAttempts();
    await postSignup(w, address, newKey());
    for (let n = 1; n <= 3; n += 1) {
      await until(() => w.mailbox.deliveryAttempts() >= baseline + n, 30_000, `attempt ${n}`);
      times.push((Date.now() - start) / 1000);
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Base 1 s, then as long as the message has waited (about 1 s, then about 3 s, plus the 1 s batch
    // timeout each time): the second gap is clearly longer than the first.
    assert.ok(gaps[1] > gaps[0] + 1, `gaps ${gaps.map((g) => g.toFixed(1)).join(", ")}`);
    w.mailbox.setFailing(0);
  });
});

describe("dead-letter queue", () => {
  let w;
  before(async () => {
    w = await startWorker({
      vars: { DELIVERY_RETRY_BASE_SECS: "1" },
      // Fewer retries than in wrangler.toml, so the message reaches the dead-letter queue quickly.
      adjust(options) {
        options.queueConsumers["notary-confirmations"].maxRetries = 1;
      },
    });
  });
  after(() => w?.close());

  test("a message that still fails is parked, recorded without its token, and audited", async () => {
    w.mailbox.setFailing(503);
    const address = freshAddress("deadletter");
    const baseline = w.mailbox.deliveryAttempts();
    await postSignup(w, address, newKey());
    const [row] = await until(async () => {
      const rows = await w.sql("SELECT * FROM undelivered");
      return rows.length ? rows : null;
    }, 20_000, "the undelivered record");
    // Two attempts on the queue (max_retries = 1) and one more from the dead-letter consumer.
    assert.equal(w.mailbox.deliveryAttempts() - baseline, 3);
    assert.equal(row.purpose, "signup");
    assert.match(row.address_hash, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(row.expires_at > now());
    assert.ok(!JSON.stringify(row).includes(address));
    const audit = await w.sql("SELECT action, outcome FROM audit WHERE action = 'deliver_signup'");
    assert.deepEqual(audit, [{ action: "deliver_signup", outcome: "undelivered" }]);
    // Acked: no further attempts.
    await sleep(3000);
    assert.equal(w.mailbox.deliveryAttempts() - baseline, 3);
    w.mailbox.setFailing(0);
  });

  test("the dead-letter consumer delivers when the mail system is back", async () => {
    const address = freshAddress("late");
    const worker = await w.mf.getWorker();
    const body = {
      idempotency_key: "late-delivery-key-0001",
      message: {
        address,
        purpose: "signup",
        token: Buffer.alloc(32, 7).toString("base64url"),
        expires_at: now() + 600,
        link: `${w.publicUri}/confirm.html#token=x&address=${encodeURIComponent(address)}&purpose=signup`,
      },
    };
    const result = await worker.queue("notary-confirmations-dlq", [
      { id: "dlq-1", timestamp: new Date(), body, attempts: 1 },
    ]);
    assert.equal(result.outcome, "ok");
    assert.deepEqual(result.explicitAcks, ["dlq-1"]);
    const message = await nextMessage(w, address, "signup");
    assert.equal(message.idempotencyKey, "late-delivery-key-0001");
    const audit = await w.sql("SELECT outcome FROM audit WHERE action = 'deliver_signup' AND outcome = 'delivered_late'");
    assert.equal(audit.length, 1);
  });
});

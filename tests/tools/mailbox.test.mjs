// The development mailbox is the mail system of every test: it must refuse what a real receiver refuses.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";
import { startMailbox, verifySignature } from "../../tools/mailbox.mjs";

const secret = "mailbox-test-secret";
let mailbox;
before(async () => {
  mailbox = await startMailbox({ secret });
});
after(() => mailbox.close());

function signed(body, { t = Math.floor(Date.now() / 1000), key = "k-1", with_secret = secret } = {}) {
  const v1 = createHmac("sha256", with_secret).update(`${t}.${body}`).digest("hex");
  return { "notary-signature": `t=${t},v1=${v1}`, "idempotency-key": key, "content-type": "application/json" };
}

const message = (address) =>
  JSON.stringify({ address, purpose: "signup", token: "tok", expires_at: 1, link: "http://127.0.0.1:8787/confirm.html#token=tok" });

test("accepts a signed message once per idempotency key and lists it", async () => {
  const body = message("alice@example.com");
  const first = await fetch(mailbox.url, { method: "POST", headers: signed(body), body });
  const again = await fetch(mailbox.url, { method: "POST", headers: signed(body), body });
  assert.equal(first.status, 202);
  assert.equal(again.status, 200);
  const listed = await (await fetch(`${mailbox.url}?address=alice@example.com`)).json();
  assert.equal(listed.length, 1);
  assert.equal(listed[0].purpose, "signup");
  const found = await mailbox.waitFor((m) => m.address === "alice@example.com", 1000);
  assert.equal(found.idempotencyKey, "k-1");
  assert.match(await (await fetch(mailbox.pageUrl)).text(), /alice@example\.com/);
});

test("refuses a wrong secret, a stale timestamp and a missing header", async () => {
  const body = message("mallory@example.com");
  const wrong = await fetch(mailbox.url, { method: "POST", headers: signed(body, { key: "k-2", with_secret: "guess" }), body });
  const stale = await fetch(mailbox.url, { method: "POST", headers: signed(body, { key: "k-3", t: 1_000_000 }), body });
  const none = await fetch(mailbox.url, { method: "POST", headers: { "idempotency-key": "k-4" }, body });
  assert.deepEqual([wrong.status, stale.status, none.status], [401, 401, 401]);
  assert.equal(mailbox.messages().filter((m) => m.address === "mallory@example.com").length, 0);
  assert.equal(verifySignature("t=1,v1=zz", Buffer.from(body), secret), false);
});

test("plays a mail system that is down, then comes back", async () => {
  const body = message("bob@example.com");
  mailbox.setFailing(503);
  const down = await fetch(mailbox.url, { method: "POST", headers: signed(body, { key: "k-5" }), body });
  mailbox.setFailing(false);
  const up = await fetch(mailbox.url, { method: "POST", headers: signed(body, { key: "k-5" }), body });
  assert.deepEqual([down.status, up.status], [503, 202]);
  await assert.rejects(mailbox.waitFor((m) => m.address === "nobody@example.com", 50), /no matching message/);
});

// Rate limits: per client IP (IPv6 per /64) in the RateLimiter Durable Object, blocks cached in KV,
// per-address limits on salt, confirmation emails and confirm; X-Forwarded-For never counts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freshAddress, nextMessage, postConfirm, postSignup } from "../support/flows.mjs";
import { newKey } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe("per-IP limits", () => {
  let w;
  before(async () => {
    w = await startWorker({
      vars: { MAX_CALLS_PER_SECOND: "3", MAX_CALLS_PER_MINUTE: "6", BLOCK_IPS_FOR: "0.001" },
    });
  });
  after(() => w?.close());

  const health = async (ip, headers = {}) => read(await w.fetch("/health", { ip, headers }));

  test("over the per-second limit: 429 rate_limited with Retry-After, then allowed again", async () => {
    const ip = "198.51.100.1";
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await health(ip)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const refused = await health(ip);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error, "rate_limited");
    assert.equal(refused.headers.get("retry-after"), "1");
    await sleep(1100);
    assert.equal((await health(ip)).status, 200);
  });

  test("over the per-minute limit: blocked for BLOCK_IPS_FOR, cached in KV, then free again", async () => {
    const ip = "198.51.100.2";
    const statuses = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push((await health(ip)).status);
      if (i % 3 === 2) await sleep(1050);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
    const blocked = await health(ip);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error, "rate_limited");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 4, `Retry-After ${retryAfter}`);
    // The block is cached in KV (keyed by a hash of the IP, holding the end of the block).
    const kv = await w.mf.getKVNamespace("BLOCKED_IPS");
    const { keys } = await kv.list({ prefix: "ip:" });
    assert.equal(keys.length, 1);
    assert.ok(!keys[0].name.includes(ip));
    const until = Number(await kv.get(keys[0].name));
    assert.ok(until > Date.now() && until <= Date.now() + 4000);
    // Still blocked after the per-second window; other clients are not.
    await sleep(1100);
    assert.equal((await health(ip)).status, 429);
    assert.equal((await health("198.51.100.3")).status, 200);
    // BLOCK_IPS_FOR = 0.001 h = 4 s (rounded): afterwards the client starts afresh.
    await sleep(until - Date.now() + 200);
    assert.equal((await health(ip)).status, 200);
  });

  test("X-Forwarded-For and X-Real-IP do not change which client is counted", async () => {
    const ip = "198.51.100.4";
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await health(ip, { "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  test("IPv6 clients are grouped by /64", async () => {
    const statuses = [];
    for (let i = 1; i <= 4; i += 1) statuses.push((await health(`2001:db8:aa:bb::${i}`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await health("2001:db8:aa:bc::1")).status, 200);
  });

  test("every path counts, including unknown ones", async () => {
    const ip = "198.51.100.5";
    const statuses = [];
    for (const path of ["/nope", "/salt", "/account", "/health"]) statuses.push((await read(await w.fetch(path, { ip }))).status);
    assert.deepEqual(statuses, [404, 405, 401, 429]);
  });
});

describe("per-address limits", () => {
  let w;
  let n = 0;
  const ip = () => `192.0.2.${(n += 1)}`;
  before(async () => {
    w = await startWorker({
      vars: {
        MAX_SALTS_PER_ADDRESS_PER_MINUTE: "3",
        MAX_EMAILS_PER_ADDRESS_PER_HOUR: "2",
        MAX_CONFIRMS_PER_ADDRESS_PER_HOUR: "3",
      },
    });
  });
  after(() => w?.close());

  test("salt: per address, whichever IP asks and however the address is spelled", async () => {
    const address = freshAddress("salty");
    const spellings = [address, address.toUpperCase(), ` ${address}`, address];
    const statuses = [];
    for (const spelling of spellings) statuses.push((await read(await w.fetch("/salt", { ip: ip(), json: { address: spelling } }))).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const other = await read(await w.fetch("/salt", { ip: ip(), json: { address: freshAddress("other") } }));
    assert.equal(other.status, 200);
  });

  test("confirmation emails: no one can flood an inbox", async () => {
    const address = freshAddress("flooded");
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await read(await postSignup(w, address, newKey(), { ip: ip() }))).status);
    assert.deepEqual(statuses, [202, 202, 429, 429]);
    const refused = await read(await postSignup(w, address, newKey(), { ip: ip() }));
    assert.equal(refused.body.error, "rate_limited");
    assert.ok(Number(refused.headers.get("retry-after")) > 3000);
    await sleep(2500);
    assert.equal(w.mailbox.messages().filter((m) => m.address === address).length, 2);
  });

  test("confirm: attempts per address are limited, so confirmations cannot be guessed", async () => {
    const address = freshAddress("guessed");
    const key = newKey();
    await postSignup(w, address, key, { ip: ip() });
    const message = await nextMessage(w, address, "signup");
    const guesses = [];
    for (let i = 0; i < 3; i += 1) {
      const guess = Buffer.alloc(32, i).toString("base64url");
      guesses.push((await read(await postConfirm(w, address, key, guess, { ip: ip() }))).body.error);
    }
    assert.deepEqual(guesses, ["confirmation_invalid", "confirmation_invalid", "confirmation_invalid"]);
    const real = await read(await postConfirm(w, address, key, message.token, { ip: ip() }));
    assert.equal(real.status, 429);
    assert.equal(real.body.error, "rate_limited");
  });
});

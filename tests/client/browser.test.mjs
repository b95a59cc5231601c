// The packed npm package in headless Chromium (Debian's, driven by playwright-core): its browser
// files are served by a tiny local static server that passes every other path to the real worker in
// workerd (startSameOriginServer), so pages and API share one origin as in production. In the
// page: the main-thread API loads the SIMD build and reproduces the shared key vectors; the Web Worker
// client runs the whole flow (with progress events, the page's thread free while the key is derived),
// and its errors arrive as NotaryErrors with stable codes.
//
// Needs `bash client-wasm/scripts/build.sh` and `bash edge-worker/build.sh`.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as jose from "jose";
import { launchChromium } from "../support/chromium.mjs";
import { installPackedPackage, ROOT, startSameOriginServer, vectors } from "./support.mjs";

const workerBuilt = existsSync(join(ROOT, "edge-worker/build/index.js"));
const PAGE = `<!doctype html><meta charset="utf-8"><title>notary-client in Chromium</title><p>notary-client test page</p>`;

/** @type {ReturnType<typeof installPackedPackage>} */
let scratch;
/** @type {Awaited<ReturnType<typeof startSameOriginServer>>} */
let app;
let origin;
/** @type {Awaited<ReturnType<typeof import("../support/worker.mjs").startWorker>>} */
let w;
let browser;
/** @type {import("playwright-core").Page} */
let page;
const requested = [];

before(async () => {
  if (!workerBuilt) return;
  scratch = installPackedPackage();
  app = await startSameOriginServer((pathname) => {
    if (pathname === "/") return { html: PAGE };
    if (pathname.startsWith("/pkg/")) return { dir: scratch.installed, path: pathname.slice(5) };
    return null;
  });
  ({ origin, worker: w } = app);
  browser = await launchChromium();
  browser.on("request", (request) => requested.push(request.url()));
  page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${origin}/`);
});

after(async () => {
  await browser?.close();
  await app?.close();
  scratch?.cleanup();
});

/** Waits for the emailed token of `purpose` to `address`. */
async function emailed(address, purpose) {
  return (await w.mailbox.waitFor((m) => m.address === address && m.purpose === purpose)).token;
}

describe("notary-client in Chromium", { skip: !workerBuilt && "edge-worker/build is missing (bash edge-worker/build.sh)" }, () => {
  test("the main-thread API loads the SIMD build and reproduces the shared key vectors", async () => {
    const derivations = vectors("keys").derivations;
    const result = await page.evaluate(async (derivations) => {
      const notary = await import("/pkg/index.js");
      const loaded = await notary.ready();
      const kids = derivations.map((d) => {
        const key = notary.deriveKey({ address: d.address, salt: d.salt, kdf: d.kdf, kdf_version: 1 }, d.password);
        const kid = key.keyId;
        key.free();
        return kid;
      });
      let error;
      try {
        notary.deriveKey({ address: "a@example.com", salt: "Na_mKGw0GDhz3GNYQigbhw", kdf: { algorithm: "argon2id", version: 19, memory_kib: 19456, iterations: 2, parallelism: 1 }, kdf_version: 1 }, "short");
      } catch (e) {
        error = { isNotaryError: e instanceof notary.NotaryError, code: e.code };
      }
      return { loaded, kids, error };
    }, derivations);
    assert.deepEqual(result.loaded, { simd: true });
    assert.deepEqual(result.kids, derivations.map((d) => d.kid));
    assert.deepEqual(result.error, { isNotaryError: true, code: "invalid_password" });
  });

  test("the Web Worker client runs the whole flow, with progress and the page's thread free", async () => {
    const address = `browser.${Date.now().toString(36)}@example.com`;
    await page.evaluate(async () => {
      const { createWorkerClient, NotaryError } = await import("/pkg/worker-client.js");
      window.notaryClient = createWorkerClient({ baseUrl: location.origin });
      window.NotaryError = NotaryError;
      window.failure = (promise) =>
        promise.then(
          () => ({ resolved: true }),
          (e) => ({ isNotaryError: e instanceof NotaryError, code: e.code, status: e.status ?? null }),
        );
    });
    assert.deepEqual(await page.evaluate(() => notaryClient.ready), { simd: true, baseUrl: origin });

    // Before any key: the worker says so.
    assert.deepEqual(await page.evaluate(() => failure(notaryClient.signup())), {
      isNotaryError: true,
      code: "no_key",
      status: null,
    });

    const derived = await page.evaluate(async (address) => {
      const events = [];
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const info = await notaryClient.deriveKey(` ${address.toUpperCase()} `, "first browser password", {
        onProgress: (event) => events.push({ ...event, ticksSoFar: ticks }),
      });
      clearInterval(timer);
      return { info, events, ticks };
    }, address);
    assert.equal(derived.info.address, address);
    assert.equal(derived.info.keyId, await jose.calculateJwkThumbprint(derived.info.publicJwk, "sha256"));
    assert.deepEqual(derived.events.map((e) => e.phase), ["start", "done"]);
    assert.ok(Number.isInteger(derived.events[1].ms) && derived.events[1].ms > 0, JSON.stringify(derived.events));
    // The page's timers kept firing while the worker derived the key.
    assert.ok(derived.events[1].ticksSoFar - derived.events[0].ticksSoFar >= 3, JSON.stringify(derived));

    assert.deepEqual(await page.evaluate(() => notaryClient.signup()), { status: "confirmation_sent" });
    const signupToken = await emailed(address, "signup");
    assert.deepEqual(await page.evaluate((t) => notaryClient.confirm(t), signupToken), {
      status: "active",
      address,
      key_id: derived.info.keyId,
    });
    const account = await page.evaluate(() => notaryClient.account());
    assert.equal(account.key_id, derived.info.keyId);
    assert.equal(account.status, "active");

    const fetched = await page.evaluate(async () => {
      const response = await notaryClient.signedFetch("/account");
      return { status: response.status, body: await response.json() };
    });
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.address, address);

    const assertion = await page.evaluate(() => notaryClient.assertion("https://partner.example", 60));
    const { payload, protectedHeader } = await jose.jwtVerify(
      assertion,
      await jose.importJWK(derived.info.publicJwk, "EdDSA"),
      { algorithms: ["EdDSA"], typ: "notary-assertion+jwt", audience: "https://partner.example" },
    );
    assert.equal(payload.sub, address);
    assert.equal(protectedHeader.kid, derived.info.keyId);

    // Change of password by the recovery path (emailed), with a second key slot.
    for (const recovery of [false, true]) {
      assert.deepEqual(await page.evaluate((recovery) => failure(notaryClient.changePassword({ recovery })), recovery), {
        isNotaryError: true,
        code: "no_pending_key",
        status: null,
      });
    }
    const next = await page.evaluate(() => notaryClient.deriveNewKey("second browser password"));
    assert.notEqual(next.keyId, derived.info.keyId);
    assert.deepEqual(await page.evaluate(() => notaryClient.changePassword({ recovery: true })), {
      status: "confirmation_sent",
    });
    assert.equal((await page.evaluate(() => notaryClient.keyInfo())).current.keyId, derived.info.keyId);
    const changeToken = await emailed(address, "change");
    await page.evaluate((t) => notaryClient.confirm(t, { useNewKey: true }), changeToken);
    const keys = await page.evaluate(() => notaryClient.keyInfo());
    assert.equal(keys.current.keyId, next.keyId);
    assert.equal(keys.pending, null);
    assert.equal((await page.evaluate(() => notaryClient.account())).key_id, next.keyId);

    // Disable; the server's refusal arrives as a NotaryError with its code and status.
    assert.deepEqual(await page.evaluate(() => notaryClient.disable()), { status: "disabled" });
    const refused = await page.evaluate(() => failure(notaryClient.account()));
    assert.equal(refused.isNotaryError, true);
    assert.equal(typeof refused.code, "string");
    assert.ok(refused.status >= 400 && refused.status < 500, JSON.stringify(refused));

    // Forget, then terminate.
    await page.evaluate(() => notaryClient.forget());
    assert.deepEqual(await page.evaluate(() => failure(notaryClient.account())), {
      isNotaryError: true,
      code: "no_key",
      status: null,
    });
    assert.deepEqual(
      await page.evaluate(() => {
        notaryClient.terminate();
        return failure(notaryClient.keyInfo());
      }),
      { isNotaryError: true, code: "terminated", status: null },
    );
  });

  test("with a salt store on the page, a new worker derives a known address's key without /salt", async () => {
    const address = `browser.kept.${Date.now().toString(36)}@example.com`;
    const saltRequests = () => requested.filter((url) => url === `${origin}/salt`).length;
    const run = (recovery) =>
      page.evaluate(
        async ({ address, recovery }) => {
          const { createWorkerClient } = await import("/pkg/worker-client.js");
          window.keptSalts ??= new Map();
          window.storeCalls ??= [];
          const saltStore = {
            get: (baseUrl, address) => {
              storeCalls.push(["get", baseUrl, address]);
              return keptSalts.get(`${baseUrl} ${address}`) ?? null;
            },
            // Asynchronous on purpose: the worker waits for nothing but the get.
            set: async (baseUrl, address, answer) => {
              storeCalls.push(["set", baseUrl, address]);
              keptSalts.set(`${baseUrl} ${address}`, answer);
            },
          };
          const client = createWorkerClient({ baseUrl: location.origin, saltStore });
          try {
            const info = recovery
              ? await client.deriveNewKey("kept salt password", { address: address.toUpperCase() })
              : await client.deriveKey(address.toUpperCase(), "kept salt password");
            // The worker's own client keeps the answer too: no store call, no request.
            const again = await client.deriveNewKey("another password", { address });
            return { keyId: info.keyId, again: again.keyId, calls: storeCalls.splice(0) };
          } finally {
            client.terminate();
          }
        },
        { address, recovery },
      );
    const before = saltRequests();
    const first = await run(false);
    assert.equal(saltRequests(), before + 1, "the first worker asked /salt");
    assert.deepEqual(first.calls, [
      ["get", origin, address],
      ["set", origin, address],
    ]);
    const second = await run(true);
    assert.equal(saltRequests(), before + 1, "a new worker did not ask /salt again");
    assert.equal(second.keyId, first.keyId);
    assert.equal(second.again, first.again);
    assert.deepEqual(second.calls, [["get", origin, address]]);
  });

  test("a salt store that fails counts as empty, and a bad one is refused at once", async () => {
    const result = await page.evaluate(async () => {
      const { createWorkerClient, NotaryError } = await import("/pkg/worker-client.js");
      const client = createWorkerClient({
        baseUrl: location.origin,
        saltStore: {
          get: () => Promise.reject(new Error("broken")),
          set: () => {
            throw new Error("full");
          },
        },
      });
      const info = await client.deriveKey("browser.broken.store@example.com", "some password");
      client.terminate();
      let refused;
      try {
        createWorkerClient({ baseUrl: location.origin, saltStore: { get() {} } });
      } catch (e) {
        refused = { isNotaryError: e instanceof NotaryError, code: e.code };
      }
      return { address: info.address, refused };
    });
    assert.deepEqual(result, {
      address: "browser.broken.store@example.com",
      refused: { isNotaryError: true, code: "invalid_argument" },
    });
  });

  // Needs the worker's signed change (PATCH /signature with Authorization: Notary, issue 11).
  test("the Web Worker client changes the password with the session's key at once", async () => {
    const address = `browser.signed.${Date.now().toString(36)}@example.com`;
    const first = await page.evaluate(async (address) => {
      const { createWorkerClient } = await import("/pkg/worker-client.js");
      window.signedClient = createWorkerClient({ baseUrl: location.origin });
      const info = await signedClient.deriveKey(address, "first signed password");
      await signedClient.signup();
      return info;
    }, address);
    await page.evaluate((t) => signedClient.confirm(t), await emailed(address, "signup"));
    const next = await page.evaluate(() => signedClient.deriveNewKey("second signed password"));
    const before = w.mailbox.messages().length;
    assert.deepEqual(await page.evaluate(() => signedClient.changePassword()), {
      status: "active",
      address,
      key_id: next.keyId,
    });
    const keys = await page.evaluate(() => signedClient.keyInfo());
    assert.deepEqual([keys.current.keyId, keys.pending], [next.keyId, null]);
    assert.equal((await page.evaluate(() => signedClient.account())).key_id, next.keyId);
    assert.notEqual(next.keyId, first.keyId);
    assert.equal(w.mailbox.messages().length, before, "no email for a signed change");
    await page.evaluate(() => signedClient.terminate());
  });

  test("a worker script that cannot load rejects every call with worker_error", async () => {
    const result = await page.evaluate(async () => {
      const { createWorkerClient, NotaryError } = await import("/pkg/worker-client.js");
      const client = createWorkerClient({ baseUrl: location.origin, workerUrl: "/pkg/no-such-worker.js" });
      try {
        await client.deriveKey("a@example.com", "some password");
        return { resolved: true };
      } catch (e) {
        return { isNotaryError: e instanceof NotaryError, code: e.code };
      }
    });
    assert.deepEqual(result, { isNotaryError: true, code: "worker_error" });
  });

  test("the page requested nothing from any other origin", () => {
    assert.ok(requested.length > 5);
    assert.deepEqual(requested.filter((url) => !url.startsWith(`${origin}/`)), []);
  });
});

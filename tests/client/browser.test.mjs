// The packed npm package in headless Chromium (Debian's, driven by playwright-core): its browser
// files are served by a tiny local static server that passes every other path to the real worker in
// workerd (startSameOriginServer), so pages and API share one origin as in production. In the
// page: the main-thread API loads the SIMD build and reproduces the shared key vectors (version 1
// through deriveLegacyKey, version 2 through deriveKey) against salt answers that Node computes with
// a real OPRF (@noble/curves) for the page's requests to /fake/<n>/salt; the Web Worker client runs
// the whole flow (with progress events, the page's thread free while the key is derived), and its
// errors arrive as NotaryErrors with stable codes; and its sessions (issue 13): a non-extractable
// WebCrypto key kept in IndexedDB, resumed by a new worker client with no derivation, signed out, and
// refused once the server ended it.
//
// Needs `bash client-wasm/scripts/build.sh` and `bash edge-worker/build.sh`.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import * as jose from "jose";
import { launchChromium } from "../support/chromium.mjs";
import { installPackedPackage, keyVectorRuns, ROOT, serveFakeSalt, startSameOriginServer } from "./support.mjs";

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
    const runs = keyVectorRuns();
    const stop = await serveFakeSalt(page, runs);
    try {
      const result = await page.evaluate(async (runs) => {
        const notary = await import("/pkg/index.js");
        const loaded = await notary.ready();
        const kids = [];
        for (const [n, run] of runs.entries()) {
          const client = new notary.NotaryClient(`${location.origin}/fake/${n}`);
          const evaluation = await client.evaluate(run.address, run.password);
          const key = run.version === 1 ? evaluation.deriveLegacyKey() : evaluation.deriveKey();
          kids.push(key.keyId);
          for (const object of [key, evaluation, client]) object.free();
        }
        let error;
        try {
          await new notary.NotaryClient(`${location.origin}/fake/0`).evaluate("a@example.com", "short");
        } catch (e) {
          error = { isNotaryError: e instanceof notary.NotaryError, code: e.code };
        }
        return { loaded, kids, error };
      }, runs.map(({ address, password, version }) => ({ address, password, version })));
      assert.deepEqual(result.loaded, { simd: true });
      assert.deepEqual(result.kids, runs.map((d) => d.kid));
      assert.deepEqual(result.error, { isNotaryError: true, code: "invalid_password" });
    } finally {
      await stop();
    }
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
      code: "no_pending_key",
      status: null,
    });
    assert.deepEqual(await page.evaluate(() => failure(notaryClient.account())), {
      isNotaryError: true,
      code: "no_key",
      status: null,
    });

    const derived = await page.evaluate(async (address) => {
      const events = [];
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const info = await notaryClient.deriveNewKey("first browser password", {
        address: ` ${address.toUpperCase()} `,
        onProgress: (event) => events.push({ ...event, ticksSoFar: ticks }),
      });
      clearInterval(timer);
      return { info, events, ticks };
    }, address);
    assert.equal(derived.info.address, address);
    assert.equal(derived.info.keyId, await jose.calculateJwkThumbprint(derived.info.publicJwk, "sha256"));
    assert.deepEqual(derived.events.map((e) => e.phase), ["evaluate", "start", "done"]);
    const [, start, done] = derived.events;
    assert.ok(Number.isInteger(done.ms) && done.ms > 0, JSON.stringify(derived.events));
    // The page's timers kept firing while the worker derived the key.
    assert.ok(done.ticksSoFar - start.ticksSoFar >= 3, JSON.stringify(derived));

    assert.deepEqual(await page.evaluate(() => notaryClient.signup()), { status: "confirmation_sent" });
    assert.equal((await page.evaluate(() => notaryClient.keyInfo())).current.keyId, derived.info.keyId);
    const signupToken = await emailed(address, "signup");
    assert.deepEqual(await page.evaluate((t) => notaryClient.confirm(t), signupToken), {
      status: "active",
      address,
      key_id: derived.info.keyId,
    });
    const account = await page.evaluate(() => notaryClient.account());
    assert.equal(account.key_id, derived.info.keyId);
    assert.equal(account.status, "active");
    assert.equal(account.kdf_version, 2);

    // Sign in again (a new session key, the same key), with the client's progress forwarded.
    const signedIn = await page.evaluate(async (address) => {
      const events = [];
      const result = await notaryClient.signIn(address, "first browser password", {
        onProgress: (event) => events.push(event),
      });
      return { result, events };
    }, address);
    assert.equal(signedIn.result.key.keyId, derived.info.keyId);
    assert.equal(signedIn.result.account.key_id, derived.info.keyId);
    assert.equal(signedIn.result.newKey, undefined);
    assert.deepEqual(signedIn.events.map((e) => e.phase), ["evaluate", "start", "done", "sign-in"]);
    assert.equal(signedIn.events[1].kdfVersion, 2);
    // A wrong password: refused, and the session has no key any more.
    assert.deepEqual(await page.evaluate((address) => failure(notaryClient.signIn(address, "not the password")), address), {
      isNotaryError: true,
      code: "unknown_key",
      status: 401,
    });
    assert.deepEqual(await page.evaluate(() => notaryClient.keyInfo()), { current: null, pending: null, session: null });
    await page.evaluate((address) => notaryClient.signIn(address, "first browser password"), address);
    assert.deepEqual(await page.evaluate((address) => notaryClient.requestTicket(address), address), { status: "ticket_sent" });

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

  // Needs the worker's signed change (PATCH /signature with Authorization: Notary, issue 11).
  test("the Web Worker client changes the password with the session's key at once", async () => {
    const address = `browser.signed.${Date.now().toString(36)}@example.com`;
    const first = await page.evaluate(async (address) => {
      const { createWorkerClient } = await import("/pkg/worker-client.js");
      window.signedClient = createWorkerClient({ baseUrl: location.origin });
      const info = await signedClient.deriveNewKey("first signed password", { address });
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

  test("sessions through the Web Worker client: resumed by a new worker with no derivation, a non-extractable stored key, sign-out, ended elsewhere", async () => {
    const address = `browser.session.${Date.now().toString(36)}@example.com`;
    const password = "a browser session password";
    const salts = () => requested.filter((url) => url === `${origin}/salt`).length;
    await page.evaluate(async () => {
      const { createWorkerClient, NotaryError } = await import("/pkg/worker-client.js");
      window.newSessionClient = () => {
        window.sessionClient?.terminate();
        window.sessionClient = createWorkerClient({ baseUrl: location.origin });
      };
      window.outcome = (promise) =>
        promise.then(
          (value) => ({ value }),
          (e) => ({ isNotaryError: e instanceof NotaryError, code: e.code, status: e.status ?? null }),
        );
      // The record session-store keeps for this origin in IndexedDB, read from the page, with what
      // WebCrypto lets the page do with its private key; null when there is none.
      window.readStored = async () => {
        const record = await new Promise((resolve, reject) => {
          const opening = indexedDB.open("notary-client");
          opening.onerror = () => reject(opening.error);
          opening.onsuccess = () => {
            const db = opening.result;
            if (!db.objectStoreNames.contains("sessions")) {
              db.close();
              return resolve(null);
            }
            const get = db.transaction("sessions").objectStore("sessions").get(location.origin);
            get.onsuccess = () => {
              db.close();
              resolve(get.result ?? null);
            };
            get.onerror = () => reject(get.error);
          };
        });
        if (!record) return null;
        const key = record.privateKey;
        const exported = [];
        for (const format of ["pkcs8", "jwk", "raw"]) {
          exported.push(await crypto.subtle.exportKey(format, key).then(() => "exported", (e) => e.name));
        }
        return {
          id: record.id,
          keyId: record.keyId,
          address: record.address,
          baseUrl: record.baseUrl,
          isCryptoKey: key instanceof CryptoKey,
          type: key.type,
          algorithm: key.algorithm.name,
          extractable: key.extractable,
          usages: key.usages,
          exported,
        };
      };
      newSessionClient();
    });

    // A fresh account, its key derived and confirmed in the worker.
    await page.evaluate(
      async ({ address, password }) => {
        await sessionClient.deriveNewKey(password, { address });
        await sessionClient.signup();
      },
      { address, password },
    );
    await page.evaluate((t) => sessionClient.confirm(t), await emailed(address, "signup"));
    assert.ok(salts() > 0, "the page's network log sees the worker's POST /salt");
    // Nothing stored yet: null.
    assert.deepEqual(await page.evaluate(() => outcome(sessionClient.resumeSession())), { value: null });

    const created = await page.evaluate(() => sessionClient.createSession({ label: "Chromium test" }));
    assert.equal(created.persistent, true, "Chromium has WebCrypto Ed25519");
    assert.equal(created.stored, true);
    assert.equal(created.session.label, "Chromium test");
    assert.equal(created.session.current, true);
    const held = await page.evaluate(() => sessionClient.keyInfo());
    assert.equal(held.current, null, "the account key is wiped once it certified the session");
    assert.equal(held.session.id, created.session.id);
    assert.equal(held.session.persistent, true);

    const stored = await page.evaluate(() => readStored());
    assert.deepEqual(stored, {
      id: created.session.id,
      keyId: held.session.keyId,
      address,
      baseUrl: origin,
      isCryptoKey: true,
      type: "private",
      algorithm: "Ed25519",
      extractable: false,
      usages: ["sign"],
      exported: ["InvalidAccessError", "InvalidAccessError", "InvalidAccessError"],
    });

    // "Reload": a new worker client resumes the stored session, with no key derived (no /salt).
    const saltsBefore = salts();
    const resumed = await page.evaluate(async () => {
      newSessionClient();
      return { resumed: await sessionClient.resumeSession(), keys: await sessionClient.keyInfo() };
    });
    assert.equal(resumed.resumed.account.address, address);
    assert.equal(resumed.resumed.session.id, created.session.id);
    assert.equal(resumed.resumed.session.keyId, held.session.keyId);
    assert.deepEqual([resumed.keys.current, resumed.keys.pending], [null, null]);
    assert.equal(salts(), saltsBefore, "no evaluation, so no derivation");
    const listed = await page.evaluate(() => sessionClient.listSessions());
    assert.deepEqual(
      listed.sessions.map((s) => [s.id, s.current, s.label]),
      [[created.session.id, true, "Chromium test"]],
    );

    // Sign-out: the record is gone, and a further resume finds nothing.
    assert.equal(await page.evaluate(() => sessionClient.signOut()), null);
    assert.equal(await page.evaluate(() => readStored()), null);
    assert.deepEqual(await page.evaluate(() => outcome(sessionClient.resumeSession())), { value: null });

    // forgetAccountKey: the account key (and a pending new key) wiped, the session kept and signing.
    await page.evaluate(async ({ address, password }) => {
      await sessionClient.signIn(address, password);
      await sessionClient.createSession({ label: "second", keepAccountKey: true });
      await sessionClient.deriveNewKey("a password never used");
    }, { address, password });
    const before = await page.evaluate(() => sessionClient.keyInfo());
    assert.ok(before.current && before.pending && before.session, JSON.stringify(before));
    assert.equal(await page.evaluate(() => sessionClient.forgetAccountKey()), null);
    const afterForget = await page.evaluate(() => sessionClient.keyInfo());
    assert.deepEqual([afterForget.current, afterForget.pending], [null, null]);
    assert.equal(afterForget.session.id, before.session.id);
    assert.equal((await page.evaluate(() => sessionClient.account())).address, address, "signed by the session");
    assert.deepEqual(await page.evaluate(() => outcome(sessionClient.disable())), {
      isNotaryError: true,
      code: "no_key",
      status: null,
    });

    // Ended by the server (DELETE /sessions signed by the account key, from Node): the next resume
    // rejects with unknown_key and deletes the stored copy; the one after finds nothing.
    const notary = await import(pathToFileURL(join(scratch.installed, "node.js")).href);
    const client = new notary.NotaryClient(origin);
    const accountKey = await client.keyFor(address, password);
    const ended = await client.signedFetch(accountKey, "/sessions", { method: "DELETE" });
    assert.equal(ended.status, 200);
    assert.deepEqual(await ended.json(), { status: "ended", ended: 1 });
    for (const object of [accountKey, client]) object.free();
    assert.equal((await page.evaluate(() => readStored())).id, before.session.id, "still stored before the resume");
    const refused = await page.evaluate(() => {
      newSessionClient();
      return outcome(sessionClient.resumeSession());
    });
    assert.deepEqual(refused, { isNotaryError: true, code: "unknown_key", status: 401 });
    assert.equal(await page.evaluate(() => readStored()), null);
    assert.deepEqual(await page.evaluate(() => outcome(sessionClient.resumeSession())), { value: null });
    assert.equal((await page.evaluate(() => sessionClient.keyInfo())).session, null);
    await page.evaluate(() => sessionClient.terminate());
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

// Device sessions (issue 13) end to end, in Debian's headless Chromium driven by playwright-core,
// against the real worker in workerd (Miniflare, web/dist as static assets, local D1) and the
// development mailbox: two browsers with their own profiles ("A" and "B") sign in to one account.
//
// - Sign up and confirm in A: the confirmation signs A in with a device session; a reload, and a new
//   tab, are signed in with zero key derivations (the pages mark each one `notary-derivation`, and no
//   POST /salt goes out).
// - The session's key, in IndexedDB (database `notary-client`, store `sessions`, key = the server's
//   base URL), is a non-extractable Ed25519 CryptoKey: exportKey fails in every format.
// - B signs in and ends A's session with "End": A's next request (its reload) gets 401 `unknown_key`,
//   and A shows the sign-in form with a note, the address still remembered for the tab.
// - A change of password in B (the current password typed again; a wrong one is caught before any
//   request) ends A's session; B stays signed in, with a new session.
// - "End all other sessions" in B ends A's.
// - The session key cannot disable the account: the disable form demands the password, and a
//   session request token signed by the page's own worker client, sent to DELETE /signature, answers
//   401 `wrong_token_type`.
// - Sign-out deletes the stored key and the server forgets the session (B's list, D1).
// - A browser without WebCrypto Ed25519 (its worker script served with generateKey refusing Ed25519)
//   keeps the session in this tab only, and the page says so.
//
// Needs `bash scripts/build.sh` first (client-wasm/pkg, web/dist, edge-worker/build).

import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { startWorker } from "../support/worker.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = join(root, "artifacts", "e2e");
const PHONE = { width: 390, height: 844 };

const address = `e2e.${Date.now().toString(36)}+sessions@example.com`;
const firstPassword = "harbour violet ember 27";
const secondPassword = "glacier mosaic tundra 83";
const DERIVATION_MARK = "notary-derivation";

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let stack;
/** @type {{ name: string, browser: import("playwright-core").BrowserContext, page: import("playwright-core").Page, requests: string[], responses: import("playwright-core").Response[] }} */
let a;
/** @type {typeof a} */
let b;

async function openBrowser(name) {
  const browser = await launchChromium({ viewport: PHONE });
  const requests = [];
  const responses = [];
  browser.on("request", (request) => requests.push(request.url()));
  browser.on("response", (response) => responses.push(response));
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on("pageerror", (error) => console.error(`[${name} page error] ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.error(`[${name} console] ${message.text()}`);
  });
  return { name, browser, page, requests, responses };
}

before(async () => {
  for (const built of ["web/dist/index.html", "web/dist/js/device-session.js", "web/dist/vendor/notary-client/worker-client.js"]) {
    assert.ok(existsSync(join(root, built)), `${built} is missing: run bash scripts/build.sh first`);
  }
  mkdirSync(artifacts, { recursive: true });
  stack = await startWorker();
  a = await openBrowser("A");
  b = await openBrowser("B");
});

after(async () => {
  await a?.browser.close();
  await b?.browser.close();
  await stack?.close();
});

const shot = (who, name) => who.page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

/** How many key derivations this document has started (the pages' User Timing marks). */
const derivations = (page) => page.evaluate((mark) => performance.getEntriesByName(mark, "mark").length, DERIVATION_MARK);

/** How many times this browser (pages and workers) has asked for an evaluation of a password. */
const evaluations = (who) => who.requests.filter((url) => url === `${stack.url}/salt`).length;

/** Waits until the page has decided whether this device keeps a session: resumed, none, ended, failed. */
async function sessionState(page) {
  await page.waitForFunction(() => {
    const state = document.documentElement.dataset.session;
    return Boolean(state) && state !== "checking";
  });
  return page.evaluate(() => document.documentElement.dataset.session);
}

/** Waits for the account view with its list of sessions loaded; returns this device's session id. */
async function accountShown(page) {
  try {
    await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
    await page.waitForSelector('#sessions-list li[data-current="true"]', { timeout: 30_000 });
  } catch (error) {
    // What the page said instead (error boxes carry codes, never secrets).
    const said = await page.$$eval(".form-error:not([hidden]), .callout:not([hidden]), #sessions-list", (boxes) =>
      boxes.map((box) => `#${box.id}: ${box.textContent.replace(/\s+/g, " ").trim()}`),
    );
    error.message += `\n${said.join("\n")}`;
    throw error;
  }
  assert.equal(await page.textContent("#account-address"), address);
  assert.ok(await page.isHidden("#signed-out-view"), "the sign-in form is not shown");
  return page.getAttribute('#sessions-list li[data-current="true"]', "data-session-id");
}

/** The ids of the sessions listed on the page, this device's first. */
async function listedSessions(page) {
  return page.$$eval("#sessions-list li[data-session-id]", (items) =>
    items
      .map((item) => ({ id: item.dataset.sessionId, current: item.dataset.current === "true" }))
      .sort((x, y) => Number(y.current) - Number(x.current)),
  );
}

/** Signs in on the account page with the password; returns the new session's id. */
async function signIn(who, password) {
  await who.page.goto(`${stack.url}/account.html`);
  assert.notEqual(await sessionState(who.page), "resumed", `${who.name} has no session to resume`);
  await who.page.fill("#signin-address", address);
  await who.page.fill("#signin-password", password);
  const before = await derivations(who.page);
  await who.page.click("#signin-submit");
  const id = await accountShown(who.page);
  assert.equal(await derivations(who.page), before + 1, "a sign-in derives the key once");
  return id;
}

/** Reloads and expects the session to resume with no derivation and no evaluation; returns its id. */
async function reloadSignedIn(who) {
  const evaluationsBefore = evaluations(who);
  await who.page.reload();
  assert.equal(await sessionState(who.page), "resumed", `${who.name} resumes its session`);
  const id = await accountShown(who.page);
  assert.equal(await derivations(who.page), 0, `${who.name}: zero derivations after the reload`);
  assert.equal(evaluations(who), evaluationsBefore, `${who.name}: no POST /salt after the reload`);
  return id;
}

/**
 * Reloads a page whose session was ended elsewhere: its GET /account gets 401 unknown_key, and the page
 * shows the sign-in form with the note, the address prefilled.
 */
async function reloadEnded(who) {
  const seen = who.responses.length;
  await who.page.reload();
  assert.equal(await sessionState(who.page), "ended", `${who.name}'s session has ended`);
  const refused = who.responses.slice(seen).filter((r) => r.url() === `${stack.url}/account` && r.status() === 401);
  assert.equal(refused.length, 1, `${who.name}'s next request, GET /account, is refused`);
  assert.equal((await refused[0].json()).error, "unknown_key");
  assert.ok(await who.page.isVisible("#signed-out-view"));
  assert.ok(await who.page.isHidden("#account-view"));
  assert.ok(await who.page.isVisible("#signed-out-note"));
  assert.match(await who.page.textContent("#signed-out-note"), /You were signed out: this device's session was ended/);
  assert.equal(await who.page.inputValue("#signin-address"), address, "the address is remembered for the tab");
  assert.equal(await derivations(who.page), 0, "finding out derives nothing");
  assert.equal(await storedSession(who.page), null, "the refused session is deleted from IndexedDB");
}

/**
 * What the client package keeps in IndexedDB for this server (db `notary-client`, store `sessions`,
 * key = the base URL), described without any key material: null when nothing is kept.
 */
async function storedSession(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("notary-client");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      if (!db.objectStoreNames.contains("sessions")) return null;
      const stored = await new Promise((resolve, reject) => {
        const get = db.transaction("sessions", "readonly").objectStore("sessions").get(location.origin);
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      if (stored === undefined) return null;
      const key = stored.privateKey;
      const exports = {};
      for (const format of ["pkcs8", "jwk", "raw"]) {
        try {
          await crypto.subtle.exportKey(format, key);
          exports[format] = "exported";
        } catch (error) {
          exports[format] = error?.name ?? "rejected";
        }
      }
      const binary = Object.entries(stored)
        .filter(([, value]) => value instanceof ArrayBuffer || ArrayBuffer.isView(value))
        .map(([name]) => name);
      return {
        fields: Object.keys(stored).sort(),
        baseUrl: stored.baseUrl,
        id: stored.id,
        address: stored.address,
        isCryptoKey: key instanceof CryptoKey,
        type: key?.type,
        algorithm: key?.algorithm?.name,
        extractable: key?.extractable,
        usages: key?.usages,
        exports,
        binary,
      };
    } finally {
      db.close();
    }
  });
}

let aSession = "";
let bSession = "";

test("sign up, confirm, reload: still signed in, with zero key derivations", async () => {
  const { page } = a;
  await page.goto(`${stack.url}/`);
  assert.equal(await sessionState(page), "none");
  await page.fill("#signup-address", address);
  await page.fill("#signup-password", firstPassword);
  await page.fill("#signup-password-repeat", firstPassword);
  const sentAt = Date.now();
  await page.click("#signup-submit");
  await page.waitForURL(/\/inbox\.html\?purpose=signup$/, { timeout: 30_000 });
  const message = await stack.mailbox.waitFor((m) => m.address === address && m.purpose === "signup" && m.receivedAt >= sentAt, 20_000);
  await page.goto(message.link);
  await page.fill("#confirm-password", firstPassword);
  await page.click("#confirm-submit");
  aSession = await accountShown(page);
  assert.match(aSession, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(await derivations(page), 1, "the confirmation derived the key once (the mark works)");
  assert.ok(await page.isHidden("#account-tab-only"), "Chromium keeps the key: no tab-only note");
  // The device's label is short and says nothing identifying: browser family and system only.
  const label = await page.textContent('#sessions-list li[data-current="true"] .session-label');
  assert.match(label, /^(Chromium|Chrome) on Linux$/);
  assert.match(await page.textContent('#sessions-list li[data-current="true"]'), /This device/);
  assert.equal(await page.locator("#sessions-list li[data-session-id]").count(), 1);
  await shot(a, "20-sessions-confirmed-phone");

  assert.equal(await reloadSignedIn(a), aSession, "the same session after the reload");
  await shot(a, "21-sessions-reloaded-phone");

  // Another tab of the same browser, on the start page, is signed in too: the key is the browser's.
  const tab = await a.browser.newPage();
  try {
    await tab.goto(`${stack.url}/`);
    assert.equal(await sessionState(tab), "resumed");
    assert.equal(await accountShown(tab), aSession);
    assert.equal(new URL(tab.url()).pathname, "/account.html");
    assert.equal(await derivations(tab), 0);
  } finally {
    await tab.close();
  }
  assert.equal(await a.page.evaluate(() => Object.keys(localStorage).length), 0, "nothing in localStorage");
});

test("the stored session key is a non-extractable CryptoKey: exportKey fails", async () => {
  const stored = await storedSession(a.page);
  assert.ok(stored, "a session is kept in IndexedDB");
  assert.equal(stored.baseUrl, stack.url);
  assert.equal(stored.id, aSession);
  assert.equal(stored.isCryptoKey, true);
  assert.equal(stored.type, "private");
  assert.equal(stored.algorithm, "Ed25519");
  assert.equal(stored.extractable, false);
  assert.deepEqual(stored.usages, ["sign"]);
  assert.deepEqual(stored.exports, { pkcs8: "InvalidAccessError", jwk: "InvalidAccessError", raw: "InvalidAccessError" });
  assert.deepEqual(stored.binary, [], `no key bytes stored beside the CryptoKey (fields: ${stored.fields})`);
});

test("a second browser ends the first's session: its next request gets unknown_key", async () => {
  bSession = await signIn(b, firstPassword);
  assert.notEqual(bSession, aSession);
  assert.deepEqual(await listedSessions(b.page), [
    { id: bSession, current: true },
    { id: aSession, current: false },
  ]);
  const end = b.page.locator(`#sessions-list li[data-session-id="${aSession}"] button`);
  assert.match(await end.getAttribute("aria-label"), /^End the session of /);
  await shot(b, "22-sessions-two-devices-phone");
  await end.click();
  await b.page.waitForFunction(() => /Ended the session of/.test(document.getElementById("sessions-status")?.textContent ?? ""));
  assert.deepEqual(await listedSessions(b.page), [{ id: bSession, current: true }]);

  await reloadEnded(a);
  await shot(a, "23-sessions-ended-elsewhere-phone");
  assert.equal(await reloadSignedIn(b), bSession, "B is still signed in");
});

test("a change of password in one browser ends the other's session; the changer stays signed in", async () => {
  aSession = await signIn(a, firstPassword);
  await reloadSignedIn(b);
  assert.equal((await listedSessions(b.page)).length, 2);
  const [before] = await stack.sql("SELECT key_id FROM accounts WHERE address = ? AND status = 'active'", address);

  // A wrong current password is caught in the page: its key is not the account's, nothing is sent.
  const seen = b.requests.length;
  await b.page.fill("#change-current-password", secondPassword);
  await b.page.fill("#change-password", secondPassword);
  await b.page.fill("#change-password-repeat", secondPassword);
  await b.page.click("#change-submit");
  await b.page.waitForSelector("#change-error:not([hidden])", { timeout: 30_000 });
  assert.equal(await b.page.getAttribute("#change-error", "data-code"), "current_password_wrong");
  assert.deepEqual(
    b.requests.slice(seen).filter((url) => url === `${stack.url}/signature`),
    [],
    "no change was sent",
  );

  await b.page.fill("#change-current-password", firstPassword);
  await b.page.fill("#change-password", secondPassword);
  await b.page.fill("#change-password-repeat", secondPassword);
  await b.page.click("#change-submit");
  await b.page.waitForFunction(() => /new password is active/.test(document.getElementById("change-status")?.textContent ?? ""), null, {
    timeout: 30_000,
  });
  assert.equal(await b.page.inputValue("#change-current-password"), "", "the passwords leave the form");
  const [changed] = await stack.sql("SELECT key_id FROM accounts WHERE address = ? AND status = 'active'", address);
  assert.notEqual(changed.key_id, before.key_id, "the account has the new key");
  assert.equal(await b.page.textContent("#account-key-id"), changed.key_id);
  // The change ended every session; B certified a new one with the new key, and only that one is left.
  const [newB] = await listedSessions(b.page);
  assert.equal(newB.current, true);
  assert.notEqual(newB.id, bSession, "B's session is a new one");
  bSession = newB.id;
  assert.deepEqual(await listedSessions(b.page), [{ id: bSession, current: true }]);
  await shot(b, "24-sessions-password-changed-phone");

  await reloadEnded(a);
  assert.equal(await reloadSignedIn(b), bSession, "B stays signed in across a reload");
});

test("End all other sessions", async () => {
  aSession = await signIn(a, secondPassword);
  await reloadSignedIn(b);
  assert.deepEqual(await listedSessions(b.page), [
    { id: bSession, current: true },
    { id: aSession, current: false },
  ]);
  await b.page.click("#sessions-end-others");
  await b.page.waitForFunction(() => /Every other device is signed out/.test(document.getElementById("sessions-status")?.textContent ?? ""));
  assert.deepEqual(await listedSessions(b.page), [{ id: bSession, current: true }]);
  assert.equal(await b.page.isDisabled("#sessions-end-others"), true, "nothing else to end");
  await reloadEnded(a);
});

test("the session key cannot disable the account", async () => {
  const { page } = b;
  await reloadSignedIn(b);
  // The disable form demands the password before anything else.
  await page.click("#disable-open");
  assert.equal(await page.textContent("#disable-current-password-error"), "Enter your password.");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "disable-current-password");
  assert.equal(await page.evaluate(() => document.getElementById("disable-dialog").open), false, "no confirmation without it");

  // Straight to the server with the page's own worker client: after the reload it holds only the
  // session's key. DELETE /signature takes its token in the body, {"token": …}: on the way, the
  // session request token the worker signed (its Authorization header) is moved there, as someone
  // holding this device's session would try. The server refuses it by its kind.
  const signature = `${stack.url}/signature`;
  const moved = [];
  await b.browser.route(signature, async (route) => {
    const request = route.request();
    const token = /^Notary (\S+)$/.exec((await request.allHeaders()).authorization ?? "")?.[1];
    if (request.method() !== "DELETE" || !token) return route.continue();
    moved.push(JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).typ);
    const headers = { ...request.headers() };
    delete headers.authorization;
    await route.continue({ headers, postData: JSON.stringify({ token }) });
  });
  let answer;
  try {
    answer = await page.evaluate(async (url) => {
      const { notary } = await import("/js/notary.js");
      const keys = await notary().keyInfo();
      const response = await notary().signedFetch(url, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return { accountKey: keys.current, session: keys.session?.id ?? null, status: response.status, body: await response.json() };
    }, signature);
  } finally {
    await b.browser.unroute(signature);
  }
  assert.equal(answer.accountKey, null, "no account key in the worker after a reload");
  assert.equal(answer.session, bSession, "signed by this device's session");
  assert.deepEqual(moved, ["notary-session-request+jwt"], "the session's token went to DELETE /signature");
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
  assert.equal(answer.body.error, "wrong_token_type");

  const [row] = await stack.sql("SELECT status FROM accounts WHERE address = ? AND status = 'active'", address);
  assert.deepEqual(row, { status: "active" }, "the account is still active");
  assert.equal(await reloadSignedIn(b), bSession, "and the session still works");

  // A token for another service needs the password too; making the account key for it keeps this
  // device's session (the page has the worker hold it again).
  await page.fill("#assertion-audience", "https://relying-party.example");
  await page.fill("#assertion-current-password", secondPassword);
  await page.click("#assertion-submit");
  await page.waitForSelector("#assertion-result:not([hidden])", { timeout: 30_000 });
  assert.equal(await derivations(page), 1, "one derivation, for the token");
  const held = await page.evaluate(async () => {
    const { notary } = await import("/js/notary.js");
    return (await notary().keyInfo()).session?.id ?? null;
  });
  assert.equal(held, bSession, "the worker holds this device's session again");
  assert.ok(await page.isVisible("#sessions-end-others"));
});

test("sign-out deletes the stored key, and the server forgets the session", async () => {
  aSession = await signIn(a, secondPassword);
  assert.ok(await storedSession(a.page));
  await reloadSignedIn(b);
  assert.ok((await listedSessions(b.page)).some((s) => s.id === aSession));

  await a.page.click("#account-sign-out");
  await a.page.waitForURL(`${stack.url}/`);
  assert.equal(await sessionState(a.page), "none");
  assert.ok(await a.page.isVisible("#signed-out-note"));
  assert.match(await a.page.textContent("#signed-out-note"), /You are signed out/);
  await shot(a, "25-sessions-signed-out-phone");
  assert.equal(await storedSession(a.page), null, "IndexedDB keeps no session");
  assert.deepEqual(await stack.sql("SELECT id FROM sessions WHERE id = ?", aSession), [], "D1 has no such session");

  await reloadSignedIn(b);
  assert.deepEqual(await listedSessions(b.page), [{ id: bSession, current: true }], "B's list no longer has it");

  // A reload of the signed-out page stays signed out, with nothing to say any more.
  await a.page.reload();
  assert.equal(await sessionState(a.page), "none");
  assert.ok(await a.page.isHidden("#signed-out-note"));
});

test("without WebCrypto Ed25519 the session lives in this tab only, and the page says so", async () => {
  // The worker script as served, with WebCrypto's Ed25519 key generation refused the way a browser
  // without it refuses (NotSupportedError): the client package falls back to a key in WebAssembly memory.
  const script = `${stack.url}/vendor/notary-client/worker.js`;
  const withoutEd25519 = `{
  const subtle = globalThis.crypto.subtle;
  const generateKey = subtle.generateKey.bind(subtle);
  subtle.generateKey = (algorithm, ...rest) =>
    (algorithm?.name ?? algorithm) === "Ed25519"
      ? Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError"))
      : generateKey(algorithm, ...rest);
}
`;
  await a.browser.route(script, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: withoutEd25519 + (await response.text()) });
  });
  try {
    const id = await signIn(a, secondPassword);
    assert.ok(await a.page.isVisible("#account-tab-only"));
    assert.match(
      await a.page.textContent("#account-tab-only"),
      /This browser cannot keep a signing key safely, so you stay signed in in this tab only\./,
    );
    assert.equal(await storedSession(a.page), null, "nothing is stored");
    // The session works in this tab: it reads the account and lists itself.
    await a.page.click("#account-refresh");
    await a.page.waitForFunction(() => document.getElementById("account-status")?.textContent === "Account status is up to date.");
    assert.ok((await listedSessions(a.page)).some((s) => s.id === id && s.current));
    await shot(a, "26-sessions-tab-only-phone");

    // A reload starts signed out, with no note: nothing was kept, nothing ended.
    await a.page.reload();
    assert.equal(await sessionState(a.page), "none");
    assert.ok(await a.page.isVisible("#signed-out-view"));
    assert.ok(await a.page.isHidden("#signed-out-note"));
  } finally {
    await a.browser.unroute(script);
  }
});

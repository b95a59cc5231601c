// End to end, in Debian's headless Chromium driven by playwright-core, against the real worker in
// workerd (Miniflare, serving web/dist as static assets, local D1) and the development mailbox (a real
// HTTP receiver): sign up → link from the mailbox → confirm → account → change password (signed by the
// current key: active at once, no email) → the old password no longer signs in → "forgot your
// password?" → link from the mailbox → confirm the third password → it signs in → disable → the admin
// verify endpoint answers 404 for that account. Along the way: the main thread keeps running while the
// key is derived (in a Web Worker), every derivation asks the server to evaluate the password (POST
// /salt), nothing is requested from any other host, and every page is saved as a screenshot in
// artifacts/e2e/. Then: an account made before protocol version 2 (its key replaced in D1 by the
// version-1 key of the same password) moves on sign-in, confirmed from the inbox; a spent guess budget
// is explained, and the emailed sign-in ticket lets the owner through.
//
// Since issue 13 a sign-in or a confirmation leaves a device session (tests/e2e/sessions.test.mjs tests
// it): the journey signs out before each sign-in with a password, and the change of password, the
// token for another service and the disable each take the current password again.
//
// The journey needs the worker's signed change of password (issue 11), and "a rate limit is
// explained" its Rate Limiting bindings and the harness's `rateLimits`.
//
// Needs `bash scripts/build.sh` first (client-wasm/pkg, web/dist, edge-worker/build).

import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { replaceWithVersion1Key, withinOneHour } from "../support/flows.mjs";
import { startWorker } from "../support/worker.mjs";

/** The packed-free way to the client package in Node: its built Node entry (client-wasm/pkg). */
const notaryClient = () => import("../../client-wasm/pkg/node.js");

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = join(root, "artifacts", "e2e");
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const RELYING_PARTY = "https://relying-party.example";

const address = `e2e.${Date.now().toString(36)}+flow@example.com`;
const firstPassword = "velvet anchor drifts 71";
const secondPassword = "quartz harbour lantern 38";
const thirdPassword = "meadow copper whistle 52";

/** @type {Awaited<ReturnType<typeof startWorker>>} */
let stack;
/** @type {import("playwright-core").BrowserContext} */
let browser;
/** @type {import("playwright-core").Page} */
let page;
const requested = [];

before(async () => {
  for (const built of ["web/dist/index.html", "web/dist/vendor/notary-client/worker-client.js"]) {
    assert.ok(existsSync(join(root, built)), `${built} is missing: run bash scripts/build.sh first`);
  }
  mkdirSync(artifacts, { recursive: true });
  stack = await startWorker();
  browser = await launchChromium({ viewport: PHONE });
  browser.on("request", (request) => requested.push(request.url()));
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("request", (request) => requested.push(request.url()));
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.error(`[console] ${message.text()}`);
  });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

const shot = (name, { fullPage = true } = {}) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });

/**
 * What this page shows people is usable: every visible control has an accessible name (a label, or
 * text for buttons), ids are unique, and nothing is wider than the viewport (phone width included).
 */
async function assertUsable(where) {
  const problems = await page.evaluate(() => {
    const found = [];
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    for (const el of document.querySelectorAll("input, select, textarea, button, progress, meter")) {
      if (!visible(el) || el.type === "hidden") continue;
      const named =
        (el.labels && el.labels.length > 0) ||
        el.getAttribute("aria-label") ||
        el.getAttribute("aria-labelledby") ||
        (el.tagName === "BUTTON" && el.textContent.trim());
      if (!named) found.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
    for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) found.push(`duplicate id ${id}`);
    if (document.documentElement.scrollWidth > window.innerWidth) {
      found.push(`page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px viewport`);
    }
    if (!document.documentElement.lang) found.push("no lang on <html>");
    // Without a name, a field is never part of a native form submission (should the scripts fail).
    for (const el of document.querySelectorAll("input[type=password][name]")) found.push(`password field #${el.id} has a name`);
    return found;
  });
  assert.deepEqual(problems, [], where);
}

/** The confirmation the mailbox received for `purpose` (to `to`), after `since` (ms). */
async function linkFromMailbox(purpose, since, to = address) {
  const message = await stack.mailbox.waitFor(
    (m) => m.address === to && m.purpose === purpose && m.receivedAt >= since,
    20_000,
  );
  const expected = `${stack.url}/confirm.html#token=`;
  assert.ok(message.link.startsWith(expected), `link ${message.link} should start with ${expected}`);
  assert.match(message.link, new RegExp(`&address=${encodeURIComponent(to).replace(/[+]/g, "%2B")}&purpose=${purpose}$`));
  return message.link;
}

/** Starts counting timer ticks and animation frames in the page, and timestamps the progress indicator. */
async function probeMainThread(progressId) {
  await page.evaluate((id) => {
    const probe = { ticks: [], frames: 0, shown: [], hidden: [] };
    window.__probe = probe;
    setInterval(() => probe.ticks.push(performance.now()), 16);
    const frame = () => {
      probe.frames += 1;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const indicator = document.getElementById(id);
    new MutationObserver(() => {
      const at = performance.now();
      (indicator.hidden ? probe.hidden : probe.shown).push({ at, epochMs: performance.timeOrigin + at, frames: probe.frames });
    }).observe(indicator, { attributes: true, attributeFilter: ["hidden"] });
  }, progressId);
}

async function readProbe() {
  return page.evaluate(() => {
    const { ticks, shown, hidden } = window.__probe;
    const start = shown[0];
    const end = hidden.find((h) => h.at > start.at);
    const inside = ticks.filter((t) => t >= start.at && t <= end.at);
    const points = [start.at, ...inside, end.at];
    let maxGap = 0;
    for (let i = 1; i < points.length; i += 1) maxGap = Math.max(maxGap, points[i] - points[i - 1]);
    return {
      derivationMs: end.at - start.at,
      ticks: inside.length,
      frames: end.frames - start.frames,
      maxGap,
      window: [start.epochMs, end.epochMs],
    };
  });
}

/**
 * Runs `action` while Chromium streams what it paints (DevTools screencast), and returns the frames
 * with their wall-clock times: the only way to see the page while a derivation of a fraction of a
 * second runs.
 */
async function paintedDuring(action) {
  const cdp = await browser.newCDPSession(page);
  const frames = [];
  cdp.on("Page.screencastFrame", ({ data, metadata, sessionId }) => {
    frames.push({ data, epochMs: metadata.timestamp * 1000 });
    cdp.send("Page.screencastFrameAck", { sessionId }).catch(() => {});
  });
  await cdp.send("Page.startScreencast", { format: "png" });
  try {
    await action();
  } finally {
    await cdp.send("Page.stopScreencast").catch(() => {});
    await cdp.detach().catch(() => {});
  }
  return frames;
}

async function adminVerify(token) {
  const response = await fetch(`${stack.url}/admin/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.adminSecret}`, "content-type": "application/json" },
    body: JSON.stringify({ token, audience: RELYING_PARTY }),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * An assertion for RELYING_PARTY, made by the page's worker client through the account view: the
 * current password makes the account key again (a device session cannot sign one).
 */
async function assertionFromPage(password) {
  await page.fill("#assertion-audience", RELYING_PARTY);
  await page.selectOption("#assertion-lifetime", "300");
  await page.fill("#assertion-current-password", password);
  await page.click("#assertion-submit");
  await page.waitForSelector("#assertion-result:not([hidden])");
  const token = await page.inputValue("#assertion-token");
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  return token;
}

/** Signs out in the account view: the device session ends, and the tab forgets the address. */
async function signOut() {
  await page.click("#account-sign-out");
  await page.waitForURL(`${stack.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.session === "none");
  assert.match(await page.textContent("#signed-out-note"), /You are signed out/);
}

/** Signs in on the account page, signed out (no device session to resume). */
async function signIn(password) {
  await page.goto(`${stack.url}/account.html`);
  await page.waitForFunction(() => document.documentElement.dataset.session === "none");
  assert.ok(await page.isVisible("#signed-out-view"));
  assert.equal(await page.inputValue("#signin-address"), "", "signing out forgot the address");
  await page.fill("#signin-address", address);
  await page.fill("#signin-password", password);
  await page.click("#signin-submit");
}

/** How many times the page (or its worker) has asked for a salt so far. */
const saltRequests = () => requested.filter((url) => url === `${stack.url}/salt`).length;

test("sign up, confirm, change password, sign in, disable: the whole flow in the browser", async (t) => {
  // --- Sign up, with the keyboard only ---
  await page.goto(`${stack.url}/`);
  await assertUsable("start page");
  await page.setViewportSize({ width: 320, height: 640 });
  await assertUsable("start page at 320 px");
  await page.setViewportSize(PHONE);
  await shot("01-start-phone");
  const order = [];
  for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.id)) !== "signup-address"; i += 1) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.type(address);
  for (const value of [firstPassword, firstPassword]) {
    await page.keyboard.press("Tab");
    order.push(await page.evaluate(() => document.activeElement?.id));
    await page.keyboard.type(value);
  }
  await page.keyboard.press("Tab");
  order.push(await page.evaluate(() => document.activeElement?.id));
  await page.keyboard.press("Tab");
  order.push(await page.evaluate(() => document.activeElement?.id));
  assert.deepEqual(order, ["signup-password", "signup-password-repeat", "signup-show", "signup-submit"]);
  assert.match(await page.textContent("#signup-password-strength"), /strong/i);
  const sentAt = Date.now();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/inbox\.html\?purpose=signup$/, { timeout: 30_000 });
  assert.equal(await page.textContent("#inbox-address"), address);
  await assertUsable("inbox page");
  await shot("02-inbox-phone");

  // --- The emailed link opens the confirm page ---
  const signupLink = await linkFromMailbox("signup", sentAt);
  await page.goto(signupLink);
  assert.equal(new URL(page.url()).hash, "", "the confirmation token leaves the address bar");
  assert.equal(await page.inputValue("#confirm-address"), address);
  await assertUsable("confirm page");
  await shot("03-confirm-phone");

  // --- Confirm, watching the main thread while the key is derived ---
  await probeMainThread("confirm-progress");
  await page.fill("#confirm-password", firstPassword);
  const frames = await paintedDuring(async () => {
    await page.click("#confirm-submit");
    await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  });
  const probe = await readProbe();
  const [from, to] = probe.window;
  const paintedWhileDeriving = frames.filter((f) => f.epochMs > from && f.epochMs < to);
  t.diagnostic(
    `key derivation in the page's Web Worker: ${JSON.stringify({ ...probe, window: undefined, framesPainted: paintedWhileDeriving.length })}`,
  );
  assert.ok(paintedWhileDeriving.length >= 1, `Chromium painted the page during derivation (${frames.length} frames in all)`);
  writeFileSync(
    join(artifacts, "04-confirm-deriving-phone.png"),
    Buffer.from(paintedWhileDeriving[Math.floor(paintedWhileDeriving.length / 2)].data, "base64"),
  );
  const workers = page.workers().map((worker) => worker.url());
  assert.ok(
    workers.some((url) => url.startsWith(`${stack.url}/vendor/notary-client/`)),
    `a Web Worker from the client package runs: ${workers}`,
  );
  // Argon2id with 64 MiB and 3 passes cannot finish in under ~50 ms even natively; 16 ms timer ticks and
  // animation frames keep coming while it runs. Had it run on the main thread, there would be no tick
  // inside the window and one gap as long as the derivation.
  assert.ok(probe.derivationMs >= 50, `Argon2id (64 MiB, t=3) takes real time: ${probe.derivationMs} ms`);
  const expectedTicks = Math.max(2, Math.floor((probe.derivationMs / 16) * 0.3));
  assert.ok(probe.ticks >= expectedTicks, `timer ticks during derivation: ${probe.ticks} (want >= ${expectedTicks})`);
  assert.ok(probe.frames >= 2, `frames painted during derivation: ${probe.frames}`);
  assert.ok(
    probe.maxGap < probe.derivationMs * 0.75,
    `the main thread never stalled for the derivation: longest gap ${probe.maxGap.toFixed(0)} ms of ${probe.derivationMs.toFixed(0)} ms`,
  );

  // --- The account ---
  assert.equal(new URL(page.url()).pathname, "/account.html");
  await page.waitForFunction(() => document.getElementById("account-state")?.textContent === "Active");
  assert.equal(await page.textContent("#account-address"), address);
  const firstKeyId = await page.textContent("#account-key-id");
  assert.match(firstKeyId, /^[A-Za-z0-9_-]{43}$/);
  await assertUsable("account view");
  await page.setViewportSize({ width: 320, height: 640 });
  await assertUsable("account view at 320 px");
  await page.setViewportSize(PHONE);
  await shot("05-account-phone");

  // An assertion signed by the first key is valid now.
  const firstAssertion = await assertionFromPage(firstPassword);
  const verified = await adminVerify(firstAssertion);
  assert.equal(verified.status, 200, JSON.stringify(verified.body));
  assert.equal(verified.body.valid, true);
  assert.equal(verified.body.account.address, address);
  assert.equal(verified.body.account.key_id, firstKeyId);

  // --- Change password: signed by the current key (its password typed again), active at once, no email ---
  const mailBeforeChange = stack.mailbox.messages().length;
  await page.fill("#change-current-password", firstPassword);
  await page.fill("#change-password", secondPassword);
  await page.fill("#change-password-repeat", secondPassword);
  await page.click("#change-submit");
  await page.waitForFunction(() => /new password is active/.test(document.getElementById("change-status")?.textContent ?? ""), null, {
    timeout: 30_000,
  });
  assert.equal(new URL(page.url()).pathname, "/account.html", "no inbox step: the account view stays");
  assert.ok(await page.isVisible("#account-view"));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "change-status", "focus moves to the outcome");
  assert.equal(await page.inputValue("#change-password"), "", "the new password leaves the form");
  assert.equal(await page.inputValue("#change-current-password"), "", "so does the current one");
  const secondKeyId = await page.textContent("#account-key-id");
  assert.match(secondKeyId, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(secondKeyId, firstKeyId, "the account now has the new key");
  await shot("06-password-changed-phone");
  // Still signed in, with the new key: the account reads back the new key id.
  await page.click("#account-refresh");
  await page.waitForFunction(() => document.getElementById("account-status")?.textContent === "Account status is up to date.");
  assert.equal(await page.textContent("#account-key-id"), secondKeyId);
  assert.equal(stack.mailbox.messages().length, mailBeforeChange, "a signed change sends no email");
  // The first key's assertion is spent; a new one from this page is signed by the new key.
  const afterChange = await adminVerify(await assertionFromPage(secondPassword));
  assert.equal(afterChange.status, 200, JSON.stringify(afterChange.body));
  assert.equal(afterChange.body.account.key_id, secondKeyId);

  // --- The old password no longer signs in ---
  await signOut();
  const saltsBeforeSignIn = saltRequests();
  await signIn(firstPassword);
  await page.waitForSelector("#signin-error:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.getAttribute("#signin-error", "data-code"), "unknown_key");
  assert.match(await page.textContent("#signin-error"), /don't match an active account/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "signin-error", "focus moves to the error");
  assert.ok(await page.isHidden("#account-view"));
  await assertUsable("account page, signed out");
  await shot("07-signin-old-password-refused-phone");

  // --- Forgot the password: a new one, by the emailed link ---
  await page.click("#recover-details summary");
  // The form is filled on the details' toggle event, which the browser fires as a task after the click.
  await page.waitForFunction(() => document.getElementById("recover-address")?.value !== "", null, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.inputValue("#recover-address"), address, "the sign-in address carries over");
  await assertUsable("account page, recovery open");
  await page.fill("#recover-password", thirdPassword);
  await page.fill("#recover-password-repeat", thirdPassword);
  await shot("08-recover-phone");
  const recoverSentAt = Date.now();
  await page.click("#recover-submit");
  await page.waitForURL(/\/inbox\.html\?purpose=change$/, { timeout: 30_000 });
  assert.equal(await page.textContent("#inbox-address"), address);
  assert.ok(await page.isVisible("#inbox-steps-change"));
  assert.ok(await page.isVisible("#inbox-note-change"));
  await shot("09-inbox-recover-phone");
  const changeLink = await linkFromMailbox("change", recoverSentAt);
  await page.goto(changeLink);
  assert.equal(await page.textContent("#confirm-heading"), "Confirm the change to your account");
  await page.fill("#confirm-password", thirdPassword);
  await page.click("#confirm-submit");
  await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  await page.waitForFunction(() => document.getElementById("account-state")?.textContent === "Active");
  const thirdKeyId = await page.textContent("#account-key-id");
  assert.notEqual(thirdKeyId, secondKeyId, "the account now has the recovered password's key");

  // --- The second password no longer signs in, the third does ---
  await signOut();
  await signIn(secondPassword);
  await page.waitForSelector("#signin-error:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.getAttribute("#signin-error", "data-code"), "unknown_key");
  await page.fill("#signin-password", thirdPassword);
  await page.click("#signin-submit");
  await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.textContent("#account-key-id"), thirdKeyId);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "account-heading");
  // Three sign-ins, a recovery (two evaluations: the server's key is checked before registering) and
  // a confirmation: each asked the server to evaluate the password; nothing was kept.
  assert.ok(saltRequests() >= saltsBeforeSignIn + 7, `evaluations since: ${saltRequests() - saltsBeforeSignIn}`);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).length), 0, "nothing in localStorage");
  await page.setViewportSize(DESKTOP);
  await shot("10-account-desktop");
  await page.setViewportSize(PHONE);

  // Two assertions from the current key: one checked now, one kept for after disabling (a verified
  // token is spent: its jti is remembered).
  const liveAssertion = await assertionFromPage(thirdPassword);
  assert.equal((await adminVerify(liveAssertion)).status, 200);
  const laterAssertion = await assertionFromPage(thirdPassword);

  // --- Disable, with the password, through the confirmation dialog ---
  await page.fill("#disable-current-password", thirdPassword);
  await page.click("#disable-open");
  await page.waitForSelector("#disable-dialog[open]");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "disable-cancel", "the safe choice has focus");
  await shot("11-disable-dialog-phone", { fullPage: false });
  await page.click("#disable-confirm");
  await page.waitForSelector("#disabled-view:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.textContent("#disabled-address"), address);
  await shot("12-disabled-phone");

  // --- The admin verify endpoint no longer knows the account's key ---
  const afterDisable = await adminVerify(laterAssertion);
  assert.equal(afterDisable.status, 404, JSON.stringify(afterDisable.body));
  assert.equal(afterDisable.body.error, "unknown_key");

  // --- Nothing was requested from any other host ---
  const outside = requested.filter((url) => !url.startsWith(`${stack.url}/`) && !/^(data|blob):/.test(url));
  assert.deepEqual(outside, []);
  assert.ok(requested.some((url) => url === `${stack.url}/salt`), "requests from the Web Worker were seen");
});

test("mistakes are explained in plain language, next to their cause", async () => {
  // Local checks, before any key is made: the first bad field gets focus and says what is wrong.
  await page.goto(`${stack.url}/`);
  await page.click("#signup-submit");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "signup-address");
  assert.equal(await page.getAttribute("#signup-address", "aria-invalid"), "true");
  assert.equal(await page.textContent("#signup-address-error"), "Enter your email address.");
  const other = `e2e.${Date.now().toString(36)}.second@example.com`;
  await page.fill("#signup-address", other);
  await page.fill("#signup-password", firstPassword);
  await page.fill("#signup-password-repeat", `${firstPassword}!`);
  await page.click("#signup-submit");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "signup-password-repeat");
  assert.match(await page.textContent("#signup-password-repeat-error"), /two passwords are different/);
  assert.equal(await page.getAttribute("#signup-address", "aria-invalid"), null, "fixed fields are cleared");
  await shot("13-signup-field-error-phone");

  // A damaged link.
  await page.goto(`${stack.url}/confirm.html#token=abc&address=someone%40example.com&purpose=signup`);
  assert.equal(await page.getAttribute("#confirm-link-error", "data-code"), "link_incomplete");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-link-error");
  assert.ok(await page.isHidden("#confirm-section"));

  // The wrong password on the confirm page: the server cannot tell it from a stale link, and says so.
  await page.goto(`${stack.url}/`);
  await page.fill("#signup-address", other);
  await page.fill("#signup-password", firstPassword);
  await page.fill("#signup-password-repeat", firstPassword);
  const sentAt = Date.now();
  await page.click("#signup-submit");
  await page.waitForURL(/\/inbox\.html/, { timeout: 30_000 });
  const message = await stack.mailbox.waitFor((m) => m.address === other && m.receivedAt >= sentAt, 20_000);
  await page.goto(message.link);
  await page.fill("#confirm-password", secondPassword);
  await page.click("#confirm-submit");
  await page.waitForSelector("#confirm-error:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.getAttribute("#confirm-error", "data-code"), "confirmation_invalid");
  assert.match(await page.textContent("#confirm-error"), /the password isn't the one this link is for/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-error");
  assert.equal(await page.isEnabled("#confirm-submit"), true, "the form is usable again");
  await shot("14-confirm-wrong-password-phone");
  // The same link still works with the right password.
  await page.fill("#confirm-password", firstPassword);
  await page.click("#confirm-submit");
  await page.waitForFunction((a) => document.getElementById("account-address")?.textContent === a, other, {
    timeout: 30_000,
  });
  assert.equal(await page.textContent("#account-state"), "Active");

  // Signing out forgets the key and the remembered address.
  await page.click("#account-sign-out");
  await page.waitForURL(`${stack.url}/`);
  await page.goto(`${stack.url}/account.html`);
  assert.equal(await page.inputValue("#signin-address"), "");
});

test("a page whose scripts cannot load says so and disables its forms", async () => {
  const blocked = `${stack.url}/vendor/notary-client/worker-client.js`;
  await page.route(blocked, (route) => route.abort());
  try {
    await page.goto(`${stack.url}/`);
    await page.waitForSelector("#script-failure:not([hidden])");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "script-failure");
    assert.equal(await page.isDisabled("#signup-submit"), true);
    assert.equal(await page.isDisabled("#signin-password"), true);
    await shot("16-scripts-failed-phone", { fullPage: false });
  } finally {
    await page.unroute(blocked);
  }
  await page.goto(`${stack.url}/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  assert.ok(await page.isHidden("#script-failure"));
  assert.equal(await page.isEnabled("#signup-submit"), true);
});

test("a rate limit is explained, not swallowed", async () => {
  // Three calls per client in the burst window: the first sign-in spends them (its /salt, then GET
  // /account with the key of version 2 and, since version-1 keys are still accepted, with that of
  // version 1); the second's /salt is refused.
  const limited = await startWorker({ rateLimits: { CLIENT_BURST: 3 } });
  try {
    const someone = `e2e.${Date.now().toString(36)}.limited@example.com`;
    await page.goto(`${limited.url}/account.html`);
    const attempt = async (expectedCode) => {
      await page.fill("#signin-address", someone);
      await page.fill("#signin-password", firstPassword);
      await page.click("#signin-submit");
      await page.waitForFunction(
        (code) => {
          const box = document.getElementById("signin-error");
          return !box.hidden && box.dataset.code === code;
        },
        expectedCode,
        { timeout: 30_000 },
      );
    };
    const left = 10_000 - (Date.now() % 10_000);
    if (left < 6000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    await attempt("unknown_key");
    const refusal = page.waitForResponse((response) => response.url().startsWith(limited.url) && response.status() === 429);
    await attempt("rate_limited");
    // The page says how long to wait: the seconds of the server's Retry-After, carried by the
    // client package's NotaryError from the Web Worker to the page.
    const retryAfter = Number(await (await refusal).headerValue("retry-after"));
    assert.equal(retryAfter, 10);
    const text = await page.textContent("#signin-error");
    assert.match(text, /Too many attempts/);
    const unit = retryAfter === 1 ? "second" : "seconds";
    assert.ok(text.includes(`Please wait ${retryAfter} ${unit}, then try again.`), text);
    assert.equal(await page.getAttribute("#signin-error", "data-retry-after"), String(retryAfter));
    await shot("15-rate-limited-phone");
  } finally {
    await page.goto("about:blank");
    await limited.close();
  }
});

test("an account made before protocol version 2 moves on sign-in, confirmed from the inbox", async () => {
  const { NotaryClient } = await notaryClient();
  const client = new NotaryClient(stack.url);
  const legacyAddress = `e2e.${Date.now().toString(36)}.legacy@example.com`;
  const password = "pebble orchard candle 64";
  // Signed up with protocol version 2, then turned into what migration 0003 leaves behind: the
  // account's key replaced by the version-1 key of the same password, kdf_version 1.
  const key = await client.keyFor(legacyAddress, password, { verifyServerKey: true });
  await client.signup(key);
  const signup = await stack.mailbox.waitFor((m) => m.address === legacyAddress && m.purpose === "signup", 20_000);
  await client.confirm(key, signup.token);
  const legacy = await replaceWithVersion1Key(stack.sql, client, legacyAddress, password);

  // Sign in on the start page: signed in as before, with the one-time notice.
  await page.goto(`${stack.url}/`);
  await page.fill("#signin-address", legacyAddress);
  await page.fill("#signin-password", password);
  const sentAt = Date.now();
  await page.click("#signin-submit");
  await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.textContent("#account-key-id"), legacy.keyId, "signed in with the version-1 key");
  assert.ok(await page.isVisible("#account-upgrade"));
  assert.match(await page.textContent("#account-upgrade"), /moving to protocol version 2/);
  assert.match(await page.textContent("#account-upgrade"), /until then you are signed in as before/);
  assert.match(await page.textContent("#account-kdf-version"), /^1 /);
  await assertUsable("account view, moving to version 2");
  await shot("17-upgrade-proposed-phone");

  // The emailed link: the same password confirms the version-2 key.
  const link = await linkFromMailbox("change", sentAt, legacyAddress);
  await page.goto(link);
  await page.fill("#confirm-password", password);
  await page.click("#confirm-submit");
  await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  await page.waitForFunction(() => document.getElementById("account-kdf-version")?.textContent === "2");
  assert.equal(await page.textContent("#account-key-id"), key.keyId, "the version-2 key of the same password");
  assert.ok(await page.isHidden("#account-upgrade"));
  await shot("18-upgrade-confirmed-phone");
  const [row] = await stack.sql("SELECT kdf_version, key_id FROM accounts WHERE address = ? AND status = 'active'", legacyAddress);
  assert.deepEqual(row, { kdf_version: 2, key_id: key.keyId });

  // From now on a sign-in proposes nothing.
  await page.click("#account-sign-out");
  await page.waitForURL(`${stack.url}/`);
  await page.fill("#signin-address", legacyAddress);
  await page.fill("#signin-password", password);
  await page.click("#signin-submit");
  await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
  assert.ok(await page.isHidden("#account-upgrade"));
  for (const object of [key, legacy, client]) object.free();
});

test("a spent guess budget is explained, and an emailed ticket lets the owner sign in", async () => {
  // The budget counts per clock hour: the whole case within one.
  await withinOneHour(120_000);
  const budget = await startWorker({ vars: { GUESSES_PER_ADDRESS_PER_HOUR: "2" } });
  try {
    const { NotaryClient } = await notaryClient();
    const client = new NotaryClient(budget.url);
    const owner = `e2e.${Date.now().toString(36)}.budget@example.com`;
    const key = await client.keyFor(owner, firstPassword, { verifyServerKey: true });
    await client.signup(key);
    const signup = await budget.mailbox.waitFor((m) => m.address === owner && m.purpose === "signup", 20_000);
    await client.confirm(key, signup.token);
    await client.account(key); // a signed request: the budget starts afresh
    key.free();
    client.free();

    // Someone spends the address's guesses.
    await page.goto(`${budget.url}/`);
    for (const code of ["unknown_key", "unknown_key", "guess_budget_exhausted"]) {
      await page.fill("#signin-address", owner);
      await page.fill("#signin-password", secondPassword);
      await page.click("#signin-submit");
      await page.waitForFunction(
        (code) => {
          const box = document.getElementById("signin-error");
          return !box.hidden && box.dataset.code === code;
        },
        code,
        { timeout: 30_000 },
      );
    }
    const text = await page.textContent("#signin-error");
    assert.match(text, /Too many password attempts for this email address/);
    assert.match(text, /try again in \d+ (minutes|seconds|hours)/);
    assert.ok(Number(await page.getAttribute("#signin-error", "data-retry-after")) > 0);
    await assertUsable("sign-in, guess budget spent");
    await shot("19-guess-budget-phone");

    // The owner asks for a ticket and opens the emailed link.
    const askedAt = Date.now();
    await page.click("#signin-error-ticket");
    await page.waitForFunction(() => /Check your inbox/.test(document.getElementById("signin-error-ticket-status")?.textContent ?? ""));
    const ticket = await budget.mailbox.waitFor((m) => m.address === owner && m.purpose === "ticket" && m.receivedAt >= askedAt, 20_000);
    assert.ok(ticket.link.startsWith(`${budget.url}/#ticket=`), ticket.link);
    await page.goto("about:blank");
    await page.goto(ticket.link);
    assert.equal(new URL(page.url()).hash, "", "the ticket leaves the address bar");
    assert.equal(await page.inputValue("#signin-address"), owner);
    assert.match(await page.textContent("#signin-status"), /Sign-in ticket received/);
    await page.fill("#signin-password", firstPassword);
    await page.click("#signin-submit");
    await page.waitForSelector("#account-view:not([hidden])", { timeout: 30_000 });
    assert.equal(await page.textContent("#account-address"), owner);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("notary.ticket")), null, "the ticket is forgotten once used");
  } finally {
    await page.goto("about:blank");
    await budget.close();
  }
});

test("every page's security headers allow nothing from other hosts", async () => {
  for (const path of ["/", "/inbox.html", "/confirm.html", "/account.html", "/vendor/notary-client/worker-client.js"]) {
    const response = await fetch(`${stack.url}${path}`);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /connect-src 'self'/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
  }
});

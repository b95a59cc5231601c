// The account view (partials/account-panel.html), shown by the account page and the start page after a
// sign-in or when this device's session resumes, and by the confirm page after a confirmation: status,
// where the person is signed in (the device sessions, this one marked, each other one can be ended),
// change of password, a token for another service, disabling, signing out. The device session signs
// only what needs no password (reading the account, the sessions); the change of password, the token
// and the disable are signed by the account key, made again from the current password typed into
// their form, and checked against the account's key id before anything is sent.

import { notary } from "./notary.js";
import { resumeAgain, sessionEnded, signOut, startSession } from "./device-session.js";
import { forgetTabMemory, leaveNotice, rememberAddress, rememberStage } from "./tab-memory.js";
import { checkNewPassword, checkPassword } from "./checks.js";
import { errorCode, MESSAGES } from "./messages.js";
import { withTicket } from "./ticket.js";
import {
  byId,
  clearFieldErrors,
  Feedback,
  formatTime,
  onKeyFormSubmit,
  reportFieldProblems,
  showError,
  whileBusy,
  wireShowPasswords,
  wireStrengthHints,
} from "./ui.js";

let wired = false;
let currentAddress = "";
/** The account's key id, as the server last said: a key made from a typed password must match it. */
let currentKeyId = "";
/** The protocol version of the account's key: 1 until an account made before version 2 has moved. */
let currentKdfVersion = 2;
/** Whether the worker holds a device session (persistent or for this tab), not only the account key. */
let hasSession = false;

/**
 * Shows the account view in place of `replacing` (the view that led here), loads the account with a
 * signed request, and makes the address bar say where the person is.
 * @param {{
 *   replacing: HTMLElement,
 *   account?: object,
 *   moving?: "proposed" | "failed" | null,
 *   session?: { persistent: boolean, error?: unknown } | null,
 * }} options
 *   `account` when the caller just fetched it; `moving` when this sign-in proposed the move to protocol
 *   version 2 ("proposed"), or could not propose it now ("failed"); `session` what became of this
 *   device's session (startSession's outcome, or `{ persistent: true }` when it resumed)
 */
export async function showAccountView({ replacing, account, moving = null, session = null }) {
  wireOnce();
  replacing.hidden = true;
  byId("account-view").hidden = false;
  byId("account-upgrade").hidden = !moving;
  byId("account-upgrade-sent").hidden = moving !== "proposed";
  byId("account-upgrade-later").hidden = moving !== "failed";
  showSessionOutcome(session);
  document.title = "Notary: your account";
  if (window.location.pathname !== "/account.html") {
    window.history.replaceState(null, "", "/account.html");
  }
  byId("account-heading").focus();
  if (account) render(account);
  else await refresh();
  await loadSessions();
}

/** The tab-only note, when this device's session lives in this tab only (or could not be made). */
function showSessionOutcome(session) {
  hasSession = Boolean(session && !session.error);
  const note = byId("account-tab-only");
  const detail = byId("account-tab-only-detail");
  const tabOnly = Boolean(session && !session.persistent);
  note.hidden = !tabOnly;
  if (!tabOnly) return;
  detail.textContent = session.error
    ? `This device could not be signed in for later (error code: ${errorCode(session.error)}), so closing or reloading this tab signs you out.`
    : session.webCrypto && !session.stored
      ? "This browser's storage is blocked or full, so closing or reloading this tab signs you out; signing in again needs your password."
      : "Closing or reloading this tab signs you out; signing in again needs your password.";
}

/**
 * After a step that made the account key again: wipes that key from the worker (the device session
 * signs the rest) and makes sure the session is still held (from IndexedDB, with no derivation, if
 * the worker dropped it).
 */
async function keepSession() {
  if (!hasSession) return; // the account key is what keeps this tab signed in
  if (!(await resumeAgain())) {
    hasSession = false;
    return;
  }
  try {
    await notary().forgetAccountKey();
  } catch {
    /* the worker is gone: the key went with it */
  }
}

async function refresh() {
  const status = byId("account-status");
  const error = byId("account-error");
  const button = /** @type {HTMLButtonElement} */ (byId("account-refresh"));
  error.hidden = true;
  status.classList.remove("success");
  status.textContent = "Checking your account…";
  button.disabled = true;
  try {
    const account = await notary().account();
    render(account);
    status.textContent = "Account status is up to date.";
  } catch (failure) {
    status.textContent = "";
    if (errorCode(failure) === "unknown_key") return sessionEnded();
    showError(error, failure, "signin");
  } finally {
    button.disabled = false;
  }
}

function render(account) {
  currentAddress = String(account.address ?? "");
  rememberAddress(currentAddress);
  const state = String(account.status ?? "unknown");
  rememberStage(state === "active" ? "active" : "");
  byId("account-address").textContent = currentAddress;
  const badge = byId("account-state");
  badge.textContent = state === "active" ? "Active" : state === "disabled" ? "Disabled" : state;
  badge.className = `badge ${state === "active" ? "active" : "disabled"}`;
  currentKeyId = String(account.key_id ?? "");
  byId("account-key-id").textContent = currentKeyId;
  byId("account-created").textContent = formatTime(account.created_at);
  byId("account-confirmed").textContent = formatTime(account.confirmed_at);
  currentKdfVersion = account.kdf_version === 1 ? 1 : 2;
  byId("account-kdf-version").textContent =
    currentKdfVersion === 1 ? "1 (moves to 2 once you confirm the emailed link)" : "2";
  // A change of password of a version-1 account goes by email and needs no current key.
  byId("change-current-password").closest(".field").hidden = currentKdfVersion === 1;
  for (const id of ["change-username", "assertion-username", "disable-username"]) {
    /** @type {HTMLInputElement} */ (byId(id)).value = currentAddress;
  }
}

/**
 * Makes the account key again from the current password typed into a form, and checks it is the
 * account's key before anything is signed with it: a wrong password is caught here, with no request
 * (for an account still on protocol version 1, a sign-in makes and checks its version-1 key).
 * @param {HTMLInputElement} input the form's current-password field
 * @param {Feedback} feedback
 */
async function unlockAccountKey(input, feedback) {
  const client = notary();
  const onProgress = feedback.progressListener();
  if (currentKdfVersion === 1) {
    await withTicket(currentAddress, (ticket) => client.signIn(currentAddress, input.value, { ticket, onProgress }));
  } else {
    const key = await withTicket(currentAddress, (ticket) =>
      client.deriveKey(currentAddress, input.value, { ticket, onProgress }),
    );
    if (currentKeyId && key?.keyId !== currentKeyId) {
      throw Object.assign(new Error("the typed password makes another key"), { code: "current_password_wrong" });
    }
  }
  input.value = "";
}

/** Lists this account's sessions, this device's marked; each other one with "End". */
async function loadSessions({ announce = "" } = {}) {
  const status = byId("sessions-status");
  const error = byId("sessions-error");
  error.hidden = true;
  try {
    const { sessions } = await notary().listSessions();
    renderSessions(Array.isArray(sessions) ? sessions : []);
    status.textContent = announce;
  } catch (failure) {
    if (errorCode(failure) === "unknown_key") return sessionEnded();
    if (errorCode(failure) === "no_session") {
      // Signed in with the account key only (the session could not be made): nothing to list.
      hasSession = false;
      const none = document.createElement("li");
      none.textContent = "This tab is signed in without a device session, so it can't list them. Sign in again to see where you're signed in.";
      byId("sessions-list").replaceChildren(none);
      byId("sessions-end-others").hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = "";
    showError(error, failure, "sessions");
  }
}

function renderSessions(sessions) {
  const list = byId("sessions-list");
  const items = sessions.map((session) => {
    const id = String(session.id ?? "");
    const label = String(session.label || "Unnamed device");
    const item = document.createElement("li");
    item.className = "session";
    item.dataset.sessionId = id;
    if (session.current) item.dataset.current = "true";
    const main = document.createElement("div");
    main.className = "session-main";
    const name = document.createElement("span");
    name.className = "session-label";
    name.textContent = label;
    main.append(name);
    if (session.current) {
      const badge = document.createElement("span");
      badge.className = "badge active";
      badge.textContent = "This device";
      main.append(badge);
    }
    const times = document.createElement("p");
    times.className = "session-times";
    times.textContent = `Signed in ${formatTime(session.created_at)} · last used ${formatTime(session.last_used_at)}`;
    main.append(times);
    item.append(main);
    if (!session.current) {
      const end = document.createElement("button");
      end.type = "button";
      end.className = "secondary";
      end.textContent = "End";
      end.setAttribute("aria-label", `End the session of ${label}, signed in ${formatTime(session.created_at)}`);
      end.addEventListener("click", () => endOne(id, label));
      item.append(end);
    }
    return item;
  });
  list.replaceChildren(...items);
  const others = sessions.filter((session) => !session.current).length;
  const endOthers = /** @type {HTMLButtonElement} */ (byId("sessions-end-others"));
  // "All other sessions" is relative to this device's session: without one, there is no "other".
  endOthers.hidden = !hasSession;
  endOthers.disabled = others === 0;
  if (!sessions.length) {
    const none = document.createElement("li");
    none.textContent = "No device keeps a session for this account.";
    list.append(none);
  }
}

async function endOne(id, label) {
  await endSessions(`Ending the session of ${label}…`, () => notary().endSession(id), {
    announce: `Ended the session of ${label}: that device is signed out.`,
  });
}

async function endOthers() {
  await endSessions("Ending every other session…", () => notary().endOtherSessions(), {
    announce: "Every other device is signed out. This one stays signed in.",
  });
}

/**
 * Ends sessions with the section busy, then lists them again (after the busy state, which restores
 * the buttons it disabled, so that the list decides which are usable). `unknown_session`: it ended
 * meanwhile; the list shows what is left.
 */
async function endSessions(progress, end, { announce }) {
  const section = byId("sessions-section");
  const status = byId("sessions-status");
  const error = byId("sessions-error");
  error.hidden = true;
  const outcome = await whileBusy(
    section,
    async () => {
      status.textContent = progress;
      try {
        await end();
        return "ended";
      } catch (failure) {
        if (errorCode(failure) === "unknown_key") return "signed_out";
        status.textContent = "";
        showError(error, failure, "sessions");
        return errorCode(failure) === "unknown_session" ? "stale" : "failed";
      }
    },
    { focusTarget: status },
  );
  if (outcome === "signed_out") return sessionEnded();
  if (outcome === "ended") {
    await loadSessions({ announce });
    status.focus();
  } else if (outcome === "stale") {
    await loadSessions();
  }
}

function wireOnce() {
  if (wired) return;
  wired = true;
  wireShowPasswords(byId("account-view"));
  wireStrengthHints(() => currentAddress, byId("account-view"));

  byId("account-refresh").addEventListener("click", () => refresh());
  byId("sessions-end-others").addEventListener("click", () => endOthers());
  const signOutButton = /** @type {HTMLButtonElement} */ (byId("account-sign-out"));
  signOutButton.addEventListener("click", async () => {
    const status = byId("account-status");
    const error = byId("account-error");
    error.hidden = true;
    signOutButton.disabled = true;
    status.textContent = "Signing out…";
    const unheard = await signOut();
    forgetTabMemory();
    leaveNotice(unheard ? "signed_out_unheard" : "signed_out");
    window.location.assign("/");
  });

  wireChangePassword();
  wireAssertion();
  wireDisable();
}

/**
 * The change of password while signed in: the current password makes the account key again (checked
 * against the account's key id), the worker makes the new key, and the current key signs the change,
 * so the server replaces the key at once, with no email step. That ends every session of the account,
 * this device's too: a new one is certified by the new key, so the person stays signed in here. An
 * account that still has a key of protocol version 1 cannot swap keys that way (the server confirms
 * any new key of such an account by email): its change goes the way of a forgotten password,
 * confirmed from the inbox, and needs no current key.
 */
function wireChangePassword() {
  const form = /** @type {HTMLFormElement} */ (byId("change-form"));
  const current = /** @type {HTMLInputElement} */ (byId("change-current-password"));
  const password = /** @type {HTMLInputElement} */ (byId("change-password"));
  const repeat = /** @type {HTMLInputElement} */ (byId("change-password-repeat"));
  const feedback = new Feedback("change");
  onKeyFormSubmit(form, feedback, {
    check: () => [...(currentKdfVersion === 1 ? [] : checkPassword(current)), ...checkNewPassword(password, repeat)],
    action: "change",
    address: () => currentAddress,
    task: async () => {
      const client = notary();
      if (currentKdfVersion === 1) {
        await withTicket(currentAddress, (ticket) =>
          client.deriveNewKey(password.value, { ticket, onProgress: feedback.progressListener() }),
        );
        feedback.say("Sending the public half of your new key…");
        await client.changePassword({ recovery: true });
        form.reset();
        password.dispatchEvent(new Event("input"));
        feedback.say(
          "We emailed you a link to confirm your new password. Until you open it and type the new password there, your current password keeps working.",
          { success: true, focus: true },
        );
        return;
      }
      let answer;
      try {
        await unlockAccountKey(current, feedback);
        // Two evaluations (the server's key is checked): a spent guess budget is met here too, and the
        // ticket from the inbox gets the owner through.
        await withTicket(currentAddress, (ticket) =>
          client.deriveNewKey(password.value, { ticket, onProgress: feedback.progressListener() }),
        );
        feedback.say("Replacing your key…");
        answer = await client.changePassword();
      } catch (failure) {
        await keepSession();
        throw failure;
      }
      form.reset();
      password.dispatchEvent(new Event("input")); // the strength hint follows the emptied field
      rememberStage("active");
      currentKeyId = String(answer?.key_id ?? "");
      byId("account-key-id").textContent = currentKeyId;
      feedback.say("Keeping this device signed in with your new key…");
      const session = await startSession();
      showSessionOutcome(session);
      await loadSessions();
      feedback.say(
        "Your new password is active. The old one no longer works and every other device is signed out; you are still signed in here.",
        { success: true, focus: true },
      );
    },
  });
}

/**
 * A token for another service: signed in the worker by the account key (a device session cannot sign
 * one), made again from the current password.
 */
function wireAssertion() {
  const form = /** @type {HTMLFormElement} */ (byId("assertion-form"));
  const audience = /** @type {HTMLInputElement} */ (byId("assertion-audience"));
  const lifetime = /** @type {HTMLSelectElement} */ (byId("assertion-lifetime"));
  const current = /** @type {HTMLInputElement} */ (byId("assertion-current-password"));
  const result = byId("assertion-result");
  const output = /** @type {HTMLTextAreaElement} */ (byId("assertion-token"));
  const feedback = new Feedback("assertion");
  form.addEventListener("submit", () => {
    result.hidden = true;
    output.value = "";
  });
  onKeyFormSubmit(form, feedback, {
    check: () => [
      ...(isWebAddress(audience.value.trim()) ? [] : [[audience, MESSAGES.audience_invalid]]),
      ...checkPassword(current),
    ],
    action: "assertion",
    address: () => currentAddress,
    task: async () => {
      const value = audience.value.trim();
      let token;
      try {
        await unlockAccountKey(current, feedback);
        token = await notary().assertion(value, Number(lifetime.value));
      } finally {
        await keepSession();
      }
      output.value = String(token);
      result.hidden = false;
      feedback.say(
        `Token created for ${value}. It is valid for ${lifetime.selectedOptions[0]?.textContent ?? "a short time"}.`,
        { focus: true },
      );
    },
  });
  byId("assertion-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(output.value);
      feedback.say("Token copied.");
    } catch {
      output.focus();
      output.select();
      feedback.say(MESSAGES.clipboard_unavailable);
    }
  });
}

function isWebAddress(value) {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && Boolean(url.host);
  } catch {
    return false;
  }
}

/**
 * Disabling: the current password first (a device session cannot sign a disable), then the
 * confirmation dialog, then the account key made again, checked, and the signed `DELETE /signature`.
 * The server ends every session with the account; this device's stored key is deleted too.
 */
function wireDisable() {
  const dialog = /** @type {HTMLDialogElement} */ (byId("disable-dialog"));
  const form = /** @type {HTMLFormElement} */ (byId("disable-form"));
  const open = byId("disable-open");
  const current = /** @type {HTMLInputElement} */ (byId("disable-current-password"));
  const section = byId("disable-section");
  const feedback = new Feedback("disable");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    feedback.clear();
    if (!reportFieldProblems(checkPassword(current))) return;
    byId("disable-dialog-address").textContent = currentAddress;
    dialog.returnValue = "";
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "confirm") {
      open.focus();
      return;
    }
    await whileBusy(
      section,
      async () => {
        feedback.say("Disabling your account…", { focus: true });
        try {
          await unlockAccountKey(current, feedback);
          feedback.say("Disabling your account…");
          await notary().disable();
        } catch (failure) {
          await keepSession();
          feedback.fail(failure, "disable", currentAddress);
          return;
        }
        try {
          // The server already ended the session: this deletes the stored key and wipes the worker.
          await signOut();
        } catch {
          /* nothing more the server needs to hear; the worker ends with the page */
        }
        forgetTabMemory();
        rememberStage("disabled");
        showDisabled();
      },
      { focusTarget: feedback.status },
    );
  });
}

function showDisabled() {
  byId("account-view").hidden = true;
  byId("disabled-address").textContent = currentAddress;
  byId("disabled-view").hidden = false;
  document.title = "Notary: account disabled";
  byId("disabled-heading").focus();
}

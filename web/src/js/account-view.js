// The account view (partials/account-panel.html), shown by the account page after sign-in, by the start
// page after sign-in and by the confirm page after a confirmation, in the same page, so that the key the
// person just made stays usable: status, change of password, a token for another service, disabling.

import { forgetAndClose, notary } from "./notary.js";
import { forgetSession, rememberAddress, rememberStage } from "./session.js";
import { checkNewPassword } from "./checks.js";
import { MESSAGES } from "./messages.js";
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
/** The protocol version of the account's key: 1 until an account made before version 2 has moved. */
let currentKdfVersion = 2;

/**
 * Shows the account view in place of `replacing` (the view that led here), loads the account with a
 * signed request, and makes the address bar say where the person is.
 * @param {{ replacing: HTMLElement, account?: object, moving?: "proposed" | "failed" | null }} options
 *   `account` when the caller just fetched it; `moving` when this sign-in proposed the move to protocol
 *   version 2 ("proposed"), or could not propose it now ("failed")
 */
export async function showAccountView({ replacing, account, moving = null }) {
  wireOnce();
  replacing.hidden = true;
  byId("account-view").hidden = false;
  byId("account-upgrade").hidden = !moving;
  byId("account-upgrade-sent").hidden = moving !== "proposed";
  byId("account-upgrade-later").hidden = moving !== "failed";
  document.title = "Notary: your account";
  if (window.location.pathname !== "/account.html") {
    window.history.replaceState(null, "", "/account.html");
  }
  byId("account-heading").focus();
  if (account) render(account);
  else await refresh();
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
  byId("account-key-id").textContent = String(account.key_id ?? "");
  byId("account-created").textContent = formatTime(account.created_at);
  byId("account-confirmed").textContent = formatTime(account.confirmed_at);
  currentKdfVersion = account.kdf_version === 1 ? 1 : 2;
  byId("account-kdf-version").textContent =
    currentKdfVersion === 1 ? "1 (moves to 2 once you confirm the emailed link)" : "2";
  byId("change-username").value = currentAddress;
}

function wireOnce() {
  if (wired) return;
  wired = true;
  wireShowPasswords(byId("account-view"));
  wireStrengthHints(() => currentAddress, byId("account-view"));

  byId("account-refresh").addEventListener("click", () => refresh());
  byId("account-sign-out").addEventListener("click", async () => {
    await forgetAndClose();
    forgetSession();
    window.location.assign("/");
  });

  wireChangePassword();
  wireAssertion();
  wireDisable();
}

/**
 * The change of password while signed in: the worker makes the new key, and the current key (still
 * loaded) signs the change, so the server replaces the key at once, with no email step. The new key
 * then is the session's key: the person stays signed in. An account that still has a key of protocol
 * version 1 cannot swap keys that way (the server confirms any new key of such an account by email):
 * its change goes the way of a forgotten password, confirmed from the inbox.
 */
function wireChangePassword() {
  const form = /** @type {HTMLFormElement} */ (byId("change-form"));
  const password = /** @type {HTMLInputElement} */ (byId("change-password"));
  const repeat = /** @type {HTMLInputElement} */ (byId("change-password-repeat"));
  const feedback = new Feedback("change");
  onKeyFormSubmit(form, feedback, {
    check: () => checkNewPassword(password, repeat),
    action: "change",
    address: () => currentAddress,
    task: async () => {
      const client = notary();
      // Two evaluations (the server's key is checked): a spent guess budget is met here too, and the
      // ticket from the inbox gets the owner through.
      await withTicket(currentAddress, (ticket) =>
        client.deriveNewKey(password.value, { ticket, onProgress: feedback.progressListener() }),
      );
      if (currentKdfVersion === 1) {
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
      feedback.say("Replacing your key…");
      const answer = await client.changePassword();
      form.reset();
      password.dispatchEvent(new Event("input")); // the strength hint follows the emptied field
      rememberStage("active");
      byId("account-key-id").textContent = String(answer?.key_id ?? "");
      feedback.say("Your new password is active. The old one no longer works; you are still signed in.", {
        success: true,
        focus: true,
      });
    },
  });
}

function wireAssertion() {
  const form = /** @type {HTMLFormElement} */ (byId("assertion-form"));
  const audience = /** @type {HTMLInputElement} */ (byId("assertion-audience"));
  const lifetime = /** @type {HTMLSelectElement} */ (byId("assertion-lifetime"));
  const result = byId("assertion-result");
  const output = /** @type {HTMLTextAreaElement} */ (byId("assertion-token"));
  const status = byId("assertion-status");
  const error = byId("assertion-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    result.hidden = true;
    output.value = "";
    const value = audience.value.trim();
    if (!isWebAddress(value)) {
      reportFieldProblems([[audience, MESSAGES.audience_invalid]]);
      return;
    }
    await whileBusy(
      form,
      async () => {
        try {
          const token = await notary().assertion(value, Number(lifetime.value));
          output.value = String(token);
          result.hidden = false;
          status.textContent = `Token created for ${value}. It is valid for ${lifetime.selectedOptions[0]?.textContent ?? "a short time"}.`;
          status.focus();
        } catch (failure) {
          status.textContent = "";
          showError(error, failure, "assertion");
        }
      },
      { focusTarget: status },
    );
  });
  byId("assertion-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(output.value);
      status.textContent = "Token copied.";
    } catch {
      output.focus();
      output.select();
      status.textContent = MESSAGES.clipboard_unavailable;
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

function wireDisable() {
  const dialog = /** @type {HTMLDialogElement} */ (byId("disable-dialog"));
  const open = byId("disable-open");
  const section = byId("disable-section");
  const status = byId("disable-status");
  const error = byId("disable-error");
  open.addEventListener("click", () => {
    error.hidden = true;
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
        status.textContent = "Disabling your account…";
        status.focus();
        try {
          await notary().disable();
          await forgetAndClose();
          forgetSession();
          rememberStage("disabled");
          showDisabled();
        } catch (failure) {
          status.textContent = "";
          showError(error, failure, "disable");
        }
      },
      { focusTarget: status },
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

// The target of the emailed link: /confirm.html#token=<token>&address=<address>&purpose=signup|change.
// The person types the password again (the new one for a change); the worker makes the key and signs
// POST /confirm with it; then the account shows in this same page, with the key still loaded. A
// `change` link also confirms the one-time move of an account made before protocol version 2: its
// key of version 2 is made from the unchanged password, so the person types that password. A confirmed
// account is a signed-in one: the key certifies a device session (which a change, ending every earlier
// session, needs anyway).

import { showAccountView } from "./account-view.js";
import { checkPassword } from "./checks.js";
import { startSession } from "./device-session.js";
import { notary } from "./notary.js";
import { clearFragment, fragmentFields } from "./link.js";
import { rememberAddress, rememberStage } from "./tab-memory.js";
import { withTicket } from "./ticket.js";
import { byId, Feedback, onKeyFormSubmit, showError, wireShowPasswords } from "./ui.js";

const CONFIRMATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Reads the link's fragment.
 * @returns {{ token: string, address: string, purpose: "signup" | "change" } | null}
 */
export function parseLink(hash) {
  const fields = fragmentFields(hash);
  if (!fields) return null;
  const token = fields.get("token") ?? "";
  const address = (fields.get("address") ?? "").trim();
  const purpose = fields.get("purpose");
  if (!CONFIRMATION_TOKEN.test(token) || !address.includes("@")) return null;
  if (purpose !== "signup" && purpose !== "change") return null;
  return { token, address, purpose };
}

const view = byId("confirm-view");
const link = parseLink(window.location.hash);
// The token is a secret until used: keep it in memory only, and out of the address bar and history.
clearFragment();

if (!link) {
  const box = byId("confirm-link-error");
  showError(box, { code: "link_incomplete" });
} else {
  setUp(link);
}

function setUp({ token, address, purpose }) {
  const form = /** @type {HTMLFormElement} */ (byId("confirm-form"));
  const password = /** @type {HTMLInputElement} */ (byId("confirm-password"));
  const feedback = new Feedback("confirm");
  /** @type {HTMLInputElement} */ (byId("confirm-address")).value = address;
  if (purpose === "change") {
    // A new password, or the move to protocol version 2 (same password): the link does not say which.
    document.title = "Notary: confirm the change to your account";
    byId("confirm-heading").textContent = "Confirm the change to your account";
    byId("confirm-form-heading").textContent = "Type your password";
    byId("confirm-password-label").textContent = "Password (the new one, if you chose a new one)";
    byId("confirm-password-hint").textContent =
      "If you chose a new password, type the new one: once confirmed, the old one stops working. If this email is about moving your account to protocol version 2, your password stays the same: type it as usual.";
  }
  byId("confirm-section").hidden = false;
  wireShowPasswords(form);
  password.focus();

  onKeyFormSubmit(form, feedback, {
    check: () => checkPassword(password),
    action: "confirm",
    address: () => address,
    task: async () => {
      const client = notary();
      await withTicket(address, (ticket) =>
        client.deriveKey(address, password.value, { ticket, onProgress: feedback.progressListener() }),
      );
      feedback.say("Confirming…");
      const answer = await client.confirm(token);
      password.value = "";
      rememberAddress(answer?.address ?? address);
      rememberStage("active");
      feedback.say(purpose === "change" ? "Your new key is active." : "Your account is active.", {
        success: true,
      });
      const session = await startSession();
      await showAccountView({ replacing: view, session });
      const status = byId("account-status");
      status.classList.add("success");
      status.textContent =
        purpose === "change"
          ? "Confirmed: your account's new key is active, and only the password it was made from signs you in."
          : "Confirmed: your account is active.";
    },
  });
}

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

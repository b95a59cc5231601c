// The target of the emailed link: /confirm.html#token=<token>&address=<address>&purpose=signup|change.
// The person types the password again (the new one for a change); the worker makes the key and signs
// POST /confirm with it; then the account shows in this same page, with the key still loaded.

import { showAccountView } from "./account-view.js";
import { checkPassword } from "./checks.js";
import { notary } from "./notary.js";
import { rememberAddress, rememberStage } from "./session.js";
import { byId, Feedback, onKeyFormSubmit, showError, wireShowPasswords } from "./ui.js";

const CONFIRMATION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Reads the link's fragment. Decoded by hand: URLSearchParams would turn a "+" of an address into a
 * space.
 * @returns {{ token: string, address: string, purpose: "signup" | "change" } | null}
 */
export function parseLink(hash) {
  const fields = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    try {
      fields.set(part.slice(0, eq), decodeURIComponent(part.slice(eq + 1)));
    } catch {
      return null;
    }
  }
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
if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);

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
    document.title = "Notary: confirm your new password";
    byId("confirm-heading").textContent = "Confirm your new password";
    byId("confirm-form-heading").textContent = "Type your new password";
    byId("confirm-password-label").textContent = "New password";
    byId("confirm-password-hint").textContent =
      "The new password you chose on your account page. Once confirmed, the old one stops working.";
  }
  byId("confirm-section").hidden = false;
  wireShowPasswords(form);
  password.focus();

  onKeyFormSubmit(form, feedback, {
    check: () => checkPassword(password),
    action: "confirm",
    task: async () => {
      const client = notary();
      await client.deriveKey(address, password.value, { onProgress: feedback.progressListener() });
      feedback.say("Confirming…");
      const answer = await client.confirm(token);
      password.value = "";
      rememberAddress(answer?.address ?? address);
      rememberStage("active");
      feedback.say(purpose === "change" ? "Your new password is active." : "Your account is active.", {
        success: true,
      });
      await showAccountView({ replacing: view });
      const status = byId("account-status");
      status.classList.add("success");
      status.textContent =
        purpose === "change"
          ? "Confirmed: your new password is now the only one that works."
          : "Confirmed: your account is active.";
    },
  });
}

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

// "Forgot your password?" next to the sign-in form (partials/recover-form.html): nobody can look a
// password up, so the person chooses a new one. The worker makes its key, and the change is sent
// without the current key (the recovery path of PATCH /signature): the server emails a link, and the
// new password takes effect once the confirm page signs that link with it.

import { checkAddress, checkNewPassword } from "./checks.js";
import { notary } from "./notary.js";
import { rememberAddress, rememberedAddress, rememberStage } from "./tab-memory.js";
import { withTicket } from "./ticket.js";
import { byId, Feedback, onKeyFormSubmit, wireShowPasswords, wireStrengthHints } from "./ui.js";

/**
 * Wires the recovery form, if the page has one.
 * @param {{ signInAddress: HTMLInputElement }} options the sign-in form's address, to start from
 */
export function wireRecovery({ signInAddress }) {
  const details = /** @type {HTMLDetailsElement | null} */ (document.getElementById("recover-details"));
  if (!details) return;
  const form = /** @type {HTMLFormElement} */ (byId("recover-form"));
  const address = /** @type {HTMLInputElement} */ (byId("recover-address"));
  const password = /** @type {HTMLInputElement} */ (byId("recover-password"));
  const repeat = /** @type {HTMLInputElement} */ (byId("recover-password-repeat"));
  const feedback = new Feedback("recover");
  details.addEventListener("toggle", () => {
    if (details.open && !address.value) address.value = signInAddress.value.trim() || rememberedAddress();
  });
  wireShowPasswords(form);
  wireStrengthHints(() => address.value.trim(), form);

  onKeyFormSubmit(form, feedback, {
    check: () => [...checkAddress(address), ...checkNewPassword(password, repeat)],
    action: "recover",
    address: () => address.value.trim(),
    task: async () => {
      const client = notary();
      const typed = address.value.trim();
      const derived = await withTicket(typed, (ticket) =>
        client.deriveNewKey(password.value, { address: typed, ticket, onProgress: feedback.progressListener() }),
      );
      feedback.say("Sending the public half of your new key…");
      await client.changePassword({ recovery: true });
      rememberAddress(derived?.address ?? address.value.trim());
      rememberStage("change_sent");
      form.reset();
      window.location.assign("/inbox.html?purpose=change");
    },
  });
}

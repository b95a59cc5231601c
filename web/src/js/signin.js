// Sign-in: the worker has the server evaluate the password, makes the key and proves it with a signed
// GET /account (the client package's signIn). Only the server can tell whether the password was right
// (any password makes some key); a refused sign-in leaves no key in the worker. An account made before
// protocol version 2 signs in with its old key and is proposed the new one, confirmed by email: the
// account view then says so, once. Then the account key certifies a device session (js/device-session.js),
// so that this browser stays signed in across reloads with no password and no key derivation.

import { showAccountView } from "./account-view.js";
import { checkAddress, checkPassword } from "./checks.js";
import { startSession } from "./device-session.js";
import { notary } from "./notary.js";
import { wireRecovery } from "./recover.js";
import { rememberAddress, rememberedAddress } from "./tab-memory.js";
import { withTicket } from "./ticket.js";
import { byId, Feedback, onKeyFormSubmit, wireShowPasswords } from "./ui.js";

/**
 * Wires the sign-in form with id prefix `prefix` (partials/signin-form.html).
 * @param {{ prefix: string, view: HTMLElement }} options `view` is hidden once the account shows
 * @returns {Feedback} the form's feedback area
 */
export function wireSignIn({ prefix, view }) {
  const form = /** @type {HTMLFormElement} */ (byId(`${prefix}-form`));
  const address = /** @type {HTMLInputElement} */ (byId(`${prefix}-address`));
  const password = /** @type {HTMLInputElement} */ (byId(`${prefix}-password`));
  const feedback = new Feedback(prefix);
  wireShowPasswords(form);
  if (!address.value) address.value = rememberedAddress();
  wireRecovery({ signInAddress: address });

  onKeyFormSubmit(form, feedback, {
    check: () => [...checkAddress(address), ...checkPassword(password)],
    action: "signin",
    address: () => address.value.trim(),
    task: async () => {
      const typed = address.value.trim();
      const { account, upgrade, upgradeError } = await withTicket(typed, (ticket) =>
        notary().signIn(typed, password.value, { ticket, onProgress: feedback.progressListener() }),
      );
      password.value = "";
      rememberAddress(account.address);
      feedback.say("Signed in. Keeping this device signed in…");
      const session = await startSession();
      feedback.say("Signed in.", { success: true });
      await showAccountView({
        replacing: view,
        account,
        moving: upgrade ? "proposed" : upgradeError ? "failed" : null,
        session,
      });
    },
  });
  return feedback;
}

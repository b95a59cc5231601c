// Sign-in: make the key from address and password in the worker, then prove it with a signed
// GET /account. Only the server can tell whether the password was right (any password makes some key),
// so a refused key is forgotten at once.

import { showAccountView } from "./account-view.js";
import { checkAddress, checkPassword } from "./checks.js";
import { notary } from "./notary.js";
import { wireRecovery } from "./recover.js";
import { rememberAddress, rememberedAddress } from "./session.js";
import { byId, Feedback, onKeyFormSubmit, wireShowPasswords } from "./ui.js";

/**
 * Wires the sign-in form with id prefix `prefix` (partials/signin-form.html).
 * @param {{ prefix: string, view: HTMLElement }} options `view` is hidden once the account shows
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
    task: async () => {
      const client = notary();
      const derived = await client.deriveKey(address.value.trim(), password.value, {
        onProgress: feedback.progressListener(),
      });
      feedback.say("Checking your account…");
      let account;
      try {
        account = await client.account();
      } catch (failure) {
        await client.forget().catch(() => {}); // the refusal is what matters
        throw failure;
      }
      password.value = "";
      rememberAddress(derived?.address ?? account.address);
      feedback.say("Signed in.", { success: true });
      await showAccountView({ replacing: view, account });
    },
  });
}

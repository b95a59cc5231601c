// The start page: create an account (derive the key, POST /signup, then "check your inbox"), or sign in.

import { checkAddress, checkNewPassword } from "./checks.js";
import { notary } from "./notary.js";
import { rememberAddress, rememberStage } from "./session.js";
import { wireSignIn } from "./signin.js";
import { byId, Feedback, onKeyFormSubmit, wireShowPasswords, wireStrengthHints } from "./ui.js";

const view = byId("signed-out-view");
const form = /** @type {HTMLFormElement} */ (byId("signup-form"));
const address = /** @type {HTMLInputElement} */ (byId("signup-address"));
const password = /** @type {HTMLInputElement} */ (byId("signup-password"));
const repeat = /** @type {HTMLInputElement} */ (byId("signup-password-repeat"));
const feedback = new Feedback("signup");

wireShowPasswords(form);
wireStrengthHints(() => address.value.trim(), form);
wireSignIn({ prefix: "signin", view });

onKeyFormSubmit(form, feedback, {
  check: () => [...checkAddress(address), ...checkNewPassword(password, repeat)],
  action: "signup",
  task: async () => {
    const client = notary();
    const derived = await client.deriveKey(address.value.trim(), password.value, {
      onProgress: feedback.progressListener(),
    });
    feedback.say("Sending the public half of your key…");
    await client.signup();
    rememberAddress(derived?.address ?? address.value.trim());
    rememberStage("signup_sent");
    form.reset();
    window.location.assign("/inbox.html?purpose=signup");
  },
});

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

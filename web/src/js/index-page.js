// The start page: create an account (derive the key, POST /signup, then "check your inbox"), or sign in.
// Also the target of an emailed sign-in ticket link (#ticket=...&address=...): the ticket is kept for
// the next attempt with that address (js/ticket.js) and the sign-in form is prefilled. When this device
// keeps a session (js/device-session.js), the page resumes it and shows the account instead.

import { showAccountView } from "./account-view.js";
import { checkAddress, checkNewPassword } from "./checks.js";
import { resumeOnLoad } from "./device-session.js";
import { clearFragment } from "./link.js";
import { notary } from "./notary.js";
import { rememberAddress, rememberStage } from "./tab-memory.js";
import { wireSignIn } from "./signin.js";
import { keepTicketFromLink, withTicket } from "./ticket.js";
import { byId, Feedback, onKeyFormSubmit, wireShowPasswords, wireStrengthHints } from "./ui.js";

const view = byId("signed-out-view");
const form = /** @type {HTMLFormElement} */ (byId("signup-form"));
const address = /** @type {HTMLInputElement} */ (byId("signup-address"));
const password = /** @type {HTMLInputElement} */ (byId("signup-password"));
const repeat = /** @type {HTMLInputElement} */ (byId("signup-password-repeat"));
const feedback = new Feedback("signup");

wireShowPasswords(form);
wireStrengthHints(() => address.value.trim(), form);
// Read before the sign-in form is wired, which prefills the address.
const ticketAddress = keepTicketFromLink(window.location.hash);
clearFragment();
if (ticketAddress) byId("signin-address").value = ticketAddress;
const signInFeedback = wireSignIn({ prefix: "signin", view });
if (ticketAddress) {
  signInFeedback.say(
    `Sign-in ticket received for ${ticketAddress}: type your password below. The ticket lets you try a few times within an hour.`,
  );
  byId("signin-password").focus();
}

onKeyFormSubmit(form, feedback, {
  check: () => [...checkAddress(address), ...checkNewPassword(password, repeat)],
  action: "signup",
  address: () => address.value.trim(),
  task: async () => {
    const client = notary();
    const typed = address.value.trim();
    const derived = await withTicket(typed, (ticket) =>
      client.deriveNewKey(password.value, { address: typed, ticket, onProgress: feedback.progressListener() }),
    );
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

// A ticket link is for signing in with a password: no session to resume then.
if (!ticketAddress) {
  resumeOnLoad({
    signedOutView: view,
    onResumed: ({ account, session }) =>
      showAccountView({ replacing: view, account, session: { persistent: session?.persistent !== false } }),
  });
}

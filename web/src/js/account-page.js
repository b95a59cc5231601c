// The account page: resumes this device's session if it keeps one (signed in with no password and no
// key derivation), else signs in; then the account view.

import { showAccountView } from "./account-view.js";
import { resumeOnLoad } from "./device-session.js";
import { wireSignIn } from "./signin.js";
import { byId } from "./ui.js";

const view = byId("signed-out-view");
wireSignIn({ prefix: "signin", view });

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

resumeOnLoad({
  signedOutView: view,
  onResumed: ({ account, session }) =>
    showAccountView({ replacing: view, account, session: { persistent: session?.persistent !== false } }),
});

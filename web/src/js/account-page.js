// The account page: sign in (the key does not survive a page change), then the account view.

import { wireSignIn } from "./signin.js";
import { byId } from "./ui.js";

wireSignIn({ prefix: "signin", view: byId("signed-out-view") });

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

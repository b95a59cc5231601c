// "Check your inbox": says what the email is for and what happens next. Holds no key.

import { rememberedAddress } from "./tab-memory.js";
import { byId } from "./ui.js";

const purpose = new URLSearchParams(window.location.search).get("purpose") === "change" ? "change" : "signup";
const address = rememberedAddress();

if (address) byId("inbox-address").textContent = address;
if (purpose === "change") {
  document.title = "Notary: confirm your new password";
  byId("inbox-summary").firstChild.textContent = "To finish changing your password, we've sent a link to ";
  byId("inbox-steps-signup").hidden = true;
  byId("inbox-steps-change").hidden = false;
  byId("inbox-note-signup").hidden = true;
  byId("inbox-note-change").hidden = false;
  byId("inbox-retry").setAttribute("href", "/account.html");
}
// The development mailbox only exists on a local machine.
if (["127.0.0.1", "localhost", "[::1]"].includes(window.location.hostname)) {
  byId("inbox-dev-mailbox").hidden = false;
}
byId("inbox-heading").focus();

// Tells js/boot.js that this page started.
document.documentElement.dataset.ready = "true";

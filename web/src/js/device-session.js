// The device session (issue 13): after a sign-in the account key certifies a device key once
// (`createSession`), the client package keeps that key non-extractable in IndexedDB, and the account
// key is wiped from the worker. A page load resumes it (`resumeSession`): signed in with no password
// and no key derivation. A session ended elsewhere (another device's "End", a change of password, a
// disable, expiry) answers `unknown_key`: the page then shows the sign-in form with a short note.
// Where the browser lacks WebCrypto Ed25519, the session's key lives in WebAssembly memory for this
// tab only, and the account view says so.

import { deviceLabel } from "./device-label.js";
import { closeNotary, notary } from "./notary.js";
import { explain, errorCode } from "./messages.js";
import { leaveNotice, rememberedAddress, rememberSignedIn, takeNotice, wasSignedIn } from "./tab-memory.js";
import { byId } from "./ui.js";

/** The words of each one-time notice on a signed-out page (tab-memory.js NOTICES). */
export const NOTICE_TEXT = {
  signed_out: "You are signed out. This device no longer keeps a key for your account.",
  signed_out_unheard:
    "You are signed out: this device deleted its key for your account. The server could not be told just now, so that session is listed until it expires (or until you end it from another device); without its key, nobody can use it.",
  session_ended:
    "You were signed out: this device's session was ended (from another device, by a change of password, or because it expired). Sign in again to continue.",
};

/**
 * Certifies a device session with the account key just made (after a sign-in or a confirmation, or a
 * change of password, which ends every earlier session). The worker then wipes the account key.
 * Never throws: a session that could not be made leaves the person signed in in this tab, with the
 * account key, and the outcome says why.
 * @returns {Promise<{ persistent: boolean, error?: unknown }>}
 */
export async function startSession() {
  try {
    const created = await notary().createSession({ label: deviceLabel() });
    // Kept for later only when the key is a WebCrypto key and IndexedDB stored it.
    const persistent = Boolean(created?.persistent) && created?.stored !== false;
    rememberSignedIn(persistent);
    return { persistent, stored: created?.stored !== false, webCrypto: Boolean(created?.persistent) };
  } catch (error) {
    rememberSignedIn(false);
    return { persistent: false, error };
  }
}

/**
 * On page load: resumes the device session, if this browser keeps one for this server. Marks
 * `<html data-session>`: `checking`, then `resumed`, `none` (nothing kept), `ended` (the server
 * no longer knows it), `failed` (it could not be checked now; the session is kept for later) or
 * `superseded` (a sign-in with the password started meanwhile).
 * While a tab that was signed in reloads, `signedOutView` stays hidden until the answer comes, so
 * the sign-in form does not flash.
 * @param {{ signedOutView: HTMLElement, onResumed: (answer: { account: object, session: object }) => Promise<void> | void }} options
 */
export async function resumeOnLoad({ signedOutView, onResumed }) {
  const root = document.documentElement;
  root.dataset.session = "checking";
  const notice = takeNotice();
  const expecting = wasSignedIn();
  if (expecting) signedOutView.hidden = true;
  let answer = null;
  try {
    answer = await notary().resumeSession();
  } catch (error) {
    if (errorCode(error) === "unknown_key") answer = { ended: "unknown_key" };
    else {
      signedOutView.hidden = false;
      root.dataset.session = "failed";
      showNotice(`${explain(error).text} (We could not check whether this device is signed in.)`, {
        code: errorCode(error),
      });
      return;
    }
  }
  if (answer?.account) {
    // A sign-in typed meanwhile (a new tab, before the answer came) goes its own way.
    if (document.querySelector("form[aria-busy='true']")) {
      root.dataset.session = "superseded";
      return;
    }
    rememberSignedIn(true);
    root.dataset.session = "resumed";
    await onResumed(answer);
    return;
  }
  signedOutView.hidden = false;
  if (answer?.ended || expecting) {
    // The server refused the session (`unknown_key`): the client package deleted it.
    rememberSignedIn(false);
    root.dataset.session = "ended";
    showNotice(NOTICE_TEXT.session_ended, { code: "session_ended" });
    return;
  }
  root.dataset.session = "none";
  if (notice) showNotice(NOTICE_TEXT[notice], { code: notice });
}

/**
 * Has the worker hold this device's session again, from IndexedDB (with a signed GET /account, no
 * derivation), when it no longer does: the client package drops it when it makes the account key
 * again. True when the worker holds a session afterwards.
 */
export async function resumeAgain() {
  try {
    const { session } = await notary().keyInfo();
    if (session) return true;
    const answer = await notary().resumeSession();
    return Boolean(answer?.account);
  } catch {
    return false;
  }
}

/**
 * Signs out: ends this session on the server (the client package ignores `unknown_key`), deletes the
 * stored key, wipes the worker's keys and stops it. The key goes even when the server cannot be
 * reached: then this resolves to that error (the session, of use to no one without its key, lasts on
 * the server until it expires or another device ends it).
 * @returns {Promise<unknown | null>} the error that kept the server from hearing of it, or null
 */
export async function signOut() {
  let unheard = null;
  try {
    await notary().signOut();
  } catch (error) {
    unheard = error;
  }
  rememberSignedIn(false);
  closeNotary();
  return unheard;
}

/**
 * This device's session turned out to be ended (a signed request got `unknown_key`): forgets it here
 * too, and shows the sign-in form with a note (on the account page).
 */
export async function sessionEnded() {
  // The server already forgot it; the stored key goes whatever the server says.
  await signOut();
  leaveNotice("session_ended");
  window.location.assign("/account.html");
}

/** The note at the top of a signed-out view (`#signed-out-note`), with the address prefilled. */
function showNotice(text, { code }) {
  const note = byId("signed-out-note");
  note.textContent = text;
  note.dataset.code = code;
  note.hidden = false;
  const address = /** @type {HTMLInputElement | null} */ (document.getElementById("signin-address"));
  if (address && !address.value) address.value = rememberedAddress();
}

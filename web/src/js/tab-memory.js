// What a page remembers for the next one, in sessionStorage (this tab only): the address, a non-secret
// note of where the person is in the flow, whether this tab has a device session (so a reload can wait
// for it instead of flashing the sign-in form), and a one-time notice for the next page ("signed out",
// "ended elsewhere"). Never the password, never key material: the account key lives in the page's Web
// Worker and dies with the page; the device session's key is the client package's, in IndexedDB.

const ADDRESS = "notary.address";
const STAGE = "notary.stage";
const SIGNED_IN = "notary.signed_in";
const NOTICE = "notary.notice";

/** Stages worth remembering: they only choose which words a page shows. */
export const STAGES = new Set(["signup_sent", "change_sent", "active", "disabled"]);

/** One-time notices for the next signed-out page (js/device-session.js words them). */
export const NOTICES = new Set(["signed_out", "signed_out_unheard", "session_ended"]);

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: pages still work, they just can't prefill the address
  }
}

function set(key, value) {
  try {
    storage()?.setItem(key, value);
  } catch {
    /* quota or privacy mode: nothing to remember then */
  }
}

function remove(...keys) {
  try {
    for (const key of keys) storage()?.removeItem(key);
  } catch {
    /* as above */
  }
}

export function rememberAddress(address) {
  set(ADDRESS, address);
}

export function rememberedAddress() {
  return storage()?.getItem(ADDRESS) ?? "";
}

export function rememberStage(stage) {
  if (STAGES.has(stage)) set(STAGE, stage);
}

export function rememberedStage() {
  const stage = storage()?.getItem(STAGE) ?? "";
  return STAGES.has(stage) ? stage : "";
}

/** Notes that this tab signed in with a device session (`true`), or that it no longer has one. */
export function rememberSignedIn(signedIn) {
  if (signedIn) set(SIGNED_IN, "1");
  else remove(SIGNED_IN);
}

/** Whether this tab last had a device session: the next page load then expects to resume it. */
export function wasSignedIn() {
  return storage()?.getItem(SIGNED_IN) === "1";
}

/** Leaves a notice for the next signed-out page (one of NOTICES). */
export function leaveNotice(notice) {
  if (NOTICES.has(notice)) set(NOTICE, notice);
}

/** The notice left for this page, if any; it is shown once. */
export function takeNotice() {
  const notice = storage()?.getItem(NOTICE) ?? "";
  remove(NOTICE);
  return NOTICES.has(notice) ? notice : "";
}

/** Forgets everything of this tab's (on signing out): the address, the stage, the signed-in note. */
export function forgetTabMemory() {
  remove(ADDRESS, STAGE, SIGNED_IN, NOTICE);
}

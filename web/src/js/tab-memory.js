// What a page remembers for the next one, in sessionStorage (this tab only): the address, and a
// non-secret note of where the person is in the flow. Never the password, never key material: the key
// lives in the page's Web Worker and dies with the page.

const ADDRESS = "notary.address";
const STAGE = "notary.stage";

/** Stages worth remembering: they only choose which words a page shows. */
export const STAGES = new Set(["signup_sent", "change_sent", "active", "disabled"]);

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: pages still work, they just can't prefill the address
  }
}

export function rememberAddress(address) {
  try {
    storage()?.setItem(ADDRESS, address);
  } catch {
    /* quota or privacy mode: nothing to remember then */
  }
}

export function rememberedAddress() {
  return storage()?.getItem(ADDRESS) ?? "";
}

export function rememberStage(stage) {
  if (!STAGES.has(stage)) return;
  try {
    storage()?.setItem(STAGE, stage);
  } catch {
    /* as above */
  }
}

export function rememberedStage() {
  const stage = storage()?.getItem(STAGE) ?? "";
  return STAGES.has(stage) ? stage : "";
}

export function forgetSession() {
  storage()?.removeItem(ADDRESS);
  storage()?.removeItem(STAGE);
}

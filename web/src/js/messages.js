// Every error code the pages can meet, in plain language: the protocol's, the server's and the client
// package's (all listed in docs/error-codes.json), the Web Worker client's and the pages' own checks.
// One place, so that nothing fails with a bare code (tests/e2e/web-messages.test.mjs checks both ways).

/** The codes the pages raise themselves, besides those of docs/error-codes.json and the Web Worker client. */
export const PAGE_CODES = Object.freeze([
  "worker_unavailable",
  "address_required",
  "address_incomplete",
  "password_required",
  "password_too_short",
  "password_too_long",
  "passwords_differ",
  "link_incomplete",
  "audience_invalid",
  "clipboard_unavailable",
  "current_password_wrong",
]);

/** @type {Record<string, string>} */
export const MESSAGES = {
  // Protocol: input
  invalid_address:
    "That email address can't be used. Check it for typos: it needs one @ and a domain such as example.com, and the part before the @ may only use letters, digits, dots and the signs !#$%&'*+/=?^_`{|}~-.",
  invalid_password: "The password must be between 8 and 1024 characters long.",
  invalid_salt:
    "The server sent data this page can't use, so nothing was signed. Reload the page and try again; if it keeps happening, the service is misconfigured.",
  weak_kdf_params:
    "The server asked for key-making settings outside the safe range this page accepts, so it stopped to protect your password. Nothing was sent. Please try again later.",
  invalid_blinded_element:
    "The server couldn't read the protected form of your password this page sent. Reload the page and try again.",
  invalid_evaluated_element:
    "The server answered with data this page can't use to make your key, so nothing was signed. Reload the page and try again; if it keeps happening, the service is misconfigured.",
  oprf_failure:
    "Your key couldn't be made from the server's answer, so nothing was signed. Reload the page and try again.",
  unsupported_kdf_version:
    "The server asked for a way of making your key that this page doesn't know, so it stopped to protect your password. Nothing was sent. Reload the page to get the current version and try again.",

  // Protocol: tokens and keys
  invalid_token:
    "The server could not read the signed message from this page. Reload the page and try again.",
  unsupported_algorithm:
    "The signed message used a signature type the server doesn't accept. Reload the page to get the current version and try again.",
  wrong_token_type:
    "The signed message was of the wrong kind for this step. Reload the page and try again.",
  invalid_signature:
    "The signature didn't check out. If you just typed a password, make sure it is the right one and try again.",
  invalid_key:
    "The key made from your password was refused as malformed. Try again; if it keeps happening, choose a different password.",
  weak_key: "The key made from your password was refused as unsafe. Please choose a different password.",
  expired:
    "The signed message had expired by the time the server got it. Check that this device's clock is right, then try again.",
  not_yet_valid:
    "The signed message is dated in the future. Check that this device's date and time are right, then try again.",
  lifetime_too_long:
    "The signed message was meant to stay valid for too long (the limit is 5 minutes). Choose a shorter time and try again.",
  wrong_audience:
    "The signed message was made for a different server address. Open Notary from its usual address and try again.",
  request_mismatch:
    "The signed request didn't match what reached the server (something on the way may have changed it). Reload the page and try again.",
  wrong_subject:
    "The signed message named a different account than the one its key belongs to. Sign in again and retry.",
  replayed:
    "That signed message had already been used once, so it was refused. Try again: a fresh one will be made.",

  // Server
  invalid_request: "The server couldn't understand the request. Reload the page and try again.",
  body_too_large: "The request was larger than the server accepts. Use shorter values and try again.",
  unsupported_media_type:
    "The request was sent in a format the server doesn't accept. Reload the page and try again.",
  forbidden_origin:
    "The server doesn't accept requests from the web address this page was opened from. Open Notary from its usual address.",
  unauthorized: "This needs a valid signature from your key. Sign in again and retry.",
  not_found: "The server doesn't have what this page asked for. Reload the page and try again.",
  method_not_allowed: "The server doesn't allow this action here. Reload the page and try again.",
  rate_limited: "Too many attempts in a short time. Please wait a moment, then try again.",
  guess_budget_exhausted:
    "Too many password attempts for this email address, so the server is pausing them to stop guessing. Please try again later, or ask for a sign-in ticket by email.",
  legacy_key_retired:
    "This account still uses a key of protocol version 1, which this service no longer accepts. Use \"Forgot your password?\" to set a password again (it may be the same one): that gives the account a key of version 2.",
  unknown_key:
    "No active account matches this email address and password. Check both and try again. If you haven't confirmed your address yet, open the link we emailed you first.",
  confirmation_invalid:
    "This confirmation link can't be used any more: it may have expired or been used already, or the account may have been disabled or changed since. Start again to get a new link.",
  address_taken:
    "This email address already has an active account, so this link can't create another one. Sign in instead.",
  unknown_account: "No active account has this email address.",
  database_unavailable: "The Notary service can't reach its database right now. Please try again in a moment.",
  key_in_use:
    "That password makes the key this account already uses. Choose a different new password.",
  unknown_session:
    "That session has already ended, or it isn't one of this account's. The list below is up to date again.",
  internal: "Something went wrong on the server. Please try again in a moment.",
  misconfigured:
    "The Notary service isn't set up correctly right now, so it can't do this. Please try again later.",

  // Client package and browser
  network_error:
    "Couldn't reach the Notary server. Check your internet connection and try again.",
  unexpected_response:
    "The server sent an answer this page doesn't understand. Reload the page and try again.",
  invalid_argument:
    "This page passed something the signing module couldn't use. Reload the page and try again.",
  oprf_key_varies:
    "The server answered the same password in two different ways, so no key was registered: signing up or changing a password needs a consistent answer. Please try again later; if it keeps happening, the service may be misconfigured or not trustworthy.",
  address_mismatch:
    "The server answered for a different email address than the one you typed, so nothing was signed. Try again.",
  no_randomness:
    "This browser couldn't provide the secure random numbers needed for signing, so nothing was signed. Try an up-to-date browser.",
  no_key: "Your key isn't loaded in this page any more. Type your password again to continue.",
  no_pending_key: "Make the new key first: type the new password and submit the form again.",
  worker_error:
    "The part of this page that makes and keeps your key stopped working. Reload the page and try again.",
  worker_unavailable:
    "This browser can't run the part of the page that keeps your key separate (Web Workers and WebAssembly are needed). Try an up-to-date browser.",
  busy: "Another step is still running. Wait for it to finish, then try again.",
  terminated: "This page closed its key store. Reload the page and try again.",
  no_session:
    "This tab isn't signed in with a device session, so it can't do this. Sign in again to continue.",
  session_store_unavailable:
    "This browser couldn't use its storage for the device session (it may be blocked in private browsing, or full).",

  // The pages' own checks (PAGE_CODES)
  address_required: "Enter your email address.",
  address_incomplete: "Enter the whole email address, for example name@example.com.",
  password_required: "Enter your password.",
  password_too_short: "The password must have at least 8 characters.",
  password_too_long: "The password can have at most 1024 characters.",
  passwords_differ: "The two passwords are different. Type the same password in both fields.",
  link_incomplete:
    "This link is incomplete or damaged. Open the link from the email again, exactly as it was sent (some email programs break long links).",
  audience_invalid:
    "Enter the service's address as a full web address, for example https://service.example.",
  clipboard_unavailable: "Copying isn't allowed here. Select the token and copy it by hand.",
  current_password_wrong:
    "That isn't your current password: it doesn't make your account's key. Check it and try again; nothing was sent.",
};

/**
 * Messages that fit one step better than the general one: the same code can mean different things to a
 * person depending on what they just did.
 * @type {Record<string, Record<string, string>>}
 */
export const IN_CONTEXT = {
  signin: {
    unknown_key:
      "This email address and password don't match an active account. Check both and try again. (If you changed your password, use the new one; if you haven't opened the confirmation email yet, do that first. If your account is old and your password is right, use \"Forgot your password?\": accounts made before protocol version 2 may need it.)",
    unauthorized:
      "This email address and password don't match an active account. Check both and try again.",
    invalid_signature:
      "This email address and password don't match an active account. Check both and try again.",
  },
  confirm: {
    // The server cannot tell a wrong password from a stale link: the link is bound to the key the
    // password makes.
    confirmation_invalid:
      "This didn't work: either the password isn't the one this link is for (for a password change: the new one), or the link can't be used any more (expired, used already, or the account changed since). Check the password and try again; if it still fails, start again to get a new link.",
    unknown_key:
      "That password doesn't match the one this link is for. Type the password you chose (for a password change: the new one) and try again.",
    invalid_signature:
      "That password doesn't match the one this link is for. Type the password you chose (for a password change: the new one) and try again.",
    unauthorized:
      "That password doesn't match the one this link is for, or the link is no longer valid. Check the password and try again.",
    wrong_subject:
      "This link belongs to a different email address than the password was used for. Open the link from the email again.",
  },
  change: {
    unknown_key:
      "Your account doesn't accept the key of the current password you typed (the password may have been changed on another device). Check it and try again; if it was changed elsewhere, sign in again.",
    key_in_use: "That is the password you use now, or one another account uses. Choose a different new password.",
  },
  disable: {
    unknown_key:
      "The account doesn't accept the key of the password you typed (it may have been changed on another device). Check it and try again; if it was changed elsewhere, sign in again.",
  },
  sessions: {
    unknown_key:
      "This device's session has ended (from another device, by a change of password, or because it expired). Sign in again to continue.",
  },

  assertion: {
    invalid_argument:
      "Enter the service's address as a full web address, for example https://service.example, and pick how long the token stays valid.",
  },
};

/**
 * A normalised error: what went wrong (code), what to tell the person (text), and anything they can act on.
 * @typedef {{ code: string, text: string, serverMessage?: string, status?: number, retryAfter?: number }} Explained
 */

/**
 * Turns anything thrown (a NotaryError from the client package, a `{ code, message, status }` object, a
 * plain Error) into a message for people. Unknown codes still get a sentence that shows the code.
 * @param {unknown} error
 * @param {string} [context] one of the keys of IN_CONTEXT
 * @returns {Explained}
 */
export function explain(error, context) {
  const code = errorCode(error);
  const known = (context && IN_CONTEXT[context]?.[code]) ?? MESSAGES[code];
  const retryAfter = retryAfterSeconds(error);
  let text = known ?? `Something went wrong that this page doesn't have a description for.`;
  if (code === "rate_limited" && retryAfter) {
    text = `Too many attempts in a short time. Please wait ${formatWait(retryAfter)}, then try again.`;
  }
  if (code === "guess_budget_exhausted" && retryAfter) {
    text = `Too many password attempts for this email address, so the server is pausing them to stop guessing. Please try again in ${formatWait(retryAfter)}, or ask for a sign-in ticket by email.`;
  }
  /** @type {Explained} */
  const explained = { code, text };
  const message = typeof error?.message === "string" ? error.message : undefined;
  // The server's and the package's own wording adds detail for codes we only describe in general.
  if (!known && message) explained.serverMessage = message;
  if (typeof error?.status === "number") explained.status = error.status;
  if (retryAfter) explained.retryAfter = retryAfter;
  return explained;
}

/** The stable code of a thrown value, `unknown_error` when it has none. */
export function errorCode(error) {
  const code = /** @type {any} */ (error)?.code;
  if (typeof code === "string" && /^[a-z][a-z0-9_]{0,63}$/.test(code)) return code;
  if (error instanceof TypeError) return "network_error";
  return "unknown_error";
}

function retryAfterSeconds(error) {
  const value = /** @type {any} */ (error)?.retryAfter ?? /** @type {any} */ (error)?.retry_after;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : undefined;
}

function formatWait(seconds) {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  // The guess budget's windows end with the hour or the UTC day.
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}

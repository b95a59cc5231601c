// The checks the pages make before any work starts, so that people learn about a typo at once and not
// after a moment of key derivation. The server and the key-making module check everything again.

import { MESSAGES } from "./messages.js";
import { MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, passwordLength } from "./strength.js";

/** @returns {Array<[HTMLInputElement, string]>} */
export function checkAddress(input) {
  const value = input.value.trim();
  if (!value) return [[input, MESSAGES.address_required]];
  const at = value.indexOf("@");
  if (at < 1 || at !== value.lastIndexOf("@") || at === value.length - 1 || /\s/.test(value)) {
    return [[input, MESSAGES.address_incomplete]];
  }
  return [];
}

/** A password being typed to sign in or confirm: only presence and length. */
export function checkPassword(input) {
  if (!input.value) return [[input, MESSAGES.password_required]];
  return checkLength(input);
}

/** A new password and its repetition. */
export function checkNewPassword(input, repeat) {
  if (!input.value) return [[input, MESSAGES.password_required]];
  const problems = checkLength(input);
  if (problems.length) return problems;
  if (input.value !== repeat.value) return [[repeat, MESSAGES.passwords_differ]];
  return [];
}

function checkLength(input) {
  const length = passwordLength(input.value);
  if (length < MIN_PASSWORD_CHARS) return [[input, MESSAGES.password_too_short]];
  if (length > MAX_PASSWORD_CHARS) return [[input, MESSAGES.password_too_long]];
  return [];
}

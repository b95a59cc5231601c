// The password strength hint of the sign-up and change-password forms.

import assert from "node:assert/strict";
import { test } from "node:test";
import { estimateStrength, passwordLength } from "../../web/src/js/strength.js";

test("length is counted in code points after NFKC, as the protocol counts", () => {
  assert.equal(passwordLength("abc"), 3);
  assert.equal(passwordLength("\u{1F600}\u{1F600}"), 2); // two astral characters, four UTF-16 units
  assert.equal(passwordLength("\uFB01"), 2); // the "fi" ligature becomes "f" + "i"
});

test("too short and too common passwords score 0", () => {
  assert.equal(estimateStrength("").score, 0);
  assert.equal(estimateStrength("abc1234").score, 0);
  assert.equal(estimateStrength("abc1234").label, "Too short");
  assert.equal(estimateStrength("password").score, 0);
  assert.equal(estimateStrength("Password1!").score, 0);
  assert.equal(estimateStrength("qwertyuiop").score, 0);
});

test("patterns cost strength", () => {
  assert.ok(estimateStrength("aaaaaaaaaaaa").score <= 1);
  assert.ok(estimateStrength("abcdefgh1234").score < estimateStrength("kqzvmrtw8351").score);
  const withAddress = estimateStrength("margaret-2024!", { address: "margaret@example.com" });
  const without = estimateStrength("margaret-2024!", { address: "bob@example.com" });
  assert.ok(withAddress.score < without.score, JSON.stringify({ withAddress, without }));
  assert.match(withAddress.advice, /email address/);
});

test("long passphrases score high", () => {
  assert.ok(estimateStrength("correct horse battery staple").score >= 3);
  assert.equal(estimateStrength("Velvet-anchor 71 drifts over Quartz").score, 4);
});

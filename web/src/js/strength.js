// A password strength hint: a rough estimate of how many guesses a password would take, with advice.
// It is a hint for people, not a policy: the only hard rule is 8 to 1024 characters (after NFKC), which
// the key-making module enforces too.

export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 1024;

const COMMON = new Set(
  [
    "password", "passw0rd", "p@ssword", "p@ssw0rd", "123456", "1234567", "12345678", "123456789",
    "1234567890", "qwerty", "qwertyuiop", "azerty", "letmein", "welcome", "iloveyou", "admin",
    "administrator", "monkey", "dragon", "football", "baseball", "master", "sunshine", "princess",
    "shadow", "superman", "trustno1", "whatever", "starwars", "login", "abc123", "111111", "000000",
    "secret", "changeme", "notary", "hello", "freedom", "computer", "internet",
  ],
);

const SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop"];

/** Length in Unicode scalar values after NFKC, the way the protocol counts. */
export function passwordLength(password) {
  return [...password.normalize("NFKC")].length;
}

/**
 * @param {string} password
 * @param {{ address?: string }} [options] the address, whose parts make a password weak
 * @returns {{ score: 0|1|2|3|4, label: string, advice: string }}
 */
export function estimateStrength(password, { address = "" } = {}) {
  const chars = [...password.normalize("NFKC")];
  if (chars.length === 0) {
    return { score: 0, label: "", advice: "Type a password to see how strong it is." };
  }
  if (chars.length < MIN_PASSWORD_CHARS) {
    const missing = MIN_PASSWORD_CHARS - chars.length;
    return {
      score: 0,
      label: "Too short",
      advice: `${missing} more character${missing === 1 ? "" : "s"} needed (at least ${MIN_PASSWORD_CHARS}).`,
    };
  }
  if (chars.length > MAX_PASSWORD_CHARS) {
    return { score: 0, label: "Too long", advice: `At most ${MAX_PASSWORD_CHARS} characters.` };
  }

  const lower = password.normalize("NFKC").toLowerCase();
  const stripped = lower.replace(/[^a-z]/g, "");
  if (COMMON.has(lower) || COMMON.has(stripped) || COMMON.has(lower.replace(/[0-9!@#$%^&*.]+$/, ""))) {
    return { score: 0, label: "Very weak", advice: "This is one of the most guessed passwords. Choose something else." };
  }

  let bits = entropyBits(chars);
  const penalties = [];
  const localPart = address.split("@")[0]?.toLowerCase() ?? "";
  if (localPart.length >= 3 && lower.includes(localPart)) {
    bits -= localPart.length * 3;
    penalties.push("avoid using your email address");
  }
  const repeats = repeatedRun(chars);
  if (repeats >= 3) {
    bits -= repeats * 2.5;
    penalties.push("avoid repeated characters");
  }
  const sequence = longestSequence(lower);
  if (sequence >= 4) {
    bits -= sequence * 2.5;
    penalties.push("avoid runs like abcd or 1234");
  }
  const distinct = new Set(chars).size;
  if (distinct <= chars.length / 3) {
    bits = Math.min(bits, distinct * 5);
    penalties.push("use more different characters");
  }

  const score = bits < 28 ? 1 : bits < 45 ? 2 : bits < 65 ? 3 : 4;
  const label = ["Very weak", "Weak", "Fair", "Strong", "Very strong"][score];
  let advice;
  if (penalties.length) {
    advice = `Tip: ${penalties.join("; ")}.`;
  } else if (score < 3) {
    advice = "Longer is stronger: add another word or two.";
  } else if (score === 3) {
    advice = "Good. Another word would make it even harder to guess.";
  } else {
    advice = "Hard to guess. Make sure you'll remember it.";
  }
  return { score: /** @type {0|1|2|3|4} */ (score), label, advice };
}

function entropyBits(chars) {
  let pool = 0;
  const text = chars.join("");
  if (/[a-z]/.test(text)) pool += 26;
  if (/[A-Z]/.test(text)) pool += 26;
  if (/[0-9]/.test(text)) pool += 10;
  if (/[ -/:-@[-`{-~]/.test(text)) pool += 33;
  if (/[^\x00-\x7f]/.test(text)) pool += 100;
  // Capital first letter or digits at the end are what everyone does: count them for less.
  let effective = chars.length;
  if (/^[A-Z][a-z]/.test(text)) effective -= 0.5;
  const trailingDigits = text.match(/[0-9]+$/)?.[0].length ?? 0;
  if (trailingDigits && trailingDigits < chars.length) effective -= trailingDigits * 0.5;
  return effective * Math.log2(Math.max(pool, 2));
}

function repeatedRun(chars) {
  let longest = 1;
  let run = 1;
  for (let i = 1; i < chars.length; i += 1) {
    run = chars[i] === chars[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

function longestSequence(lower) {
  let longest = 0;
  for (const sequence of SEQUENCES) {
    const reversed = [...sequence].reverse().join("");
    for (const source of [sequence, reversed]) {
      for (let length = source.length; length > longest && length >= 3; length -= 1) {
        for (let start = 0; start + length <= source.length; start += 1) {
          if (lower.includes(source.slice(start, start + length))) {
            longest = length;
            break;
          }
        }
      }
    }
  }
  return longest;
}

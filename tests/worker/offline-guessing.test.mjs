// Offline guessing against a version-2 account (issue 12, docs/protocol.md section 12): an attacker
// who holds everything Notary hands out or stores about an account (its signup and confirm tokens,
// `kid`, public key, the salt answer, the whole D1 database) plus a dictionary that contains the
// password finds nothing without the server's OPRF_SEED; the same attacker given the seed finds the
// password. The client here is independent of the project's Rust: @noble/curves' RFC 9497 OPRF
// (tests/support/oprf.mjs), hash-wasm's Argon2id and Node's HKDF and Ed25519, written from
// docs/protocol.md section 5.2, against the real worker in workerd.

import assert from "node:assert/strict";
import { hkdfSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { ristretto255_oprf } from "@noble/curves/ed25519.js";
import { argon2id } from "hash-wasm";

import { freshAddress, nextMessage, postSalt } from "../support/flows.mjs";
import { addressKey, blindPassword, finalizePassword, oprfInput } from "../support/oprf.mjs";
import { verify } from "node:crypto";
import { claimsFor, decodeToken, newKey, signToken, thumbprint } from "../support/tokens.mjs";
import { read, startWorker } from "../support/worker.mjs";

const PASSWORD = "tr0ub4dor&3 horse";
/** The attacker's dictionary: a few wrong guesses and the password, not first. */
const DICTIONARY = ["password123", "correct horse battery staple", PASSWORD, "letmein-please"];

/** Argon2id with the salt answer's parameters, 32 bytes (docs/protocol.md section 5.2 step 3). */
async function stretch(passwordBytes, answer) {
  return argon2id({
    password: passwordBytes,
    salt: Buffer.from(answer.salt, "base64url"),
    parallelism: answer.kdf.parallelism,
    iterations: answer.kdf.iterations,
    memorySize: answer.kdf.memory_kib,
    hashLength: 32,
    outputType: "binary",
  });
}

/** HKDF-SHA256(salt = "", IKM, info = "Notary-v2-Ed25519-seed", 32): the Ed25519 seed. */
function seedFrom(stretched) {
  return Buffer.from(hkdfSync("sha256", stretched, Buffer.alloc(0), "Notary-v2-Ed25519-seed", 32));
}

/** The version-2 key of `password`, given the OPRF output. */
async function keyFromOutput(output, answer) {
  return newKey(seedFrom(await stretch(output, answer)));
}

/** The key id an attacker's guess leads to, evaluating the OPRF with a known per-address key. */
async function guessWithKey(secretKey, address, guess, answer) {
  const output = ristretto255_oprf.oprf.evaluate(secretKey, oprfInput(address, guess));
  return (await keyFromOutput(output, answer)).kid;
}

describe("offline guessing against a version-2 account", () => {
  let w;
  const address = freshAddress("offline");
  /** What the attacker holds. */
  const loot = {};

  before(async () => {
    w = await startWorker();
    // The owner: blind, evaluate, finalize, derive, sign up and confirm, as a client does.
    const { blind, blinded } = blindPassword(address, PASSWORD);
    const salt = await read(await postSalt(w, address, { blinded }));
    assert.equal(salt.status, 200, salt.text);
    const output = finalizePassword(address, PASSWORD, blind, salt.body.evaluated);
    const key = await keyFromOutput(output, salt.body);
    // The very tokens the attacker later holds are the ones the server accepted.
    const signup = signToken("signup", claimsFor(address, w.publicUri), key);
    assert.equal((await read(await w.fetch("/signup", { json: { token: signup } }))).status, 202);
    const message = await nextMessage(w, address, "signup");
    const confirm = signToken("confirm", claimsFor(address, w.publicUri, { confirmation: message.token }), key);
    const confirmed = await read(await w.fetch("/confirm", { json: { token: confirm } }));
    assert.equal(confirmed.status, 200, confirmed.text);
    Object.assign(loot, {
      salt: salt.body,
      signupToken: signup,
      confirmToken: confirm,
      kid: key.kid,
      publicKey: key.x,
      database: await w.sql("SELECT * FROM accounts WHERE address = ?1", address),
    });
    assert.equal(loot.database[0].key_id, key.kid, "the account holds the key the tokens name");
  });

  after(() => w?.close());

  /** The key ids the attacker reads off what it holds: the tokens' headers, the database row, the `kid`. */
  function targets() {
    const signup = decodeToken(loot.signupToken);
    const confirm = decodeToken(loot.confirmToken);
    return new Set([thumbprint(signup.header.jwk.x), confirm.header.kid, loot.database[0].key_id, loot.kid]);
  }

  /** Whether `key` made the signature of the stolen signup token. */
  function signedTheSignup(key) {
    const [header, claims, signature] = loot.signupToken.split(".");
    return verify(null, Buffer.from(`${header}.${claims}`), key.privateKey, Buffer.from(signature, "base64url"));
  }

  test("everything the attacker holds names one key", () => {
    assert.deepEqual([...targets()], [loot.kid]);
  });

  test("without OPRF_SEED, no guess of the dictionary matches the account's key", async () => {
    const target = loot.kid;
    const tried = [];
    for (const guess of DICTIONARY) {
      // Version 1's derivation from the public salt: what the attacker could do before version 2.
      const v1 = newKey(Buffer.from(await stretch(new TextEncoder().encode(guess.normalize("NFKC")), loot.salt)));
      // The OPRF under a key the attacker can make: any seed but the server's (here, a random one and
      // an all-zero one), and the output replaced by the public evaluated element it saw.
      const randomSeed = crypto.getRandomValues(new Uint8Array(32));
      const withRandomSeed = await guessWithKey(addressKey(Buffer.from(randomSeed).toString("hex"), address), address, guess, loot.salt);
      const withZeroSeed = await guessWithKey(addressKey("00".repeat(32), address), address, guess, loot.salt);
      // The evaluated element the salt answer carried, unblinded as if the blind were 1 (the attacker
      // does not have the owner's blind).
      const asIfUnblinded = ristretto255_oprf.oprf.finalize(
        oprfInput(address, guess),
        Uint8Array.of(1, ...new Array(31).fill(0)),
        new Uint8Array(Buffer.from(loot.salt.evaluated, "base64url")),
      );
      const fromEvaluated = (await keyFromOutput(asIfUnblinded, loot.salt)).kid;
      tried.push(v1.kid, withRandomSeed, withZeroSeed, fromEvaluated);
      assert.ok(!signedTheSignup(v1), "the version-1 key of a guess signed the signup");
    }
    assert.equal(tried.length, DICTIONARY.length * 4);
    assert.ok(!tried.includes(target), "a guess matched without the seed");
  });

  test("given OPRF_SEED, the same dictionary finds the password (so the test above can fail)", async () => {
    const secretKey = addressKey(w.bindings.OPRF_SEED, address);
    const found = [];
    for (const guess of DICTIONARY) {
      const output = ristretto255_oprf.oprf.evaluate(secretKey, oprfInput(address, guess));
      const key = await keyFromOutput(output, loot.salt);
      if (targets().has(key.kid) && signedTheSignup(key)) found.push(guess);
    }
    assert.deepEqual(found, [PASSWORD]);
  });

  test("two different seeds give different keys for the same password and address", async () => {
    const one = addressKey("11".repeat(32), address);
    const two = addressKey("22".repeat(32), address);
    const kids = [await guessWithKey(one, address, PASSWORD, loot.salt), await guessWithKey(two, address, PASSWORD, loot.salt)];
    assert.notEqual(kids[0], kids[1]);
    assert.ok(!kids.includes(loot.kid));
  });
});

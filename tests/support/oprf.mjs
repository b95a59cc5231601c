// The client side of Notary's v2 salt step, written with @noble/curves' RFC 9497 OPRF
// (ristretto255-SHA512, OPRF mode) rather than the project's Rust, so the worker's tests check its
// evaluations against an independent implementation (docs/protocol.md, /work/notes/v2-design.md):
//
//   const { blind, blinded } = blindPassword(address, password);    // blinded: base64url, for POST /salt
//   const output = finalizePassword(address, password, blind, answer.evaluated); // 64 bytes
//   expectedEvaluation(seedHex, address, blinded)   // what the server must answer, from OPRF_SEED

import { ristretto255_oprf } from "@noble/curves/ed25519.js";

const { oprf } = ristretto255_oprf;
const encoder = new TextEncoder();

/** The prefix of Notary's OPRF input (binds the protocol version). */
export const INPUT_LABEL = "Notary-v2-OPRF-input";
/** The prefix of the info a per-address OPRF key is derived with. */
export const KEY_INFO_LABEL = "Notary-v2-OPRF-key";

const toB64url = (bytes) => Buffer.from(bytes).toString("base64url");
const fromB64url = (text) => new Uint8Array(Buffer.from(text, "base64url"));

function u16be(length) {
  if (length > 0xffff) throw new Error("too long for a u16 length prefix");
  return Uint8Array.of(length >> 8, length & 0xff);
}

/** `"Notary-v2-OPRF-input" || u16be(len addr) || addr || u16be(len pw) || pw`, the password NFKC. */
export function oprfInput(address, password) {
  const addr = encoder.encode(address);
  const pw = encoder.encode(password.normalize("NFKC"));
  return Buffer.concat([encoder.encode(INPUT_LABEL), u16be(addr.length), addr, u16be(pw.length), pw]);
}

/** Blinds the password's OPRF input with a fresh random blind: `{ blind, blinded }` (blinded in base64url). */
export function blindPassword(address, password) {
  const { blind, blinded } = oprf.blind(oprfInput(address, password));
  return { blind, blinded: toB64url(blinded) };
}

/** A blinded element of a random input, base64url: what a test sends when only the server's side matters. */
export function randomBlinded() {
  return toB64url(oprf.blind(crypto.getRandomValues(new Uint8Array(32))).blinded);
}

/** The 64-byte OPRF output from the server's `evaluated` (base64url). */
export function finalizePassword(address, password, blind, evaluated) {
  return oprf.finalize(oprfInput(address, password), blind, fromB64url(evaluated));
}

/** The address's OPRF secret key: DeriveKeyPair(OPRF_SEED, "Notary-v2-OPRF-key" || address). */
export function addressKey(seedHex, address) {
  const seed = new Uint8Array(Buffer.from(seedHex, "hex"));
  if (seed.length !== 32) throw new Error("OPRF_SEED is 32 bytes of hex");
  const info = Buffer.concat([encoder.encode(KEY_INFO_LABEL), encoder.encode(address)]);
  return oprf.deriveKeyPair(seed, info).secretKey;
}

/** What the server must answer as `evaluated` for `blinded` (base64url), given its OPRF_SEED. */
export function expectedEvaluation(seedHex, address, blinded) {
  return toB64url(oprf.blindEvaluate(addressKey(seedHex, address), fromB64url(blinded)));
}

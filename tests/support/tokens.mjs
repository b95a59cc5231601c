// Makes Notary protocol tokens with Node's own crypto (Ed25519), independently of the Rust code, so the
// worker's tests do not depend on the client package. docs/protocol.md is the reference; tests/vectors
// prove the client side separately.
//
//   const key = newKey();                                  // or newKey(seed32) for a fixed key
//   const token = signToken("signup", claimsFor("a@example.com", aud), key);
//   const request = requestToken(key, "a@example.com", aud, { method: "GET", url: `${aud}/account` });
//   const device = newKey();                               // a session key
//   const session = sessionToken(key, "a@example.com", aud, device, "Chromium on Linux"); // POST /sessions
//   const signed = sessionRequestToken(device, "a@example.com", aud, { method: "GET", url: `${aud}/sessions` });

import { createHash, createPrivateKey, createPublicKey, randomBytes, sign as edSign } from "node:crypto";

/** The `typ` of each kind. */
export const TYP = {
  signup: "notary-signup+jwt",
  confirm: "notary-confirm+jwt",
  change: "notary-change+jwt",
  disable: "notary-disable+jwt",
  request: "notary-request+jwt",
  assertion: "notary-assertion+jwt",
  session: "notary-session+jwt",
  "session-request": "notary-session-request+jwt",
};

/** Kinds whose header embeds the signing key as `jwk`; the others name it by `kid`. */
export const EMBEDS_KEY = new Set(["signup", "change"]);

export const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An Ed25519 key pair (random, or from a 32-byte seed) with its JWK and RFC 7638 key id. */
export function newKey(seed = randomBytes(32)) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]),
    format: "der",
    type: "pkcs8",
  });
  const { x } = createPublicKey(privateKey).export({ format: "jwk" });
  return { privateKey, x, jwk: { kty: "OKP", crv: "Ed25519", x }, kid: thumbprint(x) };
}

/** A key object for a raw public key that no private key is known for (weak-key tests). */
export function publicOnlyKey(publicBytes) {
  const x = b64url(publicBytes);
  return { privateKey: null, x, jwk: { kty: "OKP", crv: "Ed25519", x }, kid: thumbprint(x) };
}

/** RFC 7638 thumbprint of an Ed25519 JWK's `x`. */
export function thumbprint(x) {
  return b64url(createHash("sha256").update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest());
}

export const bodyHash = (body = "") => b64url(createHash("sha256").update(body).digest());

export const now = () => Math.floor(Date.now() / 1000);

/** Claims common to every kind: iat now, exp 120 s later, a fresh 16-byte jti; `extra` adds or overrides. */
export function claimsFor(sub, aud, extra = {}) {
  const iat = extra.iat ?? now();
  return { sub, aud, iat, exp: iat + 120, jti: b64url(randomBytes(16)), ...extra };
}

/** The protocol's header for `kind` and `key`; `overrides` adds members or, set to undefined, removes them. */
export function headerFor(kind, key, overrides = {}) {
  const header = { alg: "EdDSA", typ: TYP[kind] };
  if (EMBEDS_KEY.has(kind)) header.jwk = key.jwk;
  else header.kid = key.kid;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  return header;
}

/** Signs arbitrary header and claims objects (or raw JSON strings) as a compact JWS. */
export function signCompact(header, claims, key) {
  const encode = (part) => b64url(typeof part === "string" ? part : JSON.stringify(part));
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = edSign(null, Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${b64url(signature)}`;
}

/** A token of `kind` over `claims`, signed by `key`. `options.header` overrides header members. */
export function signToken(kind, claims, key, options = {}) {
  return signCompact(headerFor(kind, key, options.header), claims, key);
}

/** A signed-request token (`Authorization: Notary <token>`) binding method, URL and body. */
export function requestToken(key, sub, aud, { method = "GET", url, body = "", ...extra } = {}) {
  return signToken("request", claimsFor(sub, aud, { htm: method, htu: url, bsh: bodyHash(body), ...extra }), key);
}

/**
 * A session token (`notary-session+jwt`, POST /sessions): the account key certifies `sessionKey` in
 * `cnf` (RFC 7800 section 3.2), with the device's `label` when given. `extra` adds or overrides claims.
 */
export function sessionToken(accountKey, sub, aud, sessionKey, label, extra = {}) {
  const claims = claimsFor(sub, aud, { cnf: { jwk: sessionKey.jwk }, ...(label === undefined ? {} : { label }), ...extra });
  return signToken("session", claims, accountKey);
}

/**
 * A session request (`notary-session-request+jwt`, `Authorization: Notary <token>`) signed by the
 * session key: method, URL (with its query) and body bound like a request token's.
 */
export function sessionRequestToken(sessionKey, sub, aud, { method = "GET", url, body = "", ...extra } = {}) {
  return signToken("session-request", claimsFor(sub, aud, { htm: method, htu: url, bsh: bodyHash(body), ...extra }), sessionKey);
}

/** Splits a compact JWS into its decoded header, claims and signature bytes. */
export function decodeToken(token) {
  const [header, claims, signature] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")),
    claims: JSON.parse(Buffer.from(claims, "base64url").toString("utf8")),
    signature: Buffer.from(signature, "base64url"),
  };
}

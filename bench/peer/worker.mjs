// The "peer" of issue 11 section 6: what a plain JavaScript worker does for Notary's two hot endpoints,
// so bench/peer.mjs can measure Notary against it side by side under the same workerd.
//
// - `POST /admin/verify {token, audience}` with `Authorization: Bearer <ADMIN_SECRET>`: jose parses and
//   verifies the assertion (EdDSA, `typ` notary-assertion+jwt, `aud`, `exp` and `iat` required, at
//   most 300 s old) under the key that ONE D1 query finds by `kid` among active accounts (Notary's
//   schema, migrations/*.sql); 200 `{valid, claims, account}` shaped like Notary's answer. No replay
//   record and no audit row: the peer is the floor Notary's hot path is compared with.
// - With the var `SAME_WORK` = "1" it does the platform work Notary does as well, so the two compare on
//   the same storage round trips and binding calls: every request but an admin one calls the two Rate
//   Limiting bindings (CLIENT_BURST, CLIENT_MINUTE) with the client's address as key, and a verified
//   assertion is recorded with ONE D1 batch of the (kid, jti) replay record and the audit row (a replay
//   fails the batch: 422 replayed).
// - `POST /salt {address}`: HMAC-SHA256(SALT_SECRET, address) through crypto.subtle, first 16 bytes,
//   with the key-derivation parameters, as protocol/src/salt.rs. The address is only trimmed and
//   lowercased (Notary also applies IDNA): equivalent work, not a byte-identical answer.
//
// A plain ES module with no build step of its own; bench/peer.mjs bundles it with jose (esbuild) into a
// temporary directory before starting it.

import { base64url, decodeProtectedHeader, importJWK, jwtVerify } from "jose";

const TYP = "notary-assertion+jwt";
const MAX_LIFETIME_SECS = 300; // protocol::token::MAX_LIFETIME_SECS
const KDF = { algorithm: "argon2id", version: 19, memory_kib: 65536, iterations: 3, parallelism: 1 };
const encoder = new TextEncoder();

const answer = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const refuse = (status, error) => answer(status, { error });

async function readJson(request) {
  if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) return undefined;
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/** Constant time: both sides are hashed to 32 bytes first, so neither length nor content leaks. */
async function secretMatches(given, secret) {
  const digest = (text) => crypto.subtle.digest("SHA-256", encoder.encode(text));
  const [a, b] = await Promise.all([digest(given), digest(secret)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

async function verify(request, env) {
  const authorization = request.headers.get("authorization") ?? "";
  const given = authorization.startsWith("Bearer ") ? authorization.slice(7) : "";
  if (!(await secretMatches(given, env.ADMIN_SECRET))) return refuse(401, "unauthorized");
  const body = await readJson(request);
  if (typeof body?.token !== "string" || typeof body?.audience !== "string") return refuse(400, "invalid_request");
  let header;
  try {
    header = decodeProtectedHeader(body.token);
  } catch {
    return refuse(422, "malformed_token");
  }
  if (header.alg !== "EdDSA" || header.typ !== TYP || typeof header.kid !== "string") return refuse(422, "invalid_header");
  const account = await env.DB.prepare(
    "SELECT address, key_id, public_key, status FROM accounts WHERE key_id = ?1 AND status = 'active'",
  )
    .bind(header.kid)
    .first();
  if (!account) return refuse(404, "unknown_key");
  try {
    const key = await importJWK({ kty: "OKP", crv: "Ed25519", x: account.public_key }, "EdDSA");
    const { payload } = await jwtVerify(body.token, key, {
      algorithms: ["EdDSA"],
      typ: TYP,
      audience: body.audience,
      requiredClaims: ["aud", "exp", "iat", "sub", "jti"],
      maxTokenAge: MAX_LIFETIME_SECS,
    });
    if (payload.sub !== account.address) return refuse(422, "wrong_subject");
    const { address, status, key_id } = account;
    if (env.SAME_WORK === "1") {
      try {
        await env.DB.batch([
          env.DB.prepare("INSERT INTO replay (key_id, jti, expires_at) VALUES (?1, ?2, ?3)").bind(key_id, payload.jti, payload.exp + 60),
          env.DB.prepare("INSERT INTO audit (at, action, outcome, address_hash, ip_hash, key_id) VALUES (?1, 'admin_verify', 'valid', ?2, ?3, ?4)").bind(
            Math.floor(Date.now() / 1000),
            address,
            request.headers.get("cf-connecting-ip") ?? "unknown",
            key_id,
          ),
        ]);
      } catch {
        return refuse(422, "replayed");
      }
    }
    return answer(200, { valid: true, claims: payload, account: { address, status, key_id } });
  } catch (error) {
    return refuse(422, error?.code ?? "invalid_token");
  }
}

// Imported once per isolate: in JavaScript the import is the costly step, while Notary's Rust HMAC
// keying is a couple of SHA-256 blocks per request.
let saltKey;
async function salt(request, env) {
  const body = await readJson(request);
  if (typeof body?.address !== "string") return refuse(400, "invalid_request");
  const address = body.address.trim().toLowerCase();
  if (!/^[^@\s]{1,64}@[^@\s]{1,189}$/.test(address)) return refuse(400, "invalid_address");
  saltKey ??= crypto.subtle.importKey("raw", encoder.encode(env.SALT_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const tag = new Uint8Array(await crypto.subtle.sign("HMAC", await saltKey, encoder.encode(address)));
  return answer(200, { address, salt: base64url.encode(tag.subarray(0, 16)), kdf: KDF, kdf_version: 1 });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== "POST") return refuse(405, "method_not_allowed");
    if (pathname === "/admin/verify") return verify(request, env);
    if (env.SAME_WORK === "1") {
      const key = request.headers.get("cf-connecting-ip") ?? "unknown";
      const [burst, minute] = await Promise.all([env.CLIENT_BURST.limit({ key }), env.CLIENT_MINUTE.limit({ key })]);
      if (!burst.success || !minute.success) return refuse(429, "rate_limited");
    }
    if (pathname === "/salt") return salt(request, env);
    return refuse(404, "not_found");
  },
};

//! The schema of the shared vector files in `tests/vectors/` (see tests/vectors/README.md).
//!
//! Used by the generator (`examples/make_vectors.rs`) to write them and by `tests/vectors.rs` to read
//! them back; every struct refuses unknown members, so the README, the files and this schema cannot
//! drift apart silently.

use protocol::kdf::KdfParams;
use protocol::keys::Jwk;
use protocol::token::{Claims, Header};
use serde::{Deserialize, Serialize};

/// `addresses.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressVectors {
    pub description: String,
    /// The server's `SALT_SECRET` for these vectors; the key is its UTF-8 bytes.
    pub salt_secret: String,
    pub cases: Vec<AddressCase>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressCase {
    pub comment: String,
    pub input: String,
    /// The canonical form, when the input is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    /// base64url of the 16-byte salt of `canonical` under `salt_secret`, when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The error code, when the input is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `keys.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyVectors {
    pub description: String,
    pub derivations: Vec<KeyDerivation>,
    pub passwords: Vec<PasswordCase>,
    pub kdf_params: Vec<KdfParamsCase>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyDerivation {
    pub name: String,
    pub comment: String,
    /// The canonical address whose salt (under addresses.json's `salt_secret`) is `salt`.
    pub address: String,
    /// The password as typed (before NFKC).
    pub password: String,
    /// The NFKC-normalised password's UTF-8 bytes, hex: exactly what Argon2id receives.
    pub password_nfkc_hex: String,
    /// base64url of the 16-byte salt.
    pub salt: String,
    pub kdf: KdfParams,
    /// Argon2id output, 32 bytes, hex: the Ed25519 seed (RFC 8032 private key).
    pub seed_hex: String,
    /// The Ed25519 public key, 32 bytes, hex.
    pub public_key_hex: String,
    pub jwk: Jwk,
    /// RFC 7638 thumbprint of `jwk`.
    pub kid: String,
}

/// `kdf_v2.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfV2Vectors {
    pub description: String,
    /// The server's `OPRF_SEED` for these vectors, 32 bytes, hex.
    pub oprf_seed_hex: String,
    /// The server's `SALT_SECRET` (the same as addresses.json's); the key is its UTF-8 bytes.
    pub salt_secret: String,
    pub derivations: Vec<KdfV2Derivation>,
    /// `blinded` members a server must refuse (and one it must accept).
    pub blinded_elements: Vec<BlindedElementCase>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfV2Derivation {
    pub name: String,
    pub comment: String,
    /// The canonical address.
    pub address: String,
    /// The password as typed (before NFKC).
    pub password: String,
    /// The OPRF input: "Notary-v2-OPRF-input" || I2OSP(len(address), 2) || address ||
    /// I2OSP(len(password), 2) || UTF-8 of NFKC(password), hex.
    pub oprf_input_hex: String,
    /// DeriveKeyPair's info: "Notary-v2-OPRF-key" || address, hex.
    pub key_info_hex: String,
    /// The address's OPRF private key skS (SerializeScalar, little-endian), hex.
    pub server_key_hex: String,
    /// The 64 random bytes the client drew; the blind is them reduced modulo the group order.
    pub blind_random_hex: String,
    /// The blind scalar (SerializeScalar), hex.
    pub blind_hex: String,
    /// The salt request's `blinded`, base64url.
    pub blinded: String,
    /// The salt answer's `evaluated`, base64url.
    pub evaluated: String,
    /// Finalize's output, 64 bytes, hex: Argon2id's password.
    pub oprf_output_hex: String,
    /// base64url of the 16-byte salt.
    pub salt: String,
    pub kdf: KdfParams,
    /// Argon2id's output, 32 bytes, hex: HKDF's input keying material.
    pub argon2id_hex: String,
    /// HKDF-SHA256(salt = "", IKM = argon2id, info = "Notary-v2-Ed25519-seed", 32), hex: the Ed25519 seed.
    pub seed_hex: String,
    /// The Ed25519 public key, 32 bytes, hex.
    pub public_key_hex: String,
    pub jwk: Jwk,
    /// RFC 7638 thumbprint of `jwk`.
    pub kid: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlindedElementCase {
    pub comment: String,
    pub blinded: String,
    /// The error code, when refused (`invalid_blinded_element`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordCase {
    pub comment: String,
    pub input: String,
    /// The NFKC form, when accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfkc: Option<String>,
    /// Unicode scalar values of the NFKC form (what the 8..=1024 rule counts).
    pub nfkc_chars: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParamsCase {
    pub comment: String,
    pub kdf: KdfParams,
    /// `null`/absent when a client accepts these parameters, else the error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `tokens.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenVectors {
    pub description: String,
    /// `PUBLIC_URI`: the `aud` of every user token except assertions.
    pub audience: String,
    /// The `aud` of the assertion token.
    pub third_party_audience: String,
    pub keys: Vec<TokenKey>,
    pub tokens: Vec<TokenVector>,
    pub cases: Vec<TokenCase>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenKey {
    pub name: String,
    /// The keys.json derivation this key comes from.
    pub derivation: String,
    pub seed_hex: String,
    pub jwk: Jwk,
    pub kid: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenVector {
    pub name: String,
    /// `signup`, `confirm`, `change`, `disable`, `request` or `assertion`.
    pub kind: String,
    /// The key (in `keys`) that signs it.
    pub key: String,
    pub header: Header,
    pub claims: Claims,
    /// The exact JSON text of the header and claims segments.
    pub header_json: String,
    pub claims_json: String,
    /// ASCII(base64url(header_json) || '.' || base64url(claims_json)).
    pub signing_input: String,
    /// base64url of the 64-byte Ed25519 signature over `signing_input`.
    pub signature: String,
    /// The compact serialisation.
    pub token: String,
    /// For request tokens: the request it binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestVector>,
    /// A verifier clock at which the token verifies.
    pub now: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestVector {
    pub method: String,
    pub url: String,
    /// The body as UTF-8 text (empty when there is none).
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCase {
    pub name: String,
    pub comment: String,
    pub token: String,
    /// The kind the verifying endpoint expects.
    pub expected_kind: String,
    /// The registered key (in `keys`) the verifier holds for the token's `kid`; `null` when the key
    /// is the one embedded in the header (signup, change).
    pub key: Option<String>,
    pub audience: String,
    pub now: i64,
    /// When present, the verified token must also bind this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestVector>,
    /// `null` when the token is accepted, else the error code.
    pub error: Option<String>,
    /// Where the error arises: `parse`, `verify` or `request` (`null` when accepted).
    pub stage: Option<String>,
}

/// `confirmation.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationVectors {
    pub description: String,
    pub tokens: Vec<ConfirmationCase>,
    pub links: Vec<LinkCase>,
    pub delivery: DeliveryExample,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationCase {
    /// The 32 random bytes, hex.
    pub random_hex: String,
    /// What the email carries: base64url of the bytes.
    pub token: String,
    /// What the server stores: base64url SHA-256 of the ASCII `token`.
    pub storage_hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkCase {
    pub public_uri: String,
    pub address: String,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub link: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryExample {
    /// `CONFIRMATION_SECRET` for this example; the HMAC key is its UTF-8 bytes.
    pub confirmation_secret: String,
    pub idempotency_key: String,
    /// The Unix time `t` of the signature.
    pub timestamp: i64,
    /// The exact request body (raw bytes as UTF-8 text).
    pub body: String,
    /// The `Notary-Signature` header value.
    pub signature_header: String,
}

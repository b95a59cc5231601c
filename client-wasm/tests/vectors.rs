//! The shared vectors of tests/vectors reproduced by the client, in WebAssembly (under Node and in
//! Chromium): key derivation through the protocol's Argon2id as this build compiles it (with the
//! password normalised by the engine's `String.prototype.normalize`), the protocol's key pair, and
//! every valid token byte for byte.
#![cfg(target_arch = "wasm32")]
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::derive;
use notary_client::key::{KeyMaterial, Purpose};
use notary_client::session::SessionKey;
use protocol::address::Address;
use protocol::b64;
use protocol::kdf::{self, KdfAlgorithm, KdfParams};
use protocol::keys::{Jwk, KeyPair, PublicKey, Seed};
use protocol::salt::Salt;
use protocol::token::HttpRequest;
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

const KEYS: &str = include_str!("../../tests/vectors/keys.json");
const TOKENS: &str = include_str!("../../tests/vectors/tokens.json");
const KDF_V2: &str = include_str!("../../tests/vectors/kdf_v2.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("vector JSON")
}

fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {value}"))
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn seed(hex_text: &str) -> Seed {
    Seed::from_bytes(hex(hex_text).try_into().expect("32 bytes"))
}

fn kdf_params(value: &Value) -> KdfParams {
    assert_eq!(value["algorithm"], "argon2id");
    let number = |name: &str| value[name].as_u64().expect("number") as u32;
    KdfParams {
        algorithm: KdfAlgorithm::Argon2id,
        version: number("version"),
        memory_kib: number("memory_kib"),
        iterations: number("iterations"),
        parallelism: number("parallelism"),
    }
}

#[wasm_bindgen_test]
fn derivations_reproduce_seeds_public_keys_and_key_ids() {
    let keys = json(KEYS);
    for derivation in keys["derivations"].as_array().expect("derivations") {
        let name = text(derivation, "name");
        let password = derive::password_from_js(&text(derivation, "password").into())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            password.as_bytes(),
            hex(text(derivation, "password_nfkc_hex")),
            "{name}: NFKC"
        );
        let salt = Salt::from_base64url(text(derivation, "salt")).expect("salt");
        let derived = kdf::derive_seed(&password, &salt, &kdf_params(&derivation["kdf"]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            derived.as_bytes().to_vec(),
            hex(text(derivation, "seed_hex")),
            "{name}: seed"
        );
        let key = KeyPair::from_seed(&derived);
        let public = key.public_key();
        assert_eq!(
            public.to_bytes().to_vec(),
            hex(text(derivation, "public_key_hex")),
            "{name}: public key"
        );
        assert_eq!(
            public.to_jwk().x,
            text(&derivation["jwk"], "x"),
            "{name}: jwk"
        );
        assert_eq!(
            public.key_id().as_str(),
            text(derivation, "kid"),
            "{name}: kid"
        );
    }
}

/// Version 2: the password normalised by the engine, blinded with the recorded blind, the recorded
/// evaluation finalized, Argon2id and HKDF as this build compiles them.
#[wasm_bindgen_test]
fn version_2_derivations_reproduce_blinded_output_seed_and_key_id() {
    use protocol::kdf::{v2, KdfMemory};
    use protocol::oprf::{Blind, EvaluatedElement};
    let vectors = json(KDF_V2);
    for derivation in vectors["derivations"].as_array().expect("derivations") {
        let name = text(derivation, "name");
        let address = Address::from_canonical(text(derivation, "address")).expect("address");
        let password = derive::password_from_js(&text(derivation, "password").into())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let random: [u8; 64] = hex(text(derivation, "blind_random_hex"))
            .try_into()
            .expect("64 bytes");
        let blinding = v2::PasswordBlinding::with_blind(
            &address,
            &password,
            Blind::from_random(random).expect("blind"),
        )
        .expect("blinding");
        assert_eq!(
            blinding.blinded().to_base64url(),
            text(derivation, "blinded"),
            "{name}: blinded"
        );
        let evaluated =
            EvaluatedElement::from_base64url(text(derivation, "evaluated")).expect("evaluated");
        let output = blinding.finalize(&evaluated).expect("output");
        assert_eq!(
            output.to_vec(),
            hex(text(derivation, "oprf_output_hex")),
            "{name}: output"
        );
        let salt = Salt::from_base64url(text(derivation, "salt")).expect("salt");
        let seed = v2::derive_seed(
            &output,
            &salt,
            &kdf_params(&derivation["kdf"]),
            &mut KdfMemory::new(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            seed.as_bytes().to_vec(),
            hex(text(derivation, "seed_hex")),
            "{name}: seed"
        );
        let key = KeyPair::from_seed(&seed);
        assert_eq!(
            key.public_key().key_id().as_str(),
            text(derivation, "kid"),
            "{name}: kid"
        );
    }
}

#[wasm_bindgen_test]
fn passwords_are_normalised_by_the_engine_and_length_checked() {
    let keys = json(KEYS);
    for case in keys["passwords"].as_array().expect("passwords") {
        let comment = text(case, "comment");
        let result = derive::password_from_js(&text(case, "input").into());
        match case.get("error").and_then(Value::as_str) {
            Some(code) => assert_eq!(
                result.err().map(|e| e.code().to_owned()),
                Some(code.into()),
                "{comment}"
            ),
            None => assert_eq!(
                result
                    .unwrap_or_else(|e| panic!("{comment}: {e}"))
                    .as_bytes(),
                text(case, "nfkc").as_bytes(),
                "{comment}"
            ),
        }
    }
}

#[wasm_bindgen_test]
fn kdf_parameters_below_the_floor_or_above_the_ceiling_are_refused() {
    let keys = json(KEYS);
    let password = derive::password_from_js(&"correct horse battery".into()).expect("password");
    let salt = Salt::from_bytes([9; 16]);
    for case in keys["kdf_params"].as_array().expect("kdf_params") {
        let comment = text(case, "comment");
        let params = kdf_params(&case["kdf"]);
        match case.get("error").and_then(Value::as_str) {
            // Refused before any memory is allocated.
            Some(code) => assert_eq!(
                kdf::derive_seed(&password, &salt, &params)
                    .err()
                    .map(|e| e.code().to_owned()),
                Some(code.into()),
                "{comment}"
            ),
            // Accepted ones may be up to 1 GiB: check them without deriving.
            None => assert!(params.check().is_ok(), "{comment}"),
        }
    }
}

#[wasm_bindgen_test]
async fn every_valid_token_is_reproduced_byte_for_byte() {
    let vectors = json(TOKENS);
    let seeds: Vec<(&str, &str)> = vectors["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| (text(key, "name"), text(key, "seed_hex")))
        .collect();
    for expected in vectors["tokens"].as_array().expect("tokens") {
        let name = text(expected, "name");
        let key_name = text(expected, "key");
        let seed_hex = seeds
            .iter()
            .find(|(n, _)| *n == key_name)
            .map(|(_, s)| *s)
            .expect("the token's key");
        let claims = &expected["claims"];
        let address = Address::from_canonical(text(claims, "sub")).expect("sub");
        let material = KeyMaterial::new(address, KeyPair::from_seed(&seed(seed_hex)));
        let iat = claims["iat"].as_i64().expect("iat");
        let lifetime = claims["exp"].as_i64().expect("exp") - iat;
        let jti = b64::decode(text(claims, "jti")).expect("jti");
        let request = &expected["request"];
        let confirmation;
        let body;
        let session_key;
        let purpose = match text(expected, "kind") {
            "signup" => Purpose::Signup,
            "change" => Purpose::Change,
            "disable" => Purpose::Disable,
            "assertion" => Purpose::Assertion,
            "confirm" => {
                confirmation = text(claims, "confirmation").to_owned();
                Purpose::Confirm {
                    confirmation: &confirmation,
                }
            }
            "request" => {
                body = text(request, "body").as_bytes().to_vec();
                Purpose::Request(HttpRequest {
                    method: text(request, "method"),
                    url: text(request, "url"),
                    body: &body,
                })
            }
            "session" => {
                let cnf = &claims["cnf"]["jwk"];
                session_key = PublicKey::from_jwk(&Jwk {
                    kty: text(cnf, "kty").into(),
                    crv: text(cnf, "crv").into(),
                    x: text(cnf, "x").into(),
                })
                .expect("cnf");
                Purpose::Session {
                    key: &session_key,
                    label: claims["label"].as_str(),
                }
            }
            // Signed by a session key: the Session's own signer, with the vector's key in memory.
            "session-request" => {
                body = text(request, "body").as_bytes().to_vec();
                let signer = SessionKey::in_memory(
                    Address::from_canonical(text(claims, "sub")).expect("sub"),
                    KeyPair::from_seed(&seed(seed_hex)),
                );
                let http = HttpRequest {
                    method: text(request, "method"),
                    url: text(request, "url"),
                    body: &body,
                };
                let token = signer
                    .request_token_at(text(claims, "aud"), http, iat, lifetime, &jti)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
                    .token()
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(token, text(expected, "token"), "{name}");
                continue;
            }
            other => panic!("unknown kind {other}"),
        };
        let token = material
            .token_at(purpose, text(claims, "aud"), iat, lifetime, &jti)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(token, text(expected, "token"), "{name}");
    }
}

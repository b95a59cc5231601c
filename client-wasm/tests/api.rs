//! What JavaScript sees: the exported `KeyPair`, `deriveKey` and `NotaryClient` with arguments of
//! every shape, and the errors they throw, in WebAssembly (under Node and in Chromium).
#![cfg(target_arch = "wasm32")]
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::client::{derive_key, normalize_base_url};
use notary_client::derive::salt_answer_from_js;
use notary_client::error::NotaryError;
use notary_client::http::parse_retry_after;
use notary_client::key::KeyPair;
use protocol::token::{Expectations, KeyRef, ParsedToken, TokenKind};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const AUDIENCE: &str = "http://127.0.0.1:8787";
/// A confirmation token's shape: 32 bytes of base64url.
const CONFIRMATION: &str = "AAhQ9RePXgYI1BnrNPgeixElDbzvnX1WqcvXP5kqYo4";

fn object(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("JSON")
}

/// A salt answer at the protocol's floor (fast enough for tests).
fn salt_answer() -> JsValue {
    object(
        r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw",
            "kdf":{"algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1},
            "kdf_version":1}"#,
    )
}

fn key() -> KeyPair {
    derive_key(salt_answer(), "correct horse battery staple".into()).expect("derive")
}

fn error_code(error: JsValue) -> String {
    let error: js_sys::Error = error.dyn_into().expect("an Error");
    assert_eq!(String::from(error.name()), "NotaryError");
    js_sys::Reflect::get(&error, &"code".into())
        .expect("code")
        .as_string()
        .expect("a string code")
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Parses and verifies a token the way the server does, with the key's public key.
fn verify(token: &str, kind: TokenKind, key: &KeyPair, audience: &str) -> protocol::token::Claims {
    let parsed = ParsedToken::parse(token, kind).expect("parse");
    let public = match parsed.key_ref() {
        KeyRef::Embedded(public) => {
            assert_eq!(public.key_id().as_str(), key.key_id());
            *public
        }
        KeyRef::Registered(kid) => {
            assert_eq!(kid.as_str(), key.key_id());
            let jwk: protocol::keys::Jwk = protocol::keys::Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x: js_sys::Reflect::get(&key.public_jwk(), &"x".into())
                    .expect("x")
                    .as_string()
                    .expect("x string"),
            };
            protocol::keys::PublicKey::from_jwk(&jwk).expect("jwk")
        }
    };
    let expect = Expectations {
        audience,
        now: now(),
    };
    parsed.verify(&public, &expect).expect("verify").claims
}

#[wasm_bindgen_test]
fn key_pair_exposes_only_public_material() {
    let key = key();
    assert_eq!(key.address(), "alice@example.com");
    let jwk = key.public_jwk();
    let members: Vec<String> = js_sys::Object::keys(jwk.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|name| name.as_string())
        .collect();
    assert_eq!(members, ["kty", "crv", "x"]);
    assert_eq!(key.key_id().len(), 43);
}

#[wasm_bindgen_test]
fn every_kind_of_token_verifies_as_the_server_checks_it() {
    let key = key();
    let spec = |json: &str| key.token(object(json));
    let signup = spec(&format!(r#"{{"kind":"signup","audience":"{AUDIENCE}"}}"#)).expect("signup");
    let claims = verify(&signup, TokenKind::Signup, &key, AUDIENCE);
    assert_eq!(claims.sub, "alice@example.com");
    assert_eq!(claims.exp - claims.iat, 120);
    assert!((claims.iat - now()).abs() <= 2);

    let confirm = spec(&format!(
        r#"{{"kind":"confirm","audience":"{AUDIENCE}","confirmation":"{CONFIRMATION}"}}"#
    ))
    .expect("confirm");
    let claims = verify(&confirm, TokenKind::Confirm, &key, AUDIENCE);
    assert_eq!(claims.confirmation.as_deref(), Some(CONFIRMATION));

    for (kind, name) in [
        (TokenKind::Change, "change"),
        (TokenKind::Disable, "disable"),
    ] {
        let token = spec(&format!(r#"{{"kind":"{name}","audience":"{AUDIENCE}"}}"#)).expect(name);
        verify(&token, kind, &key, AUDIENCE);
    }

    let request = spec(&format!(
        r#"{{"kind":"request","audience":"{AUDIENCE}","method":"POST","url":"{AUDIENCE}/things","body":"{{\"a\":1}}"}}"#
    ))
    .expect("request");
    let claims = verify(&request, TokenKind::Request, &key, AUDIENCE);
    assert_eq!(claims.htm.as_deref(), Some("POST"));
    assert_eq!(claims.htu.as_deref(), Some("http://127.0.0.1:8787/things"));
    assert_eq!(
        claims.bsh.as_deref(),
        Some(protocol::token::body_hash(br#"{"a":1}"#).as_str())
    );

    let assertion =
        spec(r#"{"kind":"assertion","audience":"https://partner.example","lifetime":45}"#)
            .expect("assertion");
    let claims = verify(
        &assertion,
        TokenKind::Assertion,
        &key,
        "https://partner.example",
    );
    assert_eq!(claims.exp - claims.iat, 45);
}

#[wasm_bindgen_test]
fn each_token_has_a_fresh_jti() {
    let key = key();
    let spec = object(&format!(r#"{{"kind":"disable","audience":"{AUDIENCE}"}}"#));
    let first = verify(
        &key.token(spec.clone()).expect("token"),
        TokenKind::Disable,
        &key,
        AUDIENCE,
    );
    let second = verify(
        &key.token(spec).expect("token"),
        TokenKind::Disable,
        &key,
        AUDIENCE,
    );
    assert_ne!(first.jti, second.jti);
}

#[wasm_bindgen_test]
fn request_bodies_of_every_accepted_type_hash_the_same_bytes() {
    let key = key();
    let expected = protocol::token::body_hash("héllo".as_bytes());
    let bytes = js_sys::Uint8Array::from("héllo".as_bytes());
    for body in [
        JsValue::from_str("héllo"),
        bytes.clone().into(),
        bytes.buffer().into(),
    ] {
        let spec = object(&format!(
            r#"{{"kind":"request","audience":"{AUDIENCE}","method":"PUT","url":"{AUDIENCE}/x"}}"#
        ));
        js_sys::Reflect::set(&spec, &"body".into(), &body).expect("set body");
        let token = key.token(spec).expect("request");
        let claims = verify(&token, TokenKind::Request, &key, AUDIENCE);
        assert_eq!(claims.bsh.as_deref(), Some(expected.as_str()));
    }
    let empty = key
        .token(object(&format!(
            r#"{{"kind":"request","audience":"{AUDIENCE}","method":"GET","url":"{AUDIENCE}/x","body":null}}"#
        )))
        .expect("no body");
    let claims = verify(&empty, TokenKind::Request, &key, AUDIENCE);
    assert_eq!(claims.bsh, Some(protocol::token::body_hash(b"")));
}

#[wasm_bindgen_test]
fn malformed_token_specs_throw_notary_errors_with_stable_codes() {
    let key = key();
    for (json, code) in [
        (r#"{"kind":"nonsense","audience":"a"}"#, "invalid_argument"),
        (r#"{"audience":"a"}"#, "invalid_argument"),
        (r#"{"kind":"signup"}"#, "invalid_argument"),
        (r#"{"kind":"signup","audience":""}"#, "invalid_token"),
        (
            r#"{"kind":"assertion","audience":"a","lifetime":0}"#,
            "lifetime_too_long",
        ),
        (
            r#"{"kind":"assertion","audience":"a","lifetime":301}"#,
            "lifetime_too_long",
        ),
        (
            r#"{"kind":"assertion","audience":"a","lifetime":1.5}"#,
            "lifetime_too_long",
        ),
        (
            r#"{"kind":"assertion","audience":"a","lifetime":"60"}"#,
            "invalid_argument",
        ),
        (
            r#"{"kind":"confirm","audience":"a","confirmation":"short"}"#,
            "invalid_token",
        ),
        (r#"{"kind":"confirm","audience":"a"}"#, "invalid_argument"),
        (
            r#"{"kind":"request","audience":"a","method":"GET"}"#,
            "invalid_argument",
        ),
        (
            r#"{"kind":"request","audience":"a","method":"GET","url":"http://x/#f"}"#,
            "invalid_argument",
        ),
        (
            r#"{"kind":"request","audience":"a","method":"","url":"http://x/"}"#,
            "invalid_argument",
        ),
        (
            r#"{"kind":"request","audience":"a","method":"GET","url":"http://x/","body":7}"#,
            "invalid_argument",
        ),
    ] {
        let error = key.token(object(json)).err().map(JsValue::from);
        assert_eq!(error.map(error_code), Some(code.to_owned()), "{json}");
    }
    assert_eq!(
        key.token(JsValue::UNDEFINED)
            .err()
            .map(|e| error_code(e.into())),
        Some("invalid_argument".to_owned())
    );
}

#[wasm_bindgen_test]
fn derive_key_refuses_bad_answers_and_passwords() {
    let weak = object(
        r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw",
            "kdf":{"algorithm":"argon2id","version":19,"memory_kib":1024,"iterations":2,"parallelism":1},"kdf_version":1}"#,
    );
    let argon2i = object(
        r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw",
            "kdf":{"algorithm":"argon2i","version":19,"memory_kib":19456,"iterations":2,"parallelism":1},"kdf_version":1}"#,
    );
    let bad_salt = object(
        r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw==",
            "kdf":{"algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1},"kdf_version":1}"#,
    );
    let not_canonical = object(
        r#"{"address":"Alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw",
            "kdf":{"algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1},"kdf_version":1}"#,
    );
    let missing = object(r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw"}"#);
    for (answer, password, code) in [
        (weak, "correct horse battery staple", "weak_kdf_params"),
        (argon2i, "correct horse battery staple", "weak_kdf_params"),
        (bad_salt, "correct horse battery staple", "invalid_salt"),
        (
            not_canonical,
            "correct horse battery staple",
            "invalid_address",
        ),
        (missing, "correct horse battery staple", "invalid_argument"),
        (
            JsValue::NULL,
            "correct horse battery staple",
            "invalid_argument",
        ),
        (salt_answer(), "short", "invalid_password"),
    ] {
        let error = derive_key(answer, password.into()).err().map(JsValue::from);
        assert_eq!(error.map(error_code), Some(code.to_owned()));
    }
    // A lone surrogate is refused, not silently replaced by U+FFFD.
    let lone =
        js_sys::JsString::from_char_code(&[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xD800]);
    let error = derive_key(salt_answer(), lone).err().map(JsValue::from);
    assert_eq!(error.map(error_code), Some("invalid_password".to_owned()));
}

#[wasm_bindgen_test]
fn salt_answers_are_read_from_plain_objects() {
    let answer = salt_answer_from_js(&salt_answer()).expect("answer");
    assert_eq!(answer.address, "alice@example.com");
    assert_eq!(answer.kdf.memory_kib, 19_456);
    let fractional = object(
        r#"{"address":"a@example.com","salt":"x","kdf":{"algorithm":"argon2id","version":19,"memory_kib":19456.5,"iterations":2,"parallelism":1},"kdf_version":1}"#,
    );
    assert_eq!(
        salt_answer_from_js(&fractional)
            .err()
            .map(|e| e.code().to_owned()),
        Some("invalid_argument".to_owned())
    );
}

#[wasm_bindgen_test]
fn base_urls_are_normalised_like_a_public_uri() {
    for (input, expected) in [
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
        ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
        ("HTTPS://Notary.Example", "https://notary.example"),
        ("https://example.com/notary/", "https://example.com/notary"),
    ] {
        assert_eq!(normalize_base_url(input).expect(input), expected);
    }
    for bad in [
        "",
        "notary.example",
        "ftp://notary.example",
        "https://notary.example/?q=1",
        "https://notary.example/#x",
        "https://user:pw@notary.example",
    ] {
        assert_eq!(
            normalize_base_url(bad).err().map(|e| e.code().to_owned()),
            Some("invalid_argument".to_owned()),
            "{bad:?}"
        );
    }
}

#[wasm_bindgen_test]
fn server_errors_keep_code_message_and_status() {
    let error: JsValue =
        NotaryError::from_server("rate_limited".into(), "slow down".into(), 429).into();
    let error: js_sys::Error = error.dyn_into().expect("Error");
    assert_eq!(String::from(error.message()), "slow down");
    assert_eq!(
        js_sys::Reflect::get(&error, &"status".into())
            .expect("status")
            .as_f64(),
        Some(429.0)
    );
    assert!(js_sys::Reflect::get(&error, &"retryAfter".into())
        .expect("retryAfter")
        .is_undefined());
    let local: JsValue = NotaryError::local("network_error", "offline").into();
    assert!(js_sys::Reflect::get(&local, &"status".into())
        .expect("status")
        .is_undefined());
    assert!(js_sys::Reflect::get(&local, &"retryAfter".into())
        .expect("retryAfter")
        .is_undefined());
    assert_eq!(error_code(local), "network_error");
}

#[wasm_bindgen_test]
fn a_retry_after_reaches_javascript_as_seconds() {
    let limited = NotaryError::from_server("rate_limited".into(), "slow down".into(), 429)
        .with_retry_after(Some(42));
    assert_eq!(limited.retry_after(), Some(42));
    let error: JsValue = limited.into();
    assert_eq!(
        js_sys::Reflect::get(&error, &"retryAfter".into())
            .expect("retryAfter")
            .as_f64(),
        Some(42.0)
    );
}

#[wasm_bindgen_test]
fn retry_after_values_are_read_as_rfc_9110_says() {
    // 2015-10-21T07:28:00Z
    let now_ms = 1_445_412_480_000.0;
    let cases: &[(&str, Option<u32>)] = &[
        ("0", Some(0)),
        ("7", Some(7)),
        (" 120 ", Some(120)),
        ("0007", Some(7)),
        ("4294967295", Some(u32::MAX)),
        ("99999999999999999999999", Some(u32::MAX)),
        ("Wed, 21 Oct 2015 07:28:30 GMT", Some(30)),
        ("Wed, 21 Oct 2015 07:28:00 GMT", Some(0)),
        ("Wed, 21 Oct 2015 07:00:00 GMT", Some(0)),
        ("Wed, 21 Oct 2015 08:28:00 GMT", Some(3600)),
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("tomorrow GMT", None),
        ("Wed, 21 Oct 2015 07:28:30", None),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_retry_after(value, now_ms), *expected, "{value:?}");
    }
}

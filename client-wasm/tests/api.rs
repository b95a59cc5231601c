//! What JavaScript sees: the exported `KeyPair`, `deriveKey` and `NotaryClient` with arguments of
//! every shape, the errors they throw, and the answers as their TypeScript interfaces declare them,
//! in WebAssembly (under Node and in Chromium).
#![cfg(target_arch = "wasm32")]
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::client::{
    normalize_base_url, ACCOUNT, CONFIRM_ANSWER, KDF_PARAMS, SALT_ANSWER, STATUS_ANSWER,
};
use notary_client::derive::{password_from_js, salt_answer_from_js, Blinding, Evaluation};
use notary_client::error::{ClientErrorKind, NotaryError};
use notary_client::http::parse_retry_after;
use notary_client::key::{KeyPair, PUBLIC_JWK};
use notary_client::requirements;
use notary_client::shape::{self, Shape};
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
            "kdf_version":2,"accepted_kdf_versions":[2,1],
            "evaluated":"4vKuCmq8TnGohKlhxQBRX1jjC2qlgt2NtqZZReCNLXY"}"#,
    )
}

/// The evaluation of `password` for alice@example.com by a server with a test seed, at the floor:
/// the blinding and the finalization of the package, the server's side from the protocol crate.
fn evaluation(password: &str) -> Evaluation {
    let address = protocol::address::Address::from_canonical("alice@example.com").expect("address");
    let password = password_from_js(&password.into()).expect("password");
    let blinding = Blinding::new(address.clone(), password).expect("blinding");
    let blinded =
        protocol::oprf::BlindedElement::from_base64url(&blinding.blinded()).expect("blinded");
    let mut answer =
        protocol::salt::SaltAnswer::new(b"salt secret", &[3; 32], &address, &blinded, true)
            .expect("answer");
    answer.kdf.memory_kib = 19_456;
    answer.kdf.iterations = 2;
    let read =
        salt_answer_from_js(&object(&serde_json::to_string(&answer).expect("JSON"))).expect("read");
    let checked = read.check().expect("checked");
    blinding.finish(&read, checked).expect("finished")
}

fn key() -> KeyPair {
    evaluation("correct horse battery staple")
        .derive_key()
        .expect("derive")
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

/// The public JWK is exactly what its TypeScript interface (`PublicJwk`, from `PUBLIC_JWK`) declares.
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
    let declared: Vec<&str> = PUBLIC_JWK.members.iter().map(|m| m.name).collect();
    assert_eq!(members, declared);
    shape::check(&jwk, requirements!(PUBLIC_JWK)).expect("the PublicJwk shape");
    assert_eq!(key.key_id().len(), 43);
}

/// An optional argument left out.
const NONE: JsValue = JsValue::UNDEFINED;

#[wasm_bindgen_test]
fn every_kind_of_token_verifies_as_the_server_checks_it() {
    let key = key();
    let signup = key.signup_token(&AUDIENCE.into(), &NONE).expect("signup");
    let claims = verify(&signup, TokenKind::Signup, &key, AUDIENCE);
    assert_eq!(claims.sub, "alice@example.com");
    assert_eq!(claims.exp - claims.iat, 120);
    assert!((claims.iat - now()).abs() <= 2);

    let confirm = key
        .confirm_token(&AUDIENCE.into(), &CONFIRMATION.into(), &NONE)
        .expect("confirm");
    let claims = verify(&confirm, TokenKind::Confirm, &key, AUDIENCE);
    assert_eq!(claims.confirmation.as_deref(), Some(CONFIRMATION));

    let change = key.change_token(&AUDIENCE.into(), &30.into());
    let claims = verify(&change.expect("change"), TokenKind::Change, &key, AUDIENCE);
    assert_eq!(claims.exp - claims.iat, 30);
    let disable = key.disable_token(&AUDIENCE.into(), &JsValue::NULL);
    let claims = verify(
        &disable.expect("disable"),
        TokenKind::Disable,
        &key,
        AUDIENCE,
    );
    assert_eq!(claims.exp - claims.iat, 120);

    let request = key
        .request_token(
            &AUDIENCE.into(),
            &"POST".into(),
            &format!("{AUDIENCE}/things").into(),
            &r#"{"a":1}"#.into(),
            &NONE,
        )
        .expect("request");
    let claims = verify(&request, TokenKind::Request, &key, AUDIENCE);
    assert_eq!(claims.htm.as_deref(), Some("POST"));
    assert_eq!(claims.htu.as_deref(), Some("http://127.0.0.1:8787/things"));
    assert_eq!(
        claims.bsh.as_deref(),
        Some(protocol::token::body_hash(br#"{"a":1}"#).as_str())
    );

    let assertion = key
        .assertion_token(&"https://partner.example".into(), &45.into())
        .expect("assertion");
    let claims = verify(
        &assertion,
        TokenKind::Assertion,
        &key,
        "https://partner.example",
    );
    assert_eq!(claims.exp - claims.iat, 45);
    // As before the typed methods, an assertion without a lifetime lives 120 s.
    let assertion = key.assertion_token(&"https://partner.example".into(), &JsValue::UNDEFINED);
    let claims = verify(
        &assertion.expect("assertion"),
        TokenKind::Assertion,
        &key,
        "https://partner.example",
    );
    assert_eq!(claims.exp - claims.iat, 120);
}

#[wasm_bindgen_test]
fn each_token_has_a_fresh_jti() {
    let key = key();
    let token = || key.disable_token(&AUDIENCE.into(), &NONE).expect("token");
    let first = verify(&token(), TokenKind::Disable, &key, AUDIENCE);
    let second = verify(&token(), TokenKind::Disable, &key, AUDIENCE);
    assert_ne!(first.jti, second.jti);
}

#[wasm_bindgen_test]
fn request_bodies_of_every_accepted_type_hash_the_same_bytes() {
    let key = key();
    let request = |body: &JsValue| {
        let token = key
            .request_token(
                &AUDIENCE.into(),
                &"PUT".into(),
                &format!("{AUDIENCE}/x").into(),
                body,
                &NONE,
            )
            .expect("request");
        verify(&token, TokenKind::Request, &key, AUDIENCE).bsh
    };
    let expected = protocol::token::body_hash("héllo".as_bytes());
    let bytes = js_sys::Uint8Array::from("héllo".as_bytes());
    for body in [
        JsValue::from_str("héllo"),
        bytes.clone().into(),
        bytes.buffer().into(),
    ] {
        assert_eq!(request(&body), Some(expected.clone()));
    }
    let empty = Some(protocol::token::body_hash(b""));
    assert_eq!(request(&JsValue::NULL), empty);
    assert_eq!(request(&NONE), empty);
}

#[wasm_bindgen_test]
fn malformed_token_arguments_throw_notary_errors_with_stable_codes() {
    let key = key();
    let url = || JsValue::from("http://x/");
    let undefined = || JsValue::UNDEFINED;
    type Sign<'a> = Box<dyn Fn() -> notary_client::error::Result<String> + 'a>;
    let cases: Vec<(&str, Sign<'_>, &str)> = vec![
        (
            "no audience",
            Box::new(|| key.signup_token(&undefined(), &NONE)),
            "invalid_argument",
        ),
        (
            "a number for an audience",
            Box::new(|| key.change_token(&7.into(), &NONE)),
            "invalid_argument",
        ),
        (
            "an empty audience",
            Box::new(|| key.signup_token(&"".into(), &NONE)),
            "invalid_token",
        ),
        (
            "lifetime 0",
            Box::new(|| key.assertion_token(&"a".into(), &0.into())),
            "lifetime_too_long",
        ),
        (
            "lifetime 301",
            Box::new(|| key.assertion_token(&"a".into(), &301.into())),
            "lifetime_too_long",
        ),
        (
            "lifetime 1.5",
            Box::new(|| key.disable_token(&"a".into(), &1.5.into())),
            "lifetime_too_long",
        ),
        (
            "a string for a lifetime",
            Box::new(|| key.assertion_token(&"a".into(), &"60".into())),
            "invalid_argument",
        ),
        (
            "a confirmation of the wrong shape",
            Box::new(|| key.confirm_token(&"a".into(), &"short".into(), &NONE)),
            "invalid_token",
        ),
        (
            "no confirmation",
            Box::new(|| key.confirm_token(&"a".into(), &undefined(), &NONE)),
            "invalid_argument",
        ),
        (
            "no URL",
            Box::new(|| key.request_token(&"a".into(), &"GET".into(), &undefined(), &NONE, &NONE)),
            "invalid_argument",
        ),
        (
            "a URL with a fragment",
            Box::new(|| {
                key.request_token(
                    &"a".into(),
                    &"GET".into(),
                    &"http://x/#f".into(),
                    &NONE,
                    &NONE,
                )
            }),
            "invalid_argument",
        ),
        (
            "an empty method",
            Box::new(|| key.request_token(&"a".into(), &"".into(), &url(), &NONE, &NONE)),
            "invalid_argument",
        ),
        (
            "a number for a body",
            Box::new(|| key.request_token(&"a".into(), &"GET".into(), &url(), &7.into(), &NONE)),
            "invalid_argument",
        ),
    ];
    for (case, sign, code) in cases {
        let error = sign().err().map(JsValue::from);
        assert_eq!(error.map(error_code), Some(code.to_owned()), "{case}");
    }
}

#[wasm_bindgen_test]
fn answers_are_checked_as_their_typescript_interfaces_declare() {
    let confirm = r#"{"status":"active","address":"a@example.com","key_id":"k"}"#;
    assert!(shape::check(&object(confirm), requirements!(CONFIRM_ANSWER)).is_ok());
    // ConfirmAnswer's status is the literal "active".
    let pending = r#"{"status":"pending","address":"a@example.com","key_id":"k"}"#;
    assert!(shape::check(&object(pending), requirements!(CONFIRM_ANSWER)).is_err());
    let account = r#"{"address":"a@example.com","status":"active","key_id":"k","created_at":1,"confirmed_at":2,"kdf_version":2}"#;
    assert!(shape::check(&object(account), requirements!(ACCOUNT)).is_ok());
    // Account's status is any string; confirmed_at is declared, so it is required.
    let other = account.replace(r#""active""#, r#""frozen""#);
    assert!(shape::check(&object(&other), requirements!(ACCOUNT)).is_ok());
    let unconfirmed = account.replace(r#","confirmed_at":2"#, "");
    assert!(shape::check(&object(&unconfirmed), requirements!(ACCOUNT)).is_err());
    let unversioned = account.replace(r#","kdf_version":2"#, "");
    assert!(shape::check(&object(&unversioned), requirements!(ACCOUNT)).is_err());
    let status = r#"{"status":"confirmation_sent"}"#;
    assert!(shape::check(&object(status), requirements!(STATUS_ANSWER)).is_ok());
    assert!(shape::check(&object(r#"{"status":7}"#), requirements!(STATUS_ANSWER)).is_err());
}

/// `(name, JSON value)` of each member of `shape`, valid for the salt answer at the protocol's floor.
fn members_of(shape: &Shape, answer: &JsValue) -> Vec<(&'static str, JsValue)> {
    shape
        .members
        .iter()
        .map(|member| {
            let value = js_sys::Reflect::get(answer, &member.name.into()).expect("member");
            assert!(
                !value.is_undefined(),
                "the floor answer has {}",
                member.name
            );
            (member.name, value)
        })
        .collect()
}

fn object_of(members: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in members {
        js_sys::Reflect::set(&object, &(*name).into(), value).expect("set");
    }
    object.into()
}

/// `SaltAnswer` and `KdfParams` are declared from the shapes `SALT_ANSWER` and `KDF_PARAMS`, and read
/// by `SaltAnswer::from_js`: an answer made of exactly the declared members is read, and one without
/// any of them is refused.
#[wasm_bindgen_test]
fn the_salt_answer_reader_takes_what_the_typescript_interfaces_declare() {
    let floor = salt_answer();
    let kdf = js_sys::Reflect::get(&floor, &"kdf".into()).expect("kdf");
    let kdf_members = members_of(&KDF_PARAMS, &kdf);
    let mut answer_members = members_of(&SALT_ANSWER, &floor);
    for (name, value) in &mut answer_members {
        if *name == "kdf" {
            *value = object_of(&kdf_members);
        }
    }
    let answer = object_of(&answer_members);
    shape::check(&answer, requirements!(SALT_ANSWER)).expect("the SaltAnswer shape");
    salt_answer_from_js(&answer).expect("an answer of exactly the declared members");
    for left_out in 0..answer_members.len() {
        let mut fewer = answer_members.clone();
        let (name, _) = fewer.remove(left_out);
        assert!(
            salt_answer_from_js(&object_of(&fewer)).is_err(),
            "without {name}"
        );
    }
    for left_out in 0..kdf_members.len() {
        let mut fewer = kdf_members.clone();
        let (name, _) = fewer.remove(left_out);
        let mut members = answer_members.clone();
        for (member, value) in &mut members {
            if *member == "kdf" {
                *value = object_of(&fewer);
            }
        }
        assert!(
            salt_answer_from_js(&object_of(&members)).is_err(),
            "without kdf.{name}"
        );
    }
}

#[wasm_bindgen_test]
fn bad_answers_and_passwords_are_refused_before_any_derivation() {
    let with_kdf = |kdf: &str, address: &str, salt: &str| {
        object(&format!(
            r#"{{"address":"{address}","salt":"{salt}","kdf":{{{kdf}}},"kdf_version":2,
                "accepted_kdf_versions":[2],"evaluated":"4vKuCmq8TnGohKlhxQBRX1jjC2qlgt2NtqZZReCNLXY"}}"#
        ))
    };
    let floor =
        r#""algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1"#;
    let salt = "Na_mKGw0GDhz3GNYQigbhw";
    for (answer, code) in [
        (
            with_kdf(
                r#""algorithm":"argon2id","version":19,"memory_kib":1024,"iterations":2,"parallelism":1"#,
                "alice@example.com",
                salt,
            ),
            "weak_kdf_params",
        ),
        (
            with_kdf(
                r#""algorithm":"argon2i","version":19,"memory_kib":19456,"iterations":2,"parallelism":1"#,
                "alice@example.com",
                salt,
            ),
            "weak_kdf_params",
        ),
        (
            with_kdf(floor, "alice@example.com", "Na_mKGw0GDhz3GNYQigbhw=="),
            "invalid_salt",
        ),
        (
            with_kdf(floor, "Alice@example.com", salt),
            "invalid_address",
        ),
        (
            object(r#"{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw"}"#),
            "invalid_argument",
        ),
        (JsValue::NULL, "invalid_argument"),
    ] {
        let error = match salt_answer_from_js(&answer) {
            Ok(read) => NotaryError::from(read.check().expect_err("refused")),
            Err(error) => error,
        };
        assert_eq!(error_code(error.into()), code);
    }
    let short = password_from_js(&"short".into()).err().map(JsValue::from);
    assert_eq!(short.map(error_code), Some("invalid_password".to_owned()));
    // A lone surrogate is refused, not silently replaced by U+FFFD.
    let lone =
        js_sys::JsString::from_char_code(&[0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xD800]);
    let error = password_from_js(&lone).err().map(JsValue::from);
    assert_eq!(error.map(error_code), Some("invalid_password".to_owned()));
}

/// The same password evaluated twice gives the same key whatever the blinds; another password, or
/// a server that changes its key, does not.
#[wasm_bindgen_test]
fn evaluations_are_independent_of_the_blind() {
    let first = evaluation("correct horse battery staple");
    let second = evaluation("correct horse battery staple");
    first.check_same_as(&second).expect("same output");
    assert_eq!(
        first.derive_key().expect("key").key_id(),
        second.derive_key().expect("key").key_id()
    );
    let other = evaluation("another horse battery staple");
    assert_eq!(
        first
            .check_same_as(&other)
            .err()
            .map(|e| e.code().to_owned()),
        Some("oprf_key_varies".to_owned())
    );
    assert_ne!(
        first.derive_key().expect("key").key_id(),
        first.derive_legacy_key().expect("legacy key").key_id()
    );
}

#[wasm_bindgen_test]
fn salt_answers_are_read_from_plain_objects() {
    let answer = salt_answer_from_js(&salt_answer()).expect("answer");
    assert_eq!(answer.address, "alice@example.com");
    assert_eq!(answer.kdf.memory_kib, 19_456);
    let fractional = object(
        r#"{"address":"a@example.com","salt":"x","kdf":{"algorithm":"argon2id","version":19,"memory_kib":19456.5,"iterations":2,"parallelism":1},"kdf_version":2,"accepted_kdf_versions":[2],"evaluated":"x"}"#,
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
    let local: JsValue = NotaryError::new(ClientErrorKind::NetworkError, "offline").into();
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

//! The salt answer's `kdf_version` and `kdf` as docs/protocol.md section 5 orders their checks: a
//! version this client does not implement is `unsupported_kdf_version` whatever `kdf` holds, and an
//! unknown member of `kdf` is `weak_kdf_params`; both refused before any derivation, in WebAssembly
//! (under Node and in Chromium). Then the members of version 2: `accepted_kdf_versions` and
//! `evaluated`.
#![cfg(target_arch = "wasm32")]
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::derive::salt_answer_from_js;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// The `kdf` of an answer at the protocol's floor.
const FLOOR: &str =
    r#""algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1"#;

/// The ristretto255 basepoint (RFC 9496 appendix A.1), base64url: a valid `evaluated`.
const EVALUATED: &str = "4vKuCmq8TnGohKlhxQBRX1jjC2qlgt2NtqZZReCNLXY";

/// A salt answer with `kdf` members `kdf`, version `kdf_version` and the given last members.
fn answer_with(kdf: &str, kdf_version: &str, rest: &str) -> JsValue {
    js_sys::JSON::parse(&format!(
        r#"{{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw","kdf":{{{kdf}}},"kdf_version":{kdf_version},{rest}}}"#
    ))
    .expect("JSON")
}

/// A salt answer with `kdf` members `kdf` and version `kdf_version`.
fn answer(kdf: &str, kdf_version: &str) -> JsValue {
    answer_with(
        kdf,
        kdf_version,
        &format!(r#""accepted_kdf_versions":[2,1],"evaluated":"{EVALUATED}""#),
    )
}

/// The `code` of the error that reading and checking the answer gives, as a client meets it.
fn derive_error(answer: JsValue) -> Option<String> {
    let error = match salt_answer_from_js(&answer) {
        Ok(read) => notary_client::NotaryError::from(read.check().err()?),
        Err(error) => error,
    };
    Some(error.code().to_owned())
}

#[wasm_bindgen_test]
fn an_unknown_kdf_version_is_refused_before_the_kdf_is_read() {
    let with_secret = format!(r#"{FLOOR},"secret":"x""#);
    for (kdf, version) in [
        (FLOOR, "1"),
        (FLOOR, "0"),
        (FLOOR, "3"),
        (with_secret.as_str(), "1"),
        (r#""algorithm":"scrypt","n":1024"#, "7"),
    ] {
        assert_eq!(
            derive_error(answer(kdf, version)),
            Some("unsupported_kdf_version".to_owned()),
            "kdf {{{kdf}}}, kdf_version {version}"
        );
    }
}

#[wasm_bindgen_test]
fn unknown_members_of_kdf_are_refused() {
    for extra in [
        r#""secret":"x""#,
        r#""salt_length":16"#,
        r#""associated_data":null"#,
    ] {
        let kdf = format!("{FLOOR},{extra}");
        assert_eq!(
            derive_error(answer(&kdf, "2")),
            Some("weak_kdf_params".to_owned()),
            "{extra}"
        );
    }
}

#[wasm_bindgen_test]
fn the_documented_answer_is_read_whole() {
    let read = salt_answer_from_js(&answer(FLOOR, "2")).expect("answer");
    assert_eq!(read.kdf_version, 2);
    assert_eq!(read.kdf.memory_kib, 19_456);
    assert_eq!(read.accepted_kdf_versions, [2, 1]);
    let checked = read.check().expect("checked");
    assert!(checked.legacy_accepted);
    assert_eq!(checked.evaluated.to_base64url(), EVALUATED);
}

#[wasm_bindgen_test]
fn the_members_of_version_2_are_required_and_checked() {
    let cases = [
        (r#""evaluated":"x""#.to_owned(), "invalid_argument"),
        (
            format!(r#""accepted_kdf_versions":"2,1","evaluated":"{EVALUATED}""#),
            "invalid_argument",
        ),
        (
            format!(r#""accepted_kdf_versions":[2,"1"],"evaluated":"{EVALUATED}""#),
            "invalid_argument",
        ),
        (
            r#""accepted_kdf_versions":[2],"evaluated":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA""#
                .to_owned(),
            "invalid_evaluated_element",
        ),
        (
            r#""accepted_kdf_versions":[2],"evaluated":"AAAA""#.to_owned(),
            "invalid_evaluated_element",
        ),
    ];
    for (rest, code) in cases {
        assert_eq!(
            derive_error(answer_with(FLOOR, "2", &rest)),
            Some(code.to_owned()),
            "{rest}"
        );
    }
    let current_only = salt_answer_from_js(&answer_with(
        FLOOR,
        "2",
        &format!(r#""accepted_kdf_versions":[2],"evaluated":"{EVALUATED}""#),
    ))
    .expect("answer");
    assert!(!current_only.check().expect("checked").legacy_accepted);
}

//! The salt answer's `kdf_version` and `kdf` as docs/protocol.md section 5 orders their checks: a
//! version this client does not implement is `unsupported_kdf_version` whatever `kdf` holds, and an
//! unknown member of `kdf` is `weak_kdf_params`; both refused by `deriveKey` before any derivation,
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

use notary_client::client::derive_key;
use notary_client::derive::salt_answer_from_js;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const PASSWORD: &str = "correct horse battery staple";
/// The `kdf` of an answer at the protocol's floor.
const FLOOR: &str =
    r#""algorithm":"argon2id","version":19,"memory_kib":19456,"iterations":2,"parallelism":1"#;

/// A salt answer with `kdf` members `kdf` and version `kdf_version`.
fn answer(kdf: &str, kdf_version: &str) -> JsValue {
    js_sys::JSON::parse(&format!(
        r#"{{"address":"alice@example.com","salt":"Na_mKGw0GDhz3GNYQigbhw","kdf":{{{kdf}}},"kdf_version":{kdf_version}}}"#
    ))
    .expect("JSON")
}

/// The `code` of what `deriveKey` threw, as JavaScript sees it.
fn derive_error(answer: JsValue) -> Option<String> {
    let error: js_sys::Error = JsValue::from(derive_key(answer, PASSWORD.into()).err()?)
        .dyn_into()
        .expect("an Error");
    js_sys::Reflect::get(&error, &"code".into())
        .expect("code")
        .as_string()
}

#[wasm_bindgen_test]
fn an_unknown_kdf_version_is_refused_before_the_kdf_is_read() {
    let with_secret = format!(r#"{FLOOR},"secret":"x""#);
    for (kdf, version) in [
        (FLOOR, "2"),
        (FLOOR, "0"),
        (with_secret.as_str(), "2"),
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
            derive_error(answer(&kdf, "1")),
            Some("weak_kdf_params".to_owned()),
            "{extra}"
        );
    }
}

#[wasm_bindgen_test]
fn the_documented_answer_is_read_whole() {
    let read = salt_answer_from_js(&answer(FLOOR, "1")).expect("answer");
    assert_eq!(read.kdf_version, 1);
    assert_eq!(read.kdf.memory_kib, 19_456);
    assert!(read.check().is_ok());
}

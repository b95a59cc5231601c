//! docs/protocol.md and the crate agree: every error code with its status, the parameters, and every
//! token the document shows is a vector token (and every vector token of each kind is shown).

// Test code: clippy.toml allows these inside #[test] functions; the helpers here are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/vector_schema.rs"]
#[allow(dead_code)]
mod vector_schema;

use protocol::kdf::{KdfParams, KDF_PARAMS_VERSION};
use protocol::token::{CLOCK_SKEW_SECS, MAX_LIFETIME_SECS, MAX_TOKEN_BYTES};
use protocol::ErrorKind;
use std::collections::BTreeMap;
use vector_schema::{AddressVectors, ConfirmationVectors, KeyVectors, TokenVectors};

const DOC: &str = include_str!("../../docs/protocol.md");

/// `code → status cell` of every table row that starts with a code in back-quotes.
fn error_rows() -> BTreeMap<&'static str, &'static str> {
    let mut rows = BTreeMap::new();
    for line in DOC.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, code, status, _meaning, ..] = cells[..] {
            if let Some(code) = code.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                if status.starts_with(|c: char| c.is_ascii_digit()) {
                    assert!(rows.insert(code, status).is_none(), "{code} twice");
                }
            }
        }
    }
    rows
}

#[test]
fn every_error_code_is_documented_with_its_status() {
    let rows = error_rows();
    for kind in ErrorKind::ALL {
        let status = rows
            .get(kind.code())
            .unwrap_or_else(|| panic!("{} is not in the error table", kind.code()));
        assert!(
            status.starts_with(&kind.http_status().to_string()),
            "{}: documented {status}, the crate says {}",
            kind.code(),
            kind.http_status()
        );
    }
}

/// Compact JWS-looking strings in the document (three base64url segments, the first a JSON object).
fn documented_tokens() -> Vec<&'static str> {
    DOC.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .filter(|word| word.starts_with("eyJ") && word.split('.').count() == 3)
        .collect()
}

#[test]
fn every_documented_token_is_a_vector_and_every_kind_is_shown() {
    let v: TokenVectors =
        serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
    let documented = documented_tokens();
    assert!(documented.len() >= v.tokens.len());
    for token in &documented {
        assert!(
            v.tokens.iter().any(|t| t.token == *token) || v.cases.iter().any(|c| c.token == *token),
            "docs/protocol.md shows a token that is not in tokens.json: {token}"
        );
    }
    for t in &v.tokens {
        assert!(
            documented.contains(&t.token.as_str()),
            "{} not shown",
            t.name
        );
        assert!(DOC.contains(&t.header_json), "{} header not shown", t.name);
        assert!(DOC.contains(&t.claims_json), "{} claims not shown", t.name);
        assert!(
            DOC.contains(&format!("`{}`", t.header.typ)),
            "{} typ",
            t.name
        );
    }
}

#[test]
fn every_case_the_document_names_is_a_vector_case() {
    let v: TokenVectors =
        serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
    // Back-quoted lower-case words with a hyphen are case names, apart from these.
    let not_cases = [
        "alice-new",
        "dot-atom-text",
        "notary-protocol",
        "notary-test-vectors-confirmation-secret",
        "notary-test-vectors-salt-secret",
    ];
    let named: Vec<&str> = DOC
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '`'))
        .filter_map(|word| word.strip_prefix('`')?.strip_suffix('`'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_lowercase()) && word.contains('-'))
        .filter(|word| !word.contains('`') && !not_cases.contains(word))
        .collect();
    assert!(named.len() >= 30, "{named:?}");
    for name in named {
        assert!(
            v.cases.iter().any(|c| c.name == name),
            "docs/protocol.md names a case that tokens.json does not have: {name}"
        );
    }
}

#[test]
fn documented_values_are_the_crates() {
    let kdf = serde_json::to_string(&KdfParams::CURRENT).unwrap();
    assert!(DOC.contains(&kdf), "the KdfParams JSON");
    assert!(DOC.contains(&format!(r#""kdf_version":{KDF_PARAMS_VERSION}"#)));
    assert!(DOC.contains(&format!("`kdf_version` {KDF_PARAMS_VERSION}")));
    assert!(DOC.contains(&format!("longer than {MAX_TOKEN_BYTES} bytes")));
    assert!(DOC.contains(&format!("clock skew is {CLOCK_SKEW_SECS} seconds")));
    assert!(DOC.contains(&format!("longest lifetime {MAX_LIFETIME_SECS} seconds")));

    let addresses: AddressVectors =
        serde_json::from_str(include_str!("../../tests/vectors/addresses.json")).unwrap();
    let alice = addresses
        .cases
        .iter()
        .find(|c| c.input == "alice@example.com")
        .unwrap();
    assert!(DOC.contains(alice.salt.as_deref().unwrap()));
    assert!(DOC.contains(&addresses.salt_secret));
    let keys: KeyVectors =
        serde_json::from_str(include_str!("../../tests/vectors/keys.json")).unwrap();
    for d in keys
        .derivations
        .iter()
        .filter(|d| d.name == "alice" || d.name == "bob")
    {
        assert!(DOC.contains(&d.seed_hex), "{} seed", d.name);
    }
    let alice = &keys.derivations[0];
    assert!(DOC.contains(&alice.kid) && DOC.contains(&alice.public_key_hex));
    assert!(DOC.contains(&serde_json::to_string(&alice.jwk).unwrap()));
    let confirmation: ConfirmationVectors =
        serde_json::from_str(include_str!("../../tests/vectors/confirmation.json")).unwrap();
    let d = &confirmation.delivery;
    for value in [
        &d.body,
        &d.signature_header,
        &d.idempotency_key,
        &d.confirmation_secret,
        &confirmation.tokens[0].storage_hash,
        &confirmation.links[0].link,
        &confirmation.links[1].link,
    ] {
        assert!(DOC.contains(value.as_str()), "{value}");
    }
}

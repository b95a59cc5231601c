//! Property tests of the token parser and verifier on arbitrary and on mutated input: never a panic,
//! always one of the typed errors, and no mutation of a valid token ever verifies. Plus the
//! canonicality of base64url and addresses, on which "one spelling per value" rests.

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

use proptest::prelude::*;
use protocol::address::Address;
use protocol::b64;
use protocol::kdf::Seed;
use protocol::keys::{KeyPair, PublicKey};
use protocol::token::{Expectations, KeyRef, ParsedToken, TokenKind};
use protocol::ErrorKind;
use std::sync::OnceLock;
use vector_schema::TokenVectors;

const B64_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct Valid {
    token: String,
    kind: TokenKind,
    key: PublicKey,
    audience: String,
    now: i64,
}

/// The valid tokens of tests/vectors/tokens.json, with what verifies them.
fn valid_tokens() -> &'static [Valid] {
    static VALID: OnceLock<Vec<Valid>> = OnceLock::new();
    VALID.get_or_init(|| {
        let v: TokenVectors =
            serde_json::from_str(include_str!("../../tests/vectors/tokens.json")).unwrap();
        v.tokens
            .iter()
            .map(|t| {
                let seed = hex::decode(&v.keys.iter().find(|k| k.name == t.key).unwrap().seed_hex)
                    .unwrap();
                let pair = KeyPair::from_seed(&Seed::from_bytes(seed.try_into().unwrap()));
                Valid {
                    token: t.token.clone(),
                    kind: TokenKind::ALL
                        .into_iter()
                        .find(|k| k.typ() == t.header.typ)
                        .unwrap(),
                    key: *pair.public_key(),
                    audience: t.claims.aud.clone(),
                    now: t.now,
                }
            })
            .collect()
    })
}

fn assert_typed(error: &protocol::Error) {
    assert!(ErrorKind::ALL.contains(&error.kind()), "{error:?}");
    assert!(!error.detail().is_empty());
}

/// Parses `text` as every kind and as any kind; every failure must be typed. Returns whether
/// `parse_any` accepted it.
fn parse_everything(text: &str) -> bool {
    for kind in TokenKind::ALL {
        if let Err(e) = ParsedToken::parse(text, kind) {
            assert_typed(&e);
        }
    }
    match ParsedToken::parse_any(text) {
        Ok(parsed) => {
            // Whatever parses names its key properly and can be put through verification.
            match parsed.key_ref() {
                Ok(KeyRef::Embedded(key)) => {
                    let expect = Expectations {
                        kind: parsed.kind(),
                        audience: "http://127.0.0.1:8787",
                        now: 1_767_225_610,
                    };
                    if let Err(e) = parsed.verify(&key, &expect) {
                        assert_typed(&e);
                    }
                }
                Ok(KeyRef::Registered(_)) => {}
                Err(e) => assert_typed(&e),
            }
            true
        }
        Err(e) => {
            assert_typed(&e);
            false
        }
    }
}

/// A valid token after `mutation`, verified exactly as the original verifies.
fn verify_mutant(valid: &Valid, mutant: &str) -> Result<(), protocol::Error> {
    let parsed = ParsedToken::parse(mutant, valid.kind)?;
    let key = match parsed.key_ref()? {
        KeyRef::Embedded(key) => key,
        KeyRef::Registered(_) => valid.key,
    };
    parsed
        .verify(
            &key,
            &Expectations {
                kind: valid.kind,
                audience: &valid.audience,
                now: valid.now,
            },
        )
        .map(|_| ())
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace { at: usize, with: u8 },
    Delete { at: usize },
    Insert { at: usize, byte: u8 },
    Truncate { to: usize },
    DropSegment(usize),
    DuplicateSegment(usize),
    SwapSegments(usize, usize),
    AppendSegment(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        8 => prop::sample::select(B64_ALPHABET.to_vec()),
        1 => Just(b'.'),
        1 => Just(b'='),
        1 => any::<u8>().prop_map(|b| b & 0x7f),
    ];
    prop_oneof![
        4 => (any::<usize>(), byte.clone()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        2 => any::<usize>().prop_map(|at| Mutation::Delete { at }),
        2 => (any::<usize>(), byte).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        1 => any::<usize>().prop_map(|to| Mutation::Truncate { to }),
        1 => (0..3usize).prop_map(Mutation::DropSegment),
        1 => (0..3usize).prop_map(Mutation::DuplicateSegment),
        1 => (0..3usize, 0..3usize).prop_map(|(a, b)| Mutation::SwapSegments(a, b)),
        1 => "[A-Za-z0-9_-]{0,8}".prop_map(Mutation::AppendSegment),
    ]
}

fn apply(token: &str, mutation: &Mutation) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let mut segments: Vec<&str> = token.split('.').collect();
    match *mutation {
        Mutation::Replace { at, with } => {
            let at = at % bytes.len();
            bytes[at] = with;
        }
        Mutation::Delete { at } => {
            bytes.remove(at % bytes.len());
        }
        Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), byte),
        Mutation::Truncate { to } => bytes.truncate(to % bytes.len()),
        Mutation::DropSegment(i) => {
            segments.remove(i);
            return segments.join(".");
        }
        Mutation::DuplicateSegment(i) => {
            segments.insert(i, segments[i]);
            return segments.join(".");
        }
        Mutation::SwapSegments(a, b) => {
            segments.swap(a, b);
            return segments.join(".");
        }
        Mutation::AppendSegment(ref extra) => return format!("{token}.{extra}"),
    }
    String::from_utf8(bytes).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_errors_are_typed(text in ".{0,300}") {
        parse_everything(&text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        parse_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_shaped_text_never_panics(
        text in "[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,90}"
    ) {
        parse_everything(&text);
    }

    #[test]
    fn a_mutated_valid_token_never_verifies(
        index in 0..7usize,
        mutation in mutation(),
    ) {
        let valid = &valid_tokens()[index % valid_tokens().len()];
        let mutant = apply(&valid.token, &mutation);
        prop_assume!(mutant != valid.token);
        parse_everything(&mutant);
        match verify_mutant(valid, &mutant) {
            Ok(()) => prop_assert!(false, "{mutation:?} of a valid token verified: {mutant}"),
            Err(e) => assert_typed(&e),
        }
    }
}

/// JSON segments built from the protocol's own member names with arbitrary values: reaches the
/// member-level checks far more often than random text does.
fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"EdDSA\"".to_owned()),
        Just("\"notary-signup+jwt\"".to_owned()),
        Just("\"notary-disable+jwt\"".to_owned()),
        Just("\"alice@example.com\"".to_owned()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        "[A-Za-z0-9_-]{0,44}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn json_object() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "alg",
        "typ",
        "kid",
        "jwk",
        "sub",
        "aud",
        "iat",
        "exp",
        "jti",
        "confirmation",
        "htm",
        "htu",
        "bsh",
        "crit",
        "jku",
    ]);
    prop::collection::vec((name, json_value()), 0..9).prop_map(|members| {
        let body: Vec<String> = members
            .into_iter()
            .map(|(n, v)| format!("\"{n}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn structured_json_never_panics(
        header in json_object(),
        claims in json_object(),
        signature in prop::collection::vec(any::<u8>(), 62..66),
    ) {
        let text = format!("{}.{}.{}", b64::encode(&header), b64::encode(&claims), b64::encode(&signature));
        if parse_everything(&text) {
            // Whatever the parser accepts has the protocol's header and a valid key reference.
            let parsed = ParsedToken::parse_any(&text).unwrap();
            prop_assert!(parsed.key_ref().is_ok());
        }
    }

    #[test]
    fn base64url_has_one_spelling_per_value(text in "[A-Za-z0-9_=+/-]{0,12}") {
        if let Some(bytes) = b64::decode(&text) {
            prop_assert_eq!(b64::encode(&bytes), text);
        }
    }

    #[test]
    fn base64url_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        prop_assert_eq!(b64::decode(&b64::encode(&bytes)), Some(bytes));
    }

    #[test]
    fn addresses_never_panic_and_canonical_forms_are_fixed_points(
        text in prop_oneof![
            "\\PC{0,40}@?\\PC{0,40}",
            " ?[A-Za-z0-9.+_'-]{1,20}@[A-Za-z0-9\u{e0}-\u{ff}.-]{1,30}\\.[a-zA-Z]{2,4} ?",
        ]
    ) {
        match Address::parse(&text) {
            Ok(address) => {
                prop_assert_eq!(Address::parse(address.as_str()).unwrap(), address.clone());
                prop_assert!(Address::from_canonical(address.as_str()).is_ok());
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::InvalidAddress),
        }
    }
}

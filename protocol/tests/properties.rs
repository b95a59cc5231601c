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
use protocol::keys::{KeyPair, PublicKey, Seed};
use protocol::token::{Expectations, KeyRef, ParsedToken, ProposalKind, RegisteredKind, TokenKind};
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

/// The code `parse` gives `text` as `kind`, or `None` when it parses.
fn parse_code(text: &str, kind: TokenKind) -> Option<&'static str> {
    ParsedToken::parse(text, kind).err().map(|e| e.code())
}

/// Parses `text` as every kind and as any kind; every failure must be typed, and the typed parsers
/// agree with `parse` on every input. Returns whether `dangerous::parse_any_kind` accepted it.
fn parse_everything(text: &str) -> bool {
    for kind in TokenKind::ALL {
        if let Err(e) = ParsedToken::parse(text, kind) {
            assert_typed(&e);
        }
    }
    for kind in [ProposalKind::Signup, ProposalKind::Change] {
        let typed = ParsedToken::parse_proposal(text, kind);
        assert_eq!(typed.err().map(|e| e.code()), parse_code(text, kind.into()));
    }
    for kind in [
        RegisteredKind::Confirm,
        RegisteredKind::Disable,
        RegisteredKind::Request,
        RegisteredKind::Assertion,
    ] {
        let typed = ParsedToken::parse_registered(text, kind);
        assert_eq!(typed.err().map(|e| e.code()), parse_code(text, kind.into()));
    }
    match protocol::token::dangerous::parse_any_kind(text) {
        Ok(parsed) => {
            // Whatever parses names its key properly and can be put through verification.
            if let KeyRef::Embedded(key) = parsed.key_ref() {
                let expect = Expectations {
                    audience: "http://127.0.0.1:8787",
                    now: 1_767_225_610,
                };
                if let Err(e) = parsed.verify(key, &expect) {
                    assert_typed(&e);
                }
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
    let key = match parsed.key_ref() {
        KeyRef::Embedded(key) => *key,
        KeyRef::Registered(_) => valid.key,
    };
    parsed
        .verify(
            &key,
            &Expectations {
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

/// A value for a claim: usually a plausible one (so that verification gets to the claim checks),
/// sometimes a wrong or hostile one.
fn claim_value(name: &'static str) -> BoxedStrategy<String> {
    fn quoted(s: &str) -> String {
        format!("\"{s}\"")
    }
    let plausible: BoxedStrategy<String> = match name {
        "sub" => prop_oneof![
            8 => Just(quoted("alice@example.com")),
            1 => Just(quoted("Alice@example.com")),
            1 => Just(quoted("alice@localhost")),
        ]
        .boxed(),
        "aud" => prop_oneof![
            8 => Just(quoted(AUDIENCE)),
            1 => Just(quoted("http://127.0.0.1:8787/")),
            1 => Just(quoted("")),
        ]
        .boxed(),
        "jti" => prop_oneof![8 => 16usize..=20, 1 => 0usize..=70]
            .prop_map(|n| quoted(&b64::encode(vec![7u8; n])))
            .boxed(),
        "confirmation" | "bsh" => prop_oneof![8 => Just(32usize), 1 => 30usize..34]
            .prop_map(|n| quoted(&b64::encode(vec![9u8; n])))
            .boxed(),
        "htm" => prop::sample::select(vec![quoted("GET"), quoted("POST")]).boxed(),
        _ => Just(quoted(&format!("{AUDIENCE}/account"))).boxed(),
    };
    let hostile = prop_oneof![
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("true".to_owned()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        "[A-Za-z0-9_-]{0,44}".prop_map(|s| quoted(&s)),
    ];
    prop_oneof![30 => plausible, 1 => hostile].boxed()
}

/// `iat` and `exp` around NOW: usually a valid lifetime and window, sometimes not, sometimes any two
/// integers at all (whose difference may not fit in 64 bits).
fn times() -> impl Strategy<Value = (String, String)> {
    let near = (
        prop_oneof![8 => -100i64..=70, 1 => -1000i64..=1000],
        prop_oneof![8 => 1i64..=300, 1 => -10i64..=0, 1 => 301i64..=400],
    )
        .prop_map(|(offset, lifetime)| (NOW + offset, NOW + offset + lifetime));
    prop_oneof![10 => near, 1 => (any::<i64>(), any::<i64>())]
        .prop_map(|(iat, exp)| (iat.to_string(), exp.to_string()))
}

/// A claims object for `kind`: each claim present with some probability (the required ones and the
/// kind's own usually, another kind's rarely), in random order, sometimes duplicated or joined by an
/// unknown member.
fn claims_json(kind: TokenKind) -> impl Strategy<Value = String> {
    let own = |yes: bool| if yes { 0.9 } else { 0.05 };
    let optional: [(&'static str, f64); 5] = [
        ("confirmation", own(kind == TokenKind::Confirm)),
        ("htm", own(kind == TokenKind::Request)),
        ("htu", own(kind == TokenKind::Request)),
        ("bsh", own(kind == TokenKind::Request)),
        ("nbf", 0.02),
    ];
    let mut members: Vec<BoxedStrategy<Vec<(String, String)>>> = ["sub", "aud", "jti"]
        .into_iter()
        .chain(optional.iter().map(|(name, _)| *name))
        .map(|name| {
            let p = optional
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(0.97, |(_, p)| *p);
            prop::option::weighted(p, claim_value(name))
                .prop_map(move |v| v.map(|v| (name.to_owned(), v)).into_iter().collect())
                .boxed()
        })
        .collect();
    members.push(
        (
            times(),
            prop::bool::weighted(0.97),
            prop::bool::weighted(0.97),
        )
            .prop_map(|((iat, exp), with_iat, with_exp)| {
                let mut both = Vec::new();
                if with_iat {
                    both.push(("iat".to_owned(), iat));
                }
                if with_exp {
                    both.push(("exp".to_owned(), exp));
                }
                both
            })
            .boxed(),
    );
    (
        members,
        any::<prop::sample::Index>(),
        prop::bool::weighted(0.03),
    )
        .prop_map(|(members, shift, duplicate)| {
            let mut members: Vec<(String, String)> = members.into_iter().flatten().collect();
            if !members.is_empty() {
                let k = shift.index(members.len());
                members.rotate_left(k);
                if duplicate {
                    members.push(members[0].clone());
                }
            }
            let body: Vec<String> = members
                .into_iter()
                .map(|(n, v)| format!("\"{n}\":{v}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
}

/// A header for `kind`: usually right, sometimes with the wrong key reference, another `alg` or an
/// extra member.
fn header_json(kind: TokenKind, jwk: String, kid: String) -> impl Strategy<Value = String> {
    (
        prop_oneof![18 => Just("EdDSA"), 1 => Just("none"), 1 => Just("HS256")],
        prop_oneof![18 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
        prop::option::weighted(
            0.03,
            prop::sample::select(vec!["crit", "jku", "x5c", "cty"]),
        ),
    )
        .prop_map(move |(alg, key_style, extra)| {
            let right = if kind.embeds_key() {
                format!(r#","jwk":{jwk}"#)
            } else {
                format!(r#","kid":"{kid}""#)
            };
            let wrong = if kind.embeds_key() {
                format!(r#","kid":"{kid}""#)
            } else {
                format!(r#","jwk":{jwk}"#)
            };
            let key = match key_style {
                0 => right,
                1 => wrong,
                _ => format!(r#","jwk":{jwk},"kid":"{kid}""#),
            };
            let extra = extra.map_or(String::new(), |m| format!(r#","{m}":"x""#));
            format!(r#"{{"alg":"{alg}","typ":"{}"{key}{extra}}}"#, kind.typ())
        })
}

/// Header and claims of one kind.
fn token_parts() -> impl Strategy<Value = (String, String)> {
    prop::sample::select(TokenKind::ALL.to_vec()).prop_flat_map(|kind| {
        let public = alice().public_key();
        (
            header_json(
                kind,
                serde_json::to_string(&public.to_jwk()).unwrap(),
                public.key_id().as_str().to_owned(),
            ),
            claims_json(kind),
        )
    })
}

const AUDIENCE: &str = "http://127.0.0.1:8787";
const NOW: i64 = 1_767_225_610;

fn alice() -> &'static KeyPair {
    static ALICE: OnceLock<KeyPair> = OnceLock::new();
    ALICE.get_or_init(|| KeyPair::from_seed(&Seed::from_bytes([42; 32])))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Genuinely signed tokens of arbitrary structure: whatever verifies obeys every documented rule.
    #[test]
    fn whatever_verifies_obeys_the_rules(
        (header, claims) in token_parts(),
    ) {
        let input = format!("{}.{}", b64::encode(&header), b64::encode(&claims));
        let text = format!("{input}.{}", b64::encode(alice().sign(input.as_bytes())));
        parse_everything(&text);
        let Ok(parsed) = protocol::token::dangerous::parse_any_kind(&text) else { return Ok(()) };
        let expect = Expectations { audience: AUDIENCE, now: NOW };
        match parsed.verify(alice().public_key(), &expect) {
            Err(e) => assert_typed(&e),
            Ok(verified) => {
                let c = &verified.claims;
                prop_assert!(c.iat < c.exp && c.exp - c.iat <= 300);
                prop_assert!(c.iat <= NOW + 60 && NOW < c.exp + 60);
                prop_assert_eq!(c.aud.as_str(), AUDIENCE);
                prop_assert!(Address::from_canonical(&c.sub).is_ok_and(|a| a.as_str() == c.sub));
                prop_assert!(b64::decode(&c.jti).is_some_and(|j| (16..=64).contains(&j.len())));
                prop_assert_eq!(c.confirmation.is_some(), verified.kind == TokenKind::Confirm);
                prop_assert_eq!(c.htm.is_some(), verified.kind == TokenKind::Request);
                prop_assert_eq!(verified.key_id, alice().public_key().key_id());
                // The same token under another key never verifies.
                let other = KeyPair::from_seed(&Seed::from_bytes([43; 32]));
                prop_assert!(parsed.verify(other.public_key(), &expect).is_err());
            }
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

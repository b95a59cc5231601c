//! The crate reproduces every value of the committed shared vectors (tests/vectors/*.json), so that a
//! change of behaviour, of serialisation or of the files themselves fails here before the JS and WASM
//! sides drift apart. Schema: tests/vectors/README.md.

// Test code: clippy.toml allows these inside #[test] functions; the helpers here are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/reference.rs"]
mod reference;
#[path = "support/vector_schema.rs"]
mod vector_schema;

use protocol::address::Address;
use protocol::b64;
use protocol::confirmation::{self, ConfirmationToken, Purpose};
use protocol::kdf::{derive_seed, Password};
use protocol::keys::{KeyPair, PublicKey, Seed};
use protocol::mac::hmac_sha256;
use protocol::salt::Salt;
use protocol::token::{self, Expectations, HttpRequest, KeyRef, ParsedToken, TokenKind};
use protocol::ErrorKind;
use std::collections::BTreeSet;
use vector_schema::*;

const ADDRESSES: &str = include_str!("../../tests/vectors/addresses.json");
const KEYS: &str = include_str!("../../tests/vectors/keys.json");
const TOKENS: &str = include_str!("../../tests/vectors/tokens.json");
const CONFIRMATION: &str = include_str!("../../tests/vectors/confirmation.json");
const KDF_V2: &str = include_str!("../../tests/vectors/kdf_v2.json");

fn addresses() -> AddressVectors {
    serde_json::from_str(ADDRESSES).expect("addresses.json matches the schema")
}
fn keys() -> KeyVectors {
    serde_json::from_str(KEYS).expect("keys.json matches the schema")
}
fn tokens() -> TokenVectors {
    serde_json::from_str(TOKENS).expect("tokens.json matches the schema")
}
fn kdf_v2() -> KdfV2Vectors {
    serde_json::from_str(KDF_V2).expect("kdf_v2.json matches the schema")
}
fn confirmation() -> ConfirmationVectors {
    serde_json::from_str(CONFIRMATION).expect("confirmation.json matches the schema")
}

fn known_codes() -> BTreeSet<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.code()).collect()
}

fn kind(name: &str) -> TokenKind {
    TokenKind::ALL
        .into_iter()
        .find(|k| k.typ() == format!("notary-{name}+jwt"))
        .unwrap_or_else(|| panic!("unknown kind {name}"))
}

fn seed(hex_text: &str) -> Seed {
    Seed::from_bytes(hex::decode(hex_text).unwrap().try_into().unwrap())
}

#[test]
fn addresses_canonicalise_and_salt_as_recorded() {
    let v = addresses();
    let secret = v.salt_secret.as_bytes();
    assert!(v.cases.len() >= 20);
    for case in &v.cases {
        let got = Address::parse(&case.input);
        match (&case.canonical, &case.error) {
            (Some(canonical), None) => {
                let address = got.unwrap_or_else(|e| panic!("{:?}: {e}", case.input));
                assert_eq!(address.as_str(), canonical, "{:?}", case.input);
                assert_eq!(
                    Some(Salt::for_address(secret, &address).to_base64url()),
                    case.salt,
                    "{:?}",
                    case.input
                );
                // The canonical form is a fixed point, and the client-side check accepts it.
                assert_eq!(Address::parse(canonical).unwrap(), address);
                assert_eq!(Address::from_canonical(canonical).unwrap(), address);
            }
            (None, Some(code)) => {
                assert_eq!(
                    got.map_err(|e| e.code()).err(),
                    Some(code.as_str()),
                    "{:?}",
                    case.input
                );
                assert!(case.salt.is_none());
            }
            _ => panic!("{:?}: exactly one of canonical and error", case.input),
        }
    }
    // docs/protocol.md section 3 names these IDNA inputs: symbols and emoji, a character of the
    // pinned Unicode version, sharp s, full-width letters, the soft hyphen.
    for input in [
        "a@\u{2603}.example",
        "a@\u{1F600}.example",
        "a@\u{3D000}.example",
        "a@stra\u{DF}e.example",
        "stra\u{DF}e@example.com",
        "alice@\u{FF45}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}.\u{FF43}\u{FF4F}\u{FF4D}",
        "alice@exam\u{AD}ple.com",
        "ali\u{AD}ce@example.com",
    ] {
        assert!(
            v.cases.iter().any(|c| c.input == input),
            "missing address case {input:?}"
        );
    }
}

#[test]
fn passwords_normalise_as_recorded() {
    for case in keys().passwords {
        let got = Password::new(&case.input);
        match (&case.nfkc, &case.error) {
            (Some(nfkc), None) => {
                let password = got.unwrap_or_else(|e| panic!("{:?}: {e}", case.comment));
                assert_eq!(password.as_bytes(), nfkc.as_bytes(), "{}", case.comment);
                assert_eq!(nfkc.chars().count(), case.nfkc_chars, "{}", case.comment);
                // A client that normalises in JavaScript hands the crate the normalised text.
                assert!(Password::from_normalized(nfkc.clone()).is_ok());
            }
            (None, Some(code)) => {
                assert_eq!(
                    got.map(|_| ()).map_err(|e| e.code()),
                    Err(code.as_str()),
                    "{}",
                    case.comment
                );
            }
            _ => panic!("{}: exactly one of nfkc and error", case.comment),
        }
    }
}

#[test]
fn kdf_parameter_floor_as_recorded() {
    let cases = keys().kdf_params;
    assert!(cases.iter().any(|c| c.error.is_none()));
    assert!(cases.iter().any(|c| c.error.is_some()));
    for case in cases {
        assert_eq!(
            case.kdf.check().err().map(|e| e.code().to_owned()),
            case.error,
            "{}",
            case.comment
        );
    }
}

#[test]
fn version_2_derivations_reproduce_every_step() {
    use protocol::kdf::{v2, KdfMemory};
    use protocol::oprf::{Blind, BlindedElement, EvaluatedElement};
    use protocol::salt::address_oprf_key;
    let v = kdf_v2();
    assert_eq!(v.salt_secret, addresses().salt_secret);
    assert!(v
        .derivations
        .iter()
        .any(|d| d.kdf == protocol::kdf::KdfParams::CURRENT));
    let oprf_seed = hex::decode(&v.oprf_seed_hex).unwrap();
    for d in &v.derivations {
        let name = &d.name;
        let address = Address::from_canonical(&d.address).unwrap();
        let password = Password::new(&d.password).unwrap();
        assert_eq!(
            hex::encode(v2::oprf_input(&address, &password).unwrap().as_slice()),
            d.oprf_input_hex,
            "{name}: input"
        );
        assert_eq!(
            d.key_info_hex,
            hex::encode(format!("Notary-v2-OPRF-key{}", d.address)),
            "{name}: info"
        );
        let key = address_oprf_key(&oprf_seed, &address).unwrap();
        assert_eq!(
            hex::encode(key.to_bytes().as_slice()),
            d.server_key_hex,
            "{name}: skS"
        );
        let random: [u8; 64] = hex::decode(&d.blind_random_hex)
            .unwrap()
            .try_into()
            .unwrap();
        let blind_scalar: [u8; 32] = hex::decode(&d.blind_hex).unwrap().try_into().unwrap();
        assert_eq!(
            curve25519_dalek::scalar::Scalar::from_bytes_mod_order_wide(&random).to_bytes(),
            blind_scalar,
            "{name}: blind"
        );
        // The same blinding whether the blind is given as the random bytes or as the scalar.
        for blind in [
            Blind::from_random(random).unwrap(),
            Blind::from_scalar_bytes(blind_scalar).unwrap(),
        ] {
            let blinding = v2::PasswordBlinding::with_blind(&address, &password, blind).unwrap();
            assert_eq!(
                blinding.blinded().to_base64url(),
                d.blinded,
                "{name}: blinded"
            );
            let received = BlindedElement::from_base64url(&d.blinded).unwrap();
            assert_eq!(
                key.evaluate(&received).to_base64url(),
                d.evaluated,
                "{name}: evaluated"
            );
            let evaluated = EvaluatedElement::from_base64url(&d.evaluated).unwrap();
            let output = blinding.finalize(&evaluated).unwrap();
            assert_eq!(
                hex::encode(output.as_slice()),
                d.oprf_output_hex,
                "{name}: output"
            );
            let salt = Salt::for_address(v.salt_secret.as_bytes(), &address);
            assert_eq!(salt.to_base64url(), d.salt, "{name}: salt");
            let seed = v2::derive_seed(&output, &salt, &d.kdf, &mut KdfMemory::new()).unwrap();
            assert_eq!(hex::encode(seed.as_bytes()), d.seed_hex, "{name}: seed");
            let public = *KeyPair::from_seed(&seed).public_key();
            assert_eq!(
                hex::encode(public.to_bytes()),
                d.public_key_hex,
                "{name}: public key"
            );
            assert_eq!(public.to_jwk(), d.jwk, "{name}: jwk");
            assert_eq!(public.key_id().as_str(), d.kid, "{name}: kid");
        }
        // Step 3 with RustCrypto's Argon2id, step 4 with HKDF spelt out from HMAC (RFC 5869).
        let stretched = reference::rustcrypto_argon2id(
            &hex::decode(&d.oprf_output_hex).unwrap(),
            Salt::from_base64url(&d.salt).unwrap().as_bytes(),
            &d.kdf,
        )
        .unwrap();
        assert_eq!(hex::encode(stretched), d.argon2id_hex, "{name}: Argon2id");
        let prk = hmac_sha256(&[0u8; 32], &[&stretched]);
        let okm = hmac_sha256(&prk, &[b"Notary-v2-Ed25519-seed", &[1]]);
        assert_eq!(hex::encode(okm), d.seed_hex, "{name}: HKDF");
    }
}

#[test]
fn blinded_elements_are_accepted_or_refused_as_recorded() {
    let v = kdf_v2();
    assert!(v.blinded_elements.iter().any(|c| c.error.is_none()));
    for case in &v.blinded_elements {
        let result = protocol::oprf::BlindedElement::from_base64url(&case.blinded);
        assert_eq!(
            result.err().map(|e| e.code()),
            case.error.as_deref(),
            "{}",
            case.comment
        );
    }
}

#[test]
fn derivations_reproduce_seed_public_key_jwk_and_kid() {
    let secret = addresses().salt_secret;
    let v = keys();
    assert!(
        v.derivations
            .iter()
            .any(|d| d.kdf == protocol::kdf::KdfParams::CURRENT),
        "at least one derivation uses the real parameters"
    );
    for d in &v.derivations {
        let address = Address::from_canonical(&d.address).unwrap();
        let salt = Salt::for_address(secret.as_bytes(), &address);
        assert_eq!(salt.to_base64url(), d.salt, "{}", d.name);
        assert_eq!(Salt::from_base64url(&d.salt).unwrap(), salt);
        let password = Password::new(&d.password).unwrap();
        assert_eq!(
            hex::encode(password.as_bytes()),
            d.password_nfkc_hex,
            "{}",
            d.name
        );
        let derived = derive_seed(&password, &salt, &d.kdf).unwrap();
        assert_eq!(hex::encode(derived.as_bytes()), d.seed_hex, "{}", d.name);
        let pair = KeyPair::from_seed(&derived);
        let public = pair.public_key();
        assert_eq!(
            hex::encode(public.to_bytes()),
            d.public_key_hex,
            "{}",
            d.name
        );
        assert_eq!(public.to_jwk(), d.jwk, "{}", d.name);
        assert_eq!(public.key_id().as_str(), d.kid, "{}", d.name);
        assert_eq!(PublicKey::from_jwk(&d.jwk).unwrap(), *public);
    }
}

#[test]
fn token_keys_are_the_derived_keys() {
    let derivations = keys().derivations;
    for key in tokens().keys {
        let d = derivations
            .iter()
            .find(|d| d.name == key.derivation)
            .unwrap_or_else(|| panic!("{}: no derivation", key.name));
        assert_eq!(key.seed_hex, d.seed_hex);
        let pair = KeyPair::from_seed(&seed(&key.seed_hex));
        assert_eq!(pair.public_key().to_jwk(), key.jwk, "{}", key.name);
        assert_eq!(pair.public_key().key_id().as_str(), key.kid, "{}", key.name);
        assert_eq!((&key.jwk, &key.kid), (&d.jwk, &d.kid));
    }
}

fn key_pair(v: &TokenVectors, name: &str) -> KeyPair {
    let key = v.keys.iter().find(|k| k.name == name).unwrap();
    KeyPair::from_seed(&seed(&key.seed_hex))
}

#[test]
fn every_kind_has_a_token_that_signing_reproduces_and_verification_accepts() {
    let v = tokens();
    let kinds: BTreeSet<&str> = v.tokens.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(kinds.len(), TokenKind::ALL.len(), "one token of each kind");
    for t in &v.tokens {
        let kind = kind(&t.kind);
        let pair = key_pair(&v, &t.key);
        // Signing the recorded claims gives the recorded token (Ed25519 is deterministic).
        assert_eq!(
            token::sign(kind, &t.claims, &pair).unwrap(),
            t.token,
            "{}",
            t.name
        );
        // Every intermediate value.
        let segments: Vec<&str> = t.token.split('.').collect();
        assert_eq!(segments.len(), 3);
        assert_eq!(b64::encode(&t.header_json), segments[0], "{}", t.name);
        assert_eq!(b64::encode(&t.claims_json), segments[1], "{}", t.name);
        assert_eq!(t.signing_input, format!("{}.{}", segments[0], segments[1]));
        assert_eq!(t.signature, segments[2]);
        assert_eq!(serde_json::to_string(&t.header).unwrap(), t.header_json);
        assert_eq!(serde_json::to_string(&t.claims).unwrap(), t.claims_json);
        let signature: [u8; 64] = b64::decode_array(&t.signature).unwrap();
        assert_eq!(pair.sign(t.signing_input.as_bytes()), signature);
        assert!(pair
            .public_key()
            .verify(t.signing_input.as_bytes(), &signature)
            .is_ok());
        // The header names the key the way the kind requires.
        assert_eq!(t.header.typ, kind.typ());
        assert_eq!(t.header.alg, "EdDSA");
        if kind.embeds_key() {
            assert_eq!(t.header.jwk.as_ref(), Some(&pair.public_key().to_jwk()));
            assert!(t.header.kid.is_none());
        } else {
            assert_eq!(
                t.header.kid.as_deref(),
                Some(pair.public_key().key_id().as_str())
            );
            assert!(t.header.jwk.is_none());
        }
        // And it verifies.
        let audience = if kind == TokenKind::Assertion {
            &v.third_party_audience
        } else {
            &v.audience
        };
        assert_eq!(&t.claims.aud, audience);
        let parsed = ParsedToken::parse(&t.token, kind).unwrap();
        let verified = parsed
            .verify(
                pair.public_key(),
                &Expectations {
                    audience,
                    now: t.now,
                },
            )
            .unwrap();
        assert_eq!(verified.subject.as_str(), t.claims.sub);
        assert_eq!(verified.key_id, pair.public_key().key_id());
        assert_eq!(verified.claims, t.claims);
        assert_eq!(
            t.request.is_some(),
            matches!(kind, TokenKind::Request | TokenKind::SessionRequest)
        );
        if kind == TokenKind::Session {
            // The certified key is another key of the vectors (the one the session request uses).
            let certified = verified.session_key.unwrap();
            assert_ne!(&certified, pair.public_key());
            assert!(v.keys.iter().any(|k| k.kid == certified.key_id().as_str()));
        }
        if let Some(request) = &t.request {
            verified
                .check_request(&HttpRequest {
                    method: &request.method,
                    url: &request.url,
                    body: request.body.as_bytes(),
                })
                .unwrap();
            assert_eq!(
                t.claims.bsh.as_deref(),
                Some(token::body_hash(request.body.as_bytes()).as_str())
            );
        }
    }
}

/// Runs a case the way tests/vectors/README.md describes and returns `(error, stage)`.
fn run_case(v: &TokenVectors, case: &TokenCase) -> (Option<String>, Option<String>) {
    let fail = |e: protocol::Error, stage: &str| (Some(e.code().to_owned()), Some(stage.into()));
    let expected = kind(&case.expected_kind);
    let parsed = match ParsedToken::parse(&case.token, expected) {
        Ok(p) => p,
        Err(e) => return fail(e, "parse"),
    };
    let key = match parsed.key_ref() {
        KeyRef::Embedded(key) => {
            assert!(
                case.key.is_none(),
                "{}: embedded key and a named key",
                case.name
            );
            *key
        }
        KeyRef::Registered(_) => *key_pair(v, case.key.as_deref().unwrap()).public_key(),
    };
    let expect = Expectations {
        audience: &case.audience,
        now: case.now,
    };
    let verified = match parsed.verify(&key, &expect) {
        Ok(verified) => verified,
        Err(e) => return fail(e, "verify"),
    };
    if let Some(request) = &case.request {
        let request = HttpRequest {
            method: &request.method,
            url: &request.url,
            body: request.body.as_bytes(),
        };
        if let Err(e) = verified.check_request(&request) {
            return fail(e, "request");
        }
    }
    (None, None)
}

#[test]
fn every_case_reaches_its_recorded_result() {
    let v = tokens();
    let known = known_codes();
    let mut names = BTreeSet::new();
    for case in &v.cases {
        assert!(
            names.insert(case.name.as_str()),
            "duplicate case {}",
            case.name
        );
        if let Some(code) = &case.error {
            assert!(
                known.contains(code.as_str()),
                "{}: unknown code {code}",
                case.name
            );
        }
        assert_eq!(
            run_case(&v, case),
            (case.error.clone(), case.stage.clone()),
            "case {}: {}",
            case.name,
            case.comment
        );
    }
    // The negative cases cover every way a token can fail without server state.
    let reached: BTreeSet<&str> = v.cases.iter().filter_map(|c| c.error.as_deref()).collect();
    for code in [
        "invalid_token",
        "unsupported_algorithm",
        "wrong_token_type",
        "invalid_signature",
        "invalid_key",
        "weak_key",
        "expired",
        "not_yet_valid",
        "lifetime_too_long",
        "wrong_audience",
        "request_mismatch",
    ] {
        assert!(reached.contains(code), "no case for {code}");
    }
    for name in [
        "alg-none",
        "header-padding",
        "signature-trailing-bits",
        "duplicate-header-member",
        "duplicate-claim",
        "header-jku",
        "header-crit",
        "too-large",
        "lifetime-301",
        "wrong-audience-trailing-slash",
        "jwk-identity-point",
        "jwk-mixed-order",
        // docs/protocol.md 7.2 and 7.7: absent or non-string alg/typ are malformed headers.
        "alg-missing",
        "alg-not-string",
        "typ-missing",
        "typ-not-string",
        // Section 6: a jwk that is not an object of exactly three strings is a malformed header;
        // one whose values are wrong is an invalid or weak key.
        "jwk-not-object",
        "jwk-with-kid",
        "jwk-x-not-string",
        "jwk-kty-ec",
        "jwk-x-trailing-bits",
        "jwk-identity-sign-bit",
        // Section 7.3: iat and exp are integers of the signed 64-bit range, without exponent.
        "iat-exponent",
        "iat-negative-zero",
        "exp-beyond-i64",
        "iat-below-i64",
    ] {
        assert!(names.contains(name), "missing case {name}");
    }
}

#[test]
fn negative_cases_carry_genuine_signatures() {
    // A case whose three segments are well-formed base64url carries a genuine signature of its own
    // header and claims by one of the keys, so that the named defect, and not a broken signature, is
    // what the verifier must catch. The exceptions are the ones whose defect is the signature.
    let v = tokens();
    let signers = [
        key_pair(&v, "alice"),
        key_pair(&v, "alice-new"),
        key_pair(&v, "bob"),
    ];
    let unsigned = [
        "alg-none",
        "jwk-identity-point",
        "signature-altered",
        "claims-swapped",
    ];
    let mut checked = 0;
    for case in &v.cases {
        let segments: Vec<&str> = case.token.split('.').collect();
        let [header, claims, signature] = segments[..] else {
            continue;
        };
        let (Some(_), Some(_), Some(signature)) = (
            b64::decode(header).filter(|h| !h.is_empty()),
            b64::decode(claims).filter(|c| !c.is_empty()),
            b64::decode_array::<64>(signature),
        ) else {
            continue;
        };
        let input = format!("{header}.{claims}");
        let signed = signers
            .iter()
            .any(|k| k.public_key().verify(input.as_bytes(), &signature).is_ok());
        assert_eq!(
            signed,
            !unsigned.contains(&case.name.as_str()),
            "{}: genuine signature",
            case.name
        );
        checked += 1;
    }
    assert!(checked > 40, "{checked}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = &text[i + 1..i + 3];
            assert_eq!(hex, hex.to_ascii_uppercase(), "upper-case percent escapes");
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            // Only RFC 3986 unreserved characters stay unescaped.
            assert!(
                bytes[i].is_ascii_alphanumeric() || b"-._~".contains(&bytes[i]),
                "{:?} must be escaped",
                bytes[i] as char
            );
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn confirmation_tokens_links_and_delivery_as_recorded() {
    let v = confirmation();
    for case in &v.tokens {
        let random: [u8; 32] = hex::decode(&case.random_hex).unwrap().try_into().unwrap();
        let made = ConfirmationToken::from_random(&random);
        assert_eq!(made.as_str(), case.token);
        assert_eq!(ConfirmationToken::parse(&case.token).unwrap(), made);
        assert_eq!(made.storage_hash(), case.storage_hash);
    }
    // The first one is the one the confirm-signup token carries.
    let confirm = tokens()
        .tokens
        .into_iter()
        .find(|t| t.name == "confirm-signup")
        .unwrap();
    assert_eq!(
        confirm.claims.confirmation.as_deref(),
        Some(v.tokens[0].token.as_str())
    );

    for link in &v.links {
        Address::from_canonical(&link.address).unwrap();
        let purpose: Purpose = serde_json::from_value(serde_json::json!(link.purpose)).unwrap();
        assert_eq!(
            confirmation::link(
                &link.public_uri,
                &link.address,
                purpose,
                link.token.as_deref()
            ),
            link.link,
            "the crate makes the recorded link"
        );
        match &link.token {
            Some(token) => {
                let prefix = format!("{}/confirm.html#", link.public_uri);
                let fragment = link.link.strip_prefix(&prefix).unwrap();
                let fields: Vec<(&str, String)> = fragment
                    .split('&')
                    .map(|pair| {
                        let (k, v) = pair.split_once('=').unwrap();
                        (k, percent_decode(v))
                    })
                    .collect();
                assert_eq!(
                    fields,
                    vec![
                        ("token", token.clone()),
                        ("address", link.address.clone()),
                        ("purpose", link.purpose.clone()),
                    ]
                );
                assert!(["signup", "change"].contains(&link.purpose.as_str()));
            }
            None => {
                assert_eq!(link.purpose, "already_registered");
                assert_eq!(link.link, format!("{}/", link.public_uri));
            }
        }
    }

    let d = &v.delivery;
    // The worker's form (edge-worker/src/time.rs random_id): 16 bytes in canonical base64url.
    assert_eq!(d.idempotency_key.len(), 22, "{}", d.idempotency_key);
    assert_eq!(
        protocol::b64::decode(&d.idempotency_key).map(|bytes| bytes.len()),
        Some(16)
    );
    assert_eq!(
        confirmation::delivery_signature(
            d.confirmation_secret.as_bytes(),
            d.timestamp,
            d.body.as_bytes()
        ),
        d.signature_header,
        "the crate makes the recorded Notary-Signature"
    );
    let (t, mac) = d
        .signature_header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap();
    assert_eq!(t, d.timestamp.to_string());
    use hmac::{Hmac, Mac};
    let mut expected =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(d.confirmation_secret.as_bytes()).unwrap();
    expected.update(format!("{}.{}", d.timestamp, d.body).as_bytes());
    expected
        .verify_slice(&hex::decode(mac).unwrap())
        .expect("the recorded Notary-Signature verifies");
    let body: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(body["address"], "alice@example.com");
    assert_eq!(body["purpose"], "signup");
    assert_eq!(body["token"], v.tokens[0].token.as_str());
    assert_eq!(body["link"], v.links[0].link.as_str());
}

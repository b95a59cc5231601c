//! Writes the shared test vectors in `tests/vectors/*.json` (schema: tests/vectors/README.md).
//!
//!     cargo run -p notary-protocol --example make_vectors
//!
//! Every input is fixed (secrets, passwords, times, `jti` and confirmation bytes), and Ed25519 and
//! Argon2id are deterministic, so running it again writes the same bytes. The files are committed;
//! `tests/vectors.rs` (and the JS and WASM suites) check that the implementations reproduce them, so
//! this generator only runs again when the protocol deliberately changes.

#[path = "../tests/support/vector_schema.rs"]
#[allow(dead_code)]
mod vector_schema;

use protocol::address::Address;
use protocol::b64;
use protocol::confirmation::{self, ConfirmationToken, Purpose};
use protocol::kdf::{derive_seed, KdfParams, Password};
use protocol::keys::{KeyPair, PublicKey};
use protocol::salt::Salt;
use protocol::token::{self, Claims, Expectations, HttpRequest, KeyRef, ParsedToken, TokenKind};
use protocol::Error as ProtocolError;
use sha2::{Digest, Sha256};
use std::error::Error;
use std::path::PathBuf;
use vector_schema::*;

type Res<T> = Result<T, Box<dyn Error>>;

/// `SALT_SECRET` of the vectors (never used anywhere else).
const SALT_SECRET: &str = "notary-test-vectors-salt-secret";
/// `PUBLIC_URI` of local development, the `aud` of user tokens.
const AUDIENCE: &str = "http://127.0.0.1:8787";
const THIRD_PARTY: &str = "https://relying-party.example";
/// 2026-01-01T00:00:00Z.
const IAT: i64 = 1_767_225_600;
const LIFETIME: i64 = 120;
const NOW: i64 = IAT + 10;
const CONFIRMATION_SECRET: &str = "notary-test-vectors-confirmation-secret";

fn main() -> Res<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir)?;
    let addresses = addresses()?;
    let (keys, pairs) = keys()?;
    let tokens = tokens(&keys, &pairs)?;
    let confirmation = confirmation()?;
    write(&dir, "addresses.json", &addresses)?;
    write(&dir, "keys.json", &keys)?;
    write(&dir, "tokens.json", &tokens)?;
    write(&dir, "confirmation.json", &confirmation)?;
    Ok(())
}

fn write<T: serde::Serialize>(dir: &std::path::Path, name: &str, value: &T) -> Res<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(dir.join(name), text)?;
    println!("wrote tests/vectors/{name}");
    Ok(())
}

/// 16 or 32 fixed bytes that look random: SHA-256 of a label.
fn fixed_bytes<const N: usize>(label: &str) -> Res<[u8; N]> {
    let digest = Sha256::digest(label.as_bytes());
    Ok(digest.get(..N).ok_or("N > 32")?.try_into()?)
}

// ---------------------------------------------------------------------------------------------
// addresses.json

fn addresses() -> Res<AddressVectors> {
    let long_domain = format!(
        "{}.{}.{}.com",
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(57)
    );
    let inputs: Vec<(&str, String)> = vec![
        ("already canonical", "alice@example.com".into()),
        (
            "case and surrounding white space",
            "  Alice.Smith@Example.COM \n".into(),
        ),
        (
            "internationalised domain: IDNA ASCII form (UTS #46)",
            "bob@Bücher.example".into(),
        ),
        (
            "upper-case A-label is lowercased",
            "bob@XN--BCHER-KVA.example".into(),
        ),
        ("atext punctuation kept", "O'Hara+Tag@Example.org".into()),
        (
            "every atext symbol",
            "!#$%&'*+/=?^_`{|}~-@example.com".into(),
        ),
        (
            "local part of 64 bytes, 254 bytes in all: the longest accepted",
            format!("{}@{long_domain}", "a".repeat(64)),
        ),
        (
            "255 bytes",
            format!(
                "{}@{}",
                "a".repeat(64),
                long_domain.replacen(".com", "d.com", 1)
            ),
        ),
        (
            "local part of 65 bytes",
            format!("{}@example.com", "a".repeat(65)),
        ),
        ("empty", String::new()),
        ("no @", "alice".into()),
        ("empty local part", "@example.com".into()),
        ("empty domain", "alice@".into()),
        ("two @", "a@b@example.com".into()),
        ("control character (NUL)", "ali\u{0}ce@example.com".into()),
        (
            "control character (TAB) inside",
            "alice@exa\tmple.com".into(),
        ),
        ("space inside", "ali ce@example.com".into()),
        ("non-ASCII local part", "jörg@example.com".into()),
        ("quoted local part", "\"quoted\"@example.com".into()),
        ("consecutive dots", "a..b@example.com".into()),
        ("leading dot", ".a@example.com".into()),
        ("trailing dot in local part", "a.@example.com".into()),
        ("single-label domain", "alice@localhost".into()),
        (
            "domain label starting with a hyphen",
            "alice@-example.com".into(),
        ),
        ("underscore in domain", "alice@exa_mple.com".into()),
        ("empty domain label", "alice@example..com".into()),
        ("trailing dot in domain", "alice@example.com.".into()),
        ("IP literal", "alice@[127.0.0.1]".into()),
    ];
    let secret = SALT_SECRET.as_bytes();
    let cases = inputs
        .into_iter()
        .map(|(comment, input)| match Address::parse(&input) {
            Ok(address) => AddressCase {
                comment: comment.into(),
                canonical: Some(address.as_str().into()),
                salt: Some(Salt::for_address(secret, &address).to_base64url()),
                error: None,
                input,
            },
            Err(error) => AddressCase {
                comment: comment.into(),
                canonical: None,
                salt: None,
                error: Some(error.code().into()),
                input,
            },
        })
        .collect();
    Ok(AddressVectors {
        description: "Address canonicalisation and salts: Address::parse(input) gives `canonical` \
            or the error code `error`; salt = base64url(first 16 bytes of HMAC-SHA256(UTF-8 salt_secret, \
            UTF-8 canonical)). Generated by protocol/examples/make_vectors.rs."
            .into(),
        salt_secret: SALT_SECRET.into(),
        cases,
    })
}

// ---------------------------------------------------------------------------------------------
// keys.json

const FLOOR: KdfParams = KdfParams {
    memory_kib: 19_456,
    iterations: 2,
    ..KdfParams::CURRENT
};

fn keys() -> Res<(KeyVectors, Vec<(String, KeyPair)>)> {
    let two_lanes = KdfParams {
        parallelism: 2,
        ..FLOOR
    };
    let inputs = [
        (
            "alice",
            "the current parameters (KdfParams::CURRENT): what a real client derives",
            "alice@example.com",
            "correct horse battery staple",
            KdfParams::CURRENT,
        ),
        (
            "alice-new",
            "the key alice changes to (cheaper floor parameters, to keep test suites fast)",
            "alice@example.com",
            "a brand new passphrase",
            FLOOR,
        ),
        (
            "bob",
            "NFKC at work: full-width letters, circled digit, ligature and ANGSTROM SIGN are normalised",
            "bob@xn--bcher-kva.example",
            "Ｐａｓｓｗｏｒｄ①\u{FB01} \u{212B}",
            FLOOR,
        ),
        (
            "carol",
            "two lanes (p = 2); decomposed input composed by NFKC",
            "carol@example.org",
            "u\u{0308}nicode pa\u{0308}ssword",
            two_lanes,
        ),
    ];
    let mut derivations = Vec::new();
    let mut pairs = Vec::new();
    for (name, comment, address, password_text, params) in inputs {
        let address = Address::from_canonical(address)?;
        let salt = Salt::for_address(SALT_SECRET.as_bytes(), &address);
        let password = Password::new(password_text)?;
        let seed = derive_seed(&password, &salt, &params)?;
        let pair = KeyPair::from_seed(&seed);
        let public = pair.public_key();
        derivations.push(KeyDerivation {
            name: name.into(),
            comment: comment.into(),
            address: address.as_str().into(),
            password: password_text.into(),
            password_nfkc_hex: hex::encode(password.as_bytes()),
            salt: salt.to_base64url(),
            kdf: params,
            seed_hex: hex::encode(seed.as_bytes()),
            public_key_hex: hex::encode(public.to_bytes()),
            jwk: public.to_jwk(),
            kid: public.key_id().as_str().into(),
        });
        pairs.push((name.to_owned(), pair));
    }

    let passwords = [
        (
            "eight ASCII characters: the shortest accepted",
            "12345678".to_owned(),
        ),
        ("seven characters", "1234567".to_owned()),
        (
            "four ligatures (U+FB01) are 4 characters typed but 8 after NFKC: accepted",
            "\u{FB01}".repeat(4),
        ),
        (
            "eight code points typed (e + COMBINING ACUTE) but 4 after NFKC: refused",
            "e\u{0301}".repeat(4),
        ),
        (
            "1024 two-byte characters: the longest accepted",
            "é".repeat(1024),
        ),
        ("1025 characters", "é".repeat(1025)),
        (
            "spaces are characters like any other",
            "        ".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(comment, input)| {
        use unicode_normalization::UnicodeNormalization as _;
        let nfkc: String = input.nfkc().collect();
        let nfkc_chars = nfkc.chars().count();
        match Password::new(&input) {
            Ok(_) => PasswordCase {
                comment: comment.into(),
                input,
                nfkc: Some(nfkc),
                nfkc_chars,
                error: None,
            },
            Err(e) => PasswordCase {
                comment: comment.into(),
                input,
                nfkc: None,
                nfkc_chars,
                error: Some(e.code().into()),
            },
        }
    })
    .collect();

    let kdf_params = [
        ("the current parameters", KdfParams::CURRENT),
        ("the floor: m = 19456 KiB, t = 2", FLOOR),
        (
            "memory below the floor",
            KdfParams {
                memory_kib: 19_455,
                ..FLOOR
            },
        ),
        (
            "one pass",
            KdfParams {
                iterations: 1,
                ..KdfParams::CURRENT
            },
        ),
        (
            "no lane",
            KdfParams {
                parallelism: 0,
                ..KdfParams::CURRENT
            },
        ),
        (
            "Argon2 version 1.0 (16)",
            KdfParams {
                version: 16,
                ..KdfParams::CURRENT
            },
        ),
        (
            "memory above the ceiling (1 GiB)",
            KdfParams {
                memory_kib: 1_048_577,
                ..KdfParams::CURRENT
            },
        ),
        (
            "the memory ceiling (1 GiB)",
            KdfParams {
                memory_kib: 1_048_576,
                ..KdfParams::CURRENT
            },
        ),
        (
            "passes above the ceiling",
            KdfParams {
                iterations: 17,
                ..KdfParams::CURRENT
            },
        ),
        (
            "lanes above the ceiling",
            KdfParams {
                parallelism: 9,
                ..KdfParams::CURRENT
            },
        ),
    ]
    .into_iter()
    .map(|(comment, kdf)| KdfParamsCase {
        comment: comment.into(),
        kdf,
        error: kdf.check().err().map(|e| e.code().into()),
    })
    .collect();

    Ok((
        KeyVectors {
            description: "Key derivation: seed = Argon2id(password = UTF-8 of NFKC(password), salt, \
                m = kdf.memory_kib, t = kdf.iterations, p = kdf.parallelism, version 0x13, 32 bytes, \
                no secret, no associated data); Ed25519 key pair from the seed (RFC 8032 5.1.5); \
                kid = RFC 7638 thumbprint. `passwords`: NFKC and the 8..=1024 character rule. \
                `kdf_params`: the client's floor and ceiling. Generated by \
                protocol/examples/make_vectors.rs."
                .into(),
            derivations,
            passwords,
            kdf_params,
        },
        pairs,
    ))
}

// ---------------------------------------------------------------------------------------------
// tokens.json

fn kind_name(kind: TokenKind) -> String {
    kind.typ()
        .trim_start_matches("notary-")
        .trim_end_matches("+jwt")
        .to_owned()
}

fn pair<'a>(pairs: &'a [(String, KeyPair)], name: &str) -> Res<&'a KeyPair> {
    Ok(&pairs
        .iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| format!("no key {name}"))?
        .1)
}

/// Signs arbitrary header and claims JSON text: for negative cases whose only defect is the one named.
fn forge(header_json: &str, claims_json: &str, key: &KeyPair) -> String {
    let input = format!("{}.{}", b64::encode(header_json), b64::encode(claims_json));
    let signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64::encode(signature))
}

fn claims_for(kind: TokenKind, name: &str) -> Res<Claims> {
    let alice = Address::from_canonical("alice@example.com")?;
    let audience = if kind == TokenKind::Assertion {
        THIRD_PARTY
    } else {
        AUDIENCE
    };
    let jti: [u8; 16] = fixed_bytes(&format!("jti:{name}"))?;
    let claims = Claims::new(&alice, audience, IAT, LIFETIME, &jti);
    Ok(match kind {
        TokenKind::Confirm => claims.with_confirmation(
            ConfirmationToken::from_random(&fixed_bytes(&format!("confirmation:{name}"))?).as_str(),
        ),
        TokenKind::Request => claims.with_request(&HttpRequest {
            method: "GET",
            url: &format!("{AUDIENCE}/account"),
            body: b"",
        }),
        _ => claims,
    })
}

/// What the crate says about a case: `(error, stage)`.
fn evaluate(
    text: &str,
    expected: TokenKind,
    key: Option<&PublicKey>,
    audience: &str,
    now: i64,
    request: Option<&RequestVector>,
) -> (Option<String>, Option<String>) {
    let fail = |e: ProtocolError, stage: &str| (Some(e.code().to_owned()), Some(stage.to_owned()));
    let parsed = match ParsedToken::parse(text, expected) {
        Ok(parsed) => parsed,
        Err(e) => return fail(e, "parse"),
    };
    let key = match (parsed.key_ref(), key) {
        (KeyRef::Embedded(embedded), _) => *embedded,
        (KeyRef::Registered(_), Some(key)) => *key,
        (KeyRef::Registered(_), None) => return (Some("no key".into()), None),
    };
    let expect = Expectations { audience, now };
    let verified = match parsed.verify(&key, &expect) {
        Ok(verified) => verified,
        Err(e) => return fail(e, "verify"),
    };
    if let Some(request) = request {
        let http = HttpRequest {
            method: &request.method,
            url: &request.url,
            body: request.body.as_bytes(),
        };
        if let Err(e) = verified.check_request(&http) {
            return fail(e, "request");
        }
    }
    (None, None)
}

struct CaseBuilder<'a> {
    pairs: &'a [(String, KeyPair)],
    cases: Vec<TokenCase>,
}

struct CaseSpec<'a> {
    name: &'a str,
    comment: &'a str,
    token: String,
    expected: TokenKind,
    key: Option<&'a str>,
    audience: &'a str,
    now: i64,
    request: Option<RequestVector>,
}

impl CaseBuilder<'_> {
    fn add(&mut self, spec: CaseSpec<'_>) -> Res<()> {
        let key = match spec.key {
            Some(name) => Some(*pair(self.pairs, name)?.public_key()),
            None => None,
        };
        let (error, stage) = evaluate(
            &spec.token,
            spec.expected,
            key.as_ref(),
            spec.audience,
            spec.now,
            spec.request.as_ref(),
        );
        self.cases.push(TokenCase {
            name: spec.name.into(),
            comment: spec.comment.into(),
            token: spec.token,
            expected_kind: kind_name(spec.expected),
            key: spec.key.map(Into::into),
            audience: spec.audience.into(),
            now: spec.now,
            request: spec.request,
            error,
            stage,
        });
        Ok(())
    }
}

fn tokens(keys: &KeyVectors, pairs: &[(String, KeyPair)]) -> Res<TokenVectors> {
    let token_keys: Vec<TokenKey> = keys
        .derivations
        .iter()
        .filter(|d| ["alice", "alice-new", "bob"].contains(&d.name.as_str()))
        .map(|d| TokenKey {
            name: d.name.clone(),
            derivation: d.name.clone(),
            seed_hex: d.seed_hex.clone(),
            jwk: d.jwk.clone(),
            kid: d.kid.clone(),
        })
        .collect();

    let account_request = RequestVector {
        method: "GET".into(),
        url: format!("{AUDIENCE}/account"),
        body: String::new(),
    };
    let specs = [
        ("signup", TokenKind::Signup, "alice"),
        ("confirm-signup", TokenKind::Confirm, "alice"),
        ("change", TokenKind::Change, "alice-new"),
        ("confirm-change", TokenKind::Confirm, "alice-new"),
        ("disable", TokenKind::Disable, "alice"),
        ("request", TokenKind::Request, "alice"),
        ("assertion", TokenKind::Assertion, "alice"),
    ];
    let mut vectors = Vec::new();
    for (name, kind, key_name) in specs {
        let key = pair(pairs, key_name)?;
        let claims = claims_for(kind, name)?;
        let text = token::sign(kind, &claims, key)?;
        let parsed = ParsedToken::parse(&text, kind)?;
        let mut segments = text.split('.');
        let (Some(h), Some(c), Some(s)) = (segments.next(), segments.next(), segments.next())
        else {
            return Err("sign() made a token without three segments".into());
        };
        let header_json = String::from_utf8(b64::decode(h).ok_or("header b64")?)?;
        let claims_json = String::from_utf8(b64::decode(c).ok_or("claims b64")?)?;
        vectors.push(TokenVector {
            name: name.into(),
            kind: kind_name(kind),
            key: key_name.into(),
            header: serde_json::from_str(&header_json)?,
            claims: parsed.unverified_claims().clone(),
            header_json,
            claims_json,
            signing_input: format!("{h}.{c}"),
            signature: s.into(),
            token: text.clone(),
            request: (kind == TokenKind::Request).then(|| account_request.clone()),
            now: NOW,
        });
    }
    let token_of = |name: &str| -> Res<String> {
        Ok(vectors
            .iter()
            .find(|v| v.name == name)
            .ok_or("no such token")?
            .token
            .clone())
    };

    let mut b = CaseBuilder {
        pairs,
        cases: Vec::new(),
    };
    // Every valid token verifies.
    for v in &vectors {
        let kind = TokenKind::ALL
            .into_iter()
            .find(|k| kind_name(*k) == v.kind)
            .ok_or("kind")?;
        let name = format!("{}-verifies", v.name);
        b.add(CaseSpec {
            name: &name,
            comment: "the valid token, at its `now`",
            token: v.token.clone(),
            expected: kind,
            key: (!kind.embeds_key()).then_some(v.key.as_str()),
            audience: if kind == TokenKind::Assertion {
                THIRD_PARTY
            } else {
                AUDIENCE
            },
            now: v.now,
            request: v.request.clone(),
        })?;
    }

    let signup = token_of("signup")?;
    let disable = token_of("disable")?;
    let request = token_of("request")?;
    let assertion = token_of("assertion")?;
    let exp = IAT + LIFETIME;
    let alice = pair(pairs, "alice")?;
    let bob = pair(pairs, "bob")?;
    let alice_jwk = serde_json::to_string(&alice.public_key().to_jwk())?;
    let alice_kid = alice.public_key().key_id();
    let signup_header = format!(r#"{{"alg":"EdDSA","typ":"notary-signup+jwt","jwk":{alice_jwk}}}"#);
    let disable_header =
        format!(r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}"}}"#);
    let plain_claims = |jti: &str| {
        format!(
            r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
            b64::encode(Sha256::digest(jti.as_bytes()).get(..16).unwrap_or_default())
        )
    };

    // Time.
    b.add(CaseSpec {
        now: exp + 59,
        ..base(
            "signup-at-exp-plus-59",
            "accepted until 60 s (the skew) after exp",
            signup.clone(),
            TokenKind::Signup,
            None,
        )
    })?;
    b.add(CaseSpec {
        now: exp + 60,
        ..base(
            "signup-at-exp-plus-60",
            "expired: now >= exp + 60",
            signup.clone(),
            TokenKind::Signup,
            None,
        )
    })?;
    b.add(CaseSpec {
        now: IAT - 60,
        ..base(
            "signup-iat-60-s-ahead",
            "accepted: iat at most 60 s in the future",
            signup.clone(),
            TokenKind::Signup,
            None,
        )
    })?;
    b.add(CaseSpec {
        now: IAT - 61,
        ..base(
            "signup-iat-61-s-ahead",
            "not yet valid: iat > now + 60",
            signup.clone(),
            TokenKind::Signup,
            None,
        )
    })?;
    let long = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{},"jti":"{}"}}"#,
        IAT + 301,
        b64::encode(fixed_bytes::<16>("jti:long")?)
    );
    b.add(base(
        "lifetime-301",
        "exp - iat = 301 > 300",
        forge(&signup_header, &long, alice),
        TokenKind::Signup,
        None,
    ))?;
    let lifetime_300 = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{},"jti":"{}"}}"#,
        IAT + 300,
        b64::encode(fixed_bytes::<16>("jti:300")?)
    );
    b.add(base(
        "lifetime-300",
        "exp - iat = 300: the longest accepted",
        forge(&signup_header, &lifetime_300, alice),
        TokenKind::Signup,
        None,
    ))?;
    let backwards = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{IAT},"jti":"{}"}}"#,
        b64::encode(fixed_bytes::<16>("jti:backwards")?)
    );
    b.add(base(
        "exp-equals-iat",
        "exp must be after iat",
        forge(&signup_header, &backwards, alice),
        TokenKind::Signup,
        None,
    ))?;

    let overflow = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{},"exp":{},"jti":"{}"}}"#,
        i64::MIN,
        i64::MAX,
        b64::encode(fixed_bytes::<16>("jti:overflow")?)
    );
    b.add(base(
        "lifetime-overflow",
        "iat = -2^63, exp = 2^63 - 1: exp - iat does not fit in 64 bits (a wrapping subtraction gives -1)",
        forge(&signup_header, &overflow, alice),
        TokenKind::Signup,
        None,
    ))?;

    // Audience and kind.
    b.add(CaseSpec {
        audience: "http://127.0.0.1:8787/",
        ..base(
            "wrong-audience-trailing-slash",
            "aud is compared as an exact string",
            signup.clone(),
            TokenKind::Signup,
            None,
        )
    })?;
    b.add(base(
        "assertion-at-the-server",
        "an assertion's aud is the third party, not PUBLIC_URI",
        assertion.clone(),
        TokenKind::Assertion,
        Some("alice"),
    ))?;
    b.add(base(
        "disable-as-confirm",
        "typ names another kind",
        disable.clone(),
        TokenKind::Confirm,
        Some("alice"),
    ))?;
    b.add(base(
        "signup-as-change",
        "typ names another kind (both embed a key)",
        signup.clone(),
        TokenKind::Change,
        None,
    ))?;
    b.add(base(
        "request-as-assertion",
        "typ names another kind",
        request.clone(),
        TokenKind::Assertion,
        Some("alice"),
    ))?;
    b.add(base(
        "typ-jwt",
        "typ must be the kind's own",
        forge(
            r#"{"alg":"EdDSA","typ":"JWT"}"#,
            &plain_claims("typ-jwt"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "typ-missing",
        "typ is required",
        forge(
            &format!(r#"{{"alg":"EdDSA","kid":"{alice_kid}"}}"#),
            &plain_claims("typ-missing"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "typ-case",
        "typ is compared exactly",
        forge(
            &format!(r#"{{"alg":"EdDSA","typ":"Notary-Disable+JWT","kid":"{alice_kid}"}}"#),
            &plain_claims("typ-case"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;

    // Algorithm.
    let none_token = format!(
        "{}.{}.",
        b64::encode(r#"{"alg":"none","typ":"notary-disable+jwt"}"#),
        b64::encode(plain_claims("alg-none"))
    );
    b.add(base(
        "alg-none",
        "alg none with an empty signature",
        none_token,
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "alg-hs256",
        "alg HS256 (key confusion: an HMAC keyed with the public key)",
        forge(
            &format!(r#"{{"alg":"HS256","typ":"notary-disable+jwt","kid":"{alice_kid}"}}"#),
            &plain_claims("alg-hs256"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "alg-ed25519",
        "alg must be exactly EdDSA",
        forge(
            &format!(r#"{{"alg":"Ed25519","typ":"notary-disable+jwt","kid":"{alice_kid}"}}"#),
            &plain_claims("alg-ed25519"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "alg-missing",
        "alg is required",
        forge(
            &format!(r#"{{"typ":"notary-disable+jwt","kid":"{alice_kid}"}}"#),
            &plain_claims("alg-missing"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;

    // Encoding.
    let mut segments: Vec<String> = disable.split('.').map(str::to_owned).collect();
    let sig = segments.get(2).cloned().ok_or("segments")?;
    let last = sig.chars().last().ok_or("empty signature")?;
    // 64 bytes are 86 characters whose last one carries 2 bits and 4 zero bits: "A", "Q", "g" or "w".
    let with_trailing_bit = {
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).ok_or("alphabet")?;
        let next = alphabet.chars().nth(index + 1).ok_or("alphabet")?;
        let mut spelled = sig.clone();
        spelled.pop();
        spelled.push(next);
        spelled
    };
    if let Some(s) = segments.get_mut(2) {
        *s = with_trailing_bit;
    }
    b.add(base(
        "signature-trailing-bits",
        "the signature's last character has a non-zero trailing bit (same bytes, second spelling)",
        segments.join("."),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let header_json =
        format!(r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}"}}"#);
    let padded_header = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE,
        header_json.as_bytes(),
    );
    let padded_input = format!("{padded_header}.{}", b64::encode(plain_claims("padded")));
    let padded = format!(
        "{padded_input}.{}",
        b64::encode(alice.sign(padded_input.as_bytes()))
    );
    b.add(base(
        "header-padding",
        "base64url padding '=' in the header segment",
        padded,
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let std_alphabet = disable.replace('-', "+").replace('_', "/");
    if std_alphabet != disable {
        b.add(base(
            "standard-base64",
            "'+' and '/' of standard base64",
            std_alphabet,
            TokenKind::Disable,
            Some("alice"),
        ))?;
    }
    b.add(base(
        "two-segments",
        "exactly three segments",
        disable.rsplit_once('.').ok_or("dot")?.0.to_owned(),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "four-segments",
        "exactly three segments",
        format!("{disable}.AAAA"),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "json-serialisation-dot",
        "an empty segment",
        format!(".{}", disable.split_once('.').ok_or("dot")?.1),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "white-space",
        "a space inside the token",
        disable.replacen('.', ". ", 1),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let big_aud = "a".repeat(4000);
    let big = format!(
        r#"{{"sub":"alice@example.com","aud":"{big_aud}","iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
        b64::encode(fixed_bytes::<16>("jti:big")?)
    );
    b.add(alice_disable(
        "too-large",
        "more than 4096 bytes (checked before anything else)",
        &disable_header,
        &big,
        alice,
    ))?;
    let mut short_sig = disable.clone();
    short_sig.truncate(disable.len() - 3);
    b.add(base(
        "signature-truncated",
        "the signature must be 64 bytes",
        short_sig,
        TokenKind::Disable,
        Some("alice"),
    ))?;

    // JSON.
    let duplicate_kid = format!(
        r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}","kid":"{alice_kid}"}}"#
    );
    b.add(alice_disable(
        "duplicate-header-member",
        "duplicate member names",
        &duplicate_kid,
        &plain_claims("dup-h"),
        alice,
    ))?;
    let dup_claims = format!(
        r#"{{"sub":"alice@example.com","sub":"bob@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
        b64::encode(fixed_bytes::<16>("jti:dup")?)
    );
    b.add(alice_disable(
        "duplicate-claim",
        "duplicate member names",
        &disable_header,
        &dup_claims,
        alice,
    ))?;
    for (name, member) in [
        ("jku", r#""jku":"https://attacker.example/keys""#),
        ("x5u", r#""x5u":"https://attacker.example/cert""#),
        ("x5c", r#""x5c":"MIIB""#),
        ("crit", r#""crit":"exp""#),
        ("cty", r#""cty":"JWT""#),
    ] {
        let header =
            format!(r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}",{member}}}"#);
        let case_name = format!("header-{name}");
        b.add(alice_disable(
            &case_name,
            "header members other than alg, typ and kid/jwk are refused",
            &header,
            &plain_claims(name),
            alice,
        ))?;
    }
    let crit_array = format!(
        r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}","crit":["exp"]}}"#
    );
    b.add(alice_disable(
        "header-crit-array",
        "crit in its usual array form",
        &crit_array,
        &plain_claims("crit-array"),
        alice,
    ))?;
    let array_header = format!(r#"["EdDSA","notary-disable+jwt","{alice_kid}"]"#);
    b.add(alice_disable(
        "header-array",
        "the header must be a JSON object (not an array of its values)",
        &array_header,
        &plain_claims("array"),
        alice,
    ))?;
    let null_jwk =
        format!(r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"{alice_kid}","jwk":null}}"#);
    b.add(alice_disable(
        "header-null-member",
        "null is not a value of any member",
        &null_jwk,
        &plain_claims("null"),
        alice,
    ))?;
    // Claims that break one rule each, under the plain header.
    let jti = |label: &str| -> Res<String> { Ok(b64::encode(fixed_bytes::<16>(label)?)) };
    for (name, comment, claims) in [
        (
            "unknown-claim",
            "claims other than the protocol's are refused",
            format!(
                r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}","admin":true}}"#,
                jti("jti:unknown")?
            ),
        ),
        (
            "iat-not-integer",
            "iat and exp are integers",
            format!(
                r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT}.0,"exp":{exp},"jti":"{}"}}"#,
                jti("jti:float")?
            ),
        ),
        (
            "aud-array",
            "aud is one string, never an array",
            format!(
                r#"{{"sub":"alice@example.com","aud":["{AUDIENCE}"],"iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
                jti("jti:aud-array")?
            ),
        ),
    ] {
        b.add(alice_disable(
            name,
            comment,
            &disable_header,
            &claims,
            alice,
        ))?;
    }
    let spaced_header =
        format!(r#"{{ "typ": "notary-disable+jwt", "alg": "EdDSA", "kid": "{alice_kid}" }}"#);
    b.add(alice_disable(
        "header-white-space-and-order",
        "accepted: JSON white space and member order are free (the signature covers the bytes as sent)",
        &spaced_header,
        &plain_claims("spaced"),
        alice,
    ))?;

    // Claims.
    for (name, comment, claims) in [
        (
            "sub-not-canonical",
            "sub must be the canonical address",
            format!(
                r#"{{"sub":"Alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
                jti("jti:upper")?
            ),
        ),
        (
            "jti-15-bytes",
            "jti needs at least 128 bits",
            format!(
                r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}"}}"#,
                b64::encode(fixed_bytes::<15>("jti:short")?)
            ),
        ),
        (
            "jti-missing",
            "jti is required",
            format!(r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp}}}"#),
        ),
        (
            "exp-missing",
            "exp is required",
            format!(
                r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"jti":"{}"}}"#,
                jti("jti:no-exp")?
            ),
        ),
    ] {
        b.add(alice_disable(
            name,
            comment,
            &disable_header,
            &claims,
            alice,
        ))?;
    }
    let confirm_header =
        format!(r#"{{"alg":"EdDSA","typ":"notary-confirm+jwt","kid":"{alice_kid}"}}"#);
    b.add(base(
        "confirm-without-confirmation",
        "a confirm token carries the emailed token",
        forge(&confirm_header, &plain_claims("confirm-none"), alice),
        TokenKind::Confirm,
        Some("alice"),
    ))?;
    let bad_confirmation = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}","confirmation":"short"}}"#,
        b64::encode(fixed_bytes::<16>("jti:bad-confirmation")?)
    );
    b.add(base(
        "confirmation-malformed",
        "the confirmation claim is 32 bytes of base64url",
        forge(&confirm_header, &bad_confirmation, alice),
        TokenKind::Confirm,
        Some("alice"),
    ))?;
    let signup_with_confirmation = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}","confirmation":"{}"}}"#,
        b64::encode(fixed_bytes::<16>("jti:signup-confirmation")?),
        b64::encode(fixed_bytes::<32>("confirmation:stray")?)
    );
    b.add(base(
        "signup-with-confirmation",
        "claims of another kind are refused",
        forge(&signup_header, &signup_with_confirmation, alice),
        TokenKind::Signup,
        None,
    ))?;
    let request_header =
        format!(r#"{{"alg":"EdDSA","typ":"notary-request+jwt","kid":"{alice_kid}"}}"#);
    let request_without_bsh = format!(
        r#"{{"sub":"alice@example.com","aud":"{AUDIENCE}","iat":{IAT},"exp":{exp},"jti":"{}","htm":"GET","htu":"{AUDIENCE}/account"}}"#,
        b64::encode(fixed_bytes::<16>("jti:no-bsh")?)
    );
    b.add(base(
        "request-without-bsh",
        "request tokens carry htm, htu and bsh",
        forge(&request_header, &request_without_bsh, alice),
        TokenKind::Request,
        Some("alice"),
    ))?;

    // Request binding.
    let mismatches = [
        (
            "request-other-method",
            "the method differs",
            RequestVector {
                method: "POST".into(),
                ..account_request.clone()
            },
        ),
        (
            "request-other-url",
            "the URL differs (query string added)",
            RequestVector {
                url: format!("{AUDIENCE}/account?x=1"),
                ..account_request.clone()
            },
        ),
        (
            "request-other-body",
            "the body differs",
            RequestVector {
                body: "{}".into(),
                ..account_request.clone()
            },
        ),
    ];
    for (name, comment, req) in mismatches {
        b.add(CaseSpec {
            request: Some(req),
            ..base(
                name,
                comment,
                request.clone(),
                TokenKind::Request,
                Some("alice"),
            )
        })?;
    }

    // Keys and signatures.
    b.add(base(
        "signed-by-another-key",
        "kid names alice, bob signed",
        forge(&disable_header, &plain_claims("bob-signed"), bob),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let mut flipped = disable.clone().into_bytes();
    let at = disable.len() - 10;
    if let Some(c) = flipped.get_mut(at) {
        *c = if *c == b'A' { b'B' } else { b'A' };
    }
    b.add(base(
        "signature-altered",
        "one signature character changed",
        String::from_utf8(flipped)?,
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let claims_only_changed = {
        let parts: Vec<&str> = disable.split('.').collect();
        let other = b64::encode(plain_claims("swapped"));
        format!(
            "{}.{other}.{}",
            parts.first().ok_or("h")?,
            parts.get(2).ok_or("s")?
        )
    };
    b.add(base(
        "claims-swapped",
        "the signature covers the claims",
        claims_only_changed,
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base(
        "signup-with-kid",
        "signup must embed its key as jwk",
        forge(
            &format!(r#"{{"alg":"EdDSA","typ":"notary-signup+jwt","kid":"{alice_kid}"}}"#),
            &plain_claims("signup-kid"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    b.add(base(
        "disable-with-jwk",
        "only signup and change embed a key",
        forge(
            &format!(r#"{{"alg":"EdDSA","typ":"notary-disable+jwt","jwk":{alice_jwk}}}"#),
            &plain_claims("disable-jwk"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    b.add(base("signup-with-jwk-and-kid", "one of jwk or kid, never both", forge(&format!(r#"{{"alg":"EdDSA","typ":"notary-signup+jwt","kid":"{alice_kid}","jwk":{alice_jwk}}}"#), &plain_claims("both"), alice), TokenKind::Signup, None))?;
    b.add(base(
        "kid-malformed",
        "kid is a 32-byte thumbprint",
        forge(
            r#"{"alg":"EdDSA","typ":"notary-disable+jwt","kid":"alice"}"#,
            &plain_claims("kid-bad"),
            alice,
        ),
        TokenKind::Disable,
        Some("alice"),
    ))?;
    let with_d = format!(
        r#"{{"alg":"EdDSA","typ":"notary-signup+jwt","jwk":{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}}}"#,
        alice.public_key().to_jwk().x,
        b64::encode([0u8; 32])
    );
    b.add(base(
        "jwk-with-private-part",
        "the jwk has exactly kty, crv and x",
        forge(&with_d, &plain_claims("jwk-d"), alice),
        TokenKind::Signup,
        None,
    ))?;
    let jwk_header = |x: &str, kty: &str, crv: &str| {
        format!(
            r#"{{"alg":"EdDSA","typ":"notary-signup+jwt","jwk":{{"kty":"{kty}","crv":"{crv}","x":"{x}"}}}}"#
        )
    };
    let alice_x = alice.public_key().to_jwk().x;
    b.add(base(
        "jwk-x25519",
        "crv must be Ed25519",
        forge(
            &jwk_header(&alice_x, "OKP", "X25519"),
            &plain_claims("x25519"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut forgery = [0u8; 64];
    forgery[0] = 1;
    let identity_input = format!(
        "{}.{}",
        b64::encode(jwk_header(&b64::encode(identity), "OKP", "Ed25519")),
        b64::encode(plain_claims("identity"))
    );
    b.add(base("jwk-identity-point", "small-order key (the identity) with the universal forgery R = identity, S = 0, which lax verifiers accept", format!("{identity_input}.{}", b64::encode(forgery)), TokenKind::Signup, None))?;
    let order8 = hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")?;
    b.add(base(
        "jwk-order-8-point",
        "small-order key",
        forge(
            &jwk_header(&b64::encode(&order8), "OKP", "Ed25519"),
            &plain_claims("order8"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    let mixed = mixed_order_key(alice.public_key(), &order8)?;
    b.add(base(
        "jwk-mixed-order",
        "alice's key plus a point of order 8",
        forge(
            &jwk_header(&b64::encode(mixed), "OKP", "Ed25519"),
            &plain_claims("mixed"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    let noncanonical =
        hex::decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")?;
    b.add(base(
        "jwk-non-canonical",
        "y = p (non-canonical encoding of y = 0)",
        forge(
            &jwk_header(&b64::encode(&noncanonical), "OKP", "Ed25519"),
            &plain_claims("noncanonical"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    let off_curve =
        hex::decode("0200000000000000000000000000000000000000000000000000000000000000")?;
    b.add(base(
        "jwk-off-curve",
        "y = 2 is not on the curve",
        forge(
            &jwk_header(&b64::encode(&off_curve), "OKP", "Ed25519"),
            &plain_claims("off-curve"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;
    b.add(base(
        "jwk-short",
        "x must be 32 bytes",
        forge(
            &jwk_header(&b64::encode([9u8; 31]), "OKP", "Ed25519"),
            &plain_claims("short-x"),
            alice,
        ),
        TokenKind::Signup,
        None,
    ))?;

    Ok(TokenVectors {
        description: "Tokens: `tokens` holds one valid token of each kind with every intermediate \
            value; `cases` holds tokens with the result a verifier must reach (parse for \
            expected_kind, take the key from the jwk header or from `keys` by name, verify at `now` \
            for `audience`, then check `request` when present). Replay is a server rule and has no \
            vector here. Generated by protocol/examples/make_vectors.rs."
            .into(),
        audience: AUDIENCE.into(),
        third_party_audience: THIRD_PARTY.into(),
        keys: token_keys,
        tokens: vectors,
        cases: b.cases,
    })
}

/// A case verified for AUDIENCE at NOW, without a request.
fn base<'a>(
    name: &'a str,
    comment: &'a str,
    token: String,
    expected: TokenKind,
    key: Option<&'a str>,
) -> CaseSpec<'a> {
    CaseSpec {
        name,
        comment,
        token,
        expected,
        key,
        audience: AUDIENCE,
        now: NOW,
        request: None,
    }
}

/// A disable token that Alice's key signs over `header` and `claims` exactly as given (see `forge`).
fn alice_disable<'a>(
    name: &'a str,
    comment: &'a str,
    header: &str,
    claims: &str,
    alice: &KeyPair,
) -> CaseSpec<'a> {
    base(
        name,
        comment,
        forge(header, claims, alice),
        TokenKind::Disable,
        Some("alice"),
    )
}

/// `key + T` for a point `T` of order 8: a key with a small-order component.
fn mixed_order_key(key: &PublicKey, order8: &[u8]) -> Res<[u8; 32]> {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let a = CompressedEdwardsY(key.to_bytes())
        .decompress()
        .ok_or("key")?;
    let t = CompressedEdwardsY(order8.try_into()?)
        .decompress()
        .ok_or("order 8")?;
    Ok((a + t).compress().to_bytes())
}

// ---------------------------------------------------------------------------------------------
// confirmation.json

fn confirmation() -> Res<ConfirmationVectors> {
    let tokens: Vec<ConfirmationCase> = ["confirmation:confirm-signup", "confirmation:zeros"]
        .into_iter()
        .map(|label| -> Res<ConfirmationCase> {
            let random: [u8; 32] = if label.ends_with("zeros") {
                [0; 32]
            } else {
                fixed_bytes(label)?
            };
            let token = ConfirmationToken::from_random(&random);
            Ok(ConfirmationCase {
                random_hex: hex::encode(random),
                token: token.as_str().into(),
                storage_hash: token.storage_hash(),
            })
        })
        .collect::<Res<_>>()?;
    let first = tokens.first().ok_or("no token")?.token.clone();
    let links = [
        ("alice@example.com", Purpose::Signup, Some(first.as_str())),
        (
            "o'hara+tag@example.org",
            Purpose::Change,
            Some(first.as_str()),
        ),
        (
            "bob@xn--bcher-kva.example",
            Purpose::AlreadyRegistered,
            None,
        ),
    ]
    .into_iter()
    .map(|(address, purpose, token)| LinkCase {
        public_uri: AUDIENCE.into(),
        address: address.into(),
        purpose: purpose.as_str().into(),
        token: token.map(Into::into),
        link: confirmation::link(AUDIENCE, address, purpose, token),
    })
    .collect();

    let timestamp = IAT;
    let body = format!(
        r#"{{"address":"alice@example.com","purpose":"signup","token":"{first}","expires_at":{},"link":"{}"}}"#,
        IAT + 3600,
        confirmation::link(AUDIENCE, "alice@example.com", Purpose::Signup, Some(&first))
    );
    let signature_header = confirmation::delivery_signature(
        CONFIRMATION_SECRET.as_bytes(),
        timestamp,
        body.as_bytes(),
    );
    Ok(ConfirmationVectors {
        description: "Confirmation tokens (32 random bytes, base64url; stored as base64url \
            SHA-256 of the token text), emailed links, and one signed delivery to CONFIRMATION_URI \
            (Notary-Signature: t=<unix>,v1=<hex HMAC-SHA256(UTF-8 confirmation_secret, \
            \"<t>.\" || raw body)>). Generated by protocol/examples/make_vectors.rs."
            .into(),
        tokens,
        links,
        delivery: DeliveryExample {
            confirmation_secret: CONFIRMATION_SECRET.into(),
            idempotency_key: hex::encode(fixed_bytes::<16>("idempotency:signup")?),
            timestamp,
            body,
            signature_header,
        },
    })
}

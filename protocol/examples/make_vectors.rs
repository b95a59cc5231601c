//! Writes the shared test vectors in `tests/vectors/*.json` (schema: tests/vectors/README.md).
//!
//!     cargo run -p notary-protocol --example make_vectors
//!
//! Every input is fixed (secrets, passwords, times, `jti` and confirmation bytes), and Ed25519 and
//! Argon2id are deterministic, so running it again writes the same bytes. The cases are data: tables
//! of inputs, and for tokens, rows that say which token a case starts from, what differs and what the
//! verifier must answer; the generator builds each token, runs the crate on it, and stops if the
//! crate's answer is not the row's. The files are committed; `tests/vectors.rs` (and the JS and WASM
//! suites) check that the implementations reproduce them, so this generator only runs again when the
//! protocol deliberately changes.

#[path = "../tests/support/reference.rs"]
mod reference;
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
use protocol::ErrorKind;
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
const EXP: i64 = IAT + LIFETIME;
const NOW: i64 = IAT + 10;
const CONFIRMATION_SECRET: &str = "notary-test-vectors-confirmation-secret";

fn main() -> Res<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    std::fs::create_dir_all(&dir)?;
    let addresses = addresses()?;
    let (keys, pairs) = keys()?;
    let tokens = tokens(&keys, &pairs)?;
    let confirmation = confirmation()?;
    let kdf_v2 = kdf_v2()?;
    write(&dir, "addresses.json", &addresses)?;
    write(&dir, "keys.json", &keys)?;
    write(&dir, "kdf_v2.json", &kdf_v2)?;
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

/// 15, 16 or 32 fixed bytes that look random: SHA-256 of a label.
fn fixed_bytes<const N: usize>(label: &str) -> Res<[u8; N]> {
    let digest = Sha256::digest(label.as_bytes());
    Ok(digest.get(..N).ok_or("N > 32")?.try_into()?)
}

// ---------------------------------------------------------------------------------------------
// addresses.json

fn addresses() -> Res<AddressVectors> {
    let (a64, long_domain) = (
        "a".repeat(64),
        format!(
            "{}.{}.{}.com",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(57)
        ),
    );
    #[rustfmt::skip]
    let inputs: Vec<(&str, String)> = vec![
        ("already canonical", "alice@example.com".into()),
        ("case and surrounding white space", "  Alice.Smith@Example.COM \n".into()),
        ("internationalised domain: IDNA ASCII form (UTS #46)", "bob@Bücher.example".into()),
        ("upper-case A-label is lowercased", "bob@XN--BCHER-KVA.example".into()),
        ("atext punctuation kept", "O'Hara+Tag@Example.org".into()),
        ("every atext symbol", "!#$%&'*+/=?^_`{|}~-@example.com".into()),
        ("local part of 64 bytes, 254 bytes in all: the longest accepted", format!("{a64}@{long_domain}")),
        ("255 bytes", format!("{a64}@{}", long_domain.replacen(".com", "d.com", 1))),
        ("local part of 65 bytes", format!("{a64}a@example.com")),
        ("empty", String::new()),
        ("no @", "alice".into()),
        ("empty local part", "@example.com".into()),
        ("empty domain", "alice@".into()),
        ("two @", "a@b@example.com".into()),
        ("control character (NUL)", "ali\u{0}ce@example.com".into()),
        ("control character (TAB) inside", "alice@exa\tmple.com".into()),
        ("space inside", "ali ce@example.com".into()),
        ("non-ASCII local part", "jörg@example.com".into()),
        ("quoted local part", "\"quoted\"@example.com".into()),
        ("consecutive dots", "a..b@example.com".into()),
        ("leading dot", ".a@example.com".into()),
        ("trailing dot in local part", "a.@example.com".into()),
        ("single-label domain", "alice@localhost".into()),
        ("domain label starting with a hyphen", "alice@-example.com".into()),
        ("underscore in domain", "alice@exa_mple.com".into()),
        ("empty domain label", "alice@example..com".into()),
        ("trailing dot in domain", "alice@example.com.".into()),
        ("IP literal", "alice@[127.0.0.1]".into()),
        ("symbol in the domain (U+2603 SNOWMAN): UTS #46 allows it, IDNA2008 would not", "a@\u{2603}.example".into()),
        ("emoji in the domain (U+1F600)", "a@\u{1F600}.example".into()),
        ("a character assigned in Unicode 18.0 (U+3D000): tables older than the pinned ones refuse it", "a@\u{3D000}.example".into()),
        ("sharp s in the domain: non-transitional processing keeps it (not ss)", "a@stra\u{DF}e.example".into()),
        ("sharp s in the local part: not ASCII", "stra\u{DF}e@example.com".into()),
        ("full-width letters in the domain are mapped to ASCII", "alice@\u{FF45}\u{FF58}\u{FF41}\u{FF4D}\u{FF50}\u{FF4C}\u{FF45}.\u{FF43}\u{FF4F}\u{FF4D}".into()),
        ("full-width letters in the local part: not ASCII", "\u{FF41}\u{FF4C}\u{FF49}\u{FF43}\u{FF45}@example.com".into()),
        ("IDEOGRAPHIC FULL STOP separates labels", "alice@example\u{3002}com".into()),
        ("soft hyphen (U+00AD) in the domain is ignored", "alice@exam\u{AD}ple.com".into()),
        ("soft hyphen in the local part: not ASCII", "ali\u{AD}ce@example.com".into()),
        ("ZERO WIDTH JOINER outside its contexts (CheckJoiners)", "alice@exa\u{200D}mple.com".into()),
    ];
    let secret = SALT_SECRET.as_bytes();
    let cases = inputs
        .into_iter()
        .map(|(comment, input)| {
            let address = Address::parse(&input);
            AddressCase {
                comment: comment.into(),
                canonical: address.as_ref().ok().map(|a| a.as_str().into()),
                salt: address
                    .as_ref()
                    .ok()
                    .map(|a| Salt::for_address(secret, a).to_base64url()),
                error: address.as_ref().err().map(|e| e.code().into()),
                input,
            }
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
const CURRENT: KdfParams = KdfParams::CURRENT;

fn keys() -> Res<(KeyVectors, Vec<(String, KeyPair)>)> {
    #[rustfmt::skip]
    let inputs = [
        ("alice", "the current parameters (KdfParams::CURRENT): what a real client derives",
         "alice@example.com", "correct horse battery staple", CURRENT),
        ("alice-new", "the key alice changes to (cheaper floor parameters, to keep test suites fast)",
         "alice@example.com", "a brand new passphrase", FLOOR),
        ("bob", "NFKC at work: full-width letters, circled digit, ligature and ANGSTROM SIGN are normalised",
         "bob@xn--bcher-kva.example", "Ｐａｓｓｗｏｒｄ①\u{FB01} \u{212B}", FLOOR),
        ("carol", "two lanes (p = 2); decomposed input composed by NFKC",
         "carol@example.org", "u\u{0308}nicode pa\u{0308}ssword", KdfParams { parallelism: 2, ..FLOOR }),
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

    #[rustfmt::skip]
    let passwords = [
        ("eight ASCII characters: the shortest accepted", "12345678".to_owned()),
        ("seven characters", "1234567".to_owned()),
        ("four ligatures (U+FB01) are 4 characters typed but 8 after NFKC: accepted", "\u{FB01}".repeat(4)),
        ("eight code points typed (e + COMBINING ACUTE) but 4 after NFKC: refused", "e\u{0301}".repeat(4)),
        ("1024 two-byte characters: the longest accepted", "é".repeat(1024)),
        ("1025 characters", "é".repeat(1025)),
        ("spaces are characters like any other", "        ".to_owned()),
    ];
    let passwords = passwords
        .into_iter()
        .map(|(comment, input)| {
            use unicode_normalization::UnicodeNormalization as _;
            let nfkc: String = input.nfkc().collect();
            let refused = Password::new(&input).err().map(|e| e.code().into());
            PasswordCase {
                comment: comment.into(),
                nfkc_chars: nfkc.chars().count(),
                nfkc: refused.is_none().then_some(nfkc),
                error: refused,
                input,
            }
        })
        .collect();

    #[rustfmt::skip]
    let kdf_params = [
        ("the current parameters", CURRENT),
        ("the floor: m = 19456 KiB, t = 2", FLOOR),
        ("memory below the floor", KdfParams { memory_kib: 19_455, ..FLOOR }),
        ("one pass", KdfParams { iterations: 1, ..CURRENT }),
        ("no lane", KdfParams { parallelism: 0, ..CURRENT }),
        ("Argon2 version 1.0 (16)", KdfParams { version: 16, ..CURRENT }),
        ("memory above the ceiling (1 GiB)", KdfParams { memory_kib: 1_048_577, ..CURRENT }),
        ("the memory ceiling (1 GiB)", KdfParams { memory_kib: 1_048_576, ..CURRENT }),
        ("passes above the ceiling", KdfParams { iterations: 17, ..CURRENT }),
        ("lanes above the ceiling", KdfParams { parallelism: 9, ..CURRENT }),
    ];
    let kdf_params = kdf_params
        .into_iter()
        .map(|(comment, kdf)| KdfParamsCase {
            comment: comment.into(),
            kdf,
            error: kdf.check().err().map(|e| e.code().into()),
        })
        .collect();

    Ok((
        KeyVectors {
            description: "Key derivation of kdf_version 1 (accounts made before version 2, which \
                sign in with it once to move; the keys of tokens.json): seed = Argon2id(password = \
                UTF-8 of NFKC(password), salt, \
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
// kdf_v2.json

/// `OPRF_SEED` of the vectors (never used anywhere else).
fn oprf_seed() -> Res<[u8; 32]> {
    fixed_bytes("notary-test-vectors-oprf-seed")
}

fn kdf_v2() -> Res<KdfV2Vectors> {
    use protocol::kdf::{v2, KdfMemory};
    use protocol::oprf::{Blind, BlindedElement};
    use protocol::salt::{address_oprf_key, OPRF_KEY_INFO_LABEL};

    let seed_bytes = oprf_seed()?;
    #[rustfmt::skip]
    let inputs = [
        ("alice", "the current parameters: what a real client derives",
         "alice@example.com", "correct horse battery staple", CURRENT),
        ("bob", "an internationalised domain in A-label form; NFKC at work in the password",
         "bob@xn--bcher-kva.example", "Ｐａｓｓｗｏｒｄ①\u{FB01} \u{212B}", FLOOR),
        ("carol", "two lanes (p = 2)",
         "carol@example.org", "u\u{0308}nicode pa\u{0308}ssword", KdfParams { parallelism: 2, ..FLOOR }),
    ];
    let mut derivations = Vec::new();
    for (name, comment, address, password_text, params) in inputs {
        let address = Address::from_canonical(address)?;
        let password = Password::new(password_text)?;
        let salt = Salt::for_address(SALT_SECRET.as_bytes(), &address);
        let key = address_oprf_key(&seed_bytes, &address)?;
        let mut random = [0u8; 64];
        random[..32].copy_from_slice(&fixed_bytes::<32>(&format!("{name} blind 1"))?);
        random[32..].copy_from_slice(&fixed_bytes::<32>(&format!("{name} blind 2"))?);
        let blind_hex = hex::encode(
            curve25519_dalek::scalar::Scalar::from_bytes_mod_order_wide(&random).to_bytes(),
        );
        let blinding =
            v2::PasswordBlinding::with_blind(&address, &password, Blind::from_random(random)?)?;
        let evaluated = key.evaluate(blinding.blinded());
        let output = blinding.finalize(&evaluated)?;
        let mut argon2id = [0u8; 32];
        let seed = {
            // Argon2id alone (step 3), then the whole of steps 3 and 4 as the client runs them.
            let stretched =
                reference::rustcrypto_argon2id(output.as_slice(), salt.as_bytes(), &params)?;
            argon2id.copy_from_slice(&stretched);
            v2::derive_seed(&output, &salt, &params, &mut KdfMemory::new())?
        };
        let pair = KeyPair::from_seed(&seed);
        let public = pair.public_key();
        derivations.push(KdfV2Derivation {
            name: name.into(),
            comment: comment.into(),
            address: address.as_str().into(),
            password: password_text.into(),
            oprf_input_hex: hex::encode(v2::oprf_input(&address, &password)?.as_slice()),
            key_info_hex: hex::encode([OPRF_KEY_INFO_LABEL, address.as_str().as_bytes()].concat()),
            server_key_hex: hex::encode(key.to_bytes().as_slice()),
            blind_random_hex: hex::encode(random),
            blind_hex,
            blinded: blinding.blinded().to_base64url(),
            evaluated: evaluated.to_base64url(),
            oprf_output_hex: hex::encode(output.as_slice()),
            salt: salt.to_base64url(),
            kdf: params,
            argon2id_hex: hex::encode(argon2id),
            seed_hex: hex::encode(seed.as_bytes()),
            public_key_hex: hex::encode(public.to_bytes()),
            jwk: public.to_jwk(),
            kid: public.key_id().as_str().into(),
        });
    }

    let basepoint = "4vKuCmq8TnGohKlhxQBRX1jjC2qlgt2NtqZZReCNLXY".to_owned();
    let mut non_canonical = [0xffu8; 32];
    non_canonical[31] = 0x7f;
    #[rustfmt::skip]
    let blinded = [
        ("the ristretto255 generator: a valid element", basepoint.clone()),
        ("the identity (32 zero bytes)", b64::encode([0u8; 32])),
        ("2^255 - 1: not a canonical field element", b64::encode(non_canonical)),
        ("a negative field element (odd): not a ristretto255 encoding", b64::encode({ let mut b = [0u8; 32]; b[0] = 1; b })),
        ("31 bytes", b64::encode([0x2au8; 31])),
        ("33 bytes", b64::encode([0x2au8; 33])),
        ("padded base64url", format!("{basepoint}=")),
        ("a valid element in the standard base64 alphabet", "jHs1bim9vh21P7tI/DLteU+NMj4rg+AylgXM6g8WQQk".into()),
        ("empty", String::new()),
    ];
    let blinded_elements = blinded
        .into_iter()
        .map(|(comment, blinded)| BlindedElementCase {
            comment: comment.into(),
            error: BlindedElement::from_base64url(&blinded)
                .err()
                .map(|e| e.code().into()),
            blinded,
        })
        .collect();

    Ok(KdfV2Vectors {
        description: "Key derivation of kdf_version 2 (docs/protocol.md section 5.2): the OPRF \
            input (oprf_input_hex) is blinded by the client (RFC 9497 OPRF mode, ristretto255-SHA512, \
            blind = blind_random mod L), evaluated by the server with DeriveKeyPair(OPRF_SEED, \
            key_info) and finalized; seed = HKDF-SHA256(\"\", Argon2id(password = oprf_output, salt, \
            kdf), \"Notary-v2-Ed25519-seed\", 32); Ed25519 key pair from the seed; kid = RFC 7638 \
            thumbprint. `blinded_elements`: what a server refuses in the salt request's `blinded`. \
            Generated by protocol/examples/make_vectors.rs."
            .into(),
        oprf_seed_hex: hex::encode(seed_bytes),
        salt_secret: SALT_SECRET.into(),
        derivations,
        blinded_elements,
    })
}

// ---------------------------------------------------------------------------------------------
// tokens.json: the valid tokens

/// One valid token of each kind: (name, kind, the key in `keys` that signs it).
const VALID: [(&str, TokenKind, &str); 9] = [
    ("signup", TokenKind::Signup, "alice"),
    ("confirm-signup", TokenKind::Confirm, "alice"),
    ("change", TokenKind::Change, "alice-new"),
    ("confirm-change", TokenKind::Confirm, "alice-new"),
    ("disable", TokenKind::Disable, "alice"),
    ("request", TokenKind::Request, "alice"),
    ("assertion", TokenKind::Assertion, "alice"),
    ("session", TokenKind::Session, "alice"),
    ("session-request", TokenKind::SessionRequest, SESSION_KEY),
];

/// The key a session token certifies and that signs the session request. Any Ed25519 key will do (a
/// real one is random, made on the device); bob's keeps the vectors to the keys already listed.
const SESSION_KEY: &str = "bob";
/// The device label of the session token.
const SESSION_LABEL: &str = "Chromium on Linux";

/// Whether `kind` binds an HTTP request (htm, htu, bsh).
fn binds_request(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Request | TokenKind::SessionRequest)
}

/// The request every request token binds.
const ACCOUNT: Call = Call {
    method: "GET",
    path: "/account",
    body: "",
};

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
    let mut tokens = Vec::new();
    for (name, kind, key) in VALID {
        let session_key = pair(pairs, SESSION_KEY)?.public_key();
        tokens.push(valid_token(
            name,
            kind,
            key,
            pair(pairs, key)?,
            session_key,
        )?);
    }
    let maker = Maker::new(pairs, &tokens)?;
    let mut cases = Vec::new();
    for (name, kind, _) in VALID {
        cases.push(maker.case(&Case {
            name: &format!("{name}-verifies"),
            comment: "the valid token, at its `now`",
            audience: audience_of(kind),
            request: binds_request(kind).then_some(ACCOUNT),
            ..valid(name)
        })?);
    }
    for table in [
        TIME,
        AUDIENCE_AND_KIND,
        TYP_AND_ALG,
        ENCODING,
        JSON,
        CLAIMS,
        REQUEST,
        KEYS,
    ] {
        for case in table {
            cases.push(maker.case(case)?);
        }
    }
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
        tokens,
        cases,
    })
}

/// A valid token signed by the crate, with every intermediate value.
fn valid_token(
    name: &str,
    kind: TokenKind,
    key_name: &str,
    key: &KeyPair,
    session_key: &PublicKey,
) -> Res<TokenVector> {
    let alice = Address::from_canonical("alice@example.com")?;
    let jti: [u8; 16] = fixed_bytes(&format!("jti:{name}"))?;
    let claims = Claims::new(&alice, audience_of(kind), IAT, LIFETIME, &jti);
    let claims = match kind {
        TokenKind::Confirm => claims.with_confirmation(
            ConfirmationToken::from_random(&fixed_bytes(&format!("confirmation:{name}"))?).as_str(),
        ),
        TokenKind::Request | TokenKind::SessionRequest => {
            claims.with_request(&http(&ACCOUNT.vector()))
        }
        TokenKind::Session => claims.with_session_key(session_key, Some(SESSION_LABEL)),
        _ => claims,
    };
    let text = token::sign(kind, &claims, key)?;
    let (signing_input, signature) = text.rsplit_once('.').ok_or("no signature")?;
    let (h, c) = signing_input.split_once('.').ok_or("no claims")?;
    let header_json = String::from_utf8(b64::decode(h).ok_or("header b64")?)?;
    let claims_json = String::from_utf8(b64::decode(c).ok_or("claims b64")?)?;
    Ok(TokenVector {
        name: name.into(),
        kind: kind_name(kind),
        key: key_name.into(),
        header: serde_json::from_str(&header_json)?,
        claims: ParsedToken::parse(&text, kind)?.unverified_claims().clone(),
        header_json,
        claims_json,
        signing_input: signing_input.into(),
        signature: signature.into(),
        request: binds_request(kind).then(|| ACCOUNT.vector()),
        token: text,
        now: NOW,
    })
}

fn audience_of(kind: TokenKind) -> &'static str {
    if kind == TokenKind::Assertion {
        THIRD_PARTY
    } else {
        AUDIENCE
    }
}

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

// ---------------------------------------------------------------------------------------------
// tokens.json: the cases, as data
//
// A row names the token a case starts from (`source`), what differs, and what the verifier must
// answer (`expect`). The source is a valid token, a valid token whose text is altered after signing,
// or the base token of a kind, whose header and claims are
//
//     {"alg":"EdDSA","typ":<the kind's typ>,"jwk":<alice's jwk>}   (or "kid":<alice's kid>)
//     {"sub":"alice@example.com","aud":<audience>,"iat":IAT,"exp":EXP,"jti":<16 bytes from `jti`>}
//       + "confirmation" (confirm tokens) or "htm", "htu", "bsh" of GET /account (request tokens)
//
// with the row's `header` and `claims` edits, signed by alice unless `signing` says otherwise. Edit
// values are raw JSON in which `{kid}`, `{jwk}`, `{x}` (alice's), `{mixed_x}`, `{short_jti}`,
// `{confirmation}` and `{long_aud}` stand for the values `Maker::new` gives them. The verifier
// expects the token's own kind at NOW for AUDIENCE, with alice's key for a `kid` (the valid token's
// key for a valid or altered one), unless the row says otherwise. Each negative case has one defect.

#[derive(Clone, Copy)]
struct Case<'a> {
    name: &'a str,
    comment: &'a str,
    source: Source,
    header: &'a [Edit],
    claims: &'a [Edit],
    /// A label: the first 16 bytes of its SHA-256 are the `jti` of a base token.
    jti: &'a str,
    signing: Signing,
    /// The kind the verifying endpoint accepts, when it is not the token's own.
    endpoint: Option<TokenKind>,
    audience: &'a str,
    now: i64,
    /// The request the verified token must bind.
    request: Option<Call>,
    expect: Outcome,
}

#[derive(Clone, Copy)]
enum Source {
    Valid(&'static str),
    Altered(&'static str, Alteration),
    Base(TokenKind),
}

/// What a row does not say.
const CASE: Case<'static> = Case {
    name: "",
    comment: "",
    source: Source::Base(TokenKind::Disable),
    header: &[],
    claims: &[],
    jti: "",
    signing: Signing::By("alice"),
    endpoint: None,
    audience: AUDIENCE,
    now: NOW,
    request: None,
    expect: Outcome::Accepted,
};
const SIGNUP: Case<'static> = Case {
    source: Source::Base(TokenKind::Signup),
    ..CASE
};
const CONFIRM: Case<'static> = Case {
    source: Source::Base(TokenKind::Confirm),
    ..CASE
};
const DISABLE: Case<'static> = Case {
    source: Source::Base(TokenKind::Disable),
    ..CASE
};
const REQUEST_TOKEN: Case<'static> = Case {
    source: Source::Base(TokenKind::Request),
    ..CASE
};
const SESSION: Case<'static> = Case {
    source: Source::Base(TokenKind::Session),
    ..CASE
};

const fn valid(name: &'static str) -> Case<'static> {
    Case {
        source: Source::Valid(name),
        ..CASE
    }
}
const fn altered(name: &'static str, alteration: Alteration) -> Case<'static> {
    Case {
        source: Source::Altered(name, alteration),
        ..CASE
    }
}

/// A change to a JSON object of a base token, whose members keep their order.
#[derive(Clone, Copy)]
enum Edit {
    /// The member gets this raw JSON value where it stands, or is appended.
    Set(&'static str, &'static str),
    /// The member is removed.
    Drop(&'static str),
    /// The member is written a second time, right after the first.
    Repeat(&'static str, &'static str),
    /// The whole text.
    Text(&'static str),
}
use Edit::{Drop, Repeat, Set, Text};

#[derive(Clone, Copy)]
enum Signing {
    /// This key of `keys` signs.
    By(&'static str),
    /// Alice signs, over a header segment written with base64url padding.
    PaddedHeader,
    /// The signature segment is empty.
    Unsigned,
    /// The universal forgery under the identity key: R = identity, S = 0.
    IdentityForgery,
}

#[derive(Clone, Copy)]
enum Alteration {
    /// The signature's last character spelled with a trailing bit set (the same bytes).
    TrailingBit,
    /// `-` and `_` written as standard base64's `+` and `/`.
    StandardAlphabet,
    TwoSegments,
    FourSegments,
    NoHeader,
    SpaceAfterFirstDot,
    /// Three characters cut from the signature.
    SignatureTruncated,
    /// The tenth character from the end changed.
    SignatureChanged,
    /// The claims segment replaced by the base disable claims with this `jti` label.
    ClaimsSwapped(&'static str),
}

/// A request on PUBLIC_URI.
#[derive(Clone, Copy)]
struct Call {
    method: &'static str,
    path: &'static str,
    body: &'static str,
}

impl Call {
    fn vector(self) -> RequestVector {
        RequestVector {
            method: self.method.into(),
            url: format!("{AUDIENCE}{}", self.path),
            body: self.body.into(),
        }
    }
}

fn http(request: &RequestVector) -> HttpRequest<'_> {
    HttpRequest {
        method: &request.method,
        url: &request.url,
        body: request.body.as_bytes(),
    }
}

/// What a verifier reaches: acceptance, or an error at a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused(ErrorKind, Stage),
}

/// `ParsedToken::parse` with its key reference, `ParsedToken::verify`, `check_request`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Parse,
    Verify,
    Request,
}

const fn parse_fails(kind: ErrorKind) -> Outcome {
    Outcome::Refused(kind, Stage::Parse)
}
const fn verify_fails(kind: ErrorKind) -> Outcome {
    Outcome::Refused(kind, Stage::Verify)
}
const fn request_fails(kind: ErrorKind) -> Outcome {
    Outcome::Refused(kind, Stage::Request)
}

use ErrorKind::{
    Expired, InvalidKey, InvalidSignature, InvalidToken, LifetimeTooLong, NotYetValid,
    RequestMismatch, UnsupportedAlgorithm, WeakKey, WrongAudience, WrongTokenType,
};

/// The clock around the signup token's `iat` and `exp`, and lifetimes (section 7.8).
#[rustfmt::skip]
const TIME: &[Case] = &[
    Case { name: "signup-at-exp-plus-59", comment: "accepted until 60 s (the skew) after exp",
           now: EXP + 59, ..valid("signup") },
    Case { name: "signup-at-exp-plus-60", comment: "expired: now >= exp + 60",
           now: EXP + 60, expect: verify_fails(Expired), ..valid("signup") },
    Case { name: "signup-iat-60-s-ahead", comment: "accepted: iat at most 60 s in the future",
           now: IAT - 60, ..valid("signup") },
    Case { name: "signup-iat-61-s-ahead", comment: "not yet valid: iat > now + 60",
           now: IAT - 61, expect: verify_fails(NotYetValid), ..valid("signup") },
    Case { name: "lifetime-301", comment: "exp - iat = 301 > 300", jti: "jti:long",
           claims: &[Set("exp", "1767225901")], expect: verify_fails(LifetimeTooLong), ..SIGNUP },
    Case { name: "lifetime-300", comment: "exp - iat = 300: the longest accepted", jti: "jti:300",
           claims: &[Set("exp", "1767225900")], ..SIGNUP },
    Case { name: "exp-equals-iat", comment: "exp must be after iat", jti: "jti:backwards",
           claims: &[Set("exp", "1767225600")], expect: verify_fails(LifetimeTooLong), ..SIGNUP },
    Case { name: "lifetime-overflow",
           comment: "iat = -2^63, exp = 2^63 - 1: exp - iat does not fit in 64 bits (a wrapping subtraction gives -1)",
           jti: "jti:overflow", claims: &[Set("iat", "-9223372036854775808"), Set("exp", "9223372036854775807")],
           expect: verify_fails(LifetimeTooLong), ..SIGNUP },
];

/// Valid tokens at a verifier that expects another audience or kind.
#[rustfmt::skip]
const AUDIENCE_AND_KIND: &[Case] = &[
    Case { name: "wrong-audience-trailing-slash", comment: "aud is compared as an exact string",
           audience: "http://127.0.0.1:8787/", expect: verify_fails(WrongAudience), ..valid("signup") },
    Case { name: "assertion-at-the-server", comment: "an assertion's aud is the third party, not PUBLIC_URI",
           expect: verify_fails(WrongAudience), ..valid("assertion") },
    Case { name: "disable-as-confirm", comment: "typ names another kind",
           endpoint: Some(TokenKind::Confirm), expect: parse_fails(WrongTokenType), ..valid("disable") },
    Case { name: "signup-as-change", comment: "typ names another kind (both embed a key)",
           endpoint: Some(TokenKind::Change), expect: parse_fails(WrongTokenType), ..valid("signup") },
    Case { name: "request-as-assertion", comment: "typ names another kind",
           endpoint: Some(TokenKind::Assertion), expect: parse_fails(WrongTokenType), ..valid("request") },
    Case { name: "session-request-as-disable", comment: "a session key signs no change of credentials",
           endpoint: Some(TokenKind::Disable), expect: parse_fails(WrongTokenType), ..valid("session-request") },
    Case { name: "session-request-as-session", comment: "a session key certifies no other session key",
           endpoint: Some(TokenKind::Session), expect: parse_fails(WrongTokenType), ..valid("session-request") },
];

/// `typ` and `alg` (sections 7.2 and 7.7).
#[rustfmt::skip]
const TYP_AND_ALG: &[Case] = &[
    Case { name: "typ-jwt", comment: "typ must be the kind's own", jti: "typ-jwt",
           header: &[Set("typ", r#""JWT""#), Drop("kid")], expect: parse_fails(WrongTokenType), ..DISABLE },
    Case { name: "typ-missing", comment: "typ is required", jti: "typ-missing",
           header: &[Drop("typ")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "typ-not-string", comment: "typ is a string: any other JSON value makes the header malformed",
           jti: "typ-not-string", header: &[Set("typ", "true")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "typ-case", comment: "typ is compared exactly", jti: "typ-case",
           header: &[Set("typ", r#""Notary-Disable+JWT""#)], expect: parse_fails(WrongTokenType), ..DISABLE },
    Case { name: "alg-none", comment: "alg none with an empty signature", jti: "alg-none",
           header: &[Set("alg", r#""none""#), Drop("kid")], signing: Signing::Unsigned,
           expect: parse_fails(UnsupportedAlgorithm), ..DISABLE },
    Case { name: "alg-hs256", comment: "alg HS256 (key confusion: an HMAC keyed with the public key)", jti: "alg-hs256",
           header: &[Set("alg", r#""HS256""#)], expect: parse_fails(UnsupportedAlgorithm), ..DISABLE },
    Case { name: "alg-ed25519", comment: "alg must be exactly EdDSA", jti: "alg-ed25519",
           header: &[Set("alg", r#""Ed25519""#)], expect: parse_fails(UnsupportedAlgorithm), ..DISABLE },
    Case { name: "alg-missing", comment: "alg is required", jti: "alg-missing",
           header: &[Drop("alg")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "alg-not-string", comment: "alg is a string: any other JSON value makes the header malformed",
           jti: "alg-not-string", header: &[Set("alg", "1")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "alg-lower-case", comment: "alg is compared exactly", jti: "alg-lower-case",
           header: &[Set("alg", r#""eddsa""#)], expect: parse_fails(UnsupportedAlgorithm), ..DISABLE },
];

/// The compact serialisation and base64url (sections 1 and 7.1).
#[rustfmt::skip]
const ENCODING: &[Case] = &[
    Case { name: "signature-trailing-bits",
           comment: "the signature's last character has a non-zero trailing bit (same bytes, second spelling)",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::TrailingBit) },
    Case { name: "header-padding", comment: "base64url padding '=' in the header segment", jti: "padded",
           signing: Signing::PaddedHeader, expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "standard-base64", comment: "'+' and '/' of standard base64",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::StandardAlphabet) },
    Case { name: "two-segments", comment: "exactly three segments",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::TwoSegments) },
    Case { name: "four-segments", comment: "exactly three segments",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::FourSegments) },
    Case { name: "json-serialisation-dot", comment: "an empty segment",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::NoHeader) },
    Case { name: "white-space", comment: "a space inside the token",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::SpaceAfterFirstDot) },
    Case { name: "too-large", comment: "more than 4096 bytes (checked before anything else)", jti: "jti:big",
           claims: &[Set("aud", r#""{long_aud}""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "signature-truncated", comment: "the signature must be 64 bytes",
           expect: parse_fails(InvalidToken), ..altered("disable", Alteration::SignatureTruncated) },
];

const NOT_A_HEADER_MEMBER: &str = "header members other than alg, typ and kid/jwk are refused";

/// The JSON of header and claims: duplicates, unknown members, arrays, nulls (section 7.1).
#[rustfmt::skip]
const JSON: &[Case] = &[
    Case { name: "duplicate-header-member", comment: "duplicate member names", jti: "dup-h",
           header: &[Repeat("kid", r#""{kid}""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "duplicate-claim", comment: "duplicate member names", jti: "jti:dup",
           claims: &[Repeat("sub", r#""bob@example.com""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-jku", comment: NOT_A_HEADER_MEMBER, jti: "jku",
           header: &[Set("jku", r#""https://attacker.example/keys""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-x5u", comment: NOT_A_HEADER_MEMBER, jti: "x5u",
           header: &[Set("x5u", r#""https://attacker.example/cert""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-x5c", comment: NOT_A_HEADER_MEMBER, jti: "x5c",
           header: &[Set("x5c", r#""MIIB""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-crit", comment: NOT_A_HEADER_MEMBER, jti: "crit",
           header: &[Set("crit", r#""exp""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-cty", comment: NOT_A_HEADER_MEMBER, jti: "cty",
           header: &[Set("cty", r#""JWT""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-crit-array", comment: "crit in its usual array form", jti: "crit-array",
           header: &[Set("crit", r#"["exp"]"#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-array", comment: "the header must be a JSON object (not an array of its values)", jti: "array",
           header: &[Text(r#"["EdDSA","notary-disable+jwt","{kid}"]"#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-null-member", comment: "null is not a value of any member", jti: "null",
           header: &[Set("jwk", "null")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "unknown-claim", comment: "claims other than the protocol's are refused", jti: "jti:unknown",
           claims: &[Set("admin", "true")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "iat-not-integer", comment: "iat and exp are integers", jti: "jti:float",
           claims: &[Set("iat", "1767225600.0")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "aud-array", comment: "aud is one string, never an array", jti: "jti:aud-array",
           claims: &[Set("aud", r#"["http://127.0.0.1:8787"]"#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "header-white-space-and-order",
           comment: "accepted: JSON white space and member order are free (the signature covers the bytes as sent)",
           jti: "spaced", header: &[Text(r#"{ "typ": "notary-disable+jwt", "alg": "EdDSA", "kid": "{kid}" }"#)],
           ..DISABLE },
];

/// The claims' shapes (sections 7.3 and 7.7 step 11).
#[rustfmt::skip]
const CLAIMS: &[Case] = &[
    Case { name: "sub-not-canonical", comment: "sub must be the canonical address", jti: "jti:upper",
           claims: &[Set("sub", r#""Alice@example.com""#)], expect: verify_fails(InvalidToken), ..DISABLE },
    Case { name: "jti-15-bytes", comment: "jti needs at least 128 bits",
           claims: &[Set("jti", r#""{short_jti}""#)], expect: verify_fails(InvalidToken), ..DISABLE },
    Case { name: "jti-missing", comment: "jti is required",
           claims: &[Drop("jti")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "exp-missing", comment: "exp is required", jti: "jti:no-exp",
           claims: &[Drop("exp")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "iat-exponent", comment: "integers are written without exponent, even when the value is whole (1767225600)",
           jti: "iat-exponent", claims: &[Set("iat", "17672256e2")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "iat-negative-zero", comment: "-0 is refused (RFC 8259 allows it; the reference parser reads it as a float, not an integer)",
           jti: "iat-negative-zero", claims: &[Set("iat", "-0")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "iat-string", comment: "iat is a JSON number, not a string", jti: "iat-string",
           claims: &[Set("iat", r#""1767225600""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "exp-beyond-i64", comment: "exp = 2^63 is outside the signed 64-bit range", jti: "exp-beyond-i64",
           claims: &[Set("exp", "9223372036854775808")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "iat-below-i64", comment: "iat = -2^63 - 1 is outside the signed 64-bit range", jti: "iat-below-i64",
           claims: &[Set("iat", "-9223372036854775809")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "confirm-without-confirmation", comment: "a confirm token carries the emailed token", jti: "confirm-none",
           claims: &[Drop("confirmation")], expect: verify_fails(InvalidToken), ..CONFIRM },
    Case { name: "confirmation-malformed", comment: "the confirmation claim is 32 bytes of base64url", jti: "jti:bad-confirmation",
           claims: &[Set("confirmation", r#""short""#)], expect: verify_fails(InvalidToken), ..CONFIRM },
    Case { name: "signup-with-confirmation", comment: "claims of another kind are refused", jti: "jti:signup-confirmation",
           claims: &[Set("confirmation", r#""{confirmation}""#)], expect: verify_fails(InvalidToken), ..SIGNUP },
    Case { name: "request-without-bsh", comment: "request tokens carry htm, htu and bsh", jti: "jti:no-bsh",
           claims: &[Drop("bsh")], expect: verify_fails(InvalidToken), ..REQUEST_TOKEN },
    Case { name: "session-without-cnf", comment: "a session token carries the session key in cnf", jti: "jti:no-cnf",
           claims: &[Drop("cnf")], expect: verify_fails(InvalidToken), ..SESSION },
    Case { name: "session-cnf-weak-key", comment: "the certified key is validated like any other: a small-order point",
           jti: "jti:weak-cnf", claims: &[Set("cnf", r#"{"jwk":{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}"#)],
           expect: verify_fails(WeakKey), ..SESSION },
    Case { name: "session-cnf-extra-member", comment: "cnf holds jwk and nothing else", jti: "jti:cnf-extra",
           claims: &[Set("cnf", r#"{"jwk":{jwk},"kid":"{kid}"}"#)], expect: parse_fails(InvalidToken), ..SESSION },
    Case { name: "session-label-empty", comment: "a label has 1 to 64 characters", jti: "jti:label-empty",
           claims: &[Set("label", r#""""#)], expect: verify_fails(InvalidToken), ..SESSION },
    Case { name: "session-label-control", comment: "a label has no control characters", jti: "jti:label-control",
           claims: &[Set("label", r#""Chromium\nLinux""#)], expect: verify_fails(InvalidToken), ..SESSION },
    Case { name: "session-label-bidi-override", comment: "a label has no format characters (here U+202E, which reverses what follows)",
           jti: "jti:label-bidi", claims: &[Set("label", r#""Chromium \u202eedoM xuniL""#)], expect: verify_fails(InvalidToken), ..SESSION },
    Case { name: "session-without-label", comment: "the label is optional", jti: "jti:no-label", ..SESSION },
    Case { name: "disable-with-cnf", comment: "cnf belongs to session tokens only", jti: "jti:disable-cnf",
           claims: &[Set("cnf", r#"{"jwk":{jwk}}"#)], expect: verify_fails(InvalidToken), ..DISABLE },
];

/// The request token at other requests than the one it binds (section 7.10).
#[rustfmt::skip]
const REQUEST: &[Case] = &[
    Case { name: "request-other-method", comment: "the method differs",
           request: Some(Call { method: "POST", ..ACCOUNT }), expect: request_fails(RequestMismatch), ..valid("request") },
    Case { name: "request-other-url", comment: "the URL differs (query string added)",
           request: Some(Call { path: "/account?x=1", ..ACCOUNT }), expect: request_fails(RequestMismatch), ..valid("request") },
    Case { name: "request-other-body", comment: "the body differs",
           request: Some(Call { body: "{}", ..ACCOUNT }), expect: request_fails(RequestMismatch), ..valid("request") },
];

/// Signatures, key references and embedded keys (sections 6 and 7.2). The `x` of each JWK is
/// spelled out, with its bytes in a comment when they matter.
#[rustfmt::skip]
const KEYS: &[Case] = &[
    Case { name: "signed-by-another-key", comment: "kid names alice, bob signed", jti: "bob-signed",
           signing: Signing::By("bob"), expect: verify_fails(InvalidSignature), ..DISABLE },
    Case { name: "signature-altered", comment: "one signature character changed",
           expect: verify_fails(InvalidSignature), ..altered("disable", Alteration::SignatureChanged) },
    Case { name: "claims-swapped", comment: "the signature covers the claims",
           expect: verify_fails(InvalidSignature), ..altered("disable", Alteration::ClaimsSwapped("swapped")) },
    Case { name: "signup-with-kid", comment: "signup must embed its key as jwk", jti: "signup-kid",
           header: &[Drop("jwk"), Set("kid", r#""{kid}""#)], expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "disable-with-jwk", comment: "only signup and change embed a key", jti: "disable-jwk",
           header: &[Drop("kid"), Set("jwk", "{jwk}")], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "signup-with-jwk-and-kid", comment: "one of jwk or kid, never both", jti: "both",
           header: &[Drop("jwk"), Set("kid", r#""{kid}""#), Set("jwk", "{jwk}")], expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "kid-malformed", comment: "kid is a 32-byte thumbprint", jti: "kid-bad",
           header: &[Set("kid", r#""alice""#)], expect: parse_fails(InvalidToken), ..DISABLE },
    Case { name: "jwk-with-private-part", comment: "the jwk has exactly kty, crv and x", jti: "jwk-d",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)],
           expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "jwk-with-kid", comment: "the jwk has exactly kty, crv and x, not even RFC 7517's kid", jti: "jwk-kid",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"{x}","kid":"{kid}"}"#)],
           expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "jwk-without-x", comment: "the jwk has exactly kty, crv and x", jti: "jwk-no-x",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519"}"#)], expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "jwk-x-not-string", comment: "x is a string", jti: "jwk-x-number",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":42}"#)], expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "jwk-not-object", comment: "the jwk is a JSON object, not the JWK serialised into a string", jti: "jwk-string",
           header: &[Set("jwk", r#""{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"{x}\"}""#)],
           expect: parse_fails(InvalidToken), ..SIGNUP },
    Case { name: "jwk-kty-ec", comment: "kty must be OKP", jti: "jwk-ec",
           header: &[Set("jwk", r#"{"kty":"EC","crv":"Ed25519","x":"{x}"}"#)], expect: parse_fails(InvalidKey), ..SIGNUP },
    Case { name: "jwk-x25519", comment: "crv must be Ed25519", jti: "x25519",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"X25519","x":"{x}"}"#)], expect: parse_fails(InvalidKey), ..SIGNUP },
    // x = 01 00 .. 00
    Case { name: "jwk-identity-point",
           comment: "small-order key (the identity) with the universal forgery R = identity, S = 0, which lax verifiers accept",
           jti: "identity", signing: Signing::IdentityForgery,
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)],
           expect: parse_fails(WeakKey), ..SIGNUP },
    // x = ORDER_8
    Case { name: "jwk-order-8-point", comment: "small-order key", jti: "order8",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"xxdqcD1N2E-6PAt2DRBnDyogU_osOczGTsf9d5KsA3o"}"#)],
           expect: parse_fails(WeakKey), ..SIGNUP },
    Case { name: "jwk-mixed-order", comment: "alice's key plus a point of order 8", jti: "mixed",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"{mixed_x}"}"#)], expect: parse_fails(WeakKey), ..SIGNUP },
    // x = ed ff .. ff 7f
    Case { name: "jwk-non-canonical", comment: "y = p (non-canonical encoding of y = 0)", jti: "noncanonical",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"7f_______________________________________38"}"#)],
           expect: parse_fails(WeakKey), ..SIGNUP },
    // x = 02 00 .. 00
    Case { name: "jwk-off-curve", comment: "y = 2 is not on the curve", jti: "off-curve",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)],
           expect: parse_fails(InvalidKey), ..SIGNUP },
    // x = 31 bytes 09
    Case { name: "jwk-short", comment: "x must be 32 bytes", jti: "short-x",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQ"}"#)],
           expect: parse_fails(InvalidKey), ..SIGNUP },
    Case { name: "jwk-long", comment: "x must be 32 bytes (alice's key and one byte more)", jti: "long-x",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"{x}A"}"#)], expect: parse_fails(InvalidKey), ..SIGNUP },
    // alice's x with its last character E written as F
    Case { name: "jwk-x-trailing-bits", comment: "x is canonical base64url: the same 32 bytes with a trailing bit set",
           jti: "x-trailing-bits",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"uowYijXsLfKkCeRxG4KcYCPWzofQnYTZafSLQhZJJEF"}"#)],
           expect: parse_fails(InvalidKey), ..SIGNUP },
    Case { name: "jwk-x-padded", comment: "x is unpadded base64url", jti: "x-padded",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"{x}="}"#)], expect: parse_fails(InvalidKey), ..SIGNUP },
    // x = 01 00 .. 00 80
    Case { name: "jwk-identity-sign-bit", comment: "x = 0 with the sign bit set: a non-canonical encoding of the identity",
           jti: "identity-sign-bit",
           header: &[Set("jwk", r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIA"}"#)],
           expect: parse_fails(WeakKey), ..SIGNUP },
];

/// A point of order 8 (hex). Added to alice's key it gives `{mixed_x}`.
const ORDER_8: &str = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";

/// Builds the rows' tokens and runs the crate on them.
struct Maker<'a> {
    pairs: &'a [(String, KeyPair)],
    valid: &'a [TokenVector],
    /// The placeholders of the rows' JSON and the values they stand for.
    values: Vec<(&'static str, String)>,
}

/// JSON object members in order: (name, raw JSON value).
type Members = Vec<(&'static str, String)>;

impl<'a> Maker<'a> {
    fn new(pairs: &'a [(String, KeyPair)], valid: &'a [TokenVector]) -> Res<Self> {
        let alice = pair(pairs, "alice")?.public_key();
        let mixed = mixed_order_key(alice, &hex::decode(ORDER_8)?)?;
        let values = vec![
            ("{kid}", alice.key_id().as_str().to_owned()),
            ("{jwk}", serde_json::to_string(&alice.to_jwk())?),
            ("{x}", alice.to_jwk().x),
            ("{mixed_x}", b64::encode(mixed)),
            ("{short_jti}", b64::encode(fixed_bytes::<15>("jti:short")?)),
            (
                "{confirmation}",
                b64::encode(fixed_bytes::<32>("confirmation:stray")?),
            ),
            ("{long_aud}", "a".repeat(4000)),
        ];
        Ok(Self {
            pairs,
            valid,
            values,
        })
    }

    /// The row's vector, once the crate has reached the answer the row expects.
    fn case(&self, case: &Case<'_>) -> Res<TokenCase> {
        let is_base = matches!(case.source, Source::Base(_));
        if !is_base && (!case.header.is_empty() || !case.claims.is_empty() || !case.jti.is_empty())
        {
            return Err(format!("{}: only a base token has edits", case.name).into());
        }
        let (token, kind, key) = match case.source {
            Source::Valid(name) | Source::Altered(name, _) => {
                let valid = VALID.iter().find(|(n, ..)| *n == name);
                let &(_, kind, key) = valid.ok_or_else(|| format!("no valid token {name}"))?;
                let token = &self
                    .valid
                    .iter()
                    .find(|v| v.name == name)
                    .ok_or("token")?
                    .token;
                let token = match case.source {
                    Source::Altered(_, alteration) => self.alter(token, alteration)?,
                    _ => token.clone(),
                };
                (token, kind, key)
            }
            Source::Base(kind) => (self.forge(kind, case)?, kind, "alice"),
        };
        let expected = case.endpoint.unwrap_or(kind);
        let key = (!expected.embeds_key()).then_some(key);
        let request = case.request.map(Call::vector);
        let verifier_key = key.map(|name| pair(self.pairs, name)).transpose()?;
        let outcome = evaluate(
            &token,
            expected,
            verifier_key.map(KeyPair::public_key),
            case.audience,
            case.now,
            request.as_ref(),
        )?;
        if outcome != case.expect {
            let name = case.name;
            return Err(format!(
                "{name}: the crate gives {outcome:?}, the row {:?}",
                case.expect
            )
            .into());
        }
        let (error, stage) = match outcome {
            Outcome::Accepted => (None, None),
            Outcome::Refused(error, stage) => (
                Some(error.code().into()),
                Some(format!("{stage:?}").to_lowercase()),
            ),
        };
        Ok(TokenCase {
            name: case.name.into(),
            comment: case.comment.into(),
            token,
            expected_kind: kind_name(expected),
            key: key.map(Into::into),
            audience: case.audience.into(),
            now: case.now,
            request,
            error,
            stage,
        })
    }

    fn fill(&self, template: &str) -> String {
        let fill = |text: String, (name, value): &(&str, String)| text.replace(name, value);
        self.values.iter().fold(template.to_owned(), fill)
    }

    /// The base token of `kind` with the row's edits, signed as the row says.
    fn forge(&self, kind: TokenKind, case: &Case<'_>) -> Res<String> {
        let (header, claims) = self.base(kind, case.jti)?;
        let header = self.json(header, case.header)?;
        let claims = b64::encode(self.json(claims, case.claims)?);
        let header = match case.signing {
            Signing::PaddedHeader => base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE,
                header.as_bytes(),
            ),
            _ => b64::encode(header),
        };
        let input = format!("{header}.{claims}");
        let signature = match case.signing {
            Signing::By(name) => b64::encode(pair(self.pairs, name)?.sign(input.as_bytes())),
            Signing::PaddedHeader => b64::encode(pair(self.pairs, "alice")?.sign(input.as_bytes())),
            Signing::Unsigned => String::new(),
            Signing::IdentityForgery => {
                b64::encode(std::array::from_fn::<u8, 64, _>(|i| u8::from(i == 0)))
            }
        };
        Ok(format!("{input}.{signature}"))
    }

    /// The members of the base header and claims of `kind`.
    fn base(&self, kind: TokenKind, jti: &str) -> Res<(Members, Members)> {
        let text = |value: &str| serde_json::to_string(value);
        let alice = pair(self.pairs, "alice")?.public_key();
        let key = match kind.embeds_key() {
            true => ("jwk", serde_json::to_string(&alice.to_jwk())?),
            false => ("kid", text(alice.key_id().as_str())?),
        };
        let header = vec![("alg", text("EdDSA")?), ("typ", text(kind.typ())?), key];
        let mut claims = vec![
            ("sub", text("alice@example.com")?),
            ("aud", text(audience_of(kind))?),
            ("iat", IAT.to_string()),
            ("exp", EXP.to_string()),
            ("jti", text(&b64::encode(fixed_bytes::<16>(jti)?))?),
        ];
        let request = ACCOUNT.vector();
        match kind {
            TokenKind::Confirm => {
                claims.push(("confirmation", text(&self.fill("{confirmation}"))?))
            }
            TokenKind::Request | TokenKind::SessionRequest => claims.extend([
                ("htm", text(&request.method)?),
                ("htu", text(&request.url)?),
                ("bsh", text(&token::body_hash(request.body.as_bytes()))?),
            ]),
            TokenKind::Session => {
                let session_key = pair(self.pairs, SESSION_KEY)?.public_key();
                claims.push((
                    "cnf",
                    format!(
                        r#"{{"jwk":{}}}"#,
                        serde_json::to_string(&session_key.to_jwk())?
                    ),
                ));
            }
            _ => {}
        }
        Ok((header, claims))
    }

    /// The JSON text of `members` after `edits`.
    fn json(&self, mut members: Members, edits: &[Edit]) -> Res<String> {
        let find = |members: &Members, name: &str| members.iter().position(|(n, _)| *n == name);
        for edit in edits {
            match *edit {
                Set(name, value) => match find(&members, name).and_then(|at| members.get_mut(at)) {
                    Some(member) => member.1 = self.fill(value),
                    None => members.push((name, self.fill(value))),
                },
                Drop(name) => {
                    members.remove(find(&members, name).ok_or("no member to drop")?);
                }
                Repeat(name, value) => {
                    let at = find(&members, name).ok_or("no member to repeat")? + 1;
                    members.insert(at, (name, self.fill(value)));
                }
                Text(text) => return Ok(self.fill(text)),
            }
        }
        let members: Vec<String> = members
            .iter()
            .map(|(name, value)| format!("\"{name}\":{value}"))
            .collect();
        Ok(format!("{{{}}}", members.join(",")))
    }

    fn alter(&self, token: &str, alteration: Alteration) -> Res<String> {
        let (input, signature) = token.rsplit_once('.').ok_or("no signature")?;
        let (header, _) = input.split_once('.').ok_or("no claims")?;
        let altered = match alteration {
            Alteration::TrailingBit => {
                // 64 bytes are 86 characters whose last one carries 2 bits and 4 zero bits: the next
                // character of the alphabet spells the same bytes with a trailing bit set.
                const ALPHABET: &str =
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let (rest, last) = token.split_at_checked(token.len() - 1).ok_or("empty")?;
                let next = ALPHABET.find(last).and_then(|i| ALPHABET.get(i + 1..i + 2));
                format!("{rest}{}", next.ok_or("alphabet")?)
            }
            Alteration::StandardAlphabet => token.replace('-', "+").replace('_', "/"),
            Alteration::TwoSegments => input.to_owned(),
            Alteration::FourSegments => format!("{token}.AAAA"),
            Alteration::NoHeader => token.strip_prefix(header).ok_or("header")?.to_owned(),
            Alteration::SpaceAfterFirstDot => token.replacen('.', ". ", 1),
            Alteration::SignatureTruncated => token.get(..token.len() - 3).ok_or("short")?.into(),
            Alteration::SignatureChanged => {
                let mut bytes = token.as_bytes().to_vec();
                let at = bytes.len() - 10;
                let c = bytes.get_mut(at).ok_or("short")?;
                *c = if *c == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes)?
            }
            Alteration::ClaimsSwapped(jti) => {
                let (_, claims) = self.base(TokenKind::Disable, jti)?;
                let claims = b64::encode(self.json(claims, &[])?);
                format!("{header}.{claims}.{signature}")
            }
        };
        if altered == token {
            return Err("the alteration changes nothing".into());
        }
        Ok(altered)
    }
}

/// What the crate answers for a token, run the way tests/vectors/README.md describes.
fn evaluate(
    text: &str,
    expected: TokenKind,
    key: Option<&PublicKey>,
    audience: &str,
    now: i64,
    request: Option<&RequestVector>,
) -> Res<Outcome> {
    let parsed = match ParsedToken::parse(text, expected) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(parse_fails(e.kind())),
    };
    let key = match (parsed.key_ref(), key) {
        (KeyRef::Embedded(embedded), _) => *embedded,
        (KeyRef::Registered(_), Some(key)) => *key,
        (KeyRef::Registered(_), None) => return Err("a kid and no key to verify with".into()),
    };
    let expect = Expectations { audience, now };
    let verified = match parsed.verify(&key, &expect) {
        Ok(verified) => verified,
        Err(e) => return Ok(verify_fails(e.kind())),
    };
    match request.map(|request| verified.check_request(&http(request))) {
        Some(Err(e)) => Ok(request_fails(e.kind())),
        _ => Ok(Outcome::Accepted),
    }
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
            (Idempotency-Key: 16 random bytes, base64url; Notary-Signature: t=<unix>,\
            v1=<hex HMAC-SHA256(UTF-8 confirmation_secret, \"<t>.\" || raw body)>). Generated by \
            protocol/examples/make_vectors.rs."
            .into(),
        tokens,
        links,
        delivery: DeliveryExample {
            confirmation_secret: CONFIRMATION_SECRET.into(),
            // As the worker makes it (edge-worker/src/time.rs random_id): 16 bytes, base64url.
            idempotency_key: b64::encode(fixed_bytes::<16>("idempotency:signup")?),
            timestamp,
            body,
            signature_header,
        },
    })
}

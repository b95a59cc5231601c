//! Published known-answer tests for the primitives and formats the protocol is built on, each with
//! the section it comes from. They prove the crates underneath (ed25519-dalek, argon2, sha2) and our
//! JWK, thumbprint and JWS code against the standards; tests/vectors.rs then pins our own
//! compositions.

// Test code: clippy.toml allows these inside #[test] functions; the helpers here are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use protocol::b64;
use protocol::keys::{Jwk, KeyPair, PublicKey, Seed};
use protocol::token::dangerous;
use protocol::ErrorKind;
use sha2::{Digest, Sha256};

fn bytes<const N: usize>(hex_text: &str) -> [u8; N] {
    hex::decode(hex_text).unwrap().try_into().unwrap()
}

// -------------------------------------------------------------------------------------------------
// RFC 8032 section 7.1: test vectors for Ed25519.

struct Rfc8032 {
    name: &'static str,
    secret: &'static str,
    public: &'static str,
    message: Message,
    signature: &'static str,
}

enum Message {
    Hex(&'static str),
    /// TEST 1024's 1023-byte message is taken from Wycheproof's copy of the same vector (tcId 83,
    /// "draft-josefsson-eddsa-ed25519-02: Test 1024"), whose public key and signature this test also
    /// compares with the RFC's.
    WycheproofTc(usize),
}

const RFC8032: [Rfc8032; 5] = [
    Rfc8032 {
        name: "TEST 1",
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: Message::Hex(""),
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    Rfc8032 {
        name: "TEST 2",
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: Message::Hex("72"),
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
    Rfc8032 {
        name: "TEST 3",
        secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: Message::Hex("af82"),
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    },
    Rfc8032 {
        name: "TEST 1024",
        secret: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        public: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        message: Message::WycheproofTc(83),
        signature: "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    },
    Rfc8032 {
        name: "TEST SHA(abc)",
        secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        // The message is SHA-512("abc").
        message: Message::Hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    },
];

fn wycheproof_ed25519() -> wycheproof::eddsa::TestSet {
    wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap()
}

#[test]
fn rfc8032_section_7_1_ed25519() {
    let wycheproof = wycheproof_ed25519();
    for v in &RFC8032 {
        let message = match v.message {
            Message::Hex(text) => hex::decode(text).unwrap(),
            Message::WycheproofTc(id) => {
                let (group, test) = wycheproof
                    .test_groups
                    .iter()
                    .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
                    .find(|(_, t)| t.tc_id == id)
                    .unwrap();
                assert!(test.comment.ends_with(v.name.trim_start_matches("TEST ")));
                assert_eq!(hex::encode(&group.key.pk[..]), v.public, "{}", v.name);
                assert_eq!(hex::encode(&test.sig[..]), v.signature, "{}", v.name);
                test.msg.to_vec()
            }
        };
        if v.name == "TEST 1024" {
            assert_eq!(message.len(), 1023);
        }
        if v.name == "TEST SHA(abc)" {
            assert_eq!(message, sha2::Sha512::digest(b"abc").to_vec());
        }
        let pair = KeyPair::from_seed(&Seed::from_bytes(bytes(v.secret)));
        assert_eq!(
            hex::encode(pair.public_key().to_bytes()),
            v.public,
            "{}",
            v.name
        );
        let signature = pair.sign(&message);
        assert_eq!(hex::encode(signature), v.signature, "{}", v.name);
        // Verification through the registration checks and strict verification.
        let public = PublicKey::from_bytes(&bytes(v.public)).unwrap();
        assert!(public.verify(&message, &signature).is_ok(), "{}", v.name);
        let mut other = message.clone();
        other.push(0);
        assert!(public.verify(&other, &signature).is_err(), "{}", v.name);
    }
}

// -------------------------------------------------------------------------------------------------
// RFC 9106 section 5.3: the Argon2id test vector (version 0x13, with secret and associated data).

#[test]
fn rfc9106_section_5_3_argon2id() {
    let password = [0x01u8; 32];
    let salt = [0x02u8; 16];
    let secret = [0x03u8; 8];
    let associated_data = [0x04u8; 12];
    let params = argon2::ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .data(argon2::AssociatedData::new(&associated_data).unwrap())
        .output_len(32)
        .build()
        .unwrap();
    let argon2 = argon2::Argon2::new_with_secret(
        &secret,
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    )
    .unwrap();
    let mut tag = [0u8; 32];
    argon2
        .hash_password_into(&password, &salt, &mut tag)
        .unwrap();
    assert_eq!(
        hex::encode(tag),
        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
    );
}

// -------------------------------------------------------------------------------------------------
// RFC 8037 appendix A: Ed25519 JWKs, thumbprint and JWS.

/// A.1: the private key `d` and its public `x`.
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn rfc8037_pair() -> KeyPair {
    KeyPair::from_seed(&Seed::from_bytes(b64::decode_array(RFC8037_D).unwrap()))
}

#[test]
fn rfc8037_a1_a2_private_and_public_key() {
    // A.1: {"kty":"OKP","crv":"Ed25519","d":"nWGx...","x":"11qY..."}; A.2: the same without d.
    let pair = rfc8037_pair();
    let jwk = pair.public_key().to_jwk();
    assert_eq!(
        serde_json::to_string(&jwk).unwrap(),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{RFC8037_X}"}}"#)
    );
    let parsed: Jwk = serde_json::from_str(
        r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
    )
    .unwrap();
    assert_eq!(PublicKey::from_jwk(&parsed).unwrap(), *pair.public_key());
    // A JWK with the private member is not a public key of this protocol.
    assert!(serde_json::from_str::<Jwk>(&format!(
        r#"{{"kty":"OKP","crv":"Ed25519","d":"{RFC8037_D}","x":"{RFC8037_X}"}}"#
    ))
    .is_err());
}

#[test]
fn rfc8037_a3_thumbprint() {
    // A.3: the canonical JSON and its SHA-256, in hex and base64url.
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{RFC8037_X}"}}"#);
    let digest = Sha256::digest(canonical.as_bytes());
    assert_eq!(
        hex::encode(digest),
        "90facafea9b1556698540f70c0117a22ea37bd5cf3ed3c47093c1707282b4b89"
    );
    assert_eq!(
        rfc8037_pair().public_key().key_id().as_str(),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
    assert_eq!(
        b64::encode(digest),
        "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    );
}

#[test]
fn rfc8037_a4_ed25519_signing() {
    // A.4: protected header {"alg":"EdDSA"}, payload "Example of Ed25519 signing".
    let header = b64::encode(r#"{"alg":"EdDSA"}"#);
    let payload = b64::encode("Example of Ed25519 signing");
    assert_eq!(header, "eyJhbGciOiJFZERTQSJ9");
    assert_eq!(payload, "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
    let signing_input = format!("{header}.{payload}");
    let pair = rfc8037_pair();
    let signature = pair.sign(signing_input.as_bytes());
    let expected =
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    assert_eq!(b64::encode(signature), expected);
    let compact = format!("{signing_input}.{expected}");
    assert_eq!(
        compact,
        "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
    // A.4's validation: the signature verifies under A.2's key.
    assert!(pair
        .public_key()
        .verify(signing_input.as_bytes(), &signature)
        .is_ok());
    // A valid generic JWS is still not a Notary token: it has no typ (and a payload that is not our
    // claims), so the parser refuses it.
    assert_eq!(
        dangerous::parse_any_kind(&compact).unwrap_err().kind(),
        ErrorKind::InvalidToken
    );
}

// -------------------------------------------------------------------------------------------------
// RFC 7638 section 3.1: the thumbprint construction, on the RFC's RSA example.

/// RFC 7638 section 3.2: the required members only, in lexicographic order of their names, no white
/// space, values as JSON strings; then SHA-256 and base64url.
fn rfc7638_thumbprint(required_members: &[(&str, &str)]) -> String {
    let mut members = required_members.to_vec();
    members.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = members
        .iter()
        .map(|(name, value)| {
            format!(
                "{}:{}",
                serde_json::to_string(name).unwrap(),
                serde_json::to_string(value).unwrap()
            )
        })
        .collect();
    b64::encode(Sha256::digest(format!("{{{}}}", body.join(",")).as_bytes()))
}

#[test]
fn rfc7638_section_3_1_thumbprint() {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    // The key also has "alg":"RS256" and "kid":"2011-04-29", which are not required members.
    let thumbprint = rfc7638_thumbprint(&[("kty", "RSA"), ("n", n), ("e", "AQAB")]);
    assert_eq!(thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    // The same construction over an OKP key's required members (RFC 8037 section 2) is our key id.
    let pair = rfc8037_pair();
    let jwk = pair.public_key().to_jwk();
    assert_eq!(
        rfc7638_thumbprint(&[("kty", &jwk.kty), ("crv", &jwk.crv), ("x", &jwk.x)]),
        pair.public_key().key_id().as_str()
    );
}

// -------------------------------------------------------------------------------------------------
// Wycheproof eddsa_test (Ed25519), as carried by the `wycheproof` crate.

#[test]
fn wycheproof_ed25519_verification() {
    let set = wycheproof_ed25519();
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        // Every public key in the set is a proper key that our registration rules accept: the
        // set's hostile inputs are all in the signatures.
        let pk: [u8; 32] = group.key.pk[..].try_into().unwrap();
        let public = PublicKey::from_bytes(&pk)
            .unwrap_or_else(|e| panic!("group key {}: {e}", hex::encode(pk)));
        for test in &group.tests {
            let verdict = <[u8; 64]>::try_from(&test.sig[..])
                .ok()
                .map(|signature| public.verify(&test.msg, &signature));
            match test.result {
                wycheproof::TestResult::Valid => {
                    assert!(
                        matches!(verdict, Some(Ok(()))),
                        "tcId {} ({}) must verify",
                        test.tc_id,
                        test.comment
                    );
                    valid += 1;
                }
                wycheproof::TestResult::Invalid => {
                    assert!(
                        !matches!(verdict, Some(Ok(()))),
                        "tcId {} ({}) must be rejected",
                        test.tc_id,
                        test.comment
                    );
                    invalid += 1;
                }
                wycheproof::TestResult::Acceptable => {
                    panic!(
                        "tcId {}: the Ed25519 set has no acceptable cases",
                        test.tc_id
                    )
                }
            }
        }
    }
    assert_eq!(valid + invalid, set.number_of_tests);
    assert!(
        valid > 50 && invalid > 50,
        "{valid} valid, {invalid} invalid"
    );
}

//! The client's Ed25519 signer (run-time basepoint table) against RFC 8032's test vectors and against
//! ed25519-dalek's own signer (`protocol::keys::KeyPair`), in WebAssembly.
#![cfg(target_arch = "wasm32")]
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::signer::Ed25519Key;
use protocol::kdf::Seed;
use protocol::keys::{KeyPair, Signer as _};
use wasm_bindgen_test::wasm_bindgen_test;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn seed(bytes: &[u8]) -> Seed {
    Seed::from_bytes(bytes.try_into().expect("32 bytes"))
}

/// RFC 8032 section 7.1, TEST 1 to 3: (secret key, public key, message, signature).
const RFC8032: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[wasm_bindgen_test]
fn rfc8032_test_vectors() {
    for (secret, public, message, signature) in RFC8032 {
        let key = Ed25519Key::from_seed(&seed(&hex(secret))).expect("key");
        assert_eq!(key.public_key().to_bytes().to_vec(), hex(public));
        assert_eq!(key.sign(&hex(message)).to_vec(), hex(signature));
    }
}

#[wasm_bindgen_test]
fn signs_exactly_as_ed25519_dalek_and_verifies_strictly() {
    // Seeds and messages from a simple generator: every byte value, every length up to 300.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 24) as u8
    };
    for round in 0..40 {
        let seed_bytes: Vec<u8> = (0..32).map(|_| next()).collect();
        let ours = Ed25519Key::from_seed(&seed(&seed_bytes)).expect("key");
        let dalek = KeyPair::from_seed(&seed(&seed_bytes));
        assert_eq!(ours.public_key(), dalek.public_key(), "round {round}");
        for length in [0, 1, 31, 32, 33, 64, 111, 112, 113, 127, 128, 129, 300] {
            let message: Vec<u8> = (0..length).map(|_| next()).collect();
            let signature = ours.sign(&message);
            assert_eq!(
                signature,
                dalek.sign(&message),
                "round {round}, {length} bytes"
            );
            assert!(ours.public_key().verify(&message, &signature).is_ok());
            let mut altered = message.clone();
            altered.push(1);
            assert!(ours.public_key().verify(&altered, &signature).is_err());
        }
    }
}

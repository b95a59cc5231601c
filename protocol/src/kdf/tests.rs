//! The parameters' bounds, the password's rules, and the Argon2id of this build (the scalar kernel
//! natively and in plain WebAssembly, the SIMD kernel with `simd128`) against RustCrypto's `argon2`
//! crate, itself checked against RFC 9106's vector in tests/kat.rs: many small parameter sets, odd
//! memory sizes and several lanes, and the floor. In WebAssembly these run under Node through
//! wasm-bindgen-test (scripts/test.sh, once per build):
//!
//!     cargo test -p notary-protocol --lib --target wasm32-unknown-unknown
//!     RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/client-wasm/simd-test \
//!       cargo test --release -p notary-protocol --lib --target wasm32-unknown-unknown
#![cfg(feature = "kdf")]

use super::*;
use crate::keys::Seed;
use crate::salt::Salt;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn params(m: u32, t: u32, p: u32) -> KdfParams {
    KdfParams {
        memory_kib: m,
        iterations: t,
        parallelism: p,
        ..KdfParams::CURRENT
    }
}

/// RustCrypto's Argon2id with the same parameters: the reference.
fn reference(password: &[u8], salt: &[u8], m: u32, t: u32, p: u32) -> [u8; 32] {
    let params = ::argon2::Params::new(m, t, p, Some(32)).unwrap();
    let argon2 = ::argon2::Argon2::new(
        ::argon2::Algorithm::Argon2id,
        ::argon2::Version::V0x13,
        params,
    );
    let mut out = [0u8; 32];
    argon2.hash_password_into(password, salt, &mut out).unwrap();
    out
}

#[test]
fn current_parameters_pass_the_floor_and_weaker_ones_do_not() {
    assert!(KdfParams::CURRENT.check().is_ok());
    assert!(params(19_456, 2, 1).check().is_ok());
    for weak in [
        params(19_455, 3, 1),
        params(65_536, 1, 1),
        params(65_536, 3, 0),
        params(2_000_000, 3, 1),
        KdfParams {
            version: 0x10,
            ..KdfParams::CURRENT
        },
    ] {
        assert_eq!(
            weak.check().map_err(|e| e.kind()),
            Err(ErrorKind::WeakKdfParams),
            "{weak:?}"
        );
    }
}

#[test]
fn params_serialise_as_documented_with_exactly_the_listed_members() {
    let json = serde_json::to_string(&KdfParams::CURRENT).unwrap();
    assert_eq!(
        json,
        r#"{"algorithm":"argon2id","version":19,"memory_kib":65536,"iterations":3,"parallelism":1}"#
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut listed = KdfParams::MEMBERS;
    listed.sort_unstable();
    assert_eq!(names, listed);
    assert!(serde_json::from_str::<KdfParams>(
        r#"{"algorithm":"argon2i","version":19,"memory_kib":65536,"iterations":3,"parallelism":1}"#
    )
    .is_err());
    assert_eq!(
        KdfAlgorithm::from_name("argon2id"),
        Ok(KdfAlgorithm::Argon2id)
    );
    assert_eq!(
        KdfAlgorithm::from_name("argon2i").map_err(|e| e.kind()),
        Err(ErrorKind::WeakKdfParams)
    );
}

#[test]
fn only_kdf_version_2_is_announced() {
    assert!(check_kdf_version(KDF_PARAMS_VERSION).is_ok());
    for version in [0, 1, 3, u32::MAX] {
        assert_eq!(
            check_kdf_version(version).map_err(|e| e.kind()),
            Err(ErrorKind::UnsupportedKdfVersion)
        );
    }
}

#[cfg(feature = "nfkc")]
#[test]
fn passwords_are_nfkc_normalised_and_length_checked() {
    // U+FB01 LATIN SMALL LIGATURE FI becomes "fi"; U+212B ANGSTROM SIGN becomes U+00C5.
    assert_eq!(
        Password::new("\u{FB01}xxxxxxx").unwrap().as_bytes(),
        b"fixxxxxxx"
    );
    assert_eq!(
        Password::new("\u{212B}bcdefgh").unwrap().as_bytes(),
        "\u{C5}bcdefgh".as_bytes()
    );
    assert!(Password::new("1234567").is_err());
    assert!(Password::new("12345678").is_ok());
    assert!(Password::new(&"é".repeat(1024)).is_ok());
    assert!(Password::new(&"é".repeat(1025)).is_err());
}

#[test]
fn argon2id_matches_the_argon2_crate_on_small_parameters() {
    // One buffer for all of them: it grows and shrinks between derivations as the client's does.
    let mut memory = KdfMemory::new();
    let mut count = 0;
    for p in [1u32, 2, 3, 4, 8] {
        for t in [1u32, 2, 3] {
            for m in [8 * p, 8 * p + 1, 64, 100, 263, 512] {
                if m < 8 * p {
                    continue;
                }
                let password = vec![b'p'.wrapping_add(m as u8); (m as usize + t as usize) % 70];
                let salt = vec![b's'.wrapping_add(p as u8); 8 + (m as usize % 17)];
                let ours = argon2id::hash(&password, &salt, &params(m, t, p), &mut memory).unwrap();
                assert_eq!(
                    ours.as_bytes(),
                    &reference(&password, &salt, m, t, p),
                    "m={m} t={t} p={p}"
                );
                count += 1;
            }
        }
    }
    assert!(count > 60, "{count} parameter sets");
}

#[test]
fn floor_parameters_with_several_lanes_and_odd_memory() {
    let password = Password::from_normalized("correct horse battery".into()).unwrap();
    let salt = Salt::from_bytes(*b"0123456789abcdef");
    let mut memory = KdfMemory::new();
    for (m, t, p) in [(19_456, 2, 1), (19_457, 2, 3), (19_460, 3, 2)] {
        let ours =
            derive_seed_with_memory(&password, &salt, &params(m, t, p), &mut memory).unwrap();
        assert_eq!(
            ours.as_bytes(),
            &reference(password.as_bytes(), salt.as_bytes(), m, t, p),
            "m={m} t={t} p={p}"
        );
    }
}

#[test]
fn argon2id_refuses_parameters_it_cannot_run() {
    let mut memory = KdfMemory::new();
    for (m, t, p) in [(8, 1, 0), (15, 1, 2), (64, 0, 1)] {
        assert_eq!(
            argon2id::hash(b"password", b"saltsalt", &params(m, t, p), &mut memory)
                .map(|_| ())
                .map_err(|e| e.kind()),
            Err(ErrorKind::WeakKdfParams),
            "m={m} t={t} p={p}"
        );
    }
}

#[test]
fn derive_seed_refuses_weak_parameters_before_any_work() {
    let password = Password::from_normalized("correct horse".into()).unwrap();
    let salt = Salt::from_bytes([1; 16]);
    let mut memory = KdfMemory::new();
    assert_eq!(
        derive_seed_with_memory(&password, &salt, &params(64, 1, 1), &mut memory)
            .map(|_| ())
            .map_err(|e| e.kind()),
        Err(ErrorKind::WeakKdfParams)
    );
}

#[test]
fn reusing_memory_gives_the_same_seed() {
    let params = params(19_456, 2, 1);
    let password = Password::from_normalized("correct horse".into()).unwrap();
    let salt = Salt::from_bytes([1; 16]);
    let mut memory = KdfMemory::new();
    let a = derive_seed_with_memory(&password, &salt, &params, &mut memory).unwrap();
    let b = derive_seed_with_memory(&password, &salt, &params, &mut memory).unwrap();
    assert_eq!(a.as_bytes(), b.as_bytes());
    let other = Salt::from_bytes([2; 16]);
    let c: Seed = derive_seed(&password, &other, &params).unwrap();
    assert_ne!(a.as_bytes(), c.as_bytes());
}

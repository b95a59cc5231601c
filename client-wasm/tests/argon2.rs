//! This build's Argon2id (`notary_client::argon2`) against RustCrypto's `argon2` crate, on many
//! small parameter sets, odd memory sizes and several lanes, and at the floor. Natively and in the
//! plain WebAssembly build they run the scalar kernel; with `-C target-feature=+simd128` (the build
//! the package ships to every current engine) the same tests run the SIMD kernel:
//!
//!     RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR=target/client-wasm/simd-test \
//!       cargo test --release -p notary-client-wasm --target wasm32-unknown-unknown
// Test code: clippy.toml allows these inside #[test] functions; the helpers and the
// #[wasm_bindgen_test] functions here are test code too.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use notary_client::derive;
use protocol::kdf::{KdfAlgorithm, KdfParams, Password};
use protocol::salt::Salt;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

fn reference(password: &[u8], salt: &[u8], m: u32, t: u32, p: u32) -> [u8; 32] {
    let params = argon2::Params::new(m, t, p, Some(32)).expect("params");
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    argon2
        .hash_password_into(password, salt, &mut out)
        .expect("argon2");
    out
}

fn params(m: u32, t: u32, p: u32) -> KdfParams {
    KdfParams {
        algorithm: KdfAlgorithm::Argon2id,
        version: 0x13,
        memory_kib: m,
        iterations: t,
        parallelism: p,
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn floor_parameters_with_several_lanes_and_odd_memory() {
    let password = Password::from_normalized("correct horse battery".into()).expect("password");
    let salt = Salt::from_bytes(*b"0123456789abcdef");
    for (m, t, p) in [(19_456, 2, 1), (19_457, 2, 3), (19_460, 3, 2)] {
        let ours = derive::derive_seed(&password, &salt, &params(m, t, p)).expect("derive");
        assert_eq!(
            ours.as_bytes(),
            &reference(password.as_bytes(), salt.as_bytes(), m, t, p),
            "m={m} t={t} p={p}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn argon2id_matches_the_argon2_crate_on_small_parameters() {
    use notary_client::argon2::{derive_seed, Memory};
    // One buffer for all of them: it grows and shrinks between derivations as the client's does.
    let mut memory = Memory::new();
    let mut count = 0;
    for p in [1u32, 2, 3, 4, 8] {
        for t in [1u32, 2, 3] {
            for m in [8 * p, 8 * p + 1, 64, 100, 263, 512] {
                if m < 8 * p {
                    continue;
                }
                let password = vec![b'p'.wrapping_add(m as u8); (m as usize + t as usize) % 70];
                let salt = vec![b's'.wrapping_add(p as u8); 8 + (m as usize % 17)];
                let ours =
                    derive_seed(&password, &salt, &params(m, t, p), &mut memory).expect("derive");
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

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn argon2id_refuses_parameters_it_cannot_run() {
    use notary_client::argon2::{derive_seed, Memory};
    let mut memory = Memory::new();
    for (m, t, p) in [(8, 1, 0), (15, 1, 2), (64, 0, 1)] {
        assert_eq!(
            derive_seed(b"password", b"saltsalt", &params(m, t, p), &mut memory)
                .err()
                .map(|e| e.code().to_owned()),
            Some("weak_kdf_params".to_owned()),
            "m={m} t={t} p={p}"
        );
    }
}

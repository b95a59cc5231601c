//! A benchmark, not a test: the client's own OPRF work per derivation, in WebAssembly under Node —
//! blinding the password (hash to the group, one scalar multiplication) and finalizing the server's
//! answer (a scalar inversion, one multiplication, SHA-512), without the server's evaluation or
//! Argon2id. Timed with `Date.now()` over many calls, so only the average is meaningful. Ignored by
//! `cargo test`; bench/client.sh runs it:
//! `cargo test --profile client -p notary-client-wasm --target wasm32-unknown-unknown --test oprf_cost -- --include-ignored --nocapture`
//! (the `client` profile is the one client-wasm/scripts/build.sh ships; this is the baseline build).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used, clippy::unwrap_used)]

use notary_client::derive::{password_from_js, salt_answer_from_js, Blinding};
use protocol::address::Address;
use protocol::oprf::BlindedElement;
use protocol::salt::SaltAnswer;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

const CALLS: usize = 400;

#[wasm_bindgen_test]
#[ignore = "benchmark: run by bench/client.sh"]
fn client_blind_and_finalize_per_derivation() {
    let address = Address::from_canonical("alice@example.com").unwrap();
    let password = password_from_js(&"correct horse battery staple".into()).unwrap();
    // Warm-up (the first call builds curve25519-dalek's tables).
    let _ = Blinding::new(address.clone(), password.clone()).unwrap();

    let started = js_sys::Date::now();
    let blindings: Vec<Blinding> = (0..CALLS)
        .map(|_| Blinding::new(address.clone(), password.clone()).unwrap())
        .collect();
    let blind_ms = js_sys::Date::now() - started;

    // The server's side, not timed: its evaluation of each blinded element, as the answer's JSON.
    let answers: Vec<_> = blindings
        .iter()
        .map(|blinding| {
            let blinded = BlindedElement::from_base64url(&blinding.blinded()).unwrap();
            let answer =
                SaltAnswer::new(b"salt secret", &[9; 32], &address, &blinded, true).unwrap();
            let json = js_sys::JSON::parse(&serde_json::to_string(&answer).unwrap()).unwrap();
            let read = salt_answer_from_js(&json).unwrap();
            let checked = read.check().unwrap();
            (read, checked)
        })
        .collect();

    let started = js_sys::Date::now();
    for (blinding, (read, checked)) in blindings.into_iter().zip(answers) {
        std::hint::black_box(blinding.finish(&read, checked).unwrap());
    }
    let finalize_ms = js_sys::Date::now() - started;
    let calls = CALLS as f64;
    console_log!(
        "wasm32 under Node, per derivation: blind {:.3} ms, finalize {:.3} ms, blind + finalize {:.3} ms",
        blind_ms / calls,
        finalize_ms / calls,
        (blind_ms + finalize_ms) / calls
    );
}

//! The worker's own computation per request, without the runtime: what the salt and admin-verify
//! handlers compute in Rust (address canonicalisation, HMACs, token parsing and strict Ed25519
//! verification, rate-limit counting, JSON), timed natively. bench/worker.mjs measures the same
//! endpoints in workerd; this separates the Rust part from the platform's.
//!
//!   cargo run --release -p notary-edge-worker --example compute_cost

// A measuring tool, not a request path: fixed, valid inputs, so a failure is a bug worth a panic.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use notary_edge_worker::keyed_hash::KeyedHasher;
use notary_edge_worker::ratelimit::{CheckRequest, LimiterState, Rule};
use protocol::address::Address;
use protocol::kdf::{KdfParams, Seed, KDF_PARAMS_VERSION};
use protocol::keys::KeyPair;
use protocol::salt::Salt;
use protocol::token::{self, Claims, Expectations, KeyRef, ParsedToken, TokenKind};
use std::hint::black_box;
use std::time::Instant;

fn time_per_call(label: &str, iterations: u32, mut f: impl FnMut(u32)) {
    for i in 0..iterations / 10 {
        f(i);
    }
    let start = Instant::now();
    for i in 0..iterations {
        f(i);
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("{label:<58} {micros:>8.1} µs");
}

fn main() {
    let secret = b"local-development-salt-secret-not-for-production";
    let hasher = KeyedHasher::new(secret);
    let limiter_request = CheckRequest {
        rules: vec![
            Rule {
                window_secs: 1,
                limit: 10,
                blocks: false,
            },
            Rule {
                window_secs: 60,
                limit: 120,
                blocks: true,
            },
        ],
        block_secs: 3600,
    };

    time_per_call(
        "POST /salt: canonicalise, salt, hashes, JSON",
        20_000,
        |i| {
            let address = Address::parse(&format!("User{i}@Example.com")).expect("address");
            let salt = Salt::for_address(secret, &address);
            let bucket = hasher.hash("address", address.as_str());
            let ip = hasher.hash("ip", "203.0.113.7");
            let body = serde_json::json!({
                "address": address.as_str(),
                "salt": salt.to_base64url(),
                "kdf": KdfParams::CURRENT,
                "kdf_version": KDF_PARAMS_VERSION,
            });
            black_box((serde_json::to_vec(&body).expect("json"), bucket, ip));
        },
    );

    let key = KeyPair::from_seed(&Seed::from_bytes([7; 32]));
    let address = Address::parse("bench@example.com").expect("address");
    let audience = "https://relying-party.example";
    let tokens: Vec<String> = (0..2_000u32)
        .map(|i| {
            let mut jti = [0u8; 16];
            jti[..4].copy_from_slice(&i.to_le_bytes());
            let claims = Claims::new(&address, audience, 1_800_000_000, 120, &jti);
            token::sign(TokenKind::Assertion, &claims, &key).expect("sign")
        })
        .collect();
    let stored_key = protocol::b64::encode(key.public_key().to_bytes());
    time_per_call(
        "POST /admin/verify: parse, strict Ed25519 verify, JSON",
        2_000,
        |i| {
            let text = &tokens[i as usize % tokens.len()];
            let parsed = ParsedToken::parse(text, TokenKind::Assertion).expect("parse");
            let KeyRef::Registered(kid) = parsed.key_ref().expect("kid") else {
                return;
            };
            let bytes = protocol::b64::decode_array::<32>(&stored_key).expect("stored key");
            let public = protocol::keys::PublicKey::from_bytes(&bytes).expect("key");
            let verified = parsed
                .verify(
                    &public,
                    &Expectations {
                        kind: TokenKind::Assertion,
                        audience,
                        now: 1_800_000_010,
                    },
                )
                .expect("verify");
            let body = serde_json::json!({ "valid": true, "claims": verified.claims, "account": { "key_id": kid.as_str() } });
            black_box(serde_json::to_vec(&body).expect("json"));
        },
    );

    let mut state = LimiterState::default();
    time_per_call(
        "RateLimiter: count one call, (de)serialise the state",
        100_000,
        |i| {
            let decision = state.check(1_700_000_000_000 + i64::from(i), &limiter_request);
            let stored = serde_json::to_vec(&state).expect("json");
            state = serde_json::from_slice(&stored).expect("json");
            black_box(decision);
        },
    );
}

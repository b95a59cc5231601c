//! What the worker computes in Rust for one request, without the runtime: shared by
//! `examples/compute_cost.rs` (native) and `tests/compute_cost.rs` (WebAssembly under Node).

// Measuring code, not a request path: fixed, valid inputs, so a failure is a bug worth a panic.
#![allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use notary_edge_worker::keyed_hash::KeyedHasher;
use notary_edge_worker::limits::{BlockMemo, Known};
use protocol::address::Address;
use protocol::keys::{KeyPair, PublicKey, Seed};
use protocol::oprf::{self, Blind, BlindedElement};
use protocol::salt::SaltAnswer;
use protocol::token::{self, Claims, Expectations, ParsedToken, RegisteredKind, TokenKind};

const SALT_SECRET: &[u8] = b"local-development-salt-secret-not-for-production";
const OPRF_SEED: [u8; 32] = *b"local-dev-oprf-seed-not-for-prod";
const AUDIENCE: &str = "https://relying-party.example";
const NOW: i64 = 1_800_000_010;

/// A blinded OPRF element, as a client sends it to `POST /salt`.
pub fn blinded_element() -> BlindedElement {
    let blind = Blind::from_random([7; 64]).expect("blind");
    oprf::blind(b"Notary-v2-OPRF-input: a benchmark's password", &blind).expect("blinded")
}

/// `POST /salt`: canonicalise the address, the two keyed hashes (client and address, the guess
/// budget's key), the address's OPRF key derived from the seed, the evaluation of `blinded`, the salt,
/// and the serialised answer.
pub fn salt_request(i: u32, blinded: &BlindedElement) -> Vec<u8> {
    let hasher = KeyedHasher::new(SALT_SECRET);
    let address = Address::parse(&format!("User{i}@Example.com")).expect("address");
    let bucket = hasher.address(address.as_str());
    let client = hasher.client("203.0.113.7");
    let answer = SaltAnswer::new(SALT_SECRET, &OPRF_SEED, &address, blinded, true).expect("answer");
    let mut out = serde_json::to_vec(&answer).expect("json");
    out.extend_from_slice(bucket.as_bytes());
    out.extend_from_slice(client.as_bytes());
    out
}

/// Assertions signed by one key, with distinct `jti`s, and that key as D1 stores it.
pub fn assertions(count: u32) -> (Vec<String>, String) {
    let key = KeyPair::from_seed(&Seed::from_bytes([7; 32]));
    let address = Address::parse("bench@example.com").expect("address");
    let tokens = (0..count)
        .map(|i| {
            let mut jti = [0u8; 16];
            jti[..4].copy_from_slice(&i.to_le_bytes());
            let claims = Claims::new(&address, AUDIENCE, NOW - 10, 120, &jti);
            token::sign(TokenKind::Assertion, &claims, &key).expect("sign")
        })
        .collect();
    (tokens, protocol::b64::encode(key.public_key().to_bytes()))
}

/// `POST /admin/verify`: parse the token, decode the stored key, verify strictly, serialise the answer.
pub fn verify_request(token: &str, stored_key: &str) -> Vec<u8> {
    let (parsed, kid) =
        ParsedToken::parse_registered(token, RegisteredKind::Assertion).expect("parse");
    let bytes = protocol::b64::decode_array::<32>(stored_key).expect("stored key");
    let public = PublicKey::from_bytes(&bytes).expect("key");
    let expect = Expectations {
        audience: AUDIENCE,
        now: NOW,
    };
    let verified = parsed.verify(&public, &expect).expect("verify");
    let body = serde_json::json!({
        "valid": true,
        "claims": verified.claims,
        "account": { "key_id": kid.as_str() },
    });
    serde_json::to_vec(&body).expect("json")
}

/// The hot path's block check: the isolate's memory of a client group (the per-request counts are
/// the platform's Rate Limiting bindings, outside the worker's own computation).
pub fn block_check(memo: &mut BlockMemo, client: &str, now: i64) -> Known {
    let known = memo.lookup(client, now);
    if known == Known::Unknown {
        memo.remember(client, 0, now);
    }
    known
}

/// Average milliseconds per call of each job.
pub struct Costs {
    /// [`salt_request`].
    pub salt: f64,
    /// [`verify_request`].
    pub verify: f64,
    /// [`block_check`].
    pub block_check: f64,
}

/// Times each job over `iterations` calls (after a warm-up of a tenth of them) with `clock`, which
/// returns milliseconds since any fixed origin: `Instant` natively, `Date.now()` in WebAssembly.
pub fn measure(clock: impl Fn() -> f64, iterations: u32) -> Costs {
    let per_call = |count: u32, f: &mut dyn FnMut(u32)| {
        for i in 0..count / 10 {
            f(i);
        }
        let start = clock();
        for i in 0..count {
            f(i);
        }
        (clock() - start) / f64::from(count)
    };
    let blinded = blinded_element();
    // The OPRF key derivation and evaluation make it about fifty times the v1 work: fewer calls.
    let salt = per_call(iterations / 10, &mut |i| {
        std::hint::black_box(salt_request(i, &blinded));
    });
    let (tokens, stored_key) = assertions(1_000);
    let verify = per_call(iterations / 10, &mut |i| {
        std::hint::black_box(verify_request(
            &tokens[i as usize % tokens.len()],
            &stored_key,
        ));
    });
    let mut memo = BlockMemo::default();
    let hasher = KeyedHasher::new(SALT_SECRET);
    let clients: Vec<String> = (0..100)
        .map(|i| hasher.client(&format!("203.0.113.{i}")))
        .collect();
    let block_check_ms = per_call(iterations * 5, &mut |i| {
        let client = &clients[i as usize % clients.len()];
        std::hint::black_box(block_check(
            &mut memo,
            client,
            1_700_000_000 + i64::from(i / 1000),
        ));
    });
    Costs {
        salt,
        verify,
        block_check: block_check_ms,
    }
}

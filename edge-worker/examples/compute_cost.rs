//! The worker's own computation per request, timed natively: what the salt and admin-verify handlers
//! and the rate limiter compute in Rust (address canonicalisation, HMACs, token parsing and strict
//! Ed25519 verification, counting, JSON), without the runtime. `tests/compute_cost.rs` times the same
//! work compiled to WebAssembly; bench/worker.mjs measures the endpoints in workerd.
//!
//!   cargo run --release -p notary-edge-worker --example compute_cost

#![allow(clippy::indexing_slicing)]

#[path = "../benches/workload.rs"]
mod workload;

use std::hint::black_box;
use std::time::Instant;

fn micros_per_call(iterations: u32, mut f: impl FnMut(u32)) -> f64 {
    for i in 0..iterations / 10 {
        f(i);
    }
    let start = Instant::now();
    for i in 0..iterations {
        f(i);
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
}

fn main() {
    let salt = micros_per_call(20_000, |i| {
        black_box(workload::salt_request(i));
    });
    let (tokens, stored_key) = workload::assertions(1_000);
    let verify = micros_per_call(2_000, |i| {
        black_box(workload::verify_request(
            &tokens[i as usize % tokens.len()],
            &stored_key,
        ));
    });
    let mut bucket = Vec::new();
    let limiter = micros_per_call(100_000, |i| {
        let (decision, stored) = workload::limiter_call(&bucket, 1_700_000_000_000 + i64::from(i));
        bucket = black_box(stored);
        black_box(decision);
    });
    println!("native, per call:");
    println!("  POST /salt (canonicalise, salt, 2 keyed hashes, JSON)       {salt:>8.1} µs");
    println!("  POST /admin/verify (parse, strict Ed25519 verify, JSON)     {verify:>8.1} µs");
    println!("  RateLimiter (deserialise, count, serialise)                 {limiter:>8.1} µs");
}

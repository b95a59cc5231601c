//! The worker's own computation per request, timed natively: what the salt and admin-verify handlers
//! and the block check compute in Rust (address canonicalisation, HMACs, token parsing and strict
//! Ed25519 verification, the isolate's memory of blocks, JSON), without the runtime. `tests/compute_cost.rs` times the same
//! work compiled to WebAssembly; bench/worker.mjs measures the endpoints in workerd.
//!
//!   cargo run --release -p notary-edge-worker --example compute_cost

#![allow(clippy::indexing_slicing)]

#[path = "../benches/workload.rs"]
mod workload;

use std::time::Instant;

fn main() {
    let origin = Instant::now();
    let costs = workload::measure(|| origin.elapsed().as_secs_f64() * 1e3, 20_000);
    let [salt, verify, block_check] =
        [costs.salt, costs.verify, costs.block_check].map(|ms| ms * 1e3);
    println!("native, per call:");
    println!("  POST /salt (2 keyed hashes, OPRF key + evaluation, JSON)   {salt:>8.1} µs");
    println!("  POST /admin/verify (parse, strict Ed25519 verify, JSON)     {verify:>8.1} µs");
    println!("  block check (the isolate's memory of blocks)                {block_check:>8.1} µs");
}

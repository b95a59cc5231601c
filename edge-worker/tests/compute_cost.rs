//! A benchmark, not a test: the worker's own computation per request, compiled to WebAssembly and
//! timed under Node — the Rust part of the CPU time Cloudflare bills, which must stay far below the
//! free plan's 10 ms. Timed with `Date.now()` over many calls, so only the average is meaningful.
//! Ignored by `cargo test`; `npm run bench worker` (bench/worker.mjs) runs it:
//! `cargo test --release -p notary-edge-worker --target wasm32-unknown-unknown --test compute_cost -- --ignored --nocapture`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::indexing_slicing)]

#[path = "../benches/workload.rs"]
mod workload;

use std::hint::black_box;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

fn ms_per_call(iterations: u32, mut f: impl FnMut(u32)) -> f64 {
    for i in 0..iterations / 10 {
        f(i);
    }
    let start = js_sys::Date::now();
    for i in 0..iterations {
        f(i);
    }
    (js_sys::Date::now() - start) / f64::from(iterations)
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by bench/worker.mjs"]
fn rust_work_per_request() {
    let salt = ms_per_call(5_000, |i| {
        black_box(workload::salt_request(i));
    });
    let (tokens, stored_key) = workload::assertions(500);
    let verify = ms_per_call(1_000, |i| {
        black_box(workload::verify_request(
            &tokens[i as usize % tokens.len()],
            &stored_key,
        ));
    });
    let mut bucket = Vec::new();
    let limiter = ms_per_call(20_000, |i| {
        let (decision, stored) = workload::limiter_call(&bucket, 1_700_000_000_000 + i64::from(i));
        bucket = black_box(stored);
        black_box(decision);
    });
    console_log!(
        "wasm32 under Node, per call: POST /salt {:.3} ms, POST /admin/verify {:.3} ms, RateLimiter {:.4} ms",
        salt,
        verify,
        limiter
    );
}

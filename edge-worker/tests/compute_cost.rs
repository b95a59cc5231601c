//! A benchmark, not a test: the worker's own computation per request, compiled to WebAssembly and
//! timed under Node — the Rust part of the CPU time Cloudflare bills, which must stay far below the
//! free plan's 10 ms. Timed with `Date.now()` over many calls, so only the average is meaningful.
//! Ignored by `cargo test`; `npm run bench worker` (bench/worker.mjs) runs it:
//! `cargo test --profile worker -p notary-edge-worker --target wasm32-unknown-unknown --test compute_cost -- --include-ignored --nocapture`
//! (the `worker` profile is the one edge-worker/build.sh deploys).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::indexing_slicing)]

#[path = "../benches/workload.rs"]
mod workload;

use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[wasm_bindgen_test]
#[ignore = "benchmark: run by bench/worker.mjs"]
fn rust_work_per_request() {
    let workload::Costs {
        salt,
        verify,
        block_check,
    } = workload::measure(js_sys::Date::now, 5_000);
    console_log!(
        "wasm32 under Node, per call: POST /salt {:.3} ms, POST /admin/verify {:.3} ms, block check {:.4} ms",
        salt,
        verify,
        block_check
    );
}

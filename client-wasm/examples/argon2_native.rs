//! Native reference for `bench/client.sh`: Argon2id with the protocol's current parameters
//! (m = 64 MiB, t = 3, p = 1) through `protocol::kdf` and RustCrypto `argon2` compiled for this
//! machine (AVX2 chosen at run time where the CPU has it), reusing one block buffer as the WASM
//! client does. Prints one JSON line: `{"runs_ms": [...], "min_ms": ..., "median_ms": ...}`.
//!
//!     cargo run --release -p notary-client-wasm --example argon2_native -- [runs]

use protocol::kdf::{derive_seed_with_memory, KdfMemory, KdfParams, Password};
use protocol::salt::Salt;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(7), |arg| arg.parse())?;
    let password = Password::from_normalized("correct horse battery staple".to_owned())?;
    let salt = Salt::from_bytes([0; 16]);
    let mut memory = KdfMemory::new();
    // One warm-up run allocates and faults in the 64 MiB.
    derive_seed_with_memory(&password, &salt, &KdfParams::CURRENT, &mut memory)?;
    let mut runs_ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        derive_seed_with_memory(&password, &salt, &KdfParams::CURRENT, &mut memory)?;
        runs_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sorted = runs_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let min = sorted.first().copied().unwrap_or(f64::NAN);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    let list: Vec<String> = runs_ms.iter().map(|ms| format!("{ms:.2}")).collect();
    println!(
        "{{\"runs_ms\": [{}], \"min_ms\": {min:.2}, \"median_ms\": {median:.2}}}",
        list.join(", ")
    );
    Ok(())
}

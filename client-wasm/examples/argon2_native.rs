//! Native reference for `bench/client.sh`: Argon2id with the protocol's current parameters
//! (m = 64 MiB, t = 3, p = 1) through `protocol::kdf` and RustCrypto `argon2` compiled for this
//! machine (AVX2 chosen at run time where the CPU has it), reusing one block buffer as the WASM
//! client does.
//!
//!     cargo run --release -p notary-client-wasm --example argon2_native -- [runs]
//!     cargo run --release -p notary-client-wasm --example argon2_native -- --serve
//!
//! With a number of runs, prints one JSON line: `{"runs_ms": [...], "min_ms": ..., "median_ms": ...}`.
//! With `--serve`, derives once for every line read from standard input and answers each with the
//! time in milliseconds on a line of its own, so that `bench/paired.mjs` can time native and
//! WebAssembly derivations side by side, moments apart.

use protocol::kdf::{derive_seed_with_memory, KdfMemory, KdfParams, Password};
use protocol::salt::Salt;
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argument = std::env::args().nth(1);
    let password = Password::from_normalized("correct horse battery staple".to_owned())?;
    let salt = Salt::from_bytes([0; 16]);
    let mut memory = KdfMemory::new();
    let mut derive = || -> Result<f64, Box<dyn std::error::Error>> {
        let start = Instant::now();
        derive_seed_with_memory(&password, &salt, &KdfParams::CURRENT, &mut memory)?;
        Ok(start.elapsed().as_secs_f64() * 1000.0)
    };
    // One warm-up run allocates and faults in the 64 MiB.
    derive()?;
    if argument.as_deref() == Some("--serve") {
        let mut stdout = std::io::stdout().lock();
        for line in std::io::stdin().lock().lines() {
            line?;
            writeln!(stdout, "{:.2}", derive()?)?;
            stdout.flush()?;
        }
        return Ok(());
    }
    let runs: usize = argument.map_or(Ok(7), |arg| arg.parse())?;
    let mut runs_ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        runs_ms.push(derive()?);
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

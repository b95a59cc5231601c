//! Native figures for `bench/client.sh`: Argon2id with the protocol's current parameters
//! (m = 64 MiB, t = 3, p = 1), reusing one working memory as the WebAssembly client does, through
//! `protocol::kdf` (the workspace's Argon2id, its scalar kernel natively) or, with `--reference`,
//! through RustCrypto's `argon2` crate (the tests' reference, AVX2 chosen at run time where the CPU
//! has it), against which the client's figures are given.
//!
//!     cargo run --release -p notary-protocol --example argon2_native -- [--reference] [runs]
//!     cargo run --release -p notary-protocol --example argon2_native -- [--reference] --serve
//!
//! With a number of runs, prints one JSON line: `{"runs_ms": [...], "min_ms": ..., "median_ms": ...}`.
//! With `--serve`, derives once for every line read from standard input and answers each with the
//! time in milliseconds on a line of its own, so that `bench/paired.mjs` can time native and
//! WebAssembly derivations side by side, moments apart.

use protocol::kdf::{derive_seed_with_memory, KdfMemory, KdfParams, Password};
use protocol::salt::Salt;
use std::io::{BufRead, Write};
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let reference = arguments.first().is_some_and(|a| a == "--reference");
    if reference {
        arguments.remove(0);
    }
    let argument = arguments.first().cloned();
    let password = Password::from_normalized("correct horse battery staple".to_owned())?;
    let salt = Salt::from_bytes([0; 16]);
    let params = KdfParams::CURRENT;
    let mut memory = KdfMemory::new();
    let rustcrypto = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            Some(32),
        )
        .map_err(|e| e.to_string())?,
    );
    let block_count = if reference {
        rustcrypto.params().block_count()
    } else {
        0
    };
    let mut blocks = vec![argon2::Block::default(); block_count];
    let mut derive = || -> Res<f64> {
        let start = Instant::now();
        if reference {
            let mut seed = [0u8; 32];
            rustcrypto
                .hash_password_into_with_memory(
                    password.as_bytes(),
                    salt.as_bytes(),
                    &mut seed,
                    &mut blocks,
                )
                .map_err(|e| e.to_string())?;
        } else {
            derive_seed_with_memory(&password, &salt, &params, &mut memory)?;
        }
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

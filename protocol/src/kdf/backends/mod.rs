//! The compression function G (RFC 9106 section 3.5), the only part of Argon2id worth a hand-tuned
//! kernel, behind one seam chosen at build time (the pattern of RustCrypto's `argon2/src/backends.rs`):
//!
//! - `simd.rs` when building for WebAssembly with `simd128` (the client package's main build, for
//!   every current engine): G on 128-bit vectors, two 64-bit words at a time, in the layout of the
//!   reference implementation's SSE code (`blamka-round-opt.h`);
//! - `scalar.rs` everywhere else (native builds, and the package's baseline build for engines
//!   without SIMD): G on 64-bit words.
//!
//! Each provides the same four items: `State` (the block being mixed, in the kernel's own layout),
//! `state_of`, `fill_block` and `first_word`. `argon2id.rs` uses nothing else, and one set of tests
//! checks whichever kernel the build holds.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) use simd::{fill_block, first_word, state_of};

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod scalar;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(super) use scalar::{fill_block, first_word, state_of};

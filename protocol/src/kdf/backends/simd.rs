//! The compression function G (RFC 9106 section 3.5) on WebAssembly SIMD vectors of two 64-bit
//! words.
//!
//! Measured in V8 on x86-64 (Node 20 and Chromium 156, one build against another in the same
//! process), the choices made here and the ones left out:
//! - P on two rows or two columns in turn (`permute_pair`): about 5% faster than one at a time; four
//!   at a time runs out of registers and is 17% slower.
//! - No scratch block (`out` keeps R while P runs): about 8% faster than zeroing one per block.
//! - Rotations by shifts or by byte shuffles (constant or swizzle masks): no measurable difference.
//! - `i64x2.mul` of masked words in place of `extmul`: 28% slower (V8 builds a 64-bit multiply from
//!   three `pmuludq`).
//! - A scalar copy of G interleaved with the vector code, to use the integer units too: 27% slower.
//! - Loading the next reference block early, as a prefetch: no gain.
//! - Interleaving the two groups operation by operation, gathering the low words of a rotated d
//!   before the rotation, folding the XORs with R into the row and column passes, or `wasm-opt -O3`
//!   in place of `-Oz`: no measurable difference.
//!
//! What remains between this and native code is the multiplication: for each `extmul` V8 emits two
//! `punpck` and a `pmuludq`, on top of the shuffle that gathers the low words, where native SSE2
//! code spends one `pmuludq` per two words and AVX2 one per four. WebAssembly has no even-lane
//! 32 x 32 -> 64-bit multiply: one was proposed (WebAssembly/simd#175) and the `extmul`
//! instructions adopted instead.

use crate::kdf::argon2id::Block;
use core::arch::wasm32::{
    i32x4_shuffle, i64x2_add, i64x2_shl, i64x2_shuffle, i8x16_shuffle, u64x2,
    u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4, u64x2_extract_lane, u64x2_shr, v128, v128_or,
    v128_xor,
};

/// BlaMka on two pairs of vectors: x + y + 2 * lo32(x) * lo32(y), lane by lane, for (x0, y0) and
/// (x1, y1). The low words of both pairs are gathered with one shuffle per side, so that each
/// `extmul` multiplies exactly the words it needs (V8 lowers each to two `punpck` and a `pmuludq`).
#[inline(always)]
fn blamka2(x0: v128, y0: v128, x1: v128, y1: v128) -> (v128, v128) {
    let low_x = i32x4_shuffle::<0, 2, 4, 6>(x0, x1);
    let low_y = i32x4_shuffle::<0, 2, 4, 6>(y0, y1);
    let product0 = u64x2_extmul_low_u32x4(low_x, low_y);
    let product1 = u64x2_extmul_high_u32x4(low_x, low_y);
    (
        i64x2_add(i64x2_add(x0, y0), i64x2_add(product0, product0)),
        i64x2_add(i64x2_add(x1, y1), i64x2_add(product1, product1)),
    )
}

#[inline(always)]
fn rotr32(x: v128) -> v128 {
    i32x4_shuffle::<1, 0, 3, 2>(x, x)
}

/// By shifts: V8 builds the byte-shuffle mask of a 24-bit rotation anew at every use.
#[inline(always)]
fn rotr24(x: v128) -> v128 {
    v128_or(u64x2_shr(x, 24), i64x2_shl(x, 40))
}

/// V8 turns this byte shuffle into `pshuflw` + `pshufhw`.
#[inline(always)]
fn rotr16(x: v128) -> v128 {
    i8x16_shuffle::<2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9>(x, x)
}

#[inline(always)]
fn rotr63(x: v128) -> v128 {
    v128_xor(u64x2_shr(x, 63), i64x2_add(x, x))
}

/// Four BlaMka G functions side by side on the 16 words of a row or a column, held as
/// a0 = (v0, v1), a1 = (v2, v3), b0 = (v4, v5), ..., d1 = (v14, v15), as in the reference SSE code.
#[inline(always)]
fn half_round(v: &mut [v128; 8], rot_d: fn(v128) -> v128, rot_b: fn(v128) -> v128) {
    let [a0, a1, b0, b1, c0, c1, d0, d1] = v;
    (*a0, *a1) = blamka2(*a0, *b0, *a1, *b1);
    *d0 = rot_d(v128_xor(*d0, *a0));
    *d1 = rot_d(v128_xor(*d1, *a1));
    (*c0, *c1) = blamka2(*c0, *d0, *c1, *d1);
    *b0 = rot_b(v128_xor(*b0, *c0));
    *b1 = rot_b(v128_xor(*b1, *c1));
}

/// Diagonalise the 16 words in `v` (`forward`: (v4, v5, v6, v7) -> (v5, v6, v7, v4), c swaps its
/// halves, (v12 .. v15) -> (v15, v12, v13, v14)) or undo it.
#[inline(always)]
fn diagonalize(v: &mut [v128; 8], forward: bool) {
    let [_, _, b0, b1, c0, c1, d0, d1] = v;
    if forward {
        (*b0, *b1) = (
            i64x2_shuffle::<1, 2>(*b0, *b1),
            i64x2_shuffle::<1, 2>(*b1, *b0),
        );
        (*d0, *d1) = (
            i64x2_shuffle::<1, 2>(*d1, *d0),
            i64x2_shuffle::<1, 2>(*d0, *d1),
        );
    } else {
        (*b0, *b1) = (
            i64x2_shuffle::<1, 2>(*b1, *b0),
            i64x2_shuffle::<1, 2>(*b0, *b1),
        );
        (*d0, *d1) = (
            i64x2_shuffle::<1, 2>(*d0, *d1),
            i64x2_shuffle::<1, 2>(*d1, *d0),
        );
    }
    (*c0, *c1) = (*c1, *c0);
}

/// The BLAKE2b round P (columns, diagonalise, diagonals, undiagonalise) on two independent groups
/// of 16 words, step by step in turn, so that the processor always has a second dependency chain to
/// work on (about 5% faster in V8 than one group at a time).
#[inline(always)]
fn permute_pair(x: &mut [v128; 8], y: &mut [v128; 8]) {
    half_round(x, rotr32, rotr24);
    half_round(y, rotr32, rotr24);
    half_round(x, rotr16, rotr63);
    half_round(y, rotr16, rotr63);
    diagonalize(x, true);
    diagonalize(y, true);
    half_round(x, rotr32, rotr24);
    half_round(y, rotr32, rotr24);
    half_round(x, rotr16, rotr63);
    half_round(y, rotr16, rotr63);
    diagonalize(x, false);
    diagonalize(y, false);
}

/// The block being mixed: 8 rows of 8 vectors (16 words each).
pub(in crate::kdf) type State = [[v128; 8]; 8];

/// One step of the filling, as in the reference SSE code: `state` holds the previous block X;
/// with Y = `reference` and R = X XOR Y, G(X, Y) = P(R) XOR R, with P applied to the eight rows and
/// then to the eight columns of R seen as 8 x 8 vectors, two rows or two columns at a time. The
/// result is written to `out`, or XORed into it when `with_xor` (version 0x13, passes after the
/// first); `state` ends as the block written, the next step's previous block. `out` itself keeps R
/// (XOR its old value) while P runs: a scratch block on the stack cost a `memory.fill` per block.
#[inline(never)]
pub(in crate::kdf) fn fill_block(
    state: &mut State,
    reference: &Block,
    out: &mut Block,
    with_xor: bool,
) {
    let vectors = state.as_flattened_mut().iter_mut();
    let pairs = reference.0.iter().zip(out.0.iter_mut());
    // Two loops rather than a test in one: this runs for every block.
    if with_xor {
        for (s, (y, pair)) in vectors.zip(pairs) {
            *s = v128_xor(*s, u64x2(y[0], y[1]));
            let kept = v128_xor(*s, u64x2(pair[0], pair[1]));
            *pair = [u64x2_extract_lane::<0>(kept), u64x2_extract_lane::<1>(kept)];
        }
    } else {
        for (s, (y, pair)) in vectors.zip(pairs) {
            *s = v128_xor(*s, u64x2(y[0], y[1]));
            *pair = [u64x2_extract_lane::<0>(*s), u64x2_extract_lane::<1>(*s)];
        }
    }
    for rows in state.chunks_exact_mut(2) {
        if let [x, y] = rows {
            permute_pair(x, y);
        }
    }
    for column in (0..8).step_by(2) {
        let mut x = [u64x2(0, 0); 8];
        let mut y = [u64x2(0, 0); 8];
        for ((x, y), row) in x.iter_mut().zip(y.iter_mut()).zip(state.iter()) {
            if let Some([a, b]) = row.get(column..column + 2) {
                (*x, *y) = (*a, *b);
            }
        }
        permute_pair(&mut x, &mut y);
        for ((x, y), row) in x.iter().zip(y.iter()).zip(state.iter_mut()) {
            if let Some([a, b]) = row.get_mut(column..column + 2) {
                (*a, *b) = (*x, *y);
            }
        }
    }
    for (s, pair) in state.as_flattened_mut().iter_mut().zip(out.0.iter_mut()) {
        *s = v128_xor(*s, u64x2(pair[0], pair[1]));
        *pair = [u64x2_extract_lane::<0>(*s), u64x2_extract_lane::<1>(*s)];
    }
}

/// The vectors of a block (the state before its first step).
pub(in crate::kdf) fn state_of(block: &Block) -> State {
    let mut state = [[u64x2(0, 0); 8]; 8];
    for (slot, &[low, high]) in state.as_flattened_mut().iter_mut().zip(block.0.iter()) {
        *slot = u64x2(low, high);
    }
    state
}

/// The first word of the block in `state`, which gives the next block's reference (J1, J2).
pub(in crate::kdf) fn first_word(state: &State) -> u64 {
    u64x2_extract_lane::<0>(state[0][0])
}

//! The compression function G (RFC 9106 section 3.5) on 64-bit words: the portable kernel, for
//! native builds and for WebAssembly engines without SIMD (the client package's baseline build).

use crate::kdf::argon2id::Block;

/// The block being mixed, as its 128 words (in the pairs of [`Block`]).
pub(in crate::kdf) type State = Block;

/// BlaMka: x + y + 2 * lo32(x) * lo32(y), modulo 2^64.
#[inline(always)]
fn blamka(x: u64, y: u64) -> u64 {
    let product = u64::from(x as u32) * u64::from(y as u32);
    x.wrapping_add(y)
        .wrapping_add(product.wrapping_add(product))
}

/// BLAKE2b's G with BlaMka in place of the additions.
#[inline(always)]
fn g(a: &mut u64, b: &mut u64, c: &mut u64, d: &mut u64) {
    *a = blamka(*a, *b);
    *d = (*d ^ *a).rotate_right(32);
    *c = blamka(*c, *d);
    *b = (*b ^ *c).rotate_right(24);
    *a = blamka(*a, *b);
    *d = (*d ^ *a).rotate_right(16);
    *c = blamka(*c, *d);
    *b = (*b ^ *c).rotate_right(63);
}

/// The BLAKE2b round P on 16 words: G on the columns, then on the diagonals.
#[inline(always)]
fn permute(v: &mut [u64; 16]) {
    let [v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15] = v;
    g(v0, v4, v8, v12);
    g(v1, v5, v9, v13);
    g(v2, v6, v10, v14);
    g(v3, v7, v11, v15);
    g(v0, v5, v10, v15);
    g(v1, v6, v11, v12);
    g(v2, v7, v8, v13);
    g(v3, v4, v9, v14);
}

/// One step of the filling: `state` holds the previous block X; with Y = `reference` and
/// R = X XOR Y, G(X, Y) = P(R) XOR R, with P applied to the eight rows (16 consecutive words) and
/// then to the eight columns (pairs c, c + 8, ..., c + 56) of R. The result is written to `out`, or
/// XORed into it when `with_xor`; `state` ends as the block written. `out` keeps R (XOR its old
/// value) while P runs.
#[inline(never)]
pub(in crate::kdf) fn fill_block(
    state: &mut State,
    reference: &Block,
    out: &mut Block,
    with_xor: bool,
) {
    let words = state.0.as_flattened_mut().iter_mut();
    let pairs = reference
        .0
        .as_flattened()
        .iter()
        .zip(out.0.as_flattened_mut());
    if with_xor {
        for (s, (y, kept)) in words.zip(pairs) {
            *s ^= y;
            *kept ^= *s;
        }
    } else {
        for (s, (y, kept)) in words.zip(pairs) {
            *s ^= y;
            *kept = *s;
        }
    }
    // The eight rows (pairs 8r .. 8r + 8), then the eight columns (pairs c, c + 8, ..., c + 56), in
    // one loop: a single copy of P keeps the module under 160 KB (two copies: 1.2 KB more, and the
    // baseline build about 8% faster).
    for group in 0..16 {
        let (start, stride) = if group < 8 {
            (8 * group, 1)
        } else {
            (group - 8, 8)
        };
        let mut v = [0u64; 16];
        for (words, pair) in v
            .chunks_exact_mut(2)
            .zip(state.0.iter().skip(start).step_by(stride))
        {
            words.copy_from_slice(pair);
        }
        permute(&mut v);
        for (words, pair) in v
            .chunks_exact(2)
            .zip(state.0.iter_mut().skip(start).step_by(stride))
        {
            pair.copy_from_slice(words);
        }
    }
    for (s, kept) in state
        .0
        .as_flattened_mut()
        .iter_mut()
        .zip(out.0.as_flattened_mut())
    {
        *s ^= *kept;
        *kept = *s;
    }
}

/// The state before a block's first step: the block itself.
pub(in crate::kdf) fn state_of(block: &Block) -> State {
    *block
}

/// The first word of the block in `state`, which gives the next block's reference (J1, J2).
pub(in crate::kdf) fn first_word(state: &State) -> u64 {
    state.0[0][0]
}

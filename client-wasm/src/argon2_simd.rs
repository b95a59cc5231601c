//! Argon2id (RFC 9106, version 0x13) with WebAssembly SIMD: the compression function G works on
//! 128-bit vectors, two 64-bit words at a time, in the layout of the reference implementation's SSE
//! code (`blamka-round-opt.h`). Built only when the target has `simd128`; the other build derives
//! through the `argon2` crate (`protocol::kdf`).
//!
//! Why a second implementation: RustCrypto's portable code, auto-vectorised for `simd128`, spends
//! most of G on 64-bit multiplications that V8 emulates with three `pmuludq` each; here one
//! `extmul` multiplies the four low words of two BlaMka pairs at once. It follows RFC 9106
//! section 3 step by step; the tests compare it with the `argon2` crate on many parameter sets and
//! with the shared vectors, and `bench/client.sh` measures both.

use crate::error::{NotaryError, Result};
use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;
use core::arch::wasm32::{
    i32x4_shuffle, i64x2_add, i64x2_shl, i64x2_shuffle, i8x16_shuffle, u64x2,
    u64x2_extmul_high_u32x4, u64x2_extmul_low_u32x4, u64x2_extract_lane, u64x2_shr, v128, v128_or,
    v128_xor,
};
use protocol::kdf::{KdfParams, Seed, SEED_BYTES};
use zeroize::Zeroize;

/// 64-bit words in a 1 KiB block.
const WORDS: usize = 128;
/// 128-bit vectors (pairs of words) in a block.
const VECTORS: usize = 64;
/// Slices per pass (sync points).
const SYNC_POINTS: usize = 4;
/// Argon2id's type number `y`.
const ARGON2ID: u32 = 2;
/// Version 0x13.
const VERSION: u32 = 0x13;

/// One 1 KiB block as 64 pairs of little-endian words, aligned for vector loads.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
pub struct Block([[u64; 2]; VECTORS]);

impl Block {
    const ZERO: Self = Self([[0; 2]; VECTORS]);

    fn vectors(&self) -> impl Iterator<Item = v128> + '_ {
        self.0.iter().map(|&[low, high]| u64x2(low, high))
    }

    fn word(&self, index: usize) -> Option<u64> {
        self.0.as_flattened().get(index).copied()
    }

    fn xor_with(&mut self, other: &Block) {
        for (word, other) in self
            .0
            .as_flattened_mut()
            .iter_mut()
            .zip(other.0.as_flattened())
        {
            *word ^= other;
        }
    }

    fn from_bytes(bytes: &[u8; 1024]) -> Self {
        let mut block = Self::ZERO;
        for (word, chunk) in block
            .0
            .as_flattened_mut()
            .iter_mut()
            .zip(bytes.chunks_exact(8))
        {
            let mut le = [0u8; 8];
            le.copy_from_slice(chunk);
            *word = u64::from_le_bytes(le);
        }
        block
    }

    fn to_bytes(self) -> [u8; 1024] {
        let mut bytes = [0u8; 1024];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(self.0.as_flattened()) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }

    fn wipe(&mut self) {
        self.0.as_flattened_mut().zeroize();
    }
}

/// The Argon2 working memory, kept between derivations and zeroised when dropped.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self(Vec::new())
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(Block::wipe);
    }
}

// ---- the compression function G (RFC 9106 section 3.5) on vectors of two words ----

/// BlaMka on two pairs of vectors: x + y + 2 * lo32(x) * lo32(y), lane by lane, for (x0, y0) and
/// (x1, y1). The low words of both pairs are gathered with one shuffle per side, so that each
/// `extmul` multiplies exactly the words it needs (V8 lowers it to one `pmuludq` on x86).
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
type State = [[v128; 8]; 8];

/// One step of the filling, as in the reference SSE code: `state` holds the previous block X;
/// with Y = `reference` and R = X XOR Y, G(X, Y) = P(R) XOR R, with P applied to the eight rows and
/// then to the eight columns of R seen as 8 x 8 vectors, two rows or two columns at a time. The
/// result is written to `out`, or XORed into it when `with_xor` (version 0x13, passes after the
/// first); `state` ends as the block written, the next step's previous block. `out` itself keeps R
/// (XOR its old value) while P runs: a scratch block on the stack cost a `memory.fill` per block.
#[inline(never)]
fn fill_block(state: &mut State, reference: &Block, out: &mut Block, with_xor: bool) {
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
fn state_of(block: &Block) -> State {
    let mut state = [[u64x2(0, 0); 8]; 8];
    for (slot, value) in state.as_flattened_mut().iter_mut().zip(block.vectors()) {
        *slot = value;
    }
    state
}

// ---- BLAKE2b parts: H0 and the variable-length hash H' (RFC 9106 sections 3.2 and 3.3) ----

fn hash_error() -> NotaryError {
    NotaryError::local("weak_kdf_params", "BLAKE2b refused an output length")
}

/// BLAKE2b with an output of `out.len()` bytes (1 to 64) over the concatenation of `parts`.
fn blake2b(parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let mut hasher = Blake2bVar::new(out.len()).map_err(|_| hash_error())?;
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize_variable(out).map_err(|_| hash_error())
}

/// H' (RFC 9106 section 3.3): BLAKE2b of any output length T over `inputs`.
fn blake2b_long(inputs: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let length = u32::try_from(out.len())
        .map_err(|_| hash_error())?
        .to_le_bytes();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(inputs.len() + 1);
    parts.push(&length);
    parts.extend_from_slice(inputs);
    if out.len() <= 64 {
        return blake2b(&parts, out);
    }
    // V1 = H(T || X); W_i = the first 32 bytes of V_i while more than 64 bytes remain, with
    // V_i+1 = H(V_i); the rest is H^(T - 32r)(V_r).
    let mut v = [0u8; 64];
    blake2b(&parts, &mut v)?;
    let mut rest = out;
    while rest.len() > 64 {
        let (w, tail) = rest.split_at_mut_checked(32).ok_or_else(hash_error)?;
        let (first_half, _) = v.split_first_chunk::<32>().ok_or_else(hash_error)?;
        w.copy_from_slice(first_half);
        rest = tail;
        if rest.len() > 64 {
            let previous = v;
            blake2b(&[&previous], &mut v)?;
        }
    }
    let last = blake2b(&[&v], rest);
    v.zeroize();
    last
}

/// H0 (RFC 9106 section 3.2) with no secret and no associated data.
fn initial_hash(params: &KdfParams, password: &[u8], salt: &[u8]) -> Result<[u8; 64]> {
    let length = |bytes: &[u8]| {
        u32::try_from(bytes.len())
            .map(u32::to_le_bytes)
            .map_err(|_| NotaryError::local("invalid_password", "the password is too long"))
    };
    let [p, tag, m, t, version, kind] = [
        params.parallelism,
        SEED_BYTES as u32,
        params.memory_kib,
        params.iterations,
        VERSION,
        ARGON2ID,
    ]
    .map(u32::to_le_bytes);
    let (password_length, salt_length) = (length(password)?, length(salt)?);
    let none = 0u32.to_le_bytes(); // no secret key K, no associated data X
    let mut h0 = [0u8; 64];
    blake2b(
        &[
            &p,
            &tag,
            &m,
            &t,
            &version,
            &kind,
            &password_length,
            password,
            &salt_length,
            salt,
            &none,
            &none,
        ],
        &mut h0,
    )?;
    Ok(h0)
}

// ---- filling the memory (RFC 9106 sections 3.4 and 3.4.1) ----

/// Shape of the memory matrix.
#[derive(Clone, Copy)]
struct Geometry {
    lanes: usize,
    lane_length: usize,
    segment_length: usize,
    passes: usize,
}

/// Where one segment is: pass, slice and lane.
#[derive(Clone, Copy)]
struct Position {
    pass: usize,
    slice: usize,
    lane: usize,
}

fn internal_error() -> NotaryError {
    NotaryError::local(
        "weak_kdf_params",
        "Argon2 indexed outside its memory (parameters it cannot handle)",
    )
}

/// Argon2id of `password` and `salt` with `params` (checked against the protocol's floor by the
/// caller), 32 bytes of output, computed in `memory`.
pub fn derive_seed(
    password: &[u8],
    salt: &[u8],
    params: &KdfParams,
    memory: &mut Memory,
) -> Result<Seed> {
    let lanes = params.parallelism as usize;
    let memory_kib = params.memory_kib as usize;
    if lanes == 0 || memory_kib < 8 * lanes || params.iterations == 0 {
        return Err(NotaryError::local(
            "weak_kdf_params",
            "Argon2 needs p >= 1, t >= 1 and m >= 8p",
        ));
    }
    let segment_length = memory_kib / (lanes * SYNC_POINTS);
    let geometry = Geometry {
        lanes,
        lane_length: segment_length * SYNC_POINTS,
        segment_length,
        passes: params.iterations as usize,
    };
    let block_count = geometry.lane_length * lanes;
    if let Some(surplus) = memory.0.get_mut(block_count..) {
        surplus.iter_mut().for_each(Block::wipe);
    }
    let missing = block_count.saturating_sub(memory.0.len());
    memory.0.try_reserve_exact(missing).map_err(|_| {
        NotaryError::local(
            "weak_kdf_params",
            "this device cannot allocate the memory these parameters need",
        )
    })?;
    memory.0.resize(block_count, Block::ZERO);
    let blocks = memory.0.as_mut_slice();

    let mut h0 = initial_hash(params, password, salt)?;
    let mut bytes = [0u8; 1024];
    for (lane, lane_blocks) in blocks.chunks_exact_mut(geometry.lane_length).enumerate() {
        let lane_word = u32::try_from(lane)
            .map_err(|_| internal_error())?
            .to_le_bytes();
        for (i, block) in (0u32..).zip(lane_blocks.iter_mut().take(2)) {
            blake2b_long(&[&h0, &i.to_le_bytes(), &lane_word], &mut bytes)?;
            *block = Block::from_bytes(&bytes);
        }
    }
    h0.zeroize();
    bytes.zeroize();

    for pass in 0..geometry.passes {
        for slice in 0..SYNC_POINTS {
            for lane in 0..lanes {
                fill_segment(blocks, geometry, Position { pass, slice, lane })?;
            }
        }
    }

    let mut last = Block::ZERO;
    for lane_blocks in blocks.chunks_exact(geometry.lane_length) {
        last.xor_with(lane_blocks.last().ok_or_else(internal_error)?);
    }
    let mut last_bytes = last.to_bytes();
    last.wipe();
    let mut seed = [0u8; SEED_BYTES];
    let hashed = blake2b_long(&[&last_bytes], &mut seed);
    last_bytes.zeroize();
    hashed?;
    let result = Seed::from_bytes(seed);
    seed.zeroize();
    Ok(result)
}

/// The next block of pseudo-random reference positions for data-independent addressing:
/// G(0, G(0, input)) after incrementing the counter (word 6 of the input block).
fn next_addresses(address: &mut Block, input: &mut Block) {
    input.0[3][0] += 1;
    let mut first = Block::ZERO;
    fill_block(&mut state_of(&Block::ZERO), input, &mut first, false);
    fill_block(&mut state_of(&Block::ZERO), &first, address, false);
}

/// The reference block (read) and the current one (written): never the same block, since a
/// reference never names the block being computed.
fn reference_and_current(
    blocks: &mut [Block],
    reference: usize,
    current: usize,
) -> Option<(&Block, &mut Block)> {
    if reference < current {
        let (before, rest) = blocks.split_at_mut_checked(current)?;
        Some((before.get(reference)?, rest.first_mut()?))
    } else {
        let (before, rest) = blocks.split_at_mut_checked(reference)?;
        Some((rest.first()?, before.get_mut(current)?))
    }
}

/// Fills one segment (RFC 9106 section 3.4): for each block, the reference block's position from
/// J1 and J2 (section 3.4.1.1 for Argon2id's data-independent first half of the first pass, the
/// previous block's first word otherwise), then G.
fn fill_segment(blocks: &mut [Block], geometry: Geometry, at: Position) -> Result<()> {
    let Geometry {
        lanes,
        lane_length,
        segment_length,
        passes,
    } = geometry;
    let Position { pass, slice, lane } = at;
    let data_independent = pass == 0 && slice < SYNC_POINTS / 2;
    let mut address = Block::ZERO;
    let mut input = Block::ZERO;
    if data_independent {
        input.0[0] = [pass as u64, lane as u64];
        input.0[1] = [slice as u64, blocks.len() as u64];
        input.0[2] = [passes as u64, u64::from(ARGON2ID)];
    }
    let first = if pass == 0 && slice == 0 {
        if data_independent {
            next_addresses(&mut address, &mut input);
        }
        2
    } else {
        0
    };
    let segment_start = lane * lane_length + slice * segment_length;
    let previous = if slice == 0 && first == 0 {
        segment_start + lane_length - 1
    } else {
        segment_start + first - 1
    };
    let mut state = state_of(blocks.get(previous).ok_or_else(internal_error)?);
    for index in first..segment_length {
        let current = segment_start + index;
        let random = if data_independent {
            if index % WORDS == 0 {
                next_addresses(&mut address, &mut input);
            }
            address.word(index % WORDS).ok_or_else(internal_error)?
        } else {
            u64x2_extract_lane::<0>(state[0][0])
        };
        let reference_lane = if pass == 0 && slice == 0 {
            lane
        } else {
            (random >> 32) as usize % lanes
        };
        let same_lane = reference_lane == lane;
        // The blocks this one may reference: all finished ones except the previous block.
        let area = if pass == 0 {
            if slice == 0 {
                index - 1
            } else if same_lane {
                slice * segment_length + index - 1
            } else {
                slice * segment_length - usize::from(index == 0)
            }
        } else if same_lane {
            lane_length - segment_length + index - 1
        } else {
            lane_length - segment_length - usize::from(index == 0)
        };
        let j1 = random & 0xFFFF_FFFF;
        let x = (j1 * j1) >> 32;
        let relative = area - 1 - ((area as u64 * x) >> 32) as usize;
        let start = if pass != 0 && slice != SYNC_POINTS - 1 {
            (slice + 1) * segment_length
        } else {
            0
        };
        let reference = reference_lane * lane_length + (start + relative) % lane_length;
        let (reference_block, out) =
            reference_and_current(blocks, reference, current).ok_or_else(internal_error)?;
        fill_block(&mut state, reference_block, out, pass > 0);
    }
    address.wipe();
    Ok(())
}

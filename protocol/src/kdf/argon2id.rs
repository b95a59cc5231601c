//! Argon2id (RFC 9106, version 0x13, no secret, no associated data, 32 bytes of output): H0, H',
//! the memory filling and the final hash, written once, following RFC 9106 section 3 step by step.
//! The compression function G comes from `backends` (a WebAssembly SIMD kernel or a scalar one).
//!
//! Why not RustCrypto's `argon2` crate (now only the tests' reference): its portable code,
//! auto-vectorised for `simd128`, spends most of G on 64-bit multiplications that V8 emulates with
//! three `pmuludq` each, where the SIMD kernel's one `extmul` multiplies the low words of two BlaMka
//! pairs at once; in 30 interleaved rounds it took 1.55 to 1.6 times as long, for 2.5 KB more gzip.
//! The tests compare this implementation with the `argon2` crate on many parameter sets, natively
//! and in both WebAssembly builds, and `bench/client.sh` measures it.

use super::backends::{fill_block, first_word, state_of};
use super::KdfParams;
use crate::error::{err, Error, ErrorKind, Result};
use crate::keys::{Seed, SEED_BYTES};
use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;
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

/// One 1 KiB block as 64 pairs of little-endian words, aligned to its size: no block straddles a
/// page or shares a cache line (1 to 4% faster in V8 than the 16 bytes vector loads need).
#[derive(Clone, Copy)]
#[repr(C, align(1024))]
pub(super) struct Block(pub(super) [[u64; 2]; VECTORS]);

impl Block {
    const ZERO: Self = Self([[0; 2]; VECTORS]);

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

/// The Argon2 working memory, kept between derivations and zeroised when dropped (its blocks hold
/// material derived from the password). It grows on first use and shrinks to what each derivation
/// needs, wiping the blocks it gives up.
#[derive(Default)]
pub struct KdfMemory(Vec<Block>);

impl KdfMemory {
    /// An empty buffer.
    pub const fn new() -> Self {
        Self(Vec::new())
    }
}

impl Drop for KdfMemory {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(Block::wipe);
    }
}

// ---- BLAKE2b parts: H0 and the variable-length hash H' (RFC 9106 sections 3.2 and 3.3) ----

fn hash_error() -> Error {
    err(ErrorKind::WeakKdfParams, "BLAKE2b refused an output length")
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
            .map_err(|_| err(ErrorKind::InvalidPassword, "the password is too long"))
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

fn internal_error() -> Error {
    err(
        ErrorKind::WeakKdfParams,
        "Argon2 indexed outside its memory (parameters it cannot handle)",
    )
}

/// Argon2id of `password` and `salt` with the memory, passes and lanes of `params`, 32 bytes of
/// output, computed in `memory`. Any parameters Argon2 itself can run (p >= 1, t >= 1, m >= 8p):
/// the protocol's floor is the caller's check ([`super::derive_seed_with_memory`]).
pub(super) fn hash(
    password: &[u8],
    salt: &[u8],
    params: &KdfParams,
    memory: &mut KdfMemory,
) -> Result<Seed> {
    let lanes = params.parallelism as usize;
    let memory_kib = params.memory_kib as usize;
    if lanes == 0 || memory_kib < 8 * lanes || params.iterations == 0 {
        return Err(err(
            ErrorKind::WeakKdfParams,
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
    if block_count > memory.0.capacity() {
        // Growing reallocates, and the allocator gets the old buffer back as it is: wipe it first.
        memory.0.iter_mut().for_each(Block::wipe);
    }
    let missing = block_count.saturating_sub(memory.0.len());
    memory.0.try_reserve_exact(missing).map_err(|_| {
        err(
            ErrorKind::WeakKdfParams,
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
            first_word(&state)
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

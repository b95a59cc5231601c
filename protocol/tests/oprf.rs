//! `protocol::oprf` against the `voprf` crate (RFC 9497's OPRF mode, ristretto255-SHA512), on inputs
//! RFC 9497's four vectors do not cover: many seeds, key infos, inputs of every length class and
//! blinds. Each step (DeriveKeyPair, Blind, BlindEvaluate, Finalize) must agree byte for byte.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use curve25519_dalek::scalar::Scalar;
use protocol::oprf::{self, Blind, ServerKey};
use sha2::{Digest, Sha512};
use voprf::{OprfClient, OprfServer, Ristretto255};

/// Deterministic test bytes: SHA-512 of a label and a counter, as long as asked.
fn bytes(label: &str, counter: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut block = 0u32;
    while out.len() < len {
        let digest = Sha512::new()
            .chain_update(label)
            .chain_update(counter.to_be_bytes())
            .chain_update(block.to_be_bytes())
            .finalize();
        out.extend_from_slice(&digest);
        block += 1;
    }
    out.truncate(len);
    out
}

#[test]
fn every_step_agrees_with_the_voprf_crate() {
    let input_lengths = [1, 2, 31, 32, 33, 64, 127, 128, 129, 1000, 4200];
    for case in 0..48 {
        let seed = bytes("seed", case, 32);
        let info = bytes("info", case, case % 40);
        let input = bytes("input", case, input_lengths[case % input_lengths.len()]);
        let wide: [u8; 64] = bytes("blind", case, 64).try_into().unwrap();

        let ours = ServerKey::derive(&seed, &info).unwrap();
        let theirs = OprfServer::<Ristretto255>::new_from_seed(&seed, &info).unwrap();
        assert_eq!(
            ours.to_bytes().as_slice(),
            theirs.serialize().as_slice(),
            "case {case}: DeriveKeyPair"
        );

        let blind = Blind::from_random(wide).unwrap();
        let scalar = Scalar::from_bytes_mod_order_wide(&wide);
        let blinded = oprf::blind(&input, &blind).unwrap();
        let their_blind =
            OprfClient::<Ristretto255>::deterministic_blind_unchecked(&input, scalar).unwrap();
        assert_eq!(
            blinded.to_bytes().as_slice(),
            their_blind.message.serialize().as_slice(),
            "case {case}: Blind"
        );

        let evaluated = ours.evaluate(&blinded);
        let their_evaluated = theirs.blind_evaluate(&their_blind.message);
        assert_eq!(
            evaluated.to_bytes().as_slice(),
            their_evaluated.serialize().as_slice(),
            "case {case}: BlindEvaluate"
        );

        let output = oprf::finalize(&input, &blind, &evaluated).unwrap();
        let their_output = their_blind
            .state
            .finalize(&input, &their_evaluated)
            .unwrap();
        assert_eq!(
            output.as_slice(),
            their_output.as_slice(),
            "case {case}: Finalize"
        );
        // And the unblinded protocol gives the same output as the server's own evaluation.
        assert_eq!(
            output.as_slice(),
            theirs.evaluate(&input).unwrap().as_slice(),
            "case {case}: Evaluate"
        );
    }
}

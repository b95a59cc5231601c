//! The oblivious pseudorandom function of RFC 9497 in OPRF mode (`modeOPRF`, 0x00), ciphersuite
//! ristretto255-SHA512 (RFC 9497 section 4.1), on curve25519-dalek's ristretto group and `sha2`.
//!
//! The client blinds its input ([`blind`]), the server evaluates the blinded element with its key
//! ([`ServerKey::evaluate`]) without learning the input, and the client unblinds and hashes the result
//! ([`finalize`]). The output is a function of the input and the server's key only: without the key,
//! nobody can compute it, so nothing the client derives from it can be checked offline.
//!
//! Secret-dependent work is constant time (RFC 9497 section 7.4): the scalar multiplications by the
//! server key and by the blind are curve25519-dalek's constant-time operations, and the blind's
//! inversion is a square-and-multiply over the public exponent `L - 2` ([`invert`]) made of them;
//! only public elements are decoded, compared and encoded with variable-time code. Values from which a
//! guess could be checked (the input's group element before blinding, the blind's inverse, the
//! unblinded element) are zeroised after use.

use crate::b64;
use crate::error::{err, ErrorKind, Result};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, Zeroizing};

/// `Ne`: the length of a serialised ristretto255 element.
pub const ELEMENT_BYTES: usize = 32;
/// `Ns`: the length of a serialised scalar.
pub const SCALAR_BYTES: usize = 32;
/// `Nh`: the length of the OPRF output (SHA-512).
pub const OUTPUT_BYTES: usize = 64;

/// `contextString = "OPRFV1-" || I2OSP(modeOPRF, 1) || "-" || "ristretto255-SHA512"` (section 3.1).
const CONTEXT: &[u8] = b"OPRFV1-\x00-ristretto255-SHA512";

/// A blinded input element, as the client sends it to the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlindedElement(RistrettoPoint);

/// The server's evaluation of a blinded element, as the client receives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvaluatedElement(RistrettoPoint);

/// The client's blind: a non-zero scalar, kept between [`blind`] and [`finalize`]. Zeroised on drop.
pub struct Blind(Scalar);

/// The server's private key for one input domain (section 3.2). Zeroised on drop.
pub struct ServerKey(Scalar);

/// The OPRF output: 64 bytes, zeroised on drop.
pub type Output = Zeroizing<[u8; OUTPUT_BYTES]>;

impl Drop for Blind {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for ServerKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `DeserializeElement` (section 4.1): a canonical ristretto255 encoding of a point other than the
/// identity, or `None`.
fn deserialize_element(bytes: &[u8]) -> Option<RistrettoPoint> {
    let compressed = CompressedRistretto::from_slice(bytes).ok()?;
    compressed
        .decompress()
        .filter(|point| *point != RistrettoPoint::identity())
}

/// The decoding and encoding of an element that travels: 32 bytes of canonical base64url encoding a
/// ristretto255 element other than the identity, refused with `$kind` otherwise. The two that travel
/// differ only in their name and error code.
macro_rules! wire_element {
    ($type:ident, $kind:ident, $member:literal) => {
        impl $type {
            #[doc = concat!("Decodes 32 bytes (`", stringify!($kind), "` unless they are the canonical encoding of an element other than the identity).")]
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                deserialize_element(bytes).map(Self).ok_or(err(
                    ErrorKind::$kind,
                    concat!(
                        $member,
                        " must be the canonical encoding of a ristretto255 element other than the identity"
                    ),
                ))
            }

            #[doc = concat!("Decodes the base64url form of the `", $member, "` member.")]
            pub fn from_base64url(text: &str) -> Result<Self> {
                let bytes = b64::decode_array::<ELEMENT_BYTES>(text).ok_or(err(
                    ErrorKind::$kind,
                    concat!($member, " must be 32 bytes of canonical base64url"),
                ))?;
                Self::from_bytes(&bytes)
            }

            /// The serialised element.
            pub fn to_bytes(&self) -> [u8; ELEMENT_BYTES] {
                self.0.compress().to_bytes()
            }

            /// The base64url form.
            pub fn to_base64url(&self) -> String {
                b64::encode(self.to_bytes())
            }
        }
    };
}

wire_element!(BlindedElement, InvalidBlindedElement, "blinded");
wire_element!(EvaluatedElement, InvalidEvaluatedElement, "evaluated");

impl Blind {
    /// A blind from 64 uniformly random bytes reduced modulo the group order (the wide reduction
    /// leaves a bias below 2^-250). Zero, which has no inverse, is refused.
    pub fn from_random(mut wide: [u8; 64]) -> Result<Self> {
        let scalar = Scalar::from_bytes_mod_order_wide(&wide);
        wide.zeroize();
        Self::nonzero(scalar)
    }

    /// A blind given as a canonical little-endian scalar (the form of RFC 9497's test vectors).
    pub fn from_scalar_bytes(bytes: [u8; SCALAR_BYTES]) -> Result<Self> {
        Option::<Scalar>::from(Scalar::from_canonical_bytes(bytes))
            .ok_or(err(
                ErrorKind::OprfFailure,
                "a blind must be a canonical scalar",
            ))
            .and_then(Self::nonzero)
    }

    fn nonzero(scalar: Scalar) -> Result<Self> {
        if scalar == Scalar::ZERO {
            Err(err(ErrorKind::OprfFailure, "a blind must not be zero"))
        } else {
            Ok(Self(scalar))
        }
    }
}

impl ServerKey {
    /// `DeriveKeyPair(seed, info)` (section 3.2.1): the private key for the input domain `info`
    /// under the server's `seed`.
    pub fn derive(seed: &[u8], info: &[u8]) -> Result<Self> {
        let info_len = u16::try_from(info.len())
            .map_err(|_| err(ErrorKind::OprfFailure, "the key info is too long"))?;
        let mut derive_input = Zeroizing::new(Vec::with_capacity(seed.len() + 3 + info.len()));
        derive_input.extend_from_slice(seed);
        derive_input.extend_from_slice(&info_len.to_be_bytes());
        derive_input.extend_from_slice(info);
        let dst = [b"DeriveKeyPair".as_slice(), CONTEXT].concat();
        for counter in 0..=u8::MAX {
            derive_input.push(counter);
            let scalar = hash_to_scalar(derive_input.as_slice(), &dst);
            derive_input.pop();
            if scalar != Scalar::ZERO {
                return Ok(Self(scalar));
            }
        }
        // Probability 2^-2000: unreachable in practice, but an error rather than a panic.
        Err(err(
            ErrorKind::OprfFailure,
            "DeriveKeyPairError: no non-zero key for this seed and info",
        ))
    }

    /// `BlindEvaluate(skS, blindedElement)` (section 3.3.1): `skS * blindedElement`.
    pub fn evaluate(&self, blinded: &BlindedElement) -> EvaluatedElement {
        EvaluatedElement(self.0 * blinded.0)
    }

    /// The serialised private key (`SerializeScalar`), for the test vectors.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_BYTES]> {
        Zeroizing::new(self.0.to_bytes())
    }
}

/// `Blind(input, blind)` (section 3.3.1): hashes `input` to the group and multiplies it by `blind`.
/// Fails only if the input hashes to the identity (`InvalidInputError`, probability 2^-252).
pub fn blind(input: &[u8], blind: &Blind) -> Result<BlindedElement> {
    // H(input) itself lets anyone who sees it test guesses of the input: it never leaves here.
    let element = Zeroizing::new(hash_to_group(input));
    if *element == RistrettoPoint::identity() {
        return Err(err(
            ErrorKind::OprfFailure,
            "InvalidInputError: the input hashes to the identity",
        ));
    }
    Ok(BlindedElement(blind.0 * *element))
}

/// `Finalize(input, blind, evaluatedElement)` (section 3.3.1): unblinds the server's evaluation and
/// hashes it with the input.
pub fn finalize(input: &[u8], blind: &Blind, evaluated: &EvaluatedElement) -> Result<Output> {
    let input_len = u16::try_from(input.len())
        .map_err(|_| err(ErrorKind::OprfFailure, "the OPRF input is too long"))?;
    let inverse = Zeroizing::new(invert(&blind.0));
    let unblinded = Zeroizing::new((*inverse * evaluated.0).compress().to_bytes());
    let mut hash_input = Zeroizing::new(Vec::with_capacity(input.len() + 44));
    hash_input.extend_from_slice(&input_len.to_be_bytes());
    hash_input.extend_from_slice(input);
    hash_input.extend_from_slice(&(ELEMENT_BYTES as u16).to_be_bytes());
    hash_input.extend_from_slice(unblinded.as_slice());
    hash_input.extend_from_slice(b"Finalize");
    let mut output = Zeroizing::new([0u8; OUTPUT_BYTES]);
    output.copy_from_slice(&Sha512::digest(hash_input.as_slice()));
    Ok(output)
}

/// `L - 2`, little-endian: `s^(L-2) = s^-1` for the group order `L` (Fermat's little theorem).
const ORDER_MINUS_TWO: [u8; 32] = [
    0xeb, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
];

/// The inverse of a non-zero scalar, `s^(L-2)`, by square-and-multiply over the public exponent:
/// the sequence of operations does not depend on `s`, so it is constant time in the secret. It
/// replaces `Scalar::invert`, whose unrolled addition chain is 11 KB of WebAssembly in a client that
/// inverts one scalar per derivation (0.1 ms either way).
fn invert(s: &Scalar) -> Scalar {
    let mut result = Scalar::ONE;
    for byte in ORDER_MINUS_TWO.iter().rev() {
        for bit in (0..8).rev() {
            result = result * result;
            if (byte >> bit) & 1 == 1 {
                result *= s;
            }
        }
    }
    result
}

/// `HashToGroup` (section 4.1): hash_to_ristretto255 of RFC 9380 with expand_message_xmd(SHA-512)
/// and `DST = "HashToGroup-" || contextString`.
fn hash_to_group(input: &[u8]) -> RistrettoPoint {
    let dst = [b"HashToGroup-".as_slice(), CONTEXT].concat();
    RistrettoPoint::from_uniform_bytes(&expand_message_xmd(input, &dst))
}

/// `HashToScalar` (section 4.1): 64 bytes of expand_message_xmd(SHA-512) reduced modulo the order.
fn hash_to_scalar(input: &[u8], dst: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order_wide(&expand_message_xmd(input, dst))
}

/// expand_message_xmd (RFC 9380 section 5.3.1) with SHA-512 for `len_in_bytes` = 64, which is one
/// SHA-512 output (`ell` = 1): `b_1 = H(H(Z_pad || msg || I2OSP(64, 2) || 0x00 || DST') || 0x01 || DST')`.
/// Every DST here is shorter than 256 bytes.
fn expand_message_xmd(msg: &[u8], dst: &[u8]) -> Zeroizing<[u8; 64]> {
    // One buffer and one `Sha512::digest` per block: the client's WebAssembly is smaller than with a
    // chain of `update`s, each inlined.
    let mut buffer = Zeroizing::new(Vec::with_capacity(128 + msg.len() + 3 + dst.len() + 1));
    buffer.extend_from_slice(&[0u8; 128]);
    buffer.extend_from_slice(msg);
    buffer.extend_from_slice(&64u16.to_be_bytes());
    buffer.push(0);
    buffer.extend_from_slice(dst);
    buffer.push(dst.len() as u8);
    let mut b0 = Zeroizing::new([0u8; 64]);
    b0.copy_from_slice(&Sha512::digest(buffer.as_slice()));
    buffer.clear();
    buffer.extend_from_slice(b0.as_slice());
    buffer.push(1);
    buffer.extend_from_slice(dst);
    buffer.push(dst.len() as u8);
    let mut out = Zeroizing::new([0u8; 64]);
    out.copy_from_slice(&Sha512::digest(buffer.as_slice()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[allow(clippy::unwrap_used, clippy::indexing_slicing)]
    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    // expand_message_xmd, HashToGroup and HashToScalar are checked through these end to end.
    const SEED: &str = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
    const KEY_INFO: &str = "74657374206b6579";
    const SKSM: &str = "5ebcea5ee37023ccb9fc2d2019f9d7737be85591ae8652ffa9ef0f4d37063b0e";
    const BLIND: &str = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";
    /// RFC 9497 appendix A.1.1: (Input, BlindedElement, EvaluationElement, Output).
    const VECTORS: [(&str, &str, &str, &str); 2] = [
        (
            "00",
            "609a0ae68c15a3cf6903766461307e5c8bb2f95e7e6550e1ffa2dc99e412803c",
            "7ec6578ae5120958eb2db1745758ff379e77cb64fe77b0b2d8cc917ea0869c7e",
            "527759c3d9366f277d8c6020418d96bb393ba2afb20ff90df23fb7708264e2f3ab9135e3bd69955851de4b1f9fe8a0973396719b7912ba9ee8aa7d0b5e24bcf6",
        ),
        (
            "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
            "da27ef466870f5f15296299850aa088629945a17d1f5b7f5ff043f76b3c06418",
            "b4cbf5a4f1eeda5a63ce7b77c7d23f461db3fcab0dd28e4e17cecb5c90d02c25",
            "f4a74c9c592497375e796aa837e907b1a045d34306a749db9f34221f7e750cb4f2a6413a6bf6fa5e19ba6348eb673934a722a7ede2e7621306d18951e7cf2c73",
        ),
    ];

    #[test]
    fn rfc_9497_appendix_a_1_1_ristretto255_sha512_oprf() {
        let key = ServerKey::derive(&hex(SEED), &hex(KEY_INFO)).unwrap();
        assert_eq!(key.to_bytes().to_vec(), hex(SKSM));
        for (input, blinded_hex, evaluated_hex, output) in VECTORS {
            let input = hex(input);
            let scalar: [u8; 32] = hex(BLIND).try_into().unwrap();
            let blind_scalar = Blind::from_scalar_bytes(scalar).unwrap();
            let blinded = blind(&input, &blind_scalar).unwrap();
            assert_eq!(blinded.to_bytes().to_vec(), hex(blinded_hex));
            assert_eq!(BlindedElement::from_bytes(&hex(blinded_hex)), Ok(blinded));
            let evaluated = key.evaluate(&blinded);
            assert_eq!(evaluated.to_bytes().to_vec(), hex(evaluated_hex));
            let finalized = finalize(&input, &blind_scalar, &evaluated).unwrap();
            assert_eq!(finalized.to_vec(), hex(output));
        }
    }

    #[test]
    fn elements_that_are_not_canonical_non_identity_points_are_refused() {
        let identity = [0u8; 32];
        let mut non_canonical = [0xffu8; 32];
        non_canonical[31] = 0x7f; // p + something: above the field modulus
        let negative = {
            // 1 is a canonical field element but "negative" encodings (odd) are not ristretto encodings.
            let mut bytes = [0u8; 32];
            bytes[0] = 1;
            bytes
        };
        for bad in [
            &identity[..],
            &non_canonical[..],
            &negative[..],
            &[7u8; 31][..],
            &[7u8; 33][..],
        ] {
            assert_eq!(
                BlindedElement::from_bytes(bad).map_err(|e| e.kind()),
                Err(ErrorKind::InvalidBlindedElement)
            );
            assert_eq!(
                EvaluatedElement::from_bytes(bad).map_err(|e| e.kind()),
                Err(ErrorKind::InvalidEvaluatedElement)
            );
        }
        assert_eq!(
            BlindedElement::from_base64url("AAAA").map_err(|e| e.kind()),
            Err(ErrorKind::InvalidBlindedElement)
        );
    }

    #[test]
    fn the_inverse_is_curve25519_dalek_s() {
        for seed in 1u8..=40 {
            let s = Scalar::from_bytes_mod_order_wide(&[seed; 64]);
            assert_eq!(invert(&s), s.invert());
            assert_eq!(invert(&s) * s, Scalar::ONE);
        }
    }

    #[test]
    fn a_zero_blind_is_refused() {
        assert!(Blind::from_random([0; 64]).is_err());
        assert!(Blind::from_scalar_bytes([0; 32]).is_err());
        // The group order itself reduces to zero.
        let mut order = [0u8; 64];
        // l = 2^252 + 27742317777372353535851937790883648493, little-endian.
        order[..32].copy_from_slice(&hex(
            "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
        ));
        assert!(Blind::from_random(order).is_err());
    }

    #[test]
    fn the_output_does_not_depend_on_the_blind_but_on_the_key_and_the_input() {
        let key = ServerKey::derive(b"seed", b"info").unwrap();
        let other = ServerKey::derive(b"seed", b"other info").unwrap();
        let run = |key: &ServerKey, input: &[u8], wide: u8| {
            let b = Blind::from_random([wide; 64]).unwrap();
            let blinded = blind(input, &b).unwrap();
            finalize(input, &b, &key.evaluate(&blinded)).unwrap()
        };
        assert_eq!(*run(&key, b"input", 1), *run(&key, b"input", 2));
        assert_ne!(*run(&key, b"input", 1), *run(&other, b"input", 1));
        assert_ne!(*run(&key, b"input", 1), *run(&key, b"inpuT", 1));
    }
}

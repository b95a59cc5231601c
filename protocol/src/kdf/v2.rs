//! Key derivation `kdf_version` 2 (docs/protocol.md section 5.2): the password goes through the
//! server's OPRF (RFC 9497, [`crate::oprf`]) before Argon2id, so the key is a function of the password
//! *and* a per-address server secret, and nothing the server hands out or stores allows a guess to be
//! checked offline.
//!
//! 1. `input = "Notary-v2-OPRF-input" || I2OSP(len(address), 2) || address || I2OSP(len(password), 2)
//!    || password` (the canonical address binds the evaluation to the account, as OPAQUE binds the
//!    identities);
//! 2. the client blinds `input` with a fresh blind ([`PasswordBlinding::new`]), the server evaluates
//!    the blinded element with the address's key, the client finalizes: 64 bytes;
//! 3. `Argon2id(password = those 64 bytes, salt, kdf)`: 32 bytes (Argon2id stays on the client, so a
//!    leaked OPRF seed still leaves each guess at the cost of one Argon2id);
//! 4. `seed = HKDF-SHA256(salt = "", IKM = those 32 bytes, info = "Notary-v2-Ed25519-seed", L = 32)`.

use super::{argon2id, KdfMemory, KdfParams, Password};
use crate::address::Address;
use crate::error::{err, ErrorKind, Result};
use crate::keys::Seed;
use crate::mac::hmac_sha256;
use crate::oprf::{self, Blind, BlindedElement, EvaluatedElement};
use crate::salt::Salt;
use zeroize::Zeroizing;

/// The domain label at the start of every OPRF input.
pub const OPRF_INPUT_LABEL: &[u8] = b"Notary-v2-OPRF-input";
/// HKDF's `info` for the Ed25519 seed.
pub const SEED_INFO: &[u8] = b"Notary-v2-Ed25519-seed";

/// The OPRF input of `password` for `address` (step 1).
pub fn oprf_input(address: &Address, password: &Password) -> Result<Zeroizing<Vec<u8>>> {
    let address = address.as_str().as_bytes();
    let password = password.as_bytes();
    let too_long = || err(ErrorKind::OprfFailure, "the OPRF input is too long");
    let address_len = u16::try_from(address.len()).map_err(|_| too_long())?;
    let password_len = u16::try_from(password.len()).map_err(|_| too_long())?;
    let mut input = Zeroizing::new(Vec::with_capacity(
        OPRF_INPUT_LABEL.len() + 4 + address.len() + password.len(),
    ));
    input.extend_from_slice(OPRF_INPUT_LABEL);
    input.extend_from_slice(&address_len.to_be_bytes());
    input.extend_from_slice(address);
    input.extend_from_slice(&password_len.to_be_bytes());
    input.extend_from_slice(password);
    Ok(input)
}

/// The client's side of one evaluation: the input, its blind and the blinded element sent to the
/// server. Input and blind are zeroised on drop.
pub struct PasswordBlinding {
    input: Zeroizing<Vec<u8>>,
    blind: Blind,
    blinded: BlindedElement,
}

impl PasswordBlinding {
    /// Blinds the OPRF input of `password` for `address` with a blind made of 64 fresh random bytes.
    pub fn new(address: &Address, password: &Password, random: [u8; 64]) -> Result<Self> {
        Self::with_blind(address, password, Blind::from_random(random)?)
    }

    /// [`PasswordBlinding::new`] with a given blind (for the test vectors).
    pub fn with_blind(address: &Address, password: &Password, blind: Blind) -> Result<Self> {
        let input = oprf_input(address, password)?;
        let blinded = oprf::blind(&input, &blind)?;
        Ok(Self {
            input,
            blind,
            blinded,
        })
    }

    /// The element for the salt request's `blinded` member.
    pub fn blinded(&self) -> &BlindedElement {
        &self.blinded
    }

    /// The OPRF output from the server's evaluation (step 2).
    pub fn finalize(&self, evaluated: &EvaluatedElement) -> Result<oprf::Output> {
        oprf::finalize(&self.input, &self.blind, evaluated)
    }
}

/// Steps 3 and 4: the Ed25519 seed from the OPRF output, after checking `params` against the floor
/// and ceiling ([`KdfParams::check`]), in a caller-owned Argon2 working memory.
pub fn derive_seed(
    output: &oprf::Output,
    salt: &Salt,
    params: &KdfParams,
    memory: &mut KdfMemory,
) -> Result<Seed> {
    params.check()?;
    let stretched = argon2id::hash(output.as_slice(), salt.as_bytes(), params, memory)?;
    Ok(hkdf_seed(stretched.as_bytes()))
}

/// Step 4: HKDF-SHA256 with an empty salt and [`SEED_INFO`].
fn hkdf_seed(ikm: &[u8]) -> Seed {
    Seed::from_bytes(*hkdf_sha256_32(ikm, SEED_INFO))
}

/// HKDF-SHA256 (RFC 5869) with an empty salt (32 zero bytes), 32 bytes of output: HKDF-Extract, then
/// one block of HKDF-Expand.
fn hkdf_sha256_32(ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let prk = Zeroizing::new(hmac_sha256(&[0u8; 32], &[ikm]));
    Zeroizing::new(hmac_sha256(prk.as_slice(), &[info, &[1u8]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn hkdf_is_rfc_5869_test_case_3() {
        // RFC 5869 A.3: IKM = 0x0b * 22, salt and info empty; the first 32 bytes of its OKM.
        let okm = hkdf_sha256_32(&[0x0b; 22], b"");
        assert_eq!(
            okm[..],
            [
                0x8d, 0xa4, 0xe7, 0x75, 0xa5, 0x63, 0xc1, 0x8f, 0x71, 0x5f, 0x80, 0x2a, 0x06, 0x3c,
                0x5a, 0x31, 0xb8, 0xa1, 0x1f, 0x5c, 0x5e, 0xe1, 0x87, 0x9e, 0xc3, 0x45, 0x4e, 0x5f,
                0x3c, 0x73, 0x8d, 0x2d
            ]
        );
        assert_eq!(
            *hkdf_seed(&[0x0b; 22]).as_bytes(),
            *hkdf_sha256_32(&[0x0b; 22], SEED_INFO)
        );
    }

    #[test]
    fn the_input_is_length_prefixed_so_address_and_password_cannot_trade_bytes() {
        let a = Address::from_canonical("ab@example.com").unwrap();
        let p = Password::from_normalized("password1".into()).unwrap();
        let input = oprf_input(&a, &p).unwrap();
        let mut expected = b"Notary-v2-OPRF-input\x00\x0eab@example.com\x00\x09".to_vec();
        expected.extend_from_slice(b"password1");
        assert_eq!(input.as_slice(), expected.as_slice());
    }
}

//! RustCrypto's Argon2id, the reference the crate's own is checked against, for the vector generator
//! (`examples/make_vectors.rs`) and `tests/vectors.rs`: Argon2id v1.3, 32 bytes, no secret, no
//! associated data.

use protocol::kdf::KdfParams;

/// Argon2id(`password`, `salt`) with `params`, for any bytes as the password (the OPRF output too).
pub fn rustcrypto_argon2id(
    password: &[u8],
    salt: &[u8],
    params: &KdfParams,
) -> Result<[u8; 32], String> {
    let params = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|e| e.to_string())?;
    let mut out = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password, salt, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

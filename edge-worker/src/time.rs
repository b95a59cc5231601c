//! The clock and the CSPRNG of the Workers runtime.

use crate::error::{ApiError, ApiResult};

/// Now, Unix milliseconds.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Now, Unix seconds.
pub fn now_secs() -> i64 {
    now_ms().div_euclid(1000)
}

/// `N` bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> ApiResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| {
        worker::console_error!("the CSPRNG failed");
        ApiError::internal()
    })?;
    Ok(bytes)
}

/// A random id (16 bytes, base64url) for idempotency keys and claim markers.
pub fn random_id() -> ApiResult<String> {
    random_bytes::<16>().map(protocol::b64::encode)
}

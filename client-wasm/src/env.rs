//! What the tokens take from the environment: the clock and a CSPRNG.

use crate::error::{ClientErrorKind, NotaryError, Result};
use protocol::token::MIN_JTI_BYTES;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The Web Crypto CSPRNG: `globalThis.crypto.getRandomValues` (browsers, Web Workers, Node 20+).
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buffer: &mut [u8]) -> core::result::Result<JsValue, JsValue>;
}

/// Seconds since the Unix epoch, from JavaScript's `Date.now()`.
pub fn now_secs() -> i64 {
    // Date.now() is an integral number of milliseconds well inside f64's exact range.
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// 16 bytes from `crypto.getRandomValues` (browsers, Web Workers, Node 20+): one `jti`.
pub fn jti_bytes() -> Result<[u8; MIN_JTI_BYTES]> {
    let mut bytes = [0u8; MIN_JTI_BYTES];
    random_bytes(&mut bytes)?;
    Ok(bytes)
}

/// Fills `buffer` from `crypto.getRandomValues` (at most 65536 bytes, the Web Crypto limit).
pub fn random_bytes(buffer: &mut [u8]) -> Result<()> {
    get_random_values(buffer).map_err(|_| {
        NotaryError::new(
            ClientErrorKind::NoRandomness,
            "crypto.getRandomValues is not available in this environment",
        )
    })?;
    Ok(())
}

//! Checks on plain JavaScript objects (answers from the server, arguments from callers) without a JSON
//! deserialiser in the WASM: `JSON.parse` has already done the parsing.

use crate::error::{NotaryError, Result};
use wasm_bindgen::JsValue;

/// A member an object must have, and its JavaScript type.
#[derive(Clone, Copy, Debug)]
pub enum Member {
    /// A string.
    String(&'static str),
    /// A number.
    Number(&'static str),
    /// An object.
    Object(&'static str),
}

/// The member `name` (`undefined` when absent or when `object` is not an object).
pub fn member(object: &JsValue, name: &str) -> JsValue {
    get(object, name)
}

fn get(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn missing(name: &str, kind: &str) -> NotaryError {
    NotaryError::local(
        crate::error::codes::INVALID_ARGUMENT,
        format!("the member `{name}` is missing or not {kind}"),
    )
}

/// Checks that `object` has every member of `members` with the right type.
pub fn check(object: &JsValue, members: &[Member]) -> Result<()> {
    for member in members {
        let (name, kind, ok) = match *member {
            Member::String(name) => (name, "a string", get(object, name).is_string()),
            Member::Number(name) => (name, "a number", get(object, name).as_f64().is_some()),
            Member::Object(name) => (name, "an object", get(object, name).is_object()),
        };
        if !ok {
            return Err(missing(name, kind));
        }
    }
    Ok(())
}

/// The string member `name`.
pub fn string(object: &JsValue, name: &str) -> Result<String> {
    get(object, name)
        .as_string()
        .ok_or_else(|| missing(name, "a string"))
}

/// The object member `name`.
pub fn object(object: &JsValue, name: &str) -> Result<JsValue> {
    Some(get(object, name))
        .filter(JsValue::is_object)
        .ok_or_else(|| missing(name, "an object"))
}

/// The member `name` as a `u32` (a whole number from 0 to 2^32 - 1).
pub fn u32(object: &JsValue, name: &str) -> Result<u32> {
    get(object, name)
        .as_f64()
        .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| missing(name, "a whole number"))
}

/// The member `name` as a number, or `None` when it is absent (`undefined` or `null`).
pub fn optional_number(object: &JsValue, name: &str) -> Result<Option<f64>> {
    let value = get(object, name);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| missing(name, "a number"))
}

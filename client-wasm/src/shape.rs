//! Checks on plain JavaScript objects (answers from the server, arguments from callers) without a JSON
//! deserialiser in the WASM: `JSON.parse` has already done the parsing.
//!
//! A [`Shape`] describes an object once: the run-time check of an answer and its TypeScript
//! interface (`crate::typescript`, written into the package's `.d.ts` at compile time) are both read
//! from it, so what the types promise is what the check makes sure of.

use crate::error::{NotaryError, Result};
use wasm_bindgen::JsValue;

/// The type of a member: what [`check`] requires and what TypeScript declares.
#[derive(Clone, Copy, Debug)]
pub enum Type {
    /// Any string: `string`.
    String,
    /// Any string, documented with the values it usually has: `"a" | "b" | string`.
    OpenString(&'static [&'static str]),
    /// Exactly this string: `"active"`.
    Literal(&'static str),
    /// Any number: `number`.
    Number,
    /// Exactly this whole number: `19`.
    Integer(u32),
    /// An object of this shape. [`check`] only requires an object: whoever reads it checks its
    /// members, with the codes that fit (the salt answer's `kdf`: the protocol's `weak_kdf_params`).
    Object(&'static Shape),
}

/// A member an object must have.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Its TypeScript doc comment (none when empty).
    pub doc: &'static str,
}

impl Member {
    /// A member of type `ty`.
    pub const fn new(name: &'static str, ty: Type) -> Self {
        Self { name, ty, doc: "" }
    }

    /// The same member with a doc comment.
    pub const fn doc(self, doc: &'static str) -> Self {
        Self { doc, ..self }
    }
}

/// An object described once: its TypeScript interface and its run-time check.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// The TypeScript interface's name.
    pub name: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// Every member, each required.
    pub members: &'static [Member],
}

/// The member `name` (`undefined` when absent or when `object` is not an object).
pub fn member(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn missing(name: &str, kind: &str) -> NotaryError {
    NotaryError::invalid_argument(format!("the member `{name}` is missing or not {kind}"))
}

fn has_type(value: &JsValue, ty: Type) -> bool {
    match ty {
        Type::String | Type::OpenString(_) => value.is_string(),
        Type::Literal(text) => value.as_string().is_some_and(|value| value == text),
        Type::Number => value.as_f64().is_some(),
        Type::Integer(number) => value.as_f64() == Some(f64::from(number)),
        Type::Object(_) => value.is_object(),
    }
}

fn described(ty: Type) -> &'static str {
    match ty {
        Type::String | Type::OpenString(_) => "a string",
        Type::Literal(_) => "the expected string",
        Type::Number => "a number",
        Type::Integer(_) => "the expected number",
        Type::Object(_) => "an object",
    }
}

/// Checks that `object` has every member of `members` with its type.
pub fn check(object: &JsValue, members: &[Member]) -> Result<()> {
    for &Member { name, ty, .. } in members {
        if !has_type(&member(object, name), ty) {
            return Err(missing(name, described(ty)));
        }
    }
    Ok(())
}

/// The string member `name`.
pub fn string(object: &JsValue, name: &str) -> Result<String> {
    member(object, name)
        .as_string()
        .ok_or_else(|| missing(name, "a string"))
}

/// The object member `name`.
pub fn object(object: &JsValue, name: &str) -> Result<JsValue> {
    Some(member(object, name))
        .filter(JsValue::is_object)
        .ok_or_else(|| missing(name, "an object"))
}

/// The member `name` as a `u32` (a whole number from 0 to 2^32 - 1).
pub fn u32(object: &JsValue, name: &str) -> Result<u32> {
    member(object, name)
        .as_f64()
        .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| missing(name, "a whole number"))
}

/// The argument `name` as a string (JavaScript does not check the types its callers pass).
pub fn string_argument(value: &JsValue, name: &str) -> Result<String> {
    value.as_string().ok_or_else(|| {
        NotaryError::invalid_argument(format!("the argument `{name}` is missing or not a string"))
    })
}

/// The argument `name` as a number, or `None` when it is absent (`undefined` or `null`).
pub fn optional_number_argument(value: &JsValue, name: &str) -> Result<Option<f64>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| NotaryError::invalid_argument(format!("`{name}` is not a number")))
}

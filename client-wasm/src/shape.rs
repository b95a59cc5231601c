//! Checks on plain JavaScript objects (answers from the server, arguments from callers) without a JSON
//! deserialiser in the WASM: `JSON.parse` has already done the parsing.
//!
//! A [`Shape`] describes an object once: the run-time check of an answer and its TypeScript
//! interface (`crate::typescript`, written into the package's `.d.ts` at compile time) are both read
//! from it, so what the types promise is what the check makes sure of. Shapes themselves live only
//! at compile time: [`requirements!`](crate::requirements) keeps of each what [`check`] needs, so no
//! TypeScript text reaches the `.wasm`.

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
    /// An array of numbers: `number[]`. [`check`] only requires an array: its reader checks the items.
    NumberArray,
    /// An object of this shape. [`check`] only requires an object: whoever reads it checks its
    /// members, with the codes that fit (the salt answer's `kdf`: the protocol's `weak_kdf_params`).
    Object(&'static Shape),
    /// An array of objects of this shape: `Name[]`. [`check`] only requires an array: its reader
    /// checks the items (`session::check_items`).
    Array(&'static Shape),
    /// `true` or `false`.
    Boolean,
    /// An object of a type the platform defines (`CryptoKey`): declared by that name, checked as an
    /// object.
    Platform(&'static str),
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

/// What [`check`] requires of one member: its name and what JavaScript can check of its [`Type`].
#[derive(Clone, Copy, Debug)]
pub struct Requirement {
    name: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    String,
    Literal(&'static str),
    Number,
    Integer(u32),
    Array,
    Object,
    Boolean,
}

impl Type {
    const fn kind(self) -> Kind {
        match self {
            Self::String | Self::OpenString(_) => Kind::String,
            Self::Literal(text) => Kind::Literal(text),
            Self::Number => Kind::Number,
            Self::Integer(number) => Kind::Integer(number),
            Self::NumberArray | Self::Array(_) => Kind::Array,
            Self::Object(_) | Self::Platform(_) => Kind::Object,
            Self::Boolean => Kind::Boolean,
        }
    }
}

/// The requirements of the members of `shape`, which has `N` of them (compile time only, through
/// [`requirements!`](crate::requirements)).
pub const fn requirements_of<const N: usize>(shape: &Shape) -> [Requirement; N] {
    assert!(N == shape.members.len(), "N is the number of members");
    let mut requirements = [Requirement {
        name: "",
        kind: Kind::Object,
    }; N];
    let mut members = shape.members;
    let mut slots: &mut [Requirement] = &mut requirements;
    while let ([member, more @ ..], [slot, others @ ..]) = (members, slots) {
        *slot = Requirement {
            name: member.name,
            kind: member.ty.kind(),
        };
        members = more;
        slots = others;
    }
    requirements
}

/// The [`Requirement`]s of a [`Shape`] constant, as a `&'static` slice made at compile time:
/// `check(&answer, requirements!(ACCOUNT))`.
#[macro_export]
macro_rules! requirements {
    ($shape:path) => {{
        const REQUIREMENTS: [$crate::shape::Requirement; $shape.members.len()] =
            $crate::shape::requirements_of(&$shape);
        &REQUIREMENTS
    }};
}

/// The member `name` (`undefined` when absent or when `object` is not an object).
pub fn member(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn missing(name: &str, kind: &str) -> NotaryError {
    NotaryError::invalid_argument(format!("the member `{name}` is missing or not {kind}"))
}

fn meets(value: &JsValue, kind: Kind) -> bool {
    match kind {
        Kind::String => value.is_string(),
        Kind::Literal(text) => value.as_string().is_some_and(|value| value == text),
        Kind::Number => value.as_f64().is_some(),
        Kind::Integer(number) => value.as_f64() == Some(f64::from(number)),
        Kind::Array => js_sys::Array::is_array(value),
        Kind::Object => value.is_object(),
        Kind::Boolean => value.as_bool().is_some(),
    }
}

fn described(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Literal(_) => "the expected string",
        Kind::Number => "a number",
        Kind::Integer(_) => "the expected number",
        Kind::Array => "an array",
        Kind::Object => "an object",
        Kind::Boolean => "a boolean",
    }
}

/// Checks that `object` meets every requirement (made with [`requirements!`](crate::requirements)).
pub fn check(object: &JsValue, requirements: &[Requirement]) -> Result<()> {
    for &Requirement { name, kind } in requirements {
        if !meets(&member(object, name), kind) {
            return Err(missing(name, described(kind)));
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

#[cfg(test)]
mod tests {
    use super::*;

    const INNER: Shape = Shape {
        name: "Inner",
        doc: "Not needed to check.",
        members: &[],
    };
    const OUTER: Shape = Shape {
        name: "Outer",
        doc: "",
        members: &[
            Member::new("a", Type::OpenString(&["x"])).doc("Not needed to check either."),
            Member::new("b", Type::Literal("active")),
            Member::new("c", Type::Integer(19)),
            Member::new("d", Type::Object(&INNER)),
        ],
    };

    #[test]
    fn requirements_keep_what_javascript_can_check_in_order() {
        let requirements: &[Requirement] = crate::requirements!(OUTER);
        let names: Vec<&str> = requirements.iter().map(|r| r.name).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        assert!(matches!(
            requirements.iter().map(|r| r.kind).collect::<Vec<_>>()[..],
            [
                Kind::String,
                Kind::Literal("active"),
                Kind::Integer(19),
                Kind::Object
            ]
        ));
    }
}

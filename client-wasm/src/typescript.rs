//! TypeScript declarations written at compile time from the Rust they declare: the unions of error
//! codes from the `ALL` lists, and the answer interfaces from the [`Shape`]s that the run-time checks
//! are made from (`requirements!`). lib.rs hands them to wasm-bindgen, which copies them into the package's
//! `wasm/notary_client.d.ts`; so the types cannot drift from the code, and none of this text reaches
//! the `.wasm`.
//!
//! `const fn` cannot allocate, so `const_text!` runs a writer twice: into a
//! [`Text`] of capacity 0 to measure it, then into one of the measured size.

use crate::error::ClientErrorKind;
use crate::shape::{Shape, Type};
use crate::{client, key, session};
use protocol::ErrorKind;

/// Text written at compile time into a fixed buffer. Writing past the capacity only counts, so a
/// `Text<0>` measures what a writer writes.
pub struct Text<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    /// An empty text.
    pub const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    /// The length written (beyond the capacity, too).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written, when the capacity was the measured length.
    pub const fn into_bytes(self) -> [u8; N] {
        self.bytes
    }

    /// Appends `text`.
    pub const fn push(&mut self, text: &str) {
        self.push_bytes(text.as_bytes());
    }

    const fn push_bytes(&mut self, mut bytes: &[u8]) {
        while let [byte, rest @ ..] = bytes {
            if let Some((_, [slot, ..])) = self.bytes.split_at_mut_checked(self.len) {
                *slot = *byte;
            }
            self.len += 1;
            bytes = rest;
        }
    }

    /// Appends `number` in decimal.
    pub const fn push_number(&mut self, mut number: u32) {
        // u32::MAX has 10 digits.
        let mut digits = [0u8; 10];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some((_, [slot, ..])) = digits.split_at_mut_checked(start) {
                *slot = b'0' + (number % 10) as u8;
            }
            number /= 10;
            if number == 0 {
                break;
            }
        }
        if let Some((_, written)) = digits.split_at_checked(start) {
            self.push_bytes(written);
        }
    }
}

impl<const N: usize> Default for Text<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A `&'static str` built at compile time by `$write`, an expression that writes into the [`Text`]
/// named `$text`: `const_text!(text => typescript::error_codes(&mut text))`.
macro_rules! const_text {
    ($text:ident => $write:expr) => {{
        const LEN: usize = {
            let mut $text = $crate::typescript::Text::<0>::new();
            $write;
            $text.len()
        };
        const BYTES: [u8; LEN] = {
            let mut $text = $crate::typescript::Text::<LEN>::new();
            $write;
            $text.into_bytes()
        };
        // Only whole `&str`s are ever written, so the bytes are UTF-8.
        match ::core::str::from_utf8(&BYTES) {
            Ok(text) => text,
            Err(_) => "",
        }
    }};
}

/// `ProtocolErrorCode` and `ClientErrorCode`, from the `ALL` lists (errors.d.ts builds
/// `NotaryErrorCode` on them).
pub const ERROR_CODES: &str = const_text!(text => error_codes(&mut text));

/// The interfaces of the answers and the public JWK, from the shapes the client checks them with.
pub const ANSWERS: &str = const_text!(text => interfaces(
    &mut text,
    &[
        &client::KDF_PARAMS,
        &client::SALT_ANSWER,
        &key::PUBLIC_JWK,
        &client::STATUS_ANSWER,
        &client::CONFIRM_ANSWER,
        &client::ACCOUNT,
        &session::SESSION_INFO,
        &session::SESSION_CREATED,
        &session::SESSION_LIST,
        &session::SESSIONS_ENDED,
        &session::STORED_SESSION,
    ],
));

/// `/** text */` on a line of its own, indented; nothing for an empty text.
const fn doc_comment<const N: usize>(out: &mut Text<N>, indent: &str, text: &str) {
    if !text.is_empty() {
        out.push(indent);
        out.push("/** ");
        out.push(text);
        out.push(" */\n");
    }
}

const fn string_literal<const N: usize>(out: &mut Text<N>, text: &str) {
    out.push("\"");
    out.push(text);
    out.push("\"");
}

/// `export type Name =` and one `| "code"` line per code, as `code(item)` gives it.
macro_rules! code_union {
    ($out:expr, $name:literal, $doc:literal, $all:expr, $code:path) => {{
        doc_comment($out, "", $doc);
        $out.push(concat!("export type ", $name, " ="));
        let mut kinds: &[_] = &$all;
        while let [kind, rest @ ..] = kinds {
            $out.push("\n  | ");
            string_literal($out, $code(*kind));
            kinds = rest;
        }
        $out.push(";\n");
    }};
}

/// The unions `ProtocolErrorCode` (every [`ErrorKind`]) and `ClientErrorCode` (every
/// [`ClientErrorKind`]); `errors.d.ts` joins them with the server's and the worker client's codes
/// into `NotaryErrorCode`.
pub const fn error_codes<const N: usize>(out: &mut Text<N>) {
    code_union!(
        out,
        "ProtocolErrorCode",
        "The protocol's codes (`protocol::ErrorKind`; docs/protocol.md, section 11.1): raised by this package, or answered by a server.",
        ErrorKind::ALL,
        ErrorKind::code
    );
    out.push("\n");
    code_union!(
        out,
        "ClientErrorCode",
        "The codes this package's WebAssembly raises itself (its README, \"Errors\").",
        ClientErrorKind::ALL,
        ClientErrorKind::code
    );
}

const fn member_type<const N: usize>(out: &mut Text<N>, ty: Type) {
    match ty {
        Type::String => out.push("string"),
        Type::OpenString(mut values) => {
            while let [value, rest @ ..] = values {
                string_literal(out, value);
                out.push(" | ");
                values = rest;
            }
            out.push("string");
        }
        Type::Literal(text) => string_literal(out, text),
        Type::Number => out.push("number"),
        Type::NumberArray => out.push("number[]"),
        Type::Integer(number) => out.push_number(number),
        Type::Object(shape) => out.push(shape.name),
        Type::Array(shape) => {
            out.push(shape.name);
            out.push("[]");
        }
        Type::Boolean => out.push("boolean"),
        Type::Platform(name) => out.push(name),
    }
}

/// `export interface Name { ... }` for each shape, in order, a blank line apart.
pub const fn interfaces<const N: usize>(out: &mut Text<N>, mut shapes: &[&Shape]) {
    while let [shape, rest @ ..] = shapes {
        doc_comment(out, "", shape.doc);
        out.push("export interface ");
        out.push(shape.name);
        out.push(" {\n");
        let mut members = shape.members;
        while let [member, others @ ..] = members {
            doc_comment(out, "  ", member.doc);
            out.push("  ");
            out.push(member.name);
            out.push(": ");
            member_type(out, member.ty);
            out.push(";\n");
            members = others;
        }
        out.push("}\n");
        if !rest.is_empty() {
            out.push("\n");
        }
        shapes = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Member;

    /// The quoted codes of `export type <name> = ...;` in `text`, in order.
    fn union_members(text: &str, name: &str) -> Vec<String> {
        let start = text
            .find(&format!("export type {name} ="))
            .unwrap_or_else(|| panic!("no type {name} in {text}"));
        let body = &text[start..];
        let body = &body[..body.find(';').expect("the union ends")];
        body.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn the_code_unions_list_every_kind_in_order() {
        const CODES: &str = ERROR_CODES;
        let protocol: Vec<&str> = ErrorKind::ALL.into_iter().map(ErrorKind::code).collect();
        let client: Vec<&str> = ClientErrorKind::ALL
            .into_iter()
            .map(ClientErrorKind::code)
            .collect();
        assert_eq!(union_members(CODES, "ProtocolErrorCode"), protocol);
        assert_eq!(union_members(CODES, "ClientErrorCode"), client);
        assert!(CODES.starts_with("/** The protocol's codes"), "{CODES}");
        assert!(CODES.contains("\n  | \"network_error\"\n"), "{CODES}");
    }

    const INNER: Shape = Shape {
        name: "Inner",
        doc: "",
        members: &[Member::new("version", Type::Integer(19))],
    };
    const OUTER: Shape = Shape {
        name: "Outer",
        doc: "An answer.",
        members: &[
            Member::new("a", Type::String).doc("Some text."),
            Member::new("b", Type::OpenString(&["x", "y"])),
            Member::new("c", Type::Literal("active")),
            Member::new("d", Type::Number).doc("Unix seconds."),
            Member::new("e", Type::Object(&INNER)),
        ],
    };

    #[test]
    fn interfaces_declare_every_member_with_its_type_and_doc() {
        const TEXT: &str = const_text!(text => interfaces(&mut text, &[&OUTER, &INNER]));
        assert_eq!(
            TEXT,
            "/** An answer. */
export interface Outer {
  /** Some text. */
  a: string;
  b: \"x\" | \"y\" | string;
  c: \"active\";
  /** Unix seconds. */
  d: number;
  e: Inner;
}

export interface Inner {
  version: 19;
}
"
        );
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for number in [0, 7, 19, 100, 65_536, u32::MAX] {
            let mut text = Text::<16>::new();
            text.push_number(number);
            let bytes = text.into_bytes();
            let written = std::str::from_utf8(&bytes).expect("UTF-8");
            assert_eq!(written.trim_end_matches('\0'), number.to_string());
        }
        let mut measured = Text::<0>::new();
        measured.push_number(65_536);
        assert_eq!(measured.len(), 5);
    }
}

//! [`vocabulary!`](crate::vocabulary): a fieldless enum whose every variant stands for one fixed
//! text (an error code, a stored value, a header value, a variable's name), declared from one list.

/// Declares a fieldless enum from one list of `Variant => "text"` and generates, besides the enum,
/// `ALL` (every variant in the order of the list, so a new variant cannot be left out of it) and
/// the `const fn` that gives a variant's text, under the name the declaration chooses. With
/// `fn text, fn from_text;` it also generates `from_text(&str) -> Option<Self>`, the variant with
/// that text. Attributes and doc comments of the enum, the text method and the variants are kept.
/// Anything else a variant stands for (an HTTP status, say) stays a hand-written `match`.
///
/// ```
/// protocol::vocabulary! {
///     /// A colour.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Colour {
///         /// Its name.
///         fn name, fn from_name;
///         /// Of the sky.
///         Blue => "blue",
///         Red => "red",
///     }
/// }
/// assert_eq!(Colour::ALL, [Colour::Blue, Colour::Red]);
/// assert_eq!(Colour::Red.name(), "red");
/// assert_eq!(Colour::from_name("blue"), Some(Colour::Blue));
/// assert_eq!(Colour::from_name("green"), None);
/// const RED: &str = Colour::Red.name();
/// # let _ = RED;
/// ```
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(#[$text_meta:meta])*
            fn $text:ident $(, fn $from_text:ident)?;
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $value:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in the order of declaration (generated from the same list as the
            /// enum, so none is missing).
            $vis const ALL: [Self; [$($value),+].len()] = [$(Self::$variant),+];

            $(#[$text_meta])*
            $vis const fn $text(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }

            $(
                #[doc = concat!(
                    "The variant whose [`", stringify!($text), "`](Self::", stringify!($text),
                    ") is `text`, if any."
                )]
                $vis fn $from_text(text: &str) -> ::core::option::Option<Self> {
                    Self::ALL.into_iter().find(|variant| variant.$text() == text)
                }
            )?
        }
    };
}

//! Reading the names people type in configuration files and command lines: `FromStr` for the
//! enums a user writes (roles, target categories, severities, levels, findings, methods,
//! acceptance levels).
//!
//! Each accepts its serialized name (`power_grid`) and its displayed name (`power grid`), in
//! any case, with spaces, hyphens or underscores:
//!
//! ```
//! use ceasefire::agreement::{Role, TargetCategory};
//!
//! assert_eq!("Power grid".parse::<TargetCategory>()?, TargetCategory::PowerGrid);
//! assert_eq!("monitor".parse::<Role>()?, Role::Monitor);
//! assert!("warlord".parse::<Role>().is_err());
//! # Ok::<(), ceasefire::name::UnknownName>(())
//! ```

/// A name that is not one of a type's names.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("{text:?} is not a {what}; expected one of: {}", expected.join(", "))]
#[non_exhaustive]
pub struct UnknownName {
    /// What kind of name was expected (`"role"`, `"target category"`…).
    pub what: &'static str,
    /// The text given.
    pub text: String,
    /// The names accepted.
    pub expected: &'static [&'static str],
}

/// `Power-Grid ` → `power_grid`.
pub(crate) fn normalize(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Implements `FromStr` for a field-less enum (or the field-less variants of one) from a
/// table of serialized names, also accepting each variant's `Display` text.
macro_rules! from_names {
    ($ty:ty, $what:literal, [$($variant:expr => $name:literal),+ $(,)?]) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::name::UnknownName;
            fn from_str(text: &str) -> Result<Self, $crate::name::UnknownName> {
                const NAMES: &[&str] = &[$($name),+];
                let wanted = $crate::name::normalize(text);
                $(
                    if wanted == $name || wanted == $crate::name::normalize(&$variant.to_string()) {
                        return Ok($variant);
                    }
                )+
                Err($crate::name::UnknownName {
                    what: $what,
                    text: text.to_owned(),
                    expected: NAMES,
                })
            }
        }
    };
}
pub(crate) use from_names;

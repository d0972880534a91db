//! Identifiers: newtypes so that a party id can never be passed where a term id belongs.
//!
//! Text identifiers ([`PartyId`], [`TermId`], [`ConditionId`], [`RuleId`]) are validated when
//! they are built and when they are deserialized: 1 to 64 characters, no control characters,
//! no leading or trailing white space. Event ids are UUID version 7; sequence numbers start at 1.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::time::Timestamp;

/// Why a text identifier or an event id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The identifier is empty.
    #[error("identifier is empty")]
    Empty,
    /// The identifier is longer than [`MAX_ID_LEN`] characters.
    #[error("identifier {0:?} is longer than 64 characters")]
    TooLong(String),
    /// The identifier contains a control character or leading/trailing white space.
    #[error("identifier {0:?} contains a control character or surrounding white space")]
    BadCharacter(String),
    /// The parts of a deterministic event id do not fit (see `EventId::from_parts`).
    #[error("an event id cannot hold {millis} milliseconds and a tail of {tail:#x}")]
    PartsOutOfRange {
        /// The milliseconds since 1970 asked for.
        millis: i64,
        /// The tail asked for.
        tail: u128,
    },
    /// Text that is not a sequence or decision number.
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// Text that is not a UUID.
    #[error("{0:?} is not a uuid")]
    NotAUuid(String),
    /// An event id that is not a UUID version 7.
    #[error("event id {0} is not a uuid version 7")]
    NotV7(Uuid),
}

/// The longest text identifier accepted, in characters.
pub const MAX_ID_LEN: usize = 64;

fn check_text_id(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.chars().count() > MAX_ID_LEN {
        return Err(IdError::TooLong(s.chars().take(MAX_ID_LEN).collect()));
    }
    if s.chars().any(char::is_control) || s.trim() != s {
        return Err(IdError::BadCharacter(s.to_owned()));
    }
    Ok(())
}

/// The order of two short texts (identifiers: at most 64 bytes), as `[u8]::cmp` gives it, byte
/// by byte in place: the state's indexes compare identifiers at every level of their trees,
/// and for texts of a few bytes a loop is cheaper than a call to `memcmp`.
fn short_text_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Cloning one is cheap: clones share the text. Identifiers compare and order as
        /// their text does.
        #[derive(Clone, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(std::sync::Arc<str>);

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                // The text, as equality compares it.
                self.0.hash(state);
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                std::sync::Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                if std::sync::Arc::ptr_eq(&self.0, &other.0) {
                    return std::cmp::Ordering::Equal;
                }
                short_text_cmp(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// Builds the identifier.
            ///
            /// # Errors
            /// [`IdError`] if the text is empty, longer than 64 characters, or holds a control
            /// character or surrounding white space.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                check_text_id(&id)?;
                Ok(Self(std::sync::Arc::from(id)))
            }

            /// The identifier as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(id: String) -> Result<Self, IdError> {
                Self::new(id)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(id: &str) -> Result<Self, IdError> {
                Self::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                String::from(&*id.0)
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> $name {
                id.clone()
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(id: &str) -> Result<Self, IdError> {
                Self::new(id)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

text_id!(
    /// A party: a short code such as `UA`, `RU`, `US`, or a monitor's name.
    PartyId
);
text_id!(
    /// A term of the agreement, stable for the life of the log (`energy-moratorium`).
    TermId
);
text_id!(
    /// A condition that must be recorded as met before a term or an acceptance binds.
    ConditionId
);
text_id!(
    /// A sanction rule, built-in (named in the policy) or supplied by a downstream crate.
    RuleId
);

/// The id of an event: a UUID version 7, unique in its log.
///
/// Ids order as their bytes do (for a UUID version 7: by timestamp first), compared as one
/// 128-bit number rather than byte by byte.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct EventId(Uuid);

impl Ord for EventId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Big-endian, so the same order as the bytes: the state's indexes compare ids at every
        // level of their trees, and this is two machine comparisons, not a call to `memcmp`.
        self.0.as_u128().cmp(&other.0.as_u128())
    }
}

impl PartialOrd for EventId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for EventId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The 16 bytes as one number: no length prefix to hash (equal ids, equal hashes).
        state.write_u128(self.0.as_u128());
    }
}

impl EventId {
    /// A fresh id from the system clock and random bits. Use it where events are authored,
    /// never inside replay.
    #[must_use]
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// The number of bits of a UUID version 7 that the caller may choose: all but the 48 of
    /// the timestamp, the 4 of the version and the 2 of the variant.
    pub const FREE_BITS: u32 = 74;

    /// A deterministic id: the millisecond timestamp of `at` and `tail`, a number of at most
    /// [`EventId::FREE_BITS`] bits that fills exactly the bits a UUID version 7 leaves free
    /// (12 bits of `rand_a`, then 62 of `rand_b`). Distinct `(milliseconds, tail)` pairs give
    /// distinct ids. Useful for fixtures, imports and examples whose ids must not change
    /// between runs.
    ///
    /// # Errors
    /// [`IdError::PartsOutOfRange`] if `tail` has more than 74 bits or `at` lies before 1970
    /// or beyond the 48-bit millisecond range.
    pub fn from_parts(at: Timestamp, tail: u128) -> Result<Self, IdError> {
        let refuse = || IdError::PartsOutOfRange {
            millis: at.timestamp_millis(),
            tail,
        };
        let millis = u64::try_from(at.timestamp_millis()).map_err(|_| refuse())?;
        if millis >= 1 << 48 || tail >= 1 << Self::FREE_BITS {
            return Err(refuse());
        }
        let rand_a = tail >> 62;
        let rand_b = tail & ((1 << 62) - 1);
        let bits =
            (u128::from(millis) << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b;
        Ok(Self(Uuid::from_u128(bits)))
    }

    /// [`EventId::from_parts`] for the crate's own deterministic ids: a tail too wide keeps
    /// its low 74 bits and a time out of range counts as 1970.
    #[cfg_attr(not(feature = "proptest"), allow(dead_code))]
    pub(crate) fn deterministic(at: Timestamp, tail: u128) -> Self {
        let tail = tail & ((1 << Self::FREE_BITS) - 1);
        Self::from_parts(at, tail)
            .or_else(|_| Self::from_parts(Timestamp::UNIX_EPOCH, tail))
            .unwrap_or(Self(Uuid::from_u128(0x7 << 76 | 0b10 << 62)))
    }

    /// Wraps a UUID.
    ///
    /// # Errors
    /// [`IdError::NotV7`] if the UUID is not version 7.
    pub fn from_uuid(uuid: Uuid) -> Result<Self, IdError> {
        if uuid.get_version_num() == 7 {
            Ok(Self(uuid))
        } else {
            Err(IdError::NotV7(uuid))
        }
    }

    /// The UUID.
    #[must_use]
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// The first eight hexadecimal digits, for timelines meant to be read by people.
    #[must_use]
    pub fn short(&self) -> String {
        let mut s = self.0.simple().to_string();
        s.truncate(8);
        s
    }
}

impl TryFrom<Uuid> for EventId {
    type Error = IdError;
    fn try_from(uuid: Uuid) -> Result<Self, IdError> {
        Self::from_uuid(uuid)
    }
}

impl std::str::FromStr for EventId {
    type Err = IdError;
    /// Reads an event id in any of the UUID text forms (hyphenated is the one written).
    fn from_str(text: &str) -> Result<Self, IdError> {
        let uuid = Uuid::parse_str(text).map_err(|_| IdError::NotAUuid(text.to_owned()))?;
        EventId::from_uuid(uuid)
    }
}

impl From<EventId> for Uuid {
    fn from(id: EventId) -> Uuid {
        id.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({})", self.0)
    }
}

/// A record's position in its log: gapless, starting at 1.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl Seq {
    /// The first sequence number of every log.
    pub const FIRST: Seq = Seq(1);

    /// The number that follows this one, or `None` at `u64::MAX`.
    #[must_use]
    pub fn next(self) -> Option<Seq> {
        self.0.checked_add(1).map(Seq)
    }

    /// The number as an integer.
    #[must_use]
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl std::str::FromStr for Seq {
    type Err = IdError;
    /// Reads `#3` or `3`.
    fn from_str(text: &str) -> Result<Self, IdError> {
        let digits = text.strip_prefix('#').unwrap_or(text);
        digits
            .parse()
            .map(Seq)
            .map_err(|_| IdError::NotANumber(text.to_owned()))
    }
}

/// A sanction decision derived by replay, numbered from 1 in the order decisions are made.
/// The same log and the same rules always give the same numbers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DecisionId(pub u64);

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "D{}", self.0)
    }
}

impl std::str::FromStr for DecisionId {
    type Err = IdError;
    /// Reads `D3` or `3`.
    fn from_str(text: &str) -> Result<Self, IdError> {
        let digits = text.strip_prefix('D').unwrap_or(text);
        digits
            .parse()
            .map(DecisionId)
            .map_err(|_| IdError::NotANumber(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Text identifiers compare and order exactly as their text does.
        #[test]
        fn text_ids_order_as_their_text(a in "[a-c]{1,4}", b in "[a-c]{1,4}", same: bool) {
            let b = if same { a.clone() } else { b };
            let x = PartyId::new(a.as_str()).expect("a valid id");
            let y = PartyId::new(b.as_str()).expect("a valid id");
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x.partial_cmp(&y), Some(a.cmp(&b)));
            proptest::prop_assert_eq!(x == y, a == b);
            proptest::prop_assert_eq!(x.clone().cmp(&x), std::cmp::Ordering::Equal);
        }

        /// Ids order exactly as their bytes do (the order snapshots and indexes rely on).
        #[test]
        fn event_ids_order_as_their_bytes(a: [u8; 16], b: [u8; 16], same: bool) {
            let b = if same { a } else { b };
            let (x, y) = (EventId(Uuid::from_bytes(a)), EventId(Uuid::from_bytes(b)));
            proptest::prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            proptest::prop_assert_eq!(x.partial_cmp(&y), Some(a.cmp(&b)));
            proptest::prop_assert_eq!(x == y, a == b);
        }
    }

    #[test]
    fn text_ids_are_validated() {
        assert!(PartyId::new("UA").is_ok());
        assert!(PartyId::new("OSCE SMM").is_ok());
        assert_eq!(PartyId::new(""), Err(IdError::Empty));
        assert!(matches!(PartyId::new(" UA"), Err(IdError::BadCharacter(_))));
        assert!(matches!(
            PartyId::new("U\nA"),
            Err(IdError::BadCharacter(_))
        ));
        assert!(matches!(
            TermId::new("x".repeat(65)),
            Err(IdError::TooLong(_))
        ));
        let parsed: Result<PartyId, _> = serde_json::from_str("\"\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn event_ids_must_be_v7() {
        let v4 = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        assert_eq!(EventId::from_uuid(v4), Err(IdError::NotV7(v4)));
        let json = format!("\"{v4}\"");
        assert!(serde_json::from_str::<EventId>(&json).is_err());
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-18T12:00:00Z")
            .expect("valid")
            .to_utc();
        let a = EventId::from_parts(at, 1).expect("fits");
        assert_eq!(a, EventId::from_parts(at, 1).expect("fits"));
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_eq!(a.short().len(), 8);
        assert_eq!(a.to_string().parse::<EventId>(), Ok(a));
        assert!(matches!(
            EventId::from_parts(at, 1 << EventId::FREE_BITS),
            Err(IdError::PartsOutOfRange { .. })
        ));
        let before_1970 = chrono::DateTime::parse_from_rfc3339("1969-12-31T23:59:59Z")
            .expect("valid")
            .to_utc();
        assert!(EventId::from_parts(before_1970, 0).is_err());
        // The two inputs the old ten-byte form mapped to one id now differ.
        assert_ne!(
            EventId::from_parts(at, 0).expect("fits"),
            EventId::from_parts(at, 1 << 73).expect("fits")
        );
    }

    proptest::proptest! {
        /// Distinct (millisecond, tail) inputs give distinct ids, and each id gives back its
        /// parts: the tail fills exactly the 74 free bits.
        #[test]
        fn from_parts_is_injective(
            ms_a in 0i64..(1 << 47), tail_a in 0u128..(1 << 74),
            ms_b in 0i64..(1 << 47), tail_b in 0u128..(1 << 74),
        ) {
            let t = |ms| chrono::DateTime::from_timestamp_millis(ms).expect("in range");
            let a = EventId::from_parts(t(ms_a), tail_a).expect("fits");
            let b = EventId::from_parts(t(ms_b), tail_b).expect("fits");
            proptest::prop_assert_eq!(a == b, (ms_a, tail_a) == (ms_b, tail_b));
            proptest::prop_assert_eq!(a.as_uuid().get_version_num(), 7);
            let bits = a.as_uuid().as_u128();
            let back = ((bits >> 64) & 0xFFF) << 62 | (bits & ((1 << 62) - 1));
            proptest::prop_assert_eq!(back, tail_a);
        }
    }
}

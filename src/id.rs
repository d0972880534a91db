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

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Builds the identifier.
            ///
            /// # Errors
            /// [`IdError`] if the text is empty, longer than 64 characters, or holds a control
            /// character or surrounding white space.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                check_text_id(&id)?;
                Ok(Self(id))
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
                id.0
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
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct EventId(Uuid);

impl EventId {
    /// A fresh id from the system clock and random bits. Use it where events are authored,
    /// never inside replay.
    #[must_use]
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// A deterministic id: the millisecond timestamp of `at` and ten caller-chosen bytes.
    /// Useful for fixtures and examples whose output must not change between runs.
    #[must_use]
    pub fn from_parts(at: Timestamp, tail: [u8; 10]) -> Self {
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        Self(uuid::Builder::from_unix_timestamp_millis(millis, &tail).into_uuid())
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let a = EventId::from_parts(at, [1; 10]);
        assert_eq!(a, EventId::from_parts(at, [1; 10]));
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert_eq!(a.short().len(), 8);
    }
}

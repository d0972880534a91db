//! The mapping file: which ACLED actors are which parties, which event types can breach which
//! term kinds, which targets the notes name, and how precise a place must be to keep its
//! coordinates. Written in TOML; see `docs/acled.md`.

use serde::Deserialize;

use crate::agreement::{Severity, TargetCategory, TermKind};
use crate::id::PartyId;

/// The mapping shipped with the crate (`src/interchange/acled/default.toml`).
pub const DEFAULT_MAPPING: &str = include_str!("default.toml");

/// Why a mapping file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// The file is not TOML of the expected shape.
    #[error("mapping file: {0}")]
    Toml(String),
    /// A value in the file is not valid.
    #[error("mapping file: {field} = {text:?}: {reason}")]
    Value {
        /// Where in the file.
        field: String,
        /// The value given.
        text: String,
        /// Why it is refused.
        reason: String,
    },
}

/// A kind of term an event type can breach, named as in the mapping file.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// [`TermKind::StrikeMoratorium`].
    StrikeMoratorium,
    /// [`TermKind::MaritimeTruce`].
    MaritimeTruce,
    /// [`TermKind::GeneralCeasefire`].
    GeneralCeasefire,
    /// [`TermKind::BufferZone`].
    BufferZone,
    /// [`TermKind::NonKinetic`].
    NonKinetic,
    /// [`TermKind::Custom`].
    Custom,
}

impl KindName {
    /// Whether `kind` is of this name.
    #[must_use]
    pub fn matches(self, kind: &TermKind) -> bool {
        matches!(
            (self, kind),
            (
                KindName::StrikeMoratorium,
                TermKind::StrikeMoratorium { .. }
            ) | (KindName::MaritimeTruce, TermKind::MaritimeTruce { .. })
                | (
                    KindName::GeneralCeasefire,
                    TermKind::GeneralCeasefire { .. }
                )
                | (KindName::BufferZone, TermKind::BufferZone { .. })
                | (KindName::NonKinetic, TermKind::NonKinetic { .. })
                | (KindName::Custom, TermKind::Custom { .. })
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    reporter: String,
    #[serde(default)]
    sources: Vec<SourceFile>,
    #[serde(default)]
    actors: Vec<ActorFile>,
    #[serde(default)]
    events: Vec<EventFile>,
    targets: TargetsFile,
    severity: SeverityFile,
    geo: GeoFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    contains: String,
    party: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActorFile {
    name: String,
    party: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFile {
    event_type: String,
    sub_event_type: Option<String>,
    kinds: Vec<KindName>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    default_target: String,
    #[serde(default)]
    words: Vec<WordsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    words: Vec<String>,
    target: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityFile {
    default: String,
    fatal: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GeoFile {
    coordinates_up_to: u8,
}

/// A validated mapping (see the module documentation and `docs/acled.md`).
#[derive(Clone, Debug)]
pub struct Mapping {
    reporter: PartyId,
    sources: Vec<(String, PartyId)>,
    actors: Vec<(String, PartyId)>,
    events: Vec<(String, Option<String>, Vec<KindName>)>,
    words: Vec<(Vec<String>, TargetCategory)>,
    default_target: TargetCategory,
    severity: Severity,
    fatal: Severity,
    coordinates_up_to: u8,
}

fn value<T, E: std::fmt::Display>(
    field: &str,
    text: &str,
    parsed: Result<T, E>,
) -> Result<T, MappingError> {
    parsed.map_err(|e| MappingError::Value {
        field: field.into(),
        text: text.into(),
        reason: e.to_string(),
    })
}

impl Mapping {
    /// Reads a mapping file.
    ///
    /// # Errors
    /// [`MappingError::Toml`] for text that is not a mapping file (unknown keys included),
    /// [`MappingError::Value`] for a party id, target category or severity that does not parse.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let file: File = toml::from_str(text).map_err(|e| MappingError::Toml(e.to_string()))?;
        let party = |field: &str, t: &str| value(field, t, PartyId::new(t));
        let target = |field: &str, t: &str| value(field, t, t.parse::<TargetCategory>());
        let severity = |field: &str, t: &str| value(field, t, t.parse::<Severity>());
        Ok(Mapping {
            reporter: party("reporter", &file.reporter)?,
            sources: file
                .sources
                .iter()
                .map(|s| Ok((s.contains.clone(), party("sources.party", &s.party)?)))
                .collect::<Result<_, MappingError>>()?,
            actors: file
                .actors
                .iter()
                .map(|a| Ok((a.name.trim().to_owned(), party("actors.party", &a.party)?)))
                .collect::<Result<_, MappingError>>()?,
            events: file
                .events
                .into_iter()
                .map(|e| (e.event_type, e.sub_event_type, e.kinds))
                .collect(),
            words: file
                .targets
                .words
                .iter()
                .map(|w| {
                    let words = w.words.iter().map(|s| s.to_lowercase()).collect();
                    Ok((words, target("targets.words.target", &w.target)?))
                })
                .collect::<Result<_, MappingError>>()?,
            default_target: target("targets.default_target", &file.targets.default_target)?,
            severity: severity("severity.default", &file.severity.default)?,
            fatal: severity("severity.fatal", &file.severity.fatal)?,
            coordinates_up_to: file.geo.coordinates_up_to,
        })
    }

    /// The party an ACLED actor is: an actor named in the mapping, or one of its sub-units
    /// (the name followed by a space and more; the longest name wins). `None` if unmapped.
    #[must_use]
    pub fn party_of(&self, actor: &str) -> Option<&PartyId> {
        let actor = actor.trim();
        self.actors
            .iter()
            .filter(|(name, _)| {
                actor == name
                    || actor
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.starts_with(' '))
            })
            .max_by_key(|(name, _)| name.len())
            .map(|(_, party)| party)
    }

    /// The party that reports a row from `source`: the first source entry whose text the
    /// source contains, else the mapping's reporter.
    #[must_use]
    pub fn reporter_for(&self, source: &str) -> &PartyId {
        self.sources
            .iter()
            .find(|(text, _)| source.contains(text.as_str()))
            .map_or(&self.reporter, |(_, party)| party)
    }

    /// The term kinds an event type and sub-event type can breach, in the order to try; empty
    /// if the mapping does not list the type.
    #[must_use]
    pub fn kinds_for(&self, event_type: &str, sub_event_type: &str) -> &[KindName] {
        self.events
            .iter()
            .find(|(t, sub, _)| t == event_type && sub.as_ref().is_none_or(|s| s == sub_event_type))
            .map_or(&[], |(_, _, kinds)| kinds.as_slice())
    }

    /// The target an allegation names: the first word list with a whole word in `notes`,
    /// else a civilian site for civilian targeting, else the default target.
    #[must_use]
    pub fn target_for(&self, notes: &str, civilian_targeting: bool) -> TargetCategory {
        let notes = notes.to_lowercase();
        if let Some((_, target)) = self
            .words
            .iter()
            .find(|(words, _)| words.iter().any(|w| has_word(&notes, w)))
        {
            return target.clone();
        }
        if civilian_targeting {
            return TargetCategory::CivilianSite;
        }
        self.default_target.clone()
    }

    /// The severity of a row with `fatalities`.
    #[must_use]
    pub fn severity_for(&self, fatalities: u32) -> Severity {
        if fatalities > 0 {
            self.fatal
        } else {
            self.severity
        }
    }

    /// Whether a row at ACLED geo precision `precision` keeps its coordinates.
    #[must_use]
    pub fn keeps_coordinates(&self, precision: u8) -> bool {
        precision <= self.coordinates_up_to
    }
}

impl Default for Mapping {
    /// The shipped mapping, [`DEFAULT_MAPPING`].
    fn default() -> Mapping {
        #[allow(clippy::expect_used)]
        Mapping::from_toml(DEFAULT_MAPPING).expect("the shipped mapping parses (tested)")
    }
}

/// Whether `word` occurs in `text` between non-alphanumeric characters.
fn has_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_mapping_parses_and_maps_sub_units() {
        let m = Mapping::default();
        let ru = PartyId::new("RU").unwrap();
        assert_eq!(m.party_of("Military Forces of Russia (2000-)"), Some(&ru));
        assert_eq!(
            m.party_of("Military Forces of Russia (2000-) Air Force"),
            Some(&ru)
        );
        assert_eq!(m.party_of("Military Forces of Russia (2000-)X"), None);
        assert_eq!(m.party_of("Wagner Group"), None);
        assert_eq!(
            m.kinds_for("Explosions/Remote violence", "Air/drone strike")[0],
            KindName::StrikeMoratorium
        );
        assert_eq!(m.kinds_for("Battles", "Armed clash").len(), 2);
        assert!(m.kinds_for("Protests", "Peaceful protest").is_empty());
    }

    #[test]
    fn targets_match_whole_words_only() {
        let m = Mapping::default();
        assert_eq!(
            m.target_for("Drone hit a Substation near the town", false),
            TargetCategory::PowerGrid
        );
        assert_eq!(
            m.target_for("damage reported", true),
            TargetCategory::CivilianSite
        );
        assert_eq!(
            m.target_for("damage reported", false),
            TargetCategory::MilitaryObjective
        );
    }

    #[test]
    fn bad_values_and_unknown_keys_are_refused() {
        let bad = DEFAULT_MAPPING.replace("fatal = \"grave\"", "fatal = \"deadly\"");
        assert!(matches!(
            Mapping::from_toml(&bad),
            Err(MappingError::Value { .. })
        ));
        let unknown = format!("{DEFAULT_MAPPING}\nextra = 1\n");
        assert!(matches!(
            Mapping::from_toml(&unknown),
            Err(MappingError::Toml(_))
        ));
        let kind = DEFAULT_MAPPING.replace("\"buffer_zone\"]", "\"truce\"]");
        assert!(Mapping::from_toml(&kind).is_err());
    }
}

//! A fixture agreement modelled on the spring-2025 talks, for examples and tests.
//!
//! [`energy_truce`] has the parties and terms the crate's own unit tests use:
//!
//! | id | role | |
//! |---|---|---|
//! | `UA`, `RU` | belligerent | bound by every term |
//! | `US` | mediator | concludes the agreement, records suspensions and halts |
//! | `MON`, `MON2` | monitor | the only parties that rule on allegations |
//! | `CONGRESS`, `COUNCIL` | approver | both must approve relief |
//!
//! | term | kind | activation and clock |
//! |---|---|---|
//! | `energy` | moratorium on the five energy categories | on acceptance, 30 days, each party from its own commitment (Russia from 18 March, Ukraine from 25 March in 2025) |
//! | `sea` | Black Sea maritime truce, phase 2 | on acceptance, open-ended |
//! | `ceasefire` | general 30-day ceasefire, phase 3 | once `energy` has held 10 days with no confirmed violation |
//!
//! The policy has one threshold rule, `energy-3` (three violations of `energy` confirmed by a
//! monitor within 14 days: a warning, climbing the ladder on each further firing, at once), and
//! relief after 30 days of compliance with the approval of both approvers.
//!
//! ```
//! use ceasefire::testing::fixtures;
//!
//! let agreement = fixtures::energy_truce();
//! assert_eq!(agreement.validate(), Ok(()));
//! assert_eq!(agreement.terms.len(), 3);
//! ```

use crate::agreement::{
    Activation, Agreement, Party, ReliefPolicy, Role, SanctionPolicy, Term, TermKind, ThresholdRule,
};
use crate::id::{PartyId, RuleId, TermId};
use crate::time::{Span, Timestamp};

/// When the fixture agreement is concluded: 18 March 2025, 12:00 UTC (the day of the
/// Trump–Putin call that started the energy halt).
#[must_use]
pub fn start() -> Timestamp {
    Timestamp::from_timestamp(1_742_299_200, 0).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A party id from a fixture code such as `"UA"`.
///
/// # Panics
/// If `code` is not a valid id (empty, longer than 64 characters, control characters or
/// surrounding white space): fixture code is written by hand.
#[must_use]
pub fn party(code: &str) -> PartyId {
    PartyId::new(code).unwrap_or_else(|e| panic!("fixture party id {code:?}: {e}"))
}

/// A term id from a fixture code such as `"energy"`.
///
/// # Panics
/// If `code` is not a valid id.
#[must_use]
pub fn term(code: &str) -> TermId {
    TermId::new(code).unwrap_or_else(|e| panic!("fixture term id {code:?}: {e}"))
}

/// A rule id from a fixture code such as `"energy-3"`.
///
/// # Panics
/// If `code` is not a valid id.
#[must_use]
pub fn rule(code: &str) -> RuleId {
    RuleId::new(code).unwrap_or_else(|e| panic!("fixture rule id {code:?}: {e}"))
}

/// The fixture's sanction policy: rule `energy-3` and relief by both approvers after 30 days.
#[must_use]
pub fn energy_policy() -> SanctionPolicy {
    SanctionPolicy::new()
        .rule(ThresholdRule::new(rule("energy-3"), 3, Span::days(14)).terms([term("energy")]))
        .relief(ReliefPolicy {
            compliance: Span::days(30),
            approvers: [party("CONGRESS"), party("COUNCIL")].into_iter().collect(),
            quorum: 2,
        })
}

/// The energy-truce agreement with its default policy (see the module documentation).
#[must_use]
pub fn energy_truce() -> Agreement {
    energy_truce_with(energy_policy())
}

/// The energy-truce agreement with another sanction policy (for instance
/// `SanctionPolicy::new()`, to test downstream rules alone).
#[must_use]
pub fn energy_truce_with(policy: SanctionPolicy) -> Agreement {
    let belligerents = [party("UA"), party("RU")];
    Agreement::new("Energy moratorium and Black Sea arrangement, spring 2025")
        .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
        .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
        .party(Party::new(party("US"), Role::Mediator, "United States"))
        .party(Party::new(
            party("MON"),
            Role::Monitor,
            "Monitoring mission",
        ))
        .party(Party::new(party("MON2"), Role::Monitor, "Second monitor"))
        .party(Party::new(party("CONGRESS"), Role::Approver, "US Congress"))
        .party(Party::new(party("COUNCIL"), Role::Approver, "EU Council"))
        .term(
            Term::new(
                term("energy"),
                "30-day halt on strikes against energy infrastructure",
                TermKind::energy_moratorium(),
            )
            .binding(belligerents.clone())
            .lasting(Span::days(30))
            .per_party(),
        )
        .term(
            Term::new(
                term("sea"),
                "Black Sea: safe navigation, no use of force",
                TermKind::MaritimeTruce {
                    zone: "Black Sea".into(),
                },
            )
            .binding(belligerents.clone())
            .phase(2),
        )
        .term(
            Term::new(
                term("ceasefire"),
                "Interim 30-day ceasefire",
                TermKind::GeneralCeasefire { area: None },
            )
            .binding(belligerents)
            .activation(Activation::AfterHeld {
                term: term("energy"),
                days: 10,
            })
            .lasting(Span::days(30))
            .phase(3),
        )
        .policy(policy)
}

/// Places named in 2025 reports, for allegations and control changes.
pub const PLACES: [&str; 8] = [
    "Sloviansk",
    "Kherson",
    "Poltava",
    "Sudzha",
    "Kavkazskaya",
    "Bryansk",
    "Zaporizhzhia NPP",
    "Odesa port",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_is_valid_and_starts_on_18_march() {
        assert_eq!(energy_truce().validate(), Ok(()));
        assert_eq!(start().to_rfc3339(), "2025-03-18T12:00:00+00:00");
        assert_eq!(
            energy_truce_with(SanctionPolicy::new()).validate(),
            Ok(()),
            "no rules at all is a valid policy"
        );
    }
}

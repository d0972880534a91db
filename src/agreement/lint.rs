//! [`Agreement::lint`]: what a valid agreement says that is probably not what its authors
//! meant. Warnings, never errors: `validate` decides what is accepted.

use std::fmt;

use serde::Serialize;

use crate::agreement::{Activation, Agreement, EvidenceStandard, Role};
use crate::id::{ConditionId, RuleId, TermId};
use crate::time::Span;

/// Something in a valid agreement that can never take effect as written.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Warning {
    /// The rule needs confirmations by more monitors than the agreement has: it can never
    /// fire.
    TooFewMonitors {
        /// The rule.
        rule: RuleId,
        /// The monitors its evidence standard needs.
        needs: u8,
        /// The monitors the agreement has.
        has: usize,
    },
    /// Every severity weighs zero under the rule: nothing ever counts towards it.
    WeighsNothing {
        /// The rule.
        rule: RuleId,
    },
    /// The rule's window is shorter than a day: reports dated only by their day never count
    /// towards it.
    WindowShorterThanADay {
        /// The rule.
        rule: RuleId,
    },
    /// The term binds no belligerent: nobody who fights is held to it.
    BindsNoBelligerent {
        /// The term.
        term: TermId,
    },
    /// The phase waits for an earlier term to hold longer than that term lasts: it can never
    /// start.
    PhaseNeverStarts {
        /// The waiting term.
        term: TermId,
        /// The term it waits on.
        waits_on: TermId,
    },
    /// A condition of a term that no party may record as met (only a mediator, a guarantor
    /// or a monitor may, and the agreement has none): the term can never take effect.
    ConditionNobodyMayRecord {
        /// The condition.
        condition: ConditionId,
        /// Its term.
        term: TermId,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::TooFewMonitors { rule, needs, has } => write!(
                f,
                "rule {rule} needs {needs} monitors' confirmations but the agreement has {has} monitors: it can never fire"
            ),
            Warning::WeighsNothing { rule } => {
                write!(
                    f,
                    "rule {rule} gives every severity a weight of zero: nothing counts"
                )
            }
            Warning::WindowShorterThanADay { rule } => write!(
                f,
                "rule {rule} has a window shorter than a day: reports dated by their day never count"
            ),
            Warning::BindsNoBelligerent { term } => write!(f, "term {term} binds no belligerent"),
            Warning::PhaseNeverStarts { term, waits_on } => write!(
                f,
                "term {term} waits for {waits_on} to hold longer than {waits_on} lasts: it can never start"
            ),
            Warning::ConditionNobodyMayRecord { condition, term } => write!(
                f,
                "condition {condition} of term {term} can never be recorded as met: the agreement has no mediator, guarantor or monitor"
            ),
        }
    }
}

impl Agreement {
    /// What in this agreement can never take effect as written: rules that cannot fire or
    /// count nothing, terms that bind no belligerent, phases that cannot start, conditions
    /// nobody may record. Warnings, never errors; an empty list for a well-made agreement.
    #[must_use]
    pub fn lint(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let count = |role: Role| self.parties.iter().filter(|p| p.role == role).count();
        let monitors = count(Role::Monitor);
        for rule in &self.policy.rules {
            if let EvidenceStandard::Confirmed {
                monitors: needs, ..
            } = rule.evidence
                && usize::from(needs) > monitors
            {
                warnings.push(Warning::TooFewMonitors {
                    rule: rule.id.clone(),
                    needs,
                    has: monitors,
                });
            }
            let w = rule.weights;
            if w.minor == 0 && w.serious == 0 && w.grave == 0 {
                warnings.push(Warning::WeighsNothing {
                    rule: rule.id.clone(),
                });
            }
            // A report dated by its day spans a day: a shorter window can never hold one.
            if rule.window < Span::days(1) {
                warnings.push(Warning::WindowShorterThanADay {
                    rule: rule.id.clone(),
                });
            }
        }
        let recorders = monitors + count(Role::Mediator) + count(Role::Guarantor);
        for term in &self.terms {
            let belligerent = term.binds.iter().any(|p| {
                self.find_party(p)
                    .is_some_and(|p| p.role == Role::Belligerent)
            });
            if !belligerent {
                warnings.push(Warning::BindsNoBelligerent {
                    term: term.id.clone(),
                });
            }
            if let Activation::AfterHeld {
                term: earlier,
                days,
            } = &term.activation
                && let Some(lasts) = self.find_term(earlier).and_then(|t| t.duration)
                && Span::days(u64::from(*days)) > lasts
            {
                warnings.push(Warning::PhaseNeverStarts {
                    term: term.id.clone(),
                    waits_on: earlier.clone(),
                });
            }
            if recorders == 0 {
                for c in &term.conditions {
                    warnings.push(Warning::ConditionNobodyMayRecord {
                        condition: c.id.clone(),
                        term: term.id.clone(),
                    });
                }
            }
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{Condition, Confidence, SeverityWeights, Term, TermKind, ThresholdRule};
    use crate::id::PartyId;

    fn id<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: fmt::Debug,
    {
        s.parse().expect("a valid id")
    }

    fn base() -> Agreement {
        Agreement::new("lint")
            .belligerent(id::<PartyId>("UA"), "Ukraine")
            .belligerent(id::<PartyId>("RU"), "Russia")
            .monitor(id::<PartyId>("MON"), "Monitor")
            .term(
                Term::new(
                    id::<TermId>("energy"),
                    "energy",
                    TermKind::energy_moratorium(),
                )
                .binding([id::<PartyId>("UA"), id::<PartyId>("RU")])
                .lasting(Span::days(30)),
            )
    }

    #[test]
    fn a_well_made_agreement_has_no_warnings() {
        let a = base().rule(ThresholdRule::new(id("r"), 3, Span::days(14)));
        assert_eq!(a.validate(), Ok(()));
        assert_eq!(a.lint(), vec![]);
    }

    #[test]
    fn every_warning_at_its_edge() {
        let two_monitors = EvidenceStandard::Confirmed {
            monitors: 2,
            min_confidence: Confidence::ZERO,
        };
        let a = base()
            .rule(ThresholdRule::new(id("two"), 1, Span::days(7)).evidence(two_monitors))
            .rule(
                ThresholdRule::new(id("zero"), 1, Span::days(7)).weights(SeverityWeights {
                    minor: 0,
                    serious: 0,
                    grave: 0,
                }),
            )
            .rule(ThresholdRule::new(id("short"), 1, Span::hours(23)))
            .rule(ThresholdRule::new(id("day"), 1, Span::days(1)))
            .term(
                Term::new(
                    id::<TermId>("watch"),
                    "watch",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([id::<PartyId>("MON")]),
            )
            .term(
                Term::new(
                    id::<TermId>("late"),
                    "late",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([id::<PartyId>("UA")])
                .activation(Activation::AfterHeld {
                    term: id("energy"),
                    days: 31,
                }),
            )
            .term(
                Term::new(
                    id::<TermId>("ok"),
                    "ok",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([id::<PartyId>("UA")])
                .activation(Activation::AfterHeld {
                    term: id("energy"),
                    days: 30,
                }),
            );
        assert_eq!(a.validate(), Ok(()));
        assert_eq!(
            a.lint(),
            vec![
                Warning::TooFewMonitors {
                    rule: id("two"),
                    needs: 2,
                    has: 1
                },
                Warning::WeighsNothing { rule: id("zero") },
                Warning::WindowShorterThanADay { rule: id("short") },
                Warning::BindsNoBelligerent { term: id("watch") },
                Warning::PhaseNeverStarts {
                    term: id("late"),
                    waits_on: id("energy")
                },
            ]
        );
        assert!(a.lint()[0].to_string().contains("can never fire"));

        let nobody = Agreement::new("no recorder")
            .belligerent(id::<PartyId>("UA"), "Ukraine")
            .term(
                Term::new(
                    id::<TermId>("t"),
                    "t",
                    TermKind::GeneralCeasefire { area: None },
                )
                .binding([id::<PartyId>("UA")])
                .condition(Condition::new(id("c"), "prisoners exchanged")),
            );
        assert_eq!(nobody.validate(), Ok(()));
        assert_eq!(
            nobody.lint(),
            vec![Warning::ConditionNobodyMayRecord {
                condition: id("c"),
                term: id("t")
            }]
        );
        let with_mediator = nobody.mediator(id::<PartyId>("US"), "United States");
        assert_eq!(with_mediator.lint(), vec![]);
    }
}

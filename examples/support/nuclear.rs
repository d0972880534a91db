//! A downstream sanction rule: any confirmed strike on a nuclear power plant triggers the top
//! escalation level at once. Shared by `examples/custom_rule.rs` and
//! `tests/downstream_rule.rs` (and `tests/testing_scenario.rs`), as a user's crate would export it.

use ceasefire::RuleId;
use ceasefire::agreement::{Confidence, EvidenceStandard, Level, Procedure, TargetCategory};
use ceasefire::allegation::VerificationStatus;
use ceasefire::sanction::{Rule, Trigger, Verdict, View};

/// Any confirmed strike on a nuclear power plant, by a party bound by the term it violates and
/// while it is bound, triggers full reimposition against that party at once, citing that one
/// strike.
pub struct NuclearRedLine {
    id: RuleId,
}

impl NuclearRedLine {
    /// The rule, with id `nuclear-red-line`.
    pub fn new() -> NuclearRedLine {
        NuclearRedLine {
            id: RuleId::new("nuclear-red-line").expect("a valid rule id"),
        }
    }
}

impl Default for NuclearRedLine {
    fn default() -> Self {
        NuclearRedLine::new()
    }
}

impl Rule for NuclearRedLine {
    fn id(&self) -> &RuleId {
        &self.id
    }

    fn version(&self) -> u32 {
        1
    }

    fn evaluate(&self, view: &dyn View, trigger: &Trigger<'_>) -> Vec<Verdict> {
        // Only allegations whose standing may have changed with this event can cross the line.
        let one_monitor = EvidenceStandard::Confirmed {
            monitors: 1,
            min_confidence: Confidence::ZERO,
        };
        trigger
            .changed
            .iter()
            .filter_map(|id| view.allegation(id))
            .filter(|a| a.allegation.target == TargetCategory::NuclearPowerPlant)
            .filter(|a| a.status() == VerificationStatus::Confirmed)
            .filter(|a| view.stands(&a.id) && !view.is_cited(&a.id, &self.id))
            .map(|a| Verdict {
                party: a.accused().clone(),
                level: Level::Reimposition,
                violations: vec![a.id],
                evidence: a.evidence_for(&one_monitor),
                procedure: Procedure::Immediate,
            })
            .collect()
    }
}

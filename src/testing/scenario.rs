//! Example-based rule tests in three steps: given these events, when this one is appended,
//! then expect these sanctions (or this refusal).
//!
//! ```
//! use ceasefire::agreement::{Level, TargetCategory};
//! use ceasefire::testing::scenario::{given, sanction};
//! use ceasefire::testing::{Events, fixtures};
//!
//! let mut e = Events::new();
//! let genesis = e.genesis(fixtures::energy_truce());
//! let binds = e.at("2025-03-18T18:00:00Z").by("RU").accepts("energy");
//! let mut strikes = Vec::new();
//! for day in 19..22 {
//!     let at = format!("2025-03-{day}T02:00:00Z");
//!     strikes.push(e.at(&at).by("UA").alleges("RU", "energy", TargetCategory::PowerGrid));
//! }
//! let confirmations: Vec<_> = strikes
//!     .iter()
//!     .map(|s| e.at("2025-03-23T09:00:00Z").by("MON").confirms(s.id))
//!     .collect();
//! let (first_two, third) = confirmations.split_at(2);
//!
//! // The third confirmed violation within 14 days crosses the energy-3 threshold.
//! given([genesis, binds])
//!     .and(strikes.clone())
//!     .and(first_two.to_vec())
//!     .when(third[0].clone())
//!     .then_sanctions([sanction("RU")
//!         .rule("energy-3")
//!         .level(Level::Warning)
//!         .citing(strikes.iter().map(|s| s.id))])
//!     .expect("the third confirmation is decisive");
//! ```

use std::fmt;

use crate::agreement::{Level, Procedure};
use crate::event::{Event, Record};
use crate::id::{EventId, PartyId, RuleId};
use crate::sanction::{Decision, RuleSet};
use crate::state::{AgreementState, Applied, Rejection};
use crate::testing::fixtures;
use crate::testing::log::{describe, tag, timeline};

/// Starts a scenario with these events already in the log (the first must be the genesis).
pub fn given<I: IntoIterator<Item = Event>>(events: I) -> Scenario {
    Scenario {
        given: events.into_iter().collect(),
        rules: RuleSet::new(),
    }
}

/// An expected sanction against `party`; narrow it with the builder methods.
///
/// # Panics
/// If `party` is not a valid party id.
#[must_use]
pub fn sanction(party: &str) -> Expected {
    Expected {
        party: fixtures::party(party),
        rule: None,
        level: None,
        violations: None,
        procedure: None,
    }
}

/// The events before the one under test, and the downstream rules to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    given: Vec<Event>,
    rules: RuleSet,
}

impl Scenario {
    /// More events already in the log.
    #[must_use]
    pub fn and<I: IntoIterator<Item = Event>>(mut self, events: I) -> Scenario {
        self.given.extend(events);
        self
    }

    /// Runs these downstream rules beside the agreement's policy.
    #[must_use]
    pub fn rules(mut self, rules: RuleSet) -> Scenario {
        self.rules = rules;
        self
    }

    /// Appends the given events, then `event`, and keeps what happened.
    #[must_use]
    pub fn when(self, event: Event) -> Outcome {
        let mut records = Vec::new();
        let result = (|| {
            let mut state = AgreementState::new()
                .with_rules(self.rules.clone())
                .map_err(Setup::Rules)?;
            for (i, e) in self.given.iter().enumerate() {
                let record = Record::new(state.next_seq(), e.clone());
                state
                    .apply(&record)
                    .map_err(|reason| Setup::Given(i, reason))?;
                records.push(record);
            }
            let record = Record::new(state.next_seq(), event.clone());
            let applied = state.apply(&record);
            Ok((state, record, applied))
        })();
        Outcome { records, result }
    }
}

/// Why a scenario could not even run its event.
#[derive(Clone, Debug)]
enum Setup {
    Rules(crate::sanction::ConfigError),
    Given(usize, Rejection),
}

/// What happened when the event was appended; check it with the `then_` methods.
#[derive(Clone, Debug)]
pub struct Outcome {
    records: Vec<Record>,
    result: Result<(AgreementState, Record, Result<Applied, Rejection>), Setup>,
}

/// An expected decision: against a party, and optionally by a rule, at a level, citing
/// exactly these violations, with a procedure.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Expected {
    party: PartyId,
    rule: Option<RuleId>,
    level: Option<Level>,
    violations: Option<Vec<EventId>>,
    procedure: Option<Procedure>,
}

impl Expected {
    /// Made by this rule.
    ///
    /// # Panics
    /// If `rule` is not a valid rule id.
    #[must_use]
    pub fn rule(mut self, rule: &str) -> Expected {
        self.rule = Some(fixtures::rule(rule));
        self
    }

    /// At this level.
    #[must_use]
    pub fn level(mut self, level: Level) -> Expected {
        self.level = Some(level);
        self
    }

    /// Citing exactly these violations (in any order).
    #[must_use]
    pub fn citing<I: IntoIterator<Item = EventId>>(mut self, violations: I) -> Expected {
        let mut v: Vec<EventId> = violations.into_iter().collect();
        v.sort_unstable();
        self.violations = Some(v);
        self
    }

    /// Taking effect by this procedure.
    #[must_use]
    pub fn procedure(mut self, procedure: Procedure) -> Expected {
        self.procedure = Some(procedure);
        self
    }

    fn matches(&self, d: &Decision) -> bool {
        let mut cited = d.violations.clone();
        cited.sort_unstable();
        d.party == self.party
            && self.rule.as_ref().is_none_or(|r| r == &d.rule)
            && self.level.is_none_or(|l| l == d.level)
            && self.violations.as_ref().is_none_or(|v| v == &cited)
            && self.procedure.is_none_or(|p| p == d.procedure)
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a sanction against {}", self.party)?;
        if let Some(r) = &self.rule {
            write!(f, " by {r}")?;
        }
        if let Some(l) = self.level {
            write!(f, " at {l}")?;
        }
        if let Some(v) = &self.violations {
            let ids: Vec<String> = v.iter().map(tag).collect();
            write!(f, " citing [{}]", ids.join(", "))?;
        }
        if let Some(p) = self.procedure {
            write!(f, " ({p:?})")?;
        }
        Ok(())
    }
}

/// A scenario whose expectation failed: what was expected, what happened, and the events.
/// Its `Debug` is its `Display`, so that `expect` and `unwrap` print the account.
#[derive(Clone)]
pub struct ScenarioFailure {
    /// What was expected and what happened instead.
    pub problem: String,
    /// The given events and the event under test.
    pub events: Vec<Record>,
}

impl fmt::Display for ScenarioFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.problem)?;
        writeln!(f, "the log:")?;
        f.write_str(timeline(&self.events).trim_end())
    }
}

impl fmt::Debug for ScenarioFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ScenarioFailure {}

fn describe_decision(d: &Decision) -> String {
    let cited: Vec<String> = d.violations.iter().map(tag).collect();
    format!(
        "{} by {} against {} at {} citing [{}]",
        d.id,
        d.rule,
        d.party,
        d.level,
        cited.join(", ")
    )
}

impl Outcome {
    fn fail(&self, problem: String) -> ScenarioFailure {
        let mut events = self.records.clone();
        if let Ok((_, r, _)) = &self.result {
            events.push(r.clone());
        }
        ScenarioFailure { problem, events }
    }

    fn applied(&self) -> Result<(&AgreementState, &Applied), ScenarioFailure> {
        match &self.result {
            Err(Setup::Rules(r)) => Err(self.fail(format!("the rules cannot run: {r}"))),
            Err(Setup::Given(i, r)) => {
                Err(self.fail(format!("given event {} was refused: {r}", i + 1)))
            }
            Ok((_, record, Err(r))) => Err(self.fail(format!(
                "the event under test was refused: {r}\n  {}",
                describe(record)
            ))),
            Ok((state, _, Ok(applied))) => Ok((state, applied)),
        }
    }

    /// The state after the event, if it was applied.
    #[must_use]
    pub fn state(&self) -> Option<&AgreementState> {
        self.applied().ok().map(|(s, _)| s)
    }

    /// What applying the event changed, if it was applied.
    #[must_use]
    pub fn changes(&self) -> Option<&Applied> {
        self.applied().ok().map(|(_, a)| a)
    }

    /// Expects the event to be accepted and to make exactly these decisions (in any order).
    ///
    /// # Errors
    /// A [`ScenarioFailure`] if a given event or the event was refused, or the decisions made
    /// differ from the expected ones.
    pub fn then_sanctions<I: IntoIterator<Item = Expected>>(
        &self,
        expected: I,
    ) -> Result<(), ScenarioFailure> {
        let (state, applied) = self.applied()?;
        let mut made: Vec<&Decision> = applied
            .decided
            .iter()
            .filter_map(|id| state.decision(*id))
            .collect();
        let expected: Vec<Expected> = expected.into_iter().collect();
        let missing = match_off(&expected, &mut made);
        if missing.is_empty() && made.is_empty() {
            return Ok(());
        }
        let all: Vec<String> = applied
            .decided
            .iter()
            .filter_map(|id| state.decision(*id))
            .map(describe_decision)
            .collect();
        let faults: Vec<String> = applied
            .faults
            .iter()
            .map(|f| format!("{} refused: {}", f.rule, f.reason))
            .collect();
        let mut problem = format!(
            "expected {}; the event made {}",
            listed(&described(&expected), " and ", "no sanction"),
            listed(&all, "; ", "no decision"),
        );
        if !missing.is_empty() {
            problem.push_str(&format!("\n  missing: {}", missing.join("; ")));
        }
        if !made.is_empty() {
            let extra: Vec<String> = made.iter().map(|d| describe_decision(d)).collect();
            problem.push_str(&format!("\n  unexpected: {}", extra.join("; ")));
        }
        if !faults.is_empty() {
            problem.push_str(&format!("\n  verdicts refused: {}", faults.join("; ")));
        }
        Err(self.fail(problem))
    }

    /// Expects the event to be accepted and to make no decision.
    ///
    /// # Errors
    /// As [`Outcome::then_sanctions`].
    pub fn then_no_sanction(&self) -> Result<(), ScenarioFailure> {
        self.then_sanctions([])
    }

    /// Expects exactly these sanctions in force right after the event (at its recorded time),
    /// whenever they were decided.
    ///
    /// # Errors
    /// As [`Outcome::then_sanctions`].
    pub fn then_in_force<I: IntoIterator<Item = Expected>>(
        &self,
        expected: I,
    ) -> Result<(), ScenarioFailure> {
        let (state, _) = self.applied()?;
        let at = state.known_as_of().unwrap_or_else(fixtures::start);
        let mut in_force = state.sanctions_in_force(at);
        let expected: Vec<Expected> = expected.into_iter().collect();
        let missing = match_off(&expected, &mut in_force);
        if missing.is_empty() && in_force.is_empty() {
            return Ok(());
        }
        let all: Vec<String> = state
            .sanctions_in_force(at)
            .into_iter()
            .map(describe_decision)
            .collect();
        Err(self.fail(format!(
            "expected in force: {}; in force: {}",
            listed(&described(&expected), " and ", "nothing"),
            listed(&all, "; ", "nothing"),
        )))
    }

    /// Expects the event to be refused, for a reason `matches` accepts
    /// (`|r| matches!(r, Rejection::Unauthorized { .. })`).
    ///
    /// # Errors
    /// A [`ScenarioFailure`] if a given event was refused, or the event was accepted or
    /// refused for another reason.
    pub fn then_rejected(
        &self,
        matches: impl Fn(&Rejection) -> bool,
    ) -> Result<(), ScenarioFailure> {
        match &self.result {
            Ok((_, _, Err(r))) if matches(r) => Ok(()),
            Ok((_, _, Err(r))) => Err(self.fail(format!(
                "the event was refused, but for another reason: {r}"
            ))),
            Ok((_, _, Ok(_))) => {
                Err(self.fail("expected a refusal; the event was accepted".into()))
            }
            Err(_) => self.applied().map(|_| ()),
        }
    }
}

/// The expectations, described.
fn described(expected: &[Expected]) -> Vec<String> {
    expected.iter().map(ToString::to_string).collect()
}

/// `items` joined by `separator`, or `none` when there are none.
fn listed(items: &[String], separator: &str, none: &str) -> String {
    if items.is_empty() {
        none.to_string()
    } else {
        items.join(separator)
    }
}

/// Removes from `found` one decision matching each expectation; returns the expectations no
/// decision matched, described.
fn match_off(expected: &[Expected], found: &mut Vec<&Decision>) -> Vec<String> {
    let mut missing = Vec::new();
    for e in expected {
        match found.iter().position(|d| e.matches(d)) {
            Some(i) => {
                found.remove(i);
            }
            None => missing.push(e.to_string()),
        }
    }
    missing
}

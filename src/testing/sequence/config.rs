//! The knobs of the valid-sequence strategy.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use crate::testing::fixtures;
use crate::time::{Span, Timestamp};

/// A kind of step in a generated sequence, for [`Mix`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum StepKind {
    /// A party raises its acceptance of a term (in principle, on conditions, bindingly,
    /// sometimes with a retroactive `effective_from`), or a condition is met.
    Accept,
    /// A party alleges a violation by a party bound by a term: usually one that occurred while
    /// the accused was bound, so that it can count (see [`Config::strays`]).
    Allege,
    /// Something happens to an existing allegation: a monitor confirms, refutes or finds it
    /// inconclusive, or its reporter retracts it, in the proportions of [`Config::outcomes`].
    FollowUp,
    /// The accused denies an allegation.
    Deny,
    /// A third party corroborates an allegation.
    Corroborate,
    /// A party, or a monitor for it, attests compliance with a term.
    Attest,
    /// A party claims a count of violations (never counted by a rule).
    Claim,
    /// Control of a place changes.
    Control,
    /// An approver approves relief for a sanctioned party.
    Relief,
    /// The mediator or a guarantor records a sanction (for a decision, or on its own), or lifts
    /// one once relief allows.
    Enforce,
    /// The mediator halts a notice-and-deadline procedure before its deadline.
    Halt,
    /// The mediator or a guarantor suspends or resumes a term, or the mediator amends its
    /// duration.
    Manage,
    /// A term is terminated or a belligerent withdraws.
    End,
    /// A belligerent declares a truce with a fixed window (binding itself, per-party clock),
    /// or the mediator proposes one; sometimes as a counter-proposal to a term the author has
    /// not committed to.
    Declare,
    /// A bound party that has not committed refuses a term, with reasons.
    Refuse,
}

impl StepKind {
    /// Every kind.
    pub const ALL: [StepKind; 15] = [
        StepKind::Accept,
        StepKind::Allege,
        StepKind::FollowUp,
        StepKind::Deny,
        StepKind::Corroborate,
        StepKind::Attest,
        StepKind::Claim,
        StepKind::Control,
        StepKind::Relief,
        StepKind::Enforce,
        StepKind::Halt,
        StepKind::Manage,
        StepKind::End,
        StepKind::Declare,
        StepKind::Refuse,
    ];
}

/// The mix of step kinds: a weight per [`StepKind`] (0 leaves the kind out).
///
/// ```
/// use ceasefire::testing::{Mix, StepKind};
///
/// // Only commitments, allegations and what follows them.
/// let mix = Mix::none()
///     .with(StepKind::Accept, 1)
///     .with(StepKind::Allege, 4)
///     .with(StepKind::FollowUp, 4);
/// assert_eq!(mix.weight(StepKind::Relief), 0);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Mix {
    weights: BTreeMap<StepKind, u32>,
}

impl Mix {
    /// No kind at all: add some with [`Mix::with`].
    #[must_use]
    pub fn none() -> Mix {
        Mix {
            weights: BTreeMap::new(),
        }
    }

    /// Sets the weight of a kind.
    #[must_use]
    pub fn with(mut self, kind: StepKind, weight: u32) -> Mix {
        self.weights.insert(kind, weight);
        self
    }

    /// The weight of a kind.
    #[must_use]
    pub fn weight(&self, kind: StepKind) -> u32 {
        self.weights.get(&kind).copied().unwrap_or(0)
    }

    /// The kinds with a weight above zero, with their weights.
    pub(crate) fn active(&self) -> Vec<(u32, StepKind)> {
        StepKind::ALL
            .into_iter()
            .map(|k| (self.weight(k), k))
            .filter(|(w, _)| *w > 0)
            .collect()
    }
}

impl Default for Mix {
    /// Allegations and follow-ups dominate (30 each); acceptances and relief approvals 6;
    /// denials, attestations and enforcement 4; corroborations, control changes, halts and
    /// term management 3; claims, declarations and refusals 2; terminations and withdrawals 1.
    fn default() -> Self {
        Mix::none()
            .with(StepKind::Accept, 6)
            .with(StepKind::Allege, 30)
            .with(StepKind::FollowUp, 30)
            .with(StepKind::Deny, 4)
            .with(StepKind::Corroborate, 3)
            .with(StepKind::Attest, 4)
            .with(StepKind::Claim, 2)
            .with(StepKind::Control, 3)
            .with(StepKind::Relief, 6)
            .with(StepKind::Enforce, 4)
            .with(StepKind::Halt, 3)
            .with(StepKind::Manage, 3)
            .with(StepKind::End, 1)
            .with(StepKind::Declare, 2)
            .with(StepKind::Refuse, 2)
    }
}

impl fmt::Debug for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.active().into_iter().map(|(w, k)| (k, w)))
            .finish()
    }
}

/// How follow-ups on allegations turn out: relative weights.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Outcomes {
    /// A monitor confirms the allegation.
    pub confirmed: u32,
    /// A monitor refutes it.
    pub refuted: u32,
    /// A monitor finds it inconclusive.
    pub inconclusive: u32,
    /// Its reporter retracts it.
    pub retracted: u32,
}

impl Outcomes {
    /// These weights.
    #[must_use]
    pub fn new(confirmed: u32, refuted: u32, inconclusive: u32, retracted: u32) -> Outcomes {
        Outcomes {
            confirmed,
            refuted,
            inconclusive,
            retracted,
        }
    }
}

impl Default for Outcomes {
    /// Six confirmations for two refutations, one inconclusive finding and one retraction.
    fn default() -> Self {
        Outcomes::new(6, 2, 1, 1)
    }
}

/// Knobs of the valid-sequence strategy. Build one from [`Config::default`] with the setters.
///
/// ```
/// use ceasefire::testing::{Config, Outcomes};
/// use ceasefire::time::Span;
///
/// let config = Config::default()
///     .len(5..20)
///     .span(Span::days(60))
///     .monitors(1)
///     .outcomes(Outcomes::new(1, 1, 0, 1));
/// assert_eq!(config.len, 5..20);
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Config {
    /// How many steps after the up-front commitments (each becomes at most one event; a step
    /// with nothing to act on is skipped).
    pub len: Range<usize>,
    /// The mix of step kinds.
    pub mix: Mix,
    /// How follow-ups on allegations turn out.
    pub outcomes: Outcomes,
    /// About how much time the steps cover, from the genesis to the last event.
    pub span: Span,
    /// How many of the agreement's monitors (in the agreement's order) rule on allegations.
    pub monitors: usize,
    /// When the genesis is recorded.
    pub start: Timestamp,
    /// Percent of allegations that occur outside the accused's obligations on purpose (before
    /// the accused was first bound by the term, or while it is not bound yet): admissible, but
    /// not counting when they are alleged.
    pub strays: u8,
    /// Percent of allegations with an uncertain time: a UTC day, a day in Kyiv time, or an
    /// overnight interval, in equal shares (placed inside the accused's obligations only where
    /// the whole of it fits; otherwise dated to the instant).
    pub day_precision: u8,
}

impl Default for Config {
    /// 0 to 40 steps over 30 days from [`fixtures::start`], the default [`Mix`] and
    /// [`Outcomes`], up to 3 monitors, 10 percent strays, 5 percent day-precision reports.
    fn default() -> Self {
        Config {
            len: 0..40,
            mix: Mix::default(),
            outcomes: Outcomes::default(),
            span: Span::days(30),
            monitors: 3,
            start: fixtures::start(),
            strays: 10,
            day_precision: 5,
        }
    }
}

impl Config {
    /// Longer logs, more follow-ups, and more refutations and retractions: with the
    /// fixture's policy, 76 of 200 logs of the deterministic runner fire a decision and 49 of
    /// those end one (voided, halted or relieved, or a recorded sanction lifted), against 7 of
    /// 200 with the default. Use it to exercise sanction rules: 0 to 120 steps over 25 days,
    /// follow-ups 40, outcomes 6 : 3 : 1 : 2, and no declarations or refusals (a declared
    /// truce draws allegations away from the terms the fixture's rules count).
    #[must_use]
    pub fn sanction_heavy() -> Config {
        Config {
            len: 0..120,
            mix: Mix::default()
                .with(StepKind::FollowUp, 40)
                .with(StepKind::Declare, 0)
                .with(StepKind::Refuse, 0),
            outcomes: Outcomes::new(6, 3, 1, 2),
            span: Span::days(25),
            ..Config::default()
        }
    }

    /// Sets the range of the number of steps.
    #[must_use]
    pub fn len(mut self, len: Range<usize>) -> Config {
        self.len = len;
        self
    }

    /// Sets the mix of step kinds.
    #[must_use]
    pub fn mix(mut self, mix: Mix) -> Config {
        self.mix = mix;
        self
    }

    /// Sets how follow-ups turn out.
    #[must_use]
    pub fn outcomes(mut self, outcomes: Outcomes) -> Config {
        self.outcomes = outcomes;
        self
    }

    /// Sets about how much time the steps cover.
    #[must_use]
    pub fn span(mut self, span: Span) -> Config {
        self.span = span;
        self
    }

    /// Sets how many monitors rule.
    #[must_use]
    pub fn monitors(mut self, monitors: usize) -> Config {
        self.monitors = monitors;
        self
    }

    /// Sets when the genesis is recorded.
    #[must_use]
    pub fn start(mut self, start: Timestamp) -> Config {
        self.start = start;
        self
    }

    /// Sets the percent of allegations that fall outside the accused's obligations.
    #[must_use]
    pub fn strays(mut self, percent: u8) -> Config {
        self.strays = percent.min(100);
        self
    }

    /// Sets the percent of allegations with an uncertain time (a day, a local day or an
    /// interval).
    #[must_use]
    pub fn day_precision(mut self, percent: u8) -> Config {
        self.day_precision = percent.min(100);
        self
    }

    pub(crate) fn max_gap(&self) -> u32 {
        let mean = (self.len.start + self.len.end.max(self.len.start + 1)) / 2;
        let gap = self.span.as_secs().saturating_mul(2) / (mean.max(1) as u64);
        u32::try_from(gap).unwrap_or(u32::MAX)
    }
}

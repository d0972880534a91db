//! Decisions: what the sanction rules derive during replay, each citing its evidence.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::agreement::{Level, Procedure};
use crate::id::{DecisionId, EventId, PartyId, RuleId, Seq};
use crate::time::Timestamp;

/// Why a decision stopped applying.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndReason {
    /// A cited violation stopped counting (refuted, retracted, or out of the obligation
    /// window) before the decision took effect: the procedure stopped.
    Stopped,
    /// A cited violation stopped counting after the decision took effect: it no longer applies
    /// from then on (nothing is undone before that instant).
    Voided,
    /// The mediator halted the procedure before its deadline.
    Halted,
    /// Relief was granted: compliance period served and quorum of approvals reached.
    Relieved,
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EndReason::Stopped => "stopped",
            EndReason::Voided => "voided",
            EndReason::Halted => "halted",
            EndReason::Relieved => "relieved",
        })
    }
}

/// When and why a decision ended, and which event ended it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Ending {
    /// From when it no longer applies.
    pub at: Timestamp,
    /// The event that ended it (for relief: the approval that completed the quorum).
    pub by: EventId,
    /// Why.
    pub reason: EndReason,
}

/// Where a decision stands at an instant.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// The instant is before the decision was made.
    NotYetDecided,
    /// A notice has been issued; the sanction takes effect at the deadline unless stopped.
    Notice {
        /// When it takes effect.
        deadline: Timestamp,
    },
    /// The sanction applies.
    InForce,
    /// It ended, for this reason.
    Ended(EndReason),
}

/// A change of a decision's rung on the escalation ladder: when an earlier decision of the
/// same rule against the same party stops standing, the later ones move down a rung.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Revision {
    /// From when the new level applies.
    pub at: Timestamp,
    /// The new level.
    pub level: Level,
    /// The event that caused it (the one that ended the earlier decision).
    pub by: EventId,
}

/// A sanction decision against one party, derived by replay.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Decision {
    /// Its number.
    pub id: DecisionId,
    /// The rule that made it.
    pub rule: RuleId,
    /// Against whom.
    pub party: PartyId,
    /// At which level it was decided.
    pub level: Level,
    /// Later changes of its rung on the ladder, in order (see [`Revision`]).
    pub revisions: Vec<Revision>,
    /// The allegations (violation event ids) it cites, all against `party`.
    pub violations: Vec<EventId>,
    /// The events that made them count (confirming findings, corroborations).
    pub evidence: Vec<EventId>,
    /// The event whose application crossed the threshold.
    pub trigger: EventId,
    /// That event's sequence number.
    pub trigger_seq: Seq,
    /// When it was decided: the trigger's `recorded_at`, never earlier.
    pub decided_at: Timestamp,
    /// How it takes effect.
    pub procedure: Procedure,
    /// When it takes effect (`decided_at`, or the deadline of a notice); `None`: never (the
    /// deadline is beyond the calendar).
    pub effective_at: Option<Timestamp>,
    /// How it ended, if it has.
    pub ending: Option<Ending>,
}

impl Decision {
    /// The stage at `at`, as far as the decision itself records (relief not yet materialized
    /// is applied by [`crate::AgreementState::decision_stage`]).
    #[must_use]
    pub fn stage_at(&self, at: Timestamp) -> Stage {
        if at < self.decided_at {
            return Stage::NotYetDecided;
        }
        if let Some(end) = self.ending
            && end.at <= at
        {
            return Stage::Ended(end.reason);
        }
        match self.effective_at {
            Some(e) if e <= at => Stage::InForce,
            Some(deadline) => Stage::Notice { deadline },
            None => Stage::Notice {
                deadline: Timestamp::MAX_UTC,
            },
        }
    }

    /// Its level at `at`: as decided, or as last revised by then.
    #[must_use]
    pub fn level_at(&self, at: Timestamp) -> Level {
        self.revisions
            .iter()
            .rev()
            .find(|r| r.at <= at)
            .map_or(self.level, |r| r.level)
    }

    /// Its level now: as last revised, or as decided.
    #[must_use]
    pub fn current_level(&self) -> Level {
        self.revisions.last().map_or(self.level, |r| r.level)
    }

    /// Whether it counts for escalation: not stopped, voided or halted (relieved decisions
    /// still count).
    #[must_use]
    pub fn stands(&self) -> bool {
        !matches!(
            self.ending.map(|e| e.reason),
            Some(EndReason::Stopped | EndReason::Voided | EndReason::Halted)
        )
    }

    /// Whether its violations stay cited, so its rule cannot count them again: all but
    /// stopped and voided decisions (whose violations were released when one of them stopped
    /// counting). A halted procedure keeps its violations: the halt disposed of them.
    #[must_use]
    pub fn holds_violations(&self) -> bool {
        !matches!(
            self.ending.map(|e| e.reason),
            Some(EndReason::Stopped | EndReason::Voided)
        )
    }

    /// Whether it has not ended at all.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.ending.is_none()
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::NotYetDecided => f.write_str("not yet decided"),
            Stage::Notice { deadline } if *deadline == Timestamp::MAX_UTC => {
                f.write_str("notice given, no deadline")
            }
            Stage::Notice { deadline } => {
                write!(
                    f,
                    "notice given, deadline {}",
                    deadline.format("%d %b %Y %H:%M")
                )
            }
            Stage::InForce => f.write_str("in force"),
            Stage::Ended(reason) => write!(f, "ended ({reason})"),
        }
    }
}

impl fmt::Display for Decision {
    /// `D1 targeted sanctions against RU by rule first-strike, decided 29 Mar 2025 10:00,
    /// citing 2 violations (0195b6e1, 0195b6f2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} against {} by rule {}, decided {}, citing {} violation{}",
            self.id,
            self.current_level(),
            self.party,
            self.rule,
            self.decided_at.format("%d %b %Y %H:%M"),
            self.violations.len(),
            if self.violations.len() == 1 { "" } else { "s" }
        )?;
        for (i, v) in self.violations.iter().enumerate() {
            f.write_str(if i == 0 { " (" } else { ", " })?;
            f.write_str(&v.short())?;
        }
        if !self.violations.is_empty() {
            f.write_str(")")?;
        }
        if let Some(end) = &self.ending {
            write!(f, "; {} {}", end.reason, end.at.format("%d %b %Y %H:%M"))?;
        }
        Ok(())
    }
}

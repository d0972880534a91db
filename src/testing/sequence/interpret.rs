//! The interpreter: turns a plan into events the rules accept, step by step.

use std::collections::BTreeMap;

use crate::agreement::{
    AcceptanceLevel, Agreement, Condition, Confidence, Obligation, ObligationClock, Procedure,
    Role, Severity, TargetCategory, Term, TermKind,
};
use crate::event::{
    Allegation, Amendment, Event, Finding, Method, Payload, Period, Place, Record, RefusalReason,
    Verification,
};
use crate::id::{ConditionId, EventId, PartyId, TermId};
use crate::sanction::{RuleSet, Stage};
use crate::state::AgreementState;
use crate::testing::sequence::plan::{Commit, Plan, Step, commitments};
use crate::testing::sequence::{Config, StepKind};
use crate::testing::{Log, fixtures};
use crate::time::{Occurred, Span, Timestamp};

/// Whether a log can be generated at all: the genesis must be accepted with these rules.
pub(crate) fn check(agreement: &Agreement, rules: &RuleSet, config: &Config) -> Result<(), String> {
    Interpreter::new(agreement, rules, config).map(|_| ())
}

/// Turns a plan into a log.
pub(crate) fn interpret(
    agreement: &Agreement,
    rules: &RuleSet,
    config: &Config,
    plan: &Plan,
) -> Log {
    match Interpreter::new(agreement, rules, config) {
        Ok(mut i) => {
            i.run(plan);
            Log::from_records(i.records)
        }
        Err(_) => Log::default(),
    }
}

/// A candidate event: author, occurrence, payload.
type Candidate = (PartyId, Occurred, Payload);

struct Interpreter<'a> {
    config: &'a Config,
    agreement: Agreement,
    state: AgreementState,
    records: Vec<Record>,
    now: Timestamp,
    counter: u32,
    monitors: Vec<PartyId>,
    /// The plan position of the step that made each allegation.
    origins: BTreeMap<EventId, u32>,
}

const SECOND: Span = Span::seconds(1);

impl<'a> Interpreter<'a> {
    fn new(
        agreement: &Agreement,
        rules: &RuleSet,
        config: &'a Config,
    ) -> Result<Interpreter<'a>, String> {
        let state = AgreementState::new()
            .with_rules(rules.clone())
            .map_err(|e| e.to_string())?;
        let monitors = agreement
            .parties
            .iter()
            .filter(|p| p.role == Role::Monitor)
            .take(config.monitors)
            .map(|p| p.id.clone())
            .collect();
        let mut i = Interpreter {
            config,
            agreement: agreement.clone(),
            state,
            records: Vec::new(),
            now: config.start,
            counter: 0,
            monitors,
            origins: BTreeMap::new(),
        };
        let author = agreement
            .parties
            .iter()
            .find(|p| p.role == Role::Mediator)
            .or_else(|| agreement.parties.first())
            .map(|p| p.id.clone())
            .ok_or_else(|| "the agreement has no parties".to_string())?;
        let genesis = (
            author,
            Occurred::At(config.start),
            Payload::AgreementConcluded(Box::new(agreement.clone())),
        );
        if let Err(e) = i.push_first(vec![genesis], 0) {
            return Err(format!("the genesis is refused: {e}"));
        }
        Ok(i)
    }

    fn run(&mut self, plan: &Plan) {
        let pairs = commitments(&self.agreement);
        for (opening, (term, party)) in plan.openings.iter().zip(pairs) {
            self.advance(opening.gap);
            let level = match opening.commit {
                Commit::Skip => continue,
                Commit::Binding | Commit::Backdated => AcceptanceLevel::Binding,
                Commit::InPrinciple => AcceptanceLevel::InPrinciple,
                Commit::Conditional => self.conditional(),
            };
            let effective_from = (opening.commit == Commit::Backdated)
                .then(|| Span::seconds(u64::from(opening.lag)).before(self.now));
            let payload = Payload::TermAccepted {
                term,
                level,
                effective_from,
            };
            let _ = self.push_first(vec![(party, self.at(), payload)], 0);
        }
        for step in &plan.steps {
            self.advance(step.gap);
            let candidates = self.candidates(step);
            // Steps about an allegation order their candidates themselves (see `anchored`).
            let rotate = match step.kind {
                StepKind::FollowUp | StepKind::Deny | StepKind::Corroborate => 0,
                _ => step.pick,
            };
            if let Ok(id) = self.push_first(candidates, rotate)
                && step.kind == StepKind::Allege
            {
                self.origins.insert(id, step.origin);
            }
        }
    }

    fn advance(&mut self, secs: u32) {
        self.now = Span::seconds(u64::from(secs))
            .after(self.now)
            .unwrap_or(self.now);
    }

    fn at(&self) -> Occurred {
        Occurred::At(self.now)
    }

    fn next_id(&self) -> EventId {
        EventId::deterministic(self.now, 0x5E << 64 | u128::from(self.counter))
    }

    /// Appends the first candidate, from `pick` on (cyclically), that the state accepts.
    fn push_first(&mut self, candidates: Vec<Candidate>, pick: u16) -> Result<EventId, String> {
        let n = candidates.len();
        if n == 0 {
            return Err("nothing to do".into());
        }
        let start = usize::from(pick) % n;
        let mut last = String::new();
        for k in 0..n {
            let (author, occurred, payload) = &candidates[(start + k) % n];
            let event = Event {
                id: self.next_id(),
                occurred_at: *occurred,
                recorded_at: self.now,
                author: author.clone(),
                schema: crate::event::SchemaVersion::CURRENT,
                payload: payload.clone(),
                signature: None,
            };
            let record = Record::new(self.state.next_seq(), event);
            match self.state.apply(&record) {
                Ok(_) => {
                    self.counter = self.counter.wrapping_add(1);
                    let id = record.event.id;
                    self.records.push(record);
                    return Ok(id);
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }

    /// A conditional acceptance naming one new condition.
    fn conditional(&self) -> AcceptanceLevel {
        match ConditionId::new(format!("condition-{}", self.counter + 1)) {
            Ok(id) => AcceptanceLevel::Conditional {
                conditions: vec![Condition::new(id, "a condition named on acceptance")],
            },
            Err(_) => AcceptanceLevel::InPrinciple,
        }
    }

    fn parties_with(&self, roles: &[Role]) -> Vec<PartyId> {
        self.agreement
            .parties
            .iter()
            .filter(|p| roles.contains(&p.role))
            .map(|p| p.id.clone())
            .collect()
    }

    fn withdrawn(&self, party: &PartyId) -> bool {
        self.state.withdrawals().any(|(p, _)| p == party)
    }

    fn candidates(&self, step: &Step) -> Vec<Candidate> {
        match step.kind {
            StepKind::Accept => self.accept(step),
            StepKind::Allege => self.allege(step),
            StepKind::FollowUp => self.follow_up(step),
            StepKind::Deny => self.deny(step),
            StepKind::Corroborate => self.corroborate(step),
            StepKind::Attest => self.attest(step),
            StepKind::Claim => self.claim(step),
            StepKind::Control => self.control(step),
            StepKind::Relief => self.relief(),
            StepKind::Enforce => self.enforce(step),
            StepKind::Halt => self.halt(),
            StepKind::Manage => self.manage(step),
            StepKind::End => self.end(),
            StepKind::Declare => self.declare(step),
            StepKind::Refuse => self.refuse(step),
        }
    }

    /// Every bound (term, party) pair, the genesis's terms first, then the terms added later
    /// in the order they were added (so earlier pairs keep their numbers).
    fn pairs(&self) -> Vec<(TermId, PartyId)> {
        commitments(self.state.agreement().unwrap_or(&self.agreement))
    }

    fn declare(&self, step: &Step) -> Vec<Candidate> {
        let Ok(id) = TermId::new(format!("declared-{}", self.counter + 1)) else {
            return Vec::new();
        };
        let belligerents: Vec<PartyId> = self
            .parties_with(&[Role::Belligerent])
            .into_iter()
            .filter(|p| !self.withdrawn(p))
            .collect();
        if belligerents.is_empty() {
            return Vec::new();
        }
        let from = Span::seconds(u64::from(step.lag % 86_400)).after(self.now);
        let until = from.and_then(|f| Span::hours(6 + u64::from(step.extra % 66)).after(f));
        let (Some(from), Some(until)) = (from, until) else {
            return Vec::new();
        };
        let kind = if step.roll.is_multiple_of(2) {
            TermKind::GeneralCeasefire { area: None }
        } else {
            TermKind::energy_moratorium()
        };
        let mut term = Term::new(id, "a truce declared later", kind)
            .binding(belligerents.iter().cloned())
            .fixed_window(from, until)
            .per_party();
        term.phase = u8::try_from(self.state.terms().count() + 1).unwrap_or(u8::MAX);
        let mut out = Vec::new();
        let start = usize::from(step.choice) % belligerents.len();
        for k in 0..belligerents.len() {
            let author = &belligerents[(start + k) % belligerents.len()];
            // Sometimes a counter-proposal to a term the author has not committed to.
            let counters = step
                .roll
                .is_multiple_of(4)
                .then(|| {
                    self.pairs()
                        .into_iter()
                        .find(|(t, p)| p == author && self.may_refuse(t, p))
                })
                .flatten()
                .map(|(t, _)| t);
            out.push((
                author.clone(),
                self.at(),
                Payload::TermProposed {
                    term: term.clone(),
                    counters,
                },
            ));
        }
        if let Some(mediator) = self.parties_with(&[Role::Mediator]).first() {
            let mut proposed = term;
            proposed.clock = ObligationClock::Common;
            out.push((
                mediator.clone(),
                self.at(),
                Payload::TermProposed {
                    term: proposed,
                    counters: None,
                },
            ));
        }
        out
    }

    /// Whether `party` may refuse `term` now: the term is live, the party has not committed
    /// to it and has not refused it already.
    fn may_refuse(&self, term: &TermId, party: &PartyId) -> bool {
        self.state.term(term).is_some_and(|r| {
            r.terminated.is_none()
                && r.current_refusal(party).is_none()
                && r.acceptances.get(party).is_none_or(|a| a.level.rank() == 0)
        })
    }

    fn refuse(&self, step: &Step) -> Vec<Candidate> {
        let reasons = match step.choice % 3 {
            0 => vec![
                RefusalReason::Demands(Obligation::CurtailArmsDeliveries),
                RefusalReason::Demands(Obligation::HaltIntelligenceSharing),
                RefusalReason::Demands(Obligation::HaltConscription),
            ],
            1 => vec![RefusalReason::NoMonitoring],
            _ => vec![RefusalReason::Stated("not now".into())],
        };
        self.pairs()
            .into_iter()
            .filter(|(t, p)| !self.withdrawn(p) && self.may_refuse(t, p))
            .map(|(term, party)| {
                (
                    party,
                    self.at(),
                    Payload::TermRefused {
                        term,
                        reasons: reasons.clone(),
                    },
                )
            })
            .collect()
    }

    fn accept(&self, step: &Step) -> Vec<Candidate> {
        // One candidate per bound (term, party) pair in the agreement's order, possible or
        // not, so that a step's numbers keep their meaning when other steps are dropped.
        let mut out = Vec::new();
        for (term, party) in self.pairs() {
            let current = self.state.acceptance(&term, &party).map(|a| a.level.rank());
            let options: Vec<u8> = [2u8, 1, 0]
                .into_iter()
                .filter(|r| current.is_none_or(|c| *r > c))
                .collect();
            let level = match options.get(usize::from(step.choice) % options.len().max(1)) {
                Some(1) => self.conditional(),
                Some(0) => AcceptanceLevel::InPrinciple,
                _ => AcceptanceLevel::Binding,
            };
            let effective_from =
                (step.roll >= 90).then(|| Span::seconds(u64::from(step.lag)).before(self.now));
            out.push((
                party,
                self.at(),
                Payload::TermAccepted {
                    term,
                    level,
                    effective_from,
                },
            ));
        }
        let staff = self.parties_with(&[Role::Mediator, Role::Guarantor, Role::Monitor]);
        for (id, c) in self.state.conditions() {
            if c.met.is_some() {
                continue;
            }
            let author = c.owner.clone().or_else(|| staff.first().cloned());
            if let Some(author) = author {
                out.push((
                    author,
                    self.at(),
                    Payload::ConditionMet {
                        condition: id.clone(),
                        note: "met".into(),
                    },
                ));
            }
        }
        out
    }

    /// The last instant at or before now inside `party`'s coverage of `term`, as a range
    /// `[from, to]` to clamp an occurrence into.
    fn inside(&self, term: &TermId, party: &PartyId) -> Option<(Timestamp, Timestamp)> {
        let coverage = self.state.coverage(term, party);
        coverage
            .windows()
            .iter()
            .rev()
            .filter(|w| w.start <= self.now)
            .find_map(|w| {
                let to = match w.end {
                    Some(end) => SECOND.before(end).min(self.now),
                    None => self.now,
                };
                (to >= w.start).then_some((w.start, to))
            })
    }

    fn allege(&self, step: &Step) -> Vec<Candidate> {
        let stray = u32::from(step.place) >= 100 - u32::from(self.config.strays.min(100));
        let by_day = !stray
            && u32::from(step.place)
                >= 100u32.saturating_sub(
                    u32::from(self.config.strays) + u32::from(self.config.day_precision),
                );
        // The pair the step picks in the agreement's fixed order; unless the step is a stray,
        // the first pair from there on whose accused is bound by now.
        let pairs = self.pairs();
        if pairs.is_empty() {
            return Vec::new();
        }
        let start = usize::from(step.pick) % pairs.len();
        let ordered = (0..pairs.len()).map(|k| &pairs[(start + k) % pairs.len()]);
        let chosen = if stray {
            None
        } else {
            ordered
                .clone()
                .find_map(|(t, p)| self.inside(t, p).map(|r| (t, p, Some(r))))
        };
        let Some((term, accused, range)) = chosen.or_else(|| {
            let (t, p) = &pairs[start];
            Some((t, p, None))
        }) else {
            return Vec::new();
        };
        let Some(rec) = self.state.term(term) else {
            return Vec::new();
        };
        // The category the step picks in a fixed order of all categories, or the next one the
        // term covers: the same step names the same target under whichever term it falls.
        let all = covered(&TermKind::Custom {
            name: String::new(),
            covers: None,
        });
        let targets = covered(&rec.term.kind);
        let start = usize::from(step.extra) % all.len();
        let Some(target) = (0..all.len())
            .map(|k| &all[(start + k) % all.len()])
            .find(|t| targets.contains(t))
            .or_else(|| targets.first())
            .cloned()
        else {
            return Vec::new();
        };
        let belligerents: Vec<PartyId> = self
            .parties_with(&[Role::Belligerent])
            .into_iter()
            .filter(|p| p != accused)
            .collect();
        let accusers = if belligerents.is_empty() {
            self.agreement
                .parties
                .iter()
                .map(|p| p.id.clone())
                .filter(|p| p != accused)
                .collect()
        } else {
            belligerents
        };
        if accusers.is_empty() {
            return Vec::new();
        }
        let accuser = accusers[usize::from(step.choice) % accusers.len()].clone();
        let wanted = Span::seconds(u64::from(step.lag)).before(self.now);
        let occurred = match range {
            Some((from, to)) => {
                let t = wanted.clamp(from, to);
                let day = uncertain(t, step.extra);
                if by_day && day.earliest() >= from && day.latest() <= to {
                    day
                } else {
                    Occurred::At(t)
                }
            }
            None => {
                // Outside on purpose: before the accused was first bound, if it is by now.
                let coverage = self.state.coverage(term, accused);
                let t = match coverage.windows().first() {
                    Some(w) if w.start <= self.now => {
                        Span::seconds(3_600 + u64::from(step.lag % 86_400)).before(w.start)
                    }
                    _ => wanted,
                };
                if by_day {
                    uncertain(t, step.extra)
                } else {
                    Occurred::At(t)
                }
            }
        };
        let severity = match step.roll % 3 {
            0 => Severity::Minor,
            1 => Severity::Serious,
            _ => Severity::Grave,
        };
        // Now and then the target is not known yet.
        let target = if step.extra % 32 == 31 {
            TargetCategory::Unknown
        } else {
            target
        };
        let place = if target == TargetCategory::NuclearPowerPlant {
            "Zaporizhzhia NPP"
        } else {
            fixtures::PLACES[usize::from(step.choice) % (fixtures::PLACES.len() - 2)]
        };
        vec![(
            accuser,
            occurred,
            Payload::from(Allegation {
                accused: accused.clone(),
                term: term.clone(),
                target,
                place: Place::named(place),
                severity,
                description: "strike".into(),
                evidence: Vec::new(),
            }),
        )]
    }

    /// Allegations not retracted, the one the step refers to first: the nearest made at least
    /// `pick` steps (of the plan as generated) before this one; then the earlier ones, nearest
    /// first; then the later ones. Anchoring in the plan as generated keeps the reference when
    /// shrinking drops other steps.
    fn anchored(&self, step: &Step) -> Vec<&crate::allegation::AllegationRecord> {
        let back = u32::from(step.pick) % step.origin.max(1);
        let limit = step.origin.saturating_sub(1 + back);
        let origin =
            |a: &crate::allegation::AllegationRecord| self.origins.get(&a.id).copied().unwrap_or(0);
        let mut open: Vec<_> = self
            .state
            .allegations()
            .filter(|a| a.retraction.is_none())
            .collect();
        open.sort_by_key(|a| {
            let o = origin(a);
            if o <= limit { (0, limit - o) } else { (1, o) }
        });
        open
    }

    fn follow_up(&self, step: &Step) -> Vec<Candidate> {
        let o = self.config.outcomes;
        let weights = [o.confirmed, o.refuted, o.inconclusive, o.retracted];
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return Vec::new();
        }
        let mut point = u32::from(step.roll) * total / 100;
        let mut which = 0;
        for (i, w) in weights.iter().enumerate() {
            if point < *w {
                which = i;
                break;
            }
            point -= w;
            which = i + 1;
        }
        let open = self.anchored(step);
        if open.is_empty() {
            return Vec::new();
        }
        if which >= 3 {
            return open
                .into_iter()
                .map(|a| {
                    (
                        a.accuser.clone(),
                        self.at(),
                        Payload::AllegationRetracted {
                            allegation: a.id,
                            reason: "retracted".into(),
                        },
                    )
                })
                .collect();
        }
        if self.monitors.is_empty() {
            return Vec::new();
        }
        let finding = [Finding::Confirmed, Finding::Refuted, Finding::Inconclusive][which];
        let monitor = self.monitors[usize::from(step.choice) % self.monitors.len()].clone();
        let method = [
            Method::SatelliteImagery,
            Method::OnSiteObserver,
            Method::Sensor,
            Method::OpenSource,
        ][usize::from(step.extra) % 4];
        let confidence = Confidence::percent(u8::try_from(step.extra % 101).unwrap_or(0))
            .unwrap_or(Confidence::ZERO);
        // Mostly rule on allegations this monitor has not ruled on yet; sometimes revise.
        let fresh = open
            .iter()
            .any(|a| !a.findings.iter().any(|f| f.monitor == monitor));
        let revise = step.place >= 80;
        open.into_iter()
            .filter(|a| revise || !fresh || !a.findings.iter().any(|f| f.monitor == monitor))
            .map(|a| {
                // Sometimes the monitor classifies the target: within the term's categories,
                // or outside them (a reclassification that takes the allegation out).
                let target = match step.lag % 32 {
                    0 => self.state.term(&a.allegation.term).and_then(|r| {
                        covered(&r.term.kind)
                            .into_iter()
                            .find(|t| r.term.kind.covers(t))
                    }),
                    1 => Some(other_target(a.target())),
                    _ => None,
                };
                (
                    monitor.clone(),
                    self.at(),
                    Payload::VerificationFinding(Verification {
                        allegation: a.id,
                        finding,
                        method,
                        confidence,
                        notes: String::new(),
                        target,
                        place: None,
                    }),
                )
            })
            .collect()
    }

    fn deny(&self, step: &Step) -> Vec<Candidate> {
        self.anchored(step)
            .into_iter()
            .filter(|a| a.denial.is_none())
            .map(|a| {
                (
                    a.accused().clone(),
                    self.at(),
                    Payload::AllegationDenied {
                        allegation: a.id,
                        statement: "groundless".into(),
                        target: step
                            .choice
                            .is_multiple_of(8)
                            .then(|| other_target(&a.allegation.target)),
                    },
                )
            })
            .collect()
    }

    fn corroborate(&self, step: &Step) -> Vec<Candidate> {
        let mut out = Vec::new();
        for a in self.anchored(step) {
            let others: Vec<&PartyId> = self
                .agreement
                .parties
                .iter()
                .map(|p| &p.id)
                .filter(|p| *p != a.accused() && **p != a.accuser)
                .filter(|p| !a.corroborations.iter().any(|(c, _)| c == *p))
                .collect();
            if others.is_empty() {
                continue;
            }
            let who = others[usize::from(step.choice) % others.len()];
            out.push((
                who.clone(),
                self.at(),
                Payload::AllegationCorroborated {
                    allegation: a.id,
                    evidence: vec!["imagery".into()],
                },
            ));
        }
        out
    }

    fn period(&self, step: &Step) -> Period {
        Period {
            from: Span::seconds(u64::from(step.lag)).before(self.now),
            to: self.now,
        }
    }

    fn attest(&self, step: &Step) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (id, rec) in self.state.terms() {
            for party in &rec.term.binds {
                let author = if step.choice % 2 == 1 && !self.monitors.is_empty() {
                    self.monitors[usize::from(step.extra) % self.monitors.len()].clone()
                } else {
                    party.clone()
                };
                out.push((
                    author,
                    self.at(),
                    Payload::ComplianceAttested {
                        party: party.clone(),
                        term: id.clone(),
                        period: self.period(step),
                        statement: "no strikes".into(),
                    },
                ));
            }
        }
        out
    }

    fn claim(&self, step: &Step) -> Vec<Candidate> {
        let belligerents = self.parties_with(&[Role::Belligerent]);
        let terms: Vec<TermId> = self.agreement.terms.iter().map(|t| t.id.clone()).collect();
        let mut out = Vec::new();
        for author in &belligerents {
            for accused in belligerents.iter().filter(|p| *p != author) {
                let term = (step.roll % 2 == 1 && !terms.is_empty())
                    .then(|| terms[usize::from(step.extra) % terms.len()].clone());
                out.push((
                    author.clone(),
                    self.at(),
                    Payload::AggregateClaimed {
                        accused: accused.clone(),
                        term,
                        count: u64::from(step.extra) + 1,
                        period: self.period(step),
                        description: "strikes on energy facilities".into(),
                    },
                ));
            }
        }
        out
    }

    fn control(&self, step: &Step) -> Vec<Candidate> {
        let authors = self.parties_with(&[Role::Belligerent, Role::Monitor, Role::Mediator]);
        let controllers = self.parties_with(&[Role::Belligerent]);
        if controllers.is_empty() {
            return Vec::new();
        }
        let place = fixtures::PLACES[usize::from(step.choice) % fixtures::PLACES.len()];
        let controller = controllers[usize::from(step.extra) % controllers.len()].clone();
        authors
            .into_iter()
            .map(|a| {
                (
                    a,
                    self.at(),
                    Payload::ControlChanged {
                        place: Place::named(place),
                        controller: controller.clone(),
                    },
                )
            })
            .collect()
    }

    fn relief(&self) -> Vec<Candidate> {
        let Some(relief) = self.agreement.policy.relief.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for party in &self.agreement.parties {
            if self.state.compliance_clock(&party.id).is_none() {
                continue;
            }
            for approver in &relief.approvers {
                out.push((
                    approver.clone(),
                    self.at(),
                    Payload::ReliefApproved {
                        party: party.id.clone(),
                    },
                ));
            }
        }
        out
    }

    fn enforce(&self, step: &Step) -> Vec<Candidate> {
        let staff = self.parties_with(&[Role::Mediator, Role::Guarantor]);
        if staff.is_empty() {
            return Vec::new();
        }
        let author = staff[usize::from(step.choice) % staff.len()].clone();
        let mut out = Vec::new();
        for d in self.state.decisions().iter().rev() {
            if matches!(
                self.state.decision_stage(d.id, self.now),
                Some(Stage::InForce | Stage::Notice { .. })
            ) {
                out.push((
                    author.clone(),
                    self.at(),
                    Payload::SanctionImposed {
                        against: d.party.clone(),
                        level: d.level,
                        decision: Some(d.id),
                        measures: "measures under the decision".into(),
                    },
                ));
            }
        }
        let mut impositions: Vec<_> = self.state.impositions().collect();
        impositions.sort_by_key(|i| std::cmp::Reverse(i.imposed_at));
        for imp in impositions {
            if imp.lifted.is_none() {
                out.push((
                    author.clone(),
                    self.at(),
                    Payload::SanctionLifted {
                        imposition: imp.event,
                        reason: "relief granted".into(),
                    },
                ));
            }
        }
        if out.is_empty() {
            for party in self.parties_with(&[Role::Belligerent]) {
                out.push((
                    author.clone(),
                    self.at(),
                    Payload::SanctionImposed {
                        against: party,
                        level: crate::agreement::Level::Warning,
                        decision: None,
                        measures: "a warning on its own motion".into(),
                    },
                ));
            }
        }
        out
    }

    fn halt(&self) -> Vec<Candidate> {
        let mediators = self.parties_with(&[Role::Mediator]);
        let Some(author) = mediators.first() else {
            return Vec::new();
        };
        self.state
            .decisions()
            .iter()
            .rev()
            .filter(|d| matches!(d.procedure, Procedure::NoticeAndDeadline { .. }))
            .filter(|d| {
                matches!(
                    self.state.decision_stage(d.id, self.now),
                    Some(Stage::Notice { .. })
                )
            })
            .map(|d| {
                (
                    author.clone(),
                    self.at(),
                    Payload::ProcedureHalted {
                        decision: d.id,
                        reason: "continuation adopted".into(),
                    },
                )
            })
            .collect()
    }

    fn manage(&self, step: &Step) -> Vec<Candidate> {
        let staff = self.parties_with(&[Role::Mediator, Role::Guarantor]);
        let mediators = self.parties_with(&[Role::Mediator]);
        let mut out = Vec::new();
        for (id, rec) in self.state.terms() {
            if rec.terminated.is_some() {
                continue;
            }
            if let Some(author) = staff.first() {
                let payload = if rec.is_suspended() {
                    Payload::TermResumed { term: id.clone() }
                } else {
                    Payload::TermSuspended {
                        term: id.clone(),
                        reason: "talks on the next phase".into(),
                    }
                };
                out.push((author.clone(), self.at(), payload));
            }
            if let Some(author) = mediators.first() {
                let days = u64::from(step.extra % 30) + 1;
                let amendment = if step.roll.is_multiple_of(2) {
                    Amendment::Extend(Span::days(days))
                } else {
                    Amendment::SetDuration(Some(Span::days(days)))
                };
                out.push((
                    author.clone(),
                    self.at(),
                    Payload::TermAmended {
                        term: id.clone(),
                        amendment,
                    },
                ));
            }
        }
        out
    }

    fn end(&self) -> Vec<Candidate> {
        let staff = self.parties_with(&[Role::Mediator, Role::Guarantor]);
        let mut out = Vec::new();
        if let Some(author) = staff.first() {
            for (id, rec) in self.state.terms() {
                if rec.terminated.is_none() {
                    out.push((
                        author.clone(),
                        self.at(),
                        Payload::TermTerminated {
                            term: id.clone(),
                            reason: "superseded".into(),
                        },
                    ));
                }
            }
        }
        for p in self.parties_with(&[Role::Belligerent]) {
            if !self.withdrawn(&p) {
                out.push((
                    p,
                    self.at(),
                    Payload::PartyWithdrew {
                        reason: "the other side does not comply".into(),
                    },
                ));
            }
        }
        out
    }
}

/// An occurrence around `t` with the precision a report gives, picked by `extra`: the UTC day,
/// the day in Kyiv time, or an overnight interval ending at `t`.
fn uncertain(t: Timestamp, extra: u16) -> Occurred {
    match extra % 3 {
        0 => Occurred::OnDay(t.date_naive()),
        1 => chrono::FixedOffset::east_opt(3 * 3_600)
            .and_then(|kyiv| {
                let local = t.with_timezone(&kyiv).date_naive();
                Occurred::on_local_day(local, kyiv).ok()
            })
            .unwrap_or(Occurred::OnDay(t.date_naive())),
        _ => Occurred::between(Span::hours(14).before(t), t).unwrap_or(Occurred::At(t)),
    }
}

/// A category other than `target`: the one a denial or a monitor says it was instead.
fn other_target(target: &TargetCategory) -> TargetCategory {
    if *target == TargetCategory::Railway {
        TargetCategory::PowerGrid
    } else {
        TargetCategory::Railway
    }
}

/// The target categories an allegation under a term of this kind may name.
pub(crate) fn covered(kind: &TermKind) -> Vec<TargetCategory> {
    let mut all: Vec<TargetCategory> = TargetCategory::NAMED.to_vec();
    if let TermKind::Custom {
        covers: Some(set), ..
    } = kind
    {
        for t in set {
            if !all.contains(t) {
                all.push(t.clone());
            }
        }
    }
    all.retain(|t| kind.covers(t));
    all
}

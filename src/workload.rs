//! A realistic, valid log of any length, deterministic for a seed: the workload every bench
//! and the `throughput` example measure.
//!
//! The log is one agreement between two belligerents (`UA`, `RU`) with a mediator (`US`), a
//! guarantor (`TR`), two monitors (`MON`, `MON2`) and three approvers of relief (`CONGRESS`,
//! `COUNCIL`, `EU`, quorum 2). It has four terms in two phases: an energy moratorium with a
//! per-party clock, a maritime truce, a general ceasefire that starts once the energy
//! moratorium has held for 10 days, and a prisoner exchange checked by attestation. Its policy
//! has two rules: three confirmed violations in 14 days (escalating, immediate), and five
//! corroborated violations of the maritime truce in 7 days (notice and a 3-day dispute
//! window); relief needs 30 days without a newly confirmed violation and two approvals.
//!
//! After the genesis and the acceptances (one raised from in principle to binding), events are
//! drawn one at a time in the proportions of [`MIX`] (allegations 60%, findings 25%, then
//! denials, corroborations, retractions, aggregate claims, compliance attestations and control
//! changes), with a few events on a schedule: suspensions and resumptions of the maritime
//! truce, and every 75 days a *calm* in which one belligerent is accused of nothing for 40
//! days, a sanction is imposed on it, approvers approve relief (one time in four only one
//! does, short of the quorum) and the sanction is lifted once relief is granted. Allegations
//! carry descriptions of a few hundred characters, places (half with coordinates) and evidence
//! references; 7% are reported late (recorded 2 to 21 days after they occurred). Findings come
//! on recent allegations; some get a second monitor's finding or a revision, and a revision
//! that refutes a confirmed allegation voids the decisions that cite it. Along a long log
//! decisions fire, are voided and are relieved.
//!
//! Events arrive on average [`Workload::DEFAULT_PACE`] a day (a mission that records hundreds
//! of thousands of events a year); [`Workload::pace`] changes it (a short log at a slow pace
//! spans months, and so holds calms and relief). Ids are deterministic
//! ([`EventId::from_parts`]): the same seed, pace and length give the same records, byte for
//! byte.
//!
//! The generator keeps its own account of the allegations it made (retracted, denied,
//! corroborated by whom), so the events it draws are valid by construction. It also folds
//! every event into an [`AgreementState`] as it goes: the events whose validity depends on
//! derived facts (an imposition citing a decision in force, relief approvals, lifting a
//! sanction) are checked against that state first and left out when the rules would refuse
//! them; any other refusal is a bug of the generator and is returned as
//! [`WorkloadError::Refused`]. Generating a log therefore costs about one replay of it.
//!
//! To add a kind of event, add a variant to [`Drawn`], its share to [`MIX`] and its arm to
//! the generator's `draw` (one `match`); scheduled events are one variant of `Action` each.
//!
//! ```
//! use ceasefire::prelude::*;
//! use ceasefire::workload::Workload;
//!
//! let records = Workload::new(7).pace(12).generate(1_500)?;
//! assert_eq!(records.len(), 1_500);
//! // The same seed gives the same log, and strict replay accepts it.
//! assert_eq!(records, Workload::new(7).pace(12).generate(1_500)?);
//! let state = replay(&records)?;
//! assert!(!state.decisions().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, VecDeque};

use chrono::TimeDelta;

use crate::agreement::{
    AcceptanceLevel, Activation, Agreement, AgreementError, Confidence, ConfidenceError,
    Escalation, EvidenceStandard, Level, Obligation, Procedure, ReliefPolicy, SanctionPolicy,
    Severity, TargetCategory, Term, TermKind, ThresholdRule,
};
use crate::event::{
    Allegation, BuildError, Coordinates, Event, Finding, Method, Payload, PayloadKind, Period,
    Place, Record, Verification,
};
use crate::id::{EventId, IdError, PartyId, RuleId, Seq, TermId};
use crate::state::{AgreementState, Refused};
use crate::time::{Span, Timestamp};

/// The events drawn at random, one kind per variant (see [`MIX`] for their shares).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Drawn {
    /// `violation_alleged`: a belligerent accuses the other.
    Allegation,
    /// `verification_finding` on a recent allegation (first, second opinion or revision).
    Finding,
    /// `allegation_denied` by the accused.
    Denial,
    /// `allegation_corroborated` by the mediator or the guarantor.
    Corroboration,
    /// `allegation_retracted` by the reporter.
    Retraction,
    /// `aggregate_claimed`: a claimed count over a period.
    Claim,
    /// `compliance_attested`, by a monitor or by the party itself.
    Attestation,
    /// `control_changed` of a front-line place.
    ControlChange,
}

/// The share of each drawn kind, in events per thousand (they sum to 1,000). Scheduled
/// events (suspensions, resumptions, impositions, relief approvals, lifts) come on top, a few
/// per thousand at the default pace; a drawn kind with nothing to act on (no recent allegation
/// left to deny, say) is replaced by an allegation.
pub const MIX: [(Drawn, u32); 8] = [
    (Drawn::Allegation, 600),
    (Drawn::Finding, 250),
    (Drawn::Denial, 40),
    (Drawn::Corroboration, 30),
    (Drawn::Retraction, 20),
    (Drawn::Claim, 15),
    (Drawn::Attestation, 25),
    (Drawn::ControlChange, 20),
];

/// Why a workload could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkloadError {
    /// The workload's agreement does not validate (a bug of the generator).
    #[error("the workload's agreement is not valid: {0}")]
    Agreement(#[from] AgreementError),
    /// An identifier of the workload does not parse (a bug of the generator).
    #[error("a workload identifier is not valid: {0}")]
    Id(#[from] IdError),
    /// A confidence of the workload is out of range (a bug of the generator).
    #[error("a workload confidence is not valid: {0}")]
    Confidence(#[from] ConfidenceError),
    /// An event could not be built: a time out of range (a pace so slow, or a log so long,
    /// that it runs past the year 9999).
    #[error("event {index} of the workload could not be built: {error}")]
    Build {
        /// Its index in the log (from 0).
        index: usize,
        /// Why.
        error: BuildError,
    },
    /// The rules refused a generated event (a bug of the generator).
    #[error("the workload generated a record the rules refuse: {0}")]
    Refused(Box<Refused>),
}

/// A workload: a seed and a pace. See the [module documentation](self).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Workload {
    seed: u64,
    pace: u32,
}

impl Workload {
    /// Events a day, on average, unless [`Workload::pace`] says otherwise.
    pub const DEFAULT_PACE: u32 = 400;

    /// When the genesis is recorded: `2025-03-18T00:00:00Z`.
    pub const START: Timestamp = match chrono::NaiveDate::from_ymd_opt(2025, 3, 18) {
        Some(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
        None => crate::time::EARLIEST,
    };

    /// The workload of `seed`, at the default pace.
    #[must_use]
    pub fn new(seed: u64) -> Workload {
        Workload {
            seed,
            pace: Self::DEFAULT_PACE,
        }
    }

    /// Sets the average number of events a day (at least 1).
    #[must_use]
    pub fn pace(mut self, events_per_day: u32) -> Workload {
        self.pace = events_per_day.max(1);
        self
    }

    /// The agreement the log concludes.
    ///
    /// # Errors
    /// [`WorkloadError::Agreement`] or [`WorkloadError::Id`] (neither happens: the agreement
    /// is fixed).
    pub fn agreement() -> Result<Agreement, WorkloadError> {
        let c = Cast::new()?;
        let [ua, ru] = c.belligerents.clone();
        let agreement = Agreement::new("Black Sea and energy ceasefire (workload)")
            .belligerent(&ua, "Ukraine")
            .belligerent(&ru, "Russia")
            .mediator(&c.us, "United States")
            .guarantor(&c.tr, "Türkiye")
            .monitor(&c.monitors[0], "Special monitoring mission")
            .monitor(&c.monitors[1], "IAEA support and assistance mission")
            .approver(&c.approvers[0], "United States Congress")
            .approver(&c.approvers[1], "Council of the European Union")
            .approver(&c.approvers[2], "European Commission")
            .term(
                Term::new(
                    &c.terms[ENERGY],
                    "No strikes on energy infrastructure",
                    TermKind::energy_moratorium(),
                )
                .binding([&ua, &ru])
                .per_party(),
            )
            .term(
                Term::new(
                    &c.terms[SEA],
                    "Safe navigation in the Black Sea",
                    TermKind::MaritimeTruce {
                        zone: "Black Sea".into(),
                    },
                )
                .binding([&ua, &ru]),
            )
            .term(
                Term::new(
                    &c.terms[CEASEFIRE],
                    "General ceasefire along the line of contact",
                    TermKind::GeneralCeasefire {
                        area: Some("line of contact".into()),
                    },
                )
                .binding([&ua, &ru])
                .phase(2)
                .activation(Activation::AfterHeld {
                    term: c.terms[ENERGY].clone(),
                    days: 10,
                }),
            )
            .term(
                Term::new(
                    &c.terms[PRISONERS],
                    "Exchange of prisoners of war",
                    TermKind::NonKinetic {
                        obligation: Obligation::ExchangePrisoners { count: Some(175) },
                    },
                )
                .binding([&ua, &ru]),
            )
            .policy(
                SanctionPolicy::new()
                    .rule(
                        ThresholdRule::new(RuleId::new("three-in-14")?, 3, Span::days(14))
                            .evidence(EvidenceStandard::Confirmed {
                                monitors: 1,
                                min_confidence: Confidence::percent(60)?,
                            })
                            .level(Level::Warning)
                            .escalation(Escalation::Ladder),
                    )
                    .rule(
                        ThresholdRule::new(RuleId::new("sea-five-in-7")?, 5, Span::days(7))
                            .terms([c.terms[SEA].clone()])
                            .evidence(EvidenceStandard::Corroborated)
                            .level(Level::Targeted)
                            .escalation(Escalation::Fixed)
                            .procedure(Procedure::NoticeAndDeadline {
                                dispute_window: Span::days(3),
                            }),
                    )
                    .relief(ReliefPolicy {
                        compliance: Span::days(30),
                        approvers: c.approvers.iter().cloned().collect(),
                        quorum: 2,
                    }),
            )
            .validated()?;
        Ok(agreement)
    }

    /// The first `n` records of the log (all of them valid: strict replay accepts them).
    ///
    /// # Errors
    /// [`WorkloadError::Build`] if the log runs past the year 9999; the other variants only
    /// for a bug of the generator.
    pub fn generate(&self, n: usize) -> Result<Vec<Record>, WorkloadError> {
        let mut g = Gen::new(*self, n)?;
        g.run(n)?;
        let mut records = g.records;
        records.truncate(n);
        Ok(records)
    }
}

/// How many records of each kind `records` holds.
#[must_use]
pub fn kinds(records: &[Record]) -> BTreeMap<PayloadKind, usize> {
    let mut counts = BTreeMap::new();
    for r in records {
        *counts.entry(r.event.payload.kind()).or_insert(0) += 1;
    }
    counts
}

const ENERGY: usize = 0;
const SEA: usize = 1;
const CEASEFIRE: usize = 2;
const PRISONERS: usize = 3;

/// Splitmix64: a small, fast, deterministic sequence (not for secrets).
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 if `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            // Multiply-shift: unbiased enough for a workload, and no division.
            ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
        }
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }
}

/// The parties and terms, parsed once.
struct Cast {
    belligerents: [PartyId; 2],
    us: PartyId,
    tr: PartyId,
    monitors: [PartyId; 2],
    approvers: [PartyId; 3],
    terms: [TermId; 4],
}

impl Cast {
    fn new() -> Result<Cast, IdError> {
        let p = PartyId::new;
        let t = TermId::new;
        Ok(Cast {
            belligerents: [p("UA")?, p("RU")?],
            us: p("US")?,
            tr: p("TR")?,
            monitors: [p("MON")?, p("MON2")?],
            approvers: [p("CONGRESS")?, p("COUNCIL")?, p("EU")?],
            terms: [t("energy")?, t("sea")?, t("ceasefire")?, t("prisoners")?],
        })
    }
}

/// What the generator remembers of an allegation it made.
#[derive(Clone, Debug)]
struct Made {
    id: EventId,
    /// The accuser's index in `belligerents`; the accused is the other.
    accuser: usize,
    denied: bool,
    retracted: bool,
    /// Bit 0: the mediator corroborated it; bit 1: the guarantor.
    corroborated: u8,
    findings: u8,
    /// Whether its latest finding confirmed it.
    confirmed: bool,
}

/// An event due at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    /// One belligerent goes quiet for 40 days; the rest of its calm is scheduled.
    CalmStart(usize),
    CalmEnd(usize),
    /// A sanction imposed on the belligerent (citing its latest decision in force, if any).
    Impose(usize),
    /// Relief for the belligerent approved by the approver.
    Approve(usize, usize),
    /// The belligerent's oldest open imposition lifted, if relief allows.
    Lift(usize),
    Suspend,
    Resume,
}

/// Calms alternate between the two belligerents every this many days.
const CALM_EVERY: i64 = 75;
/// How long a calm lasts.
const CALM_DAYS: i64 = 40;
/// Allegations that later events may refer to: the most recent ones.
const RECENT: usize = 512;
/// Allegations waiting for a first finding (the oldest are dropped: never verified).
const PENDING: usize = 4_096;

struct Gen {
    rng: Rng,
    cast: Cast,
    /// Seconds between events, on average.
    gap: u64,
    clock: Timestamp,
    t0: Timestamp,
    /// Until then, allegations concern the maritime truce and the prisoners only, so the
    /// energy moratorium holds and the ceasefire's phase starts.
    opening_end: Timestamp,
    salt: u128,
    state: AgreementState,
    records: Vec<Record>,
    made: Vec<Made>,
    pending: VecDeque<usize>,
    found: VecDeque<usize>,
    schedule: BTreeMap<(Timestamp, u64), Action>,
    scheduled: u64,
    calm: [bool; 2],
    impositions: [VecDeque<EventId>; 2],
    suspended: bool,
    suspensions: usize,
}

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

fn secs(n: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Gen {
    fn new(w: Workload, n: usize) -> Result<Gen, WorkloadError> {
        let t0 = Workload::START;
        let mut salt_rng = Rng(w.seed ^ 0x005E_ED0F_CEA5_EF1E);
        let salt = u128::from(salt_rng.next() & ((1 << 34) - 1)) << 40;
        Ok(Gen {
            rng: Rng(w.seed),
            cast: Cast::new()?,
            gap: (86_400 / u64::from(w.pace)).max(1),
            clock: t0,
            t0,
            opening_end: t0 + days(11),
            salt,
            state: AgreementState::new(),
            records: Vec::with_capacity(n),
            made: Vec::with_capacity(n * 2 / 3),
            pending: VecDeque::new(),
            found: VecDeque::new(),
            schedule: BTreeMap::new(),
            scheduled: 0,
            calm: [false; 2],
            impositions: [VecDeque::new(), VecDeque::new()],
            suspended: false,
            suspensions: 0,
        })
    }

    fn at(&mut self, when: Timestamp, action: Action) {
        self.scheduled += 1;
        self.schedule.insert((when, self.scheduled), action);
    }

    fn event(
        &mut self,
        author: &PartyId,
        occurred: Timestamp,
        payload: Payload,
    ) -> Result<Record, WorkloadError> {
        let index = self.records.len();
        let id = EventId::from_parts(self.clock, self.salt | index as u128)?;
        let event = Event::by(author)
            .id(id)
            .occurred(occurred.min(self.clock))
            .recorded(self.clock)
            .says(payload)
            .map_err(|error| WorkloadError::Build { index, error })?;
        Ok(Record::new(Seq(index as u64 + 1), event))
    }

    /// Appends an event the generator knows to be valid; a refusal is a bug.
    fn emit(
        &mut self,
        author: &PartyId,
        occurred: Timestamp,
        payload: Payload,
    ) -> Result<EventId, WorkloadError> {
        let record = self.event(author, occurred, payload)?;
        self.state.apply(&record).map_err(|reason| {
            WorkloadError::Refused(Box::new(Refused {
                seq: record.seq,
                id: record.event.id,
                reason,
            }))
        })?;
        let id = record.event.id;
        self.records.push(record);
        Ok(id)
    }

    /// Appends an event whose validity depends on derived facts, if the rules accept it.
    fn offer(
        &mut self,
        author: &PartyId,
        payload: Payload,
    ) -> Result<Option<EventId>, WorkloadError> {
        let record = self.event(author, self.clock, payload)?;
        if self.state.check(&record).is_err() {
            return Ok(None);
        }
        let id = self.emit(author, self.clock, record.event.payload)?;
        Ok(Some(id))
    }

    fn run(&mut self, n: usize) -> Result<(), WorkloadError> {
        let c = Cast::new()?;
        let [ua, ru] = c.belligerents.clone();
        let t0 = self.t0;
        self.emit(
            &c.us,
            t0,
            Payload::AgreementConcluded(Box::new(Workload::agreement()?)),
        )?;
        let accept = |term: &TermId, level| Payload::TermAccepted {
            term: term.clone(),
            level,
            effective_from: None,
        };
        for term in &c.terms {
            self.emit(&ua, t0, accept(term, AcceptanceLevel::Binding))?;
        }
        // Russia accepts the energy moratorium in principle first, then bindingly.
        self.clock = t0 + TimeDelta::hours(1);
        self.emit(
            &ru,
            self.clock,
            accept(&c.terms[ENERGY], AcceptanceLevel::InPrinciple),
        )?;
        self.clock = t0 + TimeDelta::hours(2);
        for term in [SEA, CEASEFIRE, PRISONERS] {
            self.emit(
                &ru,
                self.clock,
                accept(&c.terms[term], AcceptanceLevel::Binding),
            )?;
        }
        self.clock = t0 + TimeDelta::hours(5);
        self.emit(
            &ru,
            self.clock,
            accept(&c.terms[ENERGY], AcceptanceLevel::Binding),
        )?;
        self.at(self.opening_end + days(20), Action::CalmStart(1));
        self.at(self.opening_end + days(30), Action::Suspend);

        while self.records.len() < n {
            let step = self.rng.between(0, 2 * self.gap);
            self.clock += secs(step);
            if let Some(entry) = self.schedule.first_entry()
                && entry.key().0 <= self.clock
            {
                let action = entry.remove();
                self.act(action)?;
                continue;
            }
            let roll = self.rng.below(1000) as u32;
            let mut sum = 0;
            let mut kind = Drawn::Allegation;
            for (k, share) in MIX {
                sum += share;
                if roll < sum {
                    kind = k;
                    break;
                }
            }
            if !self.draw(kind)? {
                self.draw(Drawn::Allegation)?;
            }
        }
        Ok(())
    }

    /// Emits one event of `kind`; false if there was nothing to act on.
    fn draw(&mut self, kind: Drawn) -> Result<bool, WorkloadError> {
        match kind {
            Drawn::Allegation => self.allegation().map(|()| true),
            Drawn::Finding => self.finding(),
            Drawn::Denial => self.denial(),
            Drawn::Corroboration => self.corroboration(),
            Drawn::Retraction => self.retraction(),
            Drawn::Claim => self.claim().map(|()| true),
            Drawn::Attestation => self.attestation().map(|()| true),
            Drawn::ControlChange => self.control_change().map(|()| true),
        }
    }

    fn act(&mut self, action: Action) -> Result<(), WorkloadError> {
        let now = self.clock;
        match action {
            Action::CalmStart(b) => {
                self.calm[b] = true;
                self.at(now + days(2), Action::Impose(b));
                let first = self.rng.index(3);
                self.at(now + days(4), Action::Approve(b, first));
                // One calm in four gets a single approval: short of the quorum.
                if !self.rng.chance(250) {
                    let second = (first + 1 + self.rng.index(2)) % 3;
                    self.at(now + days(6), Action::Approve(b, second));
                }
                self.at(now + days(36), Action::Lift(b));
                self.at(now + days(CALM_DAYS), Action::CalmEnd(b));
                self.at(now + days(CALM_EVERY), Action::CalmStart(1 - b));
            }
            Action::CalmEnd(b) => self.calm[b] = false,
            Action::Impose(b) => {
                let party = self.cast.belligerents[b].clone();
                let latest = self
                    .state
                    .sanctions_in_force(now)
                    .into_iter()
                    .filter(|d| d.party == party)
                    .max_by_key(|d| d.id)
                    .map(|d| (d.id, d.level));
                let (decision, level) = match latest {
                    Some((id, level)) => (Some(id), level),
                    None => (None, Level::Targeted),
                };
                let author = if self.rng.chance(700) {
                    self.cast.us.clone()
                } else {
                    self.cast.tr.clone()
                };
                let measures = measures(&mut self.rng, &party);
                let payload = Payload::SanctionImposed {
                    against: party,
                    level,
                    decision,
                    measures,
                };
                if let Some(id) = self.offer(&author, payload)? {
                    self.impositions[b].push_back(id);
                }
            }
            Action::Approve(b, approver) => {
                let approver = self.cast.approvers[approver % 3].clone();
                let party = self.cast.belligerents[b].clone();
                self.offer(&approver, Payload::ReliefApproved { party })?;
            }
            Action::Lift(b) => {
                if let Some(imposition) = self.impositions[b].front().copied() {
                    let us = self.cast.us.clone();
                    let payload = Payload::SanctionLifted {
                        imposition,
                        reason: "relief granted after the compliance period".into(),
                    };
                    if self.offer(&us, payload)?.is_some() {
                        self.impositions[b].pop_front();
                        if !self.impositions[b].is_empty() {
                            self.at(now + TimeDelta::hours(2), Action::Lift(b));
                        }
                    }
                }
            }
            Action::Suspend => {
                if !self.suspended && self.suspensions < 200 {
                    let author = if self.rng.chance(500) {
                        self.cast.us.clone()
                    } else {
                        self.cast.tr.clone()
                    };
                    let reason = format!(
                        "navigation incident off {} under investigation; convoy schedule \
                         suspended pending the joint coordination centre's review",
                        self.rng.pick(PORTS).copied().unwrap_or("Odesa")
                    );
                    let term = self.cast.terms[SEA].clone();
                    self.emit(&author, now, Payload::TermSuspended { term, reason })?;
                    self.suspended = true;
                    self.suspensions += 1;
                    let back = self.rng.between(2, 6) as i64;
                    self.at(now + days(back), Action::Resume);
                }
                let next = self.rng.between(50, 90) as i64;
                self.at(now + days(next), Action::Suspend);
            }
            Action::Resume => {
                if self.suspended {
                    let us = self.cast.us.clone();
                    let term = self.cast.terms[SEA].clone();
                    self.emit(&us, now, Payload::TermResumed { term })?;
                    self.suspended = false;
                }
            }
        }
        Ok(())
    }

    fn allegation(&mut self) -> Result<(), WorkloadError> {
        // Nobody is accused during its calm (calms never overlap).
        let accused = match self.calm {
            [true, false] => 1,
            [false, true] => 0,
            _ => self.rng.index(2),
        };
        let accuser = 1 - accused;
        let opening = self.clock < self.opening_end;
        let roll = self.rng.below(100);
        let term = if opening {
            if roll < 90 { SEA } else { PRISONERS }
        } else {
            match roll {
                0..40 => ENERGY,
                40..75 => CEASEFIRE,
                75..95 => SEA,
                _ => PRISONERS,
            }
        };
        let target = match term {
            ENERGY => self
                .rng
                .pick(&[
                    TargetCategory::PowerGrid,
                    TargetCategory::PowerGrid,
                    TargetCategory::PowerGrid,
                    TargetCategory::Refinery,
                    TargetCategory::PipelineOrStorage,
                    TargetCategory::HydroelectricDam,
                ])
                .cloned()
                .unwrap_or(TargetCategory::PowerGrid),
            SEA => {
                if self.rng.chance(550) {
                    TargetCategory::Port
                } else {
                    TargetCategory::Shipping
                }
            }
            CEASEFIRE => self
                .rng
                .pick(&[
                    TargetCategory::MilitaryObjective,
                    TargetCategory::MilitaryObjective,
                    TargetCategory::CivilianSite,
                    TargetCategory::CivilianSite,
                    TargetCategory::Railway,
                ])
                .cloned()
                .unwrap_or(TargetCategory::CivilianSite),
            _ => TargetCategory::Obligation,
        };
        let before = if self.rng.chance(70) {
            // A late report.
            secs(self.rng.between(2 * 86_400, 21 * 86_400))
        } else {
            secs(self.rng.between(600, 8 * 3_600))
        };
        // What occurred during the opening would decide whether the ceasefire's phase starts:
        // only the maritime truce and the prisoners go back that far.
        let floor = if matches!(term, SEA | PRISONERS) {
            self.t0
        } else {
            self.opening_end
        };
        let occurred = (self.clock - before).max(floor);
        let severity = match self.rng.below(100) {
            0..30 => Severity::Minor,
            30..85 => Severity::Serious,
            _ => Severity::Grave,
        };
        let place = place(&mut self.rng, term);
        let description = description(&mut self.rng, term, &target, &place.name);
        let mut evidence = Vec::new();
        for _ in 0..self.rng.below(3) {
            evidence.push(evidence_ref(&mut self.rng, accuser));
        }
        let allegation = Allegation {
            accused: self.cast.belligerents[accused].clone(),
            term: self.cast.terms[term].clone(),
            target,
            place,
            severity,
            description,
            evidence,
        };
        let author = self.cast.belligerents[accuser].clone();
        let id = self.emit(&author, occurred, Payload::ViolationAlleged(allegation))?;
        self.made.push(Made {
            id,
            accuser,
            denied: false,
            retracted: false,
            corroborated: 0,
            findings: 0,
            confirmed: false,
        });
        self.pending.push_back(self.made.len() - 1);
        if self.pending.len() > PENDING {
            self.pending.pop_front();
        }
        Ok(())
    }

    /// A recent allegation that is not retracted and passes `ok`, after a few tries.
    fn recent(&mut self, ok: impl Fn(&Made) -> bool) -> Option<usize> {
        let len = self.made.len();
        let window = len.min(RECENT);
        for _ in 0..8 {
            let i = len.checked_sub(1 + self.rng.index(window))?;
            if self.made.get(i).is_some_and(|m| !m.retracted && ok(m)) {
                return Some(i);
            }
        }
        None
    }

    fn finding(&mut self) -> Result<bool, WorkloadError> {
        let first = self.rng.chance(800) && !self.pending.is_empty();
        let chosen = if first {
            // Monitors work through the oldest waiting reports, not strictly in order.
            let i = self.rng.index(self.pending.len().min(64));
            self.pending
                .remove(i)
                .filter(|&a| self.made.get(a).is_some_and(|m| !m.retracted))
        } else {
            let len = self.found.len();
            (0..8)
                .filter_map(|_| self.found.get(len.saturating_sub(1 + self.rng.index(len))))
                .copied()
                .find(|&a| {
                    self.made
                        .get(a)
                        .is_some_and(|m| !m.retracted && m.findings < 60)
                })
        };
        let Some(a) = chosen else {
            return Ok(false);
        };
        let Some(m) = self.made.get(a).cloned() else {
            return Ok(false);
        };
        let roll = self.rng.below(100);
        let finding = if self.calm[1 - m.accuser] {
            // Nothing against a party in its calm is newly confirmed (nor refuted).
            Finding::Inconclusive
        } else if m.findings == 0 {
            match roll {
                0..60 => Finding::Confirmed,
                60..80 => Finding::Refuted,
                _ => Finding::Inconclusive,
            }
        } else if m.confirmed {
            // A second opinion, or a revision that voids what rested on it.
            if roll < 30 {
                Finding::Refuted
            } else {
                Finding::Confirmed
            }
        } else {
            match roll {
                0..50 => Finding::Confirmed,
                50..75 => Finding::Refuted,
                _ => Finding::Inconclusive,
            }
        };
        let monitor = self.rng.index(2);
        let method = *self
            .rng
            .pick(&[
                Method::SatelliteImagery,
                Method::OnSiteObserver,
                Method::Sensor,
                Method::OpenSource,
            ])
            .unwrap_or(&Method::OpenSource);
        let confidence = Confidence::percent(self.rng.between(55, 95) as u8)?;
        let notes = if self.rng.chance(400) {
            format!(
                "team visited the site on day {}; {}",
                self.rng.between(1, 9),
                self.rng.pick(NOTES).copied().unwrap_or("")
            )
        } else {
            String::new()
        };
        let author = self.cast.monitors[monitor].clone();
        let v = Verification::new(m.id, finding, method, confidence).noting(notes);
        let now = self.clock;
        self.emit(&author, now, Payload::VerificationFinding(v))?;
        if let Some(m) = self.made.get_mut(a) {
            m.findings += 1;
            m.confirmed = finding == Finding::Confirmed;
        }
        if first {
            self.found.push_back(a);
            if self.found.len() > PENDING {
                self.found.pop_front();
            }
        }
        Ok(true)
    }

    fn denial(&mut self) -> Result<bool, WorkloadError> {
        let Some(a) = self.recent(|m| !m.denied) else {
            return Ok(false);
        };
        let Some(m) = self.made.get_mut(a) else {
            return Ok(false);
        };
        m.denied = true;
        let (id, accused) = (m.id, 1 - m.accuser);
        let statement = self.rng.pick(DENIALS).copied().unwrap_or("").to_owned();
        let author = self.cast.belligerents[accused].clone();
        let now = self.clock;
        self.emit(
            &author,
            now,
            Payload::AllegationDenied {
                allegation: id,
                statement,
                target: None,
            },
        )?;
        Ok(true)
    }

    fn corroboration(&mut self) -> Result<bool, WorkloadError> {
        let by = self.rng.index(2);
        let calm = self.calm;
        // Corroboration can make a violation count: none against a party in its calm.
        let Some(a) = self.recent(|m| m.corroborated & (1 << by) == 0 && !calm[1 - m.accuser])
        else {
            return Ok(false);
        };
        let Some(m) = self.made.get_mut(a) else {
            return Ok(false);
        };
        m.corroborated |= 1 << by;
        let (id, accuser) = (m.id, m.accuser);
        let author = if by == 0 {
            self.cast.us.clone()
        } else {
            self.cast.tr.clone()
        };
        let evidence = vec![evidence_ref(&mut self.rng, accuser)];
        let now = self.clock;
        self.emit(
            &author,
            now,
            Payload::AllegationCorroborated {
                allegation: id,
                evidence,
            },
        )?;
        Ok(true)
    }

    fn retraction(&mut self) -> Result<bool, WorkloadError> {
        let Some(a) = self.recent(|_| true) else {
            return Ok(false);
        };
        let Some(m) = self.made.get_mut(a) else {
            return Ok(false);
        };
        m.retracted = true;
        let (id, accuser) = (m.id, m.accuser);
        let reason = self.rng.pick(RETRACTIONS).copied().unwrap_or("").to_owned();
        let author = self.cast.belligerents[accuser].clone();
        let now = self.clock;
        self.emit(
            &author,
            now,
            Payload::AllegationRetracted {
                allegation: id,
                reason,
            },
        )?;
        Ok(true)
    }

    fn claim(&mut self) -> Result<(), WorkloadError> {
        let by = self.rng.index(2);
        let count = self.rng.between(12, 480);
        let span = self.rng.between(1, 30) as i64;
        let to = self.clock - TimeDelta::hours(self.rng.between(1, 24) as i64);
        let period = Period {
            from: (to - days(span)).max(self.t0).min(to),
            to,
        };
        let term = match self.rng.below(4) {
            0 => None,
            t => Some(self.cast.terms[t as usize - 1].clone()),
        };
        let description = format!(
            "The ministry of defence counts {count} violations by the other side over the past \
             {span} days, including {} drone attacks and {} artillery strikes on {}.",
            count / 2 + 1,
            count / 3,
            self.rng.pick(REGIONS).copied().unwrap_or("the front")
        );
        let payload = Payload::AggregateClaimed {
            accused: self.cast.belligerents[1 - by].clone(),
            term,
            count,
            period,
            description,
        };
        let author = self.cast.belligerents[by].clone();
        let now = self.clock;
        self.emit(&author, now, payload)?;
        Ok(())
    }

    fn attestation(&mut self) -> Result<(), WorkloadError> {
        let party = self.rng.index(2);
        let term = if self.rng.chance(600) {
            PRISONERS
        } else {
            ENERGY
        };
        let by_monitor = self.rng.chance(600);
        let author = if by_monitor {
            self.cast.monitors[self.rng.index(2)].clone()
        } else {
            self.cast.belligerents[party].clone()
        };
        let to = self.clock;
        let period = Period {
            from: (to - days(7)).max(self.t0),
            to,
        };
        let statement = if term == PRISONERS {
            format!(
                "{} prisoners of war handed over at the agreed crossing point; lists verified \
                 against the exchange roster",
                self.rng.between(20, 175)
            )
        } else {
            "no strikes on energy infrastructure ordered or carried out in the period".into()
        };
        let payload = Payload::ComplianceAttested {
            party: self.cast.belligerents[party].clone(),
            term: self.cast.terms[term].clone(),
            period,
            statement,
        };
        let now = self.clock;
        self.emit(&author, now, payload)?;
        Ok(())
    }

    fn control_change(&mut self) -> Result<(), WorkloadError> {
        let name = self.rng.pick(FRONT).copied().unwrap_or("Sudzha");
        let controller = self.cast.belligerents[self.rng.index(2)].clone();
        let author = if self.rng.chance(700) {
            controller.clone()
        } else {
            self.cast.monitors[self.rng.index(2)].clone()
        };
        let payload = Payload::ControlChanged {
            place: Place::named(name),
            controller,
        };
        let now = self.clock;
        self.emit(&author, now, payload)?;
        Ok(())
    }
}

fn measures(rng: &mut Rng, party: &PartyId) -> String {
    format!(
        "asset freeze on {} listed entities of {party}; export controls on dual-use goods; \
         suspension of the grain corridor facilitation",
        rng.between(12, 140)
    )
}

fn evidence_ref(rng: &mut Rng, by: usize) -> String {
    match rng.below(3) {
        0 => format!(
            "report {}-2025-{:06}",
            if by == 0 { "UA" } else { "RU" },
            rng.below(1_000_000)
        ),
        1 => format!("sha256:{:016x}{:016x}", rng.next(), rng.next()),
        _ => format!("https://example.org/evidence/{:x}", rng.next()),
    }
}

/// (name, region, latitude, longitude).
const PLACES: &[(&str, &str, f64, f64)] = &[
    ("Kherson", "Kherson oblast", 46.635, 32.617),
    ("Zaporizhzhia", "Zaporizhzhia oblast", 47.838, 35.139),
    ("Nikopol", "Dnipropetrovsk oblast", 47.571, 34.394),
    ("Kharkiv", "Kharkiv oblast", 49.993, 36.231),
    ("Sumy", "Sumy oblast", 50.907, 34.798),
    ("Kramatorsk", "Donetsk oblast", 48.723, 37.556),
    ("Pokrovsk", "Donetsk oblast", 48.282, 37.176),
    ("Kryvyi Rih", "Dnipropetrovsk oblast", 47.910, 33.391),
    ("Belgorod", "Belgorod oblast", 50.595, 36.587),
    ("Kursk", "Kursk oblast", 51.730, 36.193),
    ("Bryansk", "Bryansk oblast", 53.243, 34.363),
    ("Tuapse", "Krasnodar krai", 44.104, 39.074),
    ("Novorossiysk", "Krasnodar krai", 44.724, 37.768),
    ("Odesa", "Odesa oblast", 46.482, 30.723),
    ("Izmail", "Odesa oblast", 45.351, 28.837),
    ("Mykolaiv", "Mykolaiv oblast", 46.975, 31.995),
];

const PORTS: &[&str] = &[
    "Odesa",
    "Chornomorsk",
    "Pivdennyi",
    "Izmail",
    "Reni",
    "Novorossiysk",
    "Tuapse",
    "Sevastopol",
];

const FRONT: &[&str] = &[
    "Sudzha",
    "Robotyne",
    "Vovchansk",
    "Kupiansk",
    "Chasiv Yar",
    "Toretsk",
    "Velyka Novosilka",
    "Kamianske",
    "Krynky",
    "Huliaipole",
];

const REGIONS: &[&str] = &[
    "the Zaporizhzhia direction",
    "the Pokrovsk direction",
    "the Kharkiv region",
    "the Kursk border area",
    "the Kherson riverbank",
];

const DENIALS: &[&str] = &[
    "No strike was carried out in the area at the stated time; the damage shown was caused \
     by the other side's air defence.",
    "The footage is from an earlier incident and was recorded elsewhere.",
    "Our forces observed the ceasefire order; the site was hit by a falling interceptor.",
    "The target was a legitimate military objective outside the scope of the term.",
];

const RETRACTIONS: &[&str] = &[
    "The incident was reported twice; this report duplicates an earlier one.",
    "On review, the damage was caused by an accident at the facility.",
    "The location was misidentified in the initial report.",
];

const NOTES: &[&str] = &[
    "craters consistent with guided aerial bombs",
    "debris of a one-way attack drone recovered",
    "no damage visible on imagery of the following day",
    "access to the site denied; assessment from open sources only",
    "fire damage to transformer bays confirmed by the operator",
];

fn place(rng: &mut Rng, term: usize) -> Place {
    let &(name, region, lat, lon) = if term == SEA {
        let i = rng.index(4);
        PLACES.get(12 + i).unwrap_or(&PLACES[0])
    } else {
        rng.pick(PLACES).unwrap_or(&PLACES[0])
    };
    let mut place = Place::named(name).in_region(region);
    if rng.chance(500) {
        let jitter = |r: &mut Rng| (r.below(2_000) as f64 - 1_000.0) / 10_000.0;
        if let Ok(c) = Coordinates::new(lat + jitter(rng), lon + jitter(rng)) {
            place = place.at(c);
        }
    }
    place
}

/// A description of a few hundred characters, in the words of a press statement.
fn description(rng: &mut Rng, term: usize, target: &TargetCategory, place: &str) -> String {
    const OPENERS: &[&str] = &[
        "In the early hours",
        "Shortly after midnight",
        "At about 04:30 local time",
        "During the evening",
        "Around noon",
    ];
    const WEAPONS: &[&str] = &[
        "a group of one-way attack drones",
        "two cruise missiles",
        "artillery fire",
        "a ballistic missile",
        "glide bombs dropped from aircraft",
        "multiple rocket launchers",
    ];
    const DAMAGE: &[&str] = &[
        "causing a fire that burned for several hours",
        "damaging equipment and cutting supply to nearby districts",
        "destroying a building and damaging two others",
        "forcing the facility to halt operations",
        "leaving craters and debris across the site",
    ];
    const CASUALTIES: &[&str] = &[
        "No casualties were reported.",
        "Two workers were injured and taken to hospital.",
        "One civilian was killed and four were injured.",
        "Emergency crews were shelled while putting out the fire.",
    ];
    let what = match (term, target) {
        (SEA, TargetCategory::Port) => "port facilities and grain terminals",
        (SEA, _) => "a civilian cargo vessel under way",
        (PRISONERS, _) => "the agreed exchange of prisoners",
        (_, TargetCategory::PowerGrid) => "an electrical substation",
        (_, TargetCategory::Refinery) => "an oil refinery",
        (_, TargetCategory::PipelineOrStorage) => "a fuel storage depot",
        (_, TargetCategory::HydroelectricDam) => "a hydroelectric plant",
        (_, TargetCategory::Railway) => "a railway junction",
        (_, TargetCategory::MilitaryObjective) => "positions along the line of contact",
        _ => "a residential area",
    };
    let pick = |rng: &mut Rng, items: &[&'static str]| rng.pick(items).copied().unwrap_or("");
    if term == PRISONERS {
        return format!(
            "{}, the other side failed to deliver the {} prisoners listed for the exchange \
             near {place}, contrary to the schedule agreed by the joint commission; families \
             were told the transfer was postponed without a date. {}",
            pick(rng, OPENERS),
            rng.between(20, 175),
            pick(rng, CASUALTIES).replace("casualties were", "incidents were"),
        );
    }
    let mut text = format!(
        "{}, {} struck {} near {place}, {}. {}",
        pick(rng, OPENERS),
        pick(rng, WEAPONS),
        what,
        pick(rng, DAMAGE),
        pick(rng, CASUALTIES),
    );
    if rng.chance(600) {
        text.push_str(&format!(
            " Local authorities reported {} impacts within {} minutes; air defence engaged \
             {} targets over the district. Photographs and the operator's outage log are \
             attached.",
            rng.between(2, 14),
            rng.between(5, 90),
            rng.between(1, 30),
        ));
    }
    if rng.chance(300) {
        text.push_str(
            " The strike came despite the commitment announced by the other side, and \
             repair crews could not reach the site until the following day.",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{EventLog, ExpectedVersion, Store};
    use crate::sanction::EndReason;

    fn share(counts: &BTreeMap<PayloadKind, usize>, kind: PayloadKind, n: usize) -> f64 {
        counts.get(&kind).copied().unwrap_or(0) as f64 / n as f64
    }

    #[test]
    fn logs_replay_strictly_and_have_the_stated_mix() {
        for seed in 1..=5u64 {
            let n = 2_000;
            let records = Workload::new(seed).pace(12).generate(n).expect("generated");
            assert_eq!(records.len(), n);
            let state = crate::replay(&records).expect("strict replay accepts the workload");
            let counts = kinds(&records);
            let alleged = share(&counts, PayloadKind::ViolationAlleged, n);
            let found = share(&counts, PayloadKind::VerificationFinding, n);
            assert!((0.55..0.66).contains(&alleged), "seed {seed}: {alleged}");
            assert!((0.20..0.29).contains(&found), "seed {seed}: {found}");
            for kind in [
                PayloadKind::TermAccepted,
                PayloadKind::AllegationDenied,
                PayloadKind::AllegationCorroborated,
                PayloadKind::AllegationRetracted,
                PayloadKind::AggregateClaimed,
                PayloadKind::ComplianceAttested,
                PayloadKind::ControlChanged,
                PayloadKind::TermSuspended,
                PayloadKind::TermResumed,
                PayloadKind::SanctionImposed,
                PayloadKind::ReliefApproved,
                PayloadKind::SanctionLifted,
            ] {
                assert!(counts.contains_key(&kind), "seed {seed}: no {kind:?}");
            }
            // Decisions fire, some are voided and some relieved; sanctions are lifted.
            let ended = |reason| {
                state
                    .decisions()
                    .iter()
                    .filter(|d| d.ending.as_ref().is_some_and(|e| e.reason == reason))
                    .count()
            };
            assert!(state.decisions().len() > 10, "seed {seed}");
            assert!(ended(EndReason::Voided) > 0, "seed {seed}: none voided");
            assert!(ended(EndReason::Relieved) > 0, "seed {seed}: none relieved");
            assert!(!state.reliefs().is_empty(), "seed {seed}");
            assert!(
                state.impositions().any(|i| i.lifted.is_some()),
                "seed {seed}"
            );
            // Some allegations have several findings; some are reported late.
            assert!(
                state.allegations().any(|a| a.findings.len() > 1),
                "seed {seed}"
            );
            let late = records.iter().any(|r| {
                matches!(r.event.payload, Payload::ViolationAlleged(_))
                    && r.event.recorded_at - r.event.occurred_at.latest() > days(2)
            });
            assert!(late, "seed {seed}: no late report");
        }
    }

    #[test]
    fn relief_approvals_fall_short_of_the_quorum_sometimes() {
        // Over a long, slow log some calms get one approval only: an approval with no other
        // for the same party within ten days, which relief never follows.
        let records = Workload::new(3).pace(4).generate(3_000).expect("generated");
        let state = crate::replay(&records).expect("valid");
        let approvals: Vec<(PartyId, Timestamp)> = records
            .iter()
            .filter_map(|r| match &r.event.payload {
                Payload::ReliefApproved { party } => Some((party.clone(), r.event.recorded_at)),
                _ => None,
            })
            .collect();
        let alone = approvals.iter().filter(|(p, at)| {
            !approvals
                .iter()
                .any(|(q, other)| q == p && other != at && (*other - *at).abs() < days(10))
        });
        let alone: Vec<_> = alone.collect();
        assert!(!alone.is_empty(), "{approvals:?}");
        for (party, at) in alone {
            assert!(
                !state
                    .reliefs()
                    .iter()
                    .any(|g| &g.party == party && g.at >= *at && g.at - *at < days(40)),
                "relief for {party} after a single approval at {at}"
            );
        }
        assert!(state.reliefs().len() >= 2, "{}", state.reliefs().len());
    }

    #[test]
    fn the_default_pace_has_the_mix_and_appends_to_a_store() {
        let n = 3_000;
        let records = Workload::new(11).generate(n).expect("generated");
        let counts = kinds(&records);
        let alleged = share(&counts, PayloadKind::ViolationAlleged, n);
        let found = share(&counts, PayloadKind::VerificationFinding, n);
        assert!((0.55..0.66).contains(&alleged), "{alleged}");
        assert!((0.20..0.29).contains(&found), "{found}");
        let log = EventLog::new();
        for r in &records {
            let seq = log
                .append(ExpectedVersion::Exactly(r.seq.get() - 1), r.event.clone())
                .expect("the store accepts every generated event");
            assert_eq!(seq, r.seq);
        }
        assert_eq!(
            log.state().expect("state"),
            crate::replay(&records).expect("valid")
        );
        // Descriptions have a realistic length.
        let lengths: Vec<usize> = records
            .iter()
            .filter_map(|r| match &r.event.payload {
                Payload::ViolationAlleged(a) => Some(a.description.len()),
                _ => None,
            })
            .collect();
        let mean = lengths.iter().sum::<usize>() / lengths.len().max(1);
        assert!((150..600).contains(&mean), "{mean}");
    }

    #[test]
    fn a_seed_gives_one_log_and_prefixes_agree() {
        let a = Workload::new(5).generate(1_200).expect("generated");
        let b = Workload::new(5).generate(1_200).expect("generated");
        assert_eq!(a, b);
        let shorter = Workload::new(5).generate(700).expect("generated");
        assert_eq!(&a[..700], &shorter[..]);
        let other = Workload::new(6).generate(1_200).expect("generated");
        assert_ne!(a, other);
        let ids: std::collections::BTreeSet<_> = a.iter().map(|r| r.event.id).collect();
        assert_eq!(ids.len(), a.len());
    }

    #[test]
    fn tiny_lengths_are_prefixes() {
        for n in 0..12 {
            let records = Workload::new(1).generate(n).expect("generated");
            assert_eq!(records.len(), n);
            let _ = crate::replay_lenient(&records);
            if n > 0 {
                crate::replay(&records).expect("valid");
            }
        }
    }
}

//! The generator: the agreement's cast, the drawn and scheduled events, and the state that
//! keeps them valid.

use super::text::*;
use super::*;

pub(super) const ENERGY: usize = 0;
pub(super) const SEA: usize = 1;
pub(super) const CEASEFIRE: usize = 2;
pub(super) const PRISONERS: usize = 3;

/// Splitmix64: a small, fast, deterministic sequence (not for secrets).
#[derive(Clone, Debug)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 if `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            // Multiply-shift: unbiased enough for a workload, and no division.
            ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
        }
    }

    /// A number in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    pub(super) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True `per_mille` times in a thousand.
    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }
}

/// The parties and terms, parsed once.
pub(super) struct Cast {
    pub(super) belligerents: [PartyId; 2],
    pub(super) us: PartyId,
    pub(super) tr: PartyId,
    pub(super) monitors: [PartyId; 2],
    pub(super) approvers: [PartyId; 3],
    pub(super) terms: [TermId; 4],
}

impl Cast {
    pub(super) fn new() -> Result<Cast, IdError> {
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
pub(super) struct Made {
    pub(super) id: EventId,
    /// The accuser's index in `belligerents`; the accused is the other.
    pub(super) accuser: usize,
    pub(super) denied: bool,
    pub(super) retracted: bool,
    /// Bit 0: the mediator corroborated it; bit 1: the guarantor.
    pub(super) corroborated: u8,
    pub(super) findings: u8,
    /// Whether its latest finding confirmed it.
    pub(super) confirmed: bool,
}

/// An event due at a time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Action {
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
pub(super) const CALM_EVERY: i64 = 75;
/// How long a calm lasts.
pub(super) const CALM_DAYS: i64 = 40;
/// Allegations that later events may refer to: the most recent ones.
pub(super) const RECENT: usize = 512;
/// Allegations waiting for a first finding (the oldest are dropped: never verified).
pub(super) const PENDING: usize = 4_096;

pub(super) struct Gen {
    pub(super) rng: Rng,
    pub(super) cast: Cast,
    /// Seconds between events, on average.
    pub(super) gap: u64,
    pub(super) clock: Timestamp,
    pub(super) t0: Timestamp,
    /// Until then, allegations concern the maritime truce and the prisoners only, so the
    /// energy moratorium holds and the ceasefire's phase starts.
    pub(super) opening_end: Timestamp,
    pub(super) salt: u128,
    pub(super) state: AgreementState,
    pub(super) records: Vec<Record>,
    pub(super) made: Vec<Made>,
    pub(super) pending: VecDeque<usize>,
    pub(super) found: VecDeque<usize>,
    pub(super) schedule: BTreeMap<(Timestamp, u64), Action>,
    pub(super) scheduled: u64,
    pub(super) calm: [bool; 2],
    pub(super) impositions: [VecDeque<EventId>; 2],
    pub(super) suspended: bool,
    pub(super) suspensions: usize,
}

pub(super) fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

pub(super) fn secs(n: u64) -> TimeDelta {
    TimeDelta::seconds(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Gen {
    pub(super) fn new(w: Workload, n: usize) -> Result<Gen, WorkloadError> {
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

    pub(super) fn at(&mut self, when: Timestamp, action: Action) {
        self.scheduled += 1;
        self.schedule.insert((when, self.scheduled), action);
    }

    pub(super) fn event(
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
    pub(super) fn emit(
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
    pub(super) fn offer(
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

    pub(super) fn run(&mut self, n: usize) -> Result<(), WorkloadError> {
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
    pub(super) fn draw(&mut self, kind: Drawn) -> Result<bool, WorkloadError> {
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

    pub(super) fn act(&mut self, action: Action) -> Result<(), WorkloadError> {
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

    pub(super) fn allegation(&mut self) -> Result<(), WorkloadError> {
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
        let id = self.emit(&author, occurred, Payload::from(allegation))?;
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
    pub(super) fn recent(&mut self, ok: impl Fn(&Made) -> bool) -> Option<usize> {
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

    pub(super) fn finding(&mut self) -> Result<bool, WorkloadError> {
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

    pub(super) fn denial(&mut self) -> Result<bool, WorkloadError> {
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

    pub(super) fn corroboration(&mut self) -> Result<bool, WorkloadError> {
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

    pub(super) fn retraction(&mut self) -> Result<bool, WorkloadError> {
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

    pub(super) fn claim(&mut self) -> Result<(), WorkloadError> {
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

    pub(super) fn attestation(&mut self) -> Result<(), WorkloadError> {
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

    pub(super) fn control_change(&mut self) -> Result<(), WorkloadError> {
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

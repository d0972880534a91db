//! Probes: what the sanction laws add to a log (an allegation with its refutation, or a
//! confirmed violation), where they add it, and the log replayed with it.

use std::collections::BTreeMap;

use crate::agreement::{Confidence, Level, Role, Severity};
use crate::event::{Allegation, Event, Finding, Method, Payload, Place, Record, Verification};
use crate::id::{DecisionId, EventId, PartyId, RuleId, TermId};
use crate::sanction::RuleSet;
use crate::state::{AgreementState, Rejection};
use crate::testing::laws::{Law, LawViolation, fresh, positions};
use crate::testing::sequence::covered;
use crate::time::{Occurred, Span, Timestamp};

/// An allegation the laws add to a log, and what follows it.
pub(super) struct Probe {
    /// The position in the original log before which the events go (`n`: at the end).
    pub(super) at: usize,
    pub(super) events: Vec<Event>,
    /// The accused.
    pub(super) accused: PartyId,
    /// An allegation whose standing the law follows.
    pub(super) watch: Option<EventId>,
    pub(super) what: String,
}

pub(super) fn probe_id(at: Timestamp, tag: u8, position: usize, k: u8) -> EventId {
    let position = u128::from(u32::try_from(position).unwrap_or(u32::MAX));
    EventId::deterministic(
        at,
        0xF0 << 64 | u128::from(tag) << 48 | position << 8 | u128::from(0xF0 | k),
    )
}

/// The bound (term, party) pairs an added allegation may be about at `at`, with the last
/// instant at or before `at` inside the party's obligations: only those that have one, if any
/// do.
pub(super) fn probe_pairs(
    state: &AgreementState,
    at: Timestamp,
) -> Vec<(TermId, PartyId, Option<Timestamp>)> {
    let mut pairs: Vec<(TermId, PartyId, Option<Timestamp>)> = Vec::new();
    for (term, rec) in state.terms() {
        if covered(&rec.term.kind).is_empty() {
            continue;
        }
        for party in &rec.term.binds {
            let inside = state
                .coverage(term, party)
                .windows()
                .iter()
                .rev()
                .filter(|w| w.start <= at)
                .find_map(|w| {
                    let last = match w.end {
                        Some(end) => Span::seconds(1).before(end).min(at),
                        None => at,
                    };
                    (last >= w.start).then_some(last)
                });
            pairs.push((term.clone(), party.clone(), inside));
        }
    }
    if pairs.iter().any(|p| p.2.is_some()) {
        pairs.retain(|p| p.2.is_some());
    }
    pairs
}

/// Logs up to this long are probed at every position with every pair.
pub(super) const EXHAUSTIVE: usize = 12;

/// Where the laws add events, as (position, turn, state before the position): for short logs
/// every position with every pair, so that a counterexample survives the shrinker dropping
/// unrelated events; for longer ones six positions spread over the log, the pair chosen in
/// turn.
pub(super) fn sites(
    law: Law,
    records: &[Record],
    rules: &RuleSet,
) -> Result<Vec<(usize, usize, AgreementState)>, LawViolation> {
    let n = records.len();
    if n <= EXHAUSTIVE {
        let at: Vec<usize> = (1..=n).collect();
        let states = prefixes(law, records, rules, &at)?;
        let mut out = Vec::new();
        for (p, state) in at.into_iter().zip(states) {
            let pairs = probe_pairs(&state, records[p - 1].event.recorded_at).len();
            for turn in 0..pairs {
                out.push((p, turn, state.clone()));
            }
        }
        Ok(out)
    } else {
        let at = positions(n, 6);
        let states = prefixes(law, records, rules, &at)?;
        Ok(at
            .into_iter()
            .zip(states)
            .enumerate()
            .map(|(turn, (p, state))| (p, turn, state))
            .collect())
    }
}

/// An allegation admissible against `state` at `at`, as inside the accused's obligations as
/// the log allows, chosen by `turn` among the bound pairs.
pub(super) fn probe_allegation(
    state: &AgreementState,
    at: Timestamp,
    turn: usize,
    id: EventId,
) -> Option<(Event, PartyId)> {
    let agreement = state.agreement()?;
    let pairs = probe_pairs(state, at);
    if pairs.is_empty() {
        return None;
    }
    let (term, accused, inside) = pairs[turn % pairs.len()].clone();
    let kind = &state.term(&term)?.term.kind;
    let targets = covered(kind);
    let target = targets[turn % targets.len()].clone();
    let accuser = agreement
        .parties
        .iter()
        .filter(|p| p.id != accused)
        .min_by_key(|p| p.role != Role::Belligerent)?
        .id
        .clone();
    let occurred = inside.unwrap_or(at);
    let event = Event::new(
        id,
        accuser,
        Occurred::At(occurred),
        at,
        Payload::from(Allegation {
            accused: accused.clone(),
            term,
            target,
            place: Place::named("added by a law check"),
            severity: Severity::Grave,
            description: "an allegation added by a law check".into(),
            evidence: Vec::new(),
        }),
    );
    Some((event, accused))
}

pub(super) fn monitors(state: &AgreementState) -> Vec<PartyId> {
    state
        .agreement()
        .map(|a| {
            a.parties
                .iter()
                .filter(|p| p.role == Role::Monitor)
                .map(|p| p.id.clone())
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn finding(
    id: EventId,
    monitor: PartyId,
    at: Timestamp,
    allegation: EventId,
    finding: Finding,
) -> Event {
    Event::new(
        id,
        monitor,
        at,
        at,
        Payload::VerificationFinding(Verification {
            allegation,
            finding,
            method: Method::OnSiteObserver,
            confidence: Confidence::percent(100).unwrap_or(Confidence::ZERO),
            notes: "added by a law check".into(),
            target: None,
            place: None,
        }),
    )
}

/// The highest level of the decisions against `party` decided by `at` (a sanction in force,
/// or a notice given whose deadline may still be running) that stand (not stopped, voided or
/// halted) and still rest on violations that count, whether or not relief has since been
/// granted.
pub(super) fn reached(state: &AgreementState, party: &PartyId, at: Timestamp) -> Option<Level> {
    state
        .decisions()
        .iter()
        .filter(|d| &d.party == party && d.stands() && d.decided_at <= at)
        .filter(|d| d.violations.iter().all(|v| state.counts_against(v)))
        .map(|d| d.level_at(at))
        .max()
}

/// Every bound party's coverage of every term: what the log says each party was bound to.
pub(super) fn obligations(state: &AgreementState) -> Vec<(TermId, PartyId, crate::time::Coverage)> {
    let mut out = Vec::new();
    for (term, rec) in state.terms() {
        for party in &rec.term.binds {
            out.push((term.clone(), party.clone(), state.coverage(term, party)));
        }
    }
    out
}

/// How to treat later events the rules refuse once the probe is in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusals {
    /// Every refusal breaks the law.
    Fail,
    /// Enforcement and relief events that no longer fit are adjusted (a sanction recorded for
    /// a decision that no longer exists is recorded on its own) or dropped; only a refusal of
    /// another kind breaks the law. Each adjustment can only keep sanctions in force longer.
    Adjust,
}

/// The log with a probe in it, replayed: decision numbers in later events follow the
/// decisions they meant. `Err` carries the refused event and why.
pub(super) struct Replayed {
    pub(super) state: AgreementState,
    pub(super) records: Vec<Record>,
    pub(super) dropped: Vec<Record>,
    /// Whether the probe's allegation counted from the end of the probe to the end of the log.
    pub(super) steady: bool,
}

pub(super) fn replay_with_probe(
    law: Law,
    records: &[Record],
    original: &AgreementState,
    prefix: &AgreementState,
    probe: &Probe,
    refusals: Refusals,
) -> Result<Replayed, LawViolation> {
    let n = records.len();
    let mut state = prefix.clone();
    let mut out: Vec<Record> = records[..probe.at].to_vec();
    let mut dropped = Vec::new();
    // Decisions made before the probe keep their numbers.
    let mut map: BTreeMap<DecisionId, DecisionId> =
        prefix.decisions().iter().map(|d| (d.id, d.id)).collect();
    // The original decisions by (rule, party, trigger, rank among those).
    let mut originals: BTreeMap<(RuleId, PartyId, EventId, usize), DecisionId> = BTreeMap::new();
    let mut rank: BTreeMap<(RuleId, PartyId, EventId), usize> = BTreeMap::new();
    for d in original.decisions() {
        let k = rank
            .entry((d.rule.clone(), d.party.clone(), d.trigger))
            .or_default();
        originals.insert((d.rule.clone(), d.party.clone(), d.trigger, *k), d.id);
        *k += 1;
    }
    for e in &probe.events {
        let record = Record::new(state.next_seq(), e.clone());
        if let Err(reason) = state.apply(&record) {
            return Err(LawViolation::new(
                law,
                format!("the law could not add {}: {reason}", probe.what),
                vec![record],
                n,
            ));
        }
        out.push(record);
    }
    let counts = |state: &AgreementState| probe.watch.is_none_or(|w| state.counts_against(&w));
    let mut steady = counts(&state);
    for r in &records[probe.at..] {
        let mut event = r.event.clone();
        remap(&mut event.payload, &map);
        let record = Record::new(state.next_seq(), event);
        let result = match state.apply(&record) {
            Err(reason) if refusals == Refusals::Adjust => adjust(&mut state, &record, reason),
            other => other.map(Some),
        };
        match result {
            Ok(Some(applied)) => {
                let mut seen: BTreeMap<(RuleId, PartyId), usize> = BTreeMap::new();
                for id in applied.decided {
                    let Some(d) = state.decision(id) else {
                        continue;
                    };
                    let k = seen.entry((d.rule.clone(), d.party.clone())).or_default();
                    if let Some(orig) =
                        originals.get(&(d.rule.clone(), d.party.clone(), r.event.id, *k))
                    {
                        map.insert(*orig, id);
                    }
                    *k += 1;
                }
                out.push(record);
                steady = steady && counts(&state);
            }
            Ok(None) => dropped.push(record),
            Err(reason) => {
                let mut events: Vec<Record> = out[probe.at..probe.at + probe.events.len()].to_vec();
                events.push(record);
                return Err(LawViolation::new(
                    law,
                    format!(
                        "once {} is in the log, a later event is refused: {reason}",
                        probe.what
                    ),
                    events,
                    n,
                ));
            }
        }
    }
    Ok(Replayed {
        state,
        records: out,
        dropped,
        steady,
    })
}

/// Rewrites decision numbers in an event to the numbers the same decisions have now.
pub(super) fn remap(payload: &mut Payload, map: &BTreeMap<DecisionId, DecisionId>) {
    match payload {
        Payload::SanctionImposed {
            decision: Some(d), ..
        }
        | Payload::ProcedureHalted { decision: d, .. } => {
            if let Some(now) = map.get(d) {
                *d = *now;
            }
        }
        _ => {}
    }
}

/// Under [`Refusals::Adjust`]: `Ok(None)` to drop the event, `Ok(Some(_))` if an adjusted
/// event was applied, `Err` if the refusal breaks the law.
pub(super) fn adjust(
    state: &mut AgreementState,
    record: &Record,
    reason: Rejection,
) -> Result<Option<crate::state::Applied>, Rejection> {
    match &record.event.payload {
        Payload::SanctionImposed {
            against,
            level,
            decision: Some(_),
            measures,
        } => {
            let mut event = record.event.clone();
            event.payload = Payload::SanctionImposed {
                against: against.clone(),
                level: *level,
                decision: None,
                measures: measures.clone(),
            };
            state.apply(&Record::new(record.seq, event)).map(Some)
        }
        Payload::ReliefApproved { .. }
        | Payload::SanctionLifted { .. }
        | Payload::ProcedureHalted { .. } => Ok(None),
        _ => Err(reason),
    }
}

/// States after each prefix at `positions` (ascending), replaying once.
pub(super) fn prefixes(
    law: Law,
    records: &[Record],
    rules: &RuleSet,
    at: &[usize],
) -> Result<Vec<AgreementState>, LawViolation> {
    let mut state = fresh(law, rules, records.len())?;
    let mut out = Vec::new();
    let mut applied = 0;
    for &p in at {
        while applied < p {
            let _ = state.apply(&records[applied]);
            applied += 1;
        }
        out.push(state.clone());
    }
    Ok(out)
}

//! Laws about sanctions: confirmed violations, discounted allegations, escalation.

use std::collections::BTreeMap;

use crate::agreement::{Confidence, Level, Role, Severity};
use crate::allegation::VerificationStatus;
use crate::event::{Allegation, Event, Finding, Method, Payload, Place, Record, Verification};
use crate::id::{DecisionId, EventId, PartyId, RuleId, Seq, TermId};
use crate::sanction::RuleSet;
use crate::state::{AgreementState, Rejection};
use crate::testing::laws::{
    Law, LawViolation, Outcome, about, by_id, fresh, positions, replay_all, summary,
};
use crate::testing::log::tag;
use crate::testing::sequence::covered;
use crate::time::{Occurred, Span, Timestamp};

/// Every decision any rule makes (the policy's and the downstream ones) cites only allegations
/// against the decision's party whose status is [`VerificationStatus::Confirmed`] when the
/// decision is made. The engine itself only requires cited allegations to *stand* (not refuted
/// or retracted, inside the accused's obligations), so a rule that fires on mere allegations,
/// or a threshold rule whose evidence standard is `Alleged` or `Corroborated`, breaks this law.
///
/// # Errors
/// A [`LawViolation`] naming the decision, its rule, the allegation that was not confirmed,
/// with the events about that allegation and the event that triggered the decision.
pub fn sanctions_need_confirmed_violations(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::SanctionsNeedConfirmedViolations;
    let n = records.len();
    let mut state = fresh(LAW, rules, n)?;
    for r in records {
        let applied = state.apply(r).map_err(|e| {
            LawViolation::new(
                LAW,
                format!("the log itself is refused at {}: {e}", r.seq),
                vec![r.clone()],
                n,
            )
        })?;
        for id in applied.decided {
            let Some(d) = state.decision(id) else {
                continue;
            };
            for v in &d.violations {
                let status = state
                    .allegation(v)
                    .map(|a| (a.status(), a.accused().clone()));
                let problem = match status {
                    Some((VerificationStatus::Confirmed, accused)) if accused == d.party => {
                        continue;
                    }
                    Some((VerificationStatus::Confirmed, accused)) => format!(
                        "decision {} by rule {} sanctions {} at {}, citing allegation {} against \
                         {accused}",
                        d.id,
                        d.rule,
                        d.party,
                        d.level,
                        tag(v)
                    ),
                    Some((status, _)) => format!(
                        "decision {} by rule {} sanctions {} at {}, citing allegation {} which is \
                         {status}, not confirmed, when the decision is made at {}",
                        d.id,
                        d.rule,
                        d.party,
                        d.level,
                        tag(v),
                        r.seq
                    ),
                    None => format!(
                        "decision {} by rule {} cites {}, which is not an allegation",
                        d.id,
                        d.rule,
                        tag(v)
                    ),
                };
                let mut events = about(&records[..=index_of(records, r)], v);
                if !events.iter().any(|e| e.event.id == r.event.id) {
                    events.push(r.clone());
                }
                return Err(LawViolation::new(LAW, problem, events, n));
            }
        }
    }
    Ok(())
}

fn index_of(records: &[Record], r: &Record) -> usize {
    records
        .iter()
        .position(|x| x.event.id == r.event.id)
        .unwrap_or(records.len().saturating_sub(1))
}

/// What is compared about a standing decision.
type Standing = (PartyId, RuleId, Level, Vec<EventId>, Timestamp);

fn standing(state: &AgreementState) -> Vec<Standing> {
    let mut out: Vec<Standing> = state
        .decisions()
        .iter()
        .filter(|d| d.stands())
        .map(|d| {
            (
                d.party.clone(),
                d.rule.clone(),
                d.level,
                d.violations.clone(),
                d.decided_at,
            )
        })
        .collect();
    out.sort();
    out
}

fn show(s: &Standing) -> String {
    let cited: Vec<String> = s.3.iter().map(tag).collect();
    format!(
        "{} by {} against {} citing [{}], decided {}",
        s.2,
        s.1,
        s.0,
        cited.join(", "),
        s.4.format("%Y-%m-%d %H:%M")
    )
}

/// An allegation the laws add to a log, and what follows it.
struct Probe {
    /// The position in the original log before which the events go (`n`: at the end).
    at: usize,
    events: Vec<Event>,
    /// The accused.
    accused: PartyId,
    /// An allegation whose standing the law follows.
    watch: Option<EventId>,
    what: String,
}

fn probe_id(at: Timestamp, tag: u8, position: usize, k: u8) -> EventId {
    let mut tail = [0u8; 10];
    tail[0] = 0xF0;
    tail[1] = tag;
    tail[5..9].copy_from_slice(&u32::try_from(position).unwrap_or(u32::MAX).to_be_bytes());
    tail[9] = 0xF0 | k;
    EventId::from_parts(at, tail)
}

/// The bound (term, party) pairs an added allegation may be about at `at`, with the last
/// instant at or before `at` inside the party's obligations: only those that have one, if any
/// do.
fn probe_pairs(state: &AgreementState, at: Timestamp) -> Vec<(TermId, PartyId, Option<Timestamp>)> {
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
const EXHAUSTIVE: usize = 12;

/// Where the laws add events, as (position, turn, state before the position): for short logs
/// every position with every pair, so that a counterexample survives the shrinker dropping
/// unrelated events; for longer ones six positions spread over the log, the pair chosen in
/// turn.
fn sites(
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
fn probe_allegation(
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
        Payload::ViolationAlleged(Allegation {
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

fn monitors(state: &AgreementState) -> Vec<PartyId> {
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

fn finding(
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
        }),
    )
}

/// The highest level of the decisions against `party` that have taken effect by `at`, stand
/// (not stopped, voided or halted) and still rest on violations that count, whether or not
/// relief has since been granted.
fn reached(state: &AgreementState, party: &PartyId, at: Timestamp) -> Option<Level> {
    state
        .decisions()
        .iter()
        .filter(|d| &d.party == party && d.stands() && d.effective_at.is_some_and(|e| e <= at))
        .filter(|d| d.violations.iter().all(|v| state.counts_against(v)))
        .map(|d| d.level_at(at))
        .max()
}

/// Every bound party's coverage of every term: what the log says each party was bound to.
fn obligations(state: &AgreementState) -> Vec<(TermId, PartyId, crate::time::Coverage)> {
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
enum Refusals {
    /// Every refusal breaks the law.
    Fail,
    /// Enforcement and relief events that no longer fit are adjusted (a sanction recorded for
    /// a decision that no longer exists is recorded on its own) or dropped; only a refusal of
    /// another kind breaks the law. Each adjustment can only keep sanctions in force longer.
    Adjust,
}

/// The log with a probe in it, replayed: decision numbers in later events follow the
/// decisions they meant. `Err` carries the refused event and why.
struct Replayed {
    state: AgreementState,
    records: Vec<Record>,
    dropped: Vec<Record>,
    /// Whether the probe's allegation counted from the end of the probe to the end of the log.
    steady: bool,
}

fn replay_with_probe(
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
fn remap(payload: &mut Payload, map: &BTreeMap<DecisionId, DecisionId>) {
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
fn adjust(
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
fn prefixes(
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

/// Adding an allegation that is refused standing at once (refuted by a monitor in the next
/// event, or retracted by its reporter) never changes the decisions that stand at the end:
/// same parties, rules, levels, cited violations and decision times. A decision made on the
/// added allegation and voided by its refutation does not stand, so it does not count.
///
/// The law adds such a pair (recorded at the time of the event before, occurring inside the
/// accused's obligations where possible) in both variants when the agreement has a monitor:
/// in a log of up to 12 records at every position against every bound party of every term,
/// so that a counterexample survives shrinking; in a longer log at six positions spread over
/// it, against a party chosen in turn. Later events that name decisions by number are
/// renumbered to follow the decisions they meant.
///
/// # Errors
/// A [`LawViolation`] with the added events, the standing decisions that differ, and the
/// events that triggered them.
pub fn discounted_allegations_change_nothing(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::DiscountedAllegationsChangeNothing;
    let n = records.len();
    let original = replay_all(LAW, records, rules)?;
    let expected = standing(&original);
    for (p, turn, prefix) in sites(LAW, records, rules)? {
        let (p, prefix) = (&p, &prefix);
        let time = records[p - 1].event.recorded_at;
        let alleged = probe_id(time, 1, *p, 0);
        let Some((allegation, accused)) = probe_allegation(prefix, time, turn, alleged) else {
            continue;
        };
        let mut variants = Vec::new();
        if let Some(m) = monitors(prefix).get(turn % monitors(prefix).len().max(1)) {
            variants.push((
                finding(
                    probe_id(time, 1, *p, 1),
                    m.clone(),
                    time,
                    alleged,
                    Finding::Refuted,
                ),
                "refuted",
            ));
        }
        variants.push((
            Event::new(
                probe_id(time, 1, *p, 2),
                allegation.author.clone(),
                time,
                time,
                Payload::AllegationRetracted {
                    allegation: alleged,
                    reason: "added by a law check".into(),
                },
            ),
            "retracted",
        ));
        for (follow, how) in variants {
            let probe = Probe {
                at: *p,
                events: vec![allegation.clone(), follow],
                accused: accused.clone(),
                watch: None,
                what: format!(
                    "an allegation against {accused} {how} at once (before {})",
                    Seq(*p as u64 + 1)
                ),
            };
            let replayed =
                replay_with_probe(LAW, records, &original, prefix, &probe, Refusals::Fail)?;
            let got = standing(&replayed.state);
            if got != expected {
                let only_with: Vec<String> = got
                    .iter()
                    .filter(|s| !expected.contains(s))
                    .map(show)
                    .collect();
                let only_without: Vec<String> = expected
                    .iter()
                    .filter(|s| !got.contains(s))
                    .map(show)
                    .collect();
                let mut events: Vec<Record> =
                    replayed.records[*p..*p + probe.events.len()].to_vec();
                for d in replayed
                    .state
                    .decisions()
                    .iter()
                    .chain(original.decisions())
                {
                    let key = (
                        d.party.clone(),
                        d.rule.clone(),
                        d.level,
                        d.violations.clone(),
                        d.decided_at,
                    );
                    let differs = d.stands() && (got.contains(&key) != expected.contains(&key));
                    if differs
                        && let Some(t) = by_id(&replayed.records, &d.trigger)
                        && !events.iter().any(|e| e.event.id == t.event.id)
                    {
                        events.push(t.clone());
                    }
                }
                events.sort_by_key(|r| r.seq);
                return Err(LawViolation::new(
                    LAW,
                    format!(
                        "with {} the standing decisions change.\n  only with it: {}\n  only \
                         without it: {}",
                        probe.what,
                        if only_with.is_empty() {
                            "none".into()
                        } else {
                            only_with.join("; ")
                        },
                        if only_without.is_empty() {
                            "none".into()
                        } else {
                            only_without.join("; ")
                        },
                    ),
                    events,
                    n,
                ));
            }
        }
    }
    Ok(())
}

/// Adding a confirmed violation never lowers the escalation level its party reaches: the
/// highest level of the decisions against it that have taken effect by the time of the last
/// record and still rest on violations that count (not stopped, voided or halted).
///
/// Relief is left out on purpose: a decision that relief ended still counts, as long as its
/// violations do. With an extra violation a sanction may come earlier, so its compliance
/// period ends earlier and relief may already have lifted it at the end of the log where,
/// without the violation, a later sanction would still be in force; or the extra violation
/// restarts the compliance period, so a decision whose violation is later refuted is voided
/// instead of having been relieved first. That is the relief policy's timing, not a lower
/// escalation, so [`AgreementState::escalation_level`] (which drops relieved sanctions) is
/// not the measure.
///
/// The added violation must be one more violation that counts, all else equal: it must count
/// against its party from its confirmation to the end of the log, and leave every party's
/// obligations as they were. Other cases are left out, because phases make them change who is
/// bound rather than how many violations there are: a violation of a phase confirmed during
/// the days a later phase waits on it ([`crate::agreement::Activation::AfterHeld`]) means
/// that the later phase never starts, so what would have violated it is no violation.
///
/// The law confirms allegations already in the log that are not confirmed (by a monitor, at
/// the end of the log), and adds a new allegation confirmed at once where
/// [`discounted_allegations_change_nothing`] adds its pairs. Once a violation is added, later events that name decisions follow
/// the decisions they meant; relief approvals, lifts and halts the rules then refuse are
/// dropped, and a sanction recorded for a decision that no longer exists is recorded on its
/// own: each such adjustment can only keep sanctions in force longer. Without a monitor in the
/// agreement there is nothing to confirm and the law holds trivially.
///
/// # Errors
/// A [`LawViolation`] with the added events and the two levels.
pub fn confirmations_never_lower_escalation(records: &[Record], rules: &RuleSet) -> Outcome {
    const LAW: Law = Law::ConfirmationsNeverLowerEscalation;
    let n = records.len();
    let original = replay_all(LAW, records, rules)?;
    let ms = monitors(&original);
    let (Some(last), false) = (records.last(), ms.is_empty()) else {
        return Ok(());
    };
    let end = last.event.recorded_at;
    let mut probes: Vec<(Probe, usize)> = Vec::new();
    // Confirm open allegations at the end: the first and the last that are not confirmed.
    let open: Vec<(EventId, PartyId)> = original
        .allegations()
        .filter(|a| {
            matches!(
                a.status(),
                VerificationStatus::Alleged
                    | VerificationStatus::Disputed
                    | VerificationStatus::Inconclusive
            )
        })
        .map(|a| (a.id, a.accused().clone()))
        .collect();
    let mut chosen = open
        .first()
        .into_iter()
        .chain(open.last())
        .cloned()
        .collect::<Vec<_>>();
    chosen.dedup();
    for (k, (id, accused)) in chosen.into_iter().enumerate() {
        let m = ms[k % ms.len()].clone();
        probes.push((
            Probe {
                at: n,
                events: vec![finding(
                    probe_id(end, 2, n, u8::try_from(k).unwrap_or(0)),
                    m,
                    end,
                    id,
                    Finding::Confirmed,
                )],
                what: format!(
                    "a confirmation of allegation {} against {accused} at the end",
                    tag(&id)
                ),
                accused,
                watch: Some(id),
            },
            n,
        ));
    }
    // New allegations, confirmed at once, where the sites are.
    let mut prefix_at: BTreeMap<usize, AgreementState> = BTreeMap::new();
    for (p, turn, prefix) in sites(LAW, records, rules)? {
        let p = &p;
        let time = records[p - 1].event.recorded_at;
        let alleged = probe_id(time, 3, *p, 0);
        if let Some((allegation, accused)) = probe_allegation(&prefix, time, turn, alleged) {
            let m = ms[turn % ms.len()].clone();
            probes.push((
                Probe {
                    at: *p,
                    events: vec![
                        allegation,
                        finding(
                            probe_id(time, 3, *p, 1),
                            m,
                            time,
                            alleged,
                            Finding::Confirmed,
                        ),
                    ],
                    what: format!(
                        "a violation by {accused} confirmed at once (before {})",
                        Seq(*p as u64 + 1)
                    ),
                    accused,
                    watch: Some(alleged),
                },
                *p,
            ));
        }
        prefix_at.insert(*p, prefix);
    }
    for (probe, p) in probes {
        let prefix = match prefix_at.get(&p) {
            Some(s) => s.clone(),
            None => original.clone(),
        };
        let replayed =
            replay_with_probe(LAW, records, &original, &prefix, &probe, Refusals::Adjust)?;
        if !replayed.steady || obligations(&replayed.state) != obligations(&original) {
            // Not one more violation that counts, all else equal: the added violation stopped
            // counting at some point (a later phase it violated was cancelled, a window moved),
            // or it broke the hold of an earlier phase so that a later phase never starts and
            // what violated that phase stops counting. That changes who is bound, not only how
            // many violations there are.
            continue;
        }
        let before = reached(&original, &probe.accused, end);
        let after = reached(&replayed.state, &probe.accused, end);
        if after < before {
            let mut events: Vec<Record> = replayed.records[p..p + probe.events.len()].to_vec();
            for d in original
                .decisions()
                .iter()
                .chain(replayed.state.decisions())
            {
                if d.party == probe.accused
                    && let Some(t) = by_id(&replayed.records, &d.trigger)
                    && !events.iter().any(|e| e.event.id == t.event.id)
                {
                    events.push(t.clone());
                }
            }
            events.sort_by_key(|r| r.seq);
            let level =
                |l: Option<Level>| l.map_or_else(|| "no sanction".to_string(), |l| l.to_string());
            let mut problem = format!(
                "with {} the escalation level {} reaches by {} falls from {} to {}.\n  \
                 decisions without it: {}\n  decisions with it: {}",
                probe.what,
                probe.accused,
                end.format("%Y-%m-%d %H:%M"),
                level(before),
                level(after),
                summary(original.decisions()),
                summary(replayed.state.decisions()),
            );
            if !replayed.dropped.is_empty() {
                problem.push_str(&format!(
                    "\n  later events dropped because the rules refused them: {}",
                    replayed
                        .dropped
                        .iter()
                        .map(|r| tag(&r.event.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            return Err(LawViolation::new(LAW, problem, events, n));
        }
    }
    Ok(())
}

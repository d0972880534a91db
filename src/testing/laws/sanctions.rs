//! Laws about sanctions: confirmed violations, discounted allegations, escalation.

use std::collections::BTreeMap;

use crate::agreement::Level;
use crate::allegation::VerificationStatus;
use crate::event::{Event, Finding, Payload, Record};
use crate::id::{EventId, PartyId, RuleId, Seq};
use crate::sanction::RuleSet;
use crate::state::AgreementState;
use crate::testing::laws::probe::{
    Probe, Refusals, finding, monitors, obligations, probe_allegation, probe_id, reached,
    replay_with_probe, sites,
};
use crate::testing::laws::{Law, LawViolation, Outcome, about, by_id, fresh, replay_all, summary};
use crate::testing::log::tag;
use crate::time::Timestamp;

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
/// highest level of the decisions against it decided by the time of the last record (in force,
/// or noticed with a deadline still running) that still rest on violations that count (not
/// stopped, voided or halted).
///
/// The rung reached is compared, not when a sanction takes effect. Under a notice-and-deadline
/// procedure, withdrawing (retracting or refuting) a cited violation during the dispute window
/// stops the notice, and the rule gives a new notice with a new deadline if the threshold is
/// still met. An extra violation can change which violations the earliest window cites, and so
/// whether a later withdrawal stops a notice: the same rung is reached, and its sanction may
/// take effect later. Found by this law on generated logs; left as the procedure's timing.
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

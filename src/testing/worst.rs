//! Pathological but valid agreements and logs: the worst cases replay is bounded against.
//!
//! Each generator builds an agreement within [`Agreement::LIMITS`] and a valid log for it, sized
//! by its arguments, so a test can grow the log and check that the cost of one event does not
//! grow with it ([`crate::AgreementState::work`] counts the cost), and a benchmark can run the
//! shapes at the limits. The three shapes:
//!
//! | generator | shape |
//! |---|---|
//! | [`phase_chain`] | many belligerents, a chain of general ceasefires each starting after the previous one has held a day (per-party clocks), many threshold rules; everybody accepts everything, then allegations against one party are confirmed |
//! | [`phase_star`] | many belligerents, one root term and every other term starting after it has held; then binding acceptances of the root |
//! | [`rules_suspensions`] | one term, many threshold rules counting bare allegations, allegations, then suspensions and resumptions dated back to the start |
//!
//! ```
//! use ceasefire::testing::worst;
//!
//! let log = worst::rules_suspensions(4, 3, 2);
//! let state = ceasefire::replay(log.records()).expect("a valid log");
//! assert_eq!(state.allegations().count(), 3);
//! ```

use crate::agreement::{
    Activation, Agreement, Confidence, EvidenceStandard, Party, Role, SanctionPolicy,
    TargetCategory, Term, TermKind, ThresholdRule,
};
use crate::testing::{Events, Log, fixtures};
use crate::time::{Span, Timestamp};

const MEDIATOR: &str = "MED";
const MONITOR: &str = "MON";

fn belligerent(i: usize) -> String {
    format!("B{i:03}")
}

fn rfc3339(at: Timestamp) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn ceasefire(id: &str, binds: usize) -> Term {
    Term::new(
        fixtures::term(id),
        format!("general ceasefire {id}"),
        TermKind::GeneralCeasefire { area: None },
    )
    .binding((0..binds).map(|i| fixtures::party(&belligerent(i))))
}

fn parties(agreement: Agreement, belligerents: usize) -> Agreement {
    let mut a = agreement
        .party(Party::new(
            fixtures::party(MEDIATOR),
            Role::Mediator,
            "mediator",
        ))
        .party(Party::new(
            fixtures::party(MONITOR),
            Role::Monitor,
            "monitor",
        ));
    for i in 0..belligerents {
        let id = belligerent(i);
        a = a.party(Party::new(fixtures::party(&id), Role::Belligerent, id));
    }
    a
}

/// `rules` threshold rules over every term, with thresholds 2, 3, ... and windows of 1 to 30
/// days, counting allegations to `evidence`.
fn policy(rules: usize, evidence: EvidenceStandard) -> SanctionPolicy {
    let mut policy = SanctionPolicy::new();
    for i in 0..rules {
        let threshold = u32::try_from(2 + i % 5).unwrap_or(2);
        let window = Span::days(1 + (i as u64 * 7) % 30);
        policy = policy.rule(
            ThresholdRule::new(fixtures::rule(&format!("r{i:02}")), threshold, window)
                .evidence(evidence),
        );
    }
    policy
}

/// The phase chain: `belligerents` belligerents (plus a mediator and a monitor), `phases`
/// general ceasefires with per-party clocks, the first starting on acceptance and each other
/// one day after the previous has held, and `rules` threshold rules over every term. Every
/// belligerent accepts every term bindingly (`belligerents × phases` records); then, once every
/// phase is in force, `allegations` allegations against the first belligerent, spread over the
/// phases, each followed by a monitor's confirmation.
///
/// With 200 belligerents, 16 phases, 64 rules and 20 allegations this is the 3,241-record log
/// of issue 10.
///
/// # Panics
/// If the sizes exceed [`Agreement::LIMITS`] (the generated agreement would not validate).
#[must_use]
pub fn phase_chain(belligerents: usize, phases: usize, rules: usize, allegations: usize) -> Log {
    let mut agreement = parties(Agreement::new("phase chain"), belligerents);
    for k in 0..phases {
        let mut term = ceasefire(&format!("g{k:02}"), belligerents).per_party();
        if k > 0 {
            term = term.activation(Activation::AfterHeld {
                term: fixtures::term(&format!("g{:02}", k - 1)),
                days: 1,
            });
        }
        agreement = agreement.term(term);
    }
    agreement = agreement.policy(policy(
        rules,
        EvidenceStandard::Confirmed {
            monitors: 1,
            min_confidence: Confidence::ZERO,
        },
    ));
    assert_eq!(
        agreement.validate(),
        Ok(()),
        "phase_chain: sizes within limits"
    );
    let mut e = Events::new();
    let mut events = vec![e.genesis(agreement)];
    for k in 0..phases {
        for i in 0..belligerents {
            e.after(Span::seconds(1));
            events.push(e.by(&belligerent(i)).accepts(&format!("g{k:02}")));
        }
    }
    let accused = belligerent(0);
    let accuser = belligerent(1.min(belligerents.saturating_sub(1)));
    e.after(Span::days(phases as u64 + 2));
    for n in 0..allegations {
        e.after(Span::hours(1));
        let term = format!("g{:02}", n % phases.max(1));
        let alleged = e
            .by(&accuser)
            .alleges(&accused, &term, TargetCategory::CivilianSite);
        e.after(Span::seconds(1));
        let confirmed = e.by(MONITOR).confirms(alleged.id);
        events.push(alleged);
        events.push(confirmed);
    }
    Log::from_events(events)
}

/// The phase star: `belligerents` belligerents (plus a mediator and a monitor), `terms` general
/// ceasefires binding all of them (a common clock), the first on acceptance and every other
/// one after the first has held a day; then `acceptances` binding acceptances of the first.
///
/// With 254 belligerents, 256 terms and 98 acceptances this is the 99-record log of issue 15.
///
/// # Panics
/// If the sizes exceed [`Agreement::LIMITS`].
#[must_use]
pub fn phase_star(belligerents: usize, terms: usize, acceptances: usize) -> Log {
    let mut agreement = parties(Agreement::new("phase star"), belligerents);
    for k in 0..terms {
        let mut term = ceasefire(&format!("s{k:03}"), belligerents);
        if k > 0 {
            term = term.activation(Activation::AfterHeld {
                term: fixtures::term("s000"),
                days: 1,
            });
        }
        agreement = agreement.term(term);
    }
    assert_eq!(
        agreement.validate(),
        Ok(()),
        "phase_star: sizes within limits"
    );
    let mut e = Events::new();
    let mut events = vec![e.genesis(agreement)];
    for i in 0..acceptances.min(belligerents) {
        e.after(Span::seconds(1));
        events.push(e.by(&belligerent(i)).accepts("s000"));
    }
    Log::from_events(events)
}

/// Rules × suspensions: two belligerents and a mediator, one general ceasefire both accept,
/// `rules` threshold rules counting bare allegations, `allegations` allegations by one against
/// the other, then `toggles` events alternating a suspension and a resumption of the term,
/// each dated back to the moment the term started (so each one changes the standing of every
/// allegation).
///
/// With 64 rules, 40 allegations and 56 toggles this is the 99-record log of issue 15.
///
/// # Panics
/// If the sizes exceed [`Agreement::LIMITS`].
#[must_use]
pub fn rules_suspensions(rules: usize, allegations: usize, toggles: usize) -> Log {
    let agreement = Agreement::new("rules and suspensions")
        .party(Party::new(
            fixtures::party(MEDIATOR),
            Role::Mediator,
            "mediator",
        ))
        .party(Party::new(
            fixtures::party(&belligerent(0)),
            Role::Belligerent,
            "first",
        ))
        .party(Party::new(
            fixtures::party(&belligerent(1)),
            Role::Belligerent,
            "second",
        ))
        .term(ceasefire("t", 2))
        .policy(policy(rules, EvidenceStandard::Alleged));
    assert_eq!(
        agreement.validate(),
        Ok(()),
        "rules_suspensions: within limits"
    );
    let mut e = Events::new();
    let mut events = vec![e.genesis(agreement)];
    events.push(e.by(&belligerent(0)).accepts("t"));
    events.push(e.by(&belligerent(1)).accepts("t"));
    let start = rfc3339(e.now());
    for _ in 0..allegations {
        e.after(Span::hours(2));
        events.push(e.by(&belligerent(0)).alleges(
            &belligerent(1),
            "t",
            TargetCategory::CivilianSite,
        ));
    }
    for n in 0..toggles {
        e.after(Span::hours(1));
        e.by(MEDIATOR).occurred(&start);
        events.push(if n % 2 == 0 {
            e.suspends("t")
        } else {
            e.resumes("t")
        });
    }
    Log::from_events(events)
}

/// The documented bound on the work ([`crate::AgreementState::work`]) of applying one event
/// to a state of `agreement` holding `allegations` allegations and `decisions` decisions, with
/// no downstream rules (docs/performance.md, "Worst cases"):
///
/// ```text
/// 16 + T·(P·(S + 2) + C + 5·S + T + 6) + P·(P + 2) + (R + 1)·(2·A + 1)·(A + 1)² + 2·D·(A + 4)
/// ```
///
/// with `P` parties, `T` terms, `R` rules, `C` and `S` the limits on conditions and
/// suspensions per term, `A` allegations and `D` decisions. The allegation and decision
/// terms stand for what one event can change (the allegations near an instant where an
/// obligation window moved, the violations a rule reads in one window, the decisions an
/// event ends); they are the log's contents only in the worst case, and the cost tests check
/// that for the pathological shapes the work of one event does not grow with the log.
#[must_use]
pub fn bound(agreement: &Agreement, allegations: usize, decisions: usize) -> u64 {
    let w = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let (p, t, r) = (
        w(agreement.parties.len()),
        w(agreement.terms.len()),
        w(agreement.policy.rules.len()),
    );
    let (c, s) = (
        w(Agreement::LIMITS.conditions),
        w(Agreement::LIMITS.suspensions),
    );
    let (a, d) = (w(allegations), w(decisions));
    let terms = t.saturating_mul(
        p.saturating_mul(s + 2)
            .saturating_add(c + 5 * s)
            .saturating_add(t + 6),
    );
    let parties = p.saturating_mul(p + 2);
    let rules = (r + 1)
        .saturating_mul(2 * a + 1)
        .saturating_mul((a + 1).saturating_mul(a + 1));
    let ended = 2u64.saturating_mul(d).saturating_mul(a + 4);
    16u64
        .saturating_add(terms)
        .saturating_add(parties)
        .saturating_add(rules)
        .saturating_add(ended)
}

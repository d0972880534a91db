//! The workload's own checks.

use super::generate::days;
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

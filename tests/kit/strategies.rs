//! The value strategies are tested: agreements always validate and cover every term kind,
//! single events cover every payload kind and survive serialization, ids are valid.

#![cfg(feature = "proptest")]

use std::collections::BTreeSet;

use ceasefire::agreement::{Activation, ObligationClock, Role, TermKind};
use ceasefire::event::PayloadKind;
use ceasefire::testing::{fixtures, proptest_config, strategy};
use ceasefire::{Event, PartyId};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

proptest! {
    #![proptest_config(proptest_config(128))]

    #[test]
    fn agreements_validate(agreement in strategy::agreement()) {
        prop_assert_eq!(agreement.validate(), Ok(()));
    }

    #[test]
    fn ids_are_valid_and_round_trip(id in strategy::party_id()) {
        let json = serde_json::to_string(&id).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: PartyId = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, id);
    }

    #[test]
    fn single_events_round_trip_through_json(event in strategy::event(&fixtures::energy_truce())) {
        let json = serde_json::to_string(&event).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Event = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, event);
    }

    /// Generated parties read back from JSON and by their id's text, and every generated
    /// term kind passes the agreement's own check of a term (a moratorium covers something).
    #[test]
    fn generated_parties_and_term_kinds_are_valid(party in strategy::party(), kind in strategy::term_kind()) {
        let json = serde_json::to_string(&party).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: ceasefire::agreement::Party =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &party);
        prop_assert_eq!(party.id.as_str().parse::<ceasefire::PartyId>().ok(), Some(party.id.clone()));
        let agreement = ceasefire::Agreement::new("generated").party(party.clone());
        let term = ceasefire::agreement::Term::new(
            ceasefire::TermId::new("t").map_err(|e| TestCaseError::fail(e.to_string()))?,
            "generated",
            kind,
        )
        .binding([&party.id]);
        prop_assert_eq!(agreement.check_term(&term), Ok(()));
    }
}

fn sample<S: Strategy>(strategy: &S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

#[test]
fn agreements_cover_every_term_kind_activation_clock_and_role() {
    let agreements = sample(&strategy::agreement(), 300);
    let kinds: BTreeSet<&str> = agreements
        .iter()
        .flat_map(|a| a.terms.iter().map(|t| t.kind.label()))
        .collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let activations: BTreeSet<u8> = agreements
        .iter()
        .flat_map(|a| a.terms.iter())
        .map(|t| match t.activation {
            Activation::OnAcceptance => 0,
            Activation::At(_) => 1,
            Activation::AfterHeld { .. } => 2,
            _ => 3,
        })
        .collect();
    assert_eq!(activations.len(), 3);
    let clocks: BTreeSet<bool> = agreements
        .iter()
        .flat_map(|a| a.terms.iter())
        .map(|t| t.clock == ObligationClock::PerParty)
        .collect();
    assert_eq!(clocks.len(), 2);
    let roles: BTreeSet<Role> = agreements
        .iter()
        .flat_map(|a| a.parties.iter().map(|p| p.role))
        .collect();
    assert_eq!(roles.len(), 5);
    assert!(agreements.iter().any(|a| a.policy.relief.is_some()));
    assert!(agreements.iter().any(|a| a.policy.rules.len() == 2));
    assert!(
        agreements
            .iter()
            .any(|a| a.terms.iter().any(|t| !t.conditions.is_empty()))
    );
}

#[test]
fn single_events_cover_every_payload_kind() {
    let events = sample(&strategy::event(&fixtures::energy_truce()), 400);
    let kinds: BTreeSet<PayloadKind> = events.iter().map(|e| e.payload.kind()).collect();
    assert_eq!(kinds.len(), PayloadKind::ALL.len(), "{kinds:?}");
    assert!(
        events.iter().any(|e| e.author == fixtures::party("XX")),
        "sometimes an unknown author"
    );
    let kinds = sample(&strategy::term_kind(), 200);
    let labels: BTreeSet<&str> = kinds.iter().map(TermKind::label).collect();
    assert_eq!(labels.len(), 6);
}

/// `Config::sanction_heavy()` exercises the sanction laws: at least a third of the logs it
/// makes for the fixture fire a decision, and at least half of those end one (voided, halted,
/// stopped or relieved) or see a recorded sanction lifted.
#[test]
fn generated_logs_fire_and_end_sanctions() {
    use ceasefire::sanction::RuleSet;
    use ceasefire::testing::{Config, valid_log};

    let logs = sample(
        &valid_log(
            &fixtures::energy_truce(),
            &RuleSet::new(),
            Config::sanction_heavy(),
        ),
        200,
    );
    let (mut fired, mut ended) = (0, 0);
    for log in &logs {
        let state = ceasefire::replay(log).expect("a valid log");
        if state.decisions().is_empty() {
            continue;
        }
        fired += 1;
        let lifted = log
            .events()
            .any(|e| e.payload.kind() == PayloadKind::SanctionLifted);
        if lifted || state.decisions().iter().any(|d| d.ending.is_some()) {
            ended += 1;
        }
    }
    println!("{fired} of 200 logs fire a decision; {ended} of those end one");
    assert!(fired * 3 >= 200, "only {fired} of 200 logs fire a decision");
    assert!(ended * 2 >= fired, "only {ended} of {fired} end a decision");
}

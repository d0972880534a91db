//! Strategies for the crate's values: ids and roles, every term kind, whole agreements with
//! sanction policies, and single events.
//!
//! Agreements from [`agreement`] always pass [`Agreement::validate`]; single events from
//! [`event`] are well-formed but may break any rule of the log (unknown ids, wrong authors):
//! they are for testing that rules and replay cope with anything.
//!
//! ```
//! use ceasefire::testing::strategy;
//! use proptest::prelude::*;
//!
//! proptest!(ProptestConfig::with_cases(16), |(agreement in strategy::agreement())| {
//!     prop_assert_eq!(agreement.validate(), Ok(()));
//! });
//! ```

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

use crate::agreement::{
    AcceptanceLevel, Activation, Agreement, Condition, Confidence, Escalation, EvidenceStandard,
    Level, Obligation, ObligationClock, Party, Procedure, ReliefPolicy, Role, SanctionPolicy,
    Severity, SeverityWeights, TargetCategory, Term, TermKind, TermScope, ThresholdRule,
};
use crate::event::{
    Allegation, Amendment, Coordinates, Event, Finding, Method, Payload, PayloadKind, Period,
    Place, RefusalReason, SchemaVersion, Verification,
};
use crate::id::{ConditionId, DecisionId, EventId, PartyId, RuleId, TermId};
use crate::testing::fixtures;
use crate::time::{Occurred, Span, Timestamp};

/// Party codes used by the realistic half of [`party_id`].
pub const PARTY_CODES: [&str; 12] = [
    "UA", "RU", "US", "TR", "SA", "UN", "MON", "MON2", "IAEA", "OSCE", "CONGRESS", "COUNCIL",
];

fn text_id<T: 'static + std::fmt::Debug>(
    realistic: &'static [&'static str],
    make: fn(String) -> Option<T>,
) -> BoxedStrategy<T> {
    let pool: Vec<&'static str> = realistic.to_vec();
    prop_oneof![
        3 => select(pool).prop_filter_map("valid id", move |s| make(s.to_owned())),
        1 => "\\PC{1,20}".prop_filter_map("valid id", make),
    ]
    .boxed()
}

/// Party ids: mostly realistic codes (`UA`, `RU`, `IAEA`…), sometimes any valid text id
/// (unicode, inner spaces, up to 20 characters).
pub fn party_id() -> BoxedStrategy<PartyId> {
    text_id(&PARTY_CODES, |s| PartyId::new(s).ok())
}

/// Term ids.
pub fn term_id() -> BoxedStrategy<TermId> {
    text_id(
        &["energy", "sea", "ceasefire", "prisoners", "buffer"],
        |s| TermId::new(s).ok(),
    )
}

/// Rule ids.
pub fn rule_id() -> BoxedStrategy<RuleId> {
    text_id(&["energy-3", "snapback", "red-line"], |s| {
        RuleId::new(s).ok()
    })
}

/// Condition ids.
pub fn condition_id() -> BoxedStrategy<ConditionId> {
    text_id(&["rosselkhozbank-swift", "aid-halt"], |s| {
        ConditionId::new(s).ok()
    })
}

/// Every role.
pub fn role() -> impl Strategy<Value = Role> {
    select(vec![
        Role::Belligerent,
        Role::Mediator,
        Role::Guarantor,
        Role::Monitor,
        Role::Approver,
    ])
}

/// A party with any role.
pub fn party() -> impl Strategy<Value = Party> {
    (party_id(), role(), "[A-Za-z ]{0,20}").prop_map(|(id, role, name)| Party::new(id, role, name))
}

/// Every target category, including one this crate does not name.
pub fn target_category() -> impl Strategy<Value = TargetCategory> {
    prop_oneof![
        10 => select(TargetCategory::NAMED.to_vec()),
        1 => "[a-z ]{1,12}".prop_map(TargetCategory::Other),
    ]
}

/// What an allegation may name: any [`target_category`], or, sometimes,
/// [`TargetCategory::Unknown`].
pub fn allegation_target() -> impl Strategy<Value = TargetCategory> {
    prop_oneof![
        8 => target_category(),
        1 => Just(TargetCategory::Unknown),
    ]
}

/// Why a party refuses a term: demands, no monitoring, words.
pub fn refusal_reason() -> impl Strategy<Value = RefusalReason> {
    prop_oneof![
        2 => obligation().prop_map(RefusalReason::Demands),
        1 => Just(RefusalReason::NoMonitoring),
        1 => "[a-z ]{1,16}".prop_map(RefusalReason::Stated),
    ]
}

/// Every non-kinetic obligation.
pub fn obligation() -> impl Strategy<Value = Obligation> {
    prop_oneof![
        Just(Obligation::HaltConscription),
        Just(Obligation::CurtailArmsDeliveries),
        Just(Obligation::HaltIntelligenceSharing),
        proptest::option::of(1..500u32).prop_map(|count| Obligation::ExchangePrisoners { count }),
        "[a-z ]{1,12}".prop_map(Obligation::Other),
    ]
}

/// Every term kind, with valid fields (a moratorium protects at least one category).
pub fn term_kind() -> impl Strategy<Value = TermKind> {
    let categories = || proptest::collection::btree_set(target_category(), 1..5);
    prop_oneof![
        2 => Just(TermKind::energy_moratorium()),
        2 => categories().prop_map(|targets| TermKind::StrikeMoratorium { targets }),
        1 => select(vec!["Black Sea", "Sea of Azov"])
            .prop_map(|z| TermKind::MaritimeTruce { zone: z.into() }),
        1 => proptest::option::of(select(vec!["Donetsk", "Kursk"]))
            .prop_map(|a| TermKind::GeneralCeasefire { area: a.map(Into::into) }),
        1 => (select(vec!["contact line", "border"]), 1..30u32)
            .prop_map(|(l, d)| TermKind::BufferZone { line: l.into(), depth_km: d }),
        1 => obligation().prop_map(|obligation| TermKind::NonKinetic { obligation }),
        1 => ("[a-z]{1,10}", proptest::option::of(categories()))
            .prop_map(|(name, covers)| TermKind::Custom { name, covers }),
    ]
}

/// Every acceptance level (a conditional one names one or two conditions).
pub fn acceptance_level() -> impl Strategy<Value = AcceptanceLevel> {
    prop_oneof![
        Just(AcceptanceLevel::InPrinciple),
        Just(AcceptanceLevel::Binding),
        proptest::collection::btree_set(condition_id(), 1..3).prop_map(|ids| {
            AcceptanceLevel::Conditional {
                conditions: ids
                    .into_iter()
                    .map(|id| Condition::new(id, "a condition"))
                    .collect(),
            }
        }),
    ]
}

/// Every severity.
pub fn severity() -> impl Strategy<Value = Severity> {
    select(vec![Severity::Minor, Severity::Serious, Severity::Grave])
}

/// Every rung of the escalation ladder.
pub fn level() -> impl Strategy<Value = Level> {
    select(vec![
        Level::Warning,
        Level::Targeted,
        Level::Sectoral,
        Level::Reimposition,
    ])
}

/// Confidences from 0 to 100 percent.
pub fn confidence() -> impl Strategy<Value = Confidence> {
    (0..=100u8).prop_map(|p| Confidence::percent(p).unwrap_or(Confidence::ZERO))
}

/// Every evidence standard (confirmation by one to three monitors).
pub fn evidence_standard() -> impl Strategy<Value = EvidenceStandard> {
    prop_oneof![
        Just(EvidenceStandard::Alleged),
        Just(EvidenceStandard::Corroborated),
        (1..=3u8, confidence()).prop_map(|(monitors, min_confidence)| {
            EvidenceStandard::Confirmed {
                monitors,
                min_confidence,
            }
        }),
    ]
}

/// Both procedures (a dispute window of 1 to 30 days).
pub fn procedure() -> impl Strategy<Value = Procedure> {
    prop_oneof![
        Just(Procedure::Immediate),
        (1..=30u64).prop_map(|d| Procedure::NoticeAndDeadline {
            dispute_window: Span::days(d)
        }),
    ]
}

/// A threshold rule with this id, counting all terms or some of `terms`.
pub fn threshold_rule(id: RuleId, terms: Vec<TermId>) -> impl Strategy<Value = ThresholdRule> {
    let scope = if terms.is_empty() {
        Just(TermScope::All).boxed()
    } else {
        let n = terms.len();
        prop_oneof![
            Just(TermScope::All),
            subsequence(terms, 1..=n).prop_map(|t| TermScope::Only(t.into_iter().collect())),
        ]
        .boxed()
    };
    let weights = prop_oneof![
        3 => Just(SeverityWeights::UNIFORM),
        1 => (1..4u32, 1..4u32, 1..6u32).prop_map(|(minor, serious, grave)| SeverityWeights {
            minor,
            serious,
            grave
        }),
    ];
    (
        scope,
        1..=4u32,
        1..=30u64,
        evidence_standard(),
        weights,
        level(),
        select(vec![Escalation::Ladder, Escalation::Fixed]),
        procedure(),
    )
        .prop_map(
            move |(terms, threshold, days, evidence, weights, level, escalation, procedure)| {
                ThresholdRule {
                    id: id.clone(),
                    terms,
                    threshold,
                    window: Span::days(days),
                    evidence,
                    weights,
                    level,
                    escalation,
                    procedure,
                }
            },
        )
}

/// A sanction policy over these terms: up to two threshold rules (`threshold-1`,
/// `threshold-2`) and, if there are approvers, maybe relief.
pub fn sanction_policy(
    terms: Vec<TermId>,
    approvers: Vec<PartyId>,
) -> impl Strategy<Value = SanctionPolicy> {
    let rules = (0..=2usize).prop_flat_map(move |n| {
        (1..=n)
            .map(|i| threshold_rule(fixtures::rule(&format!("threshold-{i}")), terms.clone()))
            .collect::<Vec<_>>()
    });
    let relief = if approvers.is_empty() {
        Just(None).boxed()
    } else {
        let n = approvers.len();
        proptest::option::of(
            (1..=60u64, 1..=n).prop_map(move |(days, quorum)| ReliefPolicy {
                compliance: Span::days(days),
                approvers: approvers.iter().cloned().collect(),
                quorum: u8::try_from(quorum).unwrap_or(1),
            }),
        )
        .boxed()
    };
    (rules, relief).prop_map(|(rules, relief)| SanctionPolicy { rules, relief })
}

/// The shape of a term before its ids are known.
#[derive(Clone, Debug)]
struct TermShape {
    kind: TermKind,
    binds: Vec<bool>,
    activation: u8,
    at_days: u32,
    held_days: u32,
    duration: Option<u64>,
    per_party: bool,
    condition: bool,
    fixed_hours: Option<u64>,
}

fn term_shape() -> impl Strategy<Value = TermShape> {
    (
        term_kind(),
        proptest::collection::vec(any::<bool>(), 3),
        0..10u8,
        0..20u32,
        1..15u32,
        proptest::option::weighted(0.7, 1..=60u64),
        any::<bool>(),
        proptest::bool::weighted(0.15),
        proptest::option::weighted(0.2, 1..=72u64),
    )
        .prop_map(
            |(
                kind,
                binds,
                activation,
                at_days,
                held_days,
                duration,
                per_party,
                condition,
                fixed_hours,
            )| {
                TermShape {
                    fixed_hours,
                    kind,
                    binds,
                    activation,
                    at_days,
                    held_days,
                    duration,
                    per_party,
                    condition,
                }
            },
        )
}

/// Whole agreements that pass [`Agreement::validate`]: two or three belligerents, a mediator,
/// maybe a guarantor, zero to three monitors, zero to two approvers; one to four terms of
/// every kind, binding some belligerents, activated on acceptance, at a date or after an
/// earlier phase has held, with either clock and sometimes a condition; and a policy from
/// [`sanction_policy`].
pub fn agreement() -> impl Strategy<Value = Agreement> {
    (
        2..=3usize,
        any::<bool>(),
        0..=3usize,
        0..=2usize,
        proptest::collection::vec(term_shape(), 1..=4),
    )
        .prop_flat_map(|(belligerents, guarantor, monitors, approvers, shapes)| {
            let mut parties = Vec::new();
            for code in ["UA", "RU", "BY"].into_iter().take(belligerents) {
                parties.push(Party::new(fixtures::party(code), Role::Belligerent, code));
            }
            parties.push(Party::new(
                fixtures::party("US"),
                Role::Mediator,
                "mediator",
            ));
            if guarantor {
                parties.push(Party::new(
                    fixtures::party("UN"),
                    Role::Guarantor,
                    "guarantor",
                ));
            }
            for code in ["MON", "MON2", "IAEA"].into_iter().take(monitors) {
                parties.push(Party::new(fixtures::party(code), Role::Monitor, code));
            }
            let approver_ids: Vec<PartyId> = ["CONGRESS", "COUNCIL"]
                .into_iter()
                .take(approvers)
                .map(fixtures::party)
                .collect();
            for id in &approver_ids {
                parties.push(Party::new(id.clone(), Role::Approver, id.as_str()));
            }
            let mut terms: Vec<Term> = Vec::new();
            for (i, shape) in shapes.into_iter().enumerate() {
                let id = fixtures::term(&format!("term-{}", i + 1));
                let mut binds: Vec<PartyId> = parties
                    .iter()
                    .filter(|p| p.role == Role::Belligerent)
                    .zip(&shape.binds)
                    .filter(|(_, b)| **b)
                    .map(|(p, _)| p.id.clone())
                    .collect();
                if binds.is_empty() {
                    binds.push(fixtures::party("UA"));
                }
                let activation = match (shape.activation, terms.last()) {
                    (0, _) => Activation::At(
                        Span::days(u64::from(shape.at_days))
                            .after(fixtures::start())
                            .unwrap_or(fixtures::start()),
                    ),
                    (1 | 2, Some(prev)) => Activation::AfterHeld {
                        term: prev.id.clone(),
                        days: shape.held_days,
                    },
                    _ => Activation::OnAcceptance,
                };
                let mut term = Term::new(id, format!("term {}", i + 1), shape.kind)
                    .binding(binds)
                    .activation(activation)
                    .phase(u8::try_from(i + 1).unwrap_or(u8::MAX));
                match (shape.fixed_hours, shape.duration) {
                    // A fixed window from the activation day (or the start), for some hours.
                    (Some(hours), _) => {
                        let from = Span::days(u64::from(shape.at_days))
                            .after(fixtures::start())
                            .unwrap_or(fixtures::start());
                        let until = Span::hours(hours).after(from).unwrap_or(from);
                        term = term.fixed_window(from, until);
                    }
                    (None, Some(d)) => term = term.lasting(Span::days(d)),
                    (None, None) => {}
                }
                if shape.per_party {
                    term.clock = ObligationClock::PerParty;
                }
                if shape.condition
                    && let Ok(c) = ConditionId::new(format!("term-{}-condition", i + 1))
                {
                    term = term.condition(Condition::new(c, "a condition of the term"));
                }
                terms.push(term);
            }
            let term_ids: Vec<TermId> = terms.iter().map(|t| t.id.clone()).collect();
            sanction_policy(term_ids, approver_ids).prop_map(move |policy| Agreement {
                title: "generated agreement".into(),
                parties: parties.clone(),
                terms: terms.clone(),
                policy,
                signing: crate::agreement::Signing::default(),
            })
        })
}

/// Instants in 2025.
pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0..365 * 86_400i64).prop_map(|s| {
        Timestamp::from_timestamp(1_735_689_600 + s, 0).unwrap_or(Timestamp::UNIX_EPOCH)
    })
}

/// Occurrences in 2025: instants, UTC days, local days (offsets of whole and half hours
/// from -12:00 to +14:00), and intervals up to the longest accepted.
pub fn occurred() -> impl Strategy<Value = Occurred> {
    let local = (timestamp(), -24..=28i32).prop_map(|(t, halves)| {
        chrono::FixedOffset::east_opt(halves * 1800)
            .and_then(|o| Occurred::on_local_day(t.date_naive(), o).ok())
            .unwrap_or(Occurred::At(t))
    });
    let interval = (timestamp(), 1..=Occurred::MAX_EXTENT.as_secs()).prop_map(|(t, secs)| {
        Span::seconds(secs)
            .after(t)
            .and_then(|to| Occurred::between(t, to).ok())
            .unwrap_or(Occurred::At(t))
    });
    prop_oneof![
        8 => timestamp().prop_map(Occurred::At),
        2 => timestamp().prop_map(|t| Occurred::OnDay(t.date_naive())),
        1 => local,
        1 => interval,
    ]
}

/// Event ids in 2025 (UUID v7).
pub fn event_id() -> impl Strategy<Value = EventId> {
    (timestamp(), 0..(1u128 << EventId::FREE_BITS))
        .prop_map(|(t, tail)| EventId::deterministic(t, tail))
}

/// Places, sometimes with a region and coordinates.
pub fn place() -> impl Strategy<Value = Place> {
    (
        select(fixtures::PLACES.to_vec()),
        proptest::option::of(select(vec!["Kursk", "Kherson", "Krasnodar"])),
        proptest::option::of((-90.0..=90.0f64, -180.0..=180.0f64)),
    )
        .prop_map(|(name, region, point)| {
            let mut p = Place::named(name);
            if let Some(r) = region {
                p = p.in_region(r);
            }
            if let Some(c) = point.and_then(|(lat, lon)| Coordinates::new(lat, lon).ok()) {
                p = p.at(c);
            }
            p
        })
}

/// Payloads of the given kind naming the agreement's parties and terms (or, sometimes, ids it
/// does not know), with any event ids and decision numbers.
fn payload_of(kind: PayloadKind, agreement: &Agreement) -> BoxedStrategy<Payload> {
    let mut parties: Vec<PartyId> = agreement.parties.iter().map(|p| p.id.clone()).collect();
    let mut terms: Vec<TermId> = agreement.terms.iter().map(|t| t.id.clone()).collect();
    parties.push(fixtures::party("XX"));
    terms.push(fixtures::term("no-such-term"));
    let party = select(parties);
    let term = select(terms);
    let text = "[a-z ]{0,16}";
    match kind {
        PayloadKind::AgreementConcluded => {
            Just(Payload::AgreementConcluded(Box::new(agreement.clone()))).boxed()
        }
        PayloadKind::TermAccepted => (term, acceptance_level(), proptest::option::of(timestamp()))
            .prop_map(|(term, level, effective_from)| Payload::TermAccepted {
                term,
                level,
                effective_from,
            })
            .boxed(),
        PayloadKind::ConditionMet => (condition_id(), text)
            .prop_map(|(condition, note)| Payload::ConditionMet { condition, note })
            .boxed(),
        PayloadKind::TermAmended => {
            let amendment = prop_oneof![
                (0..60u64).prop_map(|d| Amendment::Extend(Span::days(d))),
                proptest::option::of(0..60u64)
                    .prop_map(|d| Amendment::SetDuration(d.map(Span::days))),
                term_kind().prop_map(Amendment::ChangeKind),
            ];
            (term, amendment)
                .prop_map(|(term, amendment)| Payload::TermAmended { term, amendment })
                .boxed()
        }
        PayloadKind::TermSuspended => (term, text)
            .prop_map(|(term, reason)| Payload::TermSuspended { term, reason })
            .boxed(),
        PayloadKind::TermResumed => term.prop_map(|term| Payload::TermResumed { term }).boxed(),
        PayloadKind::TermTerminated => (term, text)
            .prop_map(|(term, reason)| Payload::TermTerminated { term, reason })
            .boxed(),
        PayloadKind::PartyWithdrew => text
            .prop_map(|reason| Payload::PartyWithdrew { reason })
            .boxed(),
        PayloadKind::ViolationAlleged => (party, term, allegation_target(), place(), severity())
            .prop_map(|(accused, term, target, place, severity)| {
                Payload::from(Allegation {
                    accused,
                    term,
                    target,
                    place,
                    severity,
                    description: "strike".into(),
                    evidence: vec!["report".into()],
                })
            })
            .boxed(),
        PayloadKind::AllegationDenied => (
            event_id(),
            text,
            proptest::option::weighted(0.3, target_category()),
        )
            .prop_map(
                |(allegation, statement, target)| Payload::AllegationDenied {
                    allegation,
                    statement,
                    target,
                },
            )
            .boxed(),
        PayloadKind::TermProposed => {
            let counters = proptest::option::weighted(0.3, term.clone());
            (
                term_id(),
                term_kind(),
                party.clone(),
                counters,
                0..40u64,
                1..72u64,
            )
                .prop_map(|(id, kind, binds, counters, day, hours)| {
                    let from = Span::days(day)
                        .after(fixtures::start())
                        .unwrap_or(fixtures::start());
                    let until = Span::hours(hours).after(from).unwrap_or(from);
                    let mut term = Term::new(id, "a truce declared later", kind)
                        .binding([binds])
                        .fixed_window(from, until);
                    term.clock = ObligationClock::PerParty;
                    Payload::TermProposed { term, counters }
                })
                .boxed()
        }
        PayloadKind::TermRefused => (term, proptest::collection::vec(refusal_reason(), 0..3))
            .prop_map(|(term, reasons)| Payload::TermRefused { term, reasons })
            .boxed(),
        PayloadKind::AllegationCorroborated => event_id()
            .prop_map(|allegation| Payload::AllegationCorroborated {
                allegation,
                evidence: vec!["imagery".into()],
            })
            .boxed(),
        PayloadKind::VerificationFinding => (
            event_id(),
            select(vec![
                Finding::Confirmed,
                Finding::Refuted,
                Finding::Inconclusive,
            ]),
            select(vec![
                Method::SatelliteImagery,
                Method::OnSiteObserver,
                Method::Sensor,
                Method::OpenSource,
            ]),
            confidence(),
            proptest::option::weighted(0.2, target_category()),
        )
            .prop_map(|(allegation, finding, method, confidence, target)| {
                Payload::VerificationFinding(Verification {
                    allegation,
                    finding,
                    method,
                    confidence,
                    notes: String::new(),
                    target,
                    place: None,
                })
            })
            .boxed(),
        PayloadKind::AllegationRetracted => event_id()
            .prop_map(|allegation| Payload::AllegationRetracted {
                allegation,
                reason: "retracted".into(),
            })
            .boxed(),
        PayloadKind::AggregateClaimed => (
            party,
            proptest::option::of(term),
            any::<u64>(),
            timestamp(),
            0..30 * 86_400u64,
        )
            .prop_map(
                |(accused, term, count, from, secs)| Payload::AggregateClaimed {
                    accused,
                    term,
                    count,
                    period: Period {
                        from,
                        to: Span::seconds(secs).after(from).unwrap_or(from),
                    },
                    description: "strikes".into(),
                },
            )
            .boxed(),
        PayloadKind::ComplianceAttested => (party, term, timestamp(), 0..30 * 86_400u64)
            .prop_map(|(party, term, from, secs)| Payload::ComplianceAttested {
                party,
                term,
                period: Period {
                    from,
                    to: Span::seconds(secs).after(from).unwrap_or(from),
                },
                statement: "complied".into(),
            })
            .boxed(),
        PayloadKind::ControlChanged => (place(), party)
            .prop_map(|(place, controller)| Payload::ControlChanged { place, controller })
            .boxed(),
        PayloadKind::SanctionImposed => (party, level(), proptest::option::of(1..5u64))
            .prop_map(|(against, level, d)| Payload::SanctionImposed {
                against,
                level,
                decision: d.map(DecisionId),
                measures: "measures".into(),
            })
            .boxed(),
        PayloadKind::SanctionLifted => event_id()
            .prop_map(|imposition| Payload::SanctionLifted {
                imposition,
                reason: "lifted".into(),
            })
            .boxed(),
        PayloadKind::ProcedureHalted => (1..5u64)
            .prop_map(|d| Payload::ProcedureHalted {
                decision: DecisionId(d),
                reason: "halted".into(),
            })
            .boxed(),
        PayloadKind::ReliefApproved => party
            .prop_map(|party| Payload::ReliefApproved { party })
            .boxed(),
        // Key and checkpoint events (generated agreements are unsigned: all refused).
        PayloadKind::KeyRotated => Just(Payload::KeyRotated {
            key: crate::agreement::PartyKey::new("generated+00000000+AQ=="),
        })
        .boxed(),
        PayloadKind::KeyRevoked => party
            .prop_map(|party| Payload::KeyRevoked {
                party,
                key: crate::agreement::PartyKey::new("generated+00000000+AQ=="),
                replacement: None,
            })
            .boxed(),
        PayloadKind::CheckpointAcknowledged => (0..8u64)
            .prop_map(|size| Payload::CheckpointAcknowledged {
                size,
                root: crate::event::TreeRoot([0; 32]),
            })
            .boxed(),
    }
}

/// Payloads of every kind, naming the agreement's parties and terms or unknown ones.
pub fn payload(agreement: &Agreement) -> impl Strategy<Value = Payload> + use<> {
    let agreement = agreement.clone();
    select(PayloadKind::ALL.to_vec()).prop_flat_map(move |k| payload_of(k, &agreement))
}

/// Single events of every kind, by any of the agreement's parties (or an unknown one),
/// occurring and recorded at any time in 2025 (not necessarily in that order), with the
/// current schema version. They are well-formed, not valid: use them to test that nothing
/// panics on what a log written elsewhere may hold.
pub fn event(agreement: &Agreement) -> impl Strategy<Value = Event> + use<> {
    let mut authors: Vec<PartyId> = agreement.parties.iter().map(|p| p.id.clone()).collect();
    authors.push(fixtures::party("XX"));
    (
        event_id(),
        select(authors),
        occurred(),
        timestamp(),
        payload(agreement),
    )
        .prop_map(|(id, author, occurred_at, recorded_at, payload)| Event {
            id,
            occurred_at,
            recorded_at,
            author,
            schema: SchemaVersion::CURRENT,
            payload,
            signature: None,
        })
}

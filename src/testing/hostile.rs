//! Hostile logs: valid logs with defects planted in them, for testing that replay and rules
//! never panic on what a log written elsewhere may hold.

use std::fmt;

use proptest::prelude::*;
use proptest::sample::select;

use crate::agreement::{Agreement, Level, Role};
use crate::event::{Event, Finding, Method, Payload, Record, SchemaVersion, Verification};
use crate::id::{ConditionId, DecisionId, EventId, PartyId, Seq};
use crate::sanction::RuleSet;
use crate::testing::sequence::{Config, interpret, plan_strategy};
use crate::testing::{Log, fixtures, strategy};
use crate::time::{Occurred, Span};

/// A kind of defect planted in a hostile log.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
#[non_exhaustive]
pub enum Defect {
    /// Two records swapped: either their events only (a finding before its allegation, time
    /// going backwards) or whole records (sequence numbers out of order).
    WrongOrder,
    /// An event naming an unknown allegation, party, term, condition, decision or sanction,
    /// or written by an unknown author.
    UnknownId,
    /// An event by an author whose role or identity does not allow it (a belligerent's
    /// verification finding, a monitor suspending a term…).
    Unauthorized,
    /// A record repeated: under its own sequence number, or renumbered (a duplicate id).
    Duplicate,
    /// A record recorded earlier than the one before it.
    TimeBackwards,
    /// An event that says it occurred after it was recorded.
    OccurredAfterRecorded,
    /// Sequence numbers that skip.
    SequenceGap,
    /// The genesis removed.
    MissingGenesis,
    /// A second genesis.
    SecondGenesis,
    /// An unsupported schema version.
    UnsupportedSchema,
    /// An arbitrary event from [`strategy::event`] inserted anywhere.
    Arbitrary,
}

impl Defect {
    /// Every kind.
    pub const ALL: [Defect; 11] = [
        Defect::WrongOrder,
        Defect::UnknownId,
        Defect::Unauthorized,
        Defect::Duplicate,
        Defect::TimeBackwards,
        Defect::OccurredAfterRecorded,
        Defect::SequenceGap,
        Defect::MissingGenesis,
        Defect::SecondGenesis,
        Defect::UnsupportedSchema,
        Defect::Arbitrary,
    ];
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Defect::WrongOrder => "wrong order",
            Defect::UnknownId => "unknown id",
            Defect::Unauthorized => "unauthorized author",
            Defect::Duplicate => "duplicate",
            Defect::TimeBackwards => "time going backwards",
            Defect::OccurredAfterRecorded => "occurred after recorded",
            Defect::SequenceGap => "sequence gap",
            Defect::MissingGenesis => "missing genesis",
            Defect::SecondGenesis => "second genesis",
            Defect::UnsupportedSchema => "unsupported schema",
            Defect::Arbitrary => "arbitrary event",
        })
    }
}

/// A log with defects planted in it, and which.
#[derive(Clone, PartialEq)]
pub struct HostileLog {
    /// The records (sequence numbers as planted, not necessarily gapless or increasing).
    pub log: Log,
    /// The defects planted, in the order they were planted. A defect may turn out harmless
    /// (two swapped events that did not depend on each other).
    pub defects: Vec<Defect>,
}

impl fmt::Debug for HostileLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let defects: Vec<String> = self.defects.iter().map(ToString::to_string).collect();
        writeln!(f, "HostileLog with {}:", defects.join(", "))?;
        f.write_str(&self.log.timeline())
    }
}

/// How a record is numbered in a hostile log.
#[derive(Clone, Copy, Debug)]
enum Numbering {
    /// The next number.
    Next,
    /// This number (the counter moves on by one all the same).
    Fixed(u64),
    /// The previous record's number again.
    Repeat,
    /// The next number after skipping this many.
    Skip(u64),
}

#[derive(Clone, Debug)]
struct Mutation {
    defect: Defect,
    at: u16,
    with: u16,
    junk: Event,
}

/// A strategy of hostile logs for `agreement`: a valid log generated with `config`, with one
/// to three defects planted in it. Use it to check that replay and your rules never panic
/// (see [`crate::testing::laws::replay_never_panics`]).
///
/// ```
/// use ceasefire::testing::{Config, fixtures, hostile_log};
/// use proptest::prelude::*;
///
/// proptest!(ProptestConfig::with_cases(8), |(hostile in hostile_log(&fixtures::energy_truce(), Config::default()))| {
///     let lenient = ceasefire::replay_lenient(&hostile.log);
///     prop_assert!(lenient.state.event_count() <= hostile.log.len());
/// });
/// ```
pub fn hostile_log(
    agreement: &Agreement,
    config: Config,
) -> impl Strategy<Value = HostileLog> + use<> {
    let agreement = agreement.clone();
    let defect = select(Defect::ALL.to_vec());
    let mutation = (
        defect,
        any::<u16>(),
        any::<u16>(),
        strategy::event(&agreement),
    )
        .prop_map(|(defect, at, with, junk)| Mutation {
            defect,
            at,
            with,
            junk,
        });
    (
        plan_strategy(&agreement, &config),
        proptest::collection::vec(mutation, 1..=3),
    )
        .prop_map(move |(plan, mutations)| {
            let valid = interpret(&agreement, &RuleSet::new(), &config, &plan);
            plant(&agreement, valid, &mutations)
        })
}

struct Entry {
    event: Event,
    numbering: Numbering,
}

fn plant(agreement: &Agreement, valid: Log, mutations: &[Mutation]) -> HostileLog {
    let mut entries: Vec<Entry> = valid
        .into_records()
        .into_iter()
        .map(|r| Entry {
            event: r.event,
            numbering: Numbering::Next,
        })
        .collect();
    let mut defects = Vec::new();
    for (k, m) in mutations.iter().enumerate() {
        if plant_one(agreement, &mut entries, m, k) {
            defects.push(m.defect);
        }
    }
    let mut counter = 0u64;
    let mut previous = 0u64;
    let mut records = Vec::with_capacity(entries.len());
    for e in entries {
        let seq = match e.numbering {
            Numbering::Next => {
                counter += 1;
                counter
            }
            Numbering::Fixed(n) => {
                counter += 1;
                n
            }
            Numbering::Repeat => previous,
            Numbering::Skip(n) => {
                counter += 1 + n;
                counter
            }
        };
        previous = seq;
        records.push(Record::new(Seq(seq), e.event));
    }
    HostileLog {
        log: Log::from_records(records),
        defects,
    }
}

fn party_with(agreement: &Agreement, roles: &[Role]) -> Option<PartyId> {
    agreement
        .parties
        .iter()
        .find(|p| roles.contains(&p.role))
        .map(|p| p.id.clone())
}

/// An event like the one at `i - 1` (its time and author), saying `payload`, with an id new to
/// the log.
fn inserted(entries: &[Entry], i: usize, k: usize, author: PartyId, payload: Payload) -> Event {
    let at = entries
        .get(i.saturating_sub(1))
        .map_or_else(fixtures::start, |e| e.event.recorded_at);
    let k = u128::from(u8::try_from(k).unwrap_or(0));
    let i = u128::from(u32::try_from(i).unwrap_or(0));
    let id = EventId::deterministic(at, 0xDE << 64 | k << 32 | i);
    Event::new(id, author, at, at, payload)
}

/// Plants one defect; `false` if the log is too short for it.
/// Inserts `event` (if there is one) at `at` or at the end, numbered in turn; whether it did.
fn insert(entries: &mut Vec<Entry>, at: usize, event: Option<Event>) -> bool {
    let Some(event) = event else {
        return false;
    };
    entries.insert(
        at.min(entries.len()),
        Entry {
            event,
            numbering: Numbering::Next,
        },
    );
    true
}

fn plant_one(agreement: &Agreement, entries: &mut Vec<Entry>, m: &Mutation, k: usize) -> bool {
    let n = entries.len();
    let with = usize::from(m.with);
    // A position after the genesis where an event can be inserted, and a record to damage.
    let insert_at = 1 + usize::from(m.at) % n.max(1);
    let damage_at = if n > 1 {
        1 + usize::from(m.at) % (n - 1)
    } else {
        0
    };
    match m.defect {
        Defect::WrongOrder => {
            if n < 2 {
                return false;
            }
            let i = usize::from(m.at) % n;
            let j = (i + 1 + with % (n - 1)) % n;
            entries.swap(i, j);
            if with.is_multiple_of(2) {
                entries[i].numbering = Numbering::Fixed(j as u64 + 1);
                entries[j].numbering = Numbering::Fixed(i as u64 + 1);
            }
            true
        }
        Defect::UnknownId => insert(
            entries,
            insert_at,
            unknown_reference(agreement, entries, insert_at, k, with),
        ),
        Defect::Unauthorized => insert(
            entries,
            insert_at,
            unauthorized(agreement, entries, insert_at, k, with),
        ),
        Defect::Duplicate => {
            if n == 0 {
                return false;
            }
            let i = usize::from(m.at) % n;
            let copy = Entry {
                event: entries[i].event.clone(),
                numbering: if with.is_multiple_of(2) {
                    Numbering::Repeat
                } else {
                    Numbering::Next
                },
            };
            entries.insert(i + 1, copy);
            true
        }
        Defect::TimeBackwards => {
            if n < 2 {
                return false;
            }
            let previous = entries[damage_at - 1].event.recorded_at;
            let earlier = Span::seconds(60 * (1 + with as u64 % 600)).before(previous);
            let e = &mut entries[damage_at].event;
            e.recorded_at = earlier;
            if e.occurred_at.earliest() > earlier {
                e.occurred_at = Occurred::At(earlier);
            }
            true
        }
        Defect::OccurredAfterRecorded => {
            if n == 0 {
                return false;
            }
            let e = &mut entries[usize::from(m.at) % n].event;
            let later = Span::seconds(60 * (1 + with as u64 % 600))
                .after(e.recorded_at)
                .unwrap_or(e.recorded_at);
            e.occurred_at = Occurred::At(later);
            true
        }
        Defect::SequenceGap => {
            if n == 0 {
                return false;
            }
            entries[usize::from(m.at) % n].numbering = Numbering::Skip(1 + with as u64 % 5);
            true
        }
        Defect::MissingGenesis => {
            let genesis = entries
                .first()
                .is_some_and(|e| matches!(e.event.payload, Payload::AgreementConcluded(_)));
            if genesis {
                entries.remove(0);
            }
            genesis
        }
        Defect::SecondGenesis => {
            let Some(author) = agreement.parties.first().map(|p| p.id.clone()) else {
                return false;
            };
            let e = inserted(
                entries,
                insert_at,
                k,
                author,
                Payload::AgreementConcluded(Box::new(agreement.clone())),
            );
            insert(entries, insert_at, Some(e))
        }
        Defect::UnsupportedSchema => {
            if n == 0 {
                return false;
            }
            entries[usize::from(m.at) % n].event.schema =
                SchemaVersion(2 + u16::try_from(with % 100).unwrap_or(0));
            true
        }
        Defect::Arbitrary => {
            let i = usize::from(m.at) % (n + 1);
            entries.insert(
                i,
                Entry {
                    event: m.junk.clone(),
                    numbering: Numbering::Next,
                },
            );
            true
        }
    }
}

fn allegation_before(entries: &[Entry], i: usize) -> Option<&Event> {
    entries[..i.min(entries.len())]
        .iter()
        .rev()
        .map(|e| &e.event)
        .find(|e| matches!(e.payload, Payload::ViolationAlleged(_)))
}

fn unknown_reference(
    agreement: &Agreement,
    entries: &[Entry],
    i: usize,
    k: usize,
    with: usize,
) -> Option<Event> {
    let monitor = party_with(agreement, &[Role::Monitor]);
    let staff = party_with(agreement, &[Role::Mediator, Role::Guarantor]);
    let belligerent = party_with(agreement, &[Role::Belligerent])?;
    let term = agreement.terms.first()?.id.clone();
    let nowhere = EventId::deterministic(fixtures::start(), 0xEE);
    let options: Vec<(PartyId, Payload)> = vec![
        (
            monitor.clone().unwrap_or_else(|| belligerent.clone()),
            Payload::VerificationFinding(Verification {
                allegation: nowhere,
                finding: Finding::Confirmed,
                method: Method::Sensor,
                confidence: crate::agreement::Confidence::ZERO,
                notes: String::new(),
                target: None,
                place: None,
            }),
        ),
        (
            belligerent.clone(),
            Payload::from(crate::event::Allegation {
                accused: fixtures::party("XX"),
                term: term.clone(),
                target: crate::agreement::TargetCategory::PowerGrid,
                place: crate::event::Place::named("nowhere"),
                severity: crate::agreement::Severity::Minor,
                description: String::new(),
                evidence: Vec::new(),
            }),
        ),
        (
            belligerent.clone(),
            Payload::TermAccepted {
                term: fixtures::term("no-such-term"),
                level: crate::agreement::AcceptanceLevel::Binding,
                effective_from: None,
            },
        ),
        (
            staff.clone().unwrap_or_else(|| belligerent.clone()),
            Payload::ConditionMet {
                condition: ConditionId::new("no-such-condition").ok()?,
                note: String::new(),
            },
        ),
        (
            staff.clone().unwrap_or_else(|| belligerent.clone()),
            Payload::SanctionLifted {
                imposition: nowhere,
                reason: String::new(),
            },
        ),
        (
            staff.unwrap_or_else(|| belligerent.clone()),
            Payload::SanctionImposed {
                against: belligerent.clone(),
                level: Level::Warning,
                decision: Some(DecisionId(999)),
                measures: String::new(),
            },
        ),
        (
            fixtures::party("XX"),
            Payload::PartyWithdrew {
                reason: String::new(),
            },
        ),
    ];
    let (author, payload) = options.into_iter().nth(with % 7)?;
    Some(inserted(entries, i, k, author, payload))
}

fn unauthorized(
    agreement: &Agreement,
    entries: &[Entry],
    i: usize,
    k: usize,
    with: usize,
) -> Option<Event> {
    let belligerent = party_with(agreement, &[Role::Belligerent])?;
    let outsider = party_with(agreement, &[Role::Approver, Role::Monitor])
        .unwrap_or_else(|| belligerent.clone());
    let term = agreement.terms.first()?.id.clone();
    let mut options: Vec<(PartyId, Payload)> = vec![
        (
            belligerent.clone(),
            Payload::TermSuspended {
                term: term.clone(),
                reason: String::new(),
            },
        ),
        (
            outsider,
            Payload::TermAmended {
                term: term.clone(),
                amendment: crate::event::Amendment::Extend(Span::days(1)),
            },
        ),
        (
            belligerent.clone(),
            Payload::SanctionImposed {
                against: belligerent.clone(),
                level: Level::Warning,
                decision: None,
                measures: String::new(),
            },
        ),
    ];
    if agreement
        .policy
        .relief
        .as_ref()
        .is_some_and(|r| !r.approvers.contains(&belligerent))
    {
        options.push((
            belligerent.clone(),
            Payload::ReliefApproved {
                party: belligerent.clone(),
            },
        ));
    }
    if let Some(Event {
        id,
        author: accuser,
        payload: Payload::ViolationAlleged(a),
        ..
    }) = allegation_before(entries, i)
    {
        options.push((
            a.accused.clone(),
            Payload::VerificationFinding(Verification {
                allegation: *id,
                finding: Finding::Refuted,
                method: Method::OpenSource,
                confidence: crate::agreement::Confidence::ZERO,
                notes: String::new(),
                target: None,
                place: None,
            }),
        ));
        options.push((
            a.accused.clone(),
            Payload::AllegationRetracted {
                allegation: *id,
                reason: String::new(),
            },
        ));
        if a.accused != *accuser {
            options.push((
                accuser.clone(),
                Payload::AllegationDenied {
                    allegation: *id,
                    statement: String::new(),
                    target: None,
                },
            ));
        }
    }
    let n = options.len();
    let (author, payload) = options.into_iter().nth(with % n)?;
    Some(inserted(entries, i, k, author, payload))
}

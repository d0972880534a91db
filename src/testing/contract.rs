//! The storage contract as a test suite. Every store in this crate passes it, and a store
//! written elsewhere can run it too:
//!
//! ```
//! use ceasefire::EventLog;
//! use ceasefire::testing::contract;
//!
//! contract::check(EventLog::new).expect("the in-memory log keeps the contract");
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

use crate::agreement::{
    Agreement, Confidence, Party, Role, Severity, TargetCategory, Term, TermKind,
};
use crate::event::{Allegation, Event, Finding, Method, Payload, Place, Record, Verification};
use crate::id::{EventId, PartyId, Seq, TermId};
use crate::log::{ChainHash, ExpectedVersion, Head, Store, StoreError};
use crate::replay::replay;
use crate::state::{Refused, Rejection};
use crate::time::Span;

/// A broken promise of the storage contract: which check, and what happened instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractViolation {
    /// The check that failed.
    pub check: &'static str,
    /// What happened.
    pub detail: String,
}

impl fmt::Display for ContractViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage contract, {}: {}", self.check, self.detail)
    }
}

impl std::error::Error for ContractViolation {}

type Outcome = Result<(), ContractViolation>;

fn fail(check: &'static str, detail: impl Into<String>) -> ContractViolation {
    ContractViolation {
        check,
        detail: detail.into(),
    }
}

/// Runs every check, each on a fresh empty store from `fresh`.
///
/// # Errors
/// The first [`ContractViolation`].
pub fn check<S: Store>(mut fresh: impl FnMut() -> S) -> Outcome {
    genesis_first(&fresh())?;
    sequence_and_read(&fresh())?;
    expected_version(&fresh())?;
    idempotent_reappend(&fresh())?;
    id_conflict(&fresh())?;
    refusal_leaves_log_unchanged(&fresh())?;
    batches(&fresh())?;
    head_and_extension(&fresh())?;
    Ok(())
}

/// Deterministic events for the checks.
struct Fixture {
    n: u8,
}

fn time(day: u32, hour: u32) -> DateTime<Utc> {
    let base = DateTime::UNIX_EPOCH + chrono::TimeDelta::days(20_165); // 2025-03-18
    base + chrono::TimeDelta::days(i64::from(day)) + chrono::TimeDelta::hours(i64::from(hour))
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).expect("fixture party ids are valid")
}

fn term() -> TermId {
    TermId::new("energy").expect("fixture term id is valid")
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { n: 0 }
    }

    fn event(&mut self, author: &str, day: u32, payload: Payload) -> Event {
        self.n = self.n.wrapping_add(1);
        let at = time(day, u32::from(self.n % 24));
        Event::new(
            EventId::deterministic(at, u128::from(self.n)),
            party(author),
            at,
            at,
            payload,
        )
    }

    fn genesis(&mut self) -> Event {
        let agreement = Agreement::new("contract fixture")
            .party(Party::new(party("UA"), Role::Belligerent, "Ukraine"))
            .party(Party::new(party("RU"), Role::Belligerent, "Russia"))
            .party(Party::new(party("US"), Role::Mediator, "United States"))
            .party(Party::new(party("MON"), Role::Monitor, "Monitor"))
            .term(
                Term::new(term(), "Energy", TermKind::energy_moratorium())
                    .binding([party("UA"), party("RU")])
                    .lasting(Span::days(30)),
            );
        self.event("US", 0, Payload::AgreementConcluded(Box::new(agreement)))
    }

    fn allegation(&mut self, day: u32) -> Event {
        self.event(
            "UA",
            day,
            Payload::from(Allegation {
                accused: party("RU"),
                term: term(),
                target: TargetCategory::PowerGrid,
                place: Place::named("Kherson"),
                severity: Severity::Serious,
                description: "strike on a substation".into(),
                evidence: Vec::new(),
            }),
        )
    }

    fn finding_by(&mut self, author: &str, allegation: EventId, day: u32) -> Event {
        self.event(
            author,
            day,
            Payload::VerificationFinding(Verification {
                allegation,
                finding: Finding::Confirmed,
                method: Method::SatelliteImagery,
                confidence: Confidence::ZERO,
                notes: String::new(),
                target: None,
                place: None,
            }),
        )
    }
}

/// What a store looks like from outside: head, records and state.
fn observe<S: Store>(
    store: &S,
    check: &'static str,
) -> Result<(Head, Vec<Record>, String), ContractViolation> {
    let head = store
        .head()
        .map_err(|e| fail(check, format!("head failed: {e}")))?;
    let records = store
        .read(Seq::FIRST, usize::MAX)
        .map_err(|e| fail(check, format!("read failed: {e}")))?;
    let state = store
        .state()
        .map_err(|e| fail(check, format!("state failed: {e}")))?;
    let json = serde_json::to_string(&state).map_err(|e| fail(check, e.to_string()))?;
    Ok((head, records, json))
}

fn unchanged<S: Store>(
    store: &S,
    check: &'static str,
    before: &(Head, Vec<Record>, String),
) -> Outcome {
    let after = observe(store, check)?;
    if &after == before {
        Ok(())
    } else {
        Err(fail(check, "a refused append changed the log"))
    }
}

fn append<S: Store>(
    store: &S,
    check: &'static str,
    expected: ExpectedVersion,
    event: Event,
) -> Result<Seq, ContractViolation> {
    store
        .append(expected, event)
        .map_err(|e| fail(check, format!("a valid append failed: {e}")))
}

/// The first event must be the genesis; a second genesis is refused.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn genesis_first<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "genesis first";
    let mut f = Fixture::new();
    let before = observe(store, CHECK)?;
    let early = f.allegation(1);
    match store.append(ExpectedVersion::Any, early) {
        Err(StoreError::Rejected(Refused {
            reason: Rejection::NotGenesis { .. },
            ..
        })) => {}
        other => {
            return Err(fail(
                CHECK,
                format!("non-genesis first event gave {other:?}"),
            ));
        }
    }
    unchanged(store, CHECK, &before)?;
    append(store, CHECK, ExpectedVersion::Exactly(0), f.genesis())?;
    let before = observe(store, CHECK)?;
    match store.append(ExpectedVersion::Any, f.genesis()) {
        Err(StoreError::Rejected(Refused {
            reason: Rejection::SecondGenesis { .. },
            ..
        })) => {}
        other => return Err(fail(CHECK, format!("second genesis gave {other:?}"))),
    }
    unchanged(store, CHECK, &before)
}

/// Sequence numbers run 1, 2, 3 and `read` returns the events as appended, in range.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn sequence_and_read<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "sequence and read";
    let mut f = Fixture::new();
    let events = [f.genesis(), f.allegation(1), f.allegation(2)];
    for (i, e) in events.iter().enumerate() {
        let seq = append(store, CHECK, ExpectedVersion::Any, e.clone())?;
        if seq != Seq(i as u64 + 1) {
            return Err(fail(CHECK, format!("event {i} got {seq}")));
        }
    }
    let all = store
        .read(Seq::FIRST, 10)
        .map_err(|e| fail(CHECK, e.to_string()))?;
    let got: Vec<&Event> = all.iter().map(|r| &r.event).collect();
    if got != events.iter().collect::<Vec<_>>() {
        return Err(fail(CHECK, "read returned other events"));
    }
    let tail = store
        .read(Seq(2), 1)
        .map_err(|e| fail(CHECK, e.to_string()))?;
    if tail.len() != 1 || tail.first().map(|r| r.seq) != Some(Seq(2)) {
        return Err(fail(
            CHECK,
            format!("read(2, 1) gave {} records", tail.len()),
        ));
    }
    let beyond = store
        .read(Seq(9), 5)
        .map_err(|e| fail(CHECK, e.to_string()))?;
    let none = store
        .read(Seq::FIRST, 0)
        .map_err(|e| fail(CHECK, e.to_string()))?;
    if !beyond.is_empty() || !none.is_empty() {
        return Err(fail(
            CHECK,
            "reads past the end or of zero records returned records",
        ));
    }
    let state = store.state().map_err(|e| fail(CHECK, e.to_string()))?;
    let replayed = replay(&all).map_err(|e| fail(CHECK, e.to_string()))?;
    if state != replayed {
        return Err(fail(
            CHECK,
            "the store's state is not the replay of its records",
        ));
    }
    Ok(())
}

/// A wrong expected version is refused and changes nothing; the right one is accepted.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn expected_version<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "expected version";
    let mut f = Fixture::new();
    append(store, CHECK, ExpectedVersion::Exactly(0), f.genesis())?;
    let before = observe(store, CHECK)?;
    for wrong in [0, 2, u64::MAX] {
        match store.append(ExpectedVersion::Exactly(wrong), f.allegation(1)) {
            Err(StoreError::WrongExpectedVersion {
                expected,
                actual: 1,
            }) if expected == wrong => {}
            other => {
                return Err(fail(
                    CHECK,
                    format!("expected version {wrong} at version 1 gave {other:?}"),
                ));
            }
        }
        unchanged(store, CHECK, &before)?;
    }
    append(store, CHECK, ExpectedVersion::Exactly(1), f.allegation(1))?;
    append(store, CHECK, ExpectedVersion::Any, f.allegation(2))?;
    Ok(())
}

/// Appending the identical event again returns its sequence number, even with a stale
/// expected version, and writes nothing.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn idempotent_reappend<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "idempotent re-append";
    let mut f = Fixture::new();
    append(store, CHECK, ExpectedVersion::Exactly(0), f.genesis())?;
    let e = f.allegation(1);
    append(store, CHECK, ExpectedVersion::Exactly(1), e.clone())?;
    append(store, CHECK, ExpectedVersion::Exactly(2), f.allegation(2))?;
    let before = observe(store, CHECK)?;
    match store.append(ExpectedVersion::Exactly(1), e) {
        Ok(Seq(2)) => unchanged(store, CHECK, &before),
        other => Err(fail(CHECK, format!("re-append gave {other:?}, not #2"))),
    }
}

/// A different event under an id already in the log is a conflict and changes nothing.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn id_conflict<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "id conflict";
    let mut f = Fixture::new();
    append(store, CHECK, ExpectedVersion::Exactly(0), f.genesis())?;
    let e = f.allegation(1);
    append(store, CHECK, ExpectedVersion::Any, e.clone())?;
    let before = observe(store, CHECK)?;
    let mut other = f.allegation(2);
    other.id = e.id;
    match store.append(ExpectedVersion::Any, other) {
        Err(StoreError::IdConflict { id, seq: Seq(2) }) if id == e.id => {
            unchanged(store, CHECK, &before)
        }
        other => Err(fail(CHECK, format!("reused id gave {other:?}"))),
    }
}

/// An append the rules refuse leaves head, records and state exactly as they were.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn refusal_leaves_log_unchanged<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "refusal leaves the log unchanged";
    let mut f = Fixture::new();
    append(store, CHECK, ExpectedVersion::Any, f.genesis())?;
    let a = f.allegation(1);
    let id = a.id;
    append(store, CHECK, ExpectedVersion::Any, a)?;
    let before = observe(store, CHECK)?;
    let by_belligerent = f.finding_by("RU", id, 2);
    match store.append(ExpectedVersion::Any, by_belligerent) {
        Err(StoreError::Rejected(Refused {
            seq: Seq(3),
            reason: Rejection::Unauthorized { .. },
            ..
        })) => {}
        other => {
            return Err(fail(
                CHECK,
                format!("a belligerent's finding gave {other:?}"),
            ));
        }
    }
    unchanged(store, CHECK, &before)?;
    let unknown = f.finding_by("MON", EventId::deterministic(time(2, 0), 0xEE), 2);
    match store.append(ExpectedVersion::Any, unknown) {
        Err(StoreError::Rejected(Refused {
            reason: Rejection::UnknownAllegation(_),
            ..
        })) => {}
        other => return Err(fail(CHECK, format!("a finding on nothing gave {other:?}"))),
    }
    unchanged(store, CHECK, &before)?;
    // One byte bound for every store: an event larger than `Agreement::LIMITS.event_bytes`.
    let mut huge = f.finding_by("MON", id, 3);
    if let crate::event::Payload::VerificationFinding(v) = &mut huge.payload {
        v.notes = "x".repeat(crate::agreement::Agreement::LIMITS.event_bytes);
    }
    match store.append(ExpectedVersion::Any, huge) {
        Err(StoreError::TooLarge { max, .. })
            if max == crate::agreement::Agreement::LIMITS.event_bytes as u64 => {}
        other => return Err(fail(CHECK, format!("an oversized event gave {other:?}"))),
    }
    unchanged(store, CHECK, &before)?;
    append(
        store,
        CHECK,
        ExpectedVersion::Exactly(2),
        f.finding_by("MON", id, 3),
    )?;
    Ok(())
}

/// Batches are all-or-nothing, a retried batch is idempotent, an empty batch is refused.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn batches<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "batches";
    let mut f = Fixture::new();
    let before = observe(store, CHECK)?;
    match store.append_batch(ExpectedVersion::Any, Vec::new()) {
        Err(StoreError::EmptyBatch) => {}
        other => return Err(fail(CHECK, format!("an empty batch gave {other:?}"))),
    }
    unchanged(store, CHECK, &before)?;
    let genesis = f.genesis();
    let a = f.allegation(1);
    let bad = f.finding_by("UA", a.id, 2);
    match store.append_batch(
        ExpectedVersion::Exactly(0),
        vec![genesis.clone(), a.clone(), bad],
    ) {
        Err(StoreError::Rejected(Refused { seq: Seq(3), .. })) => {}
        other => {
            return Err(fail(
                CHECK,
                format!("a batch with a bad third event gave {other:?}"),
            ));
        }
    }
    unchanged(store, CHECK, &before)?;
    // A long batch (which a store may encode apart from folding it): the first event that
    // fails, in order, gives the error, whether the rules refuse it or it is too large.
    for (oversized, refused) in [(10, 20), (20, 10)] {
        let batch = long_batch(&mut f, oversized, refused);
        let (big, bad) = (batch[oversized].id, batch[refused].id);
        let outcome = store.append_batch(ExpectedVersion::Exactly(0), batch);
        let expected = match &outcome {
            Err(StoreError::TooLarge { id, .. }) => oversized < refused && *id == big,
            Err(StoreError::Rejected(Refused { seq, id, .. })) => {
                refused < oversized && *id == bad && *seq == Seq(refused as u64 + 1)
            }
            _ => false,
        };
        if !expected {
            return Err(fail(
                CHECK,
                format!(
                    "a batch of 40 too large at {oversized} and refused at {refused} gave \
                     {outcome:?}"
                ),
            ));
        }
        unchanged(store, CHECK, &before)?;
    }
    let good = vec![genesis, a.clone(), f.finding_by("MON", a.id, 2)];
    match store.append_batch(ExpectedVersion::Exactly(0), good.clone()) {
        Ok(Seq(3)) => {}
        other => return Err(fail(CHECK, format!("a valid batch gave {other:?}"))),
    }
    let after = observe(store, CHECK)?;
    match store.append_batch(ExpectedVersion::Exactly(0), good) {
        Ok(Seq(3)) => unchanged(store, CHECK, &after)?,
        other => return Err(fail(CHECK, format!("a retried batch gave {other:?}"))),
    }
    let mut mixed = vec![a, f.allegation(3)];
    mixed.rotate_left(1);
    match store.append_batch(ExpectedVersion::Any, mixed) {
        Err(StoreError::IdConflict { .. }) => unchanged(store, CHECK, &after),
        other => Err(fail(
            CHECK,
            format!("a batch re-using an id gave {other:?}"),
        )),
    }
}

/// A genesis and 39 allegations, except that the event at `oversized` is larger than any
/// store takes and the one at `refused` is a finding by a belligerent (which the rules refuse).
fn long_batch(f: &mut Fixture, oversized: usize, refused: usize) -> Vec<Event> {
    let mut batch = vec![f.genesis()];
    while batch.len() < 40 {
        // One event a day, so that the times rise whatever the hour.
        let day = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        let mut event = if batch.len() == refused {
            let first = batch.get(1).map_or_else(|| f.allegation(day).id, |e| e.id);
            f.finding_by("UA", first, day)
        } else {
            f.allegation(day)
        };
        if batch.len() == oversized
            && let crate::event::Payload::ViolationAlleged(a) = &mut event.payload
        {
            std::sync::Arc::make_mut(a).description =
                "x".repeat(crate::agreement::Agreement::LIMITS.event_bytes);
        }
        batch.push(event);
    }
    batch
}

/// The head names the version and the chain hash over the stored events, and a published
/// head is still extended after more appends; a forged or longer head is not.
///
/// # Errors
/// A [`ContractViolation`] naming what went wrong.
pub fn head_and_extension<S: Store>(store: &S) -> Outcome {
    const CHECK: &str = "head and extension";
    let mut f = Fixture::new();
    let empty = store.head().map_err(|e| fail(CHECK, e.to_string()))?;
    if empty != Head::EMPTY {
        return Err(fail(CHECK, format!("an empty store's head is {empty:?}")));
    }
    append(store, CHECK, ExpectedVersion::Any, f.genesis())?;
    append(store, CHECK, ExpectedVersion::Any, f.allegation(1))?;
    let published = store.head().map_err(|e| fail(CHECK, e.to_string()))?;
    if published.version != 2 {
        return Err(fail(
            CHECK,
            format!("head version {} after two appends", published.version),
        ));
    }
    let records = store
        .read(Seq::FIRST, 2)
        .map_err(|e| fail(CHECK, e.to_string()))?;
    let mut chain = ChainHash::ZERO;
    for r in &records {
        let bytes = serde_json::to_vec(&r.event).map_err(|e| fail(CHECK, e.to_string()))?;
        chain = chain.link(r.seq, &bytes);
    }
    if chain != published.hash {
        return Err(fail(
            CHECK,
            "the head hash is not the chain over the events",
        ));
    }
    append(store, CHECK, ExpectedVersion::Any, f.allegation(2))?;
    store.verify_extends(&published).map_err(|e| {
        fail(
            CHECK,
            format!("the log no longer extends its own head: {e}"),
        )
    })?;
    let forged = Head {
        version: 2,
        hash: ChainHash::ZERO.link(Seq(2), b"forged"),
    };
    let longer = Head {
        version: 9,
        hash: published.hash,
    };
    for head in [forged, longer] {
        match store.verify_extends(&head) {
            Err(StoreError::DoesNotExtend { .. }) => {}
            other => return Err(fail(CHECK, format!("head {head:?} gave {other:?}"))),
        }
    }
    Ok(())
}

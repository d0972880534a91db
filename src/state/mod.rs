//! The agreement state: what a log adds up to, and the one rule set that both validates an
//! event (`check`) and folds it in (`apply`).
//!
//! [`AgreementState::apply`] is all-or-nothing: it validates the whole event before it changes
//! anything, so a refused event leaves the state exactly as it was. Applying one event costs
//! time in proportion to what the event can change (one allegation; or, for an event that moves
//! an obligation window, the allegations inside the part of the window that moved), never to
//! the length of the log.

mod apply;
mod clock;
mod dense;
mod keys;
mod mutate;
mod query;
mod records;
mod rejection;
mod shape;
mod status;
mod summary;
mod undo;
mod work;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::agreement::{Activation, Agreement, Role, ThresholdRule};
use crate::allegation::{AllegationRecord, VerificationStatus};
use crate::event::Record;
use crate::id::{ConditionId, DecisionId, EventId, PartyId, RuleId, Seq, TermId};
use crate::sanction::{ConfigError, Decision, RuleSet, RuleStamp, View, fingerprint};
use crate::time::Timestamp;

pub(crate) use dense::Slot;
pub(crate) use keys::Verified;
pub use keys::{CheckpointAck, KeyEnd, KeySpan};
pub use records::{
    AcceptanceRecord, Applied, ApprovalRecord, AttestationRecord, ClaimRecord, ConditionRecord,
    ControlRecord, FaultReason, ImpositionRecord, PartyStatus, Proposal, RefusalRecord,
    ReliefGrant, RuleFault, Stamp, Suspension, Tally, TermRecord, TermStatus,
};
pub use rejection::{KeyFault, Refused, Rejection, SignatureFault};
pub(crate) use shape::Scratch;
use shape::{Hold, Shape};
pub use summary::Summary;
use work::Work;

/// The snapshot format this crate writes and reads (see [`AgreementState`]).
pub const SNAPSHOT_FORMAT: u32 = 1;

/// The facts: everything the state is, serialized as a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Facts {
    pub(crate) agreement: Option<Agreement>,
    pub(crate) genesis: Option<EventId>,
    pub(crate) last_seq: Option<Seq>,
    pub(crate) last_recorded: Option<Timestamp>,
    pub(crate) ids: dense::Ids,
    pub(crate) terms: BTreeMap<TermId, TermRecord>,
    pub(crate) conditions: BTreeMap<ConditionId, ConditionRecord>,
    pub(crate) allegations: dense::Allegations,
    pub(crate) claims: Vec<ClaimRecord>,
    pub(crate) attestations: Vec<AttestationRecord>,
    pub(crate) control: BTreeMap<String, Vec<ControlRecord>>,
    pub(crate) withdrawals: BTreeMap<PartyId, Stamp>,
    pub(crate) decisions: Vec<Decision>,
    pub(crate) impositions: BTreeMap<EventId, ImpositionRecord>,
    pub(crate) approvals: BTreeMap<PartyId, Vec<ApprovalRecord>>,
    pub(crate) reliefs: Vec<ReliefGrant>,
    pub(crate) last_confirmation: BTreeMap<PartyId, Timestamp>,
    pub(crate) faults: Vec<RuleFault>,
    #[serde(default, skip_serializing_if = "keys::Keys::is_empty")]
    pub(crate) keys: keys::Keys,
}

pub(crate) type Keyed = BTreeSet<(Timestamp, Slot)>;

/// Lookups derived from the facts; rebuilt when a snapshot is loaded.
#[derive(Clone, Default, Debug)]
pub(crate) struct Index {
    pub(crate) roles: BTreeMap<PartyId, Role>,
    pub(crate) dependents: BTreeMap<TermId, Vec<TermId>>,
    pub(crate) by_term_party: BTreeMap<(TermId, PartyId), Keyed>,
    pub(crate) by_party: BTreeMap<PartyId, Keyed>,
    pub(crate) confirmed: BTreeMap<TermId, Keyed>,
    /// The sanction engine's books.
    pub(crate) books: crate::sanction::engine::Books,
    /// Each bound party's coverage of each term, kept current by `fold` (only the terms an
    /// event touches can change).
    pub(crate) coverage: BTreeMap<TermId, BTreeMap<PartyId, crate::time::Coverage>>,
    /// The steps of work done so far (see [`AgreementState::work`]).
    pub(crate) work: Work,
    /// The terms in agreement order (an earlier phase always comes first).
    pub(crate) order: Vec<TermId>,
    /// Each term's place in `order`.
    pub(crate) position: BTreeMap<TermId, usize>,
    /// Each term's activation floor and window, kept current by `fold` like `coverage`.
    pub(crate) shapes: BTreeMap<TermId, Shape>,
    /// Per (phase, days held), the confirmed violations breaking the hold from the phase's
    /// start when last counted; kept current as allegations change.
    pub(crate) holds: BTreeMap<(TermId, u32), Hold>,
    /// Buffers the fold reuses from event to event (empty between events).
    pub(crate) scratch: shape::Scratch,
}

/// The state of an agreement as a log describes it.
///
/// Build it with [`crate::replay()`] or fold records in one at a time with
/// [`AgreementState::apply`]. Serialize it to take a snapshot; deserializing a snapshot gives a
/// state that continues exactly as the original would (attach downstream rules again with
/// [`AgreementState::with_rules`]).
#[derive(Clone, Default)]
pub struct AgreementState {
    pub(crate) facts: Facts,
    pub(crate) index: Index,
    pub(crate) custom: RuleSet,
    /// For a state read from a snapshot: the downstream rules it was computed with, until
    /// the same rules are attached again. While they differ, every event is refused.
    awaiting: Option<Vec<RuleStamp>>,
    /// The open transaction (see `undo`), if any.
    journal: undo::Journal,
}

impl AgreementState {
    /// An empty state, before the genesis, running only the policy's built-in rules.
    #[must_use]
    pub fn new() -> AgreementState {
        AgreementState::default()
    }

    /// The same state, also running these downstream rules from now on. A state read from a
    /// snapshot must be given exactly the rules (ids and versions) it was computed with.
    ///
    /// # Errors
    /// [`ConfigError::RuleIdCollision`] if a rule's id is the id of a policy rule or of
    /// another downstream rule; [`ConfigError::SnapshotRulesDiffer`] if the state was read
    /// from a snapshot computed with other rules.
    pub fn with_rules(mut self, rules: RuleSet) -> Result<AgreementState, ConfigError> {
        if let Some(snapshot) = &self.awaiting {
            let given = rules.stamps();
            if *snapshot != given {
                return Err(ConfigError::SnapshotRulesDiffer {
                    snapshot: snapshot.clone(),
                    given,
                });
            }
            self.awaiting = None;
        }
        let mut seen: BTreeSet<RuleId> = self
            .facts
            .agreement
            .iter()
            .flat_map(|a| a.policy.rules.iter().map(|r| r.id.clone()))
            .collect();
        for id in rules.ids() {
            if !seen.insert(id.clone()) {
                return Err(ConfigError::RuleIdCollision(id));
            }
        }
        self.custom = rules;
        self.refresh_rules();
        Ok(self)
    }

    /// The steps of replay work this state has done since it was created (or loaded from a
    /// snapshot): a machine-independent measure of cost. One step is one unit of work whose
    /// own cost is bounded by the agreement alone (up to the logarithm of an index): a
    /// coverage computed, an allegation or decision visited, a candidate a rule reads. The
    /// work of applying one event is bounded as docs/performance.md states; tests and the
    /// fuzz target check the bound by reading this counter before and after an event.
    #[must_use]
    pub fn work(&self) -> u64 {
        self.index.work.get()
    }

    /// Makes room in the index of event ids for about `more` events, so that a replay of a
    /// known number of records does not grow the index step by step. A hint: capped (an
    /// iterator's size hint is untrusted), and nothing fails without the room.
    pub(crate) fn reserve_ids(&mut self, more: usize) {
        const CAP: usize = 1 << 22;
        self.facts.ids.reserve(more.min(CAP));
    }

    /// Counts `n` steps of work.
    pub(crate) fn tick(&self, n: usize) {
        self.index.work.add(n);
    }

    /// The downstream rules this state runs.
    #[must_use]
    pub fn rules(&self) -> &RuleSet {
        &self.custom
    }

    fn refresh_rules(&mut self) {
        self.index.books.policy_rules =
            crate::sanction::engine::policy_rules(self.facts.agreement.as_ref());
    }

    /// Rebuilds every lookup from the facts.
    fn rebuild_index(&mut self) {
        let mut index = Index {
            work: self.index.work.clone(),
            ..Index::default()
        };
        if let Some(a) = &self.facts.agreement {
            index.roles = a.parties.iter().map(|p| (p.id.clone(), p.role)).collect();
            index.dependents = dependents_of(a);
            index.order = a.terms.iter().map(|t| t.id.clone()).collect();
            index.position = positions(a);
        }
        for (slot, rec) in self.facts.allegations.slots() {
            self.facts.ids.set_allegation(&rec.id, slot);
            let key = (rec.occurred.earliest(), slot);
            let accused = rec.accused().clone();
            let term = rec.allegation.term.clone();
            index
                .by_term_party
                .entry((term.clone(), accused.clone()))
                .or_default()
                .insert(key);
            index.by_party.entry(accused).or_default().insert(key);
            if rec.status() == VerificationStatus::Confirmed {
                index.confirmed.entry(term).or_default().insert(key);
            }
        }
        index.books = crate::sanction::engine::Books::rebuild(&self.facts);
        self.index = index;
        self.refresh_coverage_all();
        let all: Vec<Slot> = self.facts.allegations.slots().map(|(s, _)| s).collect();
        crate::sanction::engine::refresh_pools(self, all);
        crate::sanction::engine::relief::reconsider_all(self);
    }

    /// Recomputes the cached shape and coverages of every term.
    fn refresh_coverage_all(&mut self) {
        self.index.shapes.clear();
        self.index.holds.clear();
        let all = shape::Seeds {
            own: self.facts.terms.keys().cloned().collect(),
            holds: Vec::new(),
        };
        self.reshape(&all, &mut Vec::new(), &mut Vec::new());
    }

    /// The allegations in `keys` whose earliest occurrence is in `[from, to]`, in key order.
    pub(crate) fn keyed_between(
        &self,
        keys: Option<&Keyed>,
        from: Timestamp,
        to: Timestamp,
    ) -> Vec<&AllegationRecord> {
        if from > to {
            return Vec::new();
        }
        keys.into_iter()
            .flat_map(|keys| keys.range((from, Slot::MIN)..=(to, Slot::MAX)))
            .filter_map(|(_, slot)| self.facts.allegations.get(*slot))
            .collect()
    }

    pub(crate) fn role(&self, party: &PartyId) -> Option<Role> {
        self.index.roles.get(party).copied()
    }

    pub(crate) fn agreement_ref(&self) -> Option<&Agreement> {
        self.facts.agreement.as_ref()
    }

    pub(crate) fn allegation_by_id(&self, id: &EventId) -> Option<&AllegationRecord> {
        self.facts.allegations.get(self.facts.ids.allegation(id)?)
    }

    pub(crate) fn decision_ref(&self, id: DecisionId) -> Option<&Decision> {
        let i = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.facts.decisions.get(i)
    }

    /// Saves a decision before it changes (see `undo`).
    pub(crate) fn touch_decision(&mut self, id: DecisionId) {
        if let Some(i) = id.0.checked_sub(1).and_then(|i| usize::try_from(i).ok()) {
            self.touch_at(|s| &mut s.facts.decisions, i);
        }
    }

    pub(crate) fn decision_mut(&mut self, id: DecisionId) -> Option<&mut Decision> {
        let i = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.facts.decisions.get_mut(i)
    }
}

/// Each term's place in the agreement.
fn positions(a: &Agreement) -> BTreeMap<TermId, usize> {
    a.terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect()
}

/// Direct dependents: the terms whose activation waits on each term.
fn dependents_of(a: &Agreement) -> BTreeMap<TermId, Vec<TermId>> {
    let mut deps: BTreeMap<TermId, Vec<TermId>> = BTreeMap::new();
    for t in &a.terms {
        if let Activation::AfterHeld { term, .. } = &t.activation {
            deps.entry(term.clone()).or_default().push(t.id.clone());
        }
    }
    deps
}

/// A snapshot as written: the format, the rules it was computed with and their
/// fingerprint, then the facts.
#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: u32,
    fingerprint: String,
    rules: Vec<RuleStamp>,
    facts: &'a Facts,
}

/// A snapshot as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    format: u32,
    fingerprint: String,
    rules: Vec<RuleStamp>,
    facts: Facts,
}

fn policy_rules(facts: &Facts) -> &[ThresholdRule] {
    facts
        .agreement
        .as_ref()
        .map_or(&[][..], |a| a.policy.rules.as_slice())
}

impl Serialize for AgreementState {
    /// Writes a snapshot: `{"format": 1, "fingerprint": …, "rules": [{"id", "version"}…],
    /// "facts": {…}}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rules = self
            .awaiting
            .clone()
            .unwrap_or_else(|| self.custom.stamps());
        SnapshotOut {
            format: SNAPSHOT_FORMAT,
            fingerprint: fingerprint(policy_rules(&self.facts), &rules),
            rules,
            facts: &self.facts,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AgreementState {
    /// Reads a snapshot, refusing another format, a fingerprint that does not match its
    /// rules, and an agreement that is not valid. Downstream rules must be attached again
    /// with [`AgreementState::with_rules`] (the same ids and versions) before it applies
    /// events.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let snap = SnapshotIn::deserialize(d)?;
        if snap.format != SNAPSHOT_FORMAT {
            return Err(D::Error::custom(format!(
                "snapshot format {} is not supported (this crate reads format {SNAPSHOT_FORMAT})",
                snap.format
            )));
        }
        if snap.fingerprint != fingerprint(policy_rules(&snap.facts), &snap.rules) {
            return Err(D::Error::custom(
                "the snapshot's rule fingerprint does not match its rules",
            ));
        }
        if let Some(a) = &snap.facts.agreement {
            a.validate().map_err(D::Error::custom)?;
        }
        let mut state = AgreementState {
            facts: snap.facts,
            index: Index::default(),
            custom: RuleSet::default(),
            awaiting: (!snap.rules.is_empty()).then_some(snap.rules),
            journal: undo::Journal::default(),
        };
        state.rebuild_index();
        Ok(state)
    }
}

impl PartialEq for AgreementState {
    /// Two states are equal when their facts are (downstream rules are not compared).
    fn eq(&self, other: &Self) -> bool {
        self.facts == other.facts
    }
}

impl fmt::Debug for AgreementState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgreementState")
            .field("last_seq", &self.facts.last_seq)
            .field("allegations", &self.facts.allegations.len())
            .field("decisions", &self.facts.decisions.len())
            .field("rules", &self.custom)
            .finish_non_exhaustive()
    }
}

impl View for AgreementState {
    fn agreement(&self) -> &Agreement {
        static EMPTY: std::sync::OnceLock<Agreement> = std::sync::OnceLock::new();
        match &self.facts.agreement {
            Some(a) => a,
            None => EMPTY.get_or_init(|| Agreement::new("")),
        }
    }

    fn allegation(&self, id: &EventId) -> Option<&AllegationRecord> {
        self.allegation_by_id(id)
    }

    fn stands(&self, id: &EventId) -> bool {
        self.allegation_by_id(id)
            .is_some_and(|a| self.stands_rec(a))
    }

    fn allegations_against(
        &self,
        party: &PartyId,
        from: Timestamp,
        to: Timestamp,
    ) -> Vec<&AllegationRecord> {
        self.keyed_between(self.index.by_party.get(party), from, to)
    }

    fn is_cited(&self, allegation: &EventId, rule: &RuleId) -> bool {
        self.index
            .books
            .held
            .get(allegation)
            .and_then(|rules| rules.get(rule))
            .is_some_and(|n| *n > 0)
    }

    fn standing_decisions(&self, rule: &RuleId, party: &PartyId) -> usize {
        self.index
            .books
            .standing
            .get(&(rule.clone(), party.clone()))
            .copied()
            .unwrap_or(0)
    }

    fn decisions(&self) -> &[Decision] {
        &self.facts.decisions
    }
}

/// How strictly [`AgreementState::apply`] checks sequence numbers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SeqCheck {
    /// The next number exactly (gapless).
    Next,
    /// Any larger number (lenient replay, which reports gaps itself).
    Increasing,
}

impl AgreementState {
    /// Applies one record: validates it against the rules, folds it in, and runs the sanction
    /// rules. Its sequence number must be the next one.
    ///
    /// # Errors
    /// A [`Rejection`] naming the first rule the record breaks; the state is then unchanged.
    pub fn apply(&mut self, record: &Record) -> Result<Applied, Rejection> {
        self.apply_with(record, SeqCheck::Next)
    }

    /// Checks whether [`AgreementState::apply`] would accept the record, changing nothing.
    ///
    /// # Errors
    /// The [`Rejection`] `apply` would return.
    pub fn check(&self, record: &Record) -> Result<(), Rejection> {
        self.validate(record, SeqCheck::Next)
    }

    pub(crate) fn apply_with(
        &mut self,
        record: &Record,
        seq_check: SeqCheck,
    ) -> Result<Applied, Rejection> {
        self.validate(record, seq_check)?;
        Ok(self.fold(record))
    }

    /// Folds in a record that [`AgreementState::check`] accepted against this very state
    /// (a store's append, which validates once under its lock). Debug builds check again.
    pub(crate) fn apply_prechecked(&mut self, record: &Record) -> Applied {
        debug_assert!(
            self.validate(record, SeqCheck::Next).is_ok(),
            "a prechecked record is refused"
        );
        self.fold(record)
    }

    /// Lenient replay skips a record: its number is used up.
    pub(crate) fn skip_seq(&mut self, seq: Seq) {
        if self.facts.last_seq.is_none_or(|last| seq > last) {
            self.facts.last_seq = Some(seq);
        }
    }
}

#[cfg(test)]
mod tests;

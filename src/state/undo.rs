//! Transactions over the state: a batch is applied in place and, if one of its events is
//! refused (or the store cannot write it), taken back whole, without a copy of the state.
//!
//! While a transaction is open every change the fold makes is recorded as the small operation
//! that reverses it: an entry inserted is removed, a value replaced is put back, a record
//! changed is restored from the copy taken before the change (the record alone, never the
//! collection holding it). Rolling back runs them newest first. What a transaction costs is
//! therefore proportional to what its events change, never to the length of the log. The
//! parts of the state whose size the agreement bounds (the cached term windows, coverages and
//! phase holds, and the key registry of a signed log) are saved whole when the transaction
//! begins; a state before its genesis is saved whole (it is empty).
//!
//! Outside a transaction nothing is recorded: a single event needs none, because
//! [`AgreementState::apply`] validates the whole event before it changes anything.

use std::collections::{BTreeMap, BTreeSet};

use crate::allegation::AllegationRecord;
use crate::id::Seq;
use crate::state::{AgreementState, Index, Slot};
use crate::time::Timestamp;

/// One reversing operation.
type Op = Box<dyn FnOnce(&mut AgreementState) + Send + Sync>;

/// A field of the state, selected by a plain function (so that an operation can find it again
/// when it runs).
pub(crate) type Field<T> = fn(&mut AgreementState) -> &mut T;

/// The open transaction, if any. Not a fact: a clone of the state starts without one.
#[derive(Default)]
pub(crate) struct Journal(Option<Box<Txn>>);

impl Clone for Journal {
    fn clone(&self) -> Journal {
        Journal(None)
    }
}

struct Txn {
    ops: Vec<Op>,
    last_seq: Option<Seq>,
    last_recorded: Option<Timestamp>,
    /// The bounded caches, saved whole.
    caches: Caches,
    /// The key registry (signed logs), saved whole.
    keys: Option<super::keys::Keys>,
    /// The whole state, when the transaction began before the genesis (it is then empty).
    empty: Option<AgreementState>,
}

/// The parts of the index the agreement bounds.
struct Caches {
    coverage: BTreeMap<crate::id::TermId, BTreeMap<crate::id::PartyId, crate::time::Coverage>>,
    shapes: BTreeMap<crate::id::TermId, super::Shape>,
    holds: BTreeMap<(crate::id::TermId, u32), super::Hold>,
}

impl Caches {
    fn of(index: &Index) -> Caches {
        Caches {
            coverage: index.coverage.clone(),
            shapes: index.shapes.clone(),
            holds: index.holds.clone(),
        }
    }

    fn restore(self, index: &mut Index) {
        index.coverage = self.coverage;
        index.shapes = self.shapes;
        index.holds = self.holds;
    }
}

impl AgreementState {
    /// Opens a transaction (replacing one already open, whose changes then stay).
    pub(crate) fn begin(&mut self) {
        let empty = self.facts.genesis.is_none().then(|| {
            let mut copy = self.clone();
            copy.journal = Journal(None);
            copy
        });
        let keys = (!self.facts.keys.is_empty()).then(|| self.facts.keys.clone());
        self.journal = Journal(Some(Box::new(Txn {
            ops: Vec::new(),
            last_seq: self.facts.last_seq,
            last_recorded: self.facts.last_recorded,
            caches: Caches::of(&self.index),
            keys,
            empty,
        })));
    }

    /// Keeps the transaction's changes and closes it.
    pub(crate) fn commit_changes(&mut self) {
        self.journal = Journal(None);
    }

    /// Takes back every change made since [`AgreementState::begin`], leaving the state exactly
    /// as it was then, and closes the transaction. Without one open, does nothing.
    pub(crate) fn rollback(&mut self) {
        let Some(txn) = self.journal.0.take() else {
            return;
        };
        let Txn {
            ops,
            last_seq,
            last_recorded,
            caches,
            keys,
            empty,
        } = *txn;
        if let Some(empty) = empty {
            let work = self.index.work.clone();
            *self = empty;
            self.index.work = work;
            return;
        }
        for op in ops.into_iter().rev() {
            op(self);
        }
        self.facts.last_seq = last_seq;
        self.facts.last_recorded = last_recorded;
        caches.restore(&mut self.index);
        if let Some(keys) = keys {
            self.facts.keys = keys;
        }
    }

    /// Every lookup the fold keeps beside the facts, printed (the work counter left out:
    /// rolling back does not undo work), so that tests and the batch law can compare them.
    #[cfg(any(test, feature = "proptest"))]
    pub(crate) fn lookups(&self) -> String {
        let mut index = self.index.clone();
        index.work = super::work::Work::default();
        format!("{index:?}")
    }

    /// Whether changes are being recorded.
    pub(crate) fn journaling(&self) -> bool {
        self.journal.0.is_some()
    }

    /// Records a reversing operation, if a transaction is open.
    pub(crate) fn undo_with(
        &mut self,
        op: impl FnOnce(&mut AgreementState) + Send + Sync + 'static,
    ) {
        if let Some(txn) = self.journal.0.as_mut() {
            txn.ops.push(Box::new(op));
        }
    }

    /// Notes where event `id` sits; rollback forgets it.
    /// Notes an event's id (with its slot, for an allegation: the slot
    /// [`AgreementState::add_allegation`] will give it); rollback removes it.
    pub(crate) fn note_id(&mut self, id: crate::id::EventId, seq: Seq, allegation: Option<Slot>) {
        self.facts.ids.insert(id, seq, allegation);
        self.undo_with(move |s| s.facts.ids.remove(&id));
    }

    /// Adds an allegation (its id already noted with the slot it gets); rollback removes it.
    /// `None` when the state has no room (validation refuses such an allegation first).
    pub(crate) fn add_allegation(&mut self, record: AllegationRecord) -> Option<Slot> {
        let slot = self.facts.allegations.push(record)?;
        self.undo_with(|s| s.facts.allegations.pop());
        Some(slot)
    }

    /// Saves the allegation in `slot` before it changes.
    pub(crate) fn touch_allegation(&mut self, slot: Slot) {
        if !self.journaling() {
            return;
        }
        if let Some(old) = self.facts.allegations.get(slot).cloned() {
            self.undo_with(move |s| s.facts.allegations.restore(slot, old));
        }
    }

    /// Saves the current value under `key` (or its absence), to be put back on rollback.
    /// Call it before changing or inserting the entry.
    pub(crate) fn touch<K, V>(&mut self, field: Field<BTreeMap<K, V>>, key: &K)
    where
        K: Ord + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        if !self.journaling() {
            return;
        }
        let old = field(self).get(key).cloned();
        let key = key.clone();
        self.undo_with(move |s| {
            let map = field(s);
            match old {
                Some(v) => {
                    map.insert(key, v);
                }
                None => {
                    map.remove(&key);
                }
            }
        });
    }

    /// Inserts `value` under `key`, saving what was there.
    pub(crate) fn put<K, V>(&mut self, field: Field<BTreeMap<K, V>>, key: K, value: V)
    where
        K: Ord + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        self.touch(field, &key);
        field(self).insert(key, value);
    }

    /// Saves element `i` of a vector, to be put back on rollback. Call it before changing it.
    pub(crate) fn touch_at<T>(&mut self, field: Field<Vec<T>>, i: usize)
    where
        T: Clone + Send + Sync + 'static,
    {
        if !self.journaling() {
            return;
        }
        let Some(old) = field(self).get(i).cloned() else {
            return;
        };
        self.undo_with(move |s| {
            if let Some(slot) = field(s).get_mut(i) {
                *slot = old;
            }
        });
    }

    /// Appends to a vector; rollback removes it.
    pub(crate) fn push<T>(&mut self, field: Field<Vec<T>>, value: T)
    where
        T: Send + Sync + 'static,
    {
        field(self).push(value);
        self.undo_with(move |s| {
            field(s).pop();
        });
    }

    /// Appends to the vector under `key` (creating it); rollback removes it again, and the
    /// vector too if this created it.
    pub(crate) fn push_under<K, T>(&mut self, field: Field<BTreeMap<K, Vec<T>>>, key: K, value: T)
    where
        K: Ord + Clone + Send + Sync + 'static,
        T: Send + Sync + 'static,
    {
        let map = field(self);
        let created = !map.contains_key(&key);
        map.entry(key.clone()).or_default().push(value);
        self.undo_with(move |s| {
            let map = field(s);
            if let Some(list) = map.get_mut(&key) {
                list.pop();
                if created && list.is_empty() {
                    map.remove(&key);
                }
            }
        });
    }

    /// Inserts `item` into the set under `key` (creating it); rollback removes it again, and
    /// the set too if this created it. Returns whether it was new.
    pub(crate) fn set_insert<K, T>(
        &mut self,
        field: Field<BTreeMap<K, BTreeSet<T>>>,
        key: K,
        item: T,
    ) -> bool
    where
        K: Ord + Clone + Send + Sync + 'static,
        T: Ord + Clone + Send + Sync + 'static,
    {
        if !self.journaling() {
            let map = field(self);
            return match map.get_mut(&key) {
                Some(set) => set.insert(item),
                None => {
                    map.insert(key, BTreeSet::from([item]));
                    true
                }
            };
        }
        let map = field(self);
        let (created, inserted) = match map.get_mut(&key) {
            Some(set) => (false, set.insert(item.clone())),
            None => {
                map.insert(key.clone(), BTreeSet::from([item.clone()]));
                (true, true)
            }
        };
        if inserted {
            self.undo_with(move |s| {
                let map = field(s);
                if let Some(set) = map.get_mut(&key) {
                    set.remove(&item);
                    if created && set.is_empty() {
                        map.remove(&key);
                    }
                }
            });
        }
        inserted
    }

    /// Removes `item` from the set under `key`; rollback puts it back. Returns whether it was
    /// there.
    pub(crate) fn set_remove<K, T>(
        &mut self,
        field: Field<BTreeMap<K, BTreeSet<T>>>,
        key: &K,
        item: &T,
    ) -> bool
    where
        K: Ord + Clone + Send + Sync + 'static,
        T: Ord + Clone + Send + Sync + 'static,
    {
        let removed = field(self).get_mut(key).is_some_and(|set| set.remove(item));
        if removed {
            let (key, item) = (key.clone(), item.clone());
            self.undo_with(move |s| {
                field(s).entry(key).or_default().insert(item);
            });
        }
        removed
    }

    /// Adds one to the count under `key` (creating it); rollback puts the old count (or its
    /// absence) back.
    pub(crate) fn count_up<K>(&mut self, field: Field<BTreeMap<K, usize>>, key: K)
    where
        K: Ord + Clone + Send + Sync + 'static,
    {
        self.touch(field, &key);
        let n = field(self).entry(key).or_default();
        *n = n.saturating_add(1);
    }

    /// Takes one from the count under `key`, if there is one (saturating at zero); rollback
    /// puts the old count back.
    pub(crate) fn count_down<K>(&mut self, field: Field<BTreeMap<K, usize>>, key: &K)
    where
        K: Ord + Clone + Send + Sync + 'static,
    {
        if field(self).contains_key(key) {
            self.touch(field, key);
        }
        if let Some(n) = field(self).get_mut(key) {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
#[path = "undo_tests.rs"]
mod tests;

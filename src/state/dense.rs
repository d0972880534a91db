//! The allegations in log order, addressed by a dense slot, and the hash index from every
//! event id to its sequence number (and, for an allegation, its slot): looked up once per
//! event, in constant time, whatever the log's length.
//!
//! Snapshots keep the format they always had: the allegations as a map from sequence number
//! to record, the ids as a map from id to sequence number, both in order.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::allegation::AllegationRecord;
use crate::id::{EventId, Seq};

/// An allegation's place in the state's list of allegations. Slots grow with the sequence
/// number, so ordering by slot is ordering by sequence number.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) struct Slot(u32);

impl Slot {
    /// Before every slot (for ranges).
    pub(crate) const MIN: Slot = Slot(0);
    /// After every slot (for ranges).
    pub(crate) const MAX: Slot = Slot(u32::MAX);
}

/// The allegations, in log order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Allegations(Vec<AllegationRecord>);

impl Allegations {
    pub(crate) fn get(&self, slot: Slot) -> Option<&AllegationRecord> {
        self.0.get(slot.0 as usize)
    }

    pub(crate) fn get_mut(&mut self, slot: Slot) -> Option<&mut AllegationRecord> {
        self.0.get_mut(slot.0 as usize)
    }

    /// The slot the next allegation pushed will have.
    pub(crate) fn next_slot(&self) -> Option<Slot> {
        u32::try_from(self.0.len())
            .ok()
            .filter(|s| *s < u32::MAX)
            .map(Slot)
    }

    /// Whether another allegation has a slot (see [`crate::agreement::Limits::allegations`]).
    pub(crate) fn has_room(&self) -> bool {
        self.0.len() < crate::agreement::Agreement::LIMITS.allegations
    }

    /// Adds an allegation after the others; `None` when there is no room.
    pub(crate) fn push(&mut self, record: AllegationRecord) -> Option<Slot> {
        let slot = self.next_slot()?;
        self.0.push(record);
        Some(slot)
    }

    /// Removes the last allegation (a rollback).
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    /// Puts a record back in its slot (a rollback).
    pub(crate) fn restore(&mut self, slot: Slot, record: AllegationRecord) {
        if let Some(place) = self.0.get_mut(slot.0 as usize) {
            *place = record;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Every allegation, in log order.
    pub(crate) fn values(&self) -> std::slice::Iter<'_, AllegationRecord> {
        self.0.iter()
    }

    /// Every allegation with its slot, in log order.
    pub(crate) fn slots(&self) -> impl Iterator<Item = (Slot, &AllegationRecord)> {
        (0..).map(Slot).zip(self.0.iter())
    }
}

impl Serialize for Allegations {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|a| (a.seq, a)))
    }
}

impl<'de> Deserialize<'de> for Allegations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<Seq, AllegationRecord>::deserialize(d)?;
        if map.len() > crate::agreement::Agreement::LIMITS.allegations {
            return Err(D::Error::custom(
                "a snapshot holds more allegations than a state can",
            ));
        }
        if let Some((seq, _)) = map.iter().find(|(seq, a)| **seq != a.seq) {
            return Err(D::Error::custom(format!(
                "the snapshot's allegation under {seq} says it is another record"
            )));
        }
        Ok(Allegations(map.into_values().collect()))
    }
}

/// Where an event sits: its sequence number and, for an allegation, its slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Entry {
    seq: Seq,
    allegation: Option<Slot>,
}

/// Every event id applied, hashed.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ids(HashMap<EventId, Entry>);

impl Ids {
    pub(crate) fn get(&self, id: &EventId) -> Option<Seq> {
        self.0.get(id).map(|e| e.seq)
    }

    /// The slot of the allegation `id` names, if it is one.
    pub(crate) fn allegation(&self, id: &EventId) -> Option<Slot> {
        self.0.get(id)?.allegation
    }

    pub(crate) fn contains_key(&self, id: &EventId) -> bool {
        self.0.contains_key(id)
    }

    /// Notes `id` at `seq`; `allegation` is its slot if it is an allegation.
    pub(crate) fn insert(&mut self, id: EventId, seq: Seq, allegation: Option<Slot>) {
        self.0.insert(id, Entry { seq, allegation });
    }

    /// Makes room for `more` ids, as far as memory allows (a hint: nothing fails without it).
    pub(crate) fn reserve(&mut self, more: usize) {
        let _ = self.0.try_reserve(more);
    }

    /// Notes that `id` is the allegation in `slot` (for ids read without their slots).
    pub(crate) fn set_allegation(&mut self, id: &EventId, slot: Slot) {
        if let Some(e) = self.0.get_mut(id) {
            e.allegation = Some(slot);
        }
    }

    pub(crate) fn remove(&mut self, id: &EventId) {
        self.0.remove(id);
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl Serialize for Ids {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sorted: BTreeMap<&EventId, Seq> = self.0.iter().map(|(id, e)| (id, e.seq)).collect();
        sorted.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Ids {
    /// Reads ids without slots: the state links its allegations when it rebuilds its lookups.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<EventId, Seq>::deserialize(d)?;
        Ok(Ids(map
            .into_iter()
            .map(|(id, seq)| {
                (
                    id,
                    Entry {
                        seq,
                        allegation: None,
                    },
                )
            })
            .collect()))
    }
}

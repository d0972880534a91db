//! Unit tests of the file store that need its insides: the simulated disk (crashes and
//! failures at every step) and the state-machine model test.

mod crash;
mod faults;
mod fixture;
mod model;
mod pipeline;

use crate::event::Event;
use crate::id::Seq;
use crate::log::Store;
use crate::store::file::FileLog;

/// Every event in the log, in order.
pub(super) fn events_of(log: &FileLog) -> Vec<Event> {
    log.read(Seq::FIRST, usize::MAX)
        .expect("a verified log reads back")
        .into_iter()
        .map(|r| r.event)
        .collect()
}

/// Every event, read through the streaming reader; must agree with `read`.
pub(super) fn streamed(log: &FileLog) -> Vec<Event> {
    log.records()
        .expect("a read handle")
        .map(|r| r.expect("a verified log streams back").event)
        .collect()
}

//! The work counter: steps of replay work, counted from `&self` (rules see only a shared
//! view of the state), so that cost can be checked by counting, never by timing.

use std::sync::atomic::{AtomicU64, Ordering};

/// A count of work steps.
#[derive(Default, Debug)]
pub(crate) struct Work(AtomicU64);

impl Clone for Work {
    fn clone(&self) -> Self {
        Work(AtomicU64::new(self.get()))
    }
}

impl Work {
    /// The steps so far.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts `n` more steps (saturating).
    pub(crate) fn add(&self, n: usize) {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |w| {
                Some(w.saturating_add(n))
            });
    }
}

//! Live subscriptions: every record of a log, in order, exactly once, woken by
//! LISTEN/NOTIFY.
//!
//! A subscription delivers record `n + 1` only after record `n`, and only after checking that
//! it links to `n` in the chain. It reads the records after the last one it delivered and
//! takes only the run that starts right there without a gap; if a later record were visible
//! before an earlier one, it would wait for the earlier one rather than skip it. So it can
//! neither skip, repeat, nor reorder a record, whatever the writers do. With this store's
//! appends a gap is not even observable (the next append to a log cannot start before the
//! previous one is committed and visible: it waits for the head-row lock, which PostgreSQL
//! releases after the commit is visible); `docs/postgres.md` gives the argument in full.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Statement};

use crate::event::Record;
use crate::log::{ChainHash, Head, StoreError};
use crate::store::postgres::schema::CHANNEL;
use crate::store::postgres::{LogId, db, rows};

/// Records read per query.
const BATCH: i64 = 256;
/// The longest wait for a notification before looking again anyway.
const RECHECK: Duration = Duration::from_secs(1);
/// The longest pause while waiting for a gap to fill.
const GAP_PAUSE: Duration = Duration::from_millis(50);

/// A live, ordered, gapless stream of one log's records, on a connection of its own (made by
/// [`crate::store::postgres::PostgresLog::subscribe`]). As an [`Iterator`] it blocks until the
/// next record; [`Subscription::next_timeout`] waits at most a given time.
///
/// After an error (a lost connection, a damaged record) the iterator ends; resume with a new
/// subscription from [`Subscription::position`]`.version + 1`.
pub struct Subscription {
    client: Client,
    fetch: Statement,
    log: LogId,
    next: u64,
    prev: ChainHash,
    max: usize,
    buffer: VecDeque<(Record, ChainHash)>,
    delivered: Head,
    gaps: u64,
    failed: bool,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("log", &self.log)
            .field("position", &self.position())
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Listens first, then reads: a commit after the first read always leaves a notification.
    pub(crate) fn start(
        mut client: Client,
        log: LogId,
        next: u64,
        prev: ChainHash,
        max: usize,
    ) -> Result<Subscription, StoreError> {
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(db("listening for appends"))?;
        let fetch = client
            .prepare(rows::FETCH)
            .map_err(db("preparing statements"))?;
        Ok(Subscription {
            client,
            fetch,
            log,
            next,
            prev,
            max,
            buffer: VecDeque::new(),
            delivered: Head {
                version: next - 1,
                hash: prev,
            },
            gaps: 0,
            failed: false,
        })
    }

    /// The last record handed out (or the one before the first, at the start): its sequence
    /// number as `version` and its chain hash.
    #[must_use]
    pub fn position(&self) -> Head {
        self.delivered
    }

    /// How many times a read found a later record visible before an earlier one and waited.
    #[must_use]
    pub fn gaps_waited(&self) -> u64 {
        self.gaps
    }

    /// The next record, waiting at most `timeout` for one to be committed; `None` if none
    /// came.
    ///
    /// # Errors
    /// A backend error: a lost connection, or [`crate::store::postgres::PostgresError::Corrupt`] for a record that
    /// does not link to the one before.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Record>, StoreError> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some((record, hash)) = self.buffer.pop_front() {
                self.delivered = Head {
                    version: record.seq.get(),
                    hash,
                };
                return Ok(Some(record));
            }
            let gap = self.fill()?;
            if !self.buffer.is_empty() {
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            let remaining = deadline - now;
            if gap {
                self.gaps += 1;
                std::thread::sleep(pause.min(remaining));
                pause = (pause * 2).min(GAP_PAUSE);
            } else {
                self.wait(remaining.min(RECHECK))?;
            }
        }
    }

    /// Reads the records after the last one buffered, keeping the gapless run; returns
    /// whether it stopped at a gap.
    fn fill(&mut self) -> Result<bool, StoreError> {
        let fetched = rows::fetch(
            &mut self.client,
            &self.fetch,
            &self.log,
            self.next,
            u64::MAX,
            BATCH,
        )?;
        for row in &fetched {
            if u64::try_from(row.seq()).ok() != Some(self.next) {
                return Ok(true);
            }
            let (record, hash) = rows::verify(&self.log, row, self.next, self.prev, self.max)?;
            self.buffer.push_back((record, hash));
            self.prev = hash;
            self.next += 1;
        }
        Ok(false)
    }

    /// Waits for a notification (any log's: a spurious wake-up only costs one read), then
    /// takes the others already queued.
    fn wait(&mut self, timeout: Duration) -> Result<(), StoreError> {
        let mut notifications = self.client.notifications();
        let action = "waiting for appends";
        notifications
            .timeout_iter(timeout)
            .next()
            .map_err(db(action))?;
        let mut queued = notifications.iter();
        while queued.next().map_err(db(action))?.is_some() {}
        Ok(())
    }
}

impl Iterator for Subscription {
    type Item = Result<Record, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            match self.next_timeout(RECHECK) {
                Ok(Some(record)) => return Some(Ok(record)),
                Ok(None) => {}
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

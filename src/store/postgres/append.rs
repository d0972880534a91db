//! The [`Store`] implementation of [`PostgresLog`]: appends as transactions that lock the
//! log's head row, catch the warm ledger up, validate through the shared [`Ledger`], insert
//! and commit; reads that check every record again.

use postgres::Transaction;
use postgres::error::SqlState;
use uuid::Uuid;

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{Admission, ChainHash, ExpectedVersion, Head, Ledger, Staged, Store, StoreError};
use crate::state::AgreementState;
use crate::store::postgres::schema::CHANNEL;
use crate::store::postgres::{Conn, LogId, PostgresError, PostgresLog, db, rows, settle};

/// How many times an append is tried again after the database reported a lost race
/// (serialization failure, deadlock, unique violation) before the error is returned. With
/// the head row locked none of these should occur; the retry makes sure that if one does,
/// the caller sees the contract's answer after catching up, not a database error.
const RACE_RETRIES: u32 = 3;

/// Locks the log's head row and reads it.
pub(crate) const LOCK: &str =
    "SELECT version, head FROM ceasefire_logs WHERE log_id = $1 FOR UPDATE";

/// Inserts the records, moves the head and notifies subscribers (one round trip).
pub(crate) const WRITE: &str = "WITH inserted AS ( \
         INSERT INTO ceasefire_events (log_id, seq, event_id, body, chain) \
         SELECT $1, s, e, b, c \
         FROM unnest($2::bigint[], $3::uuid[], $4::bytea[], $5::bytea[]) AS u(s, e, b, c) \
     ), moved AS ( \
         UPDATE ceasefire_logs SET version = $6, head = $7 WHERE log_id = $1 RETURNING log_id \
     ) \
     SELECT pg_notify($8, log_id) FROM moved";

impl PostgresLog {
    fn append_all(&self, expected: ExpectedVersion, events: Vec<Event>) -> Result<Seq, StoreError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let mut attempt = 0;
        loop {
            let conn = self.conn(&mut inner.conn)?;
            let result = transact(
                conn,
                &self.log,
                &mut inner.ledger,
                self.max,
                expected,
                events.clone(),
            );
            settle(inner, result.as_ref().err());
            match result {
                Err(e) if attempt < RACE_RETRIES && lost_race(&e) => attempt += 1,
                other => return other,
            }
        }
    }
}

/// Whether a database error means another transaction got there first.
fn lost_race(e: &StoreError) -> bool {
    let StoreError::Backend(b) = e else {
        return false;
    };
    let Some(PostgresError::Database { source, .. }) = b.downcast_ref::<PostgresError>() else {
        return false;
    };
    source.code().is_some_and(|code| {
        [
            SqlState::UNIQUE_VIOLATION,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ]
        .contains(code)
    })
}

/// One append transaction. The ledger is caught up inside it (with committed records only)
/// and gains the new records only once the commit succeeded.
fn transact(
    conn: &mut Conn,
    log: &LogId,
    ledger: &mut Ledger,
    max: usize,
    expected: ExpectedVersion,
    events: Vec<Event>,
) -> Result<Seq, StoreError> {
    let action = "appending";
    let Conn {
        client,
        fetch,
        lock,
        write,
    } = conn;
    let mut tx = client.transaction().map_err(db(action))?;
    let head = tx
        .query_one(&*lock, &[&log.as_str()])
        .and_then(|row| Ok((row.try_get::<_, i64>(0)?, row.try_get::<_, Vec<u8>>(1)?)))
        .map_err(db("locking the log"))?;
    rows::catch_up(&mut tx, fetch, log, ledger, max)?;
    rows::check_head(log, ledger, head.0, &head.1)?;
    let admission = {
        let known = &*ledger;
        known.prepare(expected, events, |seq| {
            stored_event(&mut tx, fetch, log, known, max, seq)
        })?
    };
    let events = match admission {
        Admission::Present(seq) => {
            tx.commit().map_err(db(action))?;
            return Ok(seq);
        }
        Admission::New(events) => events,
    };
    let staged = ledger.stage(events)?;
    match write_staged(tx, write, log, max, &staged) {
        Ok(()) => Ok(ledger.commit(staged)),
        Err(e) => {
            ledger.abort(staged);
            Err(e)
        }
    }
}

/// Writes staged records and commits the transaction.
fn write_staged(
    mut tx: Transaction<'_>,
    write: &postgres::Statement,
    log: &LogId,
    max: usize,
    staged: &Staged,
) -> Result<(), StoreError> {
    let mut seqs = Vec::with_capacity(staged.records.len());
    let mut ids: Vec<Uuid> = Vec::with_capacity(staged.records.len());
    let mut bodies: Vec<&[u8]> = Vec::with_capacity(staged.records.len());
    let mut chains: Vec<&[u8]> = Vec::with_capacity(staged.records.len());
    let mut last = (0, ChainHash::ZERO);
    for (record, bytes, hash) in &staged.records {
        if bytes.len() > max {
            return Err(StoreError::TooLarge {
                id: record.event.id,
                size: bytes.len() as u64,
                max: max as u64,
            });
        }
        seqs.push(rows::to_i64(record.seq.get()));
        ids.push(*record.event.id.as_uuid());
        bodies.push(bytes);
        chains.push(hash.as_bytes());
        last = (rows::to_i64(record.seq.get()), *hash);
    }
    tx.execute(
        write,
        &[
            &log.as_str(),
            &seqs,
            &ids,
            &bodies,
            &chains,
            &last.0,
            &last.1.as_bytes().as_slice(),
            &CHANNEL,
        ],
    )
    .map_err(db("writing records"))?;
    tx.commit().map_err(db("committing the append"))
}

/// The stored event at `seq`, checked against the verified chain (for the identity check of
/// a retried append).
fn stored_event(
    tx: &mut Transaction<'_>,
    fetch: &postgres::Statement,
    log: &LogId,
    ledger: &Ledger,
    max: usize,
    seq: Seq,
) -> Result<Event, StoreError> {
    let n = seq.get();
    let row = rows::fetch(tx, fetch, log, n, n, 1)?;
    let row = row
        .first()
        .ok_or_else(|| PostgresError::corrupt(log, n, "the record is missing"))?;
    let prev = ledger
        .hash_at(n.saturating_sub(1))
        .unwrap_or(ChainHash::ZERO);
    let (record, hash) = rows::verify(log, row, n, prev, max)?;
    if ledger.hash_at(n) != Some(hash) {
        return Err(
            PostgresError::corrupt(log, n, "the record differs from the one verified").into(),
        );
    }
    Ok(record.event)
}

impl Store for PostgresLog {
    fn append(&self, expected: ExpectedVersion, event: Event) -> Result<Seq, StoreError> {
        self.append_all(expected, vec![event])
    }

    fn append_batch(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
    ) -> Result<Seq, StoreError> {
        self.append_all(expected, events)
    }

    fn read(&self, from: Seq, limit: usize) -> Result<Vec<Record>, StoreError> {
        let mut guard = self.refreshed()?;
        let inner = &mut *guard;
        let first = from.get().max(1);
        let version = inner.ledger.version();
        if limit == 0 || first > version {
            return Ok(Vec::new());
        }
        let through = version.min(first.saturating_add(limit as u64 - 1));
        let conn = self.conn(&mut inner.conn)?;
        let mut out = Vec::new();
        let mut seq = first;
        let mut prev = inner.ledger.hash_at(first - 1).unwrap_or(ChainHash::ZERO);
        while seq <= through {
            let fetched = rows::fetch(
                &mut conn.client,
                &conn.fetch,
                &self.log,
                seq,
                through,
                rows::CHUNK,
            );
            let fetched = match fetched {
                Ok(f) => f,
                Err(e) => {
                    let e = StoreError::from(e);
                    settle(inner, Some(&e));
                    return Err(e);
                }
            };
            if fetched.is_empty() {
                return Err(PostgresError::corrupt(&self.log, seq, "the record is missing").into());
            }
            for row in &fetched {
                let (record, hash) = rows::verify(&self.log, row, seq, prev, self.max)?;
                if inner.ledger.hash_at(seq) != Some(hash) {
                    return Err(PostgresError::corrupt(
                        &self.log,
                        seq,
                        "the record differs from the one verified",
                    )
                    .into());
                }
                out.push(record);
                prev = hash;
                seq += 1;
            }
        }
        Ok(out)
    }

    fn head(&self) -> Result<Head, StoreError> {
        Ok(self.refreshed()?.ledger.head())
    }

    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError> {
        Ok(self.refreshed()?.ledger.hash_at(version))
    }

    fn state(&self) -> Result<AgreementState, StoreError> {
        Ok(self.refreshed()?.ledger.state.clone())
    }

    fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        PostgresLog::with_state(self, f)
    }
    #[cfg(feature = "transparency")]
    fn with_merkle_tree(
        &self,
        f: &mut dyn FnMut(&crate::transparency::MerkleTree),
    ) -> Result<(), StoreError> {
        f(self.refreshed()?.ledger.tree());
        Ok(())
    }
}

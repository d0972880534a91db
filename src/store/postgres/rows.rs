//! Reading records back from the database, checking each one again: its place in the
//! sequence, its size, its event id, and its chain hash, recomputed from the exact stored
//! bytes and the previous link.

use postgres::{GenericClient, Statement};
use uuid::Uuid;

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{ChainHash, Ledger};
use crate::store::postgres::{LogId, PostgresError};

/// Records fetched per query when catching up.
pub(crate) const CHUNK: i64 = 1000;

/// One stored row, not yet checked.
pub(crate) struct Row {
    seq: i64,
    event_id: Uuid,
    body: Vec<u8>,
    chain: Vec<u8>,
}

/// The query [`fetch`] runs, prepared once per connection.
pub(crate) const FETCH: &str = "SELECT seq, event_id, body, chain FROM ceasefire_events \
     WHERE log_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq LIMIT $4";

/// Up to `limit` rows of `log` with `from <= seq <= through`, in order (`query` is [`FETCH`]
/// prepared on `client`'s connection).
pub(crate) fn fetch(
    client: &mut impl GenericClient,
    query: &Statement,
    log: &LogId,
    from: u64,
    through: u64,
    limit: i64,
) -> Result<Vec<Row>, PostgresError> {
    let action = "reading records";
    let (from, through) = (to_i64(from), to_i64(through));
    let rows = client
        .query(query, &[&log.as_str(), &from, &through, &limit])
        .map_err(PostgresError::db(action))?;
    rows.iter()
        .map(|r| {
            Ok(Row {
                seq: r.try_get(0)?,
                event_id: r.try_get(1)?,
                body: r.try_get(2)?,
                chain: r.try_get(3)?,
            })
        })
        .collect::<Result<_, postgres::Error>>()
        .map_err(PostgresError::db(action))
}

impl Row {
    /// The row's sequence number as stored.
    pub(crate) fn seq(&self) -> i64 {
        self.seq
    }
}

/// A sequence number as the database stores it (saturating: no log reaches 2^63 records).
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Checks that `row` is record `seq` following `prev`; returns the record and its link.
pub(crate) fn verify(
    log: &LogId,
    row: &Row,
    seq: u64,
    prev: ChainHash,
    max: usize,
) -> Result<(Record, ChainHash), PostgresError> {
    let bad = |reason: String| PostgresError::corrupt(log, seq, reason);
    if u64::try_from(row.seq).ok() != Some(seq) {
        return Err(bad(format!("the row holds record {} instead", row.seq)));
    }
    if row.body.len() > max {
        return Err(bad(format!(
            "the event is {} bytes, more than the {max} accepted",
            row.body.len()
        )));
    }
    let stored = <[u8; 32]>::try_from(row.chain.as_slice())
        .map(ChainHash::from_bytes)
        .map_err(|_| bad("the chain hash is not 32 bytes".into()))?;
    let hash = prev.link(Seq(seq), &row.body);
    if hash != stored {
        return Err(bad("chain hash mismatch".into()));
    }
    let event: Event = serde_json::from_slice(&row.body)
        .map_err(|e| bad(format!("the event does not decode: {e}")))?;
    if *event.id.as_uuid() != row.event_id {
        return Err(bad(format!(
            "the row's event id {} is not the event's {}",
            row.event_id, event.id
        )));
    }
    Ok((Record::new(Seq(seq), event), hash))
}

/// Brings `ledger` up to what the database holds, from the last record it saw: checks and
/// applies only the records after it. Returns how many it applied.
pub(crate) fn catch_up(
    client: &mut impl GenericClient,
    query: &Statement,
    log: &LogId,
    ledger: &mut Ledger,
    max: usize,
) -> Result<u64, PostgresError> {
    let mut applied = 0;
    loop {
        let rows = fetch(client, query, log, ledger.version() + 1, u64::MAX, CHUNK)?;
        for row in &rows {
            let head = ledger.head();
            let seq = head.version + 1;
            let (record, hash) = verify(log, row, seq, head.hash, max)?;
            ledger.state.apply(&record).map_err(|reason| {
                PostgresError::corrupt(log, seq, format!("the rules refuse it: {reason}"))
            })?;
            ledger.push_stored(hash, &row.body);
            applied += 1;
        }
        if (rows.len() as i64) < CHUNK {
            return Ok(applied);
        }
    }
}

/// Checks the row of the log's head (locked or read by the caller) against the ledger after
/// it caught up: the same version and the same hash.
pub(crate) fn check_head(
    log: &LogId,
    ledger: &Ledger,
    version: i64,
    head: &[u8],
) -> Result<(), PostgresError> {
    let known = ledger.version();
    let found = u64::try_from(version).unwrap_or(0);
    if found < known {
        return Err(PostgresError::Behind {
            log: log.clone(),
            known,
            found,
        });
    }
    if found > known {
        return Err(PostgresError::corrupt(
            log,
            known + 1,
            format!("the log's head names version {found}, but its records stop at {known}"),
        ));
    }
    if head != ledger.head().hash.as_bytes() {
        return Err(PostgresError::corrupt(
            log,
            known,
            "the log's head hash is not the chain over its records",
        ));
    }
    Ok(())
}

//! The [`Store`] implementation of [`FileLog`]: appends through the shared [`Ledger`], made
//! durable before they are acknowledged, and reads that check every record again.

use std::io::{self, Seek};

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{Admission, ChainHash, ExpectedVersion, Head, Ledger, Store, StoreError};
use crate::state::AgreementState;
use crate::store::file::FileLog;
use crate::store::file::backend::{Backend, Cursor, read_exact_at, write_all_at};
use crate::store::file::format;
use crate::store::file::lines::{LineReader, Next};
use crate::store::file::records::{corrupt, reread};

impl FileLog {
    fn append_all(&self, expected: ExpectedVersion, events: Vec<Event>) -> Result<Seq, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        if inner.poisoned {
            return Err(StoreError::Poisoned);
        }
        let (ledger, backend) = (&inner.ledger, &mut inner.backend);
        let (offsets, end) = (&inner.offsets, inner.end);
        let admission = ledger.prepare(expected, events, |seq| {
            read_record(&mut **backend, ledger, offsets, end, self.max, seq).map(|r| r.event)
        })?;
        let staged = match admission {
            Admission::Present(seq) => return Ok(seq),
            Admission::New(events) => inner.ledger.stage(events)?,
        };
        // Room for every line at once (the event, and a prefix of at most about 190 bytes).
        let room = staged
            .records
            .iter()
            .map(|(_, bytes, _)| bytes.len() + 192)
            .sum();
        let mut buf = Vec::with_capacity(room);
        let mut starts = Vec::with_capacity(staged.records.len());
        let mut more = staged.records.len() as u64;
        let mut too_large = None;
        for (record, bytes, hash) in &staged.records {
            more -= 1;
            let start = buf.len();
            format::encode_line(&mut buf, record.seq, more, hash, bytes);
            let size = buf.len() - start - 1;
            if size > self.max {
                too_large = Some(StoreError::TooLarge {
                    id: record.event.id,
                    size: size as u64,
                    max: self.max as u64,
                });
                break;
            }
            starts.push(end + start as u64);
        }
        if let Some(e) = too_large {
            inner.ledger.abort(staged);
            return Err(e);
        }
        let durable = write_all_at(&mut *inner.backend, end, &buf)
            .map_err(|source| StoreError::Io {
                action: "writing the log",
                source,
            })
            .and_then(|()| {
                inner.backend.sync().map_err(|source| StoreError::Io {
                    action: "syncing the log",
                    source,
                })
            });
        if let Err(e) = durable {
            // Never retry a failed write or sync and trust it: cut the file back to what is
            // known to be durable (best effort) and refuse appends until the log is reopened.
            inner.poisoned = true;
            let _rollback = inner
                .backend
                .truncate(end)
                .and_then(|()| inner.backend.sync());
            inner.ledger.abort(staged);
            return Err(e);
        }
        inner.offsets.extend(starts);
        inner.end = end + buf.len() as u64;
        Ok(inner.ledger.commit(staged))
    }
}

/// Reads record `seq` back from the file and checks it against the ledger.
fn read_record(
    backend: &mut dyn Backend,
    ledger: &Ledger,
    offsets: &[u64],
    end: u64,
    max: usize,
    seq: Seq,
) -> Result<Record, StoreError> {
    let missing = || corrupt(seq.get(), 0, "no such record");
    let index =
        usize::try_from(seq.get().checked_sub(1).ok_or_else(missing)?).map_err(|_| missing())?;
    let start = *offsets.get(index).ok_or_else(missing)?;
    let stop = offsets.get(index + 1).copied().unwrap_or(end);
    let len = usize::try_from(stop.saturating_sub(start)).unwrap_or(usize::MAX);
    if len == 0 || len > max.saturating_add(1) {
        return Err(corrupt(
            seq.get(),
            start,
            "the record's length is out of range",
        ));
    }
    let mut buf = vec![0; len];
    read_exact_at(backend, start, &mut buf).map_err(|source| StoreError::Io {
        action: "reading the log",
        source,
    })?;
    let Some(line) = buf.strip_suffix(b"\n") else {
        return Err(corrupt(seq.get(), start, "the line has lost its newline"));
    };
    let prev = ledger.hash_at(seq.get() - 1).unwrap_or(ChainHash::ZERO);
    let (record, hash) = reread(line, seq.get(), start, seq, prev)?;
    if ledger.hash_at(seq.get()) != Some(hash) {
        return Err(corrupt(
            seq.get(),
            start,
            "the record differs from the one verified on open",
        ));
    }
    Ok(record)
}

impl Store for FileLog {
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
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let first = from.get().max(1);
        let version = inner.ledger.version();
        if limit == 0 || first > version {
            return Ok(Vec::new());
        }
        let count = usize::try_from(version - first + 1)
            .unwrap_or(usize::MAX)
            .min(limit);
        let index = usize::try_from(first - 1).unwrap_or(usize::MAX);
        let Some(&start) = inner.offsets.get(index) else {
            return Ok(Vec::new());
        };
        let mut cursor = Cursor::new(&mut *inner.backend);
        cursor
            .seek(io::SeekFrom::Start(start))
            .map_err(|source| StoreError::Io {
                action: "reading the log",
                source,
            })?;
        let mut lines = LineReader::new(cursor, self.max, start, first).limit(inner.end);
        let mut out = Vec::with_capacity(count.min(1024));
        let mut seq = Seq(first);
        let mut prev = inner.ledger.hash_at(first - 1).unwrap_or(ChainHash::ZERO);
        while out.len() < count {
            let next = lines.next().map_err(|source| StoreError::Io {
                action: "reading the log",
                source,
            })?;
            let Next::Line { number, offset } = next else {
                return Err(corrupt(seq.get(), lines.offset(), "the file ends early"));
            };
            let (record, hash) = reread(lines.line(), number, offset, seq, prev)?;
            if inner.ledger.hash_at(seq.get()) != Some(hash) {
                return Err(corrupt(
                    number,
                    offset,
                    "the record differs from the one verified on open",
                ));
            }
            out.push(record);
            prev = hash;
            seq = Seq(seq.get() + 1);
        }
        Ok(out)
    }

    fn head(&self) -> Result<Head, StoreError> {
        Ok(self.lock()?.ledger.head())
    }

    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError> {
        Ok(self.lock()?.ledger.hash_at(version))
    }

    fn state(&self) -> Result<AgreementState, StoreError> {
        Ok(self.lock()?.ledger.state.clone())
    }

    fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        FileLog::with_state(self, f)
    }
    #[cfg(feature = "transparency")]
    fn with_merkle_tree(
        &self,
        f: &mut dyn FnMut(&crate::transparency::MerkleTree),
    ) -> Result<(), StoreError> {
        f(self.lock()?.ledger.tree());
        Ok(())
    }
}

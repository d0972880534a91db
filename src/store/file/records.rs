//! Streaming a log file's records through a read handle of its own.

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{ChainHash, Head, StoreError};
use crate::store::file::backend::ReadSeek;
use crate::store::file::format::{decode_line, event_start, parser_message};
use crate::store::file::lines::{LineReader, Next};

/// The records of a [`crate::store::FileLog`] as they were when the iterator was made, read
/// one at a time from the file through a handle of its own: memory stays bounded by the
/// maximum record size, whatever the length of the log.
///
/// Every record is checked again as it is read (form, CRC, sequence number, chain hash, and at
/// the end the head), so a file changed behind the store's back gives
/// [`StoreError::Corrupt`] rather than other records. After an error the iterator ends.
pub struct Records {
    lines: LineReader<Box<dyn ReadSeek>>,
    head: Head,
    next: Seq,
    prev: ChainHash,
    done: bool,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("head", &self.head)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Records {
    pub(crate) fn new(reader: Box<dyn ReadSeek>, max: usize, end: u64, head: Head) -> Records {
        Records {
            lines: LineReader::new(reader, max, 0, 1).limit(end),
            head,
            next: Seq::FIRST,
            prev: ChainHash::ZERO,
            done: false,
        }
    }

    fn step(&mut self) -> Result<Option<Record>, StoreError> {
        let next = self.lines.next().map_err(|source| StoreError::Io {
            action: "reading the log",
            source,
        })?;
        let (number, offset) = match next {
            Next::Line { number, offset } => (number, offset),
            Next::End
                if self.next.get() == self.head.version.saturating_add(1)
                    && self.prev == self.head.hash =>
            {
                return Ok(None);
            }
            Next::End => {
                return Err(corrupt(
                    self.next.get(),
                    self.lines.offset(),
                    "the file no longer ends where the log's head is",
                ));
            }
            Next::Tail { number, offset, .. } | Next::TooLong { number, offset } => {
                return Err(corrupt(
                    number,
                    offset,
                    "the line is incomplete or too long",
                ));
            }
        };
        let record = reread(self.lines.line(), number, offset, self.next, self.prev)?;
        self.prev = record.1;
        self.next = Seq(self.next.get().saturating_add(1));
        Ok(Some(record.0))
    }
}

impl Iterator for Records {
    type Item = Result<Record, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        if !matches!(step, Ok(Some(_))) {
            self.done = true;
        }
        step.transpose()
    }
}

pub(crate) fn corrupt(line: u64, offset: u64, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        line,
        offset,
        reason: reason.into(),
    }
}

/// Decodes a line read back from a verified log: it must be record `seq` following `prev`.
/// Returns the record and its chain hash.
pub(crate) fn reread(
    bytes: &[u8],
    number: u64,
    offset: u64,
    seq: Seq,
    prev: ChainHash,
) -> Result<(Record, ChainHash), StoreError> {
    let line = decode_line(bytes).map_err(|e| corrupt(number, offset, e.to_string()))?;
    if line.seq != seq {
        return Err(corrupt(
            number,
            offset,
            format!("holds record {} where {seq} belongs", line.seq),
        ));
    }
    let hash = prev.link(seq, line.event.as_bytes());
    if hash != line.hash {
        return Err(corrupt(number, offset, "chain hash mismatch"));
    }
    let event: Event = serde_json::from_str(line.event).map_err(|e| {
        let message = parser_message(&e, event_start(bytes, line.event));
        corrupt(
            number,
            offset,
            format!("the event does not decode: {message}"),
        )
    })?;
    Ok((Record::new(seq, event), hash))
}

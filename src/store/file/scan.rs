//! Verification on open. Every line is checked in this order (`docs/format.md` lists it with
//! the error each step returns): its length, the format identifier on line 1, its form (UTF-8,
//! the record's fields, canonical layout), its CRC, where the format identifier is, its
//! sequence number, its batch marker, its chain hash, that the event decodes, and that the
//! rules accept it. Only what a crash can leave at the end is dropped (and reported): after the
//! last newline, the beginning of the line due there, perhaps followed by zero bytes (see
//! `tail`), and the complete lines of a batch whose last record is missing. A whole record
//! without its newline, bytes that are not the beginning of a record, and a file that does not
//! begin like a log are errors; so is anything else, naming the line.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;

use serde::Deserialize;

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{ChainHash, Head, Ledger};
use crate::state::{AgreementState, Verified};
use crate::store::file::error::{OpenError, OpenReport, TornTail};
use crate::store::file::format::{FORMAT, LineError, decode_line, event_start, parser_message};
use crate::store::file::lines::{LineReader, Next};
use crate::store::file::options::FileLogOptions;
use crate::store::file::tail::{self, Shape};

pub(super) mod pipeline;

/// How many lines open checks on one thread before it hands the fold to a second one: a small
/// log is read faster without starting a thread.
pub(crate) const ALONE: u64 = 4096;

/// The longest excerpt of a decoder's message kept in an error, in characters.
const MAX_MESSAGE: usize = 200;

/// A verified log: its ledger, where each record's line starts, and where the kept log ends.
pub(crate) struct Scanned {
    pub(crate) ledger: Ledger,
    pub(crate) offsets: Vec<u64>,
    /// The length of the kept log: the end of its last complete batch.
    pub(crate) end: u64,
    /// What lies beyond `end` (with `cut` false).
    pub(crate) tail: Option<TornTail>,
}

impl Scanned {
    pub(crate) fn report(&self) -> OpenReport {
        OpenReport {
            records: self.ledger.version(),
            head: self.ledger.head(),
            torn: self.tail,
        }
    }
}

/// One pass over the file.
struct Pass {
    ledger: Ledger,
    offsets: Vec<u64>,
    /// The end of the last verified line.
    end: u64,
    /// The end of everything read, the incomplete final line included.
    total: u64,
    /// Where the unfinished batch at the end starts, if the file ends inside one.
    open_batch: Option<u64>,
}

/// Verifies the log `reader` holds, from its first byte.
///
/// A file that ends inside a batch is read a second time, up to the batch's first line, so
/// that the state holds only whole batches (no state is copied per batch).
///
/// # Errors
/// The first damage found, or a read error.
pub(crate) fn scan<R: Read + Seek>(
    reader: R,
    options: &FileLogOptions,
) -> Result<Scanned, OpenError> {
    scan_with(reader, options, ALONE)
}

/// [`scan`], checking the first `alone` lines on this thread alone and handing the fold of the
/// rest to a second thread (see `pipeline`).
pub(crate) fn scan_with<R: Read + Seek>(
    mut reader: R,
    options: &FileLogOptions,
    alone: u64,
) -> Result<Scanned, OpenError> {
    let start = AgreementState::new()
        .with_rules(options.rules().clone())
        .map_err(OpenError::Rules)?;
    let max = options.max_record_size();
    let rewind = |r: &mut R| {
        r.seek(SeekFrom::Start(0))
            .map(|_| ())
            .map_err(OpenError::io("rewinding the log"))
    };
    rewind(&mut reader)?;
    let first = pass(&mut reader, start.clone(), max, None, alone)?;
    let Some(batch) = first.open_batch else {
        let tail = (first.total > first.end).then(|| TornTail {
            offset: first.end,
            bytes: first.total - first.end,
            records: 0,
            last_seq_kept: first.ledger.version(),
            cut: false,
        });
        return Ok(Scanned {
            ledger: first.ledger,
            offsets: first.offsets,
            end: first.end,
            tail,
        });
    };
    rewind(&mut reader)?;
    let second = pass(&mut reader, start, max, Some(batch), alone)?;
    let tail = TornTail {
        offset: second.end,
        bytes: first.total - second.end,
        records: first.ledger.version() - second.ledger.version(),
        last_seq_kept: second.ledger.version(),
        cut: false,
    };
    Ok(Scanned {
        ledger: second.ledger,
        offsets: second.offsets,
        end: second.end,
        tail: Some(tail),
    })
}

fn pass<R: Read>(
    reader: R,
    state: AgreementState,
    max: usize,
    limit: Option<u64>,
    alone: u64,
) -> Result<Pass, OpenError> {
    let mut lines = LineReader::new(reader, max, 0, 1);
    if let Some(limit) = limit {
        lines = lines.limit(limit);
    }
    let mut pass = Pass {
        ledger: Ledger::new(state),
        offsets: Vec::new(),
        end: 0,
        total: 0,
        open_batch: None,
    };
    let mut more = 0;
    loop {
        if lines.number() > alone {
            return pipeline::rest(lines, pass, more, max);
        }
        match lines.next().map_err(OpenError::io("reading the log"))? {
            Next::End => {
                let total = lines.offset();
                return finish(pass, more, Last::End { total });
            }
            Next::Tail {
                number,
                offset,
                len,
            } => {
                let bytes = lines.line();
                return finish(
                    pass,
                    more,
                    Last::Tail {
                        bytes,
                        number,
                        offset,
                        len,
                    },
                );
            }
            Next::TooLong { number, offset } => {
                return Err(too_long(lines.line(), number, offset, max));
            }
            Next::Line { number, offset } => {
                let checked = read_line(lines.line(), number, offset, pass.ledger.head(), more)
                    .map_err(|e| locate(e, &mut lines))?;
                let stored = lines.line().get(checked.event.clone()).unwrap_or_default();
                fold_line(&mut pass.ledger, &checked, stored, number, offset, None)?;
                more = kept(&mut pass, more, checked.more, offset, lines.offset());
            }
        }
    }
}

/// Notes a line whose record was folded in (it starts at `offset`, the next at `end`) and the
/// batch it belongs to; returns its batch marker.
fn kept(pass: &mut Pass, before: u64, more: u64, offset: u64, end: u64) -> u64 {
    if before == 0 && more > 0 {
        pass.open_batch = Some(offset);
    } else if more == 0 {
        pass.open_batch = None;
    }
    pass.offsets.push(offset);
    pass.end = end;
    more
}

/// How a pass ends, after its last complete line.
enum Last<'a> {
    /// The end of the file (or of the limit), right after a newline: `total` bytes in all.
    End {
        /// Every byte read.
        total: u64,
    },
    /// Bytes after the last newline.
    Tail {
        /// The bytes.
        bytes: &'a [u8],
        /// The number their line would have.
        number: u64,
        /// Their offset.
        offset: u64,
        /// How many there are.
        len: u64,
    },
}

/// Ends a pass whose complete lines are all in `pass` (`more` is the last one's marker).
fn finish(mut pass: Pass, more: u64, last: Last<'_>) -> Result<Pass, OpenError> {
    match last {
        Last::End { total } => pass.total = total,
        Last::Tail {
            bytes,
            number,
            offset,
            len,
        } => {
            if tail(&mut pass, bytes, number, offset, more)? {
                pass.open_batch.get_or_insert(offset);
            }
            pass.total = offset + len;
        }
    }
    Ok(pass)
}

/// The error for a line longer than `max` (`bytes`: its first bytes).
fn too_long(bytes: &[u8], number: u64, offset: u64, max: usize) -> OpenError {
    if number == 1
        && let Err(e) = not_a_log(bytes, bytes.len())
    {
        return e;
    }
    OpenError::RecordTooLarge {
        line: number,
        offset,
        max,
    }
}

/// Refuses a file whose first `checked` bytes (of `bytes`) do not begin as every log does.
fn not_a_log(bytes: &[u8], checked: usize) -> Result<(), OpenError> {
    let start = tail::first_line_start();
    let n = checked.min(start.len());
    if bytes.get(..n) == start.as_bytes().get(..n) {
        return Ok(());
    }
    let begins = bytes.get(..32).unwrap_or(bytes);
    Err(OpenError::NotALog {
        begins: String::from_utf8_lossy(begins).into_owned(),
    })
}

/// Judges the bytes after the last newline (see `tail`). Returns whether they hold a whole
/// record of an unfinished batch (checked and added to the ledger); an error if they are not
/// what a crash can leave.
fn tail(
    pass: &mut Pass,
    bytes: &[u8],
    number: u64,
    offset: u64,
    more: u64,
) -> Result<bool, OpenError> {
    let content = bytes
        .get(..bytes.len() - tail::trailing_zeros(bytes))
        .unwrap_or_default();
    let expected = Seq(pass.ledger.version().saturating_add(1));
    let due_more = more.checked_sub(1);
    match tail::shape(content, expected, due_more) {
        Shape::Prefix => Ok(false),
        Shape::Diverges { at } => {
            if number == 1 {
                not_a_log(bytes, at.saturating_add(1))?;
            }
            Err(OpenError::TrailingBytes {
                line: number,
                offset,
                bytes: bytes.len() as u64,
                at: offset + at as u64,
                expected,
            })
        }
        Shape::Whole { len } => {
            let line = bytes.get(..len).unwrap_or_default();
            let marker = check_line(&mut pass.ledger, line, number, offset, more)?;
            if marker > 0 && len == content.len() {
                // A record of a batch whose later records are missing: never acknowledged.
                return Ok(true);
            }
            Err(OpenError::Unterminated {
                line: number,
                offset,
                seq: expected,
                found: bytes.get(len).copied(),
            })
        }
    }
}

/// The number of the next line that holds a well-formed record `seq`, if one does.
fn find<R: Read>(lines: &mut LineReader<R>, seq: Seq) -> Option<u64> {
    while let Ok(Next::Line { number, .. }) = lines.next() {
        if decode_line(lines.line()).is_ok_and(|l| l.seq == seq) {
            return Some(number);
        }
    }
    None
}

/// Completes a sequence error whose expected record is missing here: is it further on?
fn locate<R: Read>(error: OpenError, lines: &mut LineReader<R>) -> OpenError {
    let OpenError::Sequence {
        line,
        offset,
        expected,
        found,
        later: None,
    } = error
    else {
        return error;
    };
    let later = if found > expected {
        find(lines, expected)
    } else {
        None
    };
    OpenError::Sequence {
        line,
        offset,
        expected,
        found,
        later,
    }
}

#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(default, borrow)]
    format: Option<Cow<'a, str>>,
}

/// A line that passed every check that does not need the state, with its record decoded.
pub(crate) struct Checked {
    /// The record.
    pub(crate) record: Record,
    /// Its batch marker.
    pub(crate) more: u64,
    /// The chain hash after it.
    pub(crate) hash: ChainHash,
    /// Where the event's stored bytes are in the line.
    pub(crate) event: Range<usize>,
}

/// Checks one complete line and adds its record to the ledger; returns its batch marker.
fn check_line(
    ledger: &mut Ledger,
    bytes: &[u8],
    number: u64,
    offset: u64,
    more_before: u64,
) -> Result<u64, OpenError> {
    let checked = read_line(bytes, number, offset, ledger.head(), more_before)?;
    let stored = bytes.get(checked.event.clone()).unwrap_or_default();
    fold_line(ledger, &checked, stored, number, offset, None)?;
    Ok(checked.more)
}

/// Checks everything about one complete line that does not need the state, for a line that
/// follows `head` and a line whose batch marker is `more_before`: its form, its CRC, where the
/// format is named, its sequence number, its batch marker, its chain hash, and that its event
/// decodes.
pub(crate) fn read_line(
    bytes: &[u8],
    number: u64,
    offset: u64,
    head: Head,
    more_before: u64,
) -> Result<Checked, OpenError> {
    if number == 1
        && let Ok(Probe {
            format: Some(found),
        }) = serde_json::from_slice::<Probe<'_>>(bytes)
        && found != FORMAT
    {
        return Err(OpenError::UnsupportedFormat {
            found: found.chars().take(MAX_MESSAGE).collect(),
        });
    }
    if number == 1 && decode_line(bytes).is_err() {
        not_a_log(bytes, usize::MAX)?;
    }
    let malformed = |source| OpenError::Malformed {
        line: number,
        offset,
        source,
    };
    let line = decode_line(bytes).map_err(|e| match e {
        LineError::Crc {
            seq,
            stored,
            computed,
        } => OpenError::Crc {
            line: number,
            offset,
            seq,
            stored,
            computed,
        },
        other => malformed(other),
    })?;
    match (number, line.format) {
        (1, None) => return Err(OpenError::MissingFormat),
        (1, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(malformed(LineError::NotCanonical {
                detail: "only the first line names the format",
            }));
        }
    }
    let expected = Seq(head.version.saturating_add(1));
    if line.seq != expected {
        return Err(OpenError::Sequence {
            line: number,
            offset,
            expected,
            found: line.seq,
            later: None,
        });
    }
    if more_before > 0 && line.more != more_before - 1 {
        return Err(OpenError::Batch {
            line: number,
            offset,
            seq: line.seq,
            expected: more_before - 1,
            found: line.more,
        });
    }
    let computed = head.hash.link(line.seq, line.event.as_bytes());
    if computed != line.hash {
        return Err(OpenError::Chain {
            line: number,
            offset,
            seq: line.seq,
            stored: line.hash,
            computed,
        });
    }
    let start = event_start(bytes, line.event);
    let event: Event = serde_json::from_str(line.event).map_err(|e| OpenError::InvalidEvent {
        line: number,
        offset,
        seq: line.seq,
        message: parser_message(&e, start),
    })?;
    Ok(Checked {
        record: Record::new(line.seq, event),
        more: line.more,
        hash: computed,
        event: start..start + line.event.len(),
    })
}

/// Folds a checked line's record into the ledger (with what was verified ahead of it, if
/// anything): the rules must accept it. `stored` is its event's stored bytes.
pub(crate) fn fold_line(
    ledger: &mut Ledger,
    checked: &Checked,
    stored: &[u8],
    number: u64,
    offset: u64,
    hint: Option<Verified>,
) -> Result<(), OpenError> {
    let record = &checked.record;
    let hinted = hint.is_some();
    if hinted {
        ledger.state.set_hint(hint);
    }
    let applied = ledger.state.apply(record);
    if hinted {
        ledger.state.set_hint(None);
    }
    applied.map_err(|reason| OpenError::Refused {
        line: number,
        offset,
        seq: record.seq,
        id: record.event.id,
        reason,
    })?;
    ledger.push_stored(checked.hash, stored);
    Ok(())
}

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

use serde::Deserialize;

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::Ledger;
use crate::state::AgreementState;
use crate::store::file::error::{OpenError, OpenReport, TornTail};
use crate::store::file::format::{FORMAT, LineError, decode_line, event_start, parser_message};
use crate::store::file::lines::{LineReader, Next};
use crate::store::file::options::FileLogOptions;
use crate::store::file::tail::{self, Shape};

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
    mut reader: R,
    options: &FileLogOptions,
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
    let first = pass(&mut reader, start.clone(), max, None)?;
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
    let second = pass(&mut reader, start, max, Some(batch))?;
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
        match lines.next().map_err(OpenError::io("reading the log"))? {
            Next::End => {
                pass.total = lines.offset();
                return Ok(pass);
            }
            Next::Tail {
                number,
                offset,
                len,
            } => {
                if tail(&mut pass, lines.line(), number, offset, more)? {
                    pass.open_batch.get_or_insert(offset);
                }
                pass.total = offset + len;
                return Ok(pass);
            }
            Next::TooLong { number, offset } => {
                if number == 1 {
                    not_a_log(lines.line(), lines.line().len())?;
                }
                return Err(OpenError::RecordTooLarge {
                    line: number,
                    offset,
                    max,
                });
            }
            Next::Line { number, offset } => {
                let before = more;
                more = check_line(&mut pass.ledger, lines.line(), number, offset, before)
                    .map_err(|e| locate(e, &mut lines))?;
                if before == 0 && more > 0 {
                    pass.open_batch = Some(offset);
                } else if more == 0 {
                    pass.open_batch = None;
                }
                pass.offsets.push(offset);
                pass.end = lines.offset();
            }
        }
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

/// Checks one complete line and adds its record to the ledger; returns its batch marker.
fn check_line(
    ledger: &mut Ledger,
    bytes: &[u8],
    number: u64,
    offset: u64,
    more_before: u64,
) -> Result<u64, OpenError> {
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
    let head = ledger.head();
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
    let event: Event = serde_json::from_str(line.event).map_err(|e| OpenError::InvalidEvent {
        line: number,
        offset,
        seq: line.seq,
        message: parser_message(&e, event_start(bytes, line.event)),
    })?;
    let record = Record::new(line.seq, event);
    ledger
        .state
        .apply(&record)
        .map_err(|reason| OpenError::Refused {
            line: number,
            offset,
            seq: record.seq,
            id: record.event.id,
            reason,
        })?;
    ledger.push_stored(computed, line.event.as_bytes());
    Ok(line.more)
}

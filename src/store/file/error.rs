//! What opening (and verifying) a log file can report: the open report, and the typed errors
//! that name where the damage is.

use std::fs::FileType;
use std::io;
use std::path::PathBuf;

use crate::id::{EventId, Seq};
use crate::log::{ChainHash, Head};
use crate::state::Rejection;
use crate::store::file::format::{FORMAT, LineError};

/// What opening a log found: how many records it verified, its head, and the torn tail it
/// dropped, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenReport {
    /// Records verified and kept.
    pub records: u64,
    /// The head after the last record kept.
    pub head: Head,
    /// What a crash left at the end of the file, if anything.
    pub torn: Option<TornTail>,
}

/// The end of a file that a crash left unfinished: after the last newline, the beginning of
/// the line due there (byte for byte), perhaps followed by zero bytes; and the complete lines
/// of a batch whose last record is missing. Never acknowledged to a writer. Anything else at
/// the end is an error, never a torn tail (`docs/format.md` states the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TornTail {
    /// The byte offset where the kept log ends and the dropped bytes begin.
    pub offset: u64,
    /// How many bytes were dropped.
    pub bytes: u64,
    /// How many complete records of an unfinished batch were among them.
    pub records: u64,
    /// The last sequence number kept (0 when nothing was kept).
    pub last_seq_kept: u64,
    /// Whether the file was cut at `offset` (an open for writing) or left as it is (a
    /// read-only open, or [`crate::store::verify`]).
    pub cut: bool,
}

/// Why a log could not be created, opened or verified. Damage names the line (from 1), the
/// byte offset of its first byte, and the sequence number where one could be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// An input/output error.
    #[error("i/o error while {action}: {source}")]
    Io {
        /// What the store was doing.
        action: &'static str,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// Another handle (in this or another process) has the log open for writing.
    #[error("{path} is locked: another handle has it open for writing")]
    Locked {
        /// The log file.
        path: PathBuf,
    },
    /// `create` found a file already there.
    #[error("{path} already exists; open it instead")]
    AlreadyExists {
        /// The file.
        path: PathBuf,
    },
    /// The downstream rules in the options cannot be used together.
    #[error("the downstream rules cannot be used: {0}")]
    Rules(#[source] crate::sanction::ConfigError),
    /// A line is longer than the maximum record size (it was not read whole).
    #[error(
        "line {line} (byte offset {offset}) is longer than the maximum record size of {max} bytes"
    )]
    RecordTooLarge {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The maximum, in bytes.
        max: usize,
    },
    /// The first line names another format (or another version of this one).
    #[error("line 1 (byte offset 0) names format {found:?}; this crate reads {FORMAT:?}")]
    UnsupportedFormat {
        /// The identifier found.
        found: String,
    },
    /// The first line does not name the format.
    #[error("line 1 (byte offset 0) does not name the format {FORMAT:?}")]
    MissingFormat,
    /// The file does not begin as every log does (`{"format":"ceasefire-log-v1",`): it is not
    /// a log of this crate, or its first bytes are damaged. Refused before anything is changed.
    #[error(
        "not a ceasefire log: line 1 (byte offset 0) does not begin like a record of format {FORMAT:?} (it begins {begins:?})"
    )]
    NotALog {
        /// The first bytes of line 1 (at most 32, invalid UTF-8 replaced).
        begins: String,
    },
    /// The path names something other than a regular file: a directory, a named pipe, a
    /// device, a socket. Refused before it is read.
    #[error(
        "{path} is {}, not a regular file: a log is always a regular file",
        describe(file_type)
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is.
        file_type: FileType,
    },
    /// The last line is a whole, valid record, but its newline is missing or damaged. It may
    /// have been acknowledged, so it is never cut as a torn tail: restore its newline if it
    /// was (a published head that counts it says so), or cut the file at `offset` by hand.
    #[error(
        "line {line} (byte offset {offset}, record {seq}) is a whole record without its newline ({}): it may have been acknowledged, so it is not cut",
        describe_end(*.found)
    )]
    Unterminated {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number of the record.
        seq: Seq,
        /// The byte found where its newline belongs (`None`: the file ends there).
        found: Option<u8>,
    },
    /// The bytes after the last newline are not what a crash can leave there (the beginning
    /// of the record due, possibly followed by zero bytes), so they are not cut.
    #[error(
        "line {line} (byte offset {offset}): the {bytes} bytes after the last newline are not the beginning of record {expected} (the byte at offset {at} cannot be there); a crash leaves nothing else there, so they are not cut"
    )]
    TrailingBytes {
        /// The line they would be.
        line: u64,
        /// Their byte offset.
        offset: u64,
        /// How many bytes there are.
        bytes: u64,
        /// The byte offset of the first byte that cannot be there.
        at: u64,
        /// The sequence number of the record due there.
        expected: Seq,
    },
    /// A line that is not a well-formed record.
    #[error("line {line} (byte offset {offset}) is malformed: {source}")]
    Malformed {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// What is wrong with it.
        #[source]
        source: LineError,
    },
    /// The line's sequence number, batch marker and event bytes do not have the CRC it
    /// states: the line was damaged.
    #[error(
        "line {line} (byte offset {offset}, record {seq}): crc32c mismatch (stored {stored:08x}, computed {computed:08x})"
    )]
    Crc {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number the line states.
        seq: Seq,
        /// The CRC the line states.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// A sequence number out of place: records out of order (`found` > `expected`, and
    /// record `expected` is further on, at line `later`), missing (`found` > `expected`, and
    /// `later` is `None`), or repeated (`found` < `expected`).
    #[error("line {line} (byte offset {offset}) holds record {found} where {expected} belongs: {}", sequence_hint(*.expected, *.found, *.later))]
    Sequence {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The number that belongs there.
        expected: Seq,
        /// The number found.
        found: Seq,
        /// The line further on that holds record `expected`, if one does.
        later: Option<u64>,
    },
    /// A batch marker that does not continue the previous line's.
    #[error(
        "line {line} (byte offset {offset}, record {seq}): batch marker {found} where {expected} belongs"
    )]
    Batch {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number.
        seq: Seq,
        /// The marker that belongs there.
        expected: u64,
        /// The marker found.
        found: u64,
    },
    /// The chain hash does not follow from the previous record's and this record's bytes:
    /// the record was altered (its CRC recomputed), or the file was spliced.
    #[error(
        "line {line} (byte offset {offset}, record {seq}): chain hash mismatch (stored {stored}, computed {computed})"
    )]
    Chain {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number.
        seq: Seq,
        /// The hash the line states.
        stored: ChainHash,
        /// The hash computed from the previous hash and this record.
        computed: ChainHash,
    },
    /// The event's bytes are intact but are not an event this crate reads.
    #[error(
        "line {line} (byte offset {offset}, record {seq}): the event does not decode: {message}"
    )]
    InvalidEvent {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number.
        seq: Seq,
        /// What the decoder says.
        message: String,
    },
    /// The rules refuse the record: the log was not written by a store of this crate with
    /// these rules.
    #[error("line {line} (byte offset {offset}): record {seq} (event {id}) is refused: {reason}")]
    Refused {
        /// The line.
        line: u64,
        /// Its byte offset.
        offset: u64,
        /// The sequence number.
        seq: Seq,
        /// The event id.
        id: EventId,
        /// The rule it breaks.
        reason: Rejection,
    },
}

fn sequence_hint(expected: Seq, found: Seq, later: Option<u64>) -> String {
    let (e, f) = (expected.get(), found.get());
    match later {
        _ if f == 0 => "sequence numbers start at 1".to_owned(),
        _ if f < e => format!("record {found} is repeated (line {f} holds it already)"),
        Some(at) => format!("the lines are out of order (record {expected} is at line {at})"),
        None if f == e + 1 => format!("record {expected} is missing"),
        None => format!("records {expected} to {} are missing", Seq(f - 1)),
    }
}

fn describe(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (fifo)";
        } else if file_type.is_socket() {
            return "a socket";
        } else if file_type.is_char_device() {
            return "a character device";
        } else if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "something else"
    }
}

fn describe_end(found: Option<u8>) -> String {
    match found {
        None => "the file ends there".to_owned(),
        Some(byte) => format!("byte {byte:#04x} in its place"),
    }
}

impl OpenError {
    /// The line (from 1) the error is about, if it is about one.
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        self.position().map(|(line, _)| line)
    }

    /// The byte offset of the start of the line the error is about, if it is about one.
    #[must_use]
    pub fn offset(&self) -> Option<u64> {
        self.position().map(|(_, offset)| offset)
    }

    /// The sequence number the damaged line states, where it could be read.
    #[must_use]
    pub fn seq(&self) -> Option<Seq> {
        match self {
            OpenError::Crc { seq, .. }
            | OpenError::Batch { seq, .. }
            | OpenError::Chain { seq, .. }
            | OpenError::InvalidEvent { seq, .. }
            | OpenError::Refused { seq, .. }
            | OpenError::Unterminated { seq, .. } => Some(*seq),
            OpenError::Sequence { found, .. } => Some(*found),
            _ => None,
        }
    }

    fn position(&self) -> Option<(u64, u64)> {
        match self {
            OpenError::RecordTooLarge { line, offset, .. }
            | OpenError::Malformed { line, offset, .. }
            | OpenError::Crc { line, offset, .. }
            | OpenError::Sequence { line, offset, .. }
            | OpenError::Batch { line, offset, .. }
            | OpenError::Chain { line, offset, .. }
            | OpenError::InvalidEvent { line, offset, .. }
            | OpenError::Refused { line, offset, .. }
            | OpenError::Unterminated { line, offset, .. }
            | OpenError::TrailingBytes { line, offset, .. } => Some((*line, *offset)),
            OpenError::UnsupportedFormat { .. }
            | OpenError::MissingFormat
            | OpenError::NotALog { .. } => Some((1, 0)),
            _ => None,
        }
    }

    pub(crate) fn io(action: &'static str) -> impl FnOnce(io::Error) -> OpenError {
        move |source| OpenError::Io { action, source }
    }
}

//! Open on two threads. This thread reads the file and does, line by line, everything that does
//! not need the state: it splits the lines, checks their form, CRC, sequence numbers, batch
//! markers and chain hashes, decodes the events, and (for a signed log) verifies signatures
//! ahead as replay does. A second thread folds the records into the ledger, in order, and ends
//! the pass exactly as the single-threaded loop does.
//!
//! Lines travel in chunks of [`CHUNK`]: each line's bytes are copied once, from the read buffer
//! into the chunk, and the ledger takes the event's stored bytes from there. Chunks come back
//! to be emptied (the records freed where they were made) and filled again. The error reported is the one for the earliest line: the reader stops
//! at the first line it refuses and sends what comes before it, followed by its error; the
//! folder reports that error only once every earlier line is folded, and stops at the first
//! record the rules refuse, which ends the reader too.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::event::Record;
use crate::log::Head;
use crate::replay::preverify::Ahead;
use crate::state::Verified;
use crate::store::file::error::OpenError;
use crate::store::file::lines::{LineReader, Next};

use super::{Checked, Last, Pass, finish, fold_line, kept, locate, read_line, too_long};

/// How many lines travel together from the reader to the folder.
pub(crate) const CHUNK: usize = 512;

/// How many chunks may wait for the folder.
const DEPTH: usize = 4;

/// A checked line waiting to be folded.
struct Item {
    number: u64,
    offset: u64,
    /// Where the next line starts in the file.
    end: u64,
    /// Where the line starts in the chunk's bytes.
    start: usize,
    checked: Checked,
    /// What was verified ahead for its signature.
    hint: Option<Verified>,
}

/// How the reader's part of a pass ends, after the chunk's lines.
enum Ending {
    /// The end of the file, or of the limit: `total` bytes read.
    End { total: u64 },
    /// Bytes after the last newline.
    Tail {
        bytes: Vec<u8>,
        number: u64,
        offset: u64,
        len: u64,
    },
    /// The first line the reader refuses, or a read error.
    Failed(OpenError),
}

/// Lines for the folder: their bytes, one after another, and what was read from each.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    items: Vec<Item>,
    /// Set on the last chunk of the pass.
    last: Option<Ending>,
}

/// Continues `pass` (whose last complete line had batch marker `more`) with the rest of
/// `lines`, on two threads, and ends it.
pub(super) fn rest<R: Read>(
    mut lines: LineReader<R>,
    pass: Pass,
    more: u64,
    max: usize,
) -> Result<Pass, OpenError> {
    let head = pass.ledger.head();
    let ahead = Ahead::new(&pass.ledger.state);
    let (to_fold, to_read) = sync_channel::<Chunk>(DEPTH);
    let (give_back, returned) = sync_channel::<Chunk>(DEPTH + 2);
    std::thread::scope(|scope| {
        let folder = std::thread::Builder::new()
            .name("ceasefire-fold".into())
            .spawn_scoped(scope, move || fold(pass, more, &to_read, &give_back))
            .map_err(OpenError::io("starting the thread that folds the log"))?;
        read(&mut lines, head, more, ahead, max, &to_fold, &returned);
        drop(to_fold);
        match folder.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The reader's side: checks lines after `head` and sends them on until the pass ends, a line
/// is refused, or the folder has stopped.
fn read<R: Read>(
    lines: &mut LineReader<R>,
    mut head: Head,
    mut more: u64,
    mut ahead: Ahead,
    max: usize,
    to_fold: &SyncSender<Chunk>,
    returned: &Receiver<Chunk>,
) {
    let mut chunk = Chunk::default();
    loop {
        let start = chunk.bytes.len();
        let ending = match lines.next_into(&mut chunk.bytes) {
            Err(e) => Ending::Failed(OpenError::io("reading the log")(e)),
            Ok(Next::Line { number, offset }) => {
                let line = chunk.bytes.get(start..).unwrap_or_default();
                match read_line(line, number, offset, head, more) {
                    Ok(checked) => {
                        head = Head {
                            version: checked.record.seq.get(),
                            hash: checked.hash,
                        };
                        more = checked.more;
                        chunk.items.push(Item {
                            number,
                            offset,
                            end: lines.offset(),
                            start,
                            checked,
                            hint: None,
                        });
                        if chunk.items.len() >= CHUNK {
                            let empty = returned.try_recv().map_or_else(
                                |_| Chunk::default(),
                                |mut c| {
                                    c.bytes.clear();
                                    c.items.clear();
                                    c
                                },
                            );
                            let full = std::mem::replace(&mut chunk, empty);
                            if !send(full, &mut ahead, to_fold) {
                                return;
                            }
                        }
                        continue;
                    }
                    Err(e) => Ending::Failed(locate(e, lines)),
                }
            }
            Ok(Next::End) => Ending::End {
                total: lines.offset(),
            },
            Ok(Next::Tail {
                number,
                offset,
                len,
            }) => Ending::Tail {
                bytes: chunk.bytes.get(start..).unwrap_or_default().to_vec(),
                number,
                offset,
                len,
            },
            Ok(Next::TooLong { number, offset }) => Ending::Failed(too_long(
                chunk.bytes.get(start..).unwrap_or_default(),
                number,
                offset,
                max,
            )),
        };
        chunk.bytes.truncate(start);
        chunk.last = Some(ending);
        send(chunk, &mut ahead, to_fold);
        return;
    }
}

/// Verifies the chunk's signatures ahead (nothing for an unsigned log) and hands it to the
/// folder; `false` if the folder has stopped.
fn send(mut chunk: Chunk, ahead: &mut Ahead, to_fold: &SyncSender<Chunk>) -> bool {
    let records: Vec<&Record> = chunk.items.iter().map(|i| &i.checked.record).collect();
    let hints = ahead.window(&records);
    drop(records);
    for (item, hint) in chunk.items.iter_mut().zip(hints) {
        item.hint = Some(hint);
    }
    to_fold.send(chunk).is_ok()
}

/// The folder's side: folds every line it is sent, in order, and ends the pass.
fn fold(
    mut pass: Pass,
    mut more: u64,
    to_read: &Receiver<Chunk>,
    give_back: &SyncSender<Chunk>,
) -> Result<Pass, OpenError> {
    for mut chunk in to_read {
        for item in &mut chunk.items {
            let stored = chunk
                .bytes
                .get(item.start..)
                .and_then(|line| line.get(item.checked.event.clone()))
                .unwrap_or_default();
            fold_line(
                &mut pass.ledger,
                &item.checked,
                stored,
                item.number,
                item.offset,
                item.hint.take(),
            )?;
            more = kept(&mut pass, more, item.checked.more, item.offset, item.end);
        }
        match chunk.last.take() {
            None => {}
            Some(Ending::End { total }) => return finish(pass, more, Last::End { total }),
            Some(Ending::Tail {
                bytes,
                number,
                offset,
                len,
            }) => {
                let last = Last::Tail {
                    bytes: &bytes,
                    number,
                    offset,
                    len,
                };
                return finish(pass, more, last);
            }
            Some(Ending::Failed(e)) => return Err(e),
        }
        // The reader empties it: the records are freed on the thread that made them. A full
        // return channel drops the chunk here, and the reader makes another.
        let _ = give_back.try_send(chunk);
    }
    // The reader always ends with an ending unless it stopped early.
    Err(OpenError::io("reading the log")(io::Error::other(
        "the reading thread stopped before the end of the log",
    )))
}

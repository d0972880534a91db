//! The embedded log file: one append-only JSON Lines file per agreement, durable on every
//! acknowledged append, verified record by record when it is opened. The format and the
//! promises are set out in `docs/format.md`.

mod backend;
mod error;
mod format;
mod lines;
mod options;
mod records;
mod scan;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::event::{Event, Record};
use crate::id::Seq;
use crate::log::{Admission, ChainHash, ExpectedVersion, Head, Ledger, Store, StoreError};
use crate::state::AgreementState;

use backend::{Backend, Cursor, RealFile, read_exact_at, write_all_at};
use lines::{LineReader, Next};
use records::{corrupt, reread};

pub use error::{OpenError, OpenReport, TornTail};
pub use format::{FORMAT, Line, LineError, decode_line};
pub use options::{DEFAULT_MAX_RECORD_SIZE, FileLogOptions};
pub use records::Records;

/// A log verified from start to end: what it holds and the state it adds up to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified {
    /// The records, the head and the torn tail (never cut here).
    pub report: OpenReport,
    /// The state after the last whole record.
    pub state: AgreementState,
}

/// Verifies a whole log file read from `reader` without opening it as a store and without
/// changing it: every record's form, CRC, sequence number, batch marker, chain hash, and that
/// the rules accept it. Use it to check a copy of a log that was sent to you.
///
/// ```
/// use std::io::Cursor;
/// use ceasefire::store::{FileLogOptions, verify};
///
/// let verified = verify(Cursor::new(Vec::new()), &FileLogOptions::new()).expect("empty log");
/// assert_eq!(verified.report.records, 0);
/// ```
///
/// # Errors
/// The first damage found, as an [`OpenError`] naming the line, or a read error.
pub fn verify<R: Read + Seek>(reader: R, options: &FileLogOptions) -> Result<Verified, OpenError> {
    let scanned = scan::scan(reader, options)?;
    Ok(Verified {
        report: scanned.report(),
        state: scanned.ledger.state,
    })
}

struct Inner {
    backend: Box<dyn Backend>,
    ledger: Ledger,
    /// `offsets[i]` is where the line of record `i + 1` starts.
    offsets: Vec<u64>,
    /// The length of the file as far as it is durable and verified: where the next line goes.
    end: u64,
    /// A write or sync failed: no more appends through this handle.
    poisoned: bool,
}

/// An append-only log in one file, implementing [`Store`].
///
/// Open it for writing with [`FileLog::create`] or [`FileLog::open`] (one writer at a time,
/// enforced with an OS file lock), or for reading with [`FileLog::open_read_only`]. Every
/// opening verifies every record. `append` returns only once the record is on disk
/// (`sync_data` has returned); a batch is written with one sync and is all-or-nothing, even
/// across a crash. If a write or sync fails, the file is cut back to its last durable length
/// and the handle refuses further appends ([`StoreError::Poisoned`]) until the log is opened
/// again.
///
/// The store keeps the state, and per record its chain hash and byte offset, in memory; the
/// events stay on disk. Share it between threads behind an `Arc`; appends are serialized.
///
/// ```
/// use ceasefire::store::{FileLog, FileLogOptions};
/// use ceasefire::Store;
///
/// let dir = tempfile::tempdir().expect("temporary directory");
/// let path = dir.path().join("moratorium.log");
/// let log = FileLog::create(&path, FileLogOptions::new()).expect("created");
/// assert_eq!(log.head().expect("head").version, 0);
/// drop(log);
/// let (log, report) = FileLog::open(&path, FileLogOptions::new()).expect("opened");
/// assert_eq!(report.records, 0);
/// assert!(report.torn.is_none());
/// # drop(log);
/// ```
pub struct FileLog {
    path: PathBuf,
    max: usize,
    read_only: bool,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for FileLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head = self.head().ok();
        f.debug_struct("FileLog")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .field("head", &head)
            .finish()
    }
}

fn lock(file: &File, path: &Path) -> Result<(), OpenError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(OpenError::Locked {
            path: path.to_path_buf(),
        }),
        Err(TryLockError::Error(source)) => Err(OpenError::Io {
            action: "locking the log file",
            source,
        }),
    }
}

fn sync_parent(path: &Path) -> Result<(), OpenError> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if cfg!(unix) {
        File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(OpenError::io("syncing the directory"))?;
    }
    Ok(())
}

impl FileLog {
    /// Creates a new, empty log file, locked for writing. The file and its directory are
    /// synced before this returns.
    ///
    /// # Errors
    /// [`OpenError::AlreadyExists`] if the file exists, [`OpenError::Locked`],
    /// [`OpenError::Rules`] if two downstream rules share an id, or [`OpenError::Io`].
    pub fn create(path: impl AsRef<Path>, options: FileLogOptions) -> Result<FileLog, OpenError> {
        let path = path.as_ref().to_path_buf();
        AgreementState::new()
            .with_rules(options.rules().clone())
            .map_err(OpenError::Rules)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|source| match source.kind() {
                io::ErrorKind::AlreadyExists => OpenError::AlreadyExists { path: path.clone() },
                _ => OpenError::Io {
                    action: "creating the log file",
                    source,
                },
            })?;
        lock(&file, &path)?;
        file.sync_all()
            .map_err(OpenError::io("syncing the new log file"))?;
        sync_parent(&path)?;
        let backend = RealFile {
            file,
            path: path.clone(),
        };
        let (log, _) = FileLog::from_backend(Box::new(backend), path, options, false)?;
        Ok(log)
    }

    /// Opens a log file for writing: locks it, verifies every record, and cuts off a torn
    /// tail (reported in the [`OpenReport`]; the cut is synced before this returns).
    ///
    /// # Errors
    /// [`OpenError::Locked`] if another handle has it open for writing, an error naming the
    /// first damaged line, [`OpenError::Rules`], or [`OpenError::Io`].
    pub fn open(
        path: impl AsRef<Path>,
        options: FileLogOptions,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(OpenError::io("opening the log file"))?;
        lock(&file, &path)?;
        let backend = RealFile {
            file,
            path: path.clone(),
        };
        FileLog::from_backend(Box::new(backend), path, options, false)
    }

    /// Opens a log file for reading only, without a lock and without changing it: it sees
    /// the records that were whole when it was opened (a writer may be appending meanwhile).
    /// A torn tail is reported but left in place. Appends return [`StoreError::ReadOnly`].
    ///
    /// # Errors
    /// An error naming the first damaged line, [`OpenError::Rules`], or [`OpenError::Io`].
    pub fn open_read_only(
        path: impl AsRef<Path>,
        options: FileLogOptions,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(OpenError::io("opening the log file"))?;
        let backend = RealFile {
            file,
            path: path.clone(),
        };
        FileLog::from_backend(Box::new(backend), path, options, true)
    }

    pub(crate) fn from_backend(
        mut backend: Box<dyn Backend>,
        path: PathBuf,
        options: FileLogOptions,
        read_only: bool,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        let mut scanned = scan::scan(Cursor::new(&mut *backend), &options)?;
        if !read_only && let Some(tail) = scanned.tail.as_mut() {
            backend
                .truncate(scanned.end)
                .map_err(OpenError::io("cutting off the torn tail"))?;
            backend.sync().map_err(OpenError::io("syncing the cut"))?;
            tail.cut = true;
        }
        let report = scanned.report();
        let log = FileLog {
            path,
            max: options.max_record_size(),
            read_only,
            inner: Mutex::new(Inner {
                backend,
                ledger: scanned.ledger,
                offsets: scanned.offsets,
                end: scanned.end,
                poisoned: false,
            }),
        };
        Ok((log, report))
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this handle was opened read-only.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Streams the records, from the first, as they are now, through a read handle of its
    /// own (the file is opened again by its path). Appends made meanwhile are not seen.
    ///
    /// ```
    /// # use ceasefire::store::{FileLog, FileLogOptions};
    /// # let dir = tempfile::tempdir().expect("temporary directory");
    /// # let log = FileLog::create(dir.path().join("a.log"), FileLogOptions::new()).expect("created");
    /// let mut state = ceasefire::AgreementState::new();
    /// for record in log.records().expect("readable") {
    ///     let record = record.expect("intact");
    ///     state.apply(&record).expect("verified on open");
    /// }
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Io`] if the file cannot be opened again; each item, a read error or
    /// [`StoreError::Corrupt`].
    pub fn records(&self) -> Result<Records, StoreError> {
        let inner = self.lock()?;
        let reader = inner.backend.reader().map_err(|source| StoreError::Io {
            action: "opening a read handle",
            source,
        })?;
        Ok(Records::new(
            reader,
            self.max,
            inner.end,
            inner.ledger.head(),
        ))
    }

    /// Runs `f` on the current state without copying it.
    ///
    /// # Errors
    /// [`StoreError::Poisoned`] if a thread panicked while appending.
    pub fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        Ok(f(&self.lock()?.ledger.state))
    }

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
            Admission::New(staged) => staged,
        };
        let mut buf = Vec::new();
        let mut starts = Vec::with_capacity(staged.records.len());
        let mut more = staged.records.len() as u64;
        for (record, bytes, hash) in &staged.records {
            more -= 1;
            let start = buf.len();
            format::encode_line(&mut buf, record.seq, more, hash, bytes);
            let size = buf.len() - start - 1;
            if size > self.max {
                return Err(StoreError::TooLarge {
                    id: record.event.id,
                    size: size as u64,
                    max: self.max as u64,
                });
            }
            starts.push(end + start as u64);
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
}

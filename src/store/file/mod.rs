//! The embedded log file: one append-only JSON Lines file per agreement, durable on every
//! acknowledged append, verified record by record when it is opened. The format and the
//! promises are set out in `docs/format.md`.

mod backend;
mod error;
mod format;
mod lines;
mod log;
mod options;
mod records;
mod regular;
mod scan;
#[cfg(test)]
mod sim;
mod tail;
#[cfg(test)]
mod tests;

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::log::{Ledger, Store, StoreError};
use crate::state::AgreementState;

use backend::{Backend, Cursor, RealFile};

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
    /// Nothing is changed unless the file verifies: a file that is not a log
    /// ([`OpenError::NotALog`]) or whose end is not what a crash can leave is refused as it is.
    ///
    /// # Errors
    /// [`OpenError::NotAFile`] for anything but a regular file, [`OpenError::Locked`] if
    /// another handle has it open for writing, an error naming the first damaged line,
    /// [`OpenError::Rules`], or [`OpenError::Io`].
    pub fn open(
        path: impl AsRef<Path>,
        options: FileLogOptions,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        let path = path.as_ref().to_path_buf();
        let file = regular::open(&path, true)?;
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
    /// A last record found without its newline ([`OpenError::Unterminated`]) is looked at a
    /// second time before the open is refused, in case a writer was between the two.
    ///
    /// # Errors
    /// [`OpenError::NotAFile`] for anything but a regular file, an error naming the first
    /// damaged line, [`OpenError::Rules`], or [`OpenError::Io`].
    pub fn open_read_only(
        path: impl AsRef<Path>,
        options: FileLogOptions,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        let path = path.as_ref().to_path_buf();
        let open = |options| {
            let backend = RealFile {
                file: regular::open(&path, false)?,
                path: path.clone(),
            };
            FileLog::from_backend(Box::new(backend), path.clone(), options, true)
        };
        match open(options.clone()) {
            // A writer at work may have written a record's last byte but not yet its newline
            // when this read reached it: look once more before refusing.
            Err(OpenError::Unterminated { .. }) => open(options),
            opened => opened,
        }
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
        self.inner.lock().map_err(|_| StoreError::LockPoisoned)
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
    /// [`StoreError::LockPoisoned`] if a thread panicked while appending.
    pub fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        Ok(f(&self.lock()?.ledger.state))
    }
}

//! A simulated disk for tests: it keeps what was synced apart from what was only written, and
//! fails, runs short or "crashes" on demand. After a crash, [`SimDisk::image`] gives what the
//! disk could hold when the machine comes back: everything synced, and of the bytes written
//! since, nothing, a prefix, or a prefix whose incomplete last line is zeros (or, to test that it
//! is refused, other garbage).

use std::io::{self, Cursor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::store::file::backend::{Backend, ReadSeek};
use crate::store::file::{FileLog, FileLogOptions, OpenError, OpenReport};

/// A fault to inject. Operations are counted from 1: writes and syncs separately, and all of
/// writes, syncs and truncations together for crashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The n-th operation does not happen, nor any after it: the process died there.
    CrashAt(u64),
    /// The n-th write fails with an I/O error, writing nothing; with `permanent`, every later
    /// write too.
    WriteError { at: u64, permanent: bool },
    /// The n-th sync fails; nothing becomes durable.
    SyncError { at: u64, permanent: bool },
    /// Writes beyond `capacity` bytes write what fits, then fail with "storage full"; unless
    /// `permanent`, the space comes back after the first refusal.
    DiskFull { capacity: usize, permanent: bool },
    /// Every write writes at most `chunk` bytes (short writes, not errors).
    ShortWrites { chunk: usize },
    /// The n-th write writes nothing and reports 0 bytes written.
    ZeroWrite { at: u64 },
    /// Every truncation fails.
    TruncateError,
    /// Every read fails.
    ReadError,
}

/// What the disk holds after a crash, of the bytes written since the last sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aftermath {
    /// None of them.
    Drop,
    /// The first `n` of them.
    Tear(usize),
    /// The first `n` of them, with the bytes after their last newline replaced by `fill`
    /// (never a newline). With 0, a torn line whose block was allocated but never written,
    /// which a crash can leave; with anything else, garbage a crash does not leave.
    Garble(usize, u8),
}

#[derive(Default, Debug)]
struct Disk {
    current: Vec<u8>,
    durable: Vec<u8>,
    ops: u64,
    writes: u64,
    syncs: u64,
    faults: Vec<Fault>,
    crashed: bool,
}

/// A simulated disk holding one file; clones share it.
#[derive(Clone, Default, Debug)]
pub(crate) struct SimDisk(Arc<Mutex<Disk>>);

fn dead() -> io::Error {
    io::Error::other("simulated crash: the process is gone")
}

impl SimDisk {
    /// A disk whose file holds `bytes`, all durable.
    pub(crate) fn with(bytes: Vec<u8>) -> SimDisk {
        let disk = SimDisk::default();
        {
            let mut d = disk.lock();
            d.durable = bytes.clone();
            d.current = bytes;
        }
        disk
    }

    fn lock(&self) -> MutexGuard<'_, Disk> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Injects these faults from now on (counters restart).
    pub(crate) fn arm(&self, faults: &[Fault]) {
        let mut d = self.lock();
        d.faults = faults.to_vec();
        d.ops = 0;
        d.writes = 0;
        d.syncs = 0;
    }

    /// Writes, syncs and truncations since the last `arm`.
    pub(crate) fn ops(&self) -> u64 {
        self.lock().ops
    }

    /// Whether the simulated process has crashed.
    pub(crate) fn crashed(&self) -> bool {
        self.lock().crashed
    }

    /// The file as a reader sees it now.
    pub(crate) fn current(&self) -> Vec<u8> {
        self.lock().current.clone()
    }

    /// The file as far as it was synced.
    pub(crate) fn durable(&self) -> Vec<u8> {
        self.lock().durable.clone()
    }

    /// How many bytes were written since the last sync (0 if the file was cut below it).
    pub(crate) fn unsynced(&self) -> Vec<u8> {
        let d = self.lock();
        d.current
            .strip_prefix(d.durable.as_slice())
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }

    /// What the disk holds after a crash now.
    pub(crate) fn image(&self, how: Aftermath) -> Vec<u8> {
        let d = self.lock();
        let Some(unsynced) = d.current.strip_prefix(d.durable.as_slice()) else {
            // The file was cut below its synced length and the cut not synced: either state.
            return match how {
                Aftermath::Drop => d.durable.clone(),
                _ => d.current.clone(),
            };
        };
        let mut out = d.durable.clone();
        match how {
            Aftermath::Drop => {}
            Aftermath::Tear(n) => out.extend(unsynced.iter().take(n)),
            Aftermath::Garble(n, fill) => {
                let kept: Vec<u8> = unsynced.iter().take(n).copied().collect();
                let whole = kept.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                out.extend(kept.iter().take(whole));
                let fill = if fill == b'\n' { 0 } else { fill };
                out.extend(std::iter::repeat_n(fill, kept.len() - whole));
            }
        }
        out
    }

    /// A backend over this disk.
    pub(crate) fn file(&self) -> Box<dyn Backend> {
        Box::new(SimFile(self.clone()))
    }

    /// Opens the simulated file as a log for writing.
    pub(crate) fn open(&self, options: FileLogOptions) -> Result<(FileLog, OpenReport), OpenError> {
        FileLog::from_backend(self.file(), PathBuf::from("simulated.log"), options, false)
    }

    /// Opens it read-only.
    pub(crate) fn open_read_only(
        &self,
        options: FileLogOptions,
    ) -> Result<(FileLog, OpenReport), OpenError> {
        FileLog::from_backend(self.file(), PathBuf::from("simulated.log"), options, true)
    }
}

struct SimFile(SimDisk);

impl Disk {
    /// Counts an operation; fails if the process is (now) dead.
    fn op(&mut self) -> io::Result<()> {
        if self.crashed {
            return Err(dead());
        }
        self.ops += 1;
        if self.has(Fault::CrashAt(self.ops)) {
            self.crashed = true;
            return Err(dead());
        }
        Ok(())
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    /// The write fault that applies to write number `n`, if any.
    fn write_fault(&self, n: u64) -> Option<Fault> {
        self.faults.iter().copied().find(|f| match *f {
            Fault::WriteError { at, permanent } => fires(at, n, permanent),
            Fault::ZeroWrite { at } => n == at,
            Fault::ShortWrites { .. } | Fault::DiskFull { .. } => true,
            _ => false,
        })
    }
}

fn fires(at: u64, count: u64, permanent: bool) -> bool {
    count == at || (permanent && count > at)
}

impl Backend for SimFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<usize> {
        let mut d = self.0.lock();
        d.op()?;
        d.writes += 1;
        let writes = d.writes;
        let mut len = bytes.len();
        match d.write_fault(writes) {
            Some(Fault::WriteError { .. }) => {
                return Err(io::Error::other("simulated i/o error"));
            }
            Some(Fault::ZeroWrite { .. }) => return Ok(0),
            Some(Fault::ShortWrites { chunk }) => len = len.min(chunk.max(1)),
            Some(
                full @ Fault::DiskFull {
                    capacity,
                    permanent,
                },
            ) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let room = capacity.saturating_sub(start);
                if room == 0 {
                    if !permanent {
                        d.faults.retain(|f| *f != full);
                    }
                    return Err(io::Error::from(io::ErrorKind::StorageFull));
                }
                len = len.min(room);
            }
            _ => {}
        }
        let start =
            usize::try_from(offset).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        if start > d.current.len() {
            return Err(io::Error::from(io::ErrorKind::InvalidInput));
        }
        let data = bytes.get(..len).unwrap_or_default();
        let overlap = (d.current.len() - start).min(data.len());
        if let Some(slot) = d.current.get_mut(start..start + overlap) {
            slot.copy_from_slice(data.get(..overlap).unwrap_or_default());
        }
        d.current
            .extend_from_slice(data.get(overlap..).unwrap_or_default());
        Ok(len)
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut d = self.0.lock();
        d.op()?;
        d.syncs += 1;
        let syncs = d.syncs;
        let failing = |f: &Fault| matches!(*f, Fault::SyncError { at, permanent } if fires(at, syncs, permanent));
        if d.faults.iter().any(failing) {
            return Err(io::Error::other("simulated fsync failure"));
        }
        d.durable = d.current.clone();
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        let mut d = self.0.lock();
        d.op()?;
        if d.has(Fault::TruncateError) {
            return Err(io::Error::other("simulated truncate failure"));
        }
        let len = usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        d.current.resize(len, 0);
        Ok(())
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let d = self.0.lock();
        if d.crashed {
            return Err(dead());
        }
        if d.has(Fault::ReadError) {
            return Err(io::Error::other("simulated read failure"));
        }
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let src = d.current.get(start..).unwrap_or_default();
        let n = src.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(src.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn reader(&self) -> io::Result<Box<dyn ReadSeek>> {
        let d = self.0.lock();
        if d.crashed || d.has(Fault::ReadError) {
            return Err(io::Error::other("simulated read failure"));
        }
        Ok(Box::new(Cursor::new(d.current.clone())))
    }
}

//! The file operations the store uses, behind a small trait so that tests can put a simulated
//! disk (one that fails or crashes on demand) where the real file is.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// A byte stream from the start of the file, independent of the writer's handle.
pub(crate) trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// A log file as the store sees it.
pub(crate) trait Backend: Send {
    /// Writes some of `bytes` at `offset` (at most the current length); returns how many.
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<usize>;

    /// Makes everything written so far durable (`sync_data`).
    fn sync(&mut self) -> io::Result<()>;

    /// Cuts the file to `len` bytes.
    fn truncate(&mut self, len: u64) -> io::Result<()>;

    /// Reads some bytes at `offset`; returns how many (0 at the end).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// A new, independent reader of the whole file.
    fn reader(&self) -> io::Result<Box<dyn ReadSeek>>;
}

/// Writes all of `bytes` at `offset`, going on after short writes.
pub(crate) fn write_all_at(backend: &mut dyn Backend, offset: u64, bytes: &[u8]) -> io::Result<()> {
    let mut done = 0;
    while let Some(rest) = bytes.get(done..).filter(|r| !r.is_empty()) {
        match backend.write_at(offset + done as u64, rest) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes at `offset`.
pub(crate) fn read_exact_at(
    backend: &mut dyn Backend,
    offset: u64,
    buf: &mut [u8],
) -> io::Result<()> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
        match backend.read_at(offset + done as u64, rest) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A sequential reader over a backend (for the verification scan on open).
pub(crate) struct Cursor<'a> {
    backend: &'a mut dyn Backend,
    pos: u64,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(backend: &'a mut dyn Backend) -> Cursor<'a> {
        Cursor { backend, pos: 0 }
    }
}

impl Read for Cursor<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.backend.read_at(self.pos, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match pos {
            SeekFrom::Start(p) => self.pos = p,
            SeekFrom::Current(d) => {
                self.pos = self
                    .pos
                    .checked_add_signed(d)
                    .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
            }
            SeekFrom::End(_) => return Err(io::Error::from(io::ErrorKind::Unsupported)),
        }
        Ok(self.pos)
    }
}

/// The real file.
pub(crate) struct RealFile {
    pub(crate) file: File,
    pub(crate) path: PathBuf,
}

impl Backend for RealFile {
    fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<usize> {
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.write(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read(buf)
    }

    fn reader(&self) -> io::Result<Box<dyn ReadSeek>> {
        match crate::store::file::regular::open(&self.path, false) {
            Ok(file) => Ok(Box::new(file)),
            Err(crate::store::file::OpenError::Io { source, .. }) => Err(source),
            Err(other) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                other.to_string(),
            )),
        }
    }
}

//! Opening the log file itself: only a regular file is a log. A directory, a named pipe, a
//! device or a socket is refused before it is opened (by its metadata) and again on the
//! handle (in case the path changed meanwhile). On Unix the file is opened with `O_NONBLOCK`,
//! so that even a named pipe put there in between cannot make the open wait for a writer; the
//! flag has no effect on a regular file.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::store::file::error::OpenError;

/// `O_NONBLOCK` where its value is known without a C library binding (0: not set).
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6"
    )
))]
const O_NONBLOCK: i32 = 0o200;
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    any(target_arch = "sparc", target_arch = "sparc64")
))]
const O_NONBLOCK: i32 = 0x4000;
#[cfg(all(
    any(target_os = "linux", target_os = "android"),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const O_NONBLOCK: i32 = 0x4;
#[cfg(all(
    unix,
    not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ))
))]
const O_NONBLOCK: i32 = 0;

/// Opens the regular file at `path` for reading, and for writing too with `write`.
///
/// # Errors
/// [`OpenError::NotAFile`] if it is anything else, or [`OpenError::Io`].
pub(crate) fn open(path: &Path, write: bool) -> Result<File, OpenError> {
    let before = std::fs::metadata(path).map_err(OpenError::io("opening the log file"))?;
    check(path, &before)?;
    let mut options = OpenOptions::new();
    options.read(true).write(write);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(OpenError::io("opening the log file"))?;
    let after = file
        .metadata()
        .map_err(OpenError::io("reading the log file's metadata"))?;
    check(path, &after)?;
    Ok(file)
}

fn check(path: &Path, metadata: &std::fs::Metadata) -> Result<(), OpenError> {
    if metadata.is_file() {
        Ok(())
    } else {
        Err(OpenError::NotAFile {
            path: path.to_path_buf(),
            file_type: metadata.file_type(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_opens() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("log");
        std::fs::write(&file, b"").expect("written");
        assert!(open(&file, true).is_ok());
        assert!(open(&file, false).is_ok());
        let refused = open(dir.path(), false).expect_err("a directory");
        assert!(
            matches!(&refused, OpenError::NotAFile { file_type, .. } if file_type.is_dir()),
            "{refused}"
        );
        assert!(
            refused
                .to_string()
                .contains("is a directory, not a regular file")
        );
        assert!(matches!(
            open(&dir.path().join("absent"), false),
            Err(OpenError::Io { .. })
        ));
    }
}

//! Opening the log file itself: only a regular file is a log. A directory, a named pipe, a
//! device or a socket is refused before it is opened (by its metadata) and again on the
//! handle (in case the path changed meanwhile). On Unix the file is opened with `O_NONBLOCK`,
//! so that even a named pipe put there in between cannot make the open wait for a writer; the
//! flag has no effect on a regular file.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::store::file::error::OpenError;

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
        options.custom_flags(libc::O_NONBLOCK);
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

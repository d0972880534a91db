//! The log a command works on: a log file, or with `--store postgres://…` (feature `postgres`)
//! a log in a PostgreSQL database, named by the command's log argument.

use std::path::Path;

use ceasefire::log::{ChainHash, ExpectedVersion, Head, Store, StoreError};
use ceasefire::prelude::*;
use ceasefire::store::FileLogOptions;

use crate::{Failure, at_file};

/// A log file or a PostgreSQL log, behind one storage contract.
pub(crate) enum Log {
    /// A log file.
    File(Box<FileLog>),
    /// A log in a PostgreSQL database.
    #[cfg(feature = "postgres")]
    Postgres(Box<ceasefire::store::postgres::PostgresLog>),
}

/// Where the logs are: files, or the database `--store` names.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a>(pub(crate) Option<&'a str>);

impl Place<'_> {
    /// Opens the log `log` names for writing (a file; or the log of that id in the
    /// database, created empty if missing).
    pub(crate) fn open(self, log: &Path) -> Result<Log, Failure> {
        match self.0 {
            None => FileLog::open(log, FileLogOptions::new())
                .map(|(f, _)| Log::File(Box::new(f)))
                .map_err(|e| at_file(log, e)),
            Some(url) => postgres(url, log),
        }
    }

    /// Opens the log for reading.
    pub(crate) fn open_read(self, log: &Path) -> Result<Log, Failure> {
        match self.0 {
            None => FileLog::open_read_only(log, FileLogOptions::new())
                .map(|(f, _)| Log::File(Box::new(f)))
                .map_err(|e| at_file(log, e)),
            Some(url) => postgres(url, log),
        }
    }

    /// Creates a new, empty log: a file that must not exist, or a database log that must
    /// hold no record yet.
    pub(crate) fn create(self, log: &Path) -> Result<Log, Failure> {
        match self.0 {
            None => FileLog::create(log, FileLogOptions::new())
                .map(|f| Log::File(Box::new(f)))
                .map_err(|e| at_file(log, e)),
            Some(url) => {
                let store = postgres(url, log)?;
                match store.head() {
                    Ok(head) if head.version == 0 => Ok(store),
                    Ok(head) => Err(at_file(log, format!("the log already holds {head}"))),
                    Err(e) => Err(at_file(log, e)),
                }
            }
        }
    }

    /// Finds the log: a file that exists or a database log that holds records, or else
    /// what it takes to create it (a database log is opened once, whichever it is).
    pub(crate) fn find(self, log: &Path) -> Result<Found, Failure> {
        match self.0 {
            None if log.exists() => self.open(log).map(Found::Held),
            None => Ok(Found::Vacant(Vacant::File(log.to_path_buf()))),
            Some(url) => {
                let store = postgres(url, log)?;
                let head = store.head().map_err(|e| at_file(log, e))?;
                Ok(if head.version > 0 {
                    Found::Held(store)
                } else {
                    Found::Vacant(Vacant::Open(store))
                })
            }
        }
    }
}

/// What [`Place::find`] finds.
pub(crate) enum Found {
    /// A log file, or a database log with records.
    Held(Log),
    /// Nothing yet.
    Vacant(Vacant),
}

/// A log to create: a file that does not exist yet, or an empty database log, already open.
pub(crate) enum Vacant {
    /// The file's path.
    File(std::path::PathBuf),
    /// The empty database log.
    Open(Log),
}

impl Vacant {
    /// Creates the log (a file), or hands over the empty database log.
    pub(crate) fn create(self) -> Result<Log, Failure> {
        match self {
            Vacant::File(path) => Place(None).create(&path),
            Vacant::Open(store) => Ok(store),
        }
    }
}

#[cfg(feature = "postgres")]
fn postgres(url: &str, log: &Path) -> Result<Log, Failure> {
    use ceasefire::store::postgres::{LogId, PostgresLog, PostgresOptions};
    let name = log.to_string_lossy();
    let id = LogId::new(name.as_ref()).map_err(|e| Failure(format!("log {name}: {e}")))?;
    PostgresLog::open(url, id, PostgresOptions::new())
        .map(|p| Log::Postgres(Box::new(p)))
        .map_err(|e| Failure(format!("log {name} in {}: {e}", redacted(url))))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_url: &str, _log: &Path) -> Result<Log, Failure> {
    Err(Failure(
        "--store: this ceasefire was built without the postgres feature".into(),
    ))
}

/// The URL without its password, for messages.
#[cfg(feature = "postgres")]
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Log {
    fn store(&self) -> &dyn Store {
        match self {
            Log::File(f) => f.as_ref(),
            #[cfg(feature = "postgres")]
            Log::Postgres(p) => p.as_ref(),
        }
    }
}

impl Store for Log {
    fn append(&self, expected: ExpectedVersion, event: Event) -> Result<Seq, StoreError> {
        self.store().append(expected, event)
    }

    fn append_batch(
        &self,
        expected: ExpectedVersion,
        events: Vec<Event>,
    ) -> Result<Seq, StoreError> {
        self.store().append_batch(expected, events)
    }

    fn read(&self, from: Seq, limit: usize) -> Result<Vec<Record>, StoreError> {
        self.store().read(from, limit)
    }

    fn head(&self) -> Result<Head, StoreError> {
        self.store().head()
    }

    fn hash_at(&self, version: u64) -> Result<Option<ChainHash>, StoreError> {
        self.store().hash_at(version)
    }

    fn state(&self) -> Result<AgreementState, StoreError> {
        self.store().state()
    }

    fn with_merkle_tree(
        &self,
        f: &mut dyn FnMut(&ceasefire::transparency::MerkleTree),
    ) -> Result<(), StoreError> {
        self.store().with_merkle_tree(f)
    }
}

//! The PostgreSQL store's errors and the name of a log in the database.

use std::fmt;

use crate::log::StoreError;

/// The name of one log (one agreement) in the database: 1 to 128 ASCII letters, digits,
/// `-`, `_`, `.` or `:`. Several logs share one database, each with its own sequence.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogId(String);

impl LogId {
    /// The longest id, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Checks and wraps a log id.
    ///
    /// # Errors
    /// [`PostgresError::InvalidLogId`] if it is empty, too long, or holds another character.
    pub fn new(id: impl Into<String>) -> Result<LogId, PostgresError> {
        let id = id.into();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
        if id.is_empty() || id.len() > LogId::MAX_LEN || !id.chars().all(allowed) {
            return Err(PostgresError::InvalidLogId {
                id: id.chars().take(80).collect(),
            });
        }
        Ok(LogId(id))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogId({:?})", self.0)
    }
}

/// Why the PostgreSQL store could not do something. Inside the [`crate::Store`] methods it
/// arrives as [`StoreError::Backend`]; every contract refusal (conflict, rejection, size)
/// keeps its own [`StoreError`] variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresError {
    /// A log id that [`LogId::new`] refuses.
    #[error("{id:?} is not a log id (1 to 128 ASCII letters, digits, '-', '_', '.' or ':')")]
    InvalidLogId {
        /// The id (at most its first 80 characters).
        id: String,
    },
    /// The connection string does not parse.
    #[error("the connection string does not parse: {source}")]
    Config {
        /// The client's error.
        #[source]
        source: postgres::Error,
    },
    /// The server could not be reached, or a statement failed.
    #[error("postgresql error while {action}: {source}")]
    Database {
        /// What the store was doing.
        action: &'static str,
        /// The client's error (its SQLSTATE, if the server answered, is in `code()`).
        #[source]
        source: postgres::Error,
    },
    /// The database was migrated by a newer version of this crate.
    #[error("the database schema is at version {found}; this crate knows versions up to {known}")]
    SchemaTooNew {
        /// The version in the database.
        found: i32,
        /// The newest version this crate knows.
        known: i32,
    },
    /// The downstream rules do not fit the agreement's policy (two rules share an id).
    #[error("the downstream rules do not fit the policy: {0}")]
    Rules(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A stored record failed a check while being read: its chain hash, its sequence, its
    /// event id, its size, or the rules.
    #[error("record {seq} of log {log} is damaged: {reason}")]
    Corrupt {
        /// The log.
        log: LogId,
        /// The record's sequence number.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// The database holds fewer records, or other ones, than this handle already verified
    /// (a restore from an older backup, or a rewrite).
    #[error(
        "log {log} in the database is at version {found}, behind the {known} records this handle verified"
    )]
    Behind {
        /// The log.
        log: LogId,
        /// What this handle verified.
        known: u64,
        /// What the database holds.
        found: u64,
    },
}

impl PostgresError {
    pub(crate) fn db(action: &'static str) -> impl FnOnce(postgres::Error) -> PostgresError {
        move |source| PostgresError::Database { action, source }
    }

    pub(crate) fn corrupt(log: &LogId, seq: u64, reason: impl Into<String>) -> PostgresError {
        PostgresError::Corrupt {
            log: log.clone(),
            seq,
            reason: reason.into(),
        }
    }
}

impl From<PostgresError> for StoreError {
    fn from(e: PostgresError) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// Shorthand for a database error as a [`StoreError`].
pub(crate) fn db(action: &'static str) -> impl FnOnce(postgres::Error) -> StoreError {
    move |source| PostgresError::Database { action, source }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ids_are_checked() {
        assert!(LogId::new("mission-7:energy_2025.a").is_ok());
        for bad in ["", "with space", "é", "a;drop", &"x".repeat(129)] {
            assert!(
                matches!(LogId::new(bad), Err(PostgresError::InvalidLogId { .. })),
                "{bad:?}"
            );
        }
        assert!(LogId::new("x".repeat(128)).is_ok());
    }
}

//! The PostgreSQL store (feature `postgres`): several writers on several machines appending to
//! the same logs, with the same contract as every other store. `docs/postgres.md` (rendered as
//! [`crate::guide::postgres`]) describes the schema, the guarantees and the failure behaviour.
//!
//! A [`PostgresLog`] is one log (one agreement) in a database that may hold many. It keeps
//! the log's state and chain warm in memory, catches up from the last record it saw before
//! every operation, and appends in a transaction that locks the log's head row, so appends to
//! one log are serialized by the database whoever makes them.

mod append;
mod error;
mod rows;
mod schema;
mod subscribe;

use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::{Client, Config, NoTls, Statement};

use crate::log::{ChainHash, Ledger, StoreError};
use crate::sanction::RuleSet;
use crate::state::AgreementState;
use crate::store::DEFAULT_MAX_RECORD_SIZE;

pub(crate) use error::db;
pub use error::{LogId, PostgresError};
pub use schema::SCHEMA_VERSION;
pub use subscribe::Subscription;

/// How to open a log: the downstream rules to run beside the policy's, and the largest event
/// accepted.
#[derive(Clone, Debug)]
pub struct PostgresOptions {
    rules: RuleSet,
    max_record_size: usize,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            rules: RuleSet::new(),
            max_record_size: DEFAULT_MAX_RECORD_SIZE,
        }
    }
}

impl PostgresOptions {
    /// No downstream rules; events of at most [`DEFAULT_MAX_RECORD_SIZE`] bytes.
    #[must_use]
    pub fn new() -> PostgresOptions {
        PostgresOptions::default()
    }

    /// Also run these downstream rules. Every writer of a log must use the rules it was
    /// written with.
    #[must_use]
    pub fn with_rules(mut self, rules: RuleSet) -> PostgresOptions {
        self.rules = rules;
        self
    }

    /// The largest stored event, in bytes (its JSON encoding). Larger appends are refused
    /// with [`StoreError::TooLarge`]; a larger stored row is reported as damaged.
    #[must_use]
    pub fn with_max_record_size(mut self, bytes: usize) -> PostgresOptions {
        self.max_record_size = bytes;
        self
    }
}

/// A connection with the statements an append and a catch-up run, prepared once.
pub(crate) struct Conn {
    client: Client,
    /// [`rows::FETCH`].
    fetch: Statement,
    /// Locks the log's head row and reads it.
    lock: Statement,
    /// Inserts records, moves the head and notifies, in one statement.
    write: Statement,
}

impl Conn {
    fn new(mut client: Client) -> Result<Conn, PostgresError> {
        let action = "preparing statements";
        let mut prepare = |sql| client.prepare(sql).map_err(PostgresError::db(action));
        let (fetch, lock, write) = (
            prepare(rows::FETCH)?,
            prepare(append::LOCK)?,
            prepare(append::WRITE)?,
        );
        Ok(Conn {
            client,
            fetch,
            lock,
            write,
        })
    }
}

/// The connection and the warm state of one handle.
struct Inner {
    /// `None` after the connection was lost; the next operation reconnects.
    conn: Option<Conn>,
    ledger: Ledger,
    /// Set when a stored record failed a check while the ledger was catching up: the ledger
    /// may be half-way through it, so the handle refuses everything until it is reopened.
    poisoned: bool,
}

/// One log in a PostgreSQL database, keeping the [`crate::Store`] contract. Share a handle
/// between threads behind an `Arc` (its operations are serialized on its one connection), or
/// open one handle per writer: appends from every handle, on any machine, are serialized by
/// the database.
pub struct PostgresLog {
    config: Config,
    log: LogId,
    max: usize,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for PostgresLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLog")
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

/// How long connecting may take when the connection string does not say
/// (`connect_timeout`): an unreachable server gives an error, not a hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Parses a connection string (`postgresql://user@host:port/database` or `key=value` form).
fn config(url: &str) -> Result<Config, PostgresError> {
    let mut config = Config::from_str(url).map_err(|source| PostgresError::Config { source })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    Ok(config)
}

fn connect(config: &Config) -> Result<Client, PostgresError> {
    config
        .connect(NoTls)
        .map_err(PostgresError::db("connecting to the server"))
}

impl PostgresLog {
    /// Connects, brings the schema up to date, creates the log if the database does not hold
    /// it yet, and loads it: every stored record is checked (chain, ids, rules) once here;
    /// later operations only read what was appended since.
    ///
    /// # Errors
    /// [`PostgresError::Config`], [`PostgresError::Database`] if the server cannot be reached
    /// or refuses, [`PostgresError::SchemaTooNew`], [`PostgresError::Rules`], or
    /// [`PostgresError::Corrupt`] naming the first damaged record.
    pub fn open(
        url: &str,
        log: LogId,
        options: PostgresOptions,
    ) -> Result<PostgresLog, PostgresError> {
        let state = AgreementState::new()
            .with_rules(options.rules)
            .map_err(|e| PostgresError::Rules(Box::new(e)))?;
        let config = config(url)?;
        let mut client = connect(&config)?;
        schema::migrate(&mut client)?;
        client
            .execute(
                "INSERT INTO ceasefire_logs (log_id, version, head) VALUES ($1, 0, $2) \
                 ON CONFLICT (log_id) DO NOTHING",
                &[&log.as_str(), &ChainHash::ZERO.as_bytes().as_slice()],
            )
            .map_err(PostgresError::db("creating the log"))?;
        let mut conn = Conn::new(client)?;
        let mut ledger = Ledger::new(state);
        let max = options.max_record_size;
        rows::catch_up(&mut conn.client, &conn.fetch, &log, &mut ledger, max)?;
        Ok(PostgresLog {
            config,
            log,
            max,
            inner: Mutex::new(Inner {
                conn: Some(conn),
                ledger,
                poisoned: false,
            }),
        })
    }

    /// The log's id.
    #[must_use]
    pub fn id(&self) -> &LogId {
        &self.log
    }

    /// Runs `f` on the current state (caught up with the database) without copying it.
    ///
    /// # Errors
    /// As [`crate::Store::state`].
    pub fn with_state<R>(&self, f: impl FnOnce(&AgreementState) -> R) -> Result<R, StoreError> {
        let inner = self.refreshed()?;
        Ok(f(&inner.ledger.state))
    }

    /// A live subscription to this log's records from `from` on, on a connection of its own;
    /// see [`Subscription`].
    ///
    /// # Errors
    /// [`StoreError::DoesNotExtend`] if `from` is beyond the record after the head, or a
    /// backend error.
    pub fn subscribe(&self, from: crate::id::Seq) -> Result<Subscription, StoreError> {
        let inner = self.refreshed()?;
        let start = from.get().max(1);
        let Some(prev) = inner.ledger.hash_at(start - 1) else {
            return Err(StoreError::DoesNotExtend {
                version: start - 1,
                found: crate::log::Divergence::Shorter {
                    records: inner.ledger.version(),
                },
            });
        };
        drop(inner);
        let client = connect(&self.config)?;
        Subscription::start(client, self.log.clone(), start, prev, self.max)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        let guard = self.inner.lock().map_err(|_| StoreError::LockPoisoned)?;
        if guard.poisoned {
            return Err(StoreError::Poisoned);
        }
        Ok(guard)
    }

    /// The handle, with its ledger caught up with the database.
    fn refreshed(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let conn = self.conn(&mut inner.conn)?;
        let result = rows::catch_up(
            &mut conn.client,
            &conn.fetch,
            &self.log,
            &mut inner.ledger,
            self.max,
        )
        .map_err(StoreError::from);
        settle(inner, result.as_ref().err());
        result?;
        Ok(guard)
    }

    /// The connection, reconnecting if it was lost.
    fn conn<'a>(&self, slot: &'a mut Option<Conn>) -> Result<&'a mut Conn, StoreError> {
        let conn = match slot.take().filter(|c| !c.client.is_closed()) {
            Some(conn) => conn,
            None => Conn::new(connect(&self.config)?)?,
        };
        Ok(slot.insert(conn))
    }
}

/// After an operation: drops a connection the server closed, so the next operation opens a
/// new one, and poisons the handle if a stored record failed a check.
fn settle(inner: &mut Inner, failed: Option<&StoreError>) {
    if inner.conn.as_ref().is_some_and(|c| c.client.is_closed()) {
        inner.conn = None;
    }
    if let Some(StoreError::Backend(b)) = failed
        && matches!(
            b.downcast_ref::<PostgresError>(),
            Some(PostgresError::Corrupt { .. } | PostgresError::Behind { .. })
        )
    {
        inner.poisoned = true;
    }
}

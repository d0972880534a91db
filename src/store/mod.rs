//! Durable stores that keep the [`crate::log::Store`] contract.
//!
//! [`FileLog`] is the embedded default: one append-only, hash-chained JSON Lines file per
//! agreement, needing no server. `docs/format.md` describes the file field by field and says
//! exactly what is promised about durability and integrity, and what is not.
//!
//! `postgres` (feature `postgres`) keeps the same contract in a PostgreSQL database, for
//! many writers on many machines; `docs/postgres.md` describes it.

mod file;
#[cfg(feature = "postgres")]
pub mod postgres;

pub use file::{
    DEFAULT_MAX_RECORD_SIZE, FORMAT, FileLog, FileLogOptions, Line, LineError, OpenError,
    OpenReport, Records, TornTail, Verified, decode_line, verify,
};

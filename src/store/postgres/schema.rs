//! The schema, created and migrated by the crate itself: numbered migrations embedded in the
//! binary, applied in order, each once, under an advisory lock so that several processes
//! opening the same database at once apply each migration exactly once.

use postgres::Client;

use crate::store::postgres::PostgresError;

/// One migration: its version, a name, and its SQL.
struct Migration {
    version: i32,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, oldest first. Never edit a released one; add the next.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "logs and events",
    sql: include_str!("migrations/0001_logs_and_events.sql"),
}];

/// The schema version this crate creates and expects.
pub const SCHEMA_VERSION: i32 = 1;

/// The advisory lock key migrations hold ("ceasefir" in ASCII).
const LOCK: i64 = 0x6365_6173_6566_6972;

/// The channel appends notify, with the log id as payload.
pub(crate) const CHANNEL: &str = "ceasefire_appended";

/// Brings the schema up to [`SCHEMA_VERSION`] in one transaction, under the advisory lock.
/// Returns how many migrations it applied (0 when the schema is current).
pub(crate) fn migrate(client: &mut Client) -> Result<usize, PostgresError> {
    let action = "migrating the schema";
    let mut tx = client.transaction().map_err(PostgresError::db(action))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .map_err(PostgresError::db(action))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS ceasefire_schema (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .map_err(PostgresError::db(action))?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM ceasefire_schema",
            &[],
        )
        .and_then(|row| row.try_get(0))
        .map_err(PostgresError::db(action))?;
    if current > SCHEMA_VERSION {
        return Err(PostgresError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let mut applied = 0;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.batch_execute(m.sql).map_err(PostgresError::db(action))?;
        tx.execute(
            "INSERT INTO ceasefire_schema (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .map_err(PostgresError::db(action))?;
        applied += 1;
    }
    tx.commit().map_err(PostgresError::db(action))?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_up_to_the_schema_version() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i32 + 1, "{}", m.name);
            assert!(!m.sql.trim().is_empty());
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }
}

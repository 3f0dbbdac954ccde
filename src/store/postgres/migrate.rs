//! Schema migrations, embedded in the binary and run at open: each is applied once, in
//! order, in a transaction of its own that also records it in `schema_migrations`. A session
//! advisory lock makes instances starting together take turns, so each migration runs once
//! (a failed open drops its connection, which releases the lock).

use super::db_error;
use crate::store::R;
use postgres::Client;

/// (version, SQL), in the order they apply. Never edit one that shipped: add the next.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_accounts.sql")),
    (3, include_str!("migrations/0003_instances.sql")),
    (4, include_str!("migrations/0004_staff_sessions.sql")),
    (5, include_str!("migrations/0005_dialog_sets.sql")),
    (6, include_str!("migrations/0006_ticket_index.sql")),
    (7, include_str!("migrations/0007_outbox_written.sql")),
    (8, include_str!("migrations/0008_secrets.sql")),
];

/// Any fixed number; shared by every pintu instance on the database.
const LOCK: i64 = 0x7069_6e74_7500_0001;

/// Applies the migrations this database lacks; returns how many.
pub(super) fn run(client: &mut Client) -> R<usize> {
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK]).map_err(db_error("lock"))?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .map_err(db_error("create schema_migrations"))?;
    let mut applied = 0;
    for (version, sql) in MIGRATIONS {
        let mut tx = client.transaction().map_err(db_error("begin migration"))?;
        let done = tx
            .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
            .map_err(db_error("read schema_migrations"))?
            .is_some();
        if done {
            continue;
        }
        tx.batch_execute(sql).map_err(db_error("migrate"))?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version])
            .map_err(db_error("record migration"))?;
        tx.commit().map_err(db_error("commit migration"))?;
        tracing::info!(version, "database migrated");
        applied += 1;
    }
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK]).map_err(db_error("unlock"))?;
    Ok(applied)
}

//! Which servers are serving a database: each keeps a `server:<id>` row
//! in `lease`, renewed every 10 s for 30 s, and removes it when it stops.
//! `mubiao restore` refuses while any row is live, so a backup is never
//! copied under a running server. A server killed outright leaves its row
//! to expire within 30 s.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::db::statement;
use crate::error::AppResult;
use crate::service::notify::scheduler::take_lease;

/// How long a server's row lasts without being renewed.
pub const TTL: Duration = Duration::from_secs(30);
const RENEW: Duration = Duration::from_secs(10);

fn row_name(server: &str) -> String {
    format!("server:{server}")
}

/// Keeps `server`'s row alive until the process ends.
pub async fn keep(db: DatabaseConnection, server: String) {
    loop {
        if let Err(err) = take_lease(&db, &row_name(&server), &server, TTL, Utc::now()).await {
            tracing::warn!(error = %err, "this server's presence could not be written");
        }
        tokio::time::sleep(RENEW).await;
    }
}

/// Removes `server`'s row (a server stopping).
pub async fn leave(db: &DatabaseConnection, server: &str) -> AppResult<()> {
    let backend = db.get_database_backend();
    db.execute_raw(statement(
        backend,
        "DELETE FROM lease WHERE name = ?",
        vec![row_name(server).into()],
    ))
    .await?;
    Ok(())
}

/// How many servers are serving the database at `now`.
pub async fn serving<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(statement(
            backend,
            "SELECT COUNT(*) FROM lease WHERE name LIKE 'server:%' AND expires_at > ?",
            vec![now.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    })
}

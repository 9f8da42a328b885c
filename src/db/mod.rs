//! Connecting, migrating and starting write transactions, for both backends.

/// The audit log, written with each change in the change's transaction.
pub mod audit;
use std::time::Duration;

use entity::plan;
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::Expr;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, QueryFilter,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use self::audit::{Audit, Audited, Touches};
use crate::config::DatabaseConfig;
use crate::error::AppResult;

/// Opens the pool. SQLite runs in WAL mode (readers never block the writer)
/// with a busy timeout so concurrent writers queue instead of failing;
/// `sqlite::memory:` keeps one connection because each new one would be a
/// new, empty database.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let url = &config.database_url;
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(config.max_connections.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        let in_memory = url.contains(":memory:");
        if in_memory {
            options.max_connections(1);
        }
        options.map_sqlx_sqlite_opts(move |o| {
            let o = o
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            // Each connection keeps its own page cache (2 MiB by default);
            // the operating system caches the file for all of them, so a
            // pool of 16 held 32 MiB twice over. 512 KiB each: the same
            // latency on the province benchmark, 34 MiB less at the peak.
            let o = o.pragma("cache_size", "-512");
            // Each connection also keeps up to 100 prepared statements by
            // default, and a writer's statements come in many shapes (a
            // batch's audit rows, its plans' version bumps): 24 keeps every
            // read's statements and took the five workloads' peak from
            // 212–224 to 186–192 MiB at the same rates.
            let o = o.statement_cache_capacity(24);
            if in_memory {
                o
            } else {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
            }
        });
    }
    if let Some(schema) = &config.schema {
        options.set_schema_search_path(schema.clone());
    }
    // Servers starting together on a new SQLite file race to switch it to
    // WAL; SQLite may answer "database is locked" at once instead of
    // waiting (the busy handler is skipped where waiting could deadlock).
    // The race only lasts while another server migrates: try again.
    let started = std::time::Instant::now();
    loop {
        match Database::connect(options.clone()).await {
            Err(err)
                if url.starts_with("sqlite:")
                    && err.to_string().contains("database is locked")
                    && started.elapsed() < Duration::from_secs(30) =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            result => return result,
        }
    }
}

/// Applies the pending migrations, one migrator at a time however many
/// servers start at once: all of it runs in one transaction that first
/// takes the database's write lock (SQLite: BEGIN IMMEDIATE) or a
/// transaction-scoped advisory lock on the schema (PostgreSQL). A server
/// that waited finds nothing pending; a migration that fails leaves the
/// schema as it was.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    let result = async {
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_unprepared(
                "SELECT pg_advisory_xact_lock(hashtext('mubiao migrate ' || current_schema()))",
            )
            .await?;
        }
        Migrator::up(&txn, None).await
    }
    .await;
    match result {
        Ok(()) => txn.commit().await,
        Err(err) => {
            let _ = txn.rollback().await;
            Err(err)
        }
    }
}

/// Refuses (with the pending migrations named) when the schema is behind
/// this build: `serve --no-migrate`. Reads only; creates nothing.
pub async fn require_current_schema(db: &DatabaseConnection) -> Result<(), SchemaBehind> {
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .map_err(|err| SchemaBehind(vec![format!("(the schema could not be read: {err})")]))?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(SchemaBehind(
            pending.iter().map(|m| m.name().to_string()).collect(),
        ))
    }
}

/// The schema is older than this server; the migrations it lacks.
#[derive(Debug, thiserror::Error)]
#[error(
    "the database schema is behind this server ({} migration(s) pending: {}); run `mubiao migrate` first, or start without --no-migrate",
    .0.len(),
    .0.join(", ")
)]
pub struct SchemaBehind(pub Vec<String>);

/// Starts a transaction that will write. On SQLite it takes the write lock
/// up front (BEGIN IMMEDIATE): a deferred transaction that reads first and
/// writes later fails with SQLITE_BUSY when another writer got in between,
/// while an immediate one simply waits its turn under the busy timeout.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let mut options = TransactionOptions::default();
    if db.get_database_backend() == DbBackend::Sqlite {
        options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
}

/// Ends an audited write transaction: on `Ok` writes the change's audit
/// row (naming `author`) and commits; on `Err` rolls back. The author is a
/// parameter, not something in scope, so an audited write cannot be
/// finished without naming who made it. The rollback is awaited here
/// rather than left to the connection's drop, which defers it to a
/// background task; until that runs the connection would sit idle inside
/// the transaction, holding its locks.
pub async fn finish<T: Audited>(
    txn: DatabaseTransaction,
    author: &Audit,
    result: AppResult<T>,
) -> AppResult<T> {
    let result = match result {
        Ok(value) => record_changes(&txn, &[(Some(author), &value)])
            .await
            .map(|()| value),
        err => err,
    };
    settle(txn, result).await
}

/// Commits on `Ok`, rolls back (awaited) on `Err`.
pub async fn settle<T>(txn: DatabaseTransaction, result: AppResult<T>) -> AppResult<T> {
    match result {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rollback after a refused write failed");
            }
            Err(err)
        }
    }
}

/// What every write does before it commits: the audit rows of its changes
/// (those with an author) and the data version of every plan they touch,
/// so every server's kept copy of those plans is stale from the commit.
/// Two statements however many changes.
pub async fn record_changes<T: Audited>(
    txn: &DatabaseTransaction,
    changes: &[(Option<&Audit>, &T)],
) -> AppResult<()> {
    audit::record_all(txn, changes).await?;
    let bump = plan::Entity::update_many().col_expr(
        plan::Column::DataVersion,
        sea_orm::sea_query::ExprTrait::add(Expr::col(plan::Column::DataVersion), 1),
    );
    let touches: Vec<Touches> = changes.iter().map(|(_, c)| c.touches()).collect();
    if touches.contains(&Touches::AllPlans) {
        bump.exec(txn).await?;
        return Ok(());
    }
    let mut plans: Vec<i64> = touches
        .iter()
        .filter_map(|t| match t {
            Touches::Plan(id) => Some(*id),
            _ => None,
        })
        .collect();
    // A batch of reports may touch many plans: one statement for all.
    plans.sort_unstable();
    plans.dedup();
    if !plans.is_empty() {
        bump.filter(plan::Column::Id.is_in(plans)).exec(txn).await?;
    }
    Ok(())
}

/// A hand-written statement with `?` placeholders, numbered `$1, $2, …`
/// for PostgreSQL. The SQL must not hold a literal `?`.
pub fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        let mut numbered = String::with_capacity(sql.len() + 16);
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                numbered.push_str(&format!("${n}"));
            } else {
                numbered.push(c);
            }
        }
        numbered
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Every column of `E` as `alias."column" AS "prefixcolumn"`, for a
/// hand-written statement that reads several entities' rows at once; each
/// is read back with `FromQueryResult::from_query_result(row, prefix)`.
/// The aliases are quoted because PostgreSQL folds unquoted ones to lower
/// case.
pub fn columns_as<E: EntityTrait>(alias: &str, prefix: &str) -> String {
    E::Column::iter()
        .map(|column| {
            let name = column.as_str();
            format!(r#"{alias}."{name}" AS "{prefix}{name}""#)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the database answers (for /healthz).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

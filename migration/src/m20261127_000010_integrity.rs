use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Unit {
    Table,
    Id,
    Name,
    NameKey,
}

/// The values each enum column may hold, as they were when this migration
/// was written (a later kind needs a later migration to widen its check).
const KNOWN_VALUES: &[(&str, &str, &[&str])] = &[
    (
        "goal",
        "kind",
        &["CUMULATIVE", "RATE", "MILESTONE", "VETO", "GROUP"],
    ),
    ("goal", "direction", &["INCREASE", "DECREASE"]),
    ("plan", "state", &["DRAFT", "ACTIVE", "CLOSED"]),
    ("plan", "time_progress_mode", &["MONTHLY", "DAILY"]),
    ("plan", "reporting_cycle", &["MONTHLY", "QUARTERLY"]),
    ("report", "status", &["SUBMITTED", "APPROVED", "RETURNED"]),
    ("api_token", "role", &["ADMIN", "REPORTER", "VIEWER"]),
];

/// What the database itself guarantees, so that two servers racing on
/// PostgreSQL (READ COMMITTED) cannot break what one server's checks
/// keep: no two active units of one name (compared by key, as
/// `domain::text::key` compares them) under one parent, no unit with two
/// active shares of one goal, and no enum column holding a value the code
/// does not know.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Unit::Table)
                    .add_column(
                        ColumnDef::new(Unit::NameKey)
                            .string()
                            .not_null()
                            .default(""),
                    )
                    .take(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let select = Query::select()
            .columns([Unit::Id, Unit::Name])
            .from(Unit::Table)
            .take();
        for row in db.query_all(&select).await? {
            let id: i64 = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let update = Query::update()
                .table(Unit::Table)
                .value(Unit::NameKey, domain::text::key(&name))
                .and_where(Expr::col(Unit::Id).eq(id))
                .take();
            db.execute(&update).await?;
        }
        for sql in [
            "CREATE UNIQUE INDEX unit_name_under_parent ON unit (COALESCE(parent_id, 0), name_key) \
             WHERE archived_at IS NULL",
            "CREATE UNIQUE INDEX assignment_unit_of_goal ON assignment (goal_id, unit_id) \
             WHERE archived_at IS NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        for (table, column, values) in KNOWN_VALUES {
            for sql in known_value_checks(backend, table, column, values) {
                db.execute_raw(Statement::from_string(backend, sql)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        for (table, column, _) in KNOWN_VALUES {
            let name = check_name(table, column);
            let drops = match backend {
                DbBackend::Sqlite => vec![
                    format!("DROP TRIGGER IF EXISTS {name}_insert"),
                    format!("DROP TRIGGER IF EXISTS {name}_update"),
                ],
                _ => vec![format!(
                    "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}"
                )],
            };
            for sql in drops {
                db.execute_unprepared(&sql).await?;
            }
        }
        db.execute_unprepared("DROP INDEX IF EXISTS assignment_unit_of_goal")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS unit_name_under_parent")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Unit::Table)
                    .drop_column(Unit::NameKey)
                    .take(),
            )
            .await
    }
}

pub(crate) fn check_name(table: &str, column: &str) -> String {
    format!("{table}_{column}_known")
}

/// A CHECK constraint on PostgreSQL; SQLite cannot add one to an existing
/// table, so there a trigger on insert and on update refuses the row with
/// the same name in its message.
pub(crate) fn known_value_checks(
    backend: DbBackend,
    table: &str,
    column: &str,
    values: &[&str],
) -> Vec<String> {
    let name = check_name(table, column);
    let list = values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    match backend {
        DbBackend::Sqlite => ["INSERT", "UPDATE"]
            .iter()
            .map(|event| {
                let on = if *event == "UPDATE" {
                    format!("UPDATE OF {column}")
                } else {
                    "INSERT".into()
                };
                format!(
                    "CREATE TRIGGER {name}_{} BEFORE {on} ON {table} \
                     WHEN NEW.{column} NOT IN ({list}) \
                     BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END",
                    event.to_lowercase()
                )
            })
            .collect(),
        _ => vec![format!(
            "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({list}))"
        )],
    }
}

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::m20261127_000010_integrity::{check_name, known_value_checks};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Goal {
    Table,
    Subset,
    PreviousYearValue,
    Remarks,
    SupportingText,
    Ongoing,
}

#[derive(DeriveIden)]
enum Plan {
    Table,
    Remarks,
}

const KINDS_BEFORE: &[&str] = &["CUMULATIVE", "RATE", "MILESTONE", "VETO", "GROUP"];
const KINDS: &[&str] = &["CUMULATIVE", "RATE", "MILESTONE", "VETO", "GROUP", "RANK"];

/// What a real office's 分解表 carries beyond the targets: 其中 rows
/// (subsets, never added into their parent), last year's result (上年完成),
/// 备注 per goal and 注 rows for the plan, 配合单位 written as words that
/// are not units ("各局办"), deadlines that mean "all year" (持续推进), and
/// RANK goals (稳固全省30强).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        let goal_columns = [
            ColumnDef::new(Goal::Subset)
                .boolean()
                .not_null()
                .default(false)
                .take(),
            ColumnDef::new(Goal::PreviousYearValue)
                .double()
                .null()
                .take(),
            ColumnDef::new(Goal::Remarks).text().null().take(),
            ColumnDef::new(Goal::SupportingText).text().null().take(),
            ColumnDef::new(Goal::Ongoing)
                .boolean()
                .not_null()
                .default(false)
                .take(),
        ];
        for mut column in goal_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Goal::Table)
                        .add_column(&mut column)
                        .take(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .add_column(ColumnDef::new(Plan::Remarks).text().null())
                    .take(),
            )
            .await?;
        replace_kind_check(manager, KINDS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_kind_check(manager, KINDS_BEFORE).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Plan::Table)
                    .drop_column(Plan::Remarks)
                    .take(),
            )
            .await?;
        for column in [
            Goal::Ongoing,
            Goal::SupportingText,
            Goal::Remarks,
            Goal::PreviousYearValue,
            Goal::Subset,
        ] {
            manager
                .alter_table(Table::alter().table(Goal::Table).drop_column(column).take())
                .await?;
        }
        Ok(())
    }
}

/// The goal kind check, dropped and made again with `kinds`.
async fn replace_kind_check(manager: &SchemaManager<'_>, kinds: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = db.get_database_backend();
    let name = check_name("goal", "kind");
    let drops = match backend {
        DbBackend::Sqlite => vec![
            format!("DROP TRIGGER IF EXISTS {name}_insert"),
            format!("DROP TRIGGER IF EXISTS {name}_update"),
        ],
        _ => vec![format!("ALTER TABLE goal DROP CONSTRAINT IF EXISTS {name}")],
    };
    for sql in drops {
        db.execute_unprepared(&sql).await?;
    }
    for sql in known_value_checks(backend, "goal", "kind", kinds) {
        db.execute_raw(Statement::from_string(backend, sql)).await?;
    }
    Ok(())
}
